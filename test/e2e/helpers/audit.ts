// Reads the sandbox API servers' audit logs (issue 11; scripts/sandbox/audit.ts turns them on):
// mark a position, run something, then ask which requests it made. Tests assert "zero mutating
// requests" (the bad-input corpus) and "no write applied twice" (fault injection) with it.
//
//   const mark = await auditMark();
//   await hcp([...], { env: { HCP_TEST_USER_AGENT_SUFFIX: 'case-17' } });
//   const writes = await auditEvents(mark, { userAgent: 'case-17', verbs: MUTATING_VERBS });
//
// Both ends are fenced with a sentinel request (`GET /api?hcpAuditSentinel=<id>`) that the reader
// waits to see in the log: the API server writes an event after its response has gone out, so
// without the fence a request that had just returned could still be missing from the file.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubectl, sandbox, type Cluster } from './sandbox.ts';

/** The fields of an audit.k8s.io/v1 Event at Metadata level that tests look at. */
export interface AuditEvent {
  auditID: string;
  stage: 'ResponseStarted' | 'ResponseComplete' | 'Panic';
  requestURI: string;
  verb: string;
  user: { username: string; groups?: string[] };
  impersonatedUser?: { username: string };
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus?: { code?: number; reason?: string };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  /** Added by the reader: which API server logged it. */
  cluster: Cluster;
}

export const MUTATING_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export const ALL_CLUSTERS: Cluster[] = ['mgmt-1', 'mgmt-2', 'guest'];

interface FilePosition {
  ino: number;
  offset: number;
}

export interface AuditMark {
  clusters: Cluster[];
  positions: Partial<Record<Cluster, FilePosition>>;
}

export interface AuditFilter {
  /** Verbs to keep (default: all). */
  verbs?: readonly string[];
  /**
   * The user agent: a string is a substring to find (e.g. a HCP_TEST_USER_AGENT_SUFFIX value), a
   * RegExp must match. Default: our binary, /^kubectl-hcp\//.
   */
  userAgent?: string | RegExp;
  /** Object reference fields that must match. */
  object?: { resource?: string; namespace?: string; name?: string; subresource?: string };
  /** Leave out writes sent with dryRun=All (default false: they are requests too). */
  excludeDryRun?: boolean;
}

const auditDir = () => join(sandbox().dir, 'audit');
const currentLog = (c: Cluster) => join(auditDir(), `${c}.log`);

function position(c: Cluster): FilePosition {
  try {
    const st = statSync(currentLog(c));
    return { ino: st.ino, offset: st.size };
  } catch {
    return { ino: -1, offset: 0 };
  }
}

/** Bytes of one log file read from `start` to its end, and which file (inode) they came from. */
interface Segment {
  ino: number;
  start: number;
  buf: Buffer;
}

/** Reads a file from `offset` to its end; the inode comes from the open descriptor, so a rename in between cannot mislabel it. */
function readFrom(file: string, offset: number): Segment {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    const buf = Buffer.alloc(Math.max(0, st.size - offset));
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return { ino: st.ino, start: offset, buf: buf.subarray(0, done) };
  } finally {
    closeSync(fd);
  }
}

/**
 * The log bytes written since `pos`, across a rotation: the apiserver's lumberjack renames the
 * full file to <cluster>-<timestamp>.log (keeping its inode) and starts a new one.
 */
function segmentsSince(c: Cluster, pos: FilePosition): Segment[] {
  const current = currentLog(c);
  if (pos.ino === -1) return position(c).ino === -1 ? [] : [readFrom(current, 0)];
  const head = readFrom(current, pos.offset);
  if (head.ino === pos.ino) return [head];
  const whole = (): Segment => readFrom(current, 0);
  const backups = readdirSync(auditDir())
    .filter((f) => f.startsWith(`${c}-`) && f.endsWith('.log'))
    .sort()
    .map((f) => join(auditDir(), f));
  const first = backups.findIndex((f) => statSync(f).ino === pos.ino);
  // Rotated out of the backups (50 MB each, two kept): what happened after the mark is partly gone,
  // and a count from the rest could pass a test that should fail.
  if (first < 0) throw new Error(`audit log ${current} rotated past the mark (more than ~100 MB since): mark closer to the requests`);
  return [...backups.slice(first).map((f, i) => readFrom(f, i === 0 ? pos.offset : 0)), whole()];
}

/** Where the line holding `needle` ends (the position after its newline), or undefined while it is not complete. */
function lineEndAfter(segments: Segment[], needle: string): FilePosition | undefined {
  for (const seg of segments) {
    const at = seg.buf.indexOf(needle);
    if (at < 0) continue;
    const nl = seg.buf.indexOf(0x0a, at);
    return nl < 0 ? undefined : { ino: seg.ino, offset: seg.start + nl + 1 };
  }
  return undefined;
}

/** Sends the sentinel request to each cluster and waits until each log holds its whole line. */
async function fence(clusters: Cluster[]): Promise<{ id: string; positions: Partial<Record<Cluster, FilePosition>> }> {
  const before = Object.fromEntries(clusters.map((c) => [c, position(c)])) as Record<Cluster, FilePosition>;
  const id = randomBytes(6).toString('hex');
  await Promise.all(
    clusters.map(async (c) => {
      const r = await kubectl(c, ['get', '--raw', `/api?hcpAuditSentinel=${id}`]);
      if (r.code !== 0) throw new Error(`audit sentinel to ${c} failed: ${r.stderr}`);
    }),
  );
  const positions: Partial<Record<Cluster, FilePosition>> = {};
  await Promise.all(
    clusters.map(async (c) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const end = lineEndAfter(segmentsSince(c, before[c]), `hcpAuditSentinel=${id}`);
        if (end) {
          positions[c] = end;
          return;
        }
        if (Date.now() > deadline)
          throw new Error(`audit log ${currentLog(c)} never showed the sentinel request: is audit logging on (scripts/sandbox/audit.ts)?`);
        await sleep(50);
      }
    }),
  );
  return { id, positions };
}

/** Marks the current end of the audit logs: auditEvents() returns what comes after it. */
export async function auditMark(clusters: Cluster[] = ALL_CLUSTERS): Promise<AuditMark> {
  return { clusters, positions: (await fence(clusters)).positions };
}

export function matches(e: AuditEvent, f: AuditFilter = {}): boolean {
  if (f.verbs && !f.verbs.includes(e.verb)) return false;
  const ua = e.userAgent ?? '';
  const want = f.userAgent ?? /^kubectl-hcp\//;
  if (typeof want === 'string' ? !ua.includes(want) : !want.test(ua)) return false;
  if (f.object) {
    for (const [k, v] of Object.entries(f.object)) if (v !== undefined && e.objectRef?.[k as keyof typeof f.object] !== v) return false;
  }
  if (f.excludeDryRun && isDryRun(e)) return false;
  return true;
}

export const isDryRun = (e: AuditEvent) => /[?&]dryRun=All(&|$)/.test(e.requestURI);

/**
 * The requests logged since `mark` (one event each: the ResponseComplete or Panic stage) that pass
 * the filter, in log order per cluster. Waits for the logs to catch up first.
 */
export async function auditEvents(mark: AuditMark, filter: AuditFilter = {}): Promise<AuditEvent[]> {
  const { id } = await fence(mark.clusters);
  const events: AuditEvent[] = [];
  for (const c of mark.clusters) {
    const start = mark.positions[c];
    if (!start) continue;
    const text = Buffer.concat(segmentsSince(c, start).map((s) => s.buf)).toString('utf8');
    // Only up to the closing fence's line, so that later requests never count.
    const at = text.indexOf(`hcpAuditSentinel=${id}`);
    const cut = at < 0 ? text.lastIndexOf('\n') + 1 : text.indexOf('\n', at) + 1;
    for (const line of text.slice(0, cut).split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as AuditEvent;
      if (e.stage === 'ResponseStarted') continue;
      e.cluster = c;
      if (matches(e, filter)) events.push(e);
    }
  }
  return events;
}

/** Mutating requests since the mark that pass the filter (by default: any from our binary). */
export function mutatingRequests(mark: AuditMark, filter: Omit<AuditFilter, 'verbs'> = {}): Promise<AuditEvent[]> {
  return auditEvents(mark, { ...filter, verbs: MUTATING_VERBS });
}

/**
 * Writes that the server applied (2xx, not dry-run), counted per cluster, verb and object: a count
 * above 1 for a create is a write applied twice. Patches and updates may legitimately repeat
 * (a status refresh); callers decide which keys must be unique.
 */
export function appliedWrites(events: AuditEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (!MUTATING_VERBS.includes(e.verb as (typeof MUTATING_VERBS)[number]) || isDryRun(e)) continue;
    const code = e.responseStatus?.code ?? 0;
    if (code < 200 || code >= 300) continue;
    const o = e.objectRef ?? {};
    const key = `${e.cluster} ${e.verb} ${o.resource ?? '?'}${o.subresource ? `/${o.subresource}` : ''} ${o.namespace ? `${o.namespace}/` : ''}${o.name ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** One line per event, for assertion messages. */
export const describeEvents = (events: AuditEvent[]) =>
  events.map((e) => `${e.cluster} ${e.verb} ${e.requestURI} -> ${e.responseStatus?.code ?? '?'} (${e.userAgent ?? 'no user agent'})`).join('\n');

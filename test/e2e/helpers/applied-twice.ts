// "No write is applied twice" (issue 11, fault injection), judged per request rather than by
// comparing a clean and a faulted run's counts (racy: a controller may scale a writer back up in one
// run and not the other). The audit log is at Metadata level, so it has no bodies; the fault proxy
// gives every request it forwards an Audit-ID (which the API server takes as the event's auditID)
// and keeps its body, so each applied write of the CLI is known by what it asked for.
//
// A write of ours is applied twice when the API server applied (2xx, not dry-run) the same intent
// (verb, object, subresource, and body without the fields a re-read changes) two times in a row on
// that object: no other write to the object came in between that could have made the second one
// needed again (a controller scaling a writer back up, our own resume, a delete before a create).
// Controllers' status writes do not count as "in between" for a spec write, nor the other way round.
// Exec, attach, port-forward and proxy requests are left out: they run a command or open a stream,
// they do not write an object (the retried execs are read-only etcdctl queries).
import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit.ts';

const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
        )
      : v;

/**
 * What a request body asks for, as a hash: key order ignored; for an object (update, create) its
 * status (unless the status subresource is written) and the metadata a read-modify-write carries
 * along (resourceVersion, uid, generation, creationTimestamp, managedFields) left out; for a JSON
 * patch its `test` operations (guards on what was read) left out. So an update re-sent after reading
 * the object again has the same intent as the first one when it sets the same thing.
 */
export function bodyIntent(body: string, subresource?: string): string {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return createHash('sha256').update(body).digest('hex').slice(0, 16);
  }
  if (Array.isArray(v)) v = v.filter((op) => !(op && typeof op === 'object' && (op as { op?: string }).op === 'test'));
  else if (v && typeof v === 'object') {
    const o = { ...(v as Record<string, unknown>) };
    if (subresource !== 'status') delete o.status;
    if (o.metadata && typeof o.metadata === 'object') {
      const m = { ...(o.metadata as Record<string, unknown>) };
      for (const k of ['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink']) delete m[k];
      o.metadata = m;
    }
    v = o;
  }
  return createHash('sha256')
    .update(JSON.stringify(sortKeys(v)))
    .digest('hex')
    .slice(0, 16);
}

const applied = (e: AuditEvent) => {
  const code = e.responseStatus?.code ?? 0;
  return WRITE_VERBS.has(e.verb) && code >= 200 && code < 300 && !/[?&]dryRun=All(&|$)/.test(e.requestURI) && !CONNECT.has(e.objectRef?.subresource ?? '');
};

const objectKey = (e: AuditEvent) => {
  const o = e.objectRef ?? {};
  const channel = o.subresource === 'status' ? 'status' : 'main';
  return `${e.cluster} ${o.apiGroup ?? ''}/${o.resource ?? '?'} ${o.namespace ?? ''}/${o.name ?? ''} ${channel}`;
};

/**
 * The writes of ours (`ours(e)`) that repeat, applied, the write of ours just before them on the same
 * object: one line each, naming the two requests (no bodies: they may hold secrets). `events` are the
 * audit events of every user since a mark, in log order; `bodies` maps an auditID to the body the
 * fault proxy forwarded (a request of ours it did not see has an unknown intent, taken as equal).
 */
export function appliedTwice(events: AuditEvent[], bodies: ReadonlyMap<string, string>, ours: (e: AuditEvent) => boolean): string[] {
  const last = new Map<string, { e: AuditEvent; intent: string } | null>();
  const found: string[] = [];
  for (const e of events) {
    if (!applied(e)) continue;
    const key = objectKey(e);
    if (!ours(e)) {
      last.set(key, null);
      continue;
    }
    const body = bodies.get(e.auditID);
    const sub = e.objectRef?.subresource ?? '';
    const intent = `${e.verb} ${sub} ${body === undefined ? '?' : bodyIntent(body, sub)}`;
    const prev = last.get(key);
    if (prev && prev.intent === intent)
      found.push(
        `${e.verb} ${e.requestURI} applied twice (audit IDs ${prev.e.auditID} at ${prev.e.stageTimestamp} and ${e.auditID} at ${e.stageTimestamp}, same body intent ${intent.split(' ').at(-1)}, no other write in between)`,
      );
    last.set(key, { e, intent });
  }
  return found;
}

/**
 * 100 ways a snapshot can be wrong, each given to `etcd restore` in-process (issue 8 proof): every
 * one is refused with one error line and exit 2 before a single API call, so nothing in the cluster
 * can have been touched. The same command with the intact snapshot gets past the check (control).
 * Fast: the whole corpus runs in about a second; a few single-byte flips also run through the
 * built binary against the sandbox (test/e2e/etcd-cmd-snapshot.test.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Cli } from 'clipanion';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../cli-harness.ts';
import type { HcpContext } from '../../../src/cli/context.ts';
import { EtcdRestoreCommand } from '../../../src/cli/etcd/restore.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import { MANIFEST_KIND, type SnapshotManifest } from '../../../src/etcd/snapshot.ts';

const FILE = 'c1-etcd-0-20261125T160412Z-snapshot.db';
const root = mkdtempSync(join(tmpdir(), 'hcp-corrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A deterministic generator, so that a failure names a case that can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n); // the high bits: an LCG's low bits repeat quickly
  };
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Random pages with bbolt's magic where a meta page has it: enough to stand for a snapshot here. */
function fakeSnapshot(size: number, seed: number): Buffer {
  const r = rng(seed);
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = r(256);
  if (size >= 20) b.writeUInt32LE(0xed0cdaed, 16); // bbolt's magic
  return b;
}
const original = fakeSnapshot(256 * 1024, 7);

function manifestOf(data: Buffer): SnapshotManifest {
  return {
    kind: MANIFEST_KIND,
    version: 1,
    hostedCluster: { namespace: 'clusters', name: 'c1' },
    controlPlaneNamespace: 'clusters-c1',
    member: { pod: 'etcd-0' },
    memberIds: { 'etcd-0': 'a0' },
    snapshot: { file: FILE, size: data.length, sha256: sha(data), revision: 42, etcdutlHash: 1, totalKey: 3 },
    keyspaceHash: { revision: 42, hash: 777 },
    takenAt: '2026-11-25T16:04:12Z',
    online: false,
    encryptionKey: null,
    tool: 'test',
  };
}

interface Case {
  name: string;
  /** The .db bytes (default: the original). */
  data?: Buffer;
  /** The manifest text; null leaves it out (default: the original's). */
  manifest?: string | null;
  /** The .sha256 text; null leaves it out (default: the original's). */
  sha256?: string | null;
  /** The message the refusal must give. */
  expect: RegExp;
}

const MISMATCH = /does not match its manifest/;
const goodManifest = () => manifestOf(original);
const withManifest = (f: (m: SnapshotManifest) => void) => {
  const m = goodManifest();
  f(m);
  return JSON.stringify(m);
};

function corpus(): Case[] {
  const r = rng(2026);
  const cases: Case[] = [];
  // 40 single-byte changes at chosen and random offsets: first, last, header, page boundaries, anywhere.
  const offsets = [0, 1, 16, 17, 4095, 4096, original.length - 1, original.length - 2];
  while (offsets.length < 40) offsets.push(r(original.length));
  for (const at of offsets) {
    const d = Buffer.from(original);
    d[at] ^= 1 + r(255);
    cases.push({ name: `byte ${at} changed`, data: d, expect: MISMATCH });
  }
  // 8 single-bit flips.
  for (let n = 0; n < 8; n++) {
    const d = Buffer.from(original);
    d[r(d.length)] ^= 1 << n;
    cases.push({ name: `bit ${n} flipped`, data: d, expect: MISMATCH });
  }
  // 12 truncations: empty, one byte, a page, half, all but one byte, and at random lengths.
  const cuts = [0, 1, 4096, original.length >> 1, original.length - 1, original.length - 4096];
  while (cuts.length < 12) cuts.push(r(original.length));
  for (const len of cuts) cases.push({ name: `truncated to ${len} bytes`, data: original.subarray(0, len), expect: MISMATCH });
  // 5 with bytes appended (an interrupted second upload, a concatenation).
  for (const extra of [1, 2, 4096, 65536, 100])
    cases.push({ name: `${extra} bytes appended`, data: Buffer.concat([original, fakeSnapshot(extra, extra)]), expect: MISMATCH });
  // 5 with two pages swapped or a page zeroed: same size, same bytes elsewhere.
  for (let n = 0; n < 5; n++) {
    const d = Buffer.from(original);
    const a = r(d.length / 4096) * 4096;
    const b = ((a / 4096 + 1 + r(10)) % (d.length / 4096)) * 4096;
    if (n < 3) {
      const tmp = Buffer.from(d.subarray(a, a + 4096));
      d.copy(d, a, b, b + 4096);
      tmp.copy(d, b);
    } else d.fill(0, a, a + 4096);
    cases.push({ name: n < 3 ? `pages at ${a} and ${b} swapped` : `page at ${a} zeroed`, data: d, expect: MISMATCH });
  }
  // 10 that are not this snapshot at all: S3 XML error pages (what upstream checks for, alone), an
  // HTML proxy page, JSON, zeros, another snapshot of the same size, a gzip of it.
  const xml = (code: string, msg: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${msg}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`;
  for (const [code, msg] of [
    ['AccessDenied', 'Access Denied'],
    ['NoSuchKey', 'The specified key does not exist.'],
    ['SlowDown', 'Please reduce your request rate.'],
    ['ExpiredToken', 'The provided token has expired.'],
    ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'],
  ])
    cases.push({ name: `an S3 ${code} XML error page`, data: Buffer.from(xml(code, msg)), expect: MISMATCH });
  cases.push({ name: 'an HTML proxy error page', data: Buffer.from('<html><body><h1>502 Bad Gateway</h1></body></html>\n'), expect: MISMATCH });
  cases.push({ name: 'a JSON document', data: Buffer.from(JSON.stringify({ kind: 'Status', status: 'Failure' })), expect: MISMATCH });
  cases.push({ name: 'zeros of the right size', data: Buffer.alloc(original.length), expect: MISMATCH });
  cases.push({ name: 'another snapshot of the same size', data: fakeSnapshot(original.length, 8), expect: MISMATCH });
  cases.push({ name: 'the snapshot, gzipped', data: gzipSync(original), expect: MISMATCH });
  // 10 whose manifest lies: another sha256, an off-by-one size, a sha256 that is not one, no manifest,
  // an empty or broken one, another kind, no snapshot section, no size, no cluster.
  const other = sha(Buffer.from('other'));
  cases.push({
    name: 'manifest sha256 of other bytes (and .sha256 agreeing)',
    manifest: withManifest((m) => (m.snapshot.sha256 = other)),
    sha256: `${other}  ${FILE}\n`,
    expect: MISMATCH,
  });
  cases.push({ name: 'manifest size one byte more', manifest: withManifest((m) => (m.snapshot.size += 1)), expect: MISMATCH });
  cases.push({ name: 'manifest size one byte less', manifest: withManifest((m) => (m.snapshot.size -= 1)), expect: MISMATCH });
  cases.push({
    name: 'manifest sha256 upper-case garbage',
    manifest: withManifest((m) => (m.snapshot.sha256 = 'Z'.repeat(64))),
    expect: /is not a kubectl-hcp snapshot manifest/,
  });
  cases.push({ name: 'no manifest', manifest: null, expect: /no manifest .*\.manifest\.json next to the snapshot/ });
  cases.push({ name: 'an empty manifest', manifest: '', expect: /is not valid JSON/ });
  cases.push({ name: 'a cut manifest', manifest: JSON.stringify(goodManifest()).slice(0, 80), expect: /is not valid JSON/ });
  cases.push({
    name: 'a manifest of another kind',
    manifest: withManifest((m) => ((m as { kind: string }).kind = 'velero/backup')),
    expect: /is not a kubectl-hcp snapshot manifest/,
  });
  cases.push({
    name: 'a manifest without its snapshot section',
    manifest: JSON.stringify({ ...goodManifest(), snapshot: undefined }),
    expect: /is not a kubectl-hcp snapshot manifest/,
  });
  cases.push({ name: 'a manifest that is JSON null', manifest: 'null', expect: /is not a kubectl-hcp snapshot manifest/ });
  // 10 whose .sha256 disagrees with the manifest (the data itself intact).
  for (let n = 0; n < 8; n++) {
    const s = sha(original).split('');
    const at = r(64);
    s[at] = s[at] === '0' ? '1' : '0';
    cases.push({ name: `.sha256 differs at hex digit ${at}`, sha256: `${s.join('')}  ${FILE}\n`, expect: /\.sha256 and the manifest disagree/ });
  }
  cases.push({ name: '.sha256 of another file', sha256: `${other}  other.db\n`, expect: /\.sha256 and the manifest disagree/ });
  cases.push({ name: 'an empty .sha256', sha256: '', expect: /\.sha256 and the manifest disagree/ });
  return cases.map((c, n) => ({ ...c, name: `${String(n + 1).padStart(3, '0')} ${c.name}` }));
}

/** Every method call on the client: the refusals must make none. */
function recordingKube(calls: string[]): KubeClient {
  return new Proxy({ server: 'https://fake.example:6443' } as object, {
    get(target, prop) {
      if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
      if (prop === 'then') return undefined;
      return (...args: unknown[]) => {
        calls.push(`${String(prop)} ${args.map((a) => (typeof a === 'object' ? ((a as { plural?: string })?.plural ?? '') : String(a))).join(' ')}`);
        return Promise.reject(new Error(`no cluster in this test (${String(prop)})`));
      };
    },
  }) as KubeClient;
}

class RestoreWithoutCluster extends EtcdRestoreCommand {
  static calls: string[] = [];
  protected override kube() {
    return Promise.resolve(recordingKube(RestoreWithoutCluster.calls));
  }
}

async function restore(dir: string) {
  RestoreWithoutCluster.calls = [];
  const cli = new Cli<HcpContext>({ binaryName: 'kubectl hcp' });
  cli.register(RestoreWithoutCluster);
  const r = await runInProcess(['etcd', 'restore', 'c1', '-n', 'clusters', '--from', join(dir, FILE), '-y'], {
    cli,
    env: { HOME: root, XDG_STATE_HOME: root },
    answers: ['y'],
  });
  return { code: r.code, out: r.stdout, err: r.stderr, calls: RestoreWithoutCluster.calls };
}

function write(c: Case, n: number): string {
  const dir = join(root, String(n));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, FILE), c.data ?? original);
  const manifest = c.manifest === undefined ? JSON.stringify(goodManifest()) : c.manifest;
  if (manifest !== null) writeFileSync(join(dir, `${FILE}.manifest.json`), manifest);
  const line = c.sha256 === undefined ? `${sha(original)}  ${FILE}\n` : c.sha256;
  if (line !== null) writeFileSync(join(dir, `${FILE}.sha256`), line);
  return dir;
}

describe('etcd restore refuses 100 corrupt snapshots before any API call', () => {
  const cases = corpus();
  it('the corpus has 100 distinct cases', () => {
    expect(cases).toHaveLength(100);
    expect(new Set(cases.map((c) => c.name)).size).toBe(100);
  });

  it.each(cases.map((c, n) => [c.name, c, n] as const))('%s', async (_name, c, n) => {
    const r = await restore(write(c, n));
    expect(r.code, r.err).toBe(2);
    const errors = r.err.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(c.expect);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.out).toBe('');
    expect(r.calls).toEqual([]);
  });

  it('control: the intact snapshot passes the check and the command goes on to the cluster', async () => {
    const r = await restore(write({ name: 'intact', expect: /./ }, 1000));
    expect(r.err).toMatch(/^error: no cluster in this test/m);
    expect(r.calls.length).toBeGreaterThan(0);
    expect(r.calls[0]).toMatch(/^get(OrNull)? hostedclusters clusters c1/);
  });
});

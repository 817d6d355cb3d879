import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TLS_PATHS } from '../../../src/etcd/etcdctl.ts';
import { summarizeEtcd } from '../../../src/etcd/health.ts';
import type { EtcdExec } from '../../../src/etcd/observe.ts';
import { fileStore, parseLocation } from '../../../src/etcd/sinks.ts';
import { planEtcdSnapshot, snapshotFileName, streamOut, utcStamp, type SnapshotInputs } from '../../../src/etcd/snapshot.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { observation } from './fixtures.ts';
import { FakeKube } from '../fake-kube.ts';
import { Resources, type ResourceType } from '../../../src/kube/resources.ts';

const hc: HostedCluster = {
  metadata: { name: 'b1', namespace: 'clusters' },
  spec: { secretEncryption: { aescbc: { activeKey: { name: 'b1-etcd-encryption-key' } } } },
};
const at = new Date('2026-11-25T16:04:12.345Z');

function inputs(o: Partial<SnapshotInputs> = {}): SnapshotInputs {
  return {
    hc,
    view: summarizeEtcd(observation()),
    tls: TLS_PATHS,
    pods: ['etcd-0'],
    writers: { 'kube-apiserver': 3, 'openshift-apiserver': 2, 'openshift-oauth-apiserver': null },
    to: { kind: 'file', dir: '/backups' },
    s3: () => Promise.reject(new Error('no S3 in this test')),
    online: false,
    keepPaused: false,
    includeEncryptionKey: false,
    encryptionKeySecret: 'b1-etcd-encryption-key',
    now: at,
    waitMs: 1000,
    ...o,
  };
}

describe('snapshot names and destinations', () => {
  it('names each snapshot <cluster>-<pod>-<UTC timestamp>-snapshot.db', () => {
    expect(utcStamp(at)).toBe('20261125T160412Z');
    expect(snapshotFileName('b1', 'etcd-2', at)).toBe('b1-etcd-2-20261125T160412Z-snapshot.db');
  });
  it.each([
    ['file:///backups/etcd', { kind: 'file', dir: '/backups/etcd' }],
    ['file://./rel', { kind: 'file', dir: './rel' }],
    ['s3://my-bucket', { kind: 's3', bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/etcd/prod/', { kind: 's3', bucket: 'my-bucket', prefix: 'etcd/prod' }],
  ])('parses %s', (v, l) => expect(parseLocation(v, '--to')).toEqual(l));
  it.each(['/backups', 'file://', 's3://Bad_Bucket/x', 'http://x'])('refuses %s (exit 2)', (v) => expect(() => parseLocation(v, '--to')).toThrow(/--to/));
});

const OFFLINE_STEPS = ['pause', 'scale-down-writers', 'save-etcd-0', 'inspect-etcd-0', 'stream-etcd-0', 'cleanup-etcd-0', 'scale-up-writers', 'resume'];

describe('planEtcdSnapshot', () => {
  it('offline: pause, scale writers down (recorded), per member save/inspect/stream/cleanup, scale back, resume', () => {
    const plan = planEtcdSnapshot(inputs());
    expect(plan.blockers).toEqual([]);
    expect(plan.journal).toBe(true);
    expect(plan.steps.map((s) => s.id)).toEqual(OFFLINE_STEPS);
    expect(plan.steps[1].title).toBe('Scale kube-apiserver (3), openshift-apiserver (2) to 0');
    expect(plan.steps[0].undo?.run).toBeDefined();
    expect(plan.steps[1].undo).toBeDefined();
    expect(plan.steps[2].undo).toBeDefined();
    expect(plan.memo).toMatchObject({
      writers: { 'kube-apiserver': 3, 'openshift-apiserver': 2 },
      files: { 'etcd-0': 'b1-etcd-0-20261125T160412Z-snapshot.db' },
      pausedBefore: null,
    });
    expect(plan.warnings.join('\n')).toMatch(/secret clusters\/b1-etcd-encryption-key .* a restore on another cluster needs it/);
    expect(plan.warnings.join('\n')).toMatch(/no deployment openshift-oauth-apiserver/);
  });
  it('--online: no pause, no scaling', () => {
    expect(planEtcdSnapshot(inputs({ online: true })).steps.map((s) => s.id)).toEqual(['save-etcd-0', 'inspect-etcd-0', 'stream-etcd-0', 'cleanup-etcd-0']);
  });
  it('--keep-paused: no scale back, no resume, no undo of either', () => {
    const plan = planEtcdSnapshot(inputs({ keepPaused: true }));
    expect(plan.steps.map((s) => s.id)).not.toContain('resume');
    expect(plan.steps.map((s) => s.id)).not.toContain('scale-up-writers');
    expect(plan.steps[0].undo).toBeUndefined();
  });
  it('--resume: pause, scale and resume are planned even though the first run paused and scaled, and act on the journal memo', async () => {
    // What --resume observes after a kill right after scale-down-writers: paused, writers at 0.
    const plan = planEtcdSnapshot(
      inputs({
        resuming: true,
        hc: { ...hc, spec: { ...hc.spec, pausedUntil: 'true' } },
        writers: { 'kube-apiserver': 0, 'openshift-apiserver': 0, 'openshift-oauth-apiserver': null },
      }),
    );
    expect(plan.steps.map((s) => s.id)).toEqual(OFFLINE_STEPS);
    expect(plan.warnings.join('\n')).not.toMatch(/already paused/);
    // The executor swaps in the first run's memo; the steps read it when they run.
    plan.memo = { ...plan.memo, pausedBefore: null, writers: { 'kube-apiserver': 3, 'openshift-apiserver': 2, 'openshift-oauth-apiserver': null } };
    const kube = new FakeKube()
      .put(Resources.HostedCluster, { metadata: { name: 'b1', namespace: 'clusters' }, spec: { pausedUntil: 'true' } } as never)
      .put(Resources.Deployment, { metadata: { name: 'kube-apiserver', namespace: 'clusters-b1' }, spec: { replicas: 0 } } as never)
      .put(Resources.Deployment, { metadata: { name: 'openshift-apiserver', namespace: 'clusters-b1' }, spec: { replicas: 0 } } as never);
    const ctx = { kube: kube.asClient(), dryRun: 'none' } as never;
    for (const id of ['scale-up-writers', 'resume']) await plan.steps.find((s) => s.id === id)!.run!(ctx);
    const spec = async (r: ResourceType, ns: string, n: string) => ((await kube.get(r, ns, n)) as unknown as { spec: Record<string, unknown> }).spec;
    expect((await spec(Resources.Deployment, 'clusters-b1', 'kube-apiserver')).replicas).toBe(3);
    expect((await spec(Resources.Deployment, 'clusters-b1', 'openshift-apiserver')).replicas).toBe(2);
    expect((await spec(Resources.HostedCluster, 'clusters', 'b1')).pausedUntil).toBeUndefined();
  });
  it('a cluster already paused stays paused', () => {
    const plan = planEtcdSnapshot(inputs({ hc: { ...hc, spec: { ...hc.spec, pausedUntil: 'true' } } }));
    expect(plan.steps.map((s) => s.id)).not.toContain('pause');
    expect(plan.steps.map((s) => s.id)).not.toContain('resume');
  });
  it('--all-members and --include-encryption-key', () => {
    const plan = planEtcdSnapshot(inputs({ pods: ['etcd-0', 'etcd-1', 'etcd-2'], includeEncryptionKey: true }));
    expect(plan.steps.filter((s) => s.id.startsWith('stream-')).map((s) => s.id)).toEqual(['stream-etcd-0', 'stream-etcd-1', 'stream-etcd-2']);
    expect(plan.steps.find((s) => s.id === 'encryption-key')?.title).toMatch(/mode 0600/);
  });
  it('refuses an unhealthy member', () => {
    const plan = planEtcdSnapshot(inputs({ view: summarizeEtcd(observation({ crash: [2], unhealthy: [2] })), pods: ['etcd-2'] }));
    expect(plan.blockers.map((b) => b.message)).toEqual([expect.stringMatching(/^etcd-2 is not healthy .* snapshot a healthy member \(--member\)$/)]);
  });
});

/** An exec whose `cat` streams `data` in chunks (optionally cut short) with backpressure. */
function fakeExec(data: Buffer, o: { cutAt?: number } = {}): EtcdExec {
  return async (_pod, command, io = {}) => {
    if (command[0] !== 'cat') throw new Error(`unexpected ${command.join(' ')}`);
    const end = o.cutAt ?? data.length;
    for (let off = 0; off < end; off += 65536) {
      const chunk = data.subarray(off, Math.min(end, off + 65536));
      if (!io.stdout!.write(chunk)) await new Promise((r) => io.stdout!.once('drain', r));
    }
    return { stdout: '', stderr: '', exitCode: 0 };
  };
}

describe('streamOut to a directory', () => {
  const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  const sha = createHash('sha256').update(data).digest('hex');
  const ctx = { progress: () => undefined, now: () => new Date() };

  it('writes a 0600 file in a 0700 directory with the verified sha256', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hcp-snap-')), 'out');
    const r = await streamOut(fakeExec(data), 'etcd-0', '/var/lib/x.db', fileStore({ kind: 'file', dir }), 'x.db', ctx, sha);
    expect(r).toEqual({ sha256: sha, bytes: data.length });
    expect(readdirSync(dir)).toEqual(['x.db']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'x.db')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'x.db')).equals(data)).toBe(true);
  });
  it('reports bytes, total and rate to the progress sink as it goes (the TTY bar and -o json read them)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-snap-'));
    const seen: { message: string; transfer?: { bytes: number; total?: number; bytesPerSecond: number } }[] = [];
    let t = 0;
    // Each read of the clock is 300 ms later, so the 500 ms throttle lets some reports through.
    const clock = {
      progress: (message: string, transfer?: { bytes: number; total?: number; bytesPerSecond: number }) => seen.push({ message, transfer }),
      now: () => {
        t += 300;
        return new Date(t);
      },
    };
    await streamOut(fakeExec(data), 'etcd-0', '/var/lib/x.db', fileStore({ kind: 'file', dir }), 'x.db', clock, sha, data.length);
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect(s.transfer!.total).toBe(data.length);
      expect(s.transfer!.bytes).toBeGreaterThan(0);
      expect(s.transfer!.bytesPerSecond).toBeGreaterThan(0);
      expect(s.message).toMatch(/ of 3\.0 MiB at /);
    }
    const counts = seen.map((s) => s.transfer!.bytes);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });
  it('a truncated stream fails and leaves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-snap-'));
    await expect(streamOut(fakeExec(data, { cutAt: 100_000 }), 'etcd-0', '/p', fileStore({ kind: 'file', dir }), 'x.db', ctx, sha)).rejects.toThrow(
      /sha256 mismatch for x\.db: received [0-9a-f]{64} \(100000 bytes\)/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

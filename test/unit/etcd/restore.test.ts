import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { TLS_PATHS } from '../../../src/etcd/etcdctl.ts';
import { initialCluster, parseSource, planEtcdRestore, restoreArgs, streamIn, verifySnapshot, type RestoreInputs } from '../../../src/etcd/restore.ts';
import { presignSeconds, renderWithRestoreUrl, restoreFragment } from '../../../src/etcd/restore-url.ts';
import { fileStore } from '../../../src/etcd/sinks.ts';
import { MANIFEST_KIND, type SnapshotManifest } from '../../../src/etcd/snapshot.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { Resources, type ResourceType } from '../../../src/kube/resources.ts';
import { FakeKube } from '../fake-kube.ts';

const NS = 'clusters-my-cluster';

describe('docs 8.3 restore command line', () => {
  it('builds --initial-cluster and peer URLs for the namespace and member count', () => {
    expect(initialCluster(NS, 3)).toBe(
      'etcd-0=https://etcd-0.etcd-discovery.clusters-my-cluster.svc:2380,etcd-1=https://etcd-1.etcd-discovery.clusters-my-cluster.svc:2380,etcd-2=https://etcd-2.etcd-discovery.clusters-my-cluster.svc:2380',
    );
    expect(initialCluster(NS, 1)).toBe('etcd-0=https://etcd-0.etcd-discovery.clusters-my-cluster.svc:2380');
    expect(restoreArgs(NS, 3, '/var/lib/restored.snap.db', '/var/lib/restore', 2).slice(5, 7)).toEqual(['--name', 'etcd-2']);
    expect(restoreArgs(NS, 3, '/var/lib/restored.snap.db', '/var/lib/restore', 2).at(-1)).toBe('https://etcd-2.etcd-discovery.clusters-my-cluster.svc:2380');
    expect(restoreArgs(NS, 3, '/var/lib/restored.snap.db', '/var/lib/restore')).toEqual([
      'etcdutl',
      'snapshot',
      'restore',
      '/var/lib/restored.snap.db',
      '--data-dir=/var/lib/restore',
      '--name',
      'etcd-0',
      '--initial-cluster-token=etcd-cluster',
      '--initial-cluster',
      initialCluster(NS, 3),
      '--initial-advertise-peer-urls',
      'https://etcd-0.etcd-discovery.clusters-my-cluster.svc:2380',
    ]);
  });
  it.each([
    ['/backups/x-snapshot.db', { location: { kind: 'file', dir: '/backups' }, name: 'x-snapshot.db' }],
    ['file:///b/x.db', { location: { kind: 'file', dir: '/b' }, name: 'x.db' }],
    ['x.db', { location: { kind: 'file', dir: '.' }, name: 'x.db' }],
    ['s3://bkt/a/b/x.db', { location: { kind: 's3', bucket: 'bkt', prefix: 'a/b' }, name: 'x.db' }],
    ['s3://bkt/x.db', { location: { kind: 's3', bucket: 'bkt', prefix: '' }, name: 'x.db' }],
  ])('--from %s', (from, source) => expect(parseSource(from)).toEqual(source));
});

function snapshotDir(data: Buffer, o: { hash?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-rst-'));
  const sha = createHash('sha256').update(data).digest('hex');
  const manifest: SnapshotManifest = {
    kind: MANIFEST_KIND,
    version: 1,
    hostedCluster: { namespace: 'clusters', name: 'my-cluster' },
    controlPlaneNamespace: NS,
    member: { pod: 'etcd-0' },
    memberIds: {},
    snapshot: { file: 'x.db', size: data.length, sha256: sha, revision: 42, etcdutlHash: 1, totalKey: 3 },
    keyspaceHash: o.hash === false ? null : { revision: 42, hash: 777 },
    takenAt: 't',
    online: false,
    encryptionKey: null,
    tool: 'test',
  };
  writeFileSync(join(dir, 'x.db'), data);
  writeFileSync(join(dir, 'x.db.manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'x.db.sha256'), `${sha}  x.db\n`);
  return { dir, manifest, sha };
}

describe('verifySnapshot', () => {
  const data = Buffer.alloc(200_000, 3);
  it('accepts the snapshot its manifest describes', async () => {
    const { dir, sha } = snapshotDir(data);
    expect((await verifySnapshot(fileStore({ kind: 'file', dir }), 'x.db')).sha256).toBe(sha);
  });
  it('refuses every single-byte corruption (20 random offsets here; 100 in e2e)', async () => {
    const { dir } = snapshotDir(data);
    for (let n = 0; n < 20; n++) {
      const copy = Buffer.from(data);
      copy[Math.floor(Math.random() * copy.length)] ^= 0x5a;
      writeFileSync(join(dir, 'x.db'), copy);
      await expect(verifySnapshot(fileStore({ kind: 'file', dir }), 'x.db')).rejects.toThrow(/does not match its manifest/);
    }
  });
  it('refuses a truncated file and a missing manifest', async () => {
    const { dir } = snapshotDir(data);
    writeFileSync(join(dir, 'x.db'), data.subarray(0, 1000));
    await expect(verifySnapshot(fileStore({ kind: 'file', dir }), 'x.db')).rejects.toThrow(/does not match its manifest/);
    await expect(verifySnapshot(fileStore({ kind: 'file', dir }), 'y.db')).rejects.toThrow(/no manifest y\.db\.manifest\.json/);
  });
});

describe('planEtcdRestore', () => {
  const hc: HostedCluster = { metadata: { name: 'my-cluster', namespace: 'clusters' }, spec: {} };
  const inputs = (o: Partial<RestoreInputs> = {}): RestoreInputs => {
    const { manifest, sha } = snapshotDir(Buffer.from('x'));
    return {
      hc,
      source: { location: { kind: 'file', dir: '/b' }, name: 'x.db' },
      s3: () => Promise.reject(new Error('no')),
      verified: { manifest, sha256: sha, size: 1 },
      preflightStatus: { revision: 42, totalKey: 3 },
      fromOtherCluster: false,
      members: 3,
      image: 'etcd:3.6',
      tls: TLS_PATHS,
      writers: { 'kube-apiserver': 3, 'openshift-apiserver': 3, 'openshift-oauth-apiserver': 2 },
      waitMs: 1000,
      ...o,
    };
  };
  it('the docs steps in order, journaled, destructive steps flagged', () => {
    const plan = planEtcdRestore(inputs());
    expect(plan.blockers).toEqual([]);
    expect(plan.journal).toBe(true);
    const member = (m: string) => [`create-data-pod-${m}`, `copy-in-${m}`, `restore-${m}`, `cleanup-data-pod-${m}`];
    expect(plan.steps.map((s) => s.id)).toEqual([
      'pause',
      'scale-down-writers',
      'scale-down-etcd',
      ...member('etcd-0'),
      ...member('etcd-1'),
      ...member('etcd-2'),
      'scale-up-etcd',
      'scale-up-writers',
      'resume',
      'verify',
    ]);
    expect(plan.steps.filter((s) => s.destructive).map((s) => s.id)).toEqual(['scale-down-etcd', 'restore-etcd-0', 'restore-etcd-1', 'restore-etcd-2']);
    expect(plan.steps.find((s) => s.id === 'create-data-pod-etcd-2')!.changes![0]).toMatchObject({ op: 'create', ref: { name: 'etcd-data-2' } });
    expect(plan.steps.find((s) => s.id === 'restore-etcd-2')!.details![0]).toContain('--name etcd-2 ');
    expect(plan.steps.at(-1)!.title).toBe("Verify: every member's keyspace hash at revision 42 is 777 (the manifest's)");
  });
  it('--resume after a kill: pause, writers and resume are planned from the journal memo, not from what the killed run left', async () => {
    const paused = { ...hc, spec: { pausedUntil: 'true' } } as HostedCluster;
    const plan = planEtcdRestore(
      inputs({ hc: paused, resuming: true, writers: { 'kube-apiserver': 0, 'openshift-apiserver': 0, 'openshift-oauth-apiserver': 0 } }),
    );
    const ids = plan.steps.map((s) => s.id);
    expect(ids.slice(0, 3)).toEqual(['pause', 'scale-down-writers', 'scale-down-etcd']);
    expect(ids.slice(-4)).toEqual(['scale-up-etcd', 'scale-up-writers', 'resume', 'verify']);
    plan.memo = { ...plan.memo, pausedBefore: null, writers: { 'kube-apiserver': 3, 'openshift-apiserver': 3, 'openshift-oauth-apiserver': 2 } };
    const kube = new FakeKube().put(Resources.HostedCluster, {
      metadata: { name: 'my-cluster', namespace: 'clusters' },
      spec: { pausedUntil: 'true' },
    } as never);
    for (const w of ['kube-apiserver', 'openshift-apiserver', 'openshift-oauth-apiserver'])
      kube.put(Resources.Deployment, { metadata: { name: w, namespace: NS }, spec: { replicas: 0 } } as never);
    const ctx = { kube: kube.asClient(), dryRun: 'none' } as never;
    for (const id of ['scale-up-writers', 'resume']) await plan.steps.find((s) => s.id === id)!.run!(ctx);
    const spec = async (r: ResourceType, ns: string, n: string) => ((await kube.get(r, ns, n)) as unknown as { spec: Record<string, unknown> }).spec;
    expect((await spec(Resources.Deployment, NS, 'openshift-oauth-apiserver')).replicas).toBe(2);
    expect((await spec(Resources.HostedCluster, 'clusters', 'my-cluster')).pausedUntil).toBeUndefined();
  });
  it('refuses a snapshot of another cluster unless --from-other-cluster', () => {
    const other = { metadata: { name: 'other', namespace: 'clusters' }, spec: {} } as HostedCluster;
    expect(planEtcdRestore(inputs({ hc: other })).blockers).toEqual([
      { message: 'the snapshot is of HostedCluster clusters/my-cluster, not of this one', override: '--from-other-cluster' },
    ]);
    expect(planEtcdRestore(inputs({ hc: other, fromOtherCluster: true })).blockers).toEqual([]);
  });
  it('refuses when a member has no volume', () => {
    expect(planEtcdRestore(inputs({ missingVolumes: ['data-etcd-2'] })).blockers[0].message).toMatch(/^PVC data-etcd-2 missing in clusters-my-cluster/);
  });
  it('refuses when etcdutl disagrees with the manifest on the revision', () => {
    expect(planEtcdRestore(inputs({ preflightStatus: { revision: 41, totalKey: 3 } })).blockers[0].message).toBe(
      'etcdutl reports revision 41, the manifest 42',
    );
  });
});

describe('restore-url', () => {
  it('the fragment has exactly one URL', () => {
    expect(yaml.load(restoreFragment('https://b.s3/x?X-Amz-Signature=1'))).toEqual({
      spec: { etcd: { managed: { storage: { restoreSnapshotURL: ['https://b.s3/x?X-Amz-Signature=1'] } } } },
    });
  });
  it('renders one URL, Managed etcd, no pausedUntil, and finds the key secret', () => {
    const render = [
      'apiVersion: v1\nkind: Secret\nmetadata: {name: new-etcd-encryption-key, namespace: clusters}\n',
      'apiVersion: hypershift.openshift.io/v1beta1\nkind: HostedCluster\nmetadata: {name: new, namespace: clusters}\nspec:\n  pausedUntil: "true"\n  secretEncryption: {aescbc: {activeKey: {name: new-etcd-encryption-key}}}\n  etcd:\n    managementType: Managed\n    managed: {storage: {type: PersistentVolume, restoreSnapshotURL: [a, b, c]}}\n',
    ].join('---\n');
    const r = renderWithRestoreUrl(render, 'https://u', 'new');
    const docs = yaml.loadAll(r.output) as {
      kind: string;
      spec?: { pausedUntil?: string; etcd: { managed: { storage: { restoreSnapshotURL: string[] } } } };
    }[];
    const hc = docs.find((d) => d.kind === 'HostedCluster')!;
    expect(hc.spec!.etcd.managed.storage.restoreSnapshotURL).toEqual(['https://u']);
    expect(hc.spec!.pausedUntil).toBeUndefined();
    expect(r).toMatchObject({ keySecret: 'new-etcd-encryption-key', keyInRender: true, hcNamespace: 'clusters' });
    expect(() => renderWithRestoreUrl(render, 'https://u', 'other')).toThrow(/named "new", not "other"/);
  });
  it('warns that a HighlyAvailable render restores each member as a cluster of its own, and how to mend it', () => {
    const hc = (policy: string) =>
      `apiVersion: hypershift.openshift.io/v1beta1\nkind: HostedCluster\nmetadata: {name: new, namespace: clusters}\nspec: {controllerAvailabilityPolicy: ${policy}}\n`;
    expect(renderWithRestoreUrl(hc('HighlyAvailable'), 'https://u', 'new').haWarning).toMatch(
      /^new is HighlyAvailable: .* each comes up as a cluster of its own; once it is up, run 'kubectl hcp etcd restore new --from <this snapshot>'/,
    );
    expect(renderWithRestoreUrl(hc('SingleReplica'), 'https://u', 'new').haWarning).toBeUndefined();
  });
  it.each([
    ['30s', /at least 1m/],
    ['169h', /at most 168h/],
  ])('--expires %s is refused', (d, re) => {
    const ms = d.endsWith('h') ? Number(d.slice(0, -1)) * 3600_000 : Number(d.slice(0, -1)) * 1000;
    expect(() => presignSeconds(ms)).toThrow(re);
  });
  it('7 days is the limit', () => expect(presignSeconds(7 * 24 * 3600_000)).toBe(604800));
});

describe('streamIn', () => {
  it('feeds the pod the stored bytes and reports bytes, total and rate', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 9);
    const dir = mkdtempSync(join(tmpdir(), 'hcp-in-'));
    writeFileSync(join(dir, 'x.db'), data);
    const got: Buffer[] = [];
    const exec = async (_pod: string, _cmd: string[], io: { stdin?: unknown } = {}) => {
      for await (const c of io.stdin as AsyncIterable<Buffer>) got.push(c);
      return { stdout: '', stderr: '', exitCode: 0 };
    };
    const seen: { bytes: number; total?: number }[] = [];
    let t = 0;
    const ctx = {
      progress: (_m: string, tr?: { bytes: number; total?: number }) => seen.push(tr!),
      now: () => {
        t += 200;
        return new Date(t);
      },
    };
    await streamIn(exec as never, 'etcd-data', fileStore({ kind: 'file', dir }), 'x.db', '/var/lib/x', { ctx, total: data.length });
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ bytes: data.length, total: data.length });
  });
});

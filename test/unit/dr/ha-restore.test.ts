// An HA cluster's etcd volumes are restored by dr restore/migrate before the HostedCluster exists
// (src/dr/restore.ts seedEtcdVolumeSteps): upstream's etcd-init restores restoreSnapshotURL without
// --initial-cluster, which would make each member a one-member cluster of its own.
import { describe, expect, it } from 'vitest';
import { etcdMemberClaim, restoreBlockers, restoreSteps, storageClassProblem, type RestoreInputs } from '../../../src/dr/restore.ts';
import { dataDeployment, etcdZoneSpread, restoreArgs, SEED_LABEL } from '../../../src/etcd/restore.ts';
import { etcdMemberCount, type HostedCluster } from '../../../src/hostedcluster/types.ts';

const inputs = (over: Partial<RestoreInputs>): RestoreInputs =>
  ({
    name: 'sample',
    hcNamespace: 'clusters',
    targetName: 'mgmt-2',
    namespacesLeft: [],
    backupProblems: [],
    resume: false,
    reuseNodes: true,
    presignSeconds: 6 * 3600,
    waitMs: 60_000,
    backupDir: () => '/nonexistent',
    ...over,
  }) as RestoreInputs;

const hc = (storage?: Record<string, unknown>) =>
  ({ metadata: { name: 'sample', namespace: 'clusters' }, spec: { etcd: { managementType: 'Managed', managed: { storage } } } }) as unknown as HostedCluster;

describe('dr restore of an HA cluster', () => {
  it('is not refused any more', () => {
    expect(restoreBlockers(inputs({ etcdMembers: 3 }))).toEqual([]);
  });

  it("restores every member's volume, under its own name, after the namespaces and before anything the operator acts on", () => {
    const ids = restoreSteps(inputs({ etcdMembers: 3 })).map((s) => s.id);
    const seeds = ids.filter((id) => id.startsWith('seed-'));
    expect(seeds).toEqual([
      'seed-etcd-claims',
      // Every data pod at once (they spread over zones, and so do the new volumes), then each restore.
      ...['create-data-pod', 'copy-in', 'restore', 'cleanup-data-pod'].flatMap((k) => [0, 1, 2].map((n) => `seed-${k}-etcd-${n}`)),
    ]);
    expect(ids.indexOf('seed-etcd-claims')).toBe(ids.indexOf('restore-namespaces') + 1);
    expect(ids.indexOf('seed-cleanup-data-pod-etcd-2')).toBeLessThan(ids.indexOf('restore-hostedcontrolplane'));
    expect(ids.indexOf('seed-cleanup-data-pod-etcd-2')).toBeLessThan(ids.indexOf('restore-hostedcluster'));
    const restore1 = restoreSteps(inputs({ etcdMembers: 3 })).find((s) => s.id === 'seed-restore-etcd-1')!;
    expect(restore1.details?.[0]).toBe(restoreArgs('clusters-sample', 3, '/var/lib/restored.snap.db', '/var/lib/restore', 1).join(' '));
    expect(restore1.details?.[0]).toContain(
      '--initial-cluster etcd-0=https://etcd-0.etcd-discovery.clusters-sample.svc:2380,etcd-1=https://etcd-1.etcd-discovery.clusters-sample.svc:2380,etcd-2=https://etcd-2.etcd-discovery.clusters-sample.svc:2380',
    );
  });

  it("spreads the seeds' data pods over zones as upstream spreads HA etcd pods; etcd restore's (existing claims) do not", () => {
    const spec = (d: Record<string, unknown>) =>
      (d as { spec: { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } } }).spec.template;
    const seeded = spec(dataDeployment('ns', 'img', 1, { spread: 'required' }));
    expect(seeded.metadata.labels).toEqual({ app: 'etcd-data-1', [SEED_LABEL]: 'true' });
    expect(seeded.spec.affinity).toEqual({
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { [SEED_LABEL]: 'true' } } },
        ],
      },
    });
    // Only preferred where upstream relaxes it.
    expect([etcdZoneSpread('AWS'), etcdZoneSpread(undefined), etcdZoneSpread('OpenStack'), etcdZoneSpread('KubeVirt')]).toEqual([
      'required',
      'required',
      'preferred',
      'preferred',
    ]);
    expect(spec(dataDeployment('ns', 'img', 1, { spread: 'preferred' })).spec.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { [SEED_LABEL]: 'true' } } } },
        ],
      },
    });
    const plain = spec(dataDeployment('ns', 'img', 1));
    expect(plain.metadata.labels).toEqual({ app: 'etcd-data-1' });
    expect(plain.spec.affinity).toBeUndefined();
  });

  it('plans no seed for one member (etcd-init restores it from the URL)', () => {
    expect(restoreSteps(inputs({ etcdMembers: 1 })).filter((s) => s.id.startsWith('seed-'))).toEqual([]);
    expect(restoreSteps(inputs({})).filter((s) => s.id.startsWith('seed-'))).toEqual([]);
  });

  it("makes each claim as the StatefulSet's volumeClaimTemplate would", () => {
    expect(etcdMemberClaim(hc({ type: 'PersistentVolume' }), 'clusters-sample', 1)).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-etcd-1', namespace: 'clusters-sample', labels: { app: 'etcd' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } }, volumeMode: 'Filesystem' },
    });
    expect(etcdMemberClaim(hc({ persistentVolume: { size: '16Gi', storageClassName: 'gp3-csi' } }), 'ns', 0).spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '16Gi' } },
      volumeMode: 'Filesystem',
      storageClassName: 'gp3-csi',
    });
  });

  it('dr migrate counts the members from the availability policy, which a fence (etcd at 0) does not change, so a resumed run plans the volumes too', () => {
    const policy = (p?: string) => ({ metadata: { name: 'x' }, spec: { controllerAvailabilityPolicy: p } }) as HostedCluster;
    expect(etcdMemberCount(policy('HighlyAvailable'))).toBe(3);
    expect(etcdMemberCount(policy('SingleReplica'))).toBe(1);
    expect(etcdMemberCount(policy())).toBe(1);
  });
});

describe('the destination can make the etcd volumes (dr restore/migrate preflight)', () => {
  const named = (storageClassName?: string) => hc({ type: 'PersistentVolume', persistentVolume: storageClassName ? { storageClassName } : {} });
  const gp3 = { name: 'gp3-csi', isDefault: true };
  const io2 = { name: 'io2', isDefault: false };
  it('refuses a class the HostedCluster names that the destination lacks, naming what it has', () => {
    expect(storageClassProblem(named('fast'), [gp3, io2], 'mgmt-2')).toBe(
      "StorageClass fast, which sample's etcd volumes use (spec.etcd.managed.storage.persistentVolume.storageClassName), does not exist on mgmt-2 (it has gp3-csi, io2): its etcd volumes would stay Pending",
    );
    expect(restoreBlockers(inputs({ storageProblem: 'x' })).map((b) => b.message)).toEqual(['x']);
    expect(restoreBlockers(inputs({ storageProblem: 'x', resume: true }))).toEqual([]);
  });
  it('refuses no class named and no default class', () => {
    expect(storageClassProblem(named(), [io2], 'mgmt-2')).toMatch(/^mgmt-2 has no default StorageClass \(io2\) and sample's etcd volumes name none/);
  });
  it('lets through a class that exists, a default, and what it cannot judge (no classes, not readable, no HostedCluster)', () => {
    expect(storageClassProblem(named('io2'), [gp3, io2], 'mgmt-2')).toBeUndefined();
    expect(storageClassProblem(named(), [gp3], 'mgmt-2')).toBeUndefined();
    expect(storageClassProblem(named('fast'), [], 'mgmt-2')).toBeUndefined();
    expect(storageClassProblem(named('fast'), undefined, 'mgmt-2')).toBeUndefined();
    expect(storageClassProblem(undefined, [io2], 'mgmt-2')).toBeUndefined();
  });
});

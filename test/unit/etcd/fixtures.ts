/** Observations of a three-member hosted etcd, healthy or broken in chosen ways. */
import type { EtcdObservation, Pod } from '../../../src/etcd/health.ts';

export const NS = 'clusters-b1';
const url = (n: number) => `https://etcd-${n}.etcd-client.${NS}.svc:2379`;

export function etcdPod(n: number, o: { crash?: boolean; ready?: boolean } = {}): Pod {
  const ready = o.ready ?? !o.crash;
  return {
    metadata: { name: `etcd-${n}`, namespace: NS },
    spec: { nodeName: `node-${n}`, containers: [{ name: 'etcd' }, { name: 'etcd-metrics' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'etcd', ready, restartCount: o.crash ? 4 : 0, state: o.crash ? { waiting: { reason: 'CrashLoopBackOff' } } : { running: {} } },
        { name: 'etcd-metrics', ready: true, restartCount: 0, state: { running: {} } },
      ],
    },
  };
}

export function observation(o: { crash?: number[]; unhealthy?: number[]; hashes?: number[]; missing?: number[] } = {}): EtcdObservation {
  const all = [0, 1, 2];
  const answering = all.filter((n) => !o.unhealthy?.includes(n));
  return {
    controlPlaneNamespace: NS,
    pods: all.map((n) => etcdPod(n, { crash: o.crash?.includes(n) })),
    statefulSet: { metadata: { name: 'etcd' }, spec: { replicas: 3 }, status: { currentRevision: 'r1', updateRevision: 'r1' } },
    recoveryJob: null,
    conditions: [{ type: 'EtcdAvailable', status: 'True', reason: 'QuorumAvailable' }],
    queries: {
      askedPod: 'etcd-0',
      members: all
        .filter((n) => !o.missing?.includes(n))
        .map((n) => ({ id: `a${n}`, name: `etcd-${n}`, peerURLs: [], clientURLs: [url(n)], isLearner: false })),
      statuses: answering.map((n) => ({
        endpoint: url(n),
        memberId: `a${n}`,
        leaderId: 'a0',
        revision: 40 + n,
        raftTerm: 2,
        raftIndex: 100,
        dbSize: 4 << 20,
        dbSizeInUse: n === 1 ? 1 << 20 : 3 << 20,
        isLearner: false,
        errors: [],
      })),
      healths: all.map((n) => ({
        endpoint: url(n),
        health: !o.unhealthy?.includes(n),
        error: o.unhealthy?.includes(n) ? 'context deadline exceeded' : undefined,
      })),
      hashes: answering.map((n) => ({ endpoint: url(n), memberId: `a${n}`, hash: o.hashes?.[n] ?? 777 })),
      hashRevision: 40,
      errors: [],
    },
  };
}

/**
 * The health of a hosted etcd cluster, computed without side effects from what `observe.ts` read:
 * the etcd pods, the statefulset, the HostedCluster's conditions, any `etcd-recovery` Job, and the
 * answers of `etcdctl member list`, `endpoint status|health --cluster` and `endpoint hashkv` at one
 * common revision, asked from one healthy pod.
 *
 * A member is "failing" the way upstream's recovery sees it (hypershift-operator
 * hostedcluster/etcd_recovery.go findFailingEtcdPod and etcd-recovery/etcdrecovery.go
 * checkEtcdStatus): its etcd container is waiting after a restart, it is missing from the member
 * list, or its endpoint is unhealthy. We also count a missing or unready pod.
 */
import type { Condition } from '../hostedcluster/types.ts';
import type { KubeObject } from '../kube/resources.ts';
import { ETCD_CONTAINER, memberNameOfUrl, type EndpointHash, type EndpointHealth, type EndpointStatus, type MemberInfo } from './etcdctl.ts';

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; running?: object; terminated?: { reason?: string; exitCode?: number } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; message?: string } };
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[]; [key: string]: unknown };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    [key: string]: unknown;
  };
}

export interface StatefulSet extends KubeObject {
  spec?: { replicas?: number; template?: { spec?: { containers?: { name: string; image?: string }[] } }; [key: string]: unknown };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; currentRevision?: string; updateRevision?: string; [key: string]: unknown };
}

export interface Job extends KubeObject {
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string }[];
  };
}

export interface PodView {
  name: string;
  ready: string;
  status: string;
  restarts: number;
  node?: string;
  /** The etcd container is waiting after at least one restart: upstream's definition of failing. */
  crashLooping: boolean;
  etcdReady: boolean;
}

/** READY and STATUS as `kubectl get pods` shows them. */
export function podView(pod: Pod): PodView {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  const ready = statuses.filter((c) => c.ready).length;
  const etcd = statuses.find((c) => c.name === ETCD_CONTAINER);
  return {
    name: pod.metadata.name,
    ready: `${ready}/${total}`,
    status: podStatusText(pod),
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    node: pod.spec?.nodeName,
    crashLooping: !!etcd?.state?.waiting && (etcd.restartCount ?? 0) > 0,
    etcdReady: etcd?.ready === true && !pod.metadata.deletionTimestamp,
  };
}

function podStatusText(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  for (const c of pod.status?.initContainerStatuses ?? []) {
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') return `Init:${c.state.waiting.reason}`;
    if (c.state?.terminated && c.state.terminated.exitCode !== 0) return `Init:${c.state.terminated.reason ?? 'Error'}`;
    if (c.state?.running) return 'Init:Running';
  }
  for (const c of pod.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating') return c.state.waiting.reason;
    if (c.state?.terminated?.reason) return c.state.terminated.reason;
  }
  return pod.status?.phase ?? 'Unknown';
}

export interface EtcdQueries {
  /** The pod that answered the etcdctl queries. */
  askedPod?: string;
  members?: MemberInfo[];
  statuses?: EndpointStatus[];
  healths?: EndpointHealth[];
  hashes?: EndpointHash[];
  hashRevision?: number;
  /** What went wrong while asking (no healthy pod, an exec failure, an endpoint that did not answer). */
  errors: string[];
}

export interface EtcdObservation {
  controlPlaneNamespace: string;
  pods: Pod[];
  statefulSet: StatefulSet | null;
  recoveryJob: Job | null;
  conditions: Condition[];
  queries: EtcdQueries;
}

export interface MemberHealth {
  name: string;
  pod: PodView | null;
  id?: string;
  healthy: boolean;
  /** Why the member is not healthy, e.g. "CrashLoopBackOff", "endpoint unhealthy: context deadline exceeded". */
  problems: string[];
  leader: boolean;
  learner: boolean;
  version?: string;
  revision?: number;
  raftTerm?: number;
  raftIndex?: number;
  dbSize?: number;
  dbSizeInUse?: number;
  errors: string[];
  hash?: number;
}

export interface RecoveryJobView {
  name: string;
  state: 'running' | 'succeeded' | 'failed';
  startTime?: string;
  completionTime?: string;
}

export interface EtcdHealthView {
  controlPlaneNamespace: string;
  expectedMembers: number;
  askedPod?: string;
  members: MemberHealth[];
  healthyCount: number;
  leader?: string;
  /** The revision at which every member's keyspace hash was taken. */
  hashRevision?: number;
  /** Members whose keyspace hash differs from the majority's. */
  diverging: string[];
  rollingOut: boolean;
  conditions: { etcdAvailable?: Condition; etcdRecoveryActive?: Condition };
  recoveryJob?: RecoveryJobView;
  warnings: string[];
  errors: string[];
}

function jobView(job: Job): RecoveryJobView {
  const s = job.status ?? {};
  const failedCond = s.conditions?.some((c) => c.type === 'Failed' && c.status === 'True');
  const completeCond = s.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
  const state = failedCond ? 'failed' : completeCond || (s.succeeded ?? 0) > 0 ? 'succeeded' : 'running';
  return { name: job.metadata.name, state, startTime: s.startTime, completionTime: s.completionTime };
}

const MIB = 1024 * 1024;
export const formatBytes = (n: number | undefined): string =>
  n === undefined
    ? ''
    : n >= 1024 * MIB
      ? `${(n / 1024 / MIB).toFixed(1)} GiB`
      : n >= MIB
        ? `${(n / MIB).toFixed(1)} MiB`
        : n >= 1024
          ? `${(n / 1024).toFixed(1)} KiB`
          : `${n} B`;

export function summarizeEtcd(o: EtcdObservation): EtcdHealthView {
  const q = o.queries;
  const expected = o.statefulSet?.spec?.replicas ?? o.pods.length;
  const names = new Set<string>();
  for (let n = 0; n < expected; n++) names.add(`etcd-${n}`);
  for (const p of o.pods) names.add(p.metadata.name);
  for (const m of q.members ?? []) if (m.name) names.add(m.name);

  const memberByUrl = new Map<string, MemberInfo>();
  for (const m of q.members ?? []) for (const u of m.clientURLs) memberByUrl.set(u, m);
  const nameOfEndpoint = (ep: string) => memberByUrl.get(ep)?.name || memberNameOfUrl(ep) || ep;
  const nameOfId = new Map((q.members ?? []).map((m) => [m.id, m.name || memberNameOfUrl(m.peerURLs[0] ?? '') || m.id]));

  const asked = q.members !== undefined;
  const members: MemberHealth[] = [...names].sort(byOrdinal).map((name) => {
    const pod = o.pods.find((p) => p.metadata.name === name);
    const pv = pod ? podView(pod) : null;
    const info = (q.members ?? []).find((m) => (m.name || memberNameOfUrl(m.peerURLs[0] ?? '')) === name);
    const status = (q.statuses ?? []).find((s) => nameOfEndpoint(s.endpoint) === name);
    const health = (q.healths ?? []).find((h) => nameOfEndpoint(h.endpoint) === name);
    const hash = (q.hashes ?? []).find((h) => nameOfEndpoint(h.endpoint) === name);
    const problems: string[] = [];
    if (!pv) problems.push('no pod');
    else if (pv.crashLooping || !pv.etcdReady) problems.push(`pod ${pv.ready} ${pv.status}`);
    if (asked && !info) problems.push('not in the member list');
    if (asked && info && !info.name) problems.push('added but never started');
    if (asked && info && !health) problems.push('endpoint health not reported');
    if (health && !health.health) problems.push(`endpoint unhealthy${health.error ? `: ${health.error}` : ''}`);
    if (status?.errors.length) problems.push(`errors: ${status.errors.join('; ')}`);
    if (info?.isLearner) problems.push('learner');
    return {
      name,
      pod: pv,
      id: info?.id ?? status?.memberId,
      healthy: asked ? problems.length === 0 : !!pv && !pv.crashLooping && pv.etcdReady,
      problems,
      leader: !!status && status.leaderId !== undefined && status.leaderId === status.memberId,
      learner: info?.isLearner ?? false,
      version: status?.version,
      revision: status?.revision,
      raftTerm: status?.raftTerm,
      raftIndex: status?.raftIndex,
      dbSize: status?.dbSize,
      dbSizeInUse: status?.dbSizeInUse,
      errors: status?.errors ?? [],
      hash: hash?.hash,
    };
  });

  const leaderId = (q.statuses ?? []).find((s) => s.leaderId)?.leaderId;
  const warnings: string[] = [];
  for (const m of members) {
    if (m.dbSize && m.dbSizeInUse !== undefined && m.dbSizeInUse < m.dbSize / 2) {
      warnings.push(`${m.name}: ${formatBytes(m.dbSize - m.dbSizeInUse)} of its ${formatBytes(m.dbSize)} database is free space; defragmentation would help`);
    }
  }
  const diverging = divergingMembers(members.filter((m) => m.hash !== undefined).map((m) => ({ name: m.name, hash: m.hash! })));
  const sts = o.statefulSet?.status;
  const rollingOut = !!sts && !!sts.updateRevision && sts.currentRevision !== sts.updateRevision;
  if (rollingOut) warnings.push(`statefulset etcd is rolling out (revision ${sts!.currentRevision} -> ${sts!.updateRevision})`);
  const cond = (t: string) => o.conditions.find((c) => c.type === t);
  return {
    controlPlaneNamespace: o.controlPlaneNamespace,
    expectedMembers: expected,
    askedPod: q.askedPod,
    members,
    healthyCount: members.filter((m) => m.healthy).length,
    leader: leaderId ? (nameOfId.get(leaderId) ?? members.find((m) => m.id === leaderId)?.name ?? leaderId) : undefined,
    hashRevision: q.hashRevision,
    diverging,
    rollingOut,
    conditions: { etcdAvailable: cond('EtcdAvailable'), etcdRecoveryActive: cond('EtcdRecoveryActive') },
    recoveryJob: o.recoveryJob ? jobView(o.recoveryJob) : undefined,
    warnings,
    errors: q.errors,
  };
}

const ordinal = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);
const byOrdinal = (a: string, b: string) => ordinal(a) - ordinal(b) || a.localeCompare(b);

/**
 * The members whose keyspace hash differs from the majority's. Without a majority (two members
 * that disagree, or three different hashes) nobody can tell who is right: all are named.
 */
export function divergingMembers(hashes: { name: string; hash: number }[]): string[] {
  const counts = new Map<number, number>();
  for (const h of hashes) counts.set(h.hash, (counts.get(h.hash) ?? 0) + 1);
  if (counts.size <= 1) return [];
  const [top, topCount] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (topCount * 2 <= hashes.length) return hashes.map((h) => h.name);
  return hashes.filter((h) => h.hash !== top).map((h) => h.name);
}

/** The one etcd line of `kubectl hcp status NAME`: "3/3 members healthy", or who is not. */
export function etcdSummaryLine(v: EtcdHealthView): string {
  const total = v.members.length || v.expectedMembers;
  let line = `${v.healthyCount}/${total} members healthy`;
  const sick = v.members.filter((m) => !m.healthy);
  if (sick.length) line += `: ${sick.map((m) => `${m.name} ${m.problems.join(', ') || 'not healthy'}`).join('; ')}`;
  if (v.diverging.length) line += `; keyspace hash differs on ${v.diverging.join(', ')} at revision ${v.hashRevision}`;
  if (v.recoveryJob?.state === 'running') line += '; etcd-recovery Job running';
  if (!v.askedPod && v.errors.length) line += ` (etcd not asked: ${v.errors[0]})`;
  return line;
}

/** The image of a StatefulSet's etcd container (the first container when none is named etcd). */
export function etcdImageOf(sts: StatefulSet | null | undefined): string | undefined {
  const containers = sts?.spec?.template?.spec?.containers ?? [];
  return (containers.find((c) => c.name === 'etcd') ?? containers[0])?.image;
}

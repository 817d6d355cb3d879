/**
 * Reads a hosted etcd cluster: the pods, statefulset, conditions and recovery Job through the API,
 * and the members' own view through etcdctl run (over exec) in a healthy pod it picks by itself.
 * Never throws for an unhealthy etcd: what could not be asked is recorded in `queries.errors`, so
 * that `etcd status` can show a broken cluster.
 */
import type { Readable, Writable } from 'node:stream';
import type { KubeClient } from '../kube/client.ts';
import { ExecConnectionLost, type ExecResult } from '../kube/exec.ts';
import { Resources } from '../kube/resources.ts';
import { condition, controlPlaneNamespace, type HostedCluster } from '../hostedcluster/types.ts';
import {
  ETCD_CONTAINER,
  ETCD_LABEL,
  ETCD_STATEFULSET,
  TLS_PATHS,
  endpointHealthArgs,
  endpointStatusArgs,
  etcdctl,
  hashKvArgs,
  memberListArgs,
  parseEndpointHealth,
  parseEndpointStatus,
  parseHashKv,
  parseMemberList,
  tlsPathsFor,
  type EtcdTlsPaths,
} from './etcdctl.ts';
import { podView, type EtcdObservation, type EtcdQueries, type Job, type Pod, type StatefulSet } from './health.ts';

export const RECOVERY_JOB = 'etcd-recovery';

export type EtcdExec = (
  pod: string,
  command: string[],
  io?: { stdin?: Readable | Buffer | string; stdout?: Writable; stderr?: Writable; timeoutMs?: number },
) => Promise<ExecResult>;

/** exec into the etcd container of a pod of the control-plane namespace. */
export function etcdExec(kube: KubeClient, cpNamespace: string, container = ETCD_CONTAINER): EtcdExec {
  return (pod, command, io = {}) => kube.exec(cpNamespace, pod, container, command, { timeoutMs: 120_000, ...io });
}

/**
 * For read-only queries (etcdctl endpoint health/status, member list, hashkv, a file test): a stream
 * that ended without an exit status is asked again, twice at most, instead of taking a member that
 * answered for one that did not (issue 11: one dropped exec stream must not read as a dead member).
 */
export function retryLostConnection(exec: EtcdExec, attempts = 3): EtcdExec {
  return async (pod, command, io) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await exec(pod, command, io);
      } catch (e) {
        if (!(e instanceof ExecConnectionLost) || attempt >= attempts || io?.stdin !== undefined || io?.stdout !== undefined) throw e;
      }
    }
  };
}

/** The release a HostedCluster runs, for the TLS CA path (FACTS: moved in 4.12). */
export function releaseOf(hc: HostedCluster): string | undefined {
  return hc.status?.version?.history?.find((h) => h.state === 'Completed')?.version ?? hc.status?.version?.desired?.version;
}

/** The TLS paths for this cluster: by release when known, else by looking in the pod. */
export async function resolveTls(exec: EtcdExec, pod: string, release: string | undefined): Promise<EtcdTlsPaths> {
  if (release) return tlsPathsFor(release);
  const probe = await exec(pod, ['test', '-f', TLS_PATHS.ca]).catch(() => ({ exitCode: 0 }) as ExecResult);
  return tlsPathsFor(undefined, { legacyCa: probe.exitCode !== 0 });
}

export interface ObserveOptions {
  /** Ask etcd itself (exec); false reads only the API objects. */
  query?: boolean;
  /** Also compute the keyspace hash of every member at one common revision. */
  hashes?: boolean;
}

export async function observeEtcd(kube: KubeClient, hc: HostedCluster, opts: ObserveOptions = {}): Promise<EtcdObservation & { tls?: EtcdTlsPaths }> {
  const cpns = controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name);
  const [pods, sts, job] = await Promise.all([
    kube.list<Pod>(Resources.Pod, { namespace: cpns, labelSelector: ETCD_LABEL }),
    kube.getOrNull<StatefulSet>(Resources.StatefulSet, cpns, ETCD_STATEFULSET),
    kube.getOrNull<Job>(Resources.Job, cpns, RECOVERY_JOB),
  ]);
  const conditions = ['EtcdAvailable', 'EtcdRecoveryActive'].map((t) => condition(hc, t)).filter((c) => c !== undefined);
  const base = { controlPlaneNamespace: cpns, pods: pods.items, statefulSet: sts, recoveryJob: job, conditions };
  if (opts.query === false) return { ...base, queries: { errors: [] } };
  const exec = retryLostConnection(etcdExec(kube, cpns));
  const { queries, tls } = await queryEtcd(exec, pods.items, releaseOf(hc), opts.hashes !== false);
  return { ...base, queries, tls };
}

/** The pods worth asking, best first: etcd container ready, then running, by name. */
export function candidatePods(pods: Pod[]): string[] {
  return pods
    .map(podView)
    .filter((p) => p.status !== 'Terminating' && !p.crashLooping)
    .sort((a, b) => Number(b.etcdReady) - Number(a.etcdReady) || a.name.localeCompare(b.name))
    .map((p) => p.name);
}

async function queryEtcd(exec: EtcdExec, pods: Pod[], release: string | undefined, withHashes: boolean): Promise<{ queries: EtcdQueries; tls?: EtcdTlsPaths }> {
  const errors: string[] = [];
  const candidates = candidatePods(pods);
  if (!candidates.length) return { queries: { errors: [pods.length ? 'no etcd pod is running' : 'no etcd pods'] } };
  for (const pod of candidates) {
    try {
      const tls = await resolveTls(exec, pod, release);
      const list = await exec(pod, etcdctl(tls, memberListArgs));
      if (list.exitCode !== 0) {
        errors.push(`${pod}: member list failed: ${firstLine(list.stderr)}`);
        continue;
      }
      const { members } = parseMemberList(list.stdout);
      const [status, health] = await Promise.all([exec(pod, etcdctl(tls, endpointStatusArgs)), exec(pod, etcdctl(tls, endpointHealthArgs))]);
      const statuses = parseEndpointStatus(status.stdout);
      const healths = parseEndpointHealth(health.stdout);
      // Endpoints that did not answer are named on stderr; they also show as unhealthy members.
      if (status.exitCode !== 0) errors.push(...stderrLines(status.stderr));
      const queries: EtcdQueries = { askedPod: pod, members, statuses, healths, errors };
      if (withHashes) Object.assign(queries, await hashesAtCommonRevision(exec, pod, tls, statuses, errors));
      return { queries, tls };
    } catch (err) {
      errors.push(`${pod}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { queries: { errors } };
}

/**
 * `endpoint hashkv --rev=R` at the lowest revision every answering member has reached, so that
 * the hashes compare the same history (a member behind by one write is not "diverging").
 */
export async function hashesAtCommonRevision(
  exec: EtcdExec,
  pod: string,
  tls: EtcdTlsPaths,
  statuses: { revision?: number }[],
  errors: string[],
): Promise<Pick<EtcdQueries, 'hashes' | 'hashRevision'>> {
  const revisions = statuses.map((s) => s.revision).filter((r): r is number => typeof r === 'number' && r > 0);
  if (!revisions.length) return {};
  const hashRevision = Math.min(...revisions);
  const r = await exec(pod, etcdctl(tls, hashKvArgs(hashRevision)));
  if (r.exitCode !== 0) errors.push(...stderrLines(r.stderr));
  return { hashes: parseHashKv(r.stdout), hashRevision };
}

/** etcdctl's first real message: its zap JSON log lines are reduced to their "error" field. */
const firstLine = (s: string) => stderrLines(s)[0] ?? '';
const stderrLines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .map((l) => (/^\{"level"/.test(l) ? jsonLogError(l) : l))
    .filter((l) => l)
    .slice(0, 5);

function jsonLogError(line: string): string {
  try {
    const j = JSON.parse(line) as { msg?: string; error?: string };
    return j.error ? `${j.msg ?? 'error'}: ${j.error}` : '';
  } catch {
    return '';
  }
}

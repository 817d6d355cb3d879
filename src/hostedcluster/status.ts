/**
 * One view of a hosted cluster's health, computed from the HostedCluster and its NodePools only,
 * so that `status --all` needs two list calls whatever the number of clusters.
 */
import { condition, controlPlaneNamespace, type Condition, type HostedCluster, type NodePool } from './types.ts';
import { interpretPausedUntil } from './paused-until.ts';
import { renderTable } from '../output/output.ts';

export interface ConditionView {
  status: string;
  reason?: string;
  message?: string;
}

export interface NodePoolView {
  name: string;
  replicas?: number;
  autoscaling?: { min: number; max: number };
  ready?: number;
  version?: string;
  updating: string[];
  readyCondition?: ConditionView;
  paused: boolean;
}

export interface HostedClusterView {
  namespace: string;
  name: string;
  controlPlaneNamespace: string;
  available: ConditionView;
  progressing: ConditionView;
  degraded: ConditionView;
  etcd: ConditionView;
  /** One line from the members themselves (single-cluster view only), e.g. "3/3 members healthy". */
  etcdMembers?: string;
  version: { desired?: string; current?: string; state?: string };
  paused: { paused: boolean; until?: string; value?: string; invalid?: boolean };
  nodePools: NodePoolView[];
}

const view = (c: Condition | undefined): ConditionView =>
  c ? { status: c.status, reason: c.reason, message: c.message } : { status: 'Unknown', reason: 'NotReported' };

export function summarizeNodePool(np: NodePool, now: Date): NodePoolView {
  const updating = ['UpdatingVersion', 'UpdatingConfig'].filter((t) => condition(np, t)?.status === 'True');
  return {
    name: np.metadata.name,
    replicas: np.spec.autoScaling ? undefined : np.spec.replicas,
    autoscaling: np.spec.autoScaling ?? undefined,
    ready: np.status?.replicas,
    version: np.status?.version,
    updating,
    readyCondition: condition(np, 'Ready') ? view(condition(np, 'Ready')) : undefined,
    paused: interpretPausedUntil(np.spec.pausedUntil, now).paused,
  };
}

export function summarizeHostedCluster(hc: HostedCluster, nodePools: NodePool[], now: Date): HostedClusterView {
  const ns = hc.metadata.namespace ?? '';
  const history = hc.status?.version?.history ?? [];
  const completed = history.find((h) => h.state === 'Completed');
  const pause = interpretPausedUntil(hc.spec.pausedUntil, now);
  return {
    namespace: ns,
    name: hc.metadata.name,
    controlPlaneNamespace: controlPlaneNamespace(ns, hc.metadata.name),
    available: view(condition(hc, 'Available')),
    progressing: view(condition(hc, 'Progressing')),
    degraded: view(condition(hc, 'Degraded')),
    etcd: view(condition(hc, 'EtcdAvailable')),
    version: { desired: hc.status?.version?.desired?.version ?? hc.spec.release?.image, current: completed?.version, state: history[0]?.state },
    paused: {
      paused: pause.paused,
      until: pause.paused ? (pause.until ? pause.until.toISOString() : 'indefinitely') : undefined,
      value: hc.spec.pausedUntil,
      invalid: 'invalid' in pause ? true : undefined,
    },
    nodePools: nodePools
      .filter((np) => np.metadata.namespace === ns && np.spec.clusterName === hc.metadata.name)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((np) => summarizeNodePool(np, now)),
  };
}

const cond = (c: ConditionView) => (c.reason && c.reason !== 'AsExpected' ? `${c.status} (${c.reason})` : c.status);
const pausedText = (p: HostedClusterView['paused']) => (p.paused ? `until ${p.until}` : p.invalid ? `INVALID "${p.value}" (not paused)` : 'no');
const poolReplicas = (np: NodePoolView) => (np.autoscaling ? `auto ${np.autoscaling.min}-${np.autoscaling.max}` : String(np.replicas ?? 0));

/** The --all table: one row per cluster. */
export function renderStatusTable(views: HostedClusterView[]): string {
  return renderTable(
    ['namespace', 'name', 'version', 'available', 'progressing', 'degraded', 'etcd', 'paused', 'nodepools'],
    views.map((v) => {
      const desired = v.nodePools.reduce((n, np) => n + (np.replicas ?? np.autoscaling?.min ?? 0), 0);
      const ready = v.nodePools.reduce((n, np) => n + (np.ready ?? 0), 0);
      return [
        v.namespace,
        v.name,
        v.version.current ?? v.version.desired,
        cond(v.available),
        cond(v.progressing),
        cond(v.degraded),
        cond(v.etcd),
        pausedText(v.paused),
        `${v.nodePools.length} (${ready}/${desired} nodes)`,
      ];
    }),
  );
}

/** The single-cluster view: a block of facts, then its NodePools. */
export function renderStatusDetail(v: HostedClusterView): string {
  // The message is shown only when the condition is away from its healthy value (Available and
  // Etcd not True, Degraded or Progressing not False): that is when it explains something.
  const conditionLine = (label: string, c: ConditionView, healthy: 'True' | 'False') =>
    `${label.padEnd(23)}${cond(c)}${c.message && c.status !== healthy ? `: ${c.message}` : ''}`;
  const lines = [
    `HostedCluster:         ${v.namespace}/${v.name}`,
    `Control plane:         namespace ${v.controlPlaneNamespace}`,
    conditionLine('Available:', v.available, 'True'),
    conditionLine('Progressing:', v.progressing, 'False'),
    conditionLine('Degraded:', v.degraded, 'False'),
    v.etcdMembers ? `${'Etcd:'.padEnd(23)}${v.etcdMembers} (EtcdAvailable ${cond(v.etcd)})` : conditionLine('Etcd:', v.etcd, 'True'),
    `Version:               ${v.version.current ?? '<none>'} (desired ${v.version.desired ?? '<none>'}, ${v.version.state ?? 'no history'})`,
    `Paused:                ${pausedText(v.paused)}`,
    '',
  ];
  const pools = v.nodePools.length
    ? renderTable(
        ['nodepool', 'replicas', 'ready', 'version', 'updating', 'paused'],
        v.nodePools.map((np) => [np.name, poolReplicas(np), np.ready ?? 0, np.version, np.updating.join(',') || 'no', np.paused ? 'yes' : 'no']),
      )
    : 'No NodePools.\n';
  return lines.join('\n') + pools;
}

/** Which HostedClusters a command acts on: one NAME, --all, or a label selector. */
import type { KubeClient } from '../kube/client.ts';
import { Resources } from '../kube/resources.ts';
import { parseLabelSelector } from '../kube/label-selector.ts';
import { UsageError } from '../util/errors.ts';
import { getHostedCluster } from './lookup.ts';
import type { HostedCluster, NodePool } from './types.ts';

export interface TargetSelection {
  name?: string;
  all: boolean;
  selector?: string;
  /** The namespace given with -n, if any; `--all` without -n means every namespace. */
  explicitNamespace?: string;
  defaultNamespace: string;
}

/** Pure check, run before any API call: exactly one way of choosing targets. */
export function validateSelection(sel: TargetSelection): void {
  const ways = [sel.name !== undefined, sel.all, sel.selector !== undefined].filter(Boolean).length;
  if (ways === 0) throw new UsageError('name a HostedCluster, or pass --all or -l SELECTOR');
  if (ways > 1) throw new UsageError('give only one of NAME, --all and -l SELECTOR');
  if (sel.selector !== undefined) {
    try {
      parseLabelSelector(sel.selector);
    } catch (err) {
      throw new UsageError(`-l "${sel.selector}" is not a valid label selector: ${(err as Error).message}`);
    }
  }
}

export async function selectHostedClusters(kube: KubeClient, sel: TargetSelection): Promise<HostedCluster[]> {
  if (sel.name !== undefined) return [await getHostedCluster(kube, sel.defaultNamespace, sel.name, { explicitNamespace: sel.explicitNamespace !== undefined })];
  const namespace = sel.all ? sel.explicitNamespace : (sel.explicitNamespace ?? sel.defaultNamespace);
  const list = await kube.list<HostedCluster>(Resources.HostedCluster, { namespace, labelSelector: sel.selector?.trim() });
  return list.items.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
}

/**
 * The selected clusters and their NodePools. For a list (--all, -l) both lists are sent at once,
 * NodePools from the same namespace (or all): two requests in the time of one, as `kubectl get
 * hostedclusters,nodepools` would take (bench/status-all).
 */
export async function selectWithNodePools(kube: KubeClient, sel: TargetSelection): Promise<{ clusters: HostedCluster[]; nodePools: NodePool[] }> {
  if (sel.name !== undefined) {
    const clusters = await selectHostedClusters(kube, sel);
    return { clusters, nodePools: await nodePoolsOf(kube, clusters) };
  }
  const namespace = sel.all ? sel.explicitNamespace : (sel.explicitNamespace ?? sel.defaultNamespace);
  const [clusters, pools] = await Promise.all([selectHostedClusters(kube, sel), kube.list<NodePool>(Resources.NodePool, { namespace })]);
  return { clusters, nodePools: poolsOf(pools.items, clusters) };
}

/** The NodePools among `pools` that belong to one of `clusters` (same namespace, spec.clusterName). */
function poolsOf(pools: NodePool[], clusters: HostedCluster[]): NodePool[] {
  const keys = new Set(clusters.map((c) => `${c.metadata.namespace}/${c.metadata.name}`));
  return pools.filter((np) => keys.has(`${np.metadata.namespace}/${np.spec.clusterName}`));
}

/** The NodePools of the given clusters (matched by namespace and spec.clusterName), in one call. */
export async function nodePoolsOf(kube: KubeClient, clusters: HostedCluster[]): Promise<NodePool[]> {
  if (!clusters.length) return [];
  const namespaces = new Set(clusters.map((c) => c.metadata.namespace));
  const list = await kube.list<NodePool>(Resources.NodePool, { namespace: namespaces.size === 1 ? [...namespaces][0] : undefined });
  return poolsOf(list.items, clusters);
}

/**
 * The one HostedCluster lookup: NAME in a namespace, and when it is not there, an error that
 * names the namespace and the near names that do exist (a typo, or the cluster in another
 * namespace), as a user would otherwise find out with two more kubectl calls.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, type ObjectRef } from '../kube/resources.ts';
import { RuntimeError } from '../util/errors.ts';
import type { HostedCluster, NodePool } from './types.ts';

/** The one place references to HostedClusters and NodePools are made. */
export const hcRef = (hc: HostedCluster): ObjectRef => ({ resource: Resources.HostedCluster, namespace: hc.metadata.namespace, name: hc.metadata.name });
export const npRef = (np: NodePool): ObjectRef => ({ resource: Resources.NodePool, namespace: np.metadata.namespace, name: np.metadata.name });

export async function getHostedCluster(kube: KubeClient, namespace: string, name: string, opts: { explicitNamespace?: boolean } = {}): Promise<HostedCluster> {
  const hc = await kube.getOrNull<HostedCluster>(Resources.HostedCluster, namespace, name);
  if (hc) return hc;
  const near = await nearHostedClusters(kube, namespace, name);
  const hints = [
    near.length ? `did you mean ${near.join(', ')}?` : '',
    opts.explicitNamespace ? '' : `HostedClusters are looked up in namespace "${namespace}" unless -n says otherwise`,
  ].filter(Boolean);
  throw new RuntimeError(`HostedCluster ${namespace}/${name} not found`, { hint: hints.join('; ') || undefined });
}

/**
 * Names close to `name`: in the same namespace by spelling, in any namespace by exact name (the
 * cluster-wide list is skipped when RBAC forbids it). At most five, `namespace/name` form.
 */
export async function nearHostedClusters(kube: KubeClient, namespace: string, name: string): Promise<string[]> {
  const list = async (ns?: string) => {
    try {
      return (await kube.list<HostedCluster>(Resources.HostedCluster, { namespace: ns })).items;
    } catch {
      return [];
    }
  };
  const [here, everywhere] = await Promise.all([list(namespace), list(undefined)]);
  const similar = here
    .map((hc) => hc.metadata.name)
    .filter((n) => isNear(n, name))
    .map((n) => `${namespace}/${n}`);
  const elsewhere = everywhere
    .filter((hc) => hc.metadata.name === name && hc.metadata.namespace !== namespace)
    .map((hc) => `${hc.metadata.namespace}/${hc.metadata.name} (-n ${hc.metadata.namespace})`);
  return [...elsewhere, ...similar].slice(0, 5);
}

/** A typo or a partial name: within a third of the length in edits, or one contains the other. */
export function isNear(candidate: string, wanted: string): boolean {
  if (candidate === wanted) return false;
  if (candidate.includes(wanted) || wanted.includes(candidate)) return true;
  return editDistance(candidate, wanted) <= Math.max(1, Math.floor(wanted.length / 3));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

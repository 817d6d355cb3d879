/**
 * What a hosted cluster leaves on a management cluster, read with one list call per type: the
 * inventory `kubectl hcp delete` and `dr teardown` plan from, and that --dry-run=client lists.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject, type ResourceType } from '../kube/resources.ts';
import { controlPlaneNamespace, type HostedCluster, type NodePool } from '../hostedcluster/types.ts';

/**
 * The kinds removed by the forced deletion, in the docs' order (8.4.5 steps 2–7). MachineDeployments
 * and AWSClusters are not in the docs' script, but they carry finalizers whose controllers have
 * been scaled down, so the control-plane namespace would never finish deleting with them.
 */
export const CONTROL_PLANE_KINDS = [
  { key: 'machines', resource: Resources.Machine },
  { key: 'machineSets', resource: Resources.MachineSet },
  { key: 'machineDeployments', resource: Resources.MachineDeployment },
  { key: 'capiClusters', resource: Resources.CapiCluster },
  { key: 'awsMachines', resource: Resources.AWSMachine },
  { key: 'awsClusters', resource: Resources.AWSCluster },
  { key: 'hostedControlPlanes', resource: Resources.HostedControlPlane },
] as const satisfies readonly { key: string; resource: ResourceType }[];

export type ControlPlaneKind = (typeof CONTROL_PLANE_KINDS)[number]['key'];

export interface ClusterInventory {
  namespace: string;
  name: string;
  controlPlaneNamespace: string;
  hostedCluster: HostedCluster | null;
  nodePools: NodePool[];
  /** Objects of each control-plane kind in the control-plane namespace (empty when the type is not served). */
  controlPlane: Record<ControlPlaneKind, KubeObject[]>;
  controlPlaneNamespaceExists: boolean;
  /** Other HostedClusters in the HostedCluster's namespace: it must then not be deleted. */
  otherHostedClusters: string[];
}

/** NodePools belong to a cluster through spec.clusterName (the docs' jsonpath filter). */
export const nodePoolsOf = (pools: NodePool[], name: string): NodePool[] => pools.filter((np) => np.spec?.clusterName === name);

export async function observeInventory(kube: KubeClient, namespace: string, name: string): Promise<ClusterInventory> {
  const cpns = controlPlaneNamespace(namespace, name);
  const [hostedClusters, pools, cpNamespace, ...lists] = await Promise.all([
    kube.list<HostedCluster>(Resources.HostedCluster, { namespace }),
    kube.list<NodePool>(Resources.NodePool, { namespace }),
    kube.getOrNull(Resources.Namespace, undefined, cpns),
    ...CONTROL_PLANE_KINDS.map((k) => kube.listIfServed(k.resource, { namespace: cpns })),
  ]);
  const controlPlane = Object.fromEntries(CONTROL_PLANE_KINDS.map((k, i) => [k.key, lists[i]?.items ?? []])) as Record<ControlPlaneKind, KubeObject[]>;
  return {
    namespace,
    name,
    controlPlaneNamespace: cpns,
    hostedCluster: hostedClusters.items.find((hc) => hc.metadata.name === name) ?? null,
    nodePools: nodePoolsOf(pools.items, name),
    controlPlane,
    controlPlaneNamespaceExists: cpNamespace !== null,
    otherHostedClusters: hostedClusters.items.filter((hc) => hc.metadata.name !== name).map((hc) => hc.metadata.name),
  };
}

/** Every object the inventory holds, as `Kind ns/name` lines, for the dry-run and the report. */
export function describeInventory(inv: ClusterInventory): string[] {
  const line = (kind: string, o: KubeObject) => `${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}${finalizerNote(o)}`;
  return [
    ...(inv.hostedCluster ? [line('HostedCluster', inv.hostedCluster)] : []),
    ...inv.nodePools.map((np) => line('NodePool', np)),
    ...CONTROL_PLANE_KINDS.flatMap((k) => inv.controlPlane[k.key].map((o) => line(k.resource.kind, o))),
    ...(inv.controlPlaneNamespaceExists ? [`Namespace ${inv.controlPlaneNamespace} (the control plane: every pod, secret and volume in it)`] : []),
  ];
}

export function finalizerNote(o: KubeObject): string {
  const f = (o.metadata as { finalizers?: string[] }).finalizers;
  const deleting = o.metadata.deletionTimestamp ? ', deleting' : '';
  return f?.length ? ` (finalizers: ${f.join(', ')}${deleting})` : deleting ? ` (${deleting.slice(2)})` : '';
}

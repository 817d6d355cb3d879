/**
 * Which types to dump: upstream's lists (cmd/cluster/core/dump.go coreResources, the CAPI/CAPA/
 * provider and HyperShift types of DumpCluster, featureGatedResources, ocpResources,
 * monitoringResources, controlPlaneAutoscalingResources; DumpGuestCluster's guest list), matched
 * by group and kind against what the server's discovery serves, in the version it prefers. No
 * version is ever hard-coded (FACTS: CAPI serves v1beta1 and v1beta2); a type the server does not
 * serve is simply not asked for, as upstream's isResourceRegistered does for optional ones.
 */
import type { KubeClient } from '../kube/client.ts';
import { mapBounded } from '../util/concurrency.ts';

export interface ServedType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}
interface APIGroupList {
  groups: { name: string; preferredVersion?: { groupVersion: string; version: string }; versions: { groupVersion: string; version: string }[] }[];
}

/** Every listable top-level resource the server serves, in each group's preferred version. */
export async function discoverTypes(kube: KubeClient, concurrency = 8): Promise<ServedType[]> {
  const groups = await kube.request<APIGroupList>({ method: 'GET', path: '/apis' });
  const versions = ['v1', ...groups.groups.map((g) => g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion).filter((v): v is string => Boolean(v))];
  const lists = await mapBounded(versions, concurrency, (gv) =>
    kube.request<APIResourceList>({ method: 'GET', path: gv === 'v1' ? '/api/v1' : `/apis/${gv}` }),
  );
  const out: ServedType[] = [];
  lists.forEach((r, i) => {
    // An aggregated API that is down makes its group unavailable, not the dump (kubectl warns the same way).
    if (!r.ok) return;
    const gv = versions[i];
    const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
    for (const res of r.value.resources ?? []) {
      if (res.name.includes('/') || !(res.verbs ?? []).includes('list')) continue;
      out.push({ group, version, kind: res.kind, plural: res.name, namespaced: res.namespaced });
    }
  });
  return out;
}

type Wanted = readonly [group: string, kind: string];

/** dump.go coreResources, plus Secrets (written as lengths, and read for the scrub). */
const CORE: Wanted[] = [
  ['apps', 'DaemonSet'],
  ['apps', 'Deployment'],
  ['apps', 'ReplicaSet'],
  ['apps', 'StatefulSet'],
  ['batch', 'Job'],
  ['batch', 'CronJob'],
  ['', 'ConfigMap'],
  ['', 'Endpoints'],
  ['', 'Event'],
  ['', 'PersistentVolumeClaim'],
  ['', 'Pod'],
  ['', 'ReplicationController'],
  ['', 'Service'],
  ['', 'Secret'],
];

const CAPI = 'cluster.x-k8s.io';
const INFRA = 'infrastructure.cluster.x-k8s.io';
const HS = 'hypershift.openshift.io';

/** DumpCluster's resources for the HC, control-plane and operator namespaces (feature-gated and optional ones included: discovery decides). */
export const MANAGEMENT_NAMESPACED: Wanted[] = [
  ...CORE,
  [CAPI, 'Cluster'],
  [CAPI, 'MachineDeployment'],
  [CAPI, 'Machine'],
  [CAPI, 'MachineSet'],
  [HS, 'HostedControlPlane'],
  [HS, 'AWSEndpointService'],
  [HS, 'ControlPlaneComponent'],
  [INFRA, 'AWSMachine'],
  [INFRA, 'AWSMachineTemplate'],
  [INFRA, 'AWSCluster'],
  [INFRA, 'AzureCluster'],
  [INFRA, 'AzureMachine'],
  [INFRA, 'AzureMachineTemplate'],
  [INFRA, 'OpenStackServer'],
  [INFRA, 'OpenStackCluster'],
  [INFRA, 'OpenStackMachine'],
  [INFRA, 'OpenStackMachineTemplate'],
  ['openstack.k-orc.cloud', 'Image'],
  ['capi-provider.agent-install.openshift.io', 'AgentMachine'],
  ['capi-provider.agent-install.openshift.io', 'AgentMachineTemplate'],
  ['capi-provider.agent-install.openshift.io', 'AgentCluster'],
  [INFRA, 'KubevirtMachine'],
  [INFRA, 'KubevirtMachineTemplate'],
  [INFRA, 'KubevirtCluster'],
  ['policy', 'PodDisruptionBudget'],
  ['networking.k8s.io', 'NetworkPolicy'],
  ['secrets-store.csi.x-k8s.io', 'SecretProviderClass'],
  ['route.openshift.io', 'Route'],
  ['image.openshift.io', 'ImageStream'],
  ['monitoring.coreos.com', 'ServiceMonitor'],
  ['monitoring.coreos.com', 'PodMonitor'],
  ['autoscaling.k8s.io', 'VerticalPodAutoscaler'],
];

/** DumpCluster's cluster-scoped reads: Nodes and ClusterSizingConfiguration. */
export const MANAGEMENT_CLUSTER_SCOPED: Wanted[] = [
  ['', 'Node'],
  ['scheduling.hypershift.openshift.io', 'ClusterSizingConfiguration'],
];

/** DumpGuestCluster's list (karpenter's types too: discovery decides), across all namespaces. */
export const GUEST: Wanted[] = [
  ...CORE,
  ['apiextensions.k8s.io', 'CustomResourceDefinition'],
  ['apps', 'ControllerRevision'],
  ['config.openshift.io', 'ClusterOperator'],
  ['', 'Namespace'],
  ['', 'Node'],
  ['', 'PersistentVolume'],
  ['rbac.authorization.k8s.io', 'ClusterRole'],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io', 'Role'],
  ['rbac.authorization.k8s.io', 'RoleBinding'],
  ['security.openshift.io', 'SecurityContextConstraints'],
  ['storage.k8s.io', 'CSIDriver'],
  ['storage.k8s.io', 'CSINode'],
  ['storage.k8s.io', 'StorageClass'],
  ['storage.k8s.io', 'VolumeAttachment'],
  ['snapshot.storage.k8s.io', 'VolumeSnapshotClass'],
  ['snapshot.storage.k8s.io', 'VolumeSnapshotContent'],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicy'],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding'],
  ['karpenter.sh', 'NodeClaim'],
  ['karpenter.sh', 'NodePool'],
  ['karpenter.k8s.aws', 'EC2NodeClass'],
  ['karpenter.hypershift.openshift.io', 'OpenshiftEC2NodeClass'],
];

export interface KindFilter {
  include?: string[];
  exclude?: string[];
}

/** Whether `t` is named by one of `names`: its kind, plural or plural.group, case-insensitive. */
function named(t: ServedType, names: string[]): boolean {
  const forms = [t.kind, t.plural, t.group ? `${t.plural}.${t.group}` : t.plural, t.group ? `${t.kind}.${t.group}` : t.kind].map((s) => s.toLowerCase());
  return names.some((n) => forms.includes(n.toLowerCase()));
}

/** The served types among `wanted`, after --include-kind / --exclude-kind. Secrets are always kept when wanted (the scrub needs them). */
export function selectTypes(served: ServedType[], wanted: readonly Wanted[], filter: KindFilter = {}): ServedType[] {
  const out: ServedType[] = [];
  for (const [group, kind] of wanted) {
    const t = served.find((s) => s.group === group && s.kind === kind);
    if (!t) continue;
    if (filter.include?.length && !named(t, filter.include)) continue;
    if (filter.exclude?.length && named(t, filter.exclude)) continue;
    out.push(t);
  }
  return out;
}

/**
 * Every spelling --include-kind / --exclude-kind accepts, known without asking the cluster: each
 * type the dump may read (kind, plural, and either with its group), plus the HostedCluster and
 * NodePool (always dumped). The plural is the API's regular one (Kubernetes' own kinds follow it:
 * Endpoints stays endpoints, NetworkPolicy becomes networkpolicies).
 */
export function knownKindNames(): Set<string> {
  const plurals = (kind: string): string[] => {
    const k = kind.toLowerCase();
    if (k.endsWith('s')) return [k, `${k}es`];
    if (/[^aeiou]y$/.test(k)) return [`${k.slice(0, -1)}ies`];
    return [`${k}s`];
  };
  const names = new Set<string>();
  const all: Wanted[] = [...MANAGEMENT_NAMESPACED, ...MANAGEMENT_CLUSTER_SCOPED, ...GUEST, [HS, 'HostedCluster'], [HS, 'NodePool']];
  for (const [group, kind] of all) {
    for (const form of [kind.toLowerCase(), ...plurals(kind)]) {
      names.add(form);
      if (group) names.add(`${form}.${group}`);
    }
  }
  return names;
}

/** The first name in `names` that no type of the dump answers to, if any (checked before any API call). */
export function unknownKind(names: string[]): string | undefined {
  const known = knownKindNames();
  return names.find((n) => !known.has(n.toLowerCase()));
}

export function findType(served: ServedType[], group: string, kind: string): ServedType | undefined {
  return served.find((s) => s.group === group && s.kind === kind);
}

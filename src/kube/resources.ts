/**
 * The resource types kubectl-hcp touches. A type without a `version` is resolved through discovery
 * at run time (CAPI and CAPA serve v1beta1 and v1beta2; FACTS: never hard-code one).
 */
export interface ResourceType {
  readonly kind: string;
  readonly group: string;
  readonly version?: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Whether the type has a /scale subresource the tool uses. */
  readonly scalable?: boolean;
}

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({ kind, group: '', version: 'v1', plural, namespaced });
const HYPERSHIFT = 'hypershift.openshift.io';
const CAPI = 'cluster.x-k8s.io';
const CAPA = 'infrastructure.cluster.x-k8s.io';

export const Resources = {
  HostedCluster: { kind: 'HostedCluster', group: HYPERSHIFT, version: 'v1beta1', plural: 'hostedclusters', namespaced: true },
  NodePool: { kind: 'NodePool', group: HYPERSHIFT, version: 'v1beta1', plural: 'nodepools', namespaced: true, scalable: true },
  HostedControlPlane: { kind: 'HostedControlPlane', group: HYPERSHIFT, version: 'v1beta1', plural: 'hostedcontrolplanes', namespaced: true },
  CapiCluster: { kind: 'Cluster', group: CAPI, plural: 'clusters', namespaced: true },
  MachineDeployment: { kind: 'MachineDeployment', group: CAPI, plural: 'machinedeployments', namespaced: true },
  MachineSet: { kind: 'MachineSet', group: CAPI, plural: 'machinesets', namespaced: true },
  Machine: { kind: 'Machine', group: CAPI, plural: 'machines', namespaced: true },
  AWSCluster: { kind: 'AWSCluster', group: CAPA, plural: 'awsclusters', namespaced: true },
  AWSMachine: { kind: 'AWSMachine', group: CAPA, plural: 'awsmachines', namespaced: true },
  AWSMachineTemplate: { kind: 'AWSMachineTemplate', group: CAPA, plural: 'awsmachinetemplates', namespaced: true },
  Namespace: core('Namespace', 'namespaces', false),
  Node: core('Node', 'nodes', false),
  ConfigMap: core('ConfigMap', 'configmaps'),
  Secret: core('Secret', 'secrets'),
  Pod: core('Pod', 'pods'),
  PersistentVolumeClaim: core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  Service: core('Service', 'services'),
  Endpoints: core('Endpoints', 'endpoints'),
  Event: core('Event', 'events'),
  ServiceAccount: core('ServiceAccount', 'serviceaccounts'),
  Deployment: { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, scalable: true },
  StatefulSet: { kind: 'StatefulSet', group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true, scalable: true },
  ReplicaSet: { kind: 'ReplicaSet', group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
  DaemonSet: { kind: 'DaemonSet', group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  Job: { kind: 'Job', group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
  PodDisruptionBudget: { kind: 'PodDisruptionBudget', group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true },
  NetworkPolicy: { kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespaced: true },
  Route: { kind: 'Route', group: 'route.openshift.io', version: 'v1', plural: 'routes', namespaced: true },
  Lease: { kind: 'Lease', group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true },
  StorageClass: { kind: 'StorageClass', group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', namespaced: false },
  FeatureGate: { kind: 'FeatureGate', group: 'config.openshift.io', version: 'v1', plural: 'featuregates', namespaced: false },
} as const satisfies Record<string, ResourceType>;

/** `hostedclusters.hypershift.openshift.io`, as kubectl and the API server name a type. */
export function qualifiedName(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

/** A reference to one object, used by plans, journals and error messages. */
export interface ObjectRef {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly name: string;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.resource.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The minimal shape of any Kubernetes object the tool reads. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ObjectList<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

import type { KubeObject } from '../kube/resources.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface VersionHistoryEntry {
  version?: string;
  image?: string;
  state?: string;
  startedTime?: string;
  completionTime?: string;
}

export interface HostedCluster extends KubeObject {
  spec: {
    pausedUntil?: string;
    clusterID?: string;
    release?: { image: string };
    controllerAvailabilityPolicy?: string;
    platform?: { type?: string; aws?: { region?: string } };
    dns?: { baseDomain?: string };
    secretEncryption?: { type?: string; aescbc?: { activeKey?: { name: string }; backupKey?: { name: string } } };
    etcd?: { managementType?: string; managed?: { storage?: { restoreSnapshotURL?: string[] } } };
    configuration?: Record<string, unknown>;
    monitoring?: { metricsSet?: string };
    [key: string]: unknown;
  };
  status?: {
    conditions?: Condition[];
    version?: { desired?: { version?: string; image?: string }; history?: VersionHistoryEntry[]; observedGeneration?: number };
    controlPlaneVersion?: { desired?: { version?: string; image?: string }; history?: VersionHistoryEntry[] };
    kubeconfig?: { name: string };
    [key: string]: unknown;
  };
}

export interface NodePool extends KubeObject {
  spec: {
    clusterName: string;
    replicas?: number;
    autoScaling?: { min: number; max: number } | null;
    pausedUntil?: string;
    release?: { image: string };
    management?: { upgradeType?: string };
    nodeDrainTimeout?: string;
    nodeVolumeDetachTimeout?: string;
    [key: string]: unknown;
  };
  status?: { conditions?: Condition[]; replicas?: number; version?: string; [key: string]: unknown };
}

export function condition(obj: { status?: { conditions?: Condition[] } } | null | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** FACTS: the control-plane namespace is `<hc-namespace>-<hc-name with "." replaced by "-">`. */
export function controlPlaneNamespace(hcNamespace: string, hcName: string): string {
  return `${hcNamespace}-${hcName.replaceAll('.', '-')}`;
}

/**
 * How many etcd members the control-plane operator runs for a cluster: three when
 * HighlyAvailable, else one (upstream component.DefaultReplicas for etcd). Unlike the StatefulSet's
 * replicas, it still holds after a fence scaled etcd to 0.
 */
export function etcdMemberCount(hc: HostedCluster): number {
  return hc.spec.controllerAvailabilityPolicy === 'HighlyAvailable' ? 3 : 1;
}

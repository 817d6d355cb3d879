// Copies of the seeded HostedCluster in a test's own namespace. The real CRD (and its CEL rules)
// applies to them. A paused copy is left alone by the simulated operator, so a test may make
// one-way changes (feature sets) without touching clusters/sample; a running copy is reconciled
// like any cluster (SingleReplica: one real etcd member), for tests of the operator's reaction.
import { kubectlOk } from './sandbox.ts';

export async function pausedHostedClusterCopy(namespace: string, name: string): Promise<void> {
  const sample = JSON.parse(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
  const copy = {
    apiVersion: sample.apiVersion,
    kind: 'HostedCluster',
    metadata: { name, namespace },
    spec: { ...sample.spec, pausedUntil: 'true', clusterID: undefined, infraID: `${name}-infra` },
  };
  await kubectlOk('mgmt-1', ['create', '-f', '-'], JSON.stringify(copy));
}

/** A running SingleReplica copy with one NodePool `<name>-pool` of one node, and its pull secret. */
export async function runningHostedClusterCopy(namespace: string, name: string): Promise<void> {
  const sample = JSON.parse(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
  const pool = JSON.parse(await kubectlOk('mgmt-1', ['get', 'nodepool', 'sample-us-east-1a', '-n', 'clusters', '-o', 'json']));
  const spec: Record<string, any> = {
    ...sample.spec,
    controllerAvailabilityPolicy: 'SingleReplica',
    infrastructureAvailabilityPolicy: 'SingleReplica',
    clusterID: undefined,
    pausedUntil: undefined,
    infraID: `${name}-infra`,
  };
  delete spec.secretEncryption;
  const items = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: spec.pullSecret.name, namespace },
      stringData: { '.dockerconfigjson': '{"auths":{}}' },
      type: 'kubernetes.io/dockerconfigjson',
    },
    ...(spec.sshKey?.name
      ? [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: spec.sshKey.name, namespace }, stringData: { 'id_rsa.pub': 'ssh-ed25519 AAAA e2e' } }]
      : []),
    { apiVersion: sample.apiVersion, kind: 'HostedCluster', metadata: { name, namespace }, spec },
    { apiVersion: pool.apiVersion, kind: 'NodePool', metadata: { name: `${name}-pool`, namespace }, spec: { ...pool.spec, clusterName: name, replicas: 1 } },
  ];
  await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
}

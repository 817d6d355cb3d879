// A NodePool of a test's own hosted cluster, copied from clusters/sample-us-east-1b (platform,
// release, management) with the given cluster and replicas; deleted with its namespace.
import { kubectlOk } from './sandbox.ts';

export async function createNodePoolCopy(ns: string, name: string, clusterName: string, replicas: number): Promise<void> {
  const seed = JSON.parse(await kubectlOk('mgmt-1', ['get', 'nodepool', 'sample-us-east-1b', '-n', 'clusters', '-o', 'json']));
  const spec = { ...seed.spec, clusterName, replicas, nodeDrainTimeout: undefined, autoScaling: undefined };
  await kubectlOk('mgmt-1', ['create', '-f', '-'], JSON.stringify({ apiVersion: seed.apiVersion, kind: 'NodePool', metadata: { name, namespace: ns }, spec }));
}

// A paused copy of the seeded HostedCluster in a test's own namespace: the real CRD (and its CEL
// rules) applies to it, while the simulated operator leaves it alone, so a test may make one-way
// changes (feature sets) or add identity providers without touching clusters/sample.
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

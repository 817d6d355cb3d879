// What the dr e2e files share: the etcd StatefulSet's PVC retention on the source (the docs'
// IMPORTANT box, issue 9's PVC interlock), set and read through kubectl.
import { createDrCluster } from '../../../scripts/dr-crash-matrix.fixture.ts';
import { waitForEtcdPods } from './hosted-etcd.ts';
import { kubectl, kubectlOk, waitFor } from './sandbox.ts';

/**
 * The cluster a DR test migrates (scripts/dr-crash-matrix.fixture.ts; with ha, three etcd members and
 * an encryption key) on mgmt-1, Available with every etcd member running, after removing what an earlier run may have left of its namespaces on mgmt-2.
 */
export async function createAvailableDrCluster(ns: string, name: string, opts: { ha?: boolean } = {}): Promise<void> {
  const cpns = `${ns}-${name}`;
  await kubectl('mgmt-2', ['delete', 'namespace', ns, cpns, '--wait=true', '--timeout=60s']);
  await createDrCluster((c, args, input) => kubectlOk(c, args, input), ns, name, opts);
  await waitForEtcdPods(cpns, opts.ha ? 3 : 1, 'mgmt-1', 180_000);
  await waitFor(
    async () =>
      (await kubectl('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}'])).stdout ===
      'True',
    180_000,
    `${name} Available on mgmt-1`,
  );
}

/** Sets `persistentVolumeClaimRetentionPolicy.whenScaled` of `<cpns>/etcd` on mgmt-1. */
export async function setEtcdRetention(cpns: string, whenScaled: 'Delete' | 'Retain'): Promise<void> {
  const patch = { spec: { persistentVolumeClaimRetentionPolicy: { whenScaled } } };
  await kubectlOk('mgmt-1', ['patch', 'statefulset', 'etcd', '-n', cpns, '--type=merge', '-p', JSON.stringify(patch)]);
}

/** `<whenScaled> <replicas>` of `<cpns>/etcd` on mgmt-1, e.g. "Delete 1". */
export async function etcdRetentionAndReplicas(cpns: string): Promise<string> {
  return kubectlOk('mgmt-1', [
    'get',
    'statefulset',
    'etcd',
    '-n',
    cpns,
    '-o',
    'jsonpath={.spec.persistentVolumeClaimRetentionPolicy.whenScaled} {.spec.replicas}',
  ]);
}

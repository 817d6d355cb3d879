// What the dr e2e files share: the etcd StatefulSet's PVC retention on the source (the docs'
// IMPORTANT box, issue 9's PVC interlock), set and read through kubectl.
import { kubectlOk } from './sandbox.ts';

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

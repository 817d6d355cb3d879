// Helpers for tests of the simulated operator and the real hosted etcd: HostedClusters of a test's
// own (copies of clusters/sample), etcdctl through `kubectl exec` with the real pod paths, and
// test keys written and read back to prove that data survived.
import { ETCD_TLS } from './etcd-tls.ts';
import { kubectl, kubectlOk, waitFor, type Cluster } from './sandbox.ts';

export { ETCD_TLS };

export const controlPlaneNamespace = (ns: string, name: string) => `${ns}-${name.replace(/\./g, '-')}`;

export interface HostedClusterOptions {
  cluster?: Cluster;
  highlyAvailable?: boolean;
  restoreSnapshotURL?: string;
  /** Unused: the simulated operator gives every HostedCluster its admin kubeconfig (status.kubeconfig). */
  guest?: boolean;
  pausedUntil?: string;
  /** spec.secretEncryption.aescbc.activeKey: the Secret (in ns) holding the etcd encryption key; set at creation, as upstream's `create cluster` does. */
  encryptionKeySecret?: string;
}

/** Creates a HostedCluster copied from clusters/sample in namespace ns; returns its control-plane namespace. */
export async function createHostedCluster(ns: string, name: string, o: HostedClusterOptions = {}): Promise<string> {
  const cluster = o.cluster ?? 'mgmt-1';
  const sample = JSON.parse(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
  const spec = { ...sample.spec, infraID: `${name}-infra`, clusterID: undefined };
  delete spec.secretEncryption;
  // A copy starts as the seeded sample: without spec.configuration.oauth, which tests of the oauth
  // commands may leave on clusters/sample (an empty identityProviders list is still an explicit
  // OAuth configuration, so no kubeadmin password: hostedcluster_controller.go).
  if (spec.configuration) {
    spec.configuration = { ...spec.configuration };
    delete spec.configuration.oauth;
  }
  spec.controllerAvailabilityPolicy = o.highlyAvailable ? 'HighlyAvailable' : 'SingleReplica';
  spec.etcd = {
    managementType: 'Managed',
    managed: {
      storage: { type: 'PersistentVolume', persistentVolume: { size: '1Gi' }, ...(o.restoreSnapshotURL ? { restoreSnapshotURL: [o.restoreSnapshotURL] } : {}) },
    },
  };
  if (o.pausedUntil) spec.pausedUntil = o.pausedUntil;
  if (o.encryptionKeySecret) spec.secretEncryption = { type: 'aescbc', aescbc: { activeKey: { name: o.encryptionKeySecret } } };
  const objects: object[] = [{ apiVersion: sample.apiVersion, kind: 'HostedCluster', metadata: { name, namespace: ns }, spec }];
  await kubectlOk(cluster, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  return controlPlaneNamespace(ns, name);
}

/** READY column values of the etcd pods, e.g. { 'etcd-0': '2/2 Running' }. */
export async function etcdPods(cpns: string, cluster: Cluster = 'mgmt-1'): Promise<Record<string, string>> {
  const out = await kubectl(cluster, ['get', 'pods', '-n', cpns, '-l', 'app=etcd', '--no-headers']);
  return Object.fromEntries(
    out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, ready, status] = l.trim().split(/\s+/);
        return [name, `${ready} ${status}`];
      }),
  );
}

export async function waitForEtcdPods(cpns: string, count: number, cluster: Cluster = 'mgmt-1', timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => {
      const pods = await etcdPods(cpns, cluster);
      return Array.from({ length: count }, (_, n) => pods[`etcd-${n}`] === '2/2 Running').every(Boolean);
    },
    timeoutMs,
    `${count} etcd pods 2/2 Running in ${cpns}`,
  );
}

/** etcdctl in pod etcd-N (container etcd) with the real TLS paths. */
export function etcdctl(cpns: string, args: string[], pod = 'etcd-0', cluster: Cluster = 'mgmt-1') {
  return kubectl(cluster, ['exec', '-n', cpns, pod, '-c', 'etcd', '--', 'etcdctl', ...ETCD_TLS, ...args]);
}

export async function putKey(cpns: string, key: string, value: string, pod = 'etcd-0', cluster: Cluster = 'mgmt-1'): Promise<void> {
  const r = await etcdctl(cpns, ['put', key, value], pod, cluster);
  if (r.code !== 0) throw new Error(`etcdctl put ${key} failed: ${r.stderr}`);
}

/** The value of a key, or undefined when absent. */
export async function getKey(cpns: string, key: string, pod = 'etcd-0', cluster: Cluster = 'mgmt-1'): Promise<string | undefined> {
  const r = await etcdctl(cpns, ['get', key, '--print-value-only'], pod, cluster);
  if (r.code !== 0) throw new Error(`etcdctl get ${key} failed: ${r.stderr}`);
  const v = r.stdout.replace(/\n$/, '');
  return v === '' ? undefined : v;
}

export async function condition(
  kind: string,
  ns: string,
  name: string,
  type: string,
  cluster: Cluster = 'mgmt-1',
): Promise<{ status?: string; reason?: string; message?: string }> {
  const o = JSON.parse(await kubectlOk(cluster, ['get', kind, name, '-n', ns, '-o', 'json']));
  return (o.status?.conditions ?? []).find((c: { type: string }) => c.type === type) ?? {};
}

/**
 * Waits until a condition has every field of want (e.g. { status: 'False', reason: 'X', message: 'Y' });
 * on timeout fails with the condition last seen, so a wrong reason or message shows as such.
 */
export async function waitForCondition(
  [kind, ns, name]: [kind: string, namespace: string, name: string],
  type: string,
  want: Record<string, string | undefined>,
  timeoutMs = 60_000,
  cluster: Cluster = 'mgmt-1',
): Promise<void> {
  let last: Record<string, unknown> = {};
  const matches = async () => {
    last = await condition(kind, ns, name, type, cluster);
    return Object.entries(want).every(([k, v]) => last[k] === v);
  };
  await waitFor(matches, timeoutMs, `${kind} ${ns}/${name} ${type} ${JSON.stringify(want)}`).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(last)}`);
  });
}

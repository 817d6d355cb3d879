// The hosted cluster a DR test migrates (test/e2e/dr-migrate.test.ts, scripts/dr-crash-matrix.ts):
// a SingleReplica (or, with ha, HighlyAvailable) copy of clusters/sample on mgmt-1 with two NodePools of one node each and
// Route-published hostnames for the API and OAuth (external-dns publishes those; the docs' DR
// chapter requires them), plus its pull and SSH secrets.
import { ETCD_TLS } from '../test/e2e/helpers/etcd-tls.ts';

export type Kubectl = (context: 'mgmt-1' | 'mgmt-2', args: string[], input?: string) => Promise<string>;

export async function createDrCluster(kubectl: Kubectl, ns: string, name: string, opts: { ha?: boolean } = {}): Promise<void> {
  const sample = JSON.parse(await kubectl('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
  const pool = JSON.parse(await kubectl('mgmt-1', ['get', 'nodepool', 'sample-us-east-1a', '-n', 'clusters', '-o', 'json']));
  const spec = {
    ...sample.spec,
    controllerAvailabilityPolicy: 'SingleReplica',
    infrastructureAvailabilityPolicy: 'SingleReplica',
    clusterID: undefined,
    pausedUntil: undefined,
    infraID: `${name}-infra`,
    services: [
      { service: 'APIServer', servicePublishingStrategy: { type: 'Route', route: { hostname: `api-${name}.sandbox.example.com` } } },
      { service: 'OAuthServer', servicePublishingStrategy: { type: 'Route', route: { hostname: `oauth-${name}.sandbox.example.com` } } },
      { service: 'Konnectivity', servicePublishingStrategy: { type: 'Route' } },
      { service: 'Ignition', servicePublishingStrategy: { type: 'Route' } },
    ],
  };
  // opts.ha: three etcd members and sample's secret encryption, with a key of its own (the plan then
  // snapshots every member and keeps the key: the steps a SingleReplica cluster does not have).
  const keyName = `${name}-etcd-encryption-key`;
  if (opts.ha) {
    spec.controllerAvailabilityPolicy = 'HighlyAvailable';
    spec.secretEncryption = { type: 'aescbc', aescbc: { activeKey: { name: keyName } } };
  } else delete spec.secretEncryption;
  const key = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: keyName, namespace: ns },
    data: { key: Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 7 + name.length) & 0xff)).toString('base64') },
  };
  const items = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    ...(opts.ha ? [key] : []),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: spec.pullSecret.name, namespace: ns },
      stringData: { '.dockerconfigjson': '{"auths":{}}' },
      type: 'kubernetes.io/dockerconfigjson',
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: spec.sshKey.name, namespace: ns }, stringData: { 'id_rsa.pub': 'ssh-ed25519 AAAA e2e' } },
    { apiVersion: sample.apiVersion, kind: 'HostedCluster', metadata: { name, namespace: ns }, spec },
    ...['a', 'b'].map((z) => ({
      apiVersion: pool.apiVersion,
      kind: 'NodePool',
      metadata: { name: `${name}-pool-${z}`, namespace: ns },
      spec: {
        ...pool.spec,
        clusterName: name,
        replicas: 1,
        platform: { ...pool.spec.platform, aws: { ...pool.spec.platform.aws, subnet: { id: `subnet-0dr${name.replace(/[^a-z0-9]/g, '')}${z}` } } },
      },
    })),
  ];
  await kubectl('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
}

export const ETCDCTL = ['etcdctl', ...ETCD_TLS];

// The objects the sandbox starts with. Generated values (keys, IDs) come from credentials.json so
// that re-applying them is a no-op.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_DOMAIN, paths } from './config.ts';
import type { Route53State } from './route53.ts';

export const RELEASE_IMAGE = 'quay.io/openshift-release-dev/ocp-release:4.15.10-x86_64';
export const SUPPORTED_VERSIONS = ['4.15', '4.14', '4.13', '4.12'];
export const OPERATOR_REVISION = '3ee96155';
export const ZONE_ID = 'Z0SANDBOX0PUBLIC';

export interface Generated {
  awsAccessKeyId: string;
  awsSecretAccessKey: string;
  etcdEncryptionKey: string; // base64 of 32 random bytes
  clusterID: string;
  infraID: string;
}

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));

/** CRDs for the management clusters: HyperShift, CAPI and CAPA (unchanged), Route, kwok's Exec/Logs. */
export function mgmtCrdFiles(): string[] {
  return [
    ...['hypershift', 'cluster-api', 'cluster-api-provider-aws'].flatMap((d) => yamlFiles(join(paths.upstreamCrds, d))),
    join(paths.manifests, 'route-crd.yaml'),
    join(paths.manifests, 'kwok/crds.yaml'),
  ];
}

export function guestCrdFiles(): string[] {
  return [...yamlFiles(join(paths.upstreamCrds, 'openshift-config')), join(paths.manifests, 'kwok/crds.yaml')];
}

const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

/** kwok-managed Nodes advertising 127.0.0.1 (kwok's node-initialize stage fills in the status). */
export function nodes(names: string[], labels: Record<string, string> = {}, annotations: Record<string, string> = {}): object[] {
  return names.map((name) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/worker': '', ...labels },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake', ...annotations },
    },
    spec: {},
  }));
}

export const mgmtNodeNames = (cluster: string) => [0, 1, 2].map((i) => `${cluster}-worker-${i}`);

/** What both management clusters hold: the HyperShift operator's namespace, deployment and version configmap. */
export function operatorObjects(): object[] {
  const labels = { app: 'operator', 'hypershift.openshift.io/operator-component': 'operator' };
  return [
    ns('hypershift'),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'operator', namespace: 'hypershift' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'operator', namespace: 'hypershift', labels },
      spec: {
        replicas: 2,
        // Upstream's pod exits at start on a bad METRICS_SET and never turns Ready, so the rollout
        // stalls and the old pods keep reconciling. kwok marks every pod Ready at once and the
        // simulator turns such a pod into CrashLoopBackOff a second later: minReadySeconds keeps
        // the Deployment from counting it available (and removing an old pod) in between.
        minReadySeconds: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: { name: 'operator' } },
        template: {
          metadata: { labels: { name: 'operator', ...labels } },
          spec: {
            serviceAccountName: 'operator',
            containers: [
              {
                name: 'operator',
                image: 'quay.io/hypershift/hypershift-operator:4.15',
                command: ['/usr/bin/hypershift-operator'],
                args: ['run', '--namespace=$(MY_NAMESPACE)', '--metrics-addr=:9000', '--enable-ocp-cluster-monitoring=false'],
                env: [{ name: 'MY_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
                ports: [{ name: 'metrics', containerPort: 9000 }],
              },
            ],
          },
        },
      },
    },
    externalDnsDeployment(),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'supported-versions', namespace: 'hypershift', labels: { 'hypershift.openshift.io/supported-versions': 'true' } },
      data: { 'supported-versions': JSON.stringify({ versions: SUPPORTED_VERSIONS }), 'server-version': OPERATOR_REVISION },
    },
  ];
}

/**
 * The Deployment `hypershift install --external-dns-provider=aws --external-dns-domain-filter=…`
 * creates (cmd/install/assets/hypershift_operator.go ExternalDNSDeployment, same name, labels and
 * args; the owner id is a fixed stand-in for its UUID). The docs' DR chapter (8.4) requires these
 * flags on both management clusters; `dr backup|restore` check for this Deployment. The records
 * themselves are written by the simulator (operator/external-dns.ts).
 */
function externalDnsDeployment(): object {
  const labels = { name: 'external-dns', app: 'external-dns', 'hypershift.openshift.io/operator-component': 'external-dns' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'external-dns', namespace: 'hypershift', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { name: 'external-dns' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'operator',
          containers: [
            {
              name: 'external-dns',
              image: 'registry.k8s.io/external-dns/external-dns:v0.13.1',
              command: ['/external-dns'],
              args: [
                '--source=service',
                '--source=openshift-route',
                `--domain-filter=${BASE_DOMAIN}`,
                '--provider=aws',
                '--registry=txt',
                '--txt-suffix=-external-dns',
                '--txt-owner-id=sandbox',
                '--label-filter=hypershift.openshift.io/route-visibility!=private',
                '--interval=1m',
                '--txt-cache-interval=1h',
              ],
              ports: [{ name: 'metrics', containerPort: 7979 }],
            },
          ],
        },
      },
    },
  };
}

/** mgmt-1's hosted cluster `clusters/sample` and its NodePools, valid against the real CRDs. */
export function sampleClusterObjects(g: Generated, guestKubeconfig: string): object[] {
  const meta = (name: string) => ({ name, namespace: 'clusters' });
  const subnet = { id: 'subnet-0sandbox0private1a' };
  const nodePool = (zone: string, replicas: number, zoneSubnet = subnet) => ({
    apiVersion: 'hypershift.openshift.io/v1beta1',
    kind: 'NodePool',
    metadata: meta(`sample-${zone}`),
    spec: {
      clusterName: 'sample',
      replicas,
      management: { upgradeType: 'Replace', autoRepair: false },
      release: { image: RELEASE_IMAGE },
      arch: 'amd64',
      platform: {
        type: 'AWS',
        aws: { instanceType: 'm5.xlarge', instanceProfile: `${g.infraID}-worker`, subnet: zoneSubnet, rootVolume: { size: 120, type: 'gp3' } },
      },
    },
  });
  const arn = (role: string) => `arn:aws:iam::123456789012:role/${g.infraID}-${role}`;
  return [
    ns('clusters'),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('sample-pull-secret'),
      type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('sandbox:sandbox').toString('base64') } } }) },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('sample-etcd-encryption-key'), type: 'Opaque', data: { key: g.etcdEncryptionKey } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('sample-ssh-key'),
      type: 'Opaque',
      stringData: { 'id_rsa.pub': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKcUOsQ0e2O7JsHk2Y8sLfmmA9U0kfVVc0CKPZ0Sandbox sandbox' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('sample-admin-kubeconfig'), type: 'Opaque', stringData: { kubeconfig: guestKubeconfig } },
    {
      apiVersion: 'hypershift.openshift.io/v1beta1',
      kind: 'HostedCluster',
      metadata: meta('sample'),
      spec: {
        release: { image: RELEASE_IMAGE },
        pullSecret: { name: 'sample-pull-secret' },
        sshKey: { name: 'sample-ssh-key' },
        clusterID: g.clusterID,
        infraID: g.infraID,
        controllerAvailabilityPolicy: 'HighlyAvailable',
        infrastructureAvailabilityPolicy: 'HighlyAvailable',
        dns: { baseDomain: BASE_DOMAIN, publicZoneID: ZONE_ID },
        etcd: { managementType: 'Managed', managed: { storage: { type: 'PersistentVolume', persistentVolume: { size: '8Gi' } } } },
        networking: {
          networkType: 'OVNKubernetes',
          clusterNetwork: [{ cidr: '10.132.0.0/14' }],
          serviceNetwork: [{ cidr: '172.31.0.0/16' }],
          machineNetwork: [{ cidr: '10.0.0.0/16' }],
        },
        platform: {
          type: 'AWS',
          aws: {
            region: 'us-east-1',
            endpointAccess: 'Public',
            cloudProviderConfig: { vpc: 'vpc-0sandbox0000001', subnet, zone: 'us-east-1a' },
            resourceTags: [{ key: `kubernetes.io/cluster/${g.infraID}`, value: 'owned' }],
            rolesRef: {
              ingressARN: arn('openshift-ingress'),
              imageRegistryARN: arn('openshift-image-registry'),
              storageARN: arn('aws-ebs-csi-driver-controller'),
              networkARN: arn('cloud-network-config-controller'),
              kubeCloudControllerARN: arn('cloud-controller'),
              nodePoolManagementARN: arn('node-pool'),
              controlPlaneOperatorARN: arn('control-plane-operator'),
            },
          },
        },
        secretEncryption: { type: 'aescbc', aescbc: { activeKey: { name: 'sample-etcd-encryption-key' } } },
        services: [
          { service: 'APIServer', servicePublishingStrategy: { type: 'LoadBalancer' } },
          { service: 'OAuthServer', servicePublishingStrategy: { type: 'Route' } },
          { service: 'Konnectivity', servicePublishingStrategy: { type: 'Route' } },
          { service: 'Ignition', servicePublishingStrategy: { type: 'Route' } },
        ],
      },
    },
    nodePool('us-east-1a', 2),
    nodePool('us-east-1b', 1, { id: 'subnet-0sandbox0private1b' }),
  ];
}

export function mgmt1Namespaces(): object[] {
  return [ns('local-cluster'), ns('openshift-config-managed')];
}

/** The guest's nodes: one per NodePool replica, labelled like HyperShift labels them. */
export const guestNodes = (): { name: string; pool: string }[] => [
  { name: 'ip-10-0-1-10.ec2.internal', pool: 'sample-us-east-1a' },
  { name: 'ip-10-0-1-11.ec2.internal', pool: 'sample-us-east-1a' },
  { name: 'ip-10-0-2-10.ec2.internal', pool: 'sample-us-east-1b' },
];

export function guestObjects(): object[] {
  const guestNs = 'openshift-ovn-kubernetes';
  const node = guestNodes();
  return [
    // Annotated with their NodePool (namespace/name) like the nodes the simulated operator makes.
    ...node.flatMap((n) => nodes([n.name], { 'hypershift.openshift.io/nodePool': n.pool }, { 'hcp-sandbox.kubectl-hcp.io/nodepool': `clusters/${n.pool}` })),
    { apiVersion: 'config.openshift.io/v1', kind: 'FeatureGate', metadata: { name: 'cluster' }, spec: { featureSet: '' } },
    ns(guestNs),
    // No controller-manager runs in the guest, so the service account it would create is seeded.
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: guestNs } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ovn-kubernetes-node', namespace: guestNs } },
    // OVN's node agent as a DaemonSet: the simulated operator of mgmt-1 acts as the guest's
    // DaemonSet controller (operator/guest.ts), so every Node has one pod and a deleted one returns.
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'ovnkube-node', namespace: guestNs, labels: { app: 'ovnkube-node', component: 'network' } },
      spec: {
        selector: { matchLabels: { app: 'ovnkube-node' } },
        template: {
          metadata: { labels: { app: 'ovnkube-node', component: 'network' } },
          spec: {
            serviceAccountName: 'ovn-kubernetes-node',
            automountServiceAccountToken: false,
            hostNetwork: true,
            containers: ['ovn-controller', 'ovnkube-controller'].map((name) => ({
              name,
              image: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:0000000000000000000000000000000000000000000000000000000000000000',
            })),
          },
        },
      },
    },
  ];
}

/** The Route 53 stand-in's initial state: the public zone of the base domain with the sample's records. */
export function route53Seed(): Route53State {
  const zone = `${BASE_DOMAIN}.`;
  const ns = ['ns-1536.awsdns-00.co.uk.', 'ns-0.awsdns-00.com.', 'ns-1024.awsdns-00.org.', 'ns-512.awsdns-00.net.'];
  return {
    changes: {},
    zones: [
      {
        Id: `/hostedzone/${ZONE_ID}`,
        Name: zone,
        CallerReference: 'kubectl-hcp-sandbox',
        Comment: 'sandbox public zone',
        PrivateZone: false,
        records: [
          { Name: zone, Type: 'NS', TTL: 172800, ResourceRecords: ns },
          { Name: zone, Type: 'SOA', TTL: 900, ResourceRecords: [`${ns[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] },
          { Name: `api.sample.${zone}`, Type: 'CNAME', TTL: 300, ResourceRecords: ['a0sandbox0api-1234567890.us-east-1.elb.amazonaws.com'] },
          { Name: `\\052.apps.sample.${zone}`, Type: 'CNAME', TTL: 300, ResourceRecords: ['a0sandbox0apps-1234567890.us-east-1.elb.amazonaws.com'] },
        ],
      },
    ],
  };
}

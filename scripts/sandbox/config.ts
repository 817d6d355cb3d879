// Where the sandbox keeps its state and which ports it listens on. Everything the sandbox writes
// lives under `.sandbox/` at the repository root (plus the binary cache that build.sh fills).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sandboxDir = process.env.HCP_SANDBOX_DIR ? resolve(process.env.HCP_SANDBOX_DIR) : join(repoRoot, '.sandbox');

export const paths = {
  dir: sandboxDir,
  state: join(sandboxDir, 'state.json'),
  logs: join(sandboxDir, 'logs'),
  pki: join(sandboxDir, 'pki'),
  etcdData: join(sandboxDir, 'etcd'),
  minioData: join(sandboxDir, 'minio'),
  route53State: join(sandboxDir, 'route53.json'),
  podLogs: join(sandboxDir, 'pod-logs'),
  kwok: join(sandboxDir, 'kwok'),
  /** Part 2: the simulated operator's state, pod filesystems, hosted etcd data and the exec shims. */
  hostedEtcd: join(sandboxDir, 'hosted-etcd'),
  kubeconfig: join(sandboxDir, 'kubeconfig'),
  guestKubeconfig: join(sandboxDir, 'guest.kubeconfig'),
  awsEnv: join(sandboxDir, 'aws.env'),
  credentials: join(sandboxDir, 'credentials.json'),
  manifests: join(repoRoot, 'scripts/sandbox/manifests'),
  upstreamCrds: resolve(repoRoot, '../shared/upstream/crds'),
  buildScript: join(repoRoot, 'scripts/sandbox/build.sh'),
};

export const AWS_REGION = 'us-east-1';
export const BUCKET = 'hcp-sandbox';
export const BASE_DOMAIN = 'sandbox.example.com';

/** The three Kubernetes API servers differ only by this record. */
export interface ClusterSpec {
  name: 'mgmt-1' | 'mgmt-2' | 'guest';
  /** mgmt clusters run a controller-manager and scheduler; the guest only an API server and kwok. */
  controllers: boolean;
  etcdPrefix: string;
  serviceCIDR: string;
  ports: { apiserver: number; controllerManager: number; scheduler: number; kwok: number };
}

// Ports are offsets from HCP_SANDBOX_PORT_BASE (default 26000, below Linux's ephemeral port range so that client connections never take them); each can also be set on its own
// with HCP_SANDBOX_PORT_<NAME>, e.g. HCP_SANDBOX_PORT_MGMT_1_APISERVER=6443.
const portBase = Number(process.env.HCP_SANDBOX_PORT_BASE ?? 26000);
const portOffsets = {
  etcd: 379,
  etcdPeer: 380,
  'mgmt-1-apiserver': 443,
  'mgmt-1-controller-manager': 444,
  'mgmt-1-scheduler': 445,
  'mgmt-1-kwok': 446,
  'mgmt-1-operator': 447,
  'mgmt-2-apiserver': 543,
  'mgmt-2-controller-manager': 544,
  'mgmt-2-scheduler': 545,
  'mgmt-2-kwok': 546,
  'mgmt-2-operator': 547,
  'guest-apiserver': 643,
  'guest-kwok': 646,
  minio: 900,
  minioConsole: 901,
  route53: 953,
} as const;
export type PortName = keyof typeof portOffsets;

export function port(name: PortName): number {
  const env =
    process.env[
      `HCP_SANDBOX_PORT_${name
        .replace(/([a-z])([A-Z])/g, '$1_$2')
        .replace(/-/g, '_')
        .toUpperCase()}`
    ];
  const value = env ? Number(env) : portBase + portOffsets[name];
  if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`invalid port for ${name}: ${env}`);
  return value;
}

export function allPorts(): Record<PortName, number> {
  return Object.fromEntries(Object.keys(portOffsets).map((n) => [n, port(n as PortName)])) as Record<PortName, number>;
}

function cluster(name: ClusterSpec['name'], controllers: boolean, serviceCIDR: string): ClusterSpec {
  return {
    name,
    controllers,
    etcdPrefix: `/${name}`,
    serviceCIDR,
    ports: {
      apiserver: port(`${name}-apiserver` as PortName),
      controllerManager: controllers ? port(`${name}-controller-manager` as PortName) : 0,
      scheduler: controllers ? port(`${name}-scheduler` as PortName) : 0,
      kwok: port(`${name}-kwok` as PortName),
    },
  };
}

export function clusters(): ClusterSpec[] {
  return [cluster('mgmt-1', true, '10.96.0.0/16'), cluster('mgmt-2', true, '10.97.0.0/16'), cluster('guest', false, '172.30.0.0/16')];
}

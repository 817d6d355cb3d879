// The sandbox's certificates, made with the openssl CLI: one CA that signs every serving and
// client certificate, plus the service-account signing key pair. Created once and reused, so
// kubeconfigs written by an earlier `up` stay valid.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from './config.ts';

export interface CertPair {
  cert: string;
  key: string;
}

export interface Pki {
  ca: CertPair;
  /** Serving certificate for every sandbox TLS endpoint (127.0.0.1, localhost, in-cluster names). */
  serving: CertPair;
  /** Client certificates, by name: admin (system:masters), kube-controller-manager, kube-scheduler, kubelet-client. */
  clients: Record<ClientName, CertPair>;
  serviceAccount: { key: string; pub: string };
}

const clientSubjects = {
  admin: '/O=system:masters/CN=kubectl-hcp-sandbox-admin',
  'kube-controller-manager': '/CN=system:kube-controller-manager',
  'kube-scheduler': '/CN=system:kube-scheduler',
  // The API server's identity towards kwok's kubelet endpoint (exec, logs).
  'kubelet-client': '/O=system:masters/CN=kube-apiserver-kubelet-client',
} as const;
export type ClientName = keyof typeof clientSubjects;

// The first address of each cluster's service CIDR is the in-cluster `kubernetes` service IP.
const servingSANs = [
  'IP:127.0.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
  'IP:10.96.0.1',
  'IP:10.97.0.1',
  'IP:172.30.0.1',
];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function issue(dir: string, name: string, subject: string, ext: string, ca: CertPair): CertPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  if (existsSync(pair.cert) && existsSync(pair.key)) return pair;
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, `${ext}\n`);
  openssl('req', ...keyArgs, '-keyout', pair.key, '-out', csr, '-subj', subject);
  openssl('x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '3650', '-out', pair.cert, '-extfile', extFile);
  return pair;
}

export function ensurePki(): Pki {
  const dir = paths.pki;
  mkdirSync(dir, { recursive: true });
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  if (!existsSync(ca.cert)) {
    openssl(
      'req',
      '-x509',
      ...keyArgs,
      '-keyout',
      ca.key,
      '-out',
      ca.cert,
      '-days',
      '3650',
      '-subj',
      '/CN=kubectl-hcp-sandbox-ca',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  }
  const leafUsage = 'keyUsage=critical,digitalSignature,keyEncipherment';
  const serving = issue(
    dir,
    'serving',
    '/CN=kubectl-hcp-sandbox-serving',
    `${leafUsage}\nextendedKeyUsage=serverAuth\nsubjectAltName=${servingSANs.join(',')}`,
    ca,
  );
  const clients = Object.fromEntries(
    Object.entries(clientSubjects).map(([name, subject]) => [name, issue(dir, name, subject, `${leafUsage}\nextendedKeyUsage=clientAuth`, ca)]),
  ) as Record<ClientName, CertPair>;
  const serviceAccount = { key: join(dir, 'sa.key'), pub: join(dir, 'sa.pub') };
  if (!existsSync(serviceAccount.pub)) {
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', serviceAccount.key);
    openssl('pkey', '-in', serviceAccount.key, '-pubout', '-out', serviceAccount.pub);
  }
  return { ca, serving, clients, serviceAccount };
}

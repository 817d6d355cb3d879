/**
 * etcdctl and etcdutl as the hosted etcd pods run them: the TLS paths of the docs (8.1.1, 8.2.1,
 * 8.3) with the CA fallback for releases before 4.12 (FACTS "etcd"), command lines as argv (never
 * a shell string), and parsers for their `-w json` output.
 *
 * etcd prints member and cluster IDs as JSON numbers, which are uint64 and often exceed 2^53:
 * JSON.parse would silently round them, so two members could even share an ID. `parseEtcdJson`
 * reads every integer longer than 15 digits as a string, and IDs are shown in hex as etcdctl's
 * tables show them.
 */

export const ETCD_CONTAINER = 'etcd';
export const ETCD_STATEFULSET = 'etcd';
export const ETCD_LABEL = 'app=etcd';
export const ETCD_LOCAL_ENDPOINT = 'https://localhost:2379';
/** The etcd data dir (ETCD_DATA_DIR in the upstream statefulset); the PVC is mounted at /var/lib. */
export const ETCD_DATA_DIR = '/var/lib/data';
export const ETCD_VOLUME_ROOT = '/var/lib';
/** upstream etcd statefulset / etcd-init.sh: the token every hosted etcd cluster is created with. */
export const INITIAL_CLUSTER_TOKEN = 'etcd-cluster';

export interface EtcdTlsPaths {
  ca: string;
  cert: string;
  key: string;
}

export const TLS_PATHS: EtcdTlsPaths = {
  ca: '/etc/etcd/tls/etcd-ca/ca.crt',
  cert: '/etc/etcd/tls/client/etcd-client.crt',
  key: '/etc/etcd/tls/client/etcd-client.key',
};
/** FACTS: before 4.12 the CA was in the client secret (the 8.2.1 docs still show this path). */
export const LEGACY_CA_PATH = '/etc/etcd/tls/client/etcd-client-ca.crt';

/**
 * The TLS paths for a release ("4.15.3"). An unknown release gets the current paths; callers that
 * cannot tell probe the pod (`test -f`) and use `tlsPathsFor` with `legacyCa`.
 */
export function tlsPathsFor(release: string | undefined, opts: { legacyCa?: boolean } = {}): EtcdTlsPaths {
  if (opts.legacyCa !== undefined) return opts.legacyCa ? { ...TLS_PATHS, ca: LEGACY_CA_PATH } : TLS_PATHS;
  const m = /^v?(\d+)\.(\d+)/.exec(release ?? '');
  if (m && (Number(m[1]) < 4 || (Number(m[1]) === 4 && Number(m[2]) < 12))) return { ...TLS_PATHS, ca: LEGACY_CA_PATH };
  return TLS_PATHS;
}

/** `etcdctl` with the client certificate against the pod's own member (or, with --cluster, every member). */
export function etcdctl(tls: EtcdTlsPaths, args: string[], opts: { endpoints?: string; commandTimeout?: string } = {}): string[] {
  return [
    'etcdctl',
    '--cacert',
    tls.ca,
    '--cert',
    tls.cert,
    '--key',
    tls.key,
    '--endpoints',
    opts.endpoints ?? ETCD_LOCAL_ENDPOINT,
    // A member that is down costs the command timeout in `endpoint health` (measured with 3.6:
    // the dial timeout does not bound it); `snapshot save` is bounded by it too, and passes more.
    '--dial-timeout=3s',
    `--command-timeout=${opts.commandTimeout ?? '5s'}`,
    ...args,
  ];
}

export const memberListArgs = ['member', 'list', '-w', 'json'];
export const endpointStatusArgs = ['endpoint', 'status', '--cluster', '-w', 'json'];
export const endpointHealthArgs = ['endpoint', 'health', '--cluster', '-w', 'json'];
export const hashKvArgs = (revision: number) => ['endpoint', 'hashkv', '--cluster', `--rev=${revision}`, '-w', 'json'];

// ---------------------------------------------------------------------------------- JSON parsing

/**
 * JSON.parse, except that integers of 16 digits or more (uint64 IDs) become decimal strings.
 * A small scanner, so that digits inside string values are never touched.
 */
export function parseEtcdJson(text: string): unknown {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
      continue;
    }
    if ((c >= '0' && c <= '9') || c === '-') {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j])) j++;
      const num = text.slice(i, j);
      out += /^-?\d{16,}$/.test(num) ? `"${num}"` : num;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return JSON.parse(out);
}

/** An etcd uint64 ID (number or decimal string) as etcdctl's tables show it: lower-case hex. */
export function hexId(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  try {
    return BigInt(value as string | number).toString(16);
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));

export interface MemberInfo {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** `etcdctl member list -w json`. A member that was added but never started has no name yet. */
export function parseMemberList(text: string): { clusterId?: string; members: MemberInfo[] } {
  const doc = parseEtcdJson(text) as { header?: { cluster_id?: unknown }; members?: Record<string, unknown>[] };
  return {
    clusterId: hexId(doc.header?.cluster_id),
    members: (doc.members ?? []).map((m) => ({
      id: hexId(m.ID) ?? '',
      name: String(m.name ?? ''),
      peerURLs: (m.peerURLs as string[] | undefined) ?? [],
      clientURLs: (m.clientURLs as string[] | undefined) ?? [],
      isLearner: m.isLearner === true,
    })),
  };
}

export interface EndpointStatus {
  endpoint: string;
  memberId: string;
  leaderId?: string;
  version?: string;
  revision?: number;
  raftTerm?: number;
  raftIndex?: number;
  raftAppliedIndex?: number;
  dbSize?: number;
  dbSizeInUse?: number;
  isLearner: boolean;
  errors: string[];
}

/** `etcdctl endpoint status -w json`: one entry per endpoint that answered (others go to stderr). */
export function parseEndpointStatus(text: string): EndpointStatus[] {
  if (!text.trim()) return [];
  const doc = parseEtcdJson(text) as { Endpoint: string; Status: Record<string, unknown> & { header?: Record<string, unknown> } }[];
  return doc.map(({ Endpoint, Status: s }) => ({
    endpoint: Endpoint,
    memberId: hexId(s.header?.member_id) ?? '',
    leaderId: hexId(s.leader),
    version: s.version as string | undefined,
    revision: num(s.header?.revision),
    raftTerm: num(s.raftTerm ?? s.header?.raft_term),
    raftIndex: num(s.raftIndex),
    raftAppliedIndex: num(s.raftAppliedIndex),
    dbSize: num(s.dbSize),
    dbSizeInUse: num(s.dbSizeInUse),
    isLearner: s.isLearner === true,
    errors: (s.errors as string[] | undefined) ?? [],
  }));
}

export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  took?: string;
  error?: string;
}

/** `etcdctl endpoint health -w json`: every endpoint, healthy or not (exit code 1 when any is not). */
export function parseEndpointHealth(text: string): EndpointHealth[] {
  if (!text.trim()) return [];
  const doc = parseEtcdJson(text) as { endpoint: string; health: boolean; took?: string; error?: string }[];
  return doc.map((h) => ({ endpoint: h.endpoint, health: h.health === true, took: h.took, error: h.error || undefined }));
}

export interface EndpointHash {
  endpoint: string;
  memberId: string;
  hash: number;
  hashRevision?: number;
  compactRevision?: number;
}

/** `etcdctl endpoint hashkv --rev=R -w json`. */
export function parseHashKv(text: string): EndpointHash[] {
  if (!text.trim()) return [];
  const doc = parseEtcdJson(text) as { Endpoint: string; HashKV: Record<string, unknown> & { header?: Record<string, unknown> } }[];
  return doc.map(({ Endpoint, HashKV: h }) => ({
    endpoint: Endpoint,
    memberId: hexId(h.header?.member_id) ?? '',
    hash: Number(h.hash ?? 0),
    hashRevision: num(h.hash_revision),
    compactRevision: num(h.compact_revision),
  }));
}

export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
  version?: string;
}

/** `etcdutl snapshot status FILE -w json`. */
export function parseSnapshotStatus(text: string): SnapshotStatus {
  const s = parseEtcdJson(text) as Record<string, unknown>;
  if (typeof s !== 'object' || s === null || s.revision === undefined)
    throw new Error(`unexpected etcdutl snapshot status output: ${text.trim().slice(0, 200)}`);
  return {
    hash: Number(s.hash ?? 0),
    revision: Number(s.revision),
    totalKey: Number(s.totalKey ?? 0),
    totalSize: Number(s.totalSize ?? 0),
    version: s.version as string | undefined,
  };
}

/** `sha256sum FILE` output: the hex digest. */
export function parseSha256sum(text: string): string {
  const m = /^([0-9a-f]{64})\b/.exec(text.trim());
  if (!m) throw new Error(`unexpected sha256sum output: ${text.trim().slice(0, 200)}`);
  return m[1];
}

/** The member name (etcd-N) in a client or peer URL such as https://etcd-2.etcd-client.ns.svc:2379. */
export function memberNameOfUrl(url: string): string | undefined {
  return /^https?:\/\/(etcd-\d+)\./.exec(url)?.[1];
}

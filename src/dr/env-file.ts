/**
 * `dr migrate --vars-file`: the variables of the docs' 8.4.6 script (and 8.4.1's example
 * environment), read without running the file as a shell would: `KEY=value` lines, an optional
 * `export `, single or double quotes, `#` comments, and `${VAR}` / `$VAR` references to variables
 * defined earlier in the file (the docs' files build paths that way). Nothing is executed.
 */
import { UsageError } from '../util/errors.ts';

/** What each variable we use becomes. */
export const ENV_FILE_VARIABLES = {
  MGMT_KUBECONFIG: '--from-kubeconfig',
  MGMT2_KUBECONFIG: '--to-kubeconfig',
  HC_CLUSTER_NS: '-n',
  HC_CLUSTER_NAME: 'NAME',
  HC_KUBECONFIG: '--guest-kubeconfig',
  BUCKET_NAME: '--bucket',
  BACKUP_DIR: '--backup-dir',
  AWS_CREDS: 'AWS_SHARED_CREDENTIALS_FILE',
  AWS_ZONE_ID: '--zone-id',
  MGMT_REGION: '--region',
  EXTERNAL_DNS_DOMAIN: 'checked against the external-dns domain filter',
} as const;

/** Read and understood, but with nothing to do: why, for the "ignored" line. */
export const ENV_FILE_NOT_NEEDED: Record<string, string> = {
  CONTROL_PLANE_AVAILABILITY_POLICY: 'every etcd member is found and snapshotted, whatever the policy',
  NODE_POOL_REPLICAS: 'every NodePool and its replicas are read from the cluster',
  NODEPOOLS: 'every NodePool of the cluster is migrated',
  MGMT2_REGION: 'the presigned URL is signed for the bucket',
};

/**
 * Every other variable the docs' 8.4.1 and 8.4.6 files and scripts set (helper paths, names, the
 * script's own): read and ignored. A variable outside all three lists that no other line refers to
 * is most likely a typo (HC_CLUSTR_NAME), which would silently leave a setting at its default: it is
 * refused (issue 11's bad-input corpus).
 */
export const DOCS_VARIABLES = new Set(
  (
    'ACCESS_KEY BASE_DOMAIN BASE_PATH CL_NAME CONTENT_TYPE DATE_VALUE ETCDCTL_API ETCD_PODS ETCD_SNAPSHOT ETCD_SNAPSHOT_URL FILEPATH HC ' +
    'HC_BACKUP_FILE HC_CLUSTER_DIR HC_NEW_FILE HC_REGION HC_RESTORE_FILE HYPERSHIFT_CLI HYPERSHIFT_IMAGE HYPERSHIFT_PATH KUBECONFIG ' +
    'MGMT2_CLUSTER_DIR MGMT2_CLUSTER_NAME MGMT2_CLUSTER_NS MGMT_CLUSTER_DIR MGMT_CLUSTER_NAME MGMT_CLUSTER_NS NODE_STATUS PAUSED_UNTIL ' +
    'PULL_SECRET_FILE SECRET_KEY SIGNATURE_HASH SIGNATURE_STRING SSH_KEY_FILE'
  ).split(' '),
);

export type EnvFileSettings = Partial<Record<keyof typeof ENV_FILE_VARIABLES, string>>;

export interface ParsedEnvFile {
  settings: EnvFileSettings;
  /** Variables set in the file that kubectl hcp does not use, with the reason when known. */
  ignored: string[];
}

export function parseEnvFile(text: string, source: string): ParsedEnvFile {
  const vars: Record<string, string> = {};
  const order: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new UsageError(`${source}:${index + 1}: not a KEY=value line`);
    const [, key, rest] = m;
    vars[key] = unquote(rest.replace(/\s+#.*$/, ''), vars, `${source}:${index + 1}`);
    if (!order.includes(key)) order.push(key);
  });
  const referenced = new Set([...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
  const unknown = order.find((k) => !(k in ENV_FILE_VARIABLES) && !(k in ENV_FILE_NOT_NEEDED) && !DOCS_VARIABLES.has(k) && !referenced.has(k));
  if (unknown !== undefined) {
    throw new UsageError(
      `${source}: unknown variable ${unknown}: not one of the docs' 8.4.6 variables (kubectl hcp reads ${Object.keys(ENV_FILE_VARIABLES).join(', ')})`,
    );
  }
  const settings: EnvFileSettings = {};
  const ignored: string[] = [];
  for (const key of order) {
    if (key in ENV_FILE_VARIABLES) settings[key as keyof EnvFileSettings] = vars[key];
    else ignored.push(ENV_FILE_NOT_NEEDED[key] ? `${key} (${ENV_FILE_NOT_NEEDED[key]})` : key);
  }
  return { settings, ignored };
}

function unquote(value: string, vars: Record<string, string>, where: string): string {
  const v = value.trim();
  if (v.startsWith("'")) {
    if (!v.endsWith("'") || v.length < 2) throw new UsageError(`${where}: unterminated single quote`);
    return v.slice(1, -1);
  }
  let body = v;
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) throw new UsageError(`${where}: unterminated double quote`);
    body = v.slice(1, -1);
  }
  // ${VAR}, ${VAR:-default} and $VAR, from the file's earlier lines, then the environment's HOME and USER.
  return body.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string, def: string | undefined, b: string) => {
    const key = a ?? b;
    const found = vars[key] ?? (key === 'HOME' || key === 'USER' ? process.env[key] : undefined);
    if (found !== undefined && found !== '') return found;
    if (def !== undefined) return def;
    return '';
  });
}

/**
 * The bad-input corpus (issue 11): one row per case, every command, every kind of bad input the
 * issue lists. test/e2e/bad-inputs.test.ts runs each row with the BUILT binary against the
 * reachable sandbox and checks, per row:
 *   - the exit code: 2 for an input error; 1 where the input is well formed but names something
 *     that is not there (a HostedCluster, NodePool or pod: kubectl's NotFound is 1 too, and the
 *     README's exit-code table keeps 2 for what can be judged without the cluster) or a server
 *     that cannot be reached;
 *   - stderr: exactly one `error:` line, naming the bad value (`names`); for exit 1 only `hint:`
 *     lines may follow; never a stack trace;
 *   - the API server's audit log: no mutating request from the case at all, and for `api: 'none'`
 *     (every exit-2 row) no request of any kind: the validator answers before the client is made.
 *
 * Rows are data; files they need are made by `fixtures()` in a fresh directory.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Item =
  | 'timestamp'
  | 'duration'
  | 'metrics-set'
  | 'sre-config'
  | 'dashboard-template'
  | 'issuer'
  | 'file'
  | 'name'
  | 'nonexistent'
  | 's3-url'
  | 'conflict'
  | 'output'
  | 'kubeconfig'
  | 'unreachable'
  | 'snapshot-file'
  | 'env-file'
  | 'other';

export interface BadInputCase {
  id: string;
  item: Item;
  argv: (f: Fixtures) => string[];
  exit: 1 | 2;
  /** What the one error line must contain: the bad value, flag or name. */
  names: string | RegExp;
  /** 'none': no API request at all; 'reads': reads allowed (to find out that something is missing), writes never. */
  api: 'none' | 'reads';
  /** A reason this row cannot run yet (its command has not landed). */
  pending?: string;
}

export interface Fixtures {
  dir: string;
  missing: string;
  directory: string;
  secret: string;
  pem: string;
  notPem: string;
  sreUnknownComponent: string;
  sreBadAction: string;
  sreBadRegex: string;
  sreSourceLabelsString: string;
  sreNotYaml: string;
  sreEmpty: string;
  templateNotJson: string;
  templateYaml: string;
  kubeconfigMalformed: string;
  kubeconfigNotKubeconfig: string;
  kubeconfigUnreachable: string;
  snapshotTruncated: string;
  snapshotNotSnapshot: string;
  snapshotNoManifest: string;
  renderNotYaml: string;
  envUnknown: string;
  envNotKeyValue: string;
}

/** Writes every file the rows use into a new temporary directory. */
export function fixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-bad-inputs-'));
  const file = (name: string, text: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const directory = join(dir, 'a-directory');
  mkdirSync(directory);
  // A snapshot cut short: its manifest (in the form etcd snapshot writes) describes 4096 bytes,
  // the file holds the first 1000 of them.
  const whole = Buffer.alloc(4096, 7);
  const manifest = (name: string, body: Buffer) =>
    JSON.stringify({ kind: 'kubectl-hcp/etcd-snapshot', snapshot: { file: name, sha256: createHash('sha256').update(body).digest('hex'), size: body.length } });
  const truncatedName = 'sample-etcd-0-20261125T160412Z-snapshot.db';
  const truncated = file(truncatedName, whole.subarray(0, 1000));
  file(`${truncatedName}.manifest.json`, manifest(truncatedName, whole));
  const notSnapshot = file('notes-snapshot.db', 'these are my notes, not an etcd snapshot\n');
  file('notes-snapshot.db.manifest.json', 'not json at all');
  const noManifest = file('lonely-snapshot.db', Buffer.alloc(100, 1));
  return {
    dir,
    missing: join(dir, 'no-such-file'),
    directory,
    secret: file('client-secret', 'not-a-real-secret\n'),
    pem: file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
    notPem: file('ca.txt', 'this is not a certificate\n'),
    sreUnknownComponent: file('sre-unknown-component.yaml', 'kubeApiServerX:\n  - action: drop\n    regex: "etcd_.*"\n    sourceLabels: [__name__]\n'),
    sreBadAction: file('sre-bad-action.yaml', 'etcd:\n  - action: delete\n    sourceLabels: [__name__]\n    regex: "etcd_.*"\n'),
    sreBadRegex: file('sre-bad-regex.yaml', 'etcd:\n  - action: drop\n    sourceLabels: [__name__]\n    regex: "(?=etcd_)"\n'),
    sreSourceLabelsString: file('sre-source-labels.yaml', 'etcd:\n  - action: keep\n    sourceLabels: __name__\n    regex: "etcd_.*"\n'),
    sreNotYaml: file('sre-not-yaml.yaml', 'etcd: [\n  - action: drop\n'),
    sreEmpty: file('sre-empty.yaml', ''),
    templateNotJson: file('template-not-json.json', '{ "title": "HCP", "panels": [ \n'),
    templateYaml: file('template.yaml', 'title: HCP\npanels: []\n'),
    kubeconfigMalformed: file('kubeconfig-malformed', 'apiVersion: v1\nclusters: [\n  - name: x\n    cluster: {server: \n'),
    kubeconfigNotKubeconfig: file('kubeconfig-list', '- just\n- a\n- list\n'),
    kubeconfigUnreachable: file(
      'kubeconfig-unreachable',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        clusters: [{ name: 'gone', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 'bad-inputs' } }],
        contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }],
        'current-context': 'gone',
      }),
    ),
    snapshotTruncated: truncated,
    snapshotNotSnapshot: notSnapshot,
    snapshotNoManifest: noManifest,
    renderNotYaml: file('rendered.yaml', 'kind: HostedCluster\nspec: [\n'),
    envUnknown: file('migrate.env', 'HC_CLUSTER_NS=clusters\nHC_CLUSTR_NAME=sample\nBUCKET_NAME=hcp-sandbox\nMGMT2_KUBECONFIG=/dev/null\n'),
    envNotKeyValue: file('script.env', 'HC_CLUSTER_NAME=sample\noc get hostedclusters\n'),
  };
}

const IMG = 'quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64';
const LONG_NAME = `a${'b'.repeat(253)}`;
const NP = 'sample-us-east-1a';
const S3 = ['--s3-endpoint', 'http://127.0.0.1:1'];

/** `dr VERB sample` with the sandbox's bucket and a backup dir, plus `extra`. */
const drFrom = (verb: 'restore' | 'rollback', backupDir: string, ...extra: string[]) => [
  'dr',
  verb,
  'sample',
  '--bucket',
  'hcp-sandbox',
  '--backup-dir',
  backupDir,
  ...extra,
];

/** A valid `oauth add openid` of cluster sample, but for what `over` replaces and `extra` adds. */
const openid = (f: Fixtures, extra: string[] = [], over: { name?: string; issuer?: string; secret?: string } = {}): string[] => [
  'oauth',
  'add',
  'openid',
  over.name ?? 'sample',
  '--idp-name',
  'iam',
  '--issuer',
  over.issuer ?? 'https://idp.example.com',
  '--client-id',
  'c',
  '--client-secret-file',
  over.secret ?? f.secret,
  ...extra,
];

// Each helper makes rows of one kind; ids must be unique (the test checks).
const input = (id: string, item: Item, names: BadInputCase['names'], argv: BadInputCase['argv'], extra: Partial<BadInputCase> = {}): BadInputCase => ({
  id,
  item,
  argv,
  names,
  exit: 2,
  api: 'none',
  ...extra,
});
const missingObject = (id: string, names: BadInputCase['names'], argv: BadInputCase['argv']): BadInputCase => ({
  id,
  item: 'nonexistent',
  argv,
  names,
  exit: 1,
  api: 'reads',
});

export const cases: BadInputCase[] = [
  // ---- timestamps: no zone, in the past, malformed
  input('pause-until-no-zone', 'timestamp', '2026-12-01T08:00:00', () => ['pause', 'sample', '--until', '2026-12-01T08:00:00']),
  input('pause-until-past', 'timestamp', '2020-01-01T00:00:00Z', () => ['pause', 'sample', '--until', '2020-01-01T00:00:00Z']),
  input('pause-until-malformed', 'timestamp', 'tomorrow', () => ['pause', 'sample', '--until', 'tomorrow']),
  input('pause-until-month-13', 'timestamp', '2027-13-01T00:00:00Z', () => ['pause', 'sample', '--until', '2027-13-01T00:00:00Z']),
  input('pause-until-date-only', 'timestamp', '2027-01-01', () => ['pause', 'sample', '--until', '2027-01-01']),
  input('pause-all-until-no-zone', 'timestamp', '2027-01-01T00:00', () => ['pause', '--all', '--until', '2027-01-01T00:00']),
  input('dump-since-time-no-zone', 'timestamp', '2026-11-25T10:00:00', (f) => [
    'dump',
    'sample',
    '--artifact-dir',
    join(f.dir, 'd1'),
    '--since-time',
    '2026-11-25T10:00:00',
  ]),
  input('dump-since-time-malformed', 'timestamp', 'yesterday', (f) => ['dump', 'sample', '--artifact-dir', join(f.dir, 'd2'), '--since-time', 'yesterday']),

  // ---- durations: a unit Go lacks, negative, past Go's range, not a duration
  input('pause-for-days', 'duration', '1d', () => ['pause', 'sample', '--for', '1d']),
  input('pause-for-negative', 'duration', '-5m', () => ['pause', 'sample', '--for', '-5m']),
  input('pause-for-out-of-range', 'duration', '3000000h', () => ['pause', 'sample', '--for', '3000000h']),
  input('pause-for-words', 'duration', 'two hours', () => ['pause', 'sample', '--for', 'two hours']),
  input('pause-for-no-unit', 'duration', '90', () => ['pause', 'sample', '--for', '90']),
  input('nodepool-scale-drain-days', 'duration', '1d', () => ['nodepool', 'scale', NP, '--replicas', '0', '--drain-timeout', '1d']),
  input('nodepool-set-drain-negative', 'duration', '-5m', () => ['nodepool', 'set', NP, '--drain-timeout', '-5m']),
  input('nodepool-set-detach-out-of-range', 'duration', '9999999h', () => ['nodepool', 'set', NP, '--volume-detach-timeout', '9999999h']),
  input('nodepool-scale-wait-timeout', 'duration', 'later', () => ['nodepool', 'scale', NP, '--replicas', '1', '--wait', '--wait-timeout', 'later']),
  input('dashboards-enable-wait-days', 'duration', '1d', () => ['dashboards', 'enable', '--wait', '--wait-timeout', '1d']),
  input('metrics-set-wait-negative', 'duration', '-5m', () => ['metrics', 'set', 'SRE', '--wait', '--wait-timeout', '-5m']),
  input('upgrade-wait-days', 'duration', '1d', () => ['upgrade', 'sample', '--release-image', IMG, '--wait', '--wait-timeout', '1d']),
  input('oauth-wait-days', 'duration', '1d', (f) => openid(f, ['--wait', '--wait-timeout', '1d'])),
  input('etcd-snapshot-wait-days', 'duration', '1d', (f) => ['etcd', 'snapshot', 'sample', '--to', `file://${f.dir}/snaps`, '--wait-timeout', '1d']),
  input('etcd-recover-wait-negative', 'duration', '-5m', () => ['etcd', 'recover', 'sample', 'etcd-2', '--wait-timeout', '-5m']),
  input('etcd-restore-url-expires-days', 'duration', '7d', () => [
    'etcd',
    'restore-url',
    'new-cluster',
    '--from',
    's3://hcp-sandbox/etcd/x-snapshot.db',
    '--expires',
    '7d',
    ...S3,
  ]),
  input('etcd-restore-url-expires-too-long', 'duration', '200h', () => [
    'etcd',
    'restore-url',
    'new-cluster',
    '--from',
    's3://hcp-sandbox/etcd/x-snapshot.db',
    '--expires',
    '200h',
    ...S3,
  ]),
  input('dump-since-days', 'duration', '1d', (f) => ['dump', 'sample', '--artifact-dir', join(f.dir, 'd3'), '--since', '1d']),
  input('dump-since-negative', 'duration', '-5m', (f) => ['dump', 'sample', '--artifact-dir', join(f.dir, 'd4'), '--since', '-5m']),
  input('request-timeout-words', 'duration', 'forever', () => ['status', 'sample', '--request-timeout', 'forever']),

  // ---- metrics sets and SRE configs
  input('metrics-set-unknown', 'metrics-set', 'Sre2', () => ['metrics', 'set', 'Sre2']),
  input('metrics-set-unknown-lowercase', 'metrics-set', 'everything', () => ['metrics', 'set', 'everything', '--hosted-cluster', 'sample']),
  input('metrics-set-missing', 'metrics-set', /set|SET/, () => ['metrics', 'set']),
  input('sre-validate-unknown-component', 'sre-config', 'kubeApiServerX', (f) => ['metrics', 'sre-config', 'validate', '-f', f.sreUnknownComponent]),
  input('sre-apply-unknown-component', 'sre-config', 'kubeApiServerX', (f) => ['metrics', 'sre-config', 'apply', '-f', f.sreUnknownComponent]),
  input('sre-validate-bad-action', 'sre-config', 'delete', (f) => ['metrics', 'sre-config', 'validate', '-f', f.sreBadAction]),
  input('sre-apply-bad-action', 'sre-config', 'delete', (f) => ['metrics', 'sre-config', 'apply', '-f', f.sreBadAction]),
  input('sre-validate-lookahead', 'sre-config', 'etcd[1]', (f) => ['metrics', 'sre-config', 'validate', '-f', f.sreBadRegex]),
  input('sre-apply-lookahead', 'sre-config', 'etcd[1]', (f) => ['metrics', 'sre-config', 'apply', '-f', f.sreBadRegex]),
  input('sre-validate-source-labels-string', 'sre-config', 'sourceLabels', (f) => ['metrics', 'sre-config', 'validate', '-f', f.sreSourceLabelsString]),
  input('sre-apply-source-labels-string', 'sre-config', 'sourceLabels', (f) => ['metrics', 'sre-config', 'apply', '-f', f.sreSourceLabelsString]),
  input('sre-apply-not-yaml', 'sre-config', 'sre-not-yaml.yaml', (f) => ['metrics', 'sre-config', 'apply', '-f', f.sreNotYaml]),
  input('sre-apply-empty', 'sre-config', 'sre-empty.yaml', (f) => ['metrics', 'sre-config', 'apply', '-f', f.sreEmpty]),

  // ---- dashboard templates
  input('template-set-not-json', 'dashboard-template', 'template-not-json.json', (f) => ['dashboards', 'template', 'set', '-f', f.templateNotJson]),
  input('template-set-yaml', 'dashboard-template', 'template.yaml', (f) => ['dashboards', 'template', 'set', '-f', f.templateYaml]),
  input('template-render-not-json', 'dashboard-template', 'template-not-json.json', (f) => [
    'dashboards',
    'template',
    'render',
    'sample',
    '-f',
    f.templateNotJson,
  ]),

  // ---- OAuth issuers and identity-provider inputs
  ...(
    [
      ['issuer-http', 'http://idp.example.com'],
      ['issuer-query', 'https://idp.example.com/realms/ocp?x=1'],
      ['issuer-fragment', 'https://idp.example.com/realms/ocp#top'],
      ['issuer-not-url', 'idp.example.com'],
      ['issuer-ftp', 'ftp://idp.example.com'],
    ] as const
  ).map(([id, issuer]) => input(id, 'issuer', issuer, (f) => openid(f, [], { issuer }))),
  input('oauth-github-org-and-team', 'conflict', /--organization|--team/, (f) => [
    'oauth',
    'add',
    'github',
    'sample',
    '--idp-name',
    'gh',
    '--client-id',
    'c',
    '--client-secret-file',
    f.secret,
    '--organization',
    'o',
    '--team',
    'o/t',
  ]),
  input('oauth-ldap-insecure-and-ca', 'conflict', /--insecure|--ca-file/, (f) => [
    'oauth',
    'add',
    'ldap',
    'sample',
    '--idp-name',
    'corp',
    '--url',
    'ldap://ldap.example.com/ou=u?uid',
    '--insecure',
    '--ca-file',
    f.pem,
  ]),
  input('oauth-ldap-url-scheme', 'other', 'http://ldap.example.com', () => [
    'oauth',
    'add',
    'ldap',
    'sample',
    '--idp-name',
    'corp',
    '--url',
    'http://ldap.example.com/ou=u?uid',
  ]),
  input('oauth-remove-bad-idp-name', 'name', 'a:b', () => ['oauth', 'remove', 'sample', '--idp-name', 'a:b']),
  input('oauth-add-bad-cluster-name', 'name', 'Sample', (f) => openid(f, [], { name: 'Sample' })),

  // ---- missing or unreadable files
  input('sre-apply-missing-file', 'file', 'no-such-file', (f) => ['metrics', 'sre-config', 'apply', '-f', f.missing]),
  input('sre-validate-directory', 'file', 'a-directory', (f) => ['metrics', 'sre-config', 'validate', '-f', f.directory]),
  input('template-set-missing-file', 'file', 'no-such-file', (f) => ['dashboards', 'template', 'set', '-f', f.missing]),
  input('template-set-directory', 'file', 'a-directory', (f) => ['dashboards', 'template', 'set', '-f', f.directory]),
  input('template-render-missing-file', 'file', 'no-such-file', (f) => ['dashboards', 'template', 'render', 'sample', '-f', f.missing]),
  input('oauth-secret-file-missing', 'file', 'no-such-file', (f) => openid(f, [], { secret: f.missing })),
  input('oauth-secret-file-directory', 'file', 'a-directory', (f) => openid(f, [], { secret: f.directory })),
  input('oauth-ca-file-missing', 'file', 'no-such-file', (f) => openid(f, ['--ca-file', f.missing])),
  input('oauth-ca-file-not-pem', 'file', '--ca-file', (f) => openid(f, ['--ca-file', f.notPem])),
  input('oauth-htpasswd-file-missing', 'file', 'no-such-file', (f) => [
    'oauth',
    'add',
    'htpasswd',
    'sample',
    '--idp-name',
    'local',
    '--htpasswd-file',
    f.missing,
  ]),
  input('restore-url-render-missing', 'file', 'no-such-file', (f) => [
    'etcd',
    'restore-url',
    'new-cluster',
    '--from',
    's3://hcp-sandbox/etcd/x-snapshot.db',
    '--render-from',
    f.missing,
    ...S3,
  ]),
  input('kubeconfig-missing-file', 'file', 'no-such-file', (f) => ['status', 'sample', '--kubeconfig', f.missing]),

  // ---- bad names: upper case, too long, characters a name cannot hold
  input('pause-name-underscore', 'name', 'Bad_Name', () => ['pause', 'Bad_Name']),
  input('pause-name-too-long', 'name', LONG_NAME, () => ['pause', LONG_NAME]),
  input('status-name-upper', 'name', 'SAMPLE', () => ['status', 'SAMPLE']),
  input('resume-name-upper', 'name', 'Sample', () => ['resume', 'Sample']),
  input('upgrade-name-upper', 'name', 'Sample', () => ['upgrade', 'Sample', '--release-image', IMG]),
  input('nodepool-scale-name-underscore', 'name', 'NP_1', () => ['nodepool', 'scale', 'NP_1', '--replicas', '1']),
  input('nodepool-list-name-upper', 'name', 'Bad_Name', () => ['nodepool', 'list', 'Bad_Name']),
  input('featuregate-show-name-upper', 'name', 'Sample', () => ['featuregate', 'show', 'Sample']),
  input('etcd-status-name-upper', 'name', 'Sample', () => ['etcd', 'status', 'Sample']),
  input('etcd-recover-member-bad', 'name', 'etcd-x', () => ['etcd', 'recover', 'sample', 'etcd-x']),
  input('dump-name-too-long', 'name', LONG_NAME, (f) => ['dump', LONG_NAME, '--artifact-dir', join(f.dir, 'd5')]),
  input('namespace-upper', 'name', 'Not_A_Namespace', () => ['pause', 'sample', '-n', 'Not_A_Namespace']),
  input('hypershift-namespace-too-long', 'name', `h${'x'.repeat(63)}`, () => ['dashboards', 'status', '--hypershift-namespace', `h${'x'.repeat(63)}`]),

  // ---- names of things that are not there (exit 1, after reads only)
  missingObject('status-missing-cluster', 'no-such-cluster', () => ['status', 'no-such-cluster']),
  missingObject('pause-missing-cluster', 'no-such-cluster', () => ['pause', 'no-such-cluster']),
  missingObject('resume-missing-cluster', 'no-such-cluster', () => ['resume', 'no-such-cluster']),
  missingObject('upgrade-missing-cluster', 'no-such-cluster', () => ['upgrade', 'no-such-cluster', '--release-image', IMG]),
  missingObject('featuregate-missing-cluster', 'no-such-cluster', () => ['featuregate', 'show', 'no-such-cluster']),
  missingObject('etcd-status-missing-cluster', 'no-such-cluster', () => ['etcd', 'status', 'no-such-cluster']),
  missingObject('oauth-list-missing-cluster', 'no-such-cluster', () => ['oauth', 'list', 'no-such-cluster']),
  missingObject('dump-missing-cluster', 'no-such-cluster', (f) => ['dump', 'no-such-cluster', '--artifact-dir', join(f.dir, 'd6')]),
  missingObject('nodepool-scale-missing-pool', 'no-such-pool', () => ['nodepool', 'scale', 'no-such-pool', '--replicas', '1']),
  missingObject('nodepool-update-missing-pool', 'no-such-pool', () => ['nodepool', 'update', 'no-such-pool', '--release-image', IMG]),
  missingObject('nodepool-set-missing-pool', 'no-such-pool', () => ['nodepool', 'set', 'no-such-pool', '--drain-timeout', '1m']),
  missingObject('nodepool-list-missing-cluster', 'no-such-cluster', () => ['nodepool', 'list', 'no-such-cluster']),
  missingObject('etcd-recover-missing-pod', 'etcd-7', () => ['etcd', 'recover', 'sample', 'etcd-7']),
  missingObject('etcd-snapshot-missing-member', 'etcd-9', (f) => ['etcd', 'snapshot', 'sample', '--to', `file://${f.dir}/snaps`, '--member', 'etcd-9']),
  missingObject('pause-cluster-other-namespace', 'sample', () => ['pause', 'sample', '-n', 'no-such-namespace']),

  // ---- S3 URLs and snapshot destinations
  input('snapshot-to-s3-no-bucket', 's3-url', 's3://', () => ['etcd', 'snapshot', 'sample', '--to', 's3://', ...S3]),
  input('snapshot-to-s3-empty-bucket', 's3-url', 's3:///etcd', () => ['etcd', 'snapshot', 'sample', '--to', 's3:///etcd', ...S3]),
  input('snapshot-to-s3-bad-bucket', 's3-url', 'My_Bucket', () => ['etcd', 'snapshot', 'sample', '--to', 's3://My_Bucket/etcd', ...S3]),
  input('snapshot-to-ftp', 's3-url', 'ftp://backups', () => ['etcd', 'snapshot', 'sample', '--to', 'ftp://backups/etcd']),
  input('snapshot-to-file-no-dir', 's3-url', 'file://', () => ['etcd', 'snapshot', 'sample', '--to', 'file://']),
  input('restore-from-s3-no-bucket', 's3-url', 's3://', () => ['etcd', 'restore', 'sample', '--from', 's3://', ...S3]),
  input('restore-url-from-s3-no-bucket', 's3-url', 's3:///x-snapshot.db', () => ['etcd', 'restore-url', 'new-cluster', '--from', 's3:///x-snapshot.db', ...S3]),
  input('restore-url-from-file', 's3-url', '/backups', () => ['etcd', 'restore-url', 'new-cluster', '--from', '/backups/x-snapshot.db']),
  input('restore-from-not-db', 's3-url', 'x.tar.gz', () => ['etcd', 'restore', 'sample', '--from', 's3://hcp-sandbox/etcd/x.tar.gz', ...S3]),

  // ---- conflicting flags and missing targets
  input('pause-name-and-all', 'conflict', /--all/, () => ['pause', 'sample', '--all']),
  input('pause-for-and-until', 'conflict', /--until|--for/, () => ['pause', 'sample', '--for', '1h', '--until', '2027-01-01T00:00:00Z']),
  input('pause-no-target', 'conflict', /--all/, () => ['pause']),
  input('status-name-and-all', 'conflict', /--all/, () => ['status', 'sample', '--all']),
  input('nodepool-replicas-and-autoscaling', 'conflict', /--autoscaling|--replicas/, () => [
    'nodepool',
    'scale',
    NP,
    '--replicas',
    '1',
    '--autoscaling',
    '1:2',
  ]),
  input('nodepool-autoscaling-inverted', 'other', '3:1', () => ['nodepool', 'scale', NP, '--autoscaling', '3:1']),
  input('nodepool-replicas-negative', 'other', '-1', () => ['nodepool', 'scale', NP, '--replicas', '-1']),
  input('metrics-set-and-unset', 'conflict', /--unset/, () => ['metrics', 'set', 'SRE', '--unset', '--hosted-cluster', 'sample']),
  input('snapshot-member-and-all-members', 'conflict', /--member|--all-members/, (f) => [
    'etcd',
    'snapshot',
    'sample',
    '--to',
    `file://${f.dir}/snaps`,
    '--member',
    'etcd-0',
    '--all-members',
  ]),
  input('dump-since-and-since-time', 'conflict', /--since/, (f) => [
    'dump',
    'sample',
    '--artifact-dir',
    join(f.dir, 'd7'),
    '--since',
    '1h',
    '--since-time',
    '2026-11-25T10:00:00Z',
  ]),
  input('featuregate-enable-without-custom', 'conflict', /--enable|CustomNoUpgrade/, () => [
    'featuregate',
    'set',
    'sample',
    'TechPreviewNoUpgrade',
    '--enable',
    'GatewayAPI',
  ]),
  input('featuregate-unknown-set', 'other', 'EverythingOn', () => ['featuregate', 'set', 'sample', 'EverythingOn']),
  input('upgrade-release-not-image', 'other', 'not an image', () => ['upgrade', 'sample', '--release-image', 'not an image']),
  input('nodepool-update-release-no-tag', 'other', 'quay.io/ocp-release', () => ['nodepool', 'update', NP, '--release-image', 'quay.io/ocp-release']),
  input('dry-run-unknown', 'other', 'maybe', () => ['pause', 'sample', '--dry-run=maybe']),
  input('unknown-command', 'other', 'bogus', () => ['bogus']),
  input('unknown-flag', 'other', '--bogus', () => ['version', '--bogus']),
  input('label-selector-malformed', 'other', 'a in (b', () => ['pause', '-l', 'a in (b']),

  // ---- -o
  input('status-output-xml', 'output', 'xml', () => ['status', 'sample', '-o', 'xml']),
  input('nodepool-list-output-wide', 'output', 'wide', () => ['nodepool', 'list', '-o', 'wide']),
  input('etcd-status-output-csv', 'output', 'csv', () => ['etcd', 'status', 'sample', '-o', 'csv']),
  input('pause-output-name', 'output', 'name', () => ['pause', 'sample', '-o', 'name']),
  input('metrics-show-output-jsonpath', 'output', 'jsonpath', () => ['metrics', 'show', '-o', 'jsonpath={.x}']),
  input('dump-output-xml', 'output', 'xml', (f) => ['dump', 'sample', '--artifact-dir', join(f.dir, 'd8'), '-o', 'xml']),

  // ---- kubeconfigs and servers
  input('kubeconfig-malformed', 'kubeconfig', 'kubeconfig-malformed', (f) => ['status', 'sample', '--kubeconfig', f.kubeconfigMalformed]),
  input('kubeconfig-not-a-kubeconfig', 'kubeconfig', 'kubeconfig-list', (f) => ['pause', 'sample', '--kubeconfig', f.kubeconfigNotKubeconfig]),
  input('kubeconfig-unknown-context', 'kubeconfig', 'no-such-context', () => ['status', 'sample', '--context', 'no-such-context']),
  { ...input('server-unreachable-status', 'unreachable', '127.0.0.1:9', (f) => ['status', 'sample', '--kubeconfig', f.kubeconfigUnreachable]), exit: 1 },
  { ...input('server-unreachable-pause', 'unreachable', '127.0.0.1:9', (f) => ['pause', 'sample', '--kubeconfig', f.kubeconfigUnreachable]), exit: 1 },

  // ---- snapshot files: truncated, not snapshots, without a manifest
  input('restore-truncated-snapshot', 'snapshot-file', 'sample-etcd-0-20261125T160412Z-snapshot.db', (f) => [
    'etcd',
    'restore',
    'sample',
    '--from',
    f.snapshotTruncated,
  ]),
  input('restore-not-a-snapshot', 'snapshot-file', 'notes-snapshot.db', (f) => ['etcd', 'restore', 'sample', '--from', f.snapshotNotSnapshot]),
  input('restore-no-manifest', 'snapshot-file', 'lonely-snapshot.db', (f) => ['etcd', 'restore', 'sample', '--from', f.snapshotNoManifest]),
  input('restore-missing-snapshot', 'snapshot-file', 'no-such-file', (f) => ['etcd', 'restore', 'sample', '--from', `${f.missing}.db`]),
  input('restore-render-not-yaml', 'file', '--render-from', (f) => [
    'etcd',
    'restore-url',
    'new-cluster',
    '--from',
    's3://hcp-sandbox/etcd/x-snapshot.db',
    '--render-from',
    f.renderNotYaml,
    ...S3,
  ]),

  // ---- delete, dr, completion, version (destructive commands never get -y: a validator bug meets the no-TTY refusal)
  input('delete-name-upper', 'name', 'Sample', () => ['delete', 'Sample']),
  input('delete-wait-days', 'duration', '1d', () => ['delete', 'sample', '--wait-timeout', '1d']),
  input('delete-output-xml', 'output', 'xml', () => ['delete', 'sample', '-o', 'xml']),
  missingObject('delete-missing-cluster', 'no-such-cluster', () => ['delete', 'no-such-cluster']),
  input('dr-backup-no-bucket', 'conflict', '--bucket', () => ['dr', 'backup', 'sample']),
  input('dr-backup-bad-bucket', 's3-url', 'My_Bucket', () => ['dr', 'backup', 'sample', '--bucket', 'My_Bucket']),
  input('dr-backup-absolute-prefix', 's3-url', '/dr', () => ['dr', 'backup', 'sample', '--bucket', 'hcp-sandbox', '--prefix', '/dr']),
  input('dr-backup-name-upper', 'name', 'Sample', () => ['dr', 'backup', 'Sample', '--bucket', 'hcp-sandbox']),
  input('dr-backup-dns-timeout-days', 'duration', '1d', () => ['dr', 'backup', 'sample', '--bucket', 'hcp-sandbox', '--dns-timeout', '1d']),
  input('dr-backup-unknown-context', 'kubeconfig', 'no-such-context', () => [
    'dr',
    'backup',
    'sample',
    '--bucket',
    'hcp-sandbox',
    '--from-context',
    'no-such-context',
  ]),
  input('dr-restore-no-destination', 'conflict', /--to-context|--to-kubeconfig/, (f) => drFrom('restore', f.directory)),
  input('dr-restore-missing-backup-dir', 'file', 'no-such-file', (f) => drFrom('restore', f.missing, '--to-context', 'mgmt-2')),
  input('dr-restore-url-expires-too-long', 'duration', '200h', (f) =>
    drFrom('restore', f.directory, '--to-context', 'mgmt-2', '--restore-url-expires', '200h'),
  ),
  input('dr-restore-url-endpoint-ftp', 'other', 'ftp://minio', (f) =>
    drFrom('restore', f.directory, '--to-context', 'mgmt-2', '--restore-url-endpoint', 'ftp://minio'),
  ),
  input('dr-restore-nodes-timeout-negative', 'duration', '-5m', (f) => drFrom('restore', f.directory, '--to-context', 'mgmt-2', '--nodes-timeout', '-5m')),
  input('dr-restore-to-kubeconfig-malformed', 'kubeconfig', 'kubeconfig-malformed', (f) =>
    drFrom('restore', f.directory, '--to-kubeconfig', f.kubeconfigMalformed),
  ),
  input('dr-rollback-no-backup-dir', 'conflict', '--backup-dir', () => ['dr', 'rollback', 'sample', '--bucket', 'hcp-sandbox', '--to-context', 'mgmt-2']),
  input('dr-rollback-missing-backup-dir', 'file', 'no-such-file', (f) => drFrom('rollback', f.missing, '--to-context', 'mgmt-2')),
  input('completion-unknown-shell', 'other', 'powershell', () => ['completion', 'powershell']),
  input('version-output-xml', 'output', 'xml', () => ['version', '-o', 'xml']),
  input('status-no-target', 'conflict', /--all/, () => ['status']),

  // ---- the remaining commands: one row each at least
  input('sre-show-output-xml', 'output', 'xml', () => ['metrics', 'sre-config', 'show', '-o', 'xml']),
  input('sre-default-argument', 'other', 'sample', () => ['metrics', 'sre-config', 'default', 'sample']),
  input('dashboards-disable-wait-days', 'duration', '1d', () => ['dashboards', 'disable', '--wait', '--wait-timeout', '1d']),
  input('template-get-argument', 'other', 'sample', () => ['dashboards', 'template', 'get', 'sample']),
  input('oauth-keystone-http-url', 'other', 'http://keystone.example.com:5000', () => [
    'oauth',
    'add',
    'keystone',
    'sample',
    '--idp-name',
    'os',
    '--url',
    'http://keystone.example.com:5000',
    '--domain-name',
    'default',
  ]),
  input('oauth-basic-auth-http-url', 'other', 'http://auth.example.com/check', () => [
    'oauth',
    'add',
    'basic-auth',
    'sample',
    '--idp-name',
    'basic',
    '--url',
    'http://auth.example.com/check',
  ]),
  input('oauth-request-header-no-ca', 'conflict', '--ca-file', () => [
    'oauth',
    'add',
    'request-header',
    'sample',
    '--idp-name',
    'sso',
    '--header',
    'X-Remote-User',
    '--login-url',
    'https://sso.example.com/login',
  ]),
  input('oauth-gitlab-url-ftp', 'other', 'ftp://gitlab.example.com', (f) => [
    'oauth',
    'add',
    'gitlab',
    'sample',
    '--idp-name',
    'gl',
    '--url',
    'ftp://gitlab.example.com',
    '--client-id',
    'c',
    '--client-secret-file',
    f.secret,
  ]),
  input('oauth-google-no-hosted-domain', 'conflict', '--hosted-domain', (f) => [
    'oauth',
    'add',
    'google',
    'sample',
    '--idp-name',
    'g',
    '--client-id',
    'c',
    '--client-secret-file',
    f.secret,
  ]),
  input('oauth-add-prototype-type', 'other', 'constructor', () => ['oauth', 'add', 'sample', '--type', 'constructor', '--idp-name', 'x']),

  // ---- numbers and more flags
  input('pause-concurrency-negative', 'other', '-1', () => ['pause', '--all', '--concurrency', '-1']),
  input('pause-concurrency-zero', 'other', /--concurrency.*0|0.*--concurrency/, () => ['pause', '--all', '--concurrency=0']),
  input('dump-concurrency-zero', 'other', /--concurrency/, (f) => ['dump', 'sample', '--artifact-dir', join(f.dir, 'd9'), '--concurrency', '0']),
  input('delete-dry-run-unknown', 'other', 'maybe', () => ['delete', 'sample', '--dry-run=maybe']),
  input('etcd-status-bucket-no-name', 's3-url', 's3://', () => ['etcd', 'status', 'sample', '--bucket', 's3://']),
  input('etcd-status-bucket-ftp', 's3-url', 'ftp://x', () => ['etcd', 'status', 'sample', '--bucket', 'ftp://x']),
  input('dump-include-kind-unknown', 'other', 'Bogus', (f) => ['dump', 'sample', '--artifact-dir', join(f.dir, 'd10'), '--include-kind', 'Bogus']),
  input('dump-exclude-kind-unknown', 'other', 'podz', (f) => ['dump', 'sample', '--artifact-dir', join(f.dir, 'd11'), '--exclude-kind', 'pods,podz']),

  input('request-timeout-negative', 'duration', '-1s', () => ['status', 'sample', '--request-timeout=-1s']),
  input('flag-without-value', 'other', '--hosted-cluster', () => ['metrics', 'set', 'SRE', '--hosted-cluster']),
  input('kubeconfig-directory', 'kubeconfig', 'a-directory', (f) => ['status', 'sample', '--kubeconfig', f.directory]),
  input('kubeconfig-unknown-cluster', 'kubeconfig', 'no-such-cluster', () => ['status', 'sample', '--cluster', 'no-such-cluster']),
  input('kubeconfig-unknown-user', 'kubeconfig', 'no-such-user', () => ['status', 'sample', '--user', 'no-such-user']),
  input('verbosity-not-number', 'other', 'abc', () => ['status', 'sample', '-v', 'abc']),
  input('nodepool-replicas-fraction', 'other', '1.5', () => ['nodepool', 'scale', NP, '--replicas', '1.5']),
  input('nodepool-autoscaling-dash', 'other', '1-3', () => ['nodepool', 'scale', NP, '--autoscaling', '1-3']),
  input('htpasswd-not-htpasswd', 'file', '--htpasswd-file', (f) => ['oauth', 'add', 'htpasswd', 'sample', '--idp-name', 'local', '--htpasswd-file', f.notPem]),

  input('dr-teardown-name-upper', 'name', 'Sample', () => ['dr', 'teardown', 'Sample']),
  // --guest-kubeconfig is read with the other inputs, by every dr command alike (one loader).
  input('dr-teardown-guest-kubeconfig-missing', 'file', 'no-such-file', (f) => [
    'dr',
    'teardown',
    'sample',
    '--to-context',
    'mgmt-2',
    '--guest-kubeconfig',
    f.missing,
  ]),
  input('dr-backup-guest-kubeconfig-directory', 'file', 'EISDIR', (f) => [
    'dr',
    'backup',
    'sample',
    '--bucket',
    'hcp-sandbox',
    '--guest-kubeconfig',
    f.directory,
  ]),

  // ---- dr migrate and its env file
  input('dr-migrate-env-unknown-variable', 'env-file', 'HC_CLUSTR_NAME', (f) => ['dr', 'migrate', '--vars-file', f.envUnknown, '--to-context', 'mgmt-2']),
  input('dr-migrate-env-not-key-value', 'env-file', 'script.env:2', (f) => ['dr', 'migrate', '--vars-file', f.envNotKeyValue, '--to-context', 'mgmt-2']),
  input('dr-migrate-env-missing', 'env-file', 'no-such-file', (f) => ['dr', 'migrate', '--vars-file', f.missing, '--to-context', 'mgmt-2']),
  // Node itself takes --env-file from any program's arguments (node_dotenv.cc) and exits 9 on a
  // missing file before kubectl-hcp runs: the flag is --vars-file for that reason.
  input('node-env-file-argument', 'env-file', 'no-such-file', (f) => ['dr', 'migrate', '--env-file', f.missing, '--to-context', 'mgmt-2'], {
    pending: "Node's own --env-file handling runs before kubectl-hcp (exit 9); cannot be fixed in the binary",
  }),
  input('dr-migrate-teardown-days', 'duration', '1d', () => [
    'dr',
    'migrate',
    'sample',
    '--bucket',
    'hcp-sandbox',
    '--to-context',
    'mgmt-2',
    '--teardown-timeout',
    '1d',
  ]),
];

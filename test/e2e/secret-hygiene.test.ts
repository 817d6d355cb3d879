// Secret hygiene (issue 11): canaries in every Secret the tool may read or write (OpenID and GitHub
// client secrets, an htpasswd file, an LDAP bind password, the etcd encryption key, the admin
// kubeconfig's credential, the management kubeconfig's credential) and in the AWS keys of the
// environment. Every command's e2e path runs with `-v 9` (and -o json for the NDJSON progress
// events), plus dump with its archive, the etcd snapshot to a directory and to MinIO, and dr backup; no canary
// may appear, plain or base64, in stdout, stderr, the journal files or the dump tree and archive.
// The snapshot directory may hold the encryption key only as a 0600 file in a 0700 directory.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostedCluster, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { waitForControlPlane } from './helpers/fault-flows.ts';
import { hcp } from './helpers/hcp.ts';
import { createNodePoolCopy } from './helpers/nodepool-copy.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const work = mkdtempSync(join(tmpdir(), 'hcp-e2e-secrets-'));
const stateHome = join(work, 'state');
const canary = (what: string) => `CANARY${what}${randomBytes(6).toString('hex')}`;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** Every file under dir, recursively. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('secret hygiene', () => {
  let ns = '';
  const name = 'sh';
  const np = 'sh-np';
  const planted = new Map<string, string>(); // label → secret value
  const forbidden: { label: string; needle: string }[] = [];
  const transcript: { argv: string; text: string }[] = [];
  const journals = new Map<string, string>();
  const awsCanaries = {
    AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: canary('AWSSECRET'),
    AWS_SESSION_TOKEN: canary('AWSSESSION'),
  };
  const secretFile = join(work, 'client-secret');
  const bindFile = join(work, 'bind-password');
  const htpasswdFile = join(work, 'htpasswd');
  const snapshotDir = join(work, 'backups');
  const dumpDir = join(work, 'dump');

  /** A value and the forms it may leak in: itself, base64 of it, and base64 of the file it came from. */
  const plant = (label: string, value: string, ...containers: string[]) => {
    planted.set(label, value);
    forbidden.push({ label, needle: value }, { label: `${label} (base64)`, needle: b64(value) });
    for (const c of containers) forbidden.push({ label: `${label} (base64 of its file)`, needle: b64(c) });
  };

  /** Runs `kubectl hcp ARGS -v 9` with the AWS canaries in the environment and records everything it printed. */
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const r = await hcp([...args, '-v', '9'], { env: { ...awsCanaries, XDG_STATE_HOME: stateHome, GH_SECRET: planted.get('github client secret')!, ...env } });
    transcript.push({ argv: args.join(' '), text: `${r.stdout}\n${r.stderr}` });
    // Journals are read after every run: the next run of the same operation and target reuses the file.
    for (const f of existsSync(stateHome) ? files(stateHome) : []) journals.set(`${f} after "${args.join(' ')}"`, readFileSync(f, 'latin1'));
    return r;
  };
  const ok = async (args: string[], env: Record<string, string> = {}) => {
    const r = await run(args, env);
    expect(r.code, `${args.join(' ')}\n${r.stderr}${r.stdout}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    ns = await uniqueNamespace('secrets');
    // The etcd encryption key, referenced by the HostedCluster as upstream's aescbc active key (set at creation).
    const encKey = `CANARYENC${randomBytes(12).toString('hex')}`.slice(0, 32);
    plant('encryption key', encKey);
    await kubectlOk('mgmt-1', ['create', 'secret', 'generic', `${name}-etcd-encryption-key`, '-n', ns, `--from-literal=key=${encKey}`]);
    const cpns = await createHostedCluster(ns, name, { encryptionKeySecret: `${name}-etcd-encryption-key` });
    const clientSecret = canary('OIDC');
    writeFileSync(secretFile, `${clientSecret}\n`);
    plant('openid client secret', clientSecret, `${clientSecret}\n`);
    plant('github client secret', canary('GITHUB'));
    const bind = canary('BIND');
    writeFileSync(bindFile, `${bind}\n`);
    plant('ldap bind password', bind, `${bind}\n`);
    const htpasswd = `alice:$2y$05$${canary('HTPASSWD')}\n`;
    writeFileSync(htpasswdFile, htpasswd);
    plant('htpasswd', htpasswd.trim().split(':')[1], htpasswd);
    for (const [k, v] of Object.entries(awsCanaries)) plant(k, v);
    // The real MinIO key is used only by the S3 snapshot; it must not be printed either.
    plant('MinIO secret key', sandbox().awsEnv.AWS_SECRET_ACCESS_KEY);
    // The admin kubeconfig the simulated operator wrote, and the management kubeconfig: their credentials.
    await waitFor(
      async () => (await kubectl('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.status.kubeconfig.name}'])).stdout.trim() !== '',
      120_000,
      'status.kubeconfig',
    );
    const adminSecret = (await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.status.kubeconfig.name}'])).trim();
    const admin = Buffer.from(
      (await kubectlOk('mgmt-1', ['get', 'secret', adminSecret, '-n', ns, '-o', 'jsonpath={.data.kubeconfig}'])).trim(),
      'base64',
    ).toString();
    const credentials = (text: string) => [...text.matchAll(/(client-key-data|token):\s*"?([^"\s]+)/g)].map((m) => m[2]);
    const adminCreds = credentials(admin);
    expect(adminCreds.length, 'the admin kubeconfig has a credential').toBeGreaterThan(0);
    adminCreds.forEach((c, i) => plant(`admin kubeconfig credential ${i}`, c));
    credentials(readFileSync(sandbox().kubeconfig, 'utf8')).forEach((c, i) => plant(`management kubeconfig credential ${i}`, c));
    // A NodePool of this cluster, to scale.
    await createNodePoolCopy(ns, np, name, 2);
    await waitForEtcdPods(cpns, 1);
    await waitForControlPlane(cpns);
    mkdirSync(stateHome, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    if (!ns) return;
    await kubectl('mgmt-1', ['delete', 'nodepool', np, '-n', ns, '--wait=false']);
    await kubectl('mgmt-1', ['delete', 'hostedcluster', name, '-n', ns, '--wait=false']);
  });

  it('oauth add (openid, github, htpasswd, ldap), with a dry run of each first, and oauth list', async () => {
    const idps: string[][] = [
      ['openid', '--idp-name', 'oidc', '--issuer', 'https://idp.example.com/realms/ocp', '--client-id', 'ocp', '--client-secret-file', secretFile],
      ['github', '--idp-name', 'gh', '--client-id', 'gh', '--client-secret-env', 'GH_SECRET', '--organization', 'example'],
      ['htpasswd', '--idp-name', 'local', '--htpasswd-file', htpasswdFile],
      [
        'ldap',
        '--idp-name',
        'ldap',
        '--url',
        'ldaps://ldap.example.com/ou=users,dc=example,dc=com?uid',
        '--bind-dn',
        'cn=admin',
        '--bind-password-file',
        bindFile,
      ],
    ];
    for (const [type, ...flags] of idps) {
      await ok(['oauth', 'add', type, name, '-n', ns, ...flags, '--dry-run=client']);
      await ok(['oauth', 'add', type, name, '-n', ns, ...flags, '--dry-run=client', '-o', 'json']);
      await ok(['oauth', 'add', type, name, '-n', ns, ...flags, '-o', 'json']);
    }
    await ok(['oauth', 'list', name, '-n', ns]);
    await ok(['oauth', 'list', name, '-n', ns, '-o', 'yaml']);
  }, 240_000);

  it('the read commands, pause/resume, nodepool scale, metrics and featuregate', async () => {
    await ok(['version']);
    await ok(['status', name, '-n', ns]);
    await ok(['status', name, '-n', ns, '-o', 'json']);
    await ok(['nodepool', 'list', name, '-n', ns, '-o', 'json']);
    await ok(['pause', name, '-n', ns, '-o', 'json']);
    await ok(['resume', name, '-n', ns, '-o', 'json']);
    await ok(['nodepool', 'scale', np, '-n', ns, '--replicas', '1', '-o', 'json']);
    await ok(['metrics', 'show', '-o', 'json']);
    await ok(['metrics', 'set', 'SRE', '--hosted-cluster', name, '-n', ns, '-o', 'json']);
    await run(['metrics', 'sre-config', 'show']); // exit 1 when the sandbox has no SRE config: only its output matters
    await ok(['dashboards', 'status', '-o', 'json']);
    await ok(['dashboards', 'enable', '--dry-run=server']);
    // featuregate show reads the guest through the admin kubeconfig.
    await ok(['featuregate', 'show', name, '-n', ns, '-o', 'json']);
    await ok(['featuregate', 'set', name, '-n', ns, 'TechPreviewNoUpgrade', '--dry-run=client', '-o', 'json']);
  }, 300_000);

  it('etcd status, snapshot with the encryption key to a directory and to MinIO, restore planned', async () => {
    await ok(['etcd', 'status', name, '-n', ns, '-o', 'json']);
    await ok(['etcd', 'snapshot', name, '-n', ns, '--to', `file://${snapshotDir}`, '--include-encryption-key', '-y', '-o', 'json']);
    // The directory may hold the key, only as 0600 files in a 0700 directory.
    expect(statSync(snapshotDir).mode & 0o777).toBe(0o700);
    for (const f of files(snapshotDir)) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    const env = sandbox().awsEnv;
    await ok(
      ['etcd', 'snapshot', name, '-n', ns, '--to', `s3://${env.HCP_SANDBOX_BUCKET}/secret-hygiene/${ns}`, '--s3-path-style', '-y'],
      { ...env, AWS_SESSION_TOKEN: '' }, // MinIO's keys have no session token
    );
    const db = files(snapshotDir).find((f) => f.endsWith('.db'))!;
    await ok(['etcd', 'restore', name, '-n', ns, '--from', db, '--dry-run=client', '-o', 'json']);
    await ok(['etcd', 'restore', name, '-n', ns, '--from', db, '--dry-run=client']);
  }, 420_000);

  it('dump with the guest cluster and an archive', async () => {
    await ok(['dump', name, '-n', ns, '--artifact-dir', dumpDir, '--dump-guest-cluster', '--archive', '-o', 'json']);
  }, 300_000);

  it('oauth remove --delete-secrets', async () => {
    for (const idp of ['oidc', 'gh', 'local', 'ldap']) await ok(['oauth', 'remove', name, '-n', ns, '--idp-name', idp, '--delete-secrets', '-y', '-o', 'json']);
  }, 120_000);

  it('dr backup (last: it fences the cluster): its logs are scanned; its backup dir holds Secrets only as 0600 files in a 0700 dir', async () => {
    const env = sandbox().awsEnv;
    const backupDir = join(work, 'dr-backup');
    const r = await run(
      [
        'dr',
        'backup',
        name,
        '-n',
        ns,
        '--bucket',
        env.HCP_SANDBOX_BUCKET,
        '--prefix',
        `e2e-${ns}`,
        '--s3-path-style',
        '--backup-dir',
        backupDir,
        '-y',
        '-o',
        'json',
      ],
      { ...env, AWS_SESSION_TOKEN: '' },
    );
    // The whole backup, the encryption key stored with SSE-S3 included (the sandbox's MinIO has a KMS key).
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    for (const f of files(backupDir)) expect(statSync(f).mode & 0o777, f).toBe(0o600);
  }, 420_000);

  it('no canary in any output, journal, progress event, dump file or archive', () => {
    expect(transcript.length).toBeGreaterThan(30);
    const leaks: string[] = [];
    const scan = (where: string, text: string) => {
      for (const f of forbidden) if (f.needle.length >= 8 && text.includes(f.needle)) leaks.push(`${f.label} in ${where}`);
    };
    for (const t of transcript) scan(`output of "${t.argv}"`, t.text);
    expect(journals.size, 'the journaled commands left journals').toBeGreaterThan(0);
    for (const [f, text] of journals) scan(f, text);
    const dumped = files(dumpDir);
    const archives = dumped.filter((f) => f.endsWith('.tar.gz'));
    expect(archives.length).toBe(1);
    for (const f of dumped) scan(f, (f.endsWith('.gz') ? gunzipSync(readFileSync(f)) : readFileSync(f)).toString('latin1'));
    expect(leaks).toEqual([]);
  });
});

// Kubeconfigs as SREs have them, each checked against the sandbox with the built binary and with
// kubectl on the very same kubeconfig: a service-account tokenFile, an exec credential plugin, a
// `kubectl proxy` (plain http), and a CA-less kubeconfig whose CA only the OS store has
// (SSL_CERT_FILE, which both Go and Node's system store honour).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlEnv } from '../../scripts/sandbox/api.ts';
import { hcp } from './helpers/hcp.ts';
import { kubectlOk, sandbox, uniqueNamespace } from './helpers/sandbox.ts';

type Obj = { metadata: Record<string, any>; spec: Record<string, any>; status?: Record<string, any> };

let ns: string;
let bindingName: string;
let token: string;
let admin: { server: string; caData: string };
let proxy: ChildProcess | undefined;

beforeAll(async () => {
  ns = await uniqueNamespace('kc');
  bindingName = `${ns}-reader`;
  await kubectlOk('mgmt-1', ['create', 'serviceaccount', 'hcp-reader', '-n', ns]);
  await kubectlOk('mgmt-1', ['create', 'clusterrolebinding', bindingName, '--clusterrole=cluster-admin', `--serviceaccount=${ns}:hcp-reader`]);
  token = (await kubectlOk('mgmt-1', ['create', 'token', 'hcp-reader', '-n', ns, '--duration=1h'])).trim();
  const real = yaml.load(readFileSync(sandbox().kubeconfig, 'utf8')) as Record<string, any>;
  const ctx = real.contexts.find((c: { name: string }) => c.name === 'mgmt-1');
  const cluster = real.clusters.find((c: { name: string }) => c.name === ctx.context.cluster).cluster;
  admin = { server: cluster.server, caData: cluster['certificate-authority-data'] };
});

afterAll(async () => {
  proxy?.kill();
  await kubectlOk('mgmt-1', ['delete', 'clusterrolebinding', bindingName, '--ignore-not-found']);
});

/** A kubeconfig with one context, written into a fresh directory. */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-kc-e2e-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    yaml.dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return { dir, file };
}

/** kubectl on the same kubeconfig: it must accept it too, and its view is the reference. */
async function kubectlWith(file: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const s = sandbox();
  return new Promise((resolve, reject) => {
    const child = spawn(s.kubectl, ['--kubeconfig', file, ...args], { env: { ...kubectlEnv(), ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** `kubectl hcp status sample` with this kubeconfig matches what kubectl reads with it. */
async function expectStatusMatchesKubectl(file: string, env: Record<string, string> = {}): Promise<void> {
  const r = await hcp(['status', 'sample', '-o', 'json'], { env: { KUBECONFIG: file, ...env } });
  expect(r.code, r.stderr).toBe(0);
  const view = JSON.parse(r.stdout);
  const hc = JSON.parse(await kubectlWith(file, ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json'], env)) as Obj;
  const pools = JSON.parse(await kubectlWith(file, ['get', 'nodepools', '-n', 'clusters', '-o', 'json'], env)).items as Obj[];
  const cond = (type: string) => (hc.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
  expect([view.namespace, view.name]).toEqual(['clusters', 'sample']);
  for (const [key, type] of [
    ['available', 'Available'],
    ['progressing', 'Progressing'],
    ['degraded', 'Degraded'],
    ['etcd', 'EtcdAvailable'],
  ] as const) {
    expect(view[key].status, type).toBe(cond(type)?.status ?? 'Unknown');
  }
  expect(view.version.desired).toBe(hc.status?.version?.desired?.version ?? hc.spec.release.image.split(':').pop());
  const mine = pools.filter((p) => p.spec.clusterName === 'sample').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  expect(view.nodePools.map((p: { name: string; replicas?: number }) => [p.name, p.replicas])).toEqual(mine.map((p) => [p.metadata.name, p.spec.replicas]));
}

describe('kubeconfig kinds', () => {
  it('a service-account token in tokenFile (relative to the kubeconfig)', async () => {
    const kc = kubeconfig({ server: admin.server, 'certificate-authority-data': admin.caData }, { tokenFile: 'sa.token' });
    writeFileSync(join(kc.dir, 'sa.token'), `${token}\n`);
    await expectStatusMatchesKubectl(kc.file);
    // The token is what lets it in: without it the same kubeconfig is refused.
    writeFileSync(join(kc.dir, 'sa.token'), 'not-a-token\n');
    const refused = await hcp(['status', 'sample'], { env: { KUBECONFIG: kc.file } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Unauthorized/);
  });

  it('an exec credential plugin: relative command, KUBERNETES_EXEC_INFO, run once per invocation', async () => {
    const kc = kubeconfig(
      { server: admin.server, 'certificate-authority-data': admin.caData },
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: './bin/sa-token',
          interactiveMode: 'IfAvailable',
          provideClusterInfo: true,
          env: [{ name: 'TOKEN_NAME', value: 'sa.token' }],
        },
      },
    );
    mkdirSync(join(kc.dir, 'bin'));
    writeFileSync(join(kc.dir, 'bin', 'sa.token'), token);
    writeFileSync(
      join(kc.dir, 'bin', 'sa-token'),
      `#!/bin/sh
dir=$(dirname "$0")
echo run >> "$dir/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info.json"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat "$dir/$TOKEN_NAME")"
`,
    );
    chmodSync(join(kc.dir, 'bin', 'sa-token'), 0o755);
    await expectStatusMatchesKubectl(kc.file);
    // Count our own invocation alone: status makes several requests, the plugin runs once.
    writeFileSync(join(kc.dir, 'bin', 'runs'), '');
    const r = await hcp(['status', 'sample', '-v', '6'], { env: { KUBECONFIG: kc.file } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/^I (GET|EXEC) /gm)?.length ?? 0).toBeGreaterThan(1);
    expect(readFileSync(join(kc.dir, 'bin', 'runs'), 'utf8')).toBe('run\n');
    const info = JSON.parse(readFileSync(join(kc.dir, 'bin', 'exec-info.json'), 'utf8'));
    expect(info).toEqual({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1',
      spec: { interactive: false, cluster: { server: admin.server, 'certificate-authority-data': admin.caData } },
    });
  });

  it('a kubectl proxy on plain http', async () => {
    const s = sandbox();
    const port = await new Promise<number>((resolve, reject) => {
      proxy = spawn(s.kubectl, ['--kubeconfig', s.kubeconfig, '--context', 'mgmt-1', 'proxy', '--port=0', '--address=127.0.0.1'], { env: kubectlEnv() });
      let out = '';
      proxy.stdout!.on('data', (c) => {
        out += c;
        const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      proxy.on('exit', (code) => reject(new Error(`kubectl proxy exited ${code}`)));
    });
    const kc = kubeconfig({ server: `http://127.0.0.1:${port}` }, {});
    await expectStatusMatchesKubectl(kc.file);
  });

  it('a kubeconfig without a CA, whose CA only the OS trust store has (SSL_CERT_FILE)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-kc-ca-'));
    const caFile = join(dir, 'os-ca.pem');
    writeFileSync(caFile, Buffer.from(admin.caData, 'base64'));
    const kc = kubeconfig({ server: admin.server }, { tokenFile: join(dir, 'sa.token') });
    writeFileSync(join(dir, 'sa.token'), token);
    await expectStatusMatchesKubectl(kc.file, { SSL_CERT_FILE: caFile });
    // Without it in the store the same kubeconfig fails the handshake, as kubectl does.
    const empty = mkdtempSync(join(tmpdir(), 'hcp-kc-noca-'));
    const untrusted = await hcp(['status', 'sample'], { env: { KUBECONFIG: kc.file, SSL_CERT_FILE: join(empty, 'none.pem'), SSL_CERT_DIR: empty } });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(
      /cannot reach the API server at .*: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)/,
    );
  });
});

// Kubeconfigs that kubectl accepts must work: tokenFile, http:// servers (kubectl proxy), exec
// credential plugins as client-go runs them, and CAs that only the OS trusts.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { fixture, json, startServer, TEST_CA, TEST_CA_FILE, unauthorized, writeKubeconfig, type TestServer } from './kube-servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server that answers GET /api/v1/namespaces/default with 200 for the accepted tokens (all when none given). */
async function apiServer(opts: { tls?: boolean; tokens?: string[] } = {}): Promise<TestServer> {
  const server = await startServer((req, res) => {
    if (opts.tokens && !opts.tokens.some((t) => req.headers.authorization === `Bearer ${t}`)) return unauthorized(res);
    json(res, 200, { kind: 'Namespace', metadata: { name: 'default' } });
  }, opts);
  servers.push(server);
  return server;
}

const getDefault = (kube: KubeClient) => kube.get(Resources.Namespace, undefined, 'default');

describe('tokenFile', () => {
  it('sends the token from a tokenFile, resolved against the kubeconfig directory', async () => {
    const server = await apiServer({ tls: true, tokens: ['sa-token'] });
    const kc = writeKubeconfig({ server: server.url, 'certificate-authority-data': TEST_CA.toString('base64') }, { tokenFile: 'token' });
    writeFileSync(join(kc.dir, 'token'), 'sa-token\n');
    const kube = new KubeClient({ kubeconfig: kc.resolved(), env: {} });
    expect((await getDefault(kube)).metadata.name).toBe('default');
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer sa-token']);
  });

  it('an inline token wins over the tokenFile, as in client-go', async () => {
    const server = await apiServer({ tls: true, tokens: ['inline'] });
    const kc = writeKubeconfig(
      { server: server.url, 'certificate-authority-data': TEST_CA.toString('base64') },
      { token: 'inline', tokenFile: '/nonexistent/token' },
    );
    await getDefault(new KubeClient({ kubeconfig: kc.resolved(), env: {} }));
    expect(server.requests[0].authorization).toBe('Bearer inline');
  });
});

describe('http:// servers (kubectl proxy)', () => {
  it('reaches a plain-http server without TLS settings', async () => {
    const server = await apiServer();
    const kc = writeKubeconfig({ server: server.url }, {});
    const kube = new KubeClient({ kubeconfig: kc.resolved(), env: {} });
    expect((await getDefault(kube)).metadata.name).toBe('default');
    expect(server.requests).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- exec plugins

const PLUGIN = `#!/bin/sh
# Counts its runs, keeps KUBERNETES_EXEC_INFO of each, and prints token-N (or stdin-LINE when
# READ_STDIN is set and a line can be read).
dir=$(dirname "$0")
n=$(cat "$dir/runs" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$dir/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info.$n"
token="token-$n"
if [ -n "$READ_STDIN" ]; then if read -r line; then token="stdin-$line"; else token="no-stdin"; fi; fi
echo "plugin says hello" >&2
if [ -n "$EXPIRES" ]; then exp=",\\"expirationTimestamp\\":\\"$EXPIRES\\""; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"%s}}' "$token" "$exp"
`;

function execKubeconfig(server: TestServer, exec: Record<string, unknown>) {
  const kc = writeKubeconfig(
    { server: server.url, 'certificate-authority-data': TEST_CA.toString('base64') },
    {
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: './bin/plugin', ...exec },
    },
  );
  mkdirSync(join(kc.dir, 'bin'));
  writeFileSync(join(kc.dir, 'bin', 'plugin'), PLUGIN);
  chmodSync(join(kc.dir, 'bin', 'plugin'), 0o755);
  const runs = () => (existsSync(join(kc.dir, 'bin', 'runs')) ? Number(readFileSync(join(kc.dir, 'bin', 'runs'), 'utf8')) : 0);
  const info = (n: number) => JSON.parse(readFileSync(join(kc.dir, 'bin', `exec-info.${n}`), 'utf8'));
  return { ...kc, runs, info };
}

describe('exec credential plugins', () => {
  it('runs a relative command from the kubeconfig directory with KUBERNETES_EXEC_INFO, once for many requests', async () => {
    const server = await apiServer({ tls: true, tokens: ['token-1'] });
    const kc = execKubeconfig(server, { provideClusterInfo: true, env: [{ name: 'EXTRA', value: '1' }] });
    const stderr = new PassThrough();
    let said = '';
    stderr.on('data', (c) => (said += c));
    const kube = new KubeClient({ kubeconfig: kc.resolved(), env: { PATH: process.env.PATH }, terminal: { stderr } });
    await getDefault(kube);
    await getDefault(kube);
    await getDefault(kube);
    expect(kc.runs()).toBe(1);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
    expect(kc.info(1)).toEqual({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      spec: { interactive: false, cluster: { server: server.url, 'certificate-authority-data': TEST_CA.toString('base64') } },
    });
    expect(said).toBe('plugin says hello\n');
  });

  it('runs the plugin again once the credential has expired', async () => {
    const server = await apiServer({ tls: true });
    const kc = execKubeconfig(server, { env: [{ name: 'EXPIRES', value: '2026-11-21T10:00:00Z' }] });
    let now = Date.parse('2026-11-21T09:59:00Z');
    const kube = new KubeClient({ kubeconfig: kc.resolved(), env: {}, terminal: { now: () => now } });
    await getDefault(kube);
    await getDefault(kube);
    expect(kc.runs()).toBe(1);
    now = Date.parse('2026-11-21T10:00:01Z');
    await getDefault(kube);
    expect(kc.runs()).toBe(2);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  });

  it('after a 401 runs the plugin again and retries the request once', async () => {
    const server = await apiServer({ tls: true, tokens: ['token-2'] });
    const kc = execKubeconfig(server, {});
    const kube = new KubeClient({ kubeconfig: kc.resolved(), env: {} });
    expect((await getDefault(kube)).metadata.name).toBe('default');
    expect(kc.runs()).toBe(2);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('a credential the server keeps refusing ends in the 401, after one re-run only', async () => {
    const server = await apiServer({ tls: true, tokens: ['never'] });
    const kc = execKubeconfig(server, {});
    const err = await getDefault(new KubeClient({ kubeconfig: kc.resolved(), env: {} })).catch((e) => e);
    expect(err.statusCode).toBe(401);
    expect(kc.runs()).toBe(2);
  });

  it.each([
    ['IfAvailable', true, 'stdin-typed', true],
    ['IfAvailable', false, 'no-stdin', false],
    ['Never', true, 'no-stdin', false],
    ['Always', true, 'stdin-typed', true],
  ])('interactiveMode %s with a terminal=%s gives the plugin %s', async (mode, tty, token, interactive) => {
    const server = await apiServer({ tls: true });
    const kc = execKubeconfig(server, { interactiveMode: mode, env: [{ name: 'READ_STDIN', value: '1' }] });
    const stdin = new PassThrough();
    stdin.end('typed\n');
    await getDefault(new KubeClient({ kubeconfig: kc.resolved(), env: {}, terminal: { stdin, stdinIsTTY: tty } }));
    expect(server.requests[0].authorization).toBe(`Bearer ${token}`);
    expect(kc.info(1).spec.interactive).toBe(interactive);
  });

  it('interactiveMode Always without a terminal, or v1 without interactiveMode, is a kubeconfig error (exit 2, nothing sent)', async () => {
    const server = await apiServer({ tls: true });
    const always = execKubeconfig(server, { interactiveMode: 'Always' });
    expect(() => new KubeClient({ kubeconfig: always.resolved(), env: {}, terminal: { stdinIsTTY: false } })).toThrow(UsageError);
    const v1 = execKubeconfig(server, { apiVersion: 'client.authentication.k8s.io/v1' });
    expect(() => new KubeClient({ kubeconfig: v1.resolved(), env: {} })).toThrow(/interactiveMode must be specified/);
    expect(server.requests).toHaveLength(0);
  });

  it('a client certificate from the plugin is used for the TLS handshake', async () => {
    const server = await startServer(
      (req, res) => {
        const socket = req.socket as import('node:tls').TLSSocket;
        if (!socket.authorized) return unauthorized(res);
        json(res, 200, { kind: 'Namespace', metadata: { name: socket.getPeerCertificate().subject.CN } });
      },
      { tls: true, clientCa: fixture('client-ca.crt') },
    );
    servers.push(server);
    const kc = writeKubeconfig(
      { server: server.url, 'certificate-authority-data': TEST_CA.toString('base64') },
      {
        exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: './cert-plugin' },
      },
    );
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { clientCertificateData: fixture('client.crt').toString(), clientKeyData: fixture('client.key').toString() },
    };
    writeFileSync(join(kc.dir, 'credential.json'), JSON.stringify(credential));
    writeFileSync(join(kc.dir, 'cert-plugin'), '#!/bin/sh\ncat "$(dirname "$0")/credential.json"\n');
    chmodSync(join(kc.dir, 'cert-plugin'), 0o755);
    const kube = new KubeClient({ kubeconfig: kc.resolved(), env: {} });
    expect((await getDefault(kube)).metadata.name).toBe('exec-user');
    await getDefault(kube);
    await getDefault(kube);
    expect(server.requests[0].authorization).toBeUndefined();
    expect(server.connections()).toBe(1); // the same certificate keeps the same keep-alive connection
  });

  it('a missing plugin names the install hint; a bad reply never quotes the output', async () => {
    const server = await apiServer({ tls: true });
    const kc = execKubeconfig(server, { command: './bin/absent', installHint: 'install it with: brew install absent' });
    const err = await getDefault(new KubeClient({ kubeconfig: kc.resolved(), env: {} })).catch((e) => e);
    expect(err.message).toMatch(/exec plugin .*bin\/absent \(user "u"\): executable not found/);
    expect(err.hint).toBe('install it with: brew install absent');
    writeFileSync(join(kc.dir, 'bin', 'absent'), '#!/bin/sh\necho "{\\"token\\": \\"SECRET\\"}"\n');
    chmodSync(join(kc.dir, 'bin', 'absent'), 0o755);
    const bad = await getDefault(new KubeClient({ kubeconfig: kc.resolved(), env: {} })).catch((e) => e);
    expect(bad.message).toMatch(/is not an ExecCredential/);
    expect(bad.message).not.toContain('SECRET');
  });
});

// ---------------------------------------------------------------- trust

describe('trust', () => {
  /** Runs a GET in a fresh Node process (the OS store is read once per process). */
  function getInChild(kubeconfigFile: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    const script = `
      import { KubeClient } from ${JSON.stringify(new URL('../../../src/kube/client.ts', import.meta.url).pathname)};
      import { resolveKubeconfig } from ${JSON.stringify(new URL('../../../src/kube/kubeconfig.ts', import.meta.url).pathname)};
      const kube = new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig: ${JSON.stringify(kubeconfigFile)} }, {}), env: {} });
      try { const ns = await kube.request({ method: 'GET', path: '/api/v1/namespaces/default' }); console.log(ns.metadata.name); }
      catch (e) { console.log('error: ' + e.message); process.exitCode = 1; }`;
    return new Promise((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }),
      );
    });
  }

  it('a kubeconfig without a CA trusts what the OS trusts (SSL_CERT_FILE here), as oc does', async () => {
    const server = await apiServer({ tls: true });
    const kc = writeKubeconfig({ server: server.url }, {});
    const trusted = await getInChild(kc.file, { SSL_CERT_FILE: TEST_CA_FILE });
    expect(trusted.stdout.trim(), trusted.stderr).toBe('default');
    const untrusted = await getInChild(kc.file, { SSL_CERT_FILE: '/nonexistent.pem', SSL_CERT_DIR: '/nonexistent' });
    expect(untrusted.stdout).toMatch(/^error: cannot reach the API server at .*: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
  });

  it('a kubeconfig CA that does not sign the server certificate still lets the OS store vouch for it', async () => {
    const server = await apiServer({ tls: true });
    const other = readFileSync(new URL('../fixtures/tls/server.crt', import.meta.url)); // not a CA for this chain
    const kc = writeKubeconfig({ server: server.url, 'certificate-authority-data': other.toString('base64') }, {});
    const r = await getInChild(kc.file, { SSL_CERT_FILE: TEST_CA_FILE });
    expect(r.stdout.trim(), r.stderr).toBe('default');
  });
});

// ---------------------------------------------------------------- proxies

describe('proxy-url', () => {
  /** A SOCKS5 proxy (no auth, or user/pass when given) that sends every tunnel to `target`'s port on 127.0.0.1, and records what was asked. */
  async function socksProxy(targetPort: number, credentials?: { user: string; pass: string }): Promise<{ url: string; asked: string[]; close: () => void }> {
    const asked: string[] = [];
    const sockets = new Set<import('node:net').Socket>();
    const server = createNetServer((client) => {
      sockets.add(client);
      client.once('data', (hello) => {
        const wantsAuth = Boolean(credentials);
        if (wantsAuth && !hello.subarray(2).includes(2)) return client.end(Buffer.from([5, 0xff]));
        client.write(Buffer.from([5, wantsAuth ? 2 : 0]));
        const onConnect = (req: Buffer) => {
          const len = req[3] === 3 ? req[4] + 1 : req[3] === 1 ? 4 : 16;
          const addr = req[3] === 3 ? req.subarray(5, 5 + req[4]).toString() : [...req.subarray(4, 8)].join('.');
          asked.push(`${addr}:${req.readUInt16BE(4 + len)}`);
          const upstream = connect(targetPort, '127.0.0.1', () => {
            client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
            upstream.pipe(client).pipe(upstream);
          });
          sockets.add(upstream);
        };
        if (!wantsAuth) return client.once('data', onConnect);
        client.once('data', (auth) => {
          const user = auth.subarray(2, 2 + auth[1]).toString();
          const pass = auth.subarray(3 + auth[1], 3 + auth[1] + auth[2 + auth[1]]).toString();
          const ok = user === credentials!.user && pass === credentials!.pass;
          client.write(Buffer.from([1, ok ? 0 : 1]));
          if (ok) client.once('data', onConnect);
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    return {
      url: `socks5://${credentials ? `${credentials.user}:${credentials.pass}@` : ''}127.0.0.1:${port}`,
      asked,
      close: () => {
        for (const s of sockets) s.destroy();
        server.close();
      },
    };
  }

  it.each([undefined, { user: 'me', pass: 'p@ss' }])(
    'reaches an https server through a SOCKS5 proxy-url (auth %j), the name resolved by the proxy',
    async (credentials) => {
      const server = await apiServer({ tls: true, tokens: ['t'] });
      const port = Number(new URL(server.url).port);
      const proxy = await socksProxy(port, credentials);
      try {
        const kc = writeKubeconfig(
          {
            server: `https://api.example.invalid:${port}`,
            'tls-server-name': 'localhost',
            'certificate-authority-data': TEST_CA.toString('base64'),
            'proxy-url': proxy.url,
          },
          { token: 't' },
        );
        const kube = new KubeClient({ kubeconfig: kc.resolved(), env: {} });
        expect((await getDefault(kube)).metadata.name).toBe('default');
        expect(proxy.asked).toEqual([`api.example.invalid:${port}`]);
      } finally {
        proxy.close();
      }
    },
  );

  it('refuses a proxy scheme it cannot speak before sending anything', () => {
    const kc = writeKubeconfig({ server: 'https://127.0.0.1:1', 'proxy-url': 'ftp://proxy:21' }, {});
    expect(() => new KubeClient({ kubeconfig: kc.resolved(), env: {} })).toThrow(UsageError);
  });
});

describe('auth-provider', () => {
  it('an oidc id-token that has not expired is sent as the bearer token (client-node does oidc)', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const idToken = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'https://issuer.invalid', sub: 'me', exp: 4102444800 })}.c2ln`;
    const server = await apiServer({ tls: true, tokens: [idToken] });
    const kc = writeKubeconfig(
      { server: server.url, 'certificate-authority-data': TEST_CA.toString('base64') },
      { 'auth-provider': { name: 'oidc', config: { 'client-id': 'k', 'id-token': idToken, 'idp-issuer-url': 'https://issuer.invalid' } } },
    );
    expect((await getDefault(new KubeClient({ kubeconfig: kc.resolved(), env: {} }))).metadata.name).toBe('default');
  });
});

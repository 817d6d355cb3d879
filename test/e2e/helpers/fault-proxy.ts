// A test-only fault proxy (issue 10, until the hardening issue's one exists): a plain-http front
// for a sandbox API server, like `kubectl proxy`, that forwards with the kubeconfig's client
// certificate and fails a share of the requests. Two kinds of faults:
//   - persistent: every request whose path `persistent(path)` picks fails with a 500, always (the
//     items the dump must name as failed in index.json);
//   - transient: `transientRate` of the other requests fail with a 503 once (never twice in a row
//     for one path), which bounded retries must absorb.
// WebSocket upgrades (exec) are tunnelled untouched.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

export interface FaultProxy {
  url: string;
  /** Paths (without query) answered with a persistent fault, and how often. */
  persistentHits: Map<string, number>;
  transientHits: number;
  requests: number;
  close: () => Promise<void>;
}

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

export async function startFaultProxy(
  kubeconfigPath: string,
  context: string,
  opts: { persistent: (path: string) => boolean; transientRate: number; seed?: number },
): Promise<FaultProxy> {
  const kc = yaml.load(readFileSync(kubeconfigPath, 'utf8')) as Kubeconfig;
  const ctx = kc.contexts.find((c) => c.name === context)!.context;
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster)!.cluster;
  const user = kc.users.find((u) => u.name === ctx.user)!.user;
  const b = (s?: string) => (s ? Buffer.from(s, 'base64') : undefined);
  const target = new URL(cluster.server);
  const tlsOpts = { ca: b(cluster['certificate-authority-data']), cert: b(user['client-certificate-data']), key: b(user['client-key-data']) };
  const agent = new https.Agent({ ...tlsOpts, keepAlive: true, maxSockets: 64 });
  let seed = opts.seed ?? 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lastFailed = new Set<string>();
  const proxy: FaultProxy = { url: '', persistentHits: new Map(), transientHits: 0, requests: 0, close: async () => undefined };

  const fail = (res: http.ServerResponse, code: number, message: string) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'InternalError', code }));
  };

  const server = http.createServer((req, res) => {
    proxy.requests++;
    const path = (req.url ?? '/').split('?')[0];
    if (opts.persistent(path)) {
      proxy.persistentHits.set(path, (proxy.persistentHits.get(path) ?? 0) + 1);
      return fail(res, 500, `fault proxy: persistent fault on ${path}`);
    }
    if (!lastFailed.has(path) && random() < opts.transientRate) {
      lastFailed.add(path);
      proxy.transientHits++;
      return fail(res, 503, `fault proxy: transient fault on ${path}`);
    }
    lastFailed.delete(path);
    const headers = { ...req.headers, host: target.host };
    const up = https.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', (err) => (res.headersSent ? res.destroy(err) : fail(res, 502, err.message)));
    req.pipe(up);
  });

  const tunnels = new Set<{ destroy: () => void }>();
  server.on('upgrade', (req, socket, head) => {
    proxy.requests++;
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    const up = tls.connect(
      { host: target.hostname, port: Number(target.port), ...tlsOpts, servername: target.hostname === '127.0.0.1' ? undefined : target.hostname },
      () => {
        const lines = [
          `${req.method} ${req.url} HTTP/1.1`,
          ...Object.entries({ ...req.headers, host: target.host }).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`])),
          '',
          '',
        ];
        up.write(lines.join('\r\n'));
        if (head.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      },
    );
    tunnels.add(up);
    up.on('close', () => tunnels.delete(up));
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      for (const t of tunnels) t.destroy();
      agent.destroy();
      server.close(() => r());
    });
  return proxy;
}

/** A kubeconfig for the proxy: http, no credentials (the proxy holds them). */
export function proxyKubeconfig(url: string): string {
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'proxy', cluster: { server: url } }],
    users: [{ name: 'proxy', user: {} }],
    contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }],
    'current-context': 'proxy',
  });
}

// A test-only fault proxy (issue 11, "Fault injection"; first written for the dump, issue 10): a
// plain-http front for a sandbox API server, like `kubectl proxy`, that forwards with the
// kubeconfig's client certificate and injects faults, reproducibly from a seed. Each decision is a
// hash of (seed, method and path, how many times that request was seen), so it does not depend on
// how concurrent requests interleave. The faults:
//   - persistent: every request whose path `persistent(path)` picks fails with a 500, always (the
//     items the dump must name as failed in index.json);
//   - transient: `transientRate` of the other requests are answered with a 500, 503 or 429 without
//     reaching the API server, a third of the 503s and 429s with `Retry-After: 1` (and the
//     retryAfterSeconds detail the API server sends with it); never twice in a row for one request,
//     so a bounded retry always gets through;
//   - resets: `resetRate` of the forwarded requests have their response cut (the socket destroyed)
//     after the headers and half of the body: the API server did the work, the client cannot know;
//   - jitter: every request waits `jitterMs` [min, max] before it is forwarded;
//   - exec: the `dropExecStream`-th exec (WebSocket) stream is cut after `dropExecAfterBytes` bytes
//     from the pod;
//   - watch: a response to `watch=true` (or a `follow=true` log stream) ends after `watchCloseMs`.
// Other WebSocket upgrades are tunnelled untouched. Every forwarded request carries an Audit-ID of the
// proxy's (the API server logs it as the event's auditID), and `bodies` keeps each write's body under
// it: the audit log is at Metadata level, and "no write applied twice" compares what writes asked for.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import yaml from 'js-yaml';

export interface FaultOptions {
  seed?: number;
  persistent?: (path: string) => boolean;
  /** Share of requests answered with 500/503/429 without being forwarded. */
  transientRate?: number;
  /** Share of forwarded requests whose response is cut mid-body. */
  resetRate?: number;
  /** Only requests this picks may be reset or transiently failed (default all). */
  eligible?: (method: string, path: string) => boolean;
  jitterMs?: [number, number];
  /** Cut the n-th exec stream (1-based); 0 or unset: none. */
  dropExecStream?: number;
  dropExecAfterBytes?: number;
  watchCloseMs?: number;
  /** Listen on this port (default: any free one). A retried flow keeps its port: the journal is keyed by the server URL. */
  port?: number;
}

export interface FaultCounts {
  '500': number;
  '503': number;
  '429': number;
  retryAfter: number;
  reset: number;
  execDropped: number;
  watchClosed: number;
}

export interface FaultProxy {
  url: string;
  /** Paths (without query) answered with a persistent fault, and how often. */
  persistentHits: Map<string, number>;
  /** Transient 500/503/429 answers. */
  transientHits: number;
  faults: FaultCounts;
  /** What was faulted, in order: "503 PATCH /apis/…", "reset GET /api/…", "exec-drop …". */
  log: string[];
  requests: number;
  execStreams: number;
  /** The body of every forwarded POST, PUT, PATCH and DELETE, by the Audit-ID the proxy gave it. */
  bodies: Map<string, string>;
  close: () => Promise<void>;
}

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

/** A number in [0, 1) from the seed and the words: the same inputs give the same number on every run. */
export function seeded(seed: number, ...words: (string | number)[]): number {
  return (
    createHash('sha256')
      .update(`${seed}\0${words.join('\0')}`)
      .digest()
      .readUInt32BE(0) /
    2 ** 32
  );
}

export async function startFaultProxy(kubeconfigPath: string, context: string, opts: FaultOptions): Promise<FaultProxy> {
  const kc = yaml.load(readFileSync(kubeconfigPath, 'utf8')) as Kubeconfig;
  const ctx = kc.contexts.find((c) => c.name === context)!.context;
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster)!.cluster;
  const user = kc.users.find((u) => u.name === ctx.user)!.user;
  const b = (s?: string) => (s ? Buffer.from(s, 'base64') : undefined);
  const target = new URL(cluster.server);
  const tlsOpts = { ca: b(cluster['certificate-authority-data']), cert: b(user['client-certificate-data']), key: b(user['client-key-data']) };
  const agent = new https.Agent({ ...tlsOpts, keepAlive: true, maxSockets: 64 });
  const seed = opts.seed ?? 42;
  const seen = new Map<string, number>();
  const lastFaulted = new Set<string>();
  const proxy: FaultProxy = {
    url: '',
    persistentHits: new Map(),
    transientHits: 0,
    faults: { '500': 0, '503': 0, '429': 0, retryAfter: 0, reset: 0, execDropped: 0, watchClosed: 0 },
    log: [],
    requests: 0,
    execStreams: 0,
    bodies: new Map(),
    close: async () => undefined,
  };

  const fail = (res: http.ServerResponse, code: number, message: string, retryAfter?: number) => {
    const reason = code === 429 ? 'TooManyRequests' : code === 503 ? 'ServiceUnavailable' : 'InternalError';
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message,
      reason,
      code,
      ...(retryAfter ? { details: { retryAfterSeconds: retryAfter } } : {}),
    });
    res.writeHead(code, { 'Content-Type': 'application/json', ...(retryAfter ? { 'Retry-After': String(retryAfter) } : {}) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    proxy.requests++;
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const method = req.method ?? 'GET';
    const key = `${method} ${path}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const query = new URL(url, 'http://x').searchParams;
    const streaming = ['true', '1'].includes(query.get('watch') ?? '') || query.get('follow') === 'true';
    const eligible = !streaming && (opts.eligible?.(method, path) ?? true) && !lastFaulted.has(key);
    const roll = seeded(seed, key, n);
    const [min, max] = opts.jitterMs ?? [0, 0];
    const delay = min + seeded(seed, 'jitter', key, n) * (max - min);
    const go = () => {
      if (opts.persistent?.(path)) {
        proxy.persistentHits.set(path, (proxy.persistentHits.get(path) ?? 0) + 1);
        return fail(res, 500, `fault proxy: persistent fault on ${path}`);
      }
      const transient = opts.transientRate ?? 0;
      if (eligible && roll < transient) {
        lastFaulted.add(key);
        proxy.transientHits++;
        const pick = seeded(seed, 'code', key, n);
        const code = pick < 1 / 3 ? 500 : pick < 2 / 3 ? 503 : 429;
        const retryAfter = code !== 500 && seeded(seed, 'retry-after', key, n) < 1 / 3 ? 1 : undefined;
        proxy.faults[String(code) as '500' | '503' | '429']++;
        if (retryAfter) proxy.faults.retryAfter++;
        proxy.log.push(`${code}${retryAfter ? ' (Retry-After)' : ''} ${key}`);
        return fail(res, code, `fault proxy: transient ${code} on ${path}`, retryAfter);
      }
      const reset = eligible && roll >= transient && roll < transient + (opts.resetRate ?? 0);
      if (reset) lastFaulted.add(key);
      else lastFaulted.delete(key);
      const auditID = randomUUID();
      const headers = { ...req.headers, host: target.host, 'audit-id': auditID };
      const up = https.request({ host: target.hostname, port: target.port, path: url, method, headers, agent }, (upRes) => {
        if (reset) {
          // Read the whole answer, send its headers and half of it, then cut the connection.
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const body = Buffer.concat(chunks);
            proxy.faults.reset++;
            proxy.log.push(`reset ${key} (${upRes.statusCode})`);
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
          });
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        if (streaming && opts.watchCloseMs !== undefined) {
          setTimeout(() => {
            if (res.writableEnded) return;
            proxy.faults.watchClosed++;
            proxy.log.push(`watch-closed ${key}`);
            upRes.unpipe(res);
            upRes.destroy();
            res.end();
          }, opts.watchCloseMs).unref();
        }
      });
      up.on('error', (err) => (res.headersSent ? res.destroy(err) : fail(res, 502, err.message)));
      if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) return req.pipe(up);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        proxy.bodies.set(auditID, body.toString('utf8'));
        up.end(body);
      });
    };
    if (delay > 0) setTimeout(go, delay);
    else go();
  });

  const tunnels = new Set<{ destroy: () => void }>();
  server.on('upgrade', (req, socket, head) => {
    proxy.requests++;
    const stream = ++proxy.execStreams;
    const drop = opts.dropExecStream !== undefined && opts.dropExecStream === stream;
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
        if (drop) {
          // Pass the first bytes from the pod, then cut both sides as a dropped connection does.
          let passed = 0;
          const limit = opts.dropExecAfterBytes ?? 64 * 1024;
          up.on('data', (c: Buffer) => {
            if (passed >= limit) return;
            passed += c.length;
            socket.write(c);
            if (passed >= limit) {
              proxy.faults.execDropped++;
              proxy.log.push(`exec-drop ${req.url?.split('?')[0]} after ${passed} bytes`);
              socket.destroy();
              up.destroy();
            }
          });
        } else up.pipe(socket);
        socket.pipe(up);
      },
    );
    tunnels.add(up);
    up.on('close', () => {
      tunnels.delete(up);
      socket.destroy();
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });

  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
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

/** A kubeconfig for the proxy: http, no credentials (the proxy holds them). A map gives one context per proxy, named by its key; the first is current. */
export function proxyKubeconfig(url: string | Record<string, string>): string {
  const urls = typeof url === 'string' ? { proxy: url } : url;
  const names = Object.keys(urls);
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: names.map((name) => ({ name, cluster: { server: urls[name] } })),
    users: [{ name: 'proxy', user: {} }],
    contexts: names.map((name) => ({ name, context: { cluster: name, user: 'proxy' } })),
    'current-context': names[0],
  });
}

/**
 * Local API-server stand-ins for kube-layer tests: plain http (as `kubectl proxy` serves) or https
 * with the fixture certificate (test/unit/fixtures/tls: a CA and a server certificate for
 * 127.0.0.1/localhost valid until 2126, and a client CA with one client certificate, CN exec-user;
 * the CAs' keys were thrown away), and kubeconfigs that point at them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveKubeconfig, type ResolvedKubeconfig } from '../../../src/kube/kubeconfig.ts';

const FIXTURES = new URL('../fixtures/tls/', import.meta.url);
export const TEST_CA_FILE = new URL('ca.crt', FIXTURES).pathname;
export const TEST_CA = readFileSync(TEST_CA_FILE);
export const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

export interface TestServer {
  url: string;
  /** Every request seen, in order. */
  requests: { method: string; url: string; authorization?: string }[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** `clientCa`: ask for a client certificate (optional; `req.client.authorized` says whether it verified). */
export async function startServer(handler: http.RequestListener, opts: { tls?: boolean; clientCa?: Buffer } = {}): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  let connections = 0;
  const wrapped: http.RequestListener = (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  };
  const server = opts.tls
    ? https.createServer(
        {
          cert: readFileSync(new URL('server.crt', FIXTURES)),
          key: readFileSync(new URL('server.key', FIXTURES)),
          ...(opts.clientCa ? { requestCert: true, rejectUnauthorized: false, ca: opts.clientCa } : {}),
        },
        wrapped,
      )
    : http.createServer(wrapped);
  server.on(opts.tls ? 'secureConnection' : 'connection', () => connections++);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A JSON reply, as the API server sends. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export const unauthorized = (res: http.ServerResponse) =>
  json(res, 401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });

/** Writes a kubeconfig with one cluster and user into a new directory; returns both. */
export function writeKubeconfig(
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
): { dir: string; file: string; resolved: () => ResolvedKubeconfig } {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-kube-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return { dir, file, resolved: () => resolveKubeconfig({ kubeconfig: file }, {}) };
}

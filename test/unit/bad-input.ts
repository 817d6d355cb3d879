/**
 * The bad-input convention: exit 2, one line on stderr (the validator's own), nothing on stdout, and
 * no API call. The command runs against a kubeconfig that points at a reachable stand-in API server
 * which counts requests: without its validation, a command would reach the server (and be
 * counted), instead of failing with "no kubeconfig found" as it did when KUBECONFIG pointed nowhere.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runInProcess } from './cli-harness.ts';

interface CountingServer {
  kubeconfig: string;
  requests: string[];
}

let server: Promise<CountingServer> | undefined;

/** One per test file: answers every request with 404 NotFound, and remembers it. */
export function countingApiServer(): Promise<CountingServer> {
  server ??= (async () => {
    const requests: string[] = [];
    const srv = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: 'the stand-in API server has nothing',
      });
      res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    const kubeconfig = await listenWithKubeconfig(srv, 'hcp-bad-input-');
    return { kubeconfig, requests };
  })();
  return server;
}

/** Starts `srv` on a free local port and writes a token kubeconfig that points at it; returns its path. */
export async function listenWithKubeconfig(srv: http.Server, prefix: string): Promise<string> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  srv.unref();
  const { port } = srv.address() as AddressInfo;
  const kubeconfig = join(mkdtempSync(join(tmpdir(), prefix)), 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stand-in', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'u', user: { token: 'stand-in' } }],
      contexts: [{ name: 'stand-in', context: { cluster: 'stand-in', user: 'u' } }],
      'current-context': 'stand-in',
    }),
  );
  return kubeconfig;
}

/**
 * Runs argv against the counting server and checks the convention. `message` is the validator's
 * own message (the line after "error: "): a string must match exactly, a RegExp must match.
 * Returns stderr.
 */
export async function expectRejected(argv: string[], message?: string | RegExp, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { kubeconfig, requests } = await countingApiServer();
  const before = requests.length;
  const r = await runInProcess(argv, { env: { KUBECONFIG: kubeconfig, HOME: '/nonexistent', ...opts.env } });
  expect(requests.slice(before), `${JSON.stringify(argv)} made API requests`).toEqual([]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: /);
  if (typeof message === 'string') expect(r.stderr).toBe(`error: ${message}\n`);
  else if (message) expect(r.stderr.slice('error: '.length).trimEnd()).toMatch(message);
  return r.stderr;
}

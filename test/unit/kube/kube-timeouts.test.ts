// --request-timeout bounds a whole request (kubectl's http.Client.Timeout), and without it a
// connection that goes silent is given up and the request retried, so no wait loop hangs forever.
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { json, startServer, writeKubeconfig, type TestServer } from './kube-servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

const client = (s: TestServer, opts: { timeoutMs?: number; idleTimeoutMs?: number; retryDelaysMs?: number[] }) =>
  new KubeClient({ kubeconfig: writeKubeconfig({ server: s.url }, {}).resolved(), env: {}, ...opts });

describe('timeouts', () => {
  it('--request-timeout bounds the whole request, even while bytes keep trickling in, and is not retried', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"items":[');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    });
    const started = Date.now();
    const err = await client(s, { timeoutMs: 400 })
      .get(Resources.Namespace, undefined, 'default')
      .catch((e) => e);
    expect(err.message).toBe(`cannot reach the API server at ${s.url}: request timed out after 400ms (--request-timeout)`);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(s.requests).toHaveLength(1);
    expect(new URL(s.requests[0].url, s.url).searchParams.get('timeout')).toBe('400ms'); // as client-go sends it
  });

  it('without --request-timeout, a silent connection is given up and the GET retried on a new one', async () => {
    let n = 0;
    const s = await server((_req, res) => {
      if (++n === 1) return; // the first request never gets an answer: a dead peer
      json(res, 200, { kind: 'Namespace', metadata: { name: 'default' } });
    });
    const kube = client(s, { idleTimeoutMs: 300, retryDelaysMs: [10] });
    const ns = await kube.get(Resources.Namespace, undefined, 'default');
    expect(ns.metadata.name).toBe('default');
    expect(s.requests).toHaveLength(2);
  });

  it('a silent write fails after the idle bound and is not repeated (only read back)', async () => {
    const s = await server(() => undefined);
    const err = await client(s, { idleTimeoutMs: 300, retryDelaysMs: [10] })
      .create(Resources.ConfigMap, 'default', { metadata: { name: 'x' } })
      .catch((e) => e);
    expect(err.message).toBe(`cannot reach the API server at ${s.url}: no response for 300ms: the connection looks dead`);
    // The create is read back (GETs, which the request layer retries, as silent), never sent a second time.
    expect(s.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(s.requests.every((r) => r.method === 'POST' || r.method === 'GET')).toBe(true);
  });
});

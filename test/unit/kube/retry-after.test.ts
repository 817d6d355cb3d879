// A 429 or 5xx that carries Retry-After was not processed, so every verb is sent again after the
// wait, as client-go does (rest/with_retry.go IsNextRetry → checkWait); without it a write is not
// repeated, since the server may have applied it (issue 11, fault injection: no write applied twice).
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { json, startServer, writeKubeconfig, type TestServer } from './kube-servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Answers the first request with `code` (and retryAfterSeconds when given), the rest with the object. */
async function flaky(code: number, retryAfterSeconds?: number): Promise<TestServer> {
  let n = 0;
  const s = await startServer((_req, res) => {
    if (++n > 1) return json(res, 200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } });
    json(res, code, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code,
      reason: 'TooManyRequests',
      details: retryAfterSeconds ? { retryAfterSeconds } : undefined,
    });
  });
  servers.push(s);
  return s;
}

const client = (s: TestServer) => new KubeClient({ kubeconfig: writeKubeconfig({ server: s.url }, {}).resolved(), env: {}, retryDelaysMs: [10, 10] });

describe('Retry-After', () => {
  it.each([429, 503, 500])('a PATCH answered %i with Retry-After is sent again after the wait', async (code) => {
    const s = await flaky(code, 1);
    const started = Date.now();
    await client(s).patch(Resources.ConfigMap, 'ns', 'x', { data: { a: 'b' } });
    expect(s.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  // A merge patch is read back instead, and sent again only when not in effect (kube-patch-lost.test.ts).
  it('a JSON PATCH answered 503 without Retry-After is not repeated: the server may have applied it', async () => {
    const s = await flaky(503);
    const err = await client(s)
      .patch(Resources.ConfigMap, 'ns', 'x', [{ op: 'add', path: '/data/a', value: 'b' }], 'json')
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(s.requests).toHaveLength(1);
  });
});

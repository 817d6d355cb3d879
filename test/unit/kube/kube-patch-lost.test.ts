// kube patch and create when their answer is lost (issue 11, fault injection): a merge patch is read
// back and sent again only when it is not in effect, a named create only when its object is absent,
// as delete and scale do, so no write is applied twice. A JSON
// patch is not judged (its test ops guard a re-send): it is not retried without Retry-After.
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.ts';
import { mergePatchHolds } from '../../../src/kube/patch.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { json, startServer, type TestServer, writeKubeconfig } from './kube-servers.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());
const client = (s: TestServer) => new KubeClient({ kubeconfig: writeKubeconfig({ server: s.url }, {}).resolved(), env: {}, retryDelaysMs: [1, 1, 1] });
const hc = {
  apiVersion: 'hypershift.openshift.io/v1beta1',
  kind: 'HostedCluster',
  metadata: { name: 'sample', namespace: 'clusters' },
  spec: {} as Record<string, unknown>,
};
const pause = { spec: { pausedUntil: 'true' } };
const unavailable = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 503 };

describe('KubeClient.patch after a lost answer', () => {
  it('a reset after the server applied it: read back, in effect, not sent again', async () => {
    const spec: Record<string, unknown> = {};
    server = await startServer((req, res) => {
      if (req.method === 'PATCH') {
        spec.pausedUntil = 'true';
        res.socket?.destroy(); // applied, answer lost
        return;
      }
      json(res, 200, { ...hc, spec });
    });
    expect(await client(server).patch(Resources.HostedCluster, 'clusters', 'sample', pause)).toMatchObject({ spec: { pausedUntil: 'true' } });
    expect(server.requests.map((r) => r.method)).toEqual(['PATCH', 'GET']);
  });

  it('a 503 before it was applied: not in effect, so the PATCH is sent again', async () => {
    let patches = 0;
    server = await startServer((req, res) => {
      if (req.method === 'PATCH') return ++patches === 1 ? json(res, 503, unavailable) : json(res, 200, { ...hc, spec: pause.spec });
      json(res, 200, hc);
    });
    await client(server).patch(Resources.HostedCluster, 'clusters', 'sample', pause);
    expect(server.requests.map((r) => r.method)).toEqual(['PATCH', 'GET', 'PATCH']);
  });

  it('a JSON patch is not read back nor sent again after a 503 without Retry-After', async () => {
    server = await startServer((_req, res) => json(res, 503, unavailable));
    await expect(client(server).patch(Resources.HostedCluster, 'clusters', 'sample', [{ op: 'add', path: '/spec/x', value: 1 }], 'json')).rejects.toThrow();
    expect(server.requests.map((r) => r.method)).toEqual(['PATCH']);
  });
});

describe('KubeClient.create after a lost answer', () => {
  const secret = { metadata: { name: 's', namespace: 'clusters', annotations: { a: 'b' } }, data: { k: 'dg==' } };
  const stored = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...secret.metadata, uid: 'u', resourceVersion: '5' },
    type: 'Opaque',
    data,
  });

  it('a reset after the server made it: read back, there as this create makes it, not sent again', async () => {
    server = await startServer((req, res) => {
      if (req.method === 'POST') return void res.socket?.destroy(); // made, answer lost
      json(res, 200, stored(secret.data));
    });
    expect(await client(server).create(Resources.Secret, 'clusters', secret)).toMatchObject({ metadata: { uid: 'u' } });
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('a 503 before it was made: absent, so the POST is sent again', async () => {
    let posts = 0;
    server = await startServer((req, res) => {
      if (req.method === 'POST') return ++posts === 1 ? json(res, 503, unavailable) : json(res, 201, stored(secret.data));
      json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    });
    await client(server).create(Resources.Secret, 'clusters', secret);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it("someone else's object under the name: sent again, and its AlreadyExists stands", async () => {
    server = await startServer((req, res) => {
      if (req.method === 'POST' && server!.requests.length === 1) return json(res, 503, unavailable);
      if (req.method === 'POST')
        return json(res, 409, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'AlreadyExists',
          code: 409,
          message: 'secrets "s" already exists',
        });
      json(res, 200, stored({ k: 'eA==' }));
    });
    await expect(client(server).create(Resources.Secret, 'clusters', secret)).rejects.toThrow(/already exists/);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });
});

describe('mergePatchHolds', () => {
  const current = { spec: { pausedUntil: 'true', release: { image: 'a' }, list: [1, 2] } };
  it.each([
    ['a field already set', { spec: { pausedUntil: 'true' } }, true],
    ['a removal of a field that is gone', { spec: { autoscaling: null } }, true],
    ['a list equal as a whole', { spec: { list: [1, 2] } }, true],
    ['a field set otherwise', { spec: { pausedUntil: 'false' } }, false],
    ['a removal of a field that is there', { spec: { pausedUntil: null } }, false],
    ['a list that differs', { spec: { list: [2] } }, false],
  ])('%s', (_label, patch, holds) => expect(mergePatchHolds(current, patch)).toBe(holds));
});

// kube delete when its answer is lost (issue 11, fault injection): it reads the object back and
// sends the DELETE again only when the object carries no deletion mark, so no delete is applied twice.
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { json, startServer, type TestServer, writeKubeconfig } from './kube-servers.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());
const client = (s: TestServer) => new KubeClient({ kubeconfig: writeKubeconfig({ server: s.url }, {}).resolved(), env: {}, retryDelaysMs: [1, 1, 1] });
const route = { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'r', namespace: 'cp', uid: 'u1' } };

describe('KubeClient.delete after a lost answer', () => {
  it('a reset after the server applied it: read back, gone, not sent again', async () => {
    let gone = false;
    server = await startServer((req, res) => {
      if (req.method === 'DELETE') {
        gone = true;
        res.socket?.destroy(); // applied, answer lost
        return;
      }
      if (gone) return json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
      json(res, 200, route);
    });
    expect(await client(server).delete(Resources.Route, 'cp', 'r')).toBe(true);
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'GET']);
  });

  it('applied but held by a finalizer (deletionTimestamp set): not sent again', async () => {
    let deleting = false;
    server = await startServer((req, res) => {
      if (req.method === 'DELETE') {
        deleting = true;
        res.socket?.destroy();
        return;
      }
      json(res, 200, deleting ? { ...route, metadata: { ...route.metadata, deletionTimestamp: '2026-11-25T00:00:00Z', finalizers: ['x'] } } : route);
    });
    expect(await client(server).delete(Resources.Route, 'cp', 'r')).toBe(true);
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'GET']);
  });

  it('a 503 before it was applied: the object is unmarked, so the DELETE is sent again', async () => {
    let deletes = 0;
    server = await startServer((req, res) => {
      if (req.method === 'DELETE') {
        deletes++;
        if (deletes === 1) return json(res, 503, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
        return json(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      }
      json(res, 200, route);
    });
    expect(await client(server).delete(Resources.Route, 'cp', 'r')).toBe(true);
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'GET', 'DELETE']);
  });

  it('an error that is not a fault (403) is thrown at once', async () => {
    server = await startServer((_req, res) => json(res, 403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }));
    await expect(client(server).delete(Resources.Route, 'cp', 'r')).rejects.toThrow();
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE']);
  });
});

// The API server takes DeleteOptions from the body when a DELETE has one and ignores the query
// (apiserver handlers/delete.go DeleteResource): a server dry-run delete must say dryRun in the body,
// or it deletes for real (found by test/e2e/delete.test.ts: the HostedCluster got its deletionTimestamp).
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { json, startServer, writeKubeconfig, type TestServer } from '../kube/kube-servers.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());

describe('KubeClient.delete in server dry-run', () => {
  it('puts dryRun: [All] in the DeleteOptions body as well as in the query', async () => {
    const bodies: unknown[] = [];
    server = await startServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        json(res, 200, { kind: 'Status', status: 'Success' });
      });
    });
    const kc = writeKubeconfig({ server: server.url }, {});
    const kube = new KubeClient({ kubeconfig: kc.resolved(), env: {} });
    await kube.withServerDryRun().delete(Resources.HostedCluster, 'clusters', 'sample', { propagationPolicy: 'Background' });
    await kube.delete(Resources.HostedCluster, 'clusters', 'sample', { propagationPolicy: 'Background' });
    expect(bodies[0]).toMatchObject({ kind: 'DeleteOptions', propagationPolicy: 'Background', dryRun: ['All'] });
    expect(server.requests[0].url).toContain('dryRun=All');
    expect(bodies[1]).not.toHaveProperty('dryRun');
  });
});

// The kube layer against a real kube-apiserver and kwok: patch types, optimistic concurrency,
// the scale subresource, server dry-run, discovery, exec (exit codes, streaming with
// backpressure, stdin) and logs.
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { resolveKubeconfig } from '../../src/kube/kubeconfig.ts';
import { ApiError } from '../../src/kube/errors.ts';
import { Resources } from '../../src/kube/resources.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

let kube: KubeClient;
let ns: string;

beforeAll(async () => {
  kube = new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig: sandbox().kubeconfig }, {}), env: {} });
  ns = await uniqueNamespace('kube');
  await kubectlOk('mgmt-1', ['run', 'shell', '-n', ns, '--image=registry.example/shell:1', '--restart=Never']);
  await waitFor(
    async () => (await kubectl('mgmt-1', ['get', 'pod', 'shell', '-n', ns, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running',
    60_000,
    'pod shell Running',
  );
});

const cm = (name: string, data: Record<string, string>) => ({ metadata: { name }, data });

describe('writes', () => {
  it('merge patch with null removes a key; JSON patch uses its own content type (a failed test op is a 422)', async () => {
    await kube.create(Resources.ConfigMap, ns, cm('patches', { a: '1', b: '2' }));
    await kube.patch(Resources.ConfigMap, ns, 'patches', { data: { a: null, c: '3' } }, 'merge');
    expect((await kube.get<any>(Resources.ConfigMap, ns, 'patches')).data).toEqual({ b: '2', c: '3' });
    await kube.patch(
      Resources.ConfigMap,
      ns,
      'patches',
      [
        { op: 'test', path: '/data/b', value: '2' },
        { op: 'replace', path: '/data/b', value: '20' },
      ],
      'json',
    );
    expect((await kube.get<any>(Resources.ConfigMap, ns, 'patches')).data.b).toBe('20');
    const err = await kube.patch(Resources.ConfigMap, ns, 'patches', [{ op: 'test', path: '/data/b', value: 'nope' }], 'json').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.statusCode).toBe(422);
  });

  it('update() retries a read-modify-write after a concurrent change (409)', async () => {
    await kube.create(Resources.ConfigMap, ns, cm('rmw', { n: '0' }));
    let round = 0;
    const { object } = await kube.update<any>(Resources.ConfigMap, ns, 'rmw', (obj) => {
      round++;
      // Someone else writes between our read and our write, once.
      if (round === 1) execSyncKubectl(['patch', 'configmap', 'rmw', '-n', ns, '--type=merge', '-p', '{"data":{"other":"x"}}']);
      obj.data.n = String(Number(obj.data.n) + 1);
    });
    expect(round).toBe(2);
    expect(object.data).toEqual({ n: '1', other: 'x' });
  });

  it('server dry-run validates but persists nothing; the API server message is kept', async () => {
    const dry = kube.withServerDryRun();
    await dry.create(Resources.ConfigMap, ns, cm('dry', { a: '1' }));
    expect(await kube.getOrNull(Resources.ConfigMap, ns, 'dry')).toBeNull();
    const err = await dry.patch(Resources.HostedCluster, 'clusters', 'sample', { spec: { pausedUntil: 'tomorrow' } }, 'merge').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain("PausedUntil must be a date in RFC3339 format or 'True', 'true', 'False' or 'false'");
  });

  it('scales NodePools through the scale subresource', async () => {
    const before = await kube.getScale(Resources.NodePool, 'clusters', 'sample-us-east-1b');
    await kube.withServerDryRun().scale(Resources.NodePool, 'clusters', 'sample-us-east-1b', 3);
    expect((await kube.get<any>(Resources.NodePool, 'clusters', 'sample-us-east-1b')).spec.replicas).toBe(before.spec.replicas);
  });

  it('asks discovery for the CAPI version instead of hard-coding one', async () => {
    const group = JSON.parse(await kubectlOk('mgmt-1', ['get', '--raw', '/apis/cluster.x-k8s.io']));
    expect(await kube.versionOf(Resources.MachineDeployment)).toBe(group.preferredVersion.version);
  });
});

describe('exec', () => {
  it('returns stdout, stderr and the exit code', async () => {
    const r = await kube.exec(ns, 'shell', 'shell', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    expect((await kube.exec(ns, 'shell', 'shell', ['true'])).exitCode).toBe(0);
  });

  it('streams large output into a slow sink with backpressure, without losing a byte', async () => {
    const size = 64 * 1024 * 1024;
    let received = 0;
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 1024 * 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        setImmediate(done);
      },
    });
    const r = await kube.exec(ns, 'shell', 'shell', ['head', '-c', String(size), '/dev/zero'], { stdout: slow });
    expect(r.exitCode).toBe(0);
    expect(received).toBe(size);
    expect(maxBuffered).toBeLessThan(8 * 1024 * 1024);
  });

  it('a command that does not exist is an error, not exit code 0', async () => {
    await expect(kube.exec(ns, 'shell', 'shell', ['/definitely/not/here'])).rejects.toThrow();
  });
});

describe('logs', () => {
  it('reads the current log, and reports the server message for a previous one that does not exist', async () => {
    expect(await kube.logs(ns, 'shell', { container: 'shell' })).toBe(await kubectlOk('mgmt-1', ['logs', 'shell', '-n', ns]));
    const err = await kube.logs(ns, 'nope').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('pods "nope" not found');
  });
});

function execSyncKubectl(args: string[]): void {
  // Synchronous on purpose: it must land between update()'s read and its write.
  const s = sandbox();
  execFileSync(s.kubectl, ['--kubeconfig', s.kubeconfig, '--context', 'mgmt-1', ...args]);
}

// Real hosted etcd behind the etcd pods: failure injection and member recovery (delete pod + PVC →
// the member rejoins with empty data), and restore at creation from a presigned MinIO URL.
import { execFile } from 'node:child_process';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { createHostedCluster, etcdctl, etcdPods, getKey, putKey, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const npmSandbox = (args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
  execFile(process.execPath, ['scripts/sandbox/cli.ts', ...args], (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }));
});

describe('etcd member break and recovery', async () => {
  const ns = await uniqueNamespace('etcd-brk');
  const cpns = await createHostedCluster(ns, 'b1', { highlyAvailable: true });

  it('break etcd-member: CrashLoopBackOff 1/2; delete pod + PVC: the member rejoins with empty data and keeps the data', async () => {
    await waitForEtcdPods(cpns, 3);
    await putKey(cpns, '/e2e/before-break', 'kept');
    const r = await npmSandbox(['break', 'etcd-member', `${ns}/b1`, '2']);
    expect(r.code, r.out).toBe(0);
    await waitFor(async () => (await etcdPods(cpns))['etcd-2'] === '1/2 CrashLoopBackOff', 60_000, 'etcd-2 1/2 CrashLoopBackOff');
    const health = await etcdctl(cpns, ['endpoint', 'health', '--cluster']);
    expect(health.code).not.toBe(0);
    expect(health.stdout + health.stderr).toMatch(/etcd-2\.etcd-client.* is unhealthy/);

    await kubectlOk('mgmt-1', ['delete', 'pvc', 'data-etcd-2', '-n', cpns, '--wait=false']);
    await kubectlOk('mgmt-1', ['delete', 'pod', 'etcd-2', '-n', cpns]);
    await waitForEtcdPods(cpns, 3, 'mgmt-1', 120_000);
    const list = await etcdctl(cpns, ['member', 'list', '-w', 'table']);
    expect(list.stdout.match(/\| started \|/g)).toHaveLength(3);
    expect(await getKey(cpns, '/e2e/before-break', 'etcd-2')).toBe('kept');
  });
});

describe('restore at creation from restoreSnapshotURL', async () => {
  const ns = await uniqueNamespace('etcd-rst');
  const env = sandbox().awsEnv;
  const s3 = new S3Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } });
  const bucket = env.HCP_SANDBOX_BUCKET;
  const key = `${ns}/etcd.snapshot.db`;

  it('restores the written keys into every member of a new HA cluster; an expired URL fails visibly with 403', async () => {
    const src = await createHostedCluster(ns, 'src');
    await waitForEtcdPods(src, 1);
    await putKey(src, '/e2e/restored', 'yes');
    const save = await kubectlOk('mgmt-1', ['exec', '-n', src, 'etcd-0', '-c', 'etcd', '--', 'sh', '-c',
      'etcdctl --cacert /etc/etcd/tls/etcd-ca/ca.crt --cert /etc/etcd/tls/client/etcd-client.crt --key /etc/etcd/tls/client/etcd-client.key --endpoints https://localhost:2379 snapshot save /var/lib/snapshot.db >/dev/null && base64 -w0 /var/lib/snapshot.db']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(save, 'base64') }));

    // Expired: the etcd init's download gets 403 and the pod shows it.
    // The CRD accepts only https URLs; the sandbox's MinIO is plain HTTP on 127.0.0.1 (see scripts/sandbox/README.md).
    const https = (u: string) => u.replace(/^http:/, 'https:');
    const expired = https(await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 1 }));
    await new Promise((r) => setTimeout(r, 2500));
    const badCp = await createHostedCluster(ns, 'expired', { restoreSnapshotURL: expired });
    await waitFor(async () => (await etcdPods(badCp))['etcd-0']?.includes('Init:CrashLoopBackOff') ?? false, 60_000, 'Init:CrashLoopBackOff');
    const pod = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pod', 'etcd-0', '-n', badCp, '-o', 'json']));
    expect(pod.status.initContainerStatuses[0].lastState.terminated.message).toMatch(/returned error: 403/);
    const cond = JSON.parse(await kubectlOk('mgmt-1', ['get', 'hc', 'expired', '-n', ns, '-o', 'json'])).status.conditions.find((c: { type: string }) => c.type === 'EtcdAvailable');
    expect(cond.status).toBe('False');
    expect(cond.message).toMatch(/403/);

    const url = https(await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 600 }));
    const cp = await createHostedCluster(ns, 'restored', { restoreSnapshotURL: url, highlyAvailable: true });
    await waitForEtcdPods(cp, 3, 'mgmt-1', 120_000);
    for (const pod of ['etcd-0', 'etcd-1', 'etcd-2']) expect(await getKey(cp, '/e2e/restored', pod)).toBe('yes');
  });
});

// Real hosted etcd behind the etcd pods (simulator self-test): failure injection and member
// recovery by hand (delete pod + PVC → the member rejoins with empty data), restore at creation
// from a presigned MinIO URL, pod logs and exec, each asserted against upstream's values:
// - the pod's init containers and their scripts: control-plane-operator/controllers/
//   hostedcontrolplane/v2/assets/etcd/statefulset.yaml (reset-member), v2/etcd/statefulset.go and
//   v2/etcd/etcd-init.sh (etcd-init);
// - EtcdAvailable / EtcdSnapshotRestored: hostedcontrolplane_controller.go (etcdStatefulSetCondition,
//   etcdRestoredCondition).
import { execFile } from 'node:child_process';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, it } from 'vitest';
import { condition, createHostedCluster, ETCD_TLS, etcdctl, etcdPods, getKey, putKey, waitForCondition, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const npmSandbox = (args: string[]) =>
  new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, ['scripts/sandbox/cli.ts', ...args], (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
    );
  });

describe('etcd member break and recovery', () => {
  let ns = '';
  let cpns = '';
  beforeAll(async () => {
    ns = await uniqueNamespace('etcd-brk');
    cpns = await createHostedCluster(ns, 'b1', { highlyAvailable: true });
    await waitForEtcdPods(cpns, 3);
  });

  it("runs upstream's init containers, serves each container's log, and execs absolute paths inside the pod", async () => {
    const pod = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pod', 'etcd-0', '-n', cpns, '-o', 'json']));
    // statefulset.yaml: ensure-dns, then reset-member; no etcd-init without restoreSnapshotURL (statefulset.go).
    expect(pod.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['ensure-dns', 'reset-member']);
    expect(pod.status.initContainerStatuses.map((c: { state: { terminated?: { reason: string } } }) => c.state.terminated?.reason)).toEqual([
      'Completed',
      'Completed',
    ]);
    // reset-member's own output (a new cluster is not functional yet, so every member starts "new").
    const reset = await kubectlOk('mgmt-1', ['logs', 'etcd-0', '-n', cpns, '-c', 'reset-member']);
    expect(reset).toContain('No existing etcd data found');
    expect(reset).toContain('Cannot list members in cluster, so likely not up yet');
    // The member's own log (etcd writes JSON lines).
    const etcdLog = await kubectlOk('mgmt-1', ['logs', 'etcd-0', '-n', cpns, '-c', 'etcd']);
    expect(etcdLog).toMatch(/^\{"level":"(warn|info|error)"/m);
    // An absolute program path runs the pod's program, in the pod's filesystem.
    const health = await kubectl('mgmt-1', ['exec', '-n', cpns, 'etcd-0', '-c', 'etcd', '--', '/usr/bin/etcdctl', ...ETCD_TLS, 'endpoint', 'health']);
    expect(health.code, health.stderr).toBe(0);
    expect(health.stdout + health.stderr).toMatch(/https:\/\/localhost:2379 is healthy/);
    const ls = await kubectlOk('mgmt-1', ['exec', '-n', cpns, 'etcd-0', '-c', 'etcd', '--', '/bin/ls', '/var/lib/data/member']);
    expect(ls.split('\n')).toContain('snap');
  });

  it('break etcd-member: CrashLoopBackOff 1/2; delete PVC and pod (kubectl waits and returns): the member rejoins with empty data and keeps the data', async () => {
    await putKey(cpns, '/e2e/before-break', 'kept');
    const r = await npmSandbox(['break', 'etcd-member', `${ns}/b1`, '2']);
    expect(r.code, r.out).toBe(0);
    await waitFor(async () => (await etcdPods(cpns))['etcd-2'] === '1/2 CrashLoopBackOff', 60_000, 'etcd-2 1/2 CrashLoopBackOff');
    const health = await etcdctl(cpns, ['endpoint', 'health', '--cluster']);
    expect(health.code).not.toBe(0);
    // Members advertise https://$(HOSTNAME).etcd-discovery.$(NAMESPACE).svc:2379 (statefulset.yaml).
    expect(health.stdout + health.stderr).toMatch(/etcd-2\.etcd-discovery.* is unhealthy/);
    // The kubelet keeps the previous container's log once it restarts the container (back-off 10 s).
    await waitFor(
      async () => (await kubectl('mgmt-1', ['logs', 'etcd-2', '-n', cpns, '-c', 'etcd', '--previous'])).code === 0,
      60_000,
      'kubectl logs --previous etcd-2',
    );

    const oldUid = (await kubectlOk('mgmt-1', ['get', 'pod', 'etcd-2', '-n', cpns, '-o', 'jsonpath={.metadata.uid}'])).trim();
    await kubectlOk('mgmt-1', ['delete', 'pvc', 'data-etcd-2', '-n', cpns, '--wait=false']);
    // The docs' step, with kubectl's default --wait: it returns once the old pod is gone.
    const t0 = Date.now();
    await kubectlOk('mgmt-1', ['delete', 'pod', 'etcd-2', '-n', cpns, '--timeout=60s']);
    expect(Date.now() - t0).toBeLessThan(60_000);
    await waitForEtcdPods(cpns, 3, 'mgmt-1', 120_000);
    expect((await kubectlOk('mgmt-1', ['get', 'pod', 'etcd-2', '-n', cpns, '-o', 'jsonpath={.metadata.uid}'])).trim()).not.toBe(oldUid);
    // reset-member found the cluster functional and this member listed: remove, add, "existing".
    const reset = await kubectlOk('mgmt-1', ['logs', 'etcd-2', '-n', cpns, '-c', 'reset-member']);
    expect(reset).toContain('A member with this name (etcd-2) already exists, removing');
    expect(reset).toContain('Adding new member');
    const list = await etcdctl(cpns, ['member', 'list', '-w', 'table']);
    expect(list.stdout.match(/\| started \|/g)).toHaveLength(3);
    expect(await getKey(cpns, '/e2e/before-break', 'etcd-2')).toBe('kept');
  });
});

describe('restore at creation from restoreSnapshotURL', () => {
  let ns = '';
  let s3: S3Client;
  let bucket = '';
  let key = '';
  beforeAll(async () => {
    ns = await uniqueNamespace('etcd-rst');
    const env = sandbox().awsEnv;
    s3 = new S3Client({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    bucket = env.HCP_SANDBOX_BUCKET;
    key = `${ns}/etcd.snapshot.db`;
  });

  it("every member runs etcd-init itself; an expired URL shows as Init:CrashLoopBackOff with S3's XML in the log; then the init container goes", async () => {
    const src = await createHostedCluster(ns, 'src');
    await waitForEtcdPods(src, 1);
    await putKey(src, '/e2e/restored', 'yes');
    const save = await kubectlOk('mgmt-1', [
      'exec',
      '-n',
      src,
      'etcd-0',
      '-c',
      'etcd',
      '--',
      'sh',
      '-c',
      'etcdctl --cacert /etc/etcd/tls/etcd-ca/ca.crt --cert /etc/etcd/tls/client/etcd-client.crt --key /etc/etcd/tls/client/etcd-client.key --endpoints https://localhost:2379 snapshot save /var/lib/snapshot.db >/dev/null && base64 -w0 /var/lib/snapshot.db',
    ]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(save, 'base64') }));

    // Expired: curl (no -f) saves S3's XML error; etcd-init.sh sees `<?xml`, prints it, exits 1.
    // The CRD accepts only https URLs; the sandbox's MinIO is plain HTTP on 127.0.0.1 (see scripts/sandbox/README.md).
    const https = (u: string) => u.replace(/^http:/, 'https:');
    const expired = https(await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 1 }));
    await new Promise((r) => setTimeout(r, 2500));
    const badCp = await createHostedCluster(ns, 'expired', { restoreSnapshotURL: expired });
    await waitFor(async () => (await etcdPods(badCp))['etcd-0']?.includes('Init:CrashLoopBackOff') ?? false, 60_000, 'Init:CrashLoopBackOff');
    const pod = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pod', 'etcd-0', '-n', badCp, '-o', 'json']));
    const init = pod.status.initContainerStatuses.find((c: { name: string }) => c.name === 'etcd-init');
    expect(init.lastState.terminated.exitCode).toBe(1);
    const initLog = await kubectlOk('mgmt-1', ['logs', 'etcd-0', '-n', badCp, '-c', 'etcd-init']);
    expect(initLog).toMatch(/<\?xml/);
    expect(initLog).toMatch(/<Code>AccessDenied<\/Code>/);
    expect(initLog).toMatch(/Request has expired/);
    // hostedcontrolplane_controller.go etcdStatefulSetCondition: no quorum → "Waiting for etcd to reach quorum".
    const cond = await condition('hostedcluster', ns, 'expired', 'EtcdAvailable');
    expect(cond).toMatchObject({ status: 'False', reason: 'EtcdWaitingForQuorum', message: 'Waiting for etcd to reach quorum' });

    const url = https(await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 600 }));
    const cp = await createHostedCluster(ns, 'restored', { restoreSnapshotURL: url, highlyAvailable: true });
    // The pods' etcd-init logs exist only until the pods roll without it (statefulset.go drops
    // etcd-init once EtcdSnapshotRestored is True). The cluster is paused as soon as its
    // StatefulSet exists, so the control plane leaves the pod template alone while they are read;
    // the kubelet's part (init containers, members) goes on.
    const sts = async () => JSON.parse((await kubectl('mgmt-1', ['get', 'statefulset', 'etcd', '-n', cp, '-o', 'json'])).stdout || '{}');
    await waitFor(async () => (await sts()).spec !== undefined, 60_000, 'the etcd StatefulSet of restored');
    await kubectlOk('mgmt-1', ['patch', 'hc', 'restored', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    await waitForCondition(['hostedcluster', ns, 'restored'], 'ReconciliationActive', { status: 'False' }, 30_000);
    expect((await sts()).spec.template.spec.initContainers.map((c: { name: string }) => c.name)).toContain('etcd-init');
    await waitForEtcdPods(cp, 3, 'mgmt-1', 180_000);
    for (const p of ['etcd-0', 'etcd-1', 'etcd-2']) {
      // Each pod downloaded and restored for itself (etcd-init.sh), into a staging dir.
      expect(await kubectlOk('mgmt-1', ['logs', p, '-n', cp, '-c', 'etcd-init'])).toContain('INFO: using etcdutl (etcd 3.6+)');
      expect(await getKey(cp, '/e2e/restored', p)).toBe('yes');
    }
    await kubectlOk('mgmt-1', ['patch', 'hc', 'restored', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
    // Restored without --name/--initial-cluster: each member restored the snapshot's membership
    // as a one-member cluster of its own (upstream's behaviour for HA restores).
    const members = await etcdctl(cp, ['member', 'list', '-w', 'json']);
    expect(JSON.parse(members.stdout).members).toHaveLength(1);
    // EtcdSnapshotRestored=True on the HCP (etcdRestoredCondition), then statefulset.go drops
    // etcd-init from the template and the StatefulSet rolls the pods.
    await waitFor(
      async () => (await condition('hostedcontrolplane', cp, 'restored', 'EtcdSnapshotRestored')).status === 'True',
      60_000,
      'EtcdSnapshotRestored=True',
    );
    await waitFor(
      async () => {
        const sts = JSON.parse(await kubectlOk('mgmt-1', ['get', 'statefulset', 'etcd', '-n', cp, '-o', 'json']));
        return (
          !sts.spec.template.spec.initContainers.some((c: { name: string }) => c.name === 'etcd-init') &&
          sts.status.updateRevision === sts.status.currentRevision &&
          sts.status.readyReplicas === 3
        );
      },
      180_000,
      'the etcd StatefulSet rolled out without etcd-init',
    );
    await waitForEtcdPods(cp, 3, 'mgmt-1', 120_000);
    for (const p of ['etcd-0', 'etcd-1', 'etcd-2']) expect(await getKey(cp, '/e2e/restored', p)).toBe('yes');
  });
});

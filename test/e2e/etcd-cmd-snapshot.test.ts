// `kubectl hcp etcd snapshot` to a directory and to MinIO, and `etcd restore` (docs 8.2.1, 8.3)
// against the sandbox's real hosted etcd, through the built binary: sha256 verified end to end,
// writers scaled back and reconciliation resumed even when the upload fails, corrupt snapshots
// refused before any volume is touched, and a restore that brings back exactly the snapshot.
import { createHash, randomInt } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { createHostedCluster, etcdctl, getKey, putKey, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { hcp } from './helpers/hcp.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace } from './helpers/sandbox.ts';

const WRITERS = ['kube-apiserver', 'openshift-apiserver', 'openshift-oauth-apiserver'];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('etcd snapshot and restore', async () => {
  const ns = await uniqueNamespace('etcd-snap');
  const name = 's1';
  const cpns = await createHostedCluster(ns, name, { highlyAvailable: true });
  afterAll(async () => {
    // Its three live etcd members go with the test, not with the next run.
    await kubectl('mgmt-1', ['delete', 'hostedcluster', name, '-n', ns, '--wait=false']);
  });
  const dir = join(mkdtempSync(join(tmpdir(), 'hcp-snap-')), 'backups');
  const env = sandbox().awsEnv;
  const s3Args = ['--s3-path-style'];
  const s3 = new S3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });

  const replicas = async () => {
    const out: Record<string, number> = {};
    for (const w of WRITERS) out[w] = Number(await kubectlOk('mgmt-1', ['get', 'deployment', w, '-n', cpns, '-o', 'jsonpath={.spec.replicas}']));
    return out;
  };
  const pausedUntil = async () => (await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.spec.pausedUntil}'])).trim();
  const pvcUids = async () =>
    (await kubectlOk('mgmt-1', ['get', 'pvc', '-n', cpns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}'])).trim();
  const podFiles = async () =>
    (await kubectlOk('mgmt-1', ['exec', '-n', cpns, 'etcd-0', '-c', 'etcd', '--', 'ls', '/var/lib'])).split('\n').filter((f) => f.endsWith('.db'));
  let snapshotFile = '';
  let s3Key = '';
  let writersBefore: Record<string, number> = {};

  it('snapshot to a directory: 0600 files in a 0700 dir, sha256 = .sha256 = manifest, writers back, resumed, nothing left in the pod', async () => {
    await waitForEtcdPods(cpns, 3);
    await putKey(cpns, '/e2e/in-snapshot', 'yes');
    writersBefore = await replicas();
    expect(Object.values(writersBefore).every((n) => n > 0)).toBe(true);
    const r = await hcp(['etcd', 'snapshot', name, '-n', ns, '--to', `file://${dir}`, '-y', '-o', 'json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // NDJSON progress: the writers were really scaled down and the cluster paused on the way.
    const ids = lines.filter((l) => l.type === 'step-done').map((l) => l.id);
    expect(ids).toEqual(expect.arrayContaining(['pause', 'scale-down-writers', 'scale-up-writers', 'resume']));
    // The leader by default, whichever it is.
    const leader = JSON.parse((await hcp(['etcd', 'status', name, '-n', ns, '-o', 'json'])).stdout).leader as string;
    expect(ids.filter((id: string) => id.startsWith('stream-'))).toEqual([`stream-${leader}`]);
    const result = lines.pop();
    expect(result.type).toBe('result');
    const [snap] = result.snapshots;

    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    snapshotFile = files.find((f) => f.endsWith('-snapshot.db'))!;
    expect(snapshotFile).toMatch(new RegExp(`^${name}-etcd-\\d-\\d{8}T\\d{6}Z-snapshot\\.db$`));
    expect(files).toEqual([snapshotFile, `${snapshotFile}.manifest.json`, `${snapshotFile}.sha256`]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const data = readFileSync(join(dir, snapshotFile));
    const manifest = JSON.parse(readFileSync(join(dir, `${snapshotFile}.manifest.json`), 'utf8'));
    expect(manifest.snapshot).toMatchObject({ file: snapshotFile, sha256: sha256(data), size: data.length });
    expect(readFileSync(join(dir, `${snapshotFile}.sha256`), 'utf8')).toBe(`${sha256(data)}  ${snapshotFile}\n`);
    expect(snap).toMatchObject({ sha256: sha256(data), size: data.length, revision: manifest.snapshot.revision });
    expect(manifest.hostedCluster).toMatchObject({ namespace: ns, name });
    expect(Object.keys(manifest.memberIds).sort()).toEqual(['etcd-0', 'etcd-1', 'etcd-2']);
    expect(manifest.keyspaceHash).toEqual({ revision: manifest.snapshot.revision, hash: expect.any(Number) });
    // The hash in the manifest is the cluster's own at that revision.
    const hk = JSON.parse((await etcdctl(cpns, ['endpoint', 'hashkv', `--rev=${manifest.snapshot.revision}`, '-w', 'json'])).stdout);
    expect(hk[0].HashKV.hash).toBe(manifest.keyspaceHash.hash);

    expect(await replicas()).toEqual(writersBefore);
    expect(await pausedUntil()).toBe('');
    expect(await podFiles()).toEqual([]);
  }, 420_000); // the writers' pods can take minutes to go when the sandbox is busy

  it('snapshot to MinIO (SigV4 multipart from the client): the object, .sha256 and manifest agree', async () => {
    const prefix = `${ns}/etcd`;
    const r = await hcp(['etcd', 'snapshot', name, '-n', ns, '--to', `s3://${env.HCP_SANDBOX_BUCKET}/${prefix}`, '--online', '-o', 'json', ...s3Args], { env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const [snap] = result.snapshots;
    expect(snap.location).toMatch(new RegExp(`^s3://${env.HCP_SANDBOX_BUCKET}/${prefix}/${name}-etcd-\\d-\\d{8}T\\d{6}Z-snapshot\\.db$`));
    const key = snap.location.replace(`s3://${env.HCP_SANDBOX_BUCKET}/`, '');
    const get = async (k: string) =>
      Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: env.HCP_SANDBOX_BUCKET, Key: k }))).Body!.transformToByteArray());
    const body = await get(key);
    expect(sha256(body)).toBe(snap.sha256);
    expect(body.length).toBe(snap.size);
    expect((await get(`${key}.sha256`)).toString()).toBe(`${snap.sha256}  ${key.split('/').pop()}\n`);
    expect(JSON.parse((await get(`${key}.manifest.json`)).toString()).snapshot.sha256).toBe(snap.sha256);
    // --online never paused nor scaled.
    expect(await replicas()).toEqual(writersBefore);
    s3Key = key;
    // etcd status finds it as the newest snapshot in the bucket (ListObjectsV2, HEAD, the .sha256).
    const st = await hcp(['etcd', 'status', name, '-n', ns, '--bucket', `s3://${env.HCP_SANDBOX_BUCKET}/${prefix}`, '-o', 'json', ...s3Args], { env });
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout).newestSnapshot).toMatchObject({
      source: 'bucket',
      location: snap.location,
      sha256: snap.sha256,
      size: snap.size,
      verified: true,
    });
  });

  it('restore-url: the fragment with one presigned URL; refuses the existing cluster; 100 of 100 corruptions refused', async () => {
    const from = `s3://${env.HCP_SANDBOX_BUCKET}/${s3Key}`;
    const ok = await hcp(['etcd', 'restore-url', 'brand-new', '-n', ns, '--from', from, '--expires', '2h', ...s3Args], { env });
    expect(ok.code, ok.stderr).toBe(0);
    const urls = ok.stdout.match(/^\s+- (\S+)$/gm) ?? [];
    expect(urls).toHaveLength(1);
    expect(ok.stdout).toMatch(/X-Amz-Algorithm=AWS4-HMAC-SHA256/);
    expect(ok.stdout).toMatch(/X-Amz-Expires=7200/);
    const exists = await hcp(['etcd', 'restore-url', name, '-n', ns, '--from', from, ...s3Args], { env });
    expect(exists.code).toBe(3);
    expect(exists.stderr).toMatch(/already exists: restoreSnapshotURL is read only when a HostedCluster is created/);

    const original = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: env.HCP_SANDBOX_BUCKET, Key: s3Key }))).Body!.transformToByteArray());
    let refused = 0;
    for (let n = 0; n < 100; n++) {
      const copy = Buffer.from(original);
      copy[randomInt(copy.length)] ^= 1 + randomInt(255);
      await s3.send(new PutObjectCommand({ Bucket: env.HCP_SANDBOX_BUCKET, Key: s3Key, Body: copy }));
      const r = await hcp(['etcd', 'restore-url', 'brand-new', '-n', ns, '--from', from, ...s3Args], { env });
      if (r.code === 2 && /does not match its manifest/.test(r.stderr) && !/X-Amz-Signature/.test(r.stdout)) refused++;
    }
    expect(refused).toBe(100);
    await s3.send(new PutObjectCommand({ Bucket: env.HCP_SANDBOX_BUCKET, Key: s3Key, Body: original }));
  });

  it('a snapshot that fails midway (the bucket does not exist) scales the writers back and resumes', async () => {
    const r = await hcp(['etcd', 'snapshot', name, '-n', ns, '--to', 's3://no-such-bucket-kubectl-hcp/x', '-y', ...s3Args], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed at step "Stream .* to s3:\/\/no-such-bucket-kubectl-hcp\/x, checking its sha256"/);
    expect(r.stderr).toMatch(/state: everything done before the failure was undone \(.*scale the etcd writers back; resume reconciliation of s1\)/);
    expect(await replicas()).toEqual(writersBefore);
    expect(await pausedUntil()).toBe('');
    expect(await podFiles()).toEqual([]);
  });

  it('restore refuses 100 of 100 single-byte corruptions before any volume is touched', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'hcp-bad-'));
    const original = readFileSync(join(dir, snapshotFile));
    copyFileSync(join(dir, `${snapshotFile}.manifest.json`), join(bad, `${snapshotFile}.manifest.json`));
    copyFileSync(join(dir, `${snapshotFile}.sha256`), join(bad, `${snapshotFile}.sha256`));
    const uids = await pvcUids();
    let refused = 0;
    for (let n = 0; n < 100; n++) {
      const copy = Buffer.from(original);
      const at = randomInt(copy.length);
      copy[at] ^= 1 + randomInt(255);
      writeFileSync(join(bad, snapshotFile), copy);
      const r = await hcp(['etcd', 'restore', name, '-n', ns, '--from', join(bad, snapshotFile), '-y']);
      if (r.code === 2 && /does not match its manifest/.test(r.stderr)) refused++;
    }
    expect(refused).toBe(100);
    expect(await pvcUids()).toBe(uids);
    expect(await pausedUntil()).toBe('');
  });

  it("restore brings back exactly the keys of the snapshot on every member, with the manifest's keyspace hash", async () => {
    await putKey(cpns, '/e2e/after-snapshot', 'lost');
    const r = await hcp(['etcd', 'restore', name, '-n', ns, '--from', join(dir, snapshotFile), '-y', '-o', 'json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result).toMatchObject({ type: 'result', verified: 'keyspace-hash', members: 3 });
    await waitForEtcdPods(cpns, 3);
    for (const pod of ['etcd-0', 'etcd-1', 'etcd-2']) {
      expect(await getKey(cpns, '/e2e/in-snapshot', pod)).toBe('yes');
      expect(await getKey(cpns, '/e2e/after-snapshot', pod)).toBeUndefined();
    }
    expect(await replicas()).toEqual(writersBefore);
    expect(await pausedUntil()).toBe('');
    expect((await kubectlOk('mgmt-1', ['get', 'deployment', '-n', cpns, '-o', 'name'])).includes('etcd-data')).toBe(false);
  });
});

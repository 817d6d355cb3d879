// `kubectl hcp dr migrate` from mgmt-1 to mgmt-2 through the built binary (issue 9 "Proof"): a
// HighlyAvailable cluster (three etcd members, secret encryption) with two NodePools and
// Route-published hostnames, keys written into its hosted etcd, migrated; then on mgmt-2 the
// HostedCluster, both NodePools, exactly one restore URL, every key on every member, the three
// members one cluster (not three restored each on its own, as upstream's etcd-init would make them),
// etcd verified against the final snapshot's keyspace hash, the guest's nodes Ready; on mgmt-1
// nothing left of the cluster and the operator still running. A probe every 100 ms (in process,
// through the project's kube client) checks that the hosted etcd never serves on both management
// clusters at once, that the fenced source never serves again, and that the source's Route 53
// records are gone before the destination's appear. Interlocks: missing external-dns, a second
// run's claim, too short a presign, a PVC retention of Delete.
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import { resolveKubeconfig } from '../../src/kube/kubeconfig.ts';
import { Resources } from '../../src/kube/resources.ts';
import { etcdctl, getKey, putKey } from './helpers/hosted-etcd.ts';
import { createAvailableDrCluster, etcdRetentionAndReplicas, setEtcdRetention } from './helpers/dr.ts';
import { hcp } from './helpers/hcp.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const env = sandbox().awsEnv;
const BUCKET = env.HCP_SANDBOX_BUCKET;
const ZONE = 'Z0SANDBOX0PUBLIC';
// MinIO is plain HTTP here; the CRD takes only https restore URLs and the sandbox's etcd-init
// fetches https://127.0.0.1:… over http (scripts/sandbox/README.md): sign for the https endpoint.
const httpsEndpoint = env.AWS_ENDPOINT_URL_S3.replace(/^http:/, 'https:');

const client = (context: 'mgmt-1' | 'mgmt-2') =>
  new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig: sandbox().kubeconfig, context }, process.env), env: process.env });

describe('dr migrate mgmt-1 → mgmt-2', async () => {
  const ns = await uniqueNamespace('dr');
  const name = 'drm';
  const cpns = `${ns}-${name}`;
  const common = ['-n', ns, '--bucket', BUCKET, '--prefix', `e2e-${ns}`, '--s3-path-style'];
  const migrateArgs = [
    'dr',
    'migrate',
    name,
    ...common,
    '--from-context',
    'mgmt-1',
    '--to-context',
    'mgmt-2',
    '--restore-url-endpoint',
    httpsEndpoint,
    '--wait-timeout',
    '4m',
    '--nodes-timeout',
    '3m',
    '--dns-timeout',
    '2m',
  ];
  const s3 = new S3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const r53 = new Route53Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_ROUTE_53,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });

  afterAll(async () => {
    await kubectl('mgmt-2', ['delete', 'hostedcluster', name, '-n', ns, '--wait=true', '--timeout=120s']);
    await kubectl('mgmt-2', ['delete', 'namespace', ns, cpns, '--wait=false']);
    await kubectl('mgmt-1', ['scale', 'deployment', 'external-dns', '-n', 'hypershift', '--replicas=1']);
    await kubectl('mgmt-2', ['scale', 'deployment', 'external-dns', '-n', 'hypershift', '--replicas=1']);
  });

  await createAvailableDrCluster(ns, name, { ha: true });
  // external-dns published the cluster's records (a sync every 2 s in tests).
  await waitFor(
    async () =>
      (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }))).ResourceRecordSets!.some(
        (x) => x.Name === `api-${name}.sandbox.example.com.`,
      ),
    60_000,
    `the Route 53 record of api-${name}`,
  );
  const keys = Array.from({ length: 10 }, (_, i) => [`/e2e/dr/k${i}`, `v${i}-${ns}`] as const);
  for (const [k, v] of keys) await putKey(cpns, k, v);

  const leaseHolder = async (c: 'mgmt-1' | 'mgmt-2') =>
    (await kubectl(c, ['get', 'lease', `hcp-dr-${name}`, '-n', ns, '-o', 'jsonpath={.spec.holderIdentity}'])).stdout.trim();

  it('refuses (exit 3) without external-dns on the destination, without a StorageClass for etcd there, with another run holding the claim, and with another run holding the destination Lease', async () => {
    await kubectlOk('mgmt-2', ['scale', 'deployment', 'external-dns', '-n', 'hypershift', '--replicas=0']);
    try {
      const r = await hcp([...migrateArgs, '-y'], { env });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/external-dns is scaled to 0/);
    } finally {
      await kubectlOk('mgmt-2', ['scale', 'deployment', 'external-dns', '-n', 'hypershift', '--replicas=1']);
    }
    // A destination whose StorageClasses cannot make etcd's volumes (none is the default, and the
    // cluster names none): refused before the source is touched.
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: `e2e-${ns}` }, provisioner: 'kubernetes.io/no-provisioner' };
    await kubectlOk('mgmt-2', ['create', '-f', '-'], JSON.stringify(sc));
    try {
      const r = await hcp([...migrateArgs, '-y'], { env });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`mgmt-2 has no default StorageClass (e2e-${ns}) and ${name}'s etcd volumes name none: they would stay Pending`);
      expect(await etcdRetentionAndReplicas(cpns)).toMatch(/ 3$/);
    } finally {
      await kubectlOk('mgmt-2', ['delete', 'storageclass', `e2e-${ns}`]);
    }
    const key = `e2e-${ns}/${ns}/${name}/owner.json`;
    const other = {
      kind: 'kubectl-hcp/dr-claim',
      runId: 'other-run-1',
      operation: 'dr migrate',
      hostedCluster: `${ns}/${name}`,
      from: 'elsewhere',
      holder: 'pid 1',
      claimedAt: new Date().toISOString(),
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(other) }));
    try {
      const r = await hcp([...migrateArgs, '-y'], { env });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/another DR run owns .* other-run-1/);
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    }
    // Another run holding the dr Lease on the DESTINATION (a dr restore there): refused, naming it.
    await kubectlOk('mgmt-2', ['create', 'namespace', ns]);
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: `hcp-dr-${name}`, namespace: ns, annotations: { 'kubectl-hcp.openshift.io/operation': 'dr restore' } },
      spec: { holderIdentity: 'carol@elsewhere:1 run e2e00001', leaseDurationSeconds: 600, acquireTime: now, renewTime: now },
    };
    await kubectlOk('mgmt-2', ['create', '-f', '-'], JSON.stringify(lease));
    try {
      const r = await hcp([...migrateArgs, '-y'], { env });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`Lease ${ns}/hcp-dr-${name} is held by carol@elsewhere:1 run e2e00001 \\(dr restore\\).* on mgmt-2`));
      expect(await leaseHolder('mgmt-2')).toBe('carol@elsewhere:1 run e2e00001');
      expect(await leaseHolder('mgmt-1')).toBe('');
    } finally {
      await kubectlOk('mgmt-2', ['delete', 'lease', `hcp-dr-${name}`, '-n', ns]);
    }
    // An HA cluster (the sandbox's clusters/sample: three etcd members) has every member's volume
    // restored under its own name before its HostedCluster exists: upstream's etcd-init would
    // restore each member as a cluster of its own (no --initial-cluster).
    const haArgs = ['dr', 'migrate', 'sample', '-n', 'clusters', '--bucket', BUCKET, '--prefix', `e2e-${ns}`, '--s3-path-style'];
    const ha = await hcp([...haArgs, '--from-context', 'mgmt-1', '--to-context', 'mgmt-2', '--restore-url-endpoint', httpsEndpoint, '--dry-run=client'], {
      env,
    });
    expect(ha.code, ha.stderr).toBe(0);
    expect(ha.stdout).toContain('Create PVCs data-etcd-0, data-etcd-1, data-etcd-2 in clusters-sample on mgmt-2');
    for (const n of [0, 1, 2])
      expect(ha.stdout).toContain(
        `--name etcd-${n} --initial-cluster-token=etcd-cluster --initial-cluster etcd-0=https://etcd-0.etcd-discovery.clusters-sample.svc:2380,etcd-1=https://etcd-1.etcd-discovery.clusters-sample.svc:2380,etcd-2=https://etcd-2.etcd-discovery.clusters-sample.svc:2380`,
      );
    expect(ha.stdout.indexOf('Create PVCs data-etcd-0')).toBeLessThan(ha.stdout.indexOf('Create HostedCluster clusters/sample'));
    // The refused runs undid what they did: the cluster is running and unpaused.
    expect((await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.spec.pausedUntil}'])).trim()).toBe('');
    expect(await getKey(cpns, '/e2e/dr/k0')).toBe(keys[0][1]);
  }, 240_000);

  it('refuses a presign that could expire before etcd starts (exit 2, no API call), and shows the PVC retention interlock', async () => {
    const r = await hcp([...migrateArgs, '--restore-url-expires', '2m'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would expire before etcd starts/);
    await setEtcdRetention(cpns, 'Delete');
    const plan = await hcp([...migrateArgs, '--dry-run=client'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/whenScaled from Delete to Retain on StatefulSet .*\/etcd.*\[destructive/);
    expect(plan.stdout).toContain(`holds: Lease ${ns}/hcp-dr-${name} (one dr run at a time) on the source cluster while it runs`);
    expect(plan.stdout).toContain(`holds: Lease ${ns}/hcp-dr-${name} (one dr run at a time) on the target cluster while it runs`);
    // The full plan lists every object the backup writes and the restore creates, by kind/namespace/name.
    const pools = (await kubectlOk('mgmt-1', ['get', 'nodepools', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/);
    const machines = (await kubectlOk('mgmt-1', ['get', 'machines.cluster.x-k8s.io', '-n', cpns, '-o', 'jsonpath={.items[*].metadata.name}']))
      .trim()
      .split(/\s+/);
    expect(pools).toHaveLength(2);
    expect(machines.length).toBeGreaterThan(0);
    for (const line of [
      `HostedCluster ${ns}/${name}`,
      ...pools.map((p) => `NodePool ${ns}/${p}`),
      `HostedControlPlane ${cpns}/${name}`,
      ...machines.map((m) => `Machine ${cpns}/${m}`),
    ])
      expect(plan.stdout.split(`\n       ${line}\n`).length - 1, line).toBe(2); // once backed up, once restored
    // Without -y and without a terminal, the retention interlock is not confirmed: exit 3, nothing changed.
    const sts = () => etcdRetentionAndReplicas(cpns);
    const before = await sts();
    expect(before).toBe('Delete 3');
    const unconfirmed = await hcp(migrateArgs, { env });
    expect(unconfirmed.code, unconfirmed.stderr).toBe(3);
    expect(unconfirmed.stderr).toMatch(/without confirmation: .*whenScaled from Delete to Retain/);
    expect(await sts()).toBe(before);
    expect((await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.spec.pausedUntil}'])).trim()).toBe('');
    expect([await leaseHolder('mgmt-1'), await leaseHolder('mgmt-2')]).toEqual(['', '']);
    await setEtcdRetention(cpns, 'Retain');

    // --dry-run=server: the destination's writes are sent with dryRun=All (the API server checks
    // them, admission included) and nothing persists on either cluster.
    const server = await hcp([...migrateArgs, '--dry-run=server'], { env });
    expect(server.code, server.stderr).toBe(0);
    expect(server.stdout).toMatch(/^migration of drm from mgmt-1 to mgmt-2: every write sent was accepted; nothing was changed/);
    expect(server.stderr).toMatch(
      new RegExp(`namespace ${cpns} does not exist on the destination .*so these creates were not sent: .*HostedControlPlane ${cpns}/${name}`),
    );
    expect((await kubectl('mgmt-2', ['get', 'hostedcluster', name, '-n', ns])).code).toBe(1);
    expect((await kubectl('mgmt-2', ['get', 'nodepools', '-n', ns, '-o', 'name'])).stdout.trim()).toBe('');
    expect((await kubectl('mgmt-2', ['get', 'namespace', cpns])).code).toBe(1);
    expect(await sts()).toBe('Retain 3');
    expect((await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.spec.pausedUntil}'])).trim()).toBe('');
    expect([await leaseHolder('mgmt-1'), await leaseHolder('mgmt-2')]).toEqual(['', '']);
  }, 240_000);

  it('migrates: both NodePools, one restore URL, every key, nothing left on mgmt-1; never two owners; DNS gone before it comes back', async () => {
    const [m1, m2] = [client('mgmt-1'), client('mgmt-2')];
    const ready = async (k: KubeClient) =>
      (await k.list(Resources.Pod, { namespace: cpns, labelSelector: 'app=etcd' }).catch(() => ({ items: [] }))).items.filter((p) =>
        ((p.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
    const owners = async () => {
      const r = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }));
      const txt = (r.ResourceRecordSets ?? []).filter((x) => x.Type === 'TXT' && x.Name?.startsWith(`cname-api-${name}-external-dns.`));
      return txt.map((x) => /external-dns\/owner=([^,]+)/.exec(x.ResourceRecords?.[0]?.Value ?? '')?.[1] ?? '?');
    };
    const holder = async (k: KubeClient) =>
      ((await k.getOrNull(Resources.Lease, ns, `hcp-dr-${name}`).catch(() => null))?.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '';
    const samples: { t: number; src: number; dst: number; dns: string[]; leases: [string, string] }[] = [];
    let stop = false;
    const probe = (async () => {
      while (!stop) {
        const t = Date.now();
        const [src, dst, dns, l1, l2] = await Promise.all([ready(m1), ready(m2), owners().catch(() => ['?']), holder(m1), holder(m2)]);
        samples.push({ t, src, dst, dns, leases: [l1, l2] });
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - t))));
      }
    })();
    const run = await hcp([...migrateArgs, '-y'], { env });
    stop = true;
    await probe;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/migrated drm from mgmt-1 to mgmt-2; .*etcd verified on etcd-0, etcd-1, etcd-2/);

    // One owner on both ends: the run held the dr Lease on mgmt-1 and on mgmt-2 at once (the same
    // holder), from before the fence until the teardown, and left neither behind.
    const both = samples.filter((s) => s.leases[0] !== '' && s.leases[0] === s.leases[1]);
    expect(both.length).toBeGreaterThan(0);
    expect(both[0].t).toBeLessThan(samples[samples.findIndex((s, i) => i > 0 && s.src === 0 && samples[i - 1].src > 0)].t);
    expect(await leaseHolder('mgmt-2')).toBe('');
    // Never two owners; once fenced, the source never serves again.
    expect(samples.length).toBeGreaterThan(50);
    expect(samples.filter((s) => s.src > 0 && s.dst > 0)).toEqual([]);
    const fenced = samples.findIndex((s, i) => i > 0 && s.src === 0 && samples[i - 1].src > 0);
    expect(fenced).toBeGreaterThan(0);
    expect(samples.slice(fenced).filter((s) => s.src > 0)).toEqual([]);
    expect(samples.some((s) => s.dst > 0)).toBe(true);
    // Route 53: the source's owner records go, nothing for a while, then the destination's.
    const firstOwner = samples.find((s) => s.dns.length)?.dns[0];
    const lastSrc = samples.findLastIndex((s) => s.dns.includes(firstOwner!));
    const firstDst = samples.findIndex((s) => s.dns.some((o) => o !== firstOwner));
    expect(firstOwner).toBeDefined();
    expect(firstDst).toBeGreaterThan(lastSrc);
    expect(samples.slice(lastSrc + 1, firstDst).every((s) => s.dns.length === 0)).toBe(true);

    // mgmt-2: the cluster, both NodePools, exactly one https restore URL, every key.
    const hc = JSON.parse(await kubectlOk('mgmt-2', ['get', 'hostedcluster', name, '-n', ns, '-o', 'json']));
    expect(hc.spec.pausedUntil).toBeUndefined();
    expect(hc.spec.etcd.managed.storage.restoreSnapshotURL).toHaveLength(1);
    expect(hc.spec.etcd.managed.storage.restoreSnapshotURL[0]).toMatch(/^https:\/\/.*X-Amz-Signature=/);
    expect(hc.status.conditions.find((c: { type: string }) => c.type === 'Available').status).toBe('True');
    const pools = JSON.parse(await kubectlOk('mgmt-2', ['get', 'nodepools', '-n', ns, '-o', 'json'])).items;
    expect(pools.map((p: { metadata: { name: string } }) => p.metadata.name).sort()).toEqual([`${name}-pool-a`, `${name}-pool-b`]);
    expect(pools.every((p: { spec: { pausedUntil?: string } }) => p.spec.pausedUntil === undefined)).toBe(true);
    for (const member of ['etcd-0', 'etcd-1', 'etcd-2']) for (const [k, v] of keys) expect(await getKey(cpns, k, member, 'mgmt-2')).toBe(v);
    // One cluster: every member lists the same cluster ID and all three members, and a write
    // through etcd-0 is read on each.
    const lists = await Promise.all(
      ['etcd-0', 'etcd-1', 'etcd-2'].map(async (m) => JSON.parse((await etcdctl(cpns, ['member', 'list', '-w', 'json'], m, 'mgmt-2')).stdout)),
    );
    expect(new Set(lists.map((l) => String(l.header.cluster_id))).size).toBe(1);
    for (const l of lists) expect((l.members as { name: string }[]).map((m) => m.name).sort()).toEqual(['etcd-0', 'etcd-1', 'etcd-2']);
    await putKey(cpns, '/e2e/dr/after', 'joined', 'etcd-0', 'mgmt-2');
    for (const member of ['etcd-1', 'etcd-2']) expect(await getKey(cpns, '/e2e/dr/after', member, 'mgmt-2')).toBe('joined');
    const nodes = JSON.parse(
      await kubectlOk('guest', ['get', 'nodes', '-l', `hypershift.openshift.io/nodePool in (${name}-pool-a,${name}-pool-b)`, '-o', 'json']),
    ).items;
    expect(nodes).toHaveLength(2);

    // mgmt-1: nothing of the cluster; the operator still runs.
    expect((await kubectl('mgmt-1', ['get', 'hostedcluster', name, '-n', ns])).code).not.toBe(0);
    expect((await kubectl('mgmt-1', ['get', 'namespace', cpns])).code).not.toBe(0);
    expect((await kubectlOk('mgmt-1', ['get', 'nodepools', '-A', '-o', 'jsonpath={.items[*].spec.clusterName}'])).split(' ')).not.toContain(name);
    expect(await kubectlOk('mgmt-1', ['get', 'deployment', 'operator', '-n', 'hypershift', '-o', 'jsonpath={.status.readyReplicas}'])).toBe('2');
    expect((await kubectl('mgmt-1', ['exec', '-n', cpns, 'etcd-0', '-c', 'etcd', '--', 'true'])).code).not.toBe(0);
  }, 600_000);
});

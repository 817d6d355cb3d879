// Proves that each real part of the sandbox works: the upstream API servers, the real CRD
// validation, kwok's exec and logs, MinIO's SigV4 checks, the Route 53 stand-in and the
// controller-manager.
import { join } from 'node:path';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_DOMAIN, PUBLIC_ZONE_ID, podLogs, writePodLog } from '../../scripts/sandbox/api.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const ready = (ns: string, pod: string) => async () =>
  (await kubectl('mgmt-1', ['get', 'pod', pod, '-n', ns, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running';

describe('sandbox', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await uniqueNamespace('smoke');
    await kubectlOk('mgmt-1', ['run', 'shell', '-n', ns, '--image=registry.example/shell:1', '--restart=Never']);
    await waitFor(ready(ns, 'shell'), 60_000, 'pod shell Running');
  });

  it.each(['mgmt-1', 'mgmt-2', 'guest'] as const)('%s serves /version from kube-apiserver v1.34.4', async (cluster) => {
    const v = JSON.parse(await kubectlOk(cluster, ['version', '-o', 'json'])) as Record<string, { gitVersion: string; gitTreeState: string }>;
    expect(v.serverVersion.gitVersion).toBe('v1.34.4');
    expect(v.serverVersion.gitTreeState).toBe('clean');
    expect(v.clientVersion.gitVersion).toBe('v1.34.4');
  });

  it('enforces the HostedCluster CRD CEL rule on spec.pausedUntil', async () => {
    const r = await kubectl('mgmt-1', ['patch', 'hostedcluster', 'sample', '-n', 'clusters', '--type=merge', '-p', '{"spec":{"pausedUntil":"tomorrow"}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `The HostedCluster "sample" is invalid: spec.pausedUntil: Invalid value: "string": PausedUntil must be a date in RFC3339 format or 'True', 'true', 'False' or 'false'`,
    );
    expect(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.pausedUntil}'])).toBe('');
  });

  it('seeds mgmt-1 with the sample HostedCluster, its NodePools and the guest kubeconfig', async () => {
    const hc = JSON.parse(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
    expect(hc.spec.controllerAvailabilityPolicy).toBe('HighlyAvailable');
    expect(hc.spec.platform.type).toBe('AWS');
    expect(hc.spec.secretEncryption.aescbc.activeKey.name).toBe('sample-etcd-encryption-key');
    expect(hc.status.kubeconfig.name).toBe('sample-admin-kubeconfig');
    const key = await kubectlOk('mgmt-1', ['get', 'secret', 'sample-etcd-encryption-key', '-n', 'clusters', '-o', 'jsonpath={.data.key}']);
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    const pools = await kubectlOk('mgmt-1', ['get', 'nodepools', '-n', 'clusters', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas} {end}']);
    expect(pools).toBe('sample-us-east-1a=2 sample-us-east-1b=1 ');
    const versions = await kubectlOk('mgmt-1', ['get', 'configmap', 'supported-versions', '-n', 'hypershift', '-o', 'jsonpath={.data.supported-versions}']);
    expect(JSON.parse(versions).versions[0]).toBe('4.15');
    const kc = await kubectlOk('mgmt-1', ['get', 'secret', 'sample-admin-kubeconfig', '-n', 'clusters', '-o', 'jsonpath={.data.kubeconfig}']);
    expect(Buffer.from(kc, 'base64').toString()).toContain(`server: https://127.0.0.1:${sandbox().ports['guest-apiserver']}`);
    // mgmt-2 is seeded without any (tests make theirs in e2e-* namespaces).
    const onMgmt2 = JSON.parse(await kubectlOk('mgmt-2', ['get', 'hostedclusters', '-A', '-o', 'json'])).items as { metadata: { namespace: string } }[];
    expect(onMgmt2.filter((h) => !h.metadata.namespace.startsWith('e2e-'))).toEqual([]);
    // One ovnkube-node pod per guest Node, from the DaemonSet (a deleted one comes back: operator/guest.ts).
    const nodeCount = JSON.parse(await kubectlOk('guest', ['get', 'nodes', '-o', 'json'])).items.length;
    await waitFor(
      async () =>
        (await kubectlOk('guest', ['get', 'pods', '-n', 'openshift-ovn-kubernetes', '-l', 'app=ovnkube-node', '-o', 'jsonpath={.items[*].status.phase}']))
          .trim()
          .split(' ')
          .filter((p) => p === 'Running').length === nodeCount,
      60_000,
      'an ovnkube-node pod per node',
    );
  });

  it('kubectl exec runs a local process and returns its exit code', async () => {
    const r = await kubectl('mgmt-1', ['exec', 'shell', '-n', ns, '--', 'sh', '-c', 'echo "cluster=$HCP_SANDBOX_CLUSTER"; echo oops >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('cluster=mgmt-1\n');
    expect(r.stderr).toContain('oops\n');
    const ok = await kubectl('mgmt-1', ['exec', 'shell', '-n', ns, '--', 'pwd']);
    expect(ok).toEqual({ code: 0, stdout: `${sandbox().dir}\n`, stderr: '' });
    // stdin reaches the process and its end is passed on.
    const piped = await kubectl('mgmt-1', ['exec', '-i', 'shell', '-n', ns, '--', 'sh', '-c', 'wc -c; exit 5'], 'x'.repeat(100_000));
    expect([piped.code, piped.stdout.trim()]).toEqual([5, '100000']);
  });

  it('kubectl logs returns the pod log, cluster-wide default and per pod', async () => {
    expect(await kubectlOk('mgmt-1', ['logs', 'shell', '-n', ns])).toBe('kubectl-hcp sandbox: pod log served by kwok for cluster mgmt-1\nsecond line\n');
    const file = writePodLog(join(sandbox().dir, 'pod-logs', `${ns}-shell.log`), ['first from a per-pod file', 'the end']);
    await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify(podLogs(ns, 'shell', file)));
    await waitFor(async () => (await kubectl('mgmt-1', ['logs', 'shell', '-n', ns])).stdout === 'first from a per-pod file\nthe end\n', 30_000, 'per-pod logs');
    expect(await kubectlOk('mgmt-1', ['logs', 'shell', '-n', ns, '--tail=1'])).toBe('the end\n');
  });

  it('MinIO serves a presigned GET and rejects a tampered signature', async () => {
    const env = sandbox().awsEnv;
    const s3 = new S3Client({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    const Key = `${ns}/hello.txt`;
    await s3.send(new PutObjectCommand({ Bucket: env.HCP_SANDBOX_BUCKET, Key, Body: 'hello from minio\n' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: env.HCP_SANDBOX_BUCKET, Key }), { expiresIn: 300 });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello from minio\n');
    const u = new URL(url);
    const sig = u.searchParams.get('X-Amz-Signature')!;
    u.searchParams.set('X-Amz-Signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    const bad = await fetch(u);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    s3.destroy();
  });

  it('Route 53 lists the seeded records, also page by page', async () => {
    const env = sandbox().awsEnv;
    const r53 = new Route53Client({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_ROUTE_53,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    const all = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: PUBLIC_ZONE_ID }));
    const zone = `${BASE_DOMAIN}.`;
    const brief = (rs: ResourceRecordSet[] = []) => rs.map((r) => `${r.Name} ${r.Type} ${r.ResourceRecords?.map((v) => v.Value).join(',')}`);
    expect(all.IsTruncated).toBe(false);
    expect(brief(all.ResourceRecordSets)).toEqual(
      expect.arrayContaining([
        `api.sample.${zone} CNAME a0sandbox0api-1234567890.us-east-1.elb.amazonaws.com`,
        `\\052.apps.sample.${zone} CNAME a0sandbox0apps-1234567890.us-east-1.elb.amazonaws.com`,
      ]),
    );
    expect(
      brief(all.ResourceRecordSets)
        .slice(0, 2)
        .map((s) => s.split(' ').slice(0, 2).join(' ')),
    ).toEqual([`${zone} NS`, `${zone} SOA`]);

    const first = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: PUBLIC_ZONE_ID, MaxItems: 1 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.MaxItems).toBe(1);
    expect([first.NextRecordName, first.NextRecordType]).toEqual([zone, 'SOA']);
    const paged: ResourceRecordSet[] = [...(first.ResourceRecordSets ?? [])];
    for (let page = first; page.IsTruncated; ) {
      page = await r53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: PUBLIC_ZONE_ID,
          MaxItems: 1,
          StartRecordName: page.NextRecordName,
          StartRecordType: page.NextRecordType,
        }),
      );
      expect(page.ResourceRecordSets).toHaveLength(1);
      paged.push(...(page.ResourceRecordSets ?? []));
    }
    expect(brief(paged)).toEqual(brief(all.ResourceRecordSets));
    r53.destroy();
  });

  it('Route 53 applies change batches atomically and rejects invalid ones and bad signatures', async () => {
    const env = sandbox().awsEnv;
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    const r53 = new Route53Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_ROUTE_53, credentials });
    const Name = `${ns}.${BASE_DOMAIN}.`;
    const record = (value: string) => ({ Name, Type: 'TXT' as const, TTL: 60, ResourceRecords: [{ Value: `"${value}"` }] });
    const change = (Action: 'CREATE' | 'UPSERT' | 'DELETE', value: string) => ({ Action, ResourceRecordSet: record(value) });
    const batch = (...Changes: ReturnType<typeof change>[]) => new ChangeResourceRecordSetsCommand({ HostedZoneId: PUBLIC_ZONE_ID, ChangeBatch: { Changes } });
    const values = async () =>
      (
        await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: PUBLIC_ZONE_ID, StartRecordName: Name, StartRecordType: 'TXT', MaxItems: 1 }))
      ).ResourceRecordSets?.filter((r) => r.Name === Name).map((r) => r.ResourceRecords?.[0]?.Value);

    const created = await r53.send(batch(change('CREATE', 'one')));
    expect(created.ChangeInfo?.Status).toBe('PENDING');
    expect((await r53.send(new GetChangeCommand({ Id: created.ChangeInfo!.Id }))).ChangeInfo?.Status).toBe('INSYNC');
    await expect(r53.send(batch(change('CREATE', 'one')))).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: `[Tried to create resource record set [name='${Name}', type='TXT'] but it already exists]`,
    });
    // The failing DELETE rejects the whole batch, including the UPSERT before it.
    await expect(r53.send(batch(change('UPSERT', 'two'), change('DELETE', 'missing')))).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
    expect(await values()).toEqual(['"one"']);
    await r53.send(batch(change('UPSERT', 'two')));
    expect(await values()).toEqual(['"two"']);
    await r53.send(batch(change('DELETE', 'two')));
    expect(await values()).toEqual([]);
    await expect(r53.send(batch(change('DELETE', 'two')))).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: `[Tried to delete resource record set [name='${Name}', type='TXT'] but it was not found]`,
    });

    const forged = new Route53Client({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_ROUTE_53,
      credentials: { ...credentials, secretAccessKey: 'not-the-secret' },
    });
    await expect(forged.send(new ListHostedZonesCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    const res = await fetch(`${env.AWS_ENDPOINT_URL_ROUTE_53}/2013-04-01/hostedzone`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    forged.destroy();
    r53.destroy();
  });

  it('kube-controller-manager recreates a deleted StatefulSet pod', async () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 1,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] } },
      },
    };
    await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify(sts));
    await waitFor(ready(ns, 'web-0'), 60_000, 'web-0 Running');
    const uid = () => kubectlOk('mgmt-1', ['get', 'pod', 'web-0', '-n', ns, '-o', 'jsonpath={.metadata.uid}']);
    const before = await uid();
    await kubectlOk('mgmt-1', ['delete', 'pod', 'web-0', '-n', ns, '--wait=false']);
    await waitFor(
      async () => {
        const r = await kubectl('mgmt-1', ['get', 'pod', 'web-0', '-n', ns, '-o', 'jsonpath={.metadata.uid} {.status.phase}']);
        return r.code === 0 && !r.stdout.startsWith(before) && r.stdout.endsWith(' Running');
      },
      60_000,
      'a new web-0 Running',
    );
    expect(await uid()).not.toBe(before);
  });
});

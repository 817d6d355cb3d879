// The simulated HyperShift operator: control planes, pausedUntil, NodePools → Machines → guest
// Nodes, external-dns for Routes. Each test drives it with kubectl and asserts what it did.
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { condition, createHostedCluster, ETCD_TLS, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const jsonpath = async (args: string[], path: string) => (await kubectlOk('mgmt-1', [...args, '-o', `jsonpath=${path}`])).trim();

describe('clusters/sample after sandbox up', () => {
  it('has etcd-0..2 at 2/2 Running, and etcdctl in a pod sees 3 healthy real members', async () => {
    await waitForEtcdPods('clusters-sample', 3);
    const r = await kubectl('mgmt-1', ['exec', '-n', 'clusters-sample', 'etcd-1', '-c', 'etcd', '--', 'etcdctl', ...ETCD_TLS, 'endpoint', 'health', '--cluster', '-w', 'table']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /etcd-\d\.etcd-client\.clusters-sample\.svc:2379 \|\s+true/.test(l));
    expect(rows).toHaveLength(3);
    for (const kind of ['deployment/kube-apiserver', 'deployment/openshift-apiserver', 'deployment/openshift-oauth-apiserver', 'deployment/control-plane-operator', 'statefulset/etcd', 'hostedcontrolplane/sample']) {
      expect((await kubectl('mgmt-1', ['get', kind, '-n', 'clusters-sample'])).code, kind).toBe(0);
    }
    expect(await jsonpath(['get', 'hc', 'sample', '-n', 'clusters'], '{.status.conditions[?(@.type=="Available")].status}')).toBe('True');
    expect(await jsonpath(['get', 'hc', 'sample', '-n', 'clusters'], '{.status.version.history[0].state}')).toBe('Completed');
  });
});

describe('pausedUntil', async () => {
  const ns = await uniqueNamespace('op-pause');
  const cpns = await createHostedCluster(ns, 'p1');

  it('pauses reconciliation with ReconciliationPaused / Blocked, copies pausedUntil and pauses CAPI; resume undoes it', async () => {
    await waitForEtcdPods(cpns, 1);
    await waitFor(async () => (await condition('hc', ns, 'p1', 'ReconciliationActive')).reason === 'AsExpected', 30_000, 'ReconciliationActive AsExpected');
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    await waitFor(async () => (await condition('hc', ns, 'p1', 'ReconciliationActive')).status === 'False', 30_000, 'ReconciliationActive False');
    expect(await condition('hc', ns, 'p1', 'ReconciliationActive')).toMatchObject({ status: 'False', reason: 'ReconciliationPaused' });
    expect(await condition('hc', ns, 'p1', 'Progressing')).toMatchObject({ status: 'False', reason: 'Blocked' });
    expect(await jsonpath(['get', 'hcp', 'p1', '-n', cpns], '{.spec.pausedUntil}')).toBe('true');
    expect(await jsonpath(['get', 'clusters.cluster.x-k8s.io', 'p1-infra', '-n', cpns], '{.spec.paused}')).toBe('true');

    // Nothing is reconciled while paused: a deleted control-plane deployment stays deleted.
    await kubectlOk('mgmt-1', ['delete', 'deployment', 'openshift-apiserver', '-n', cpns]);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await kubectl('mgmt-1', ['get', 'deployment', 'openshift-apiserver', '-n', cpns])).code).not.toBe(0);

    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
    await waitFor(async () => (await kubectl('mgmt-1', ['get', 'deployment', 'openshift-apiserver', '-n', cpns])).code === 0, 30_000, 'deployment recreated after resume');
    expect(await condition('hc', ns, 'p1', 'ReconciliationActive')).toMatchObject({ status: 'True', reason: 'AsExpected' });
    expect(await jsonpath(['get', 'hcp', 'p1', '-n', cpns], '{.spec.pausedUntil}')).toBe('');
    expect(await jsonpath(['get', 'clusters.cluster.x-k8s.io', 'p1-infra', '-n', cpns], '{.spec.paused}')).not.toBe('true');
  });

  it('treats a value that is neither a bool nor RFC3339 as invalid and does not pause', async () => {
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"2099-01-01T00:00:00"}}']);
    await waitFor(async () => (await condition('hc', ns, 'p1', 'ReconciliationActive')).reason === 'InvalidPausedUntilValue', 30_000, 'InvalidPausedUntilValue');
    expect((await condition('hc', ns, 'p1', 'ReconciliationActive')).status).toBe('True');
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"2099-01-01T00:00:00Z"}}']);
    await waitFor(async () => (await condition('hc', ns, 'p1', 'ReconciliationActive')).reason === 'ReconciliationPaused', 30_000, 'paused until a time');
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
  });
});

describe('NodePools', async () => {
  const ns = await uniqueNamespace('op-np');
  await createHostedCluster(ns, 'n1', { guest: true });
  const cpns = `${ns}-n1`;
  const pool = JSON.parse(await kubectlOk('mgmt-1', ['get', 'nodepool', 'sample-us-east-1a', '-n', 'clusters', '-o', 'json']));
  await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: pool.apiVersion, kind: 'NodePool', metadata: { name: 'n1-pool', namespace: ns }, spec: { ...pool.spec, clusterName: 'n1', replicas: 2 } }));
  const machines = async () => (await kubectlOk('mgmt-1', ['get', 'machines.cluster.x-k8s.io', '-n', cpns, '-l', 'hypershift.openshift.io/nodePool=n1-pool', '--no-headers', '-o', 'name'])).trim().split('\n').filter(Boolean).length;
  const guestNodes = async () => (await kubectlOk('guest', ['get', 'nodes', '-l', 'hypershift.openshift.io/nodePool=n1-pool', '--no-headers', '-o', 'name'])).trim().split('\n').filter(Boolean).length;

  it('scales to 0 and back: MachineDeployment, Machines, AWSMachines and guest Nodes follow', async () => {
    await waitFor(async () => (await machines()) === 2 && (await guestNodes()) === 2, 60_000, '2 machines and 2 guest nodes');
    expect(await jsonpath(['get', 'machinedeployment', 'n1-pool', '-n', cpns], '{.metadata.annotations.hypershift\\.openshift\\.io/nodePool}')).toBe(`${ns}/n1-pool`);
    await waitFor(async () => (await jsonpath(['get', 'np', 'n1-pool', '-n', ns], '{.status.replicas}')) === '2', 30_000, 'status.replicas 2');
    await kubectlOk('mgmt-1', ['scale', 'nodepool', 'n1-pool', '-n', ns, '--replicas=0']);
    await waitFor(async () => (await machines()) === 0 && (await guestNodes()) === 0, 60_000, 'no machines, no guest nodes');
    expect(await jsonpath(['get', 'machinedeployment', 'n1-pool', '-n', cpns], '{.spec.replicas}')).toBe('0');
    expect((await kubectlOk('mgmt-1', ['get', 'awsmachines', '-n', cpns, '--no-headers', '-o', 'name'])).trim()).toBe('');
    await waitFor(async () => (await jsonpath(['get', 'np', 'n1-pool', '-n', ns], '{.status.replicas}')) === '0', 30_000, 'status.replicas 0');
    await kubectlOk('mgmt-1', ['scale', 'nodepool', 'n1-pool', '-n', ns, '--replicas=1']);
    await waitFor(async () => (await machines()) === 1 && (await guestNodes()) === 1, 60_000, '1 machine and 1 guest node');
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'Ready')).status === 'True', 30_000, 'NodePool Ready');
  });

  it('a NodePool pausedUntil annotates its MachineDeployment and MachineSet', async () => {
    await kubectlOk('mgmt-1', ['patch', 'np', 'n1-pool', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    await waitFor(async () => (await jsonpath(['get', 'machinedeployment', 'n1-pool', '-n', cpns], '{.metadata.annotations.cluster\\.x-k8s\\.io/paused}')) === 'true', 30_000, 'MD paused annotation');
    const ms = (await kubectlOk('mgmt-1', ['get', 'machinesets', '-n', cpns, '-o', 'jsonpath={.items[*].metadata.annotations.cluster\\.x-k8s\\.io/paused}'])).trim();
    expect(ms).toBe('true');
    await kubectlOk('mgmt-1', ['patch', 'np', 'n1-pool', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
  });

  it('a release newer than the HostedCluster makes ValidReleaseImage False; a valid change shows UpdatingVersion, then completes', async () => {
    await kubectlOk('mgmt-1', ['patch', 'np', 'n1-pool', '-n', ns, '--type=merge', '-p', '{"spec":{"release":{"image":"quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64"}}}']);
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'ValidReleaseImage')).status === 'False', 30_000, 'ValidReleaseImage False');
    await kubectlOk('mgmt-1', ['patch', 'np', 'n1-pool', '-n', ns, '--type=merge', '-p', '{"spec":{"release":{"image":"quay.io/openshift-release-dev/ocp-release:4.15.9-x86_64"}}}']);
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'UpdatingVersion')).status === 'True', 30_000, 'UpdatingVersion True');
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'UpdatingVersion')).status === 'False', 60_000, 'UpdatingVersion False again');
    expect(await jsonpath(['get', 'np', 'n1-pool', '-n', ns], '{.status.version}')).toBe('4.15.9');
    expect((await condition('np', ns, 'n1-pool', 'ValidReleaseImage')).status).toBe('True');
  });
});

describe('external-dns', async () => {
  const ns = await uniqueNamespace('op-dns');
  const host = `${ns}.sandbox.example.com`;
  const env = sandbox().awsEnv;
  const r53 = new Route53Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_ROUTE_53,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } });
  const record = async () => (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z0SANDBOX0PUBLIC', StartRecordName: `${host}.`, StartRecordType: 'CNAME', MaxItems: 1 })))
    .ResourceRecordSets?.find((r) => r.Name === `${host}.` && r.Type === 'CNAME');

  it('publishes a Route with a hostname annotation and removes the record after the Route is deleted', async () => {
    await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'route.openshift.io/v1', kind: 'Route',
      metadata: { name: 'api', namespace: ns, annotations: { 'external-dns.alpha.kubernetes.io/hostname': host } },
      spec: { host, to: { kind: 'Service', name: 'kube-apiserver' } },
    }));
    await waitFor(async () => (await record()) !== undefined, 30_000, `CNAME ${host}`);
    expect((await record())?.ResourceRecords?.[0]?.Value).toBe('router-default.apps.mgmt-1.sandbox.example.com');
    await kubectlOk('mgmt-1', ['delete', 'route', 'api', '-n', ns]);
    await waitFor(async () => (await record()) === undefined, 30_000, `CNAME ${host} deleted`);
  });
});

// The simulated operator's METRICS_SET and dashboards, and the MCE addon's install flags. These
// change the shared operator deployment, so each test puts back what it changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, waitFor } from './helpers/sandbox.ts';

const operatorEnv = async (): Promise<Record<string, string>> => {
  const d = JSON.parse(await kubectlOk('mgmt-1', ['get', 'deployment', 'operator', '-n', 'hypershift', '-o', 'json']));
  return Object.fromEntries((d.spec.template.spec.containers[0].env ?? []).filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
};
const setEnv = (kv: string[]) => kubectlOk('mgmt-1', ['set', 'env', 'deployment/operator', '-n', 'hypershift', ...kv]);

// What each describe puts back is read in its beforeAll, after the previous describe restored
// its own changes: read at collection time, it raced the first test's writes.
describe('operator METRICS_SET', () => {
  let before: Promise<Record<string, string>>;
  beforeAll(() => {
    before = operatorEnv();
    return before.then(() => undefined);
  });
  afterAll(async () => {
    const env = await before;
    await setEnv([env.METRICS_SET === undefined ? 'METRICS_SET-' : `METRICS_SET=${env.METRICS_SET}`]);
    await kubectl('mgmt-1', ['rollout', 'status', 'deployment/operator', '-n', 'hypershift', '--timeout=60s']);
  });

  it('an invalid value crashloops the operator pod', async () => {
    await setEnv(['METRICS_SET=Everything']);
    await waitFor(async () => {
      const pods = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pods', '-n', 'hypershift', '-l', 'name=operator', '-o', 'json'])).items;
      return pods.some((p: { spec: { containers: { env?: { name: string; value?: string }[] }[] }; status: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] } }) =>
        p.spec.containers[0].env?.some((e) => e.name === 'METRICS_SET' && e.value === 'Everything') && p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    }, 60_000, 'operator pod in CrashLoopBackOff');
    const table = (await kubectlOk('mgmt-1', ['get', 'pods', '-n', 'hypershift', '-l', 'name=operator'])).trim();
    expect(table).toMatch(/0\/1\s+CrashLoopBackOff/);
  });

  it('SRE (any case) copies sre-metric-set into the control-plane namespace', async () => {
    await kubectlOk('mgmt-1', ['create', 'configmap', 'sre-metric-set', '-n', 'hypershift', '--from-literal=config=kubeAPIServer: []\n', '--dry-run=client', '-o', 'yaml'])
      .then((y) => kubectlOk('mgmt-1', ['apply', '-f', '-'], y));
    await setEnv(['METRICS_SET=sre']);
    await waitFor(async () => (await kubectl('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', 'clusters-sample'])).code === 0, 60_000, 'sre-metric-set copy');
    expect(await kubectlOk('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', 'clusters-sample', '-o', 'jsonpath={.data.config}'])).toBe('kubeAPIServer: []\n');
    await setEnv(['METRICS_SET=Telemetry']);
    await waitFor(async () => (await kubectl('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', 'clusters-sample'])).code !== 0, 60_000, 'copy removed');
    await kubectl('mgmt-1', ['delete', 'configmap', 'sre-metric-set', '-n', 'hypershift']);
  });
});

describe('MCE install flags and dashboards', () => {
  let flagsBefore: ReturnType<typeof kubectl>;
  let envBefore: Promise<Record<string, string>>;
  beforeAll(async () => {
    flagsBefore = kubectl('mgmt-1', ['get', 'configmap', 'hypershift-operator-install-flags', '-n', 'local-cluster', '-o', 'json']);
    envBefore = operatorEnv();
    await Promise.all([flagsBefore, envBefore]);
  });
  afterAll(async () => {
    const f = await flagsBefore;
    if (f.code === 0) {
      const cm = JSON.parse(f.stdout);
      await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm.metadata.name, namespace: 'local-cluster' }, data: cm.data ?? {} }));
    } else {
      await kubectl('mgmt-1', ['delete', 'configmap', 'hypershift-operator-install-flags', '-n', 'local-cluster']);
    }
    const env = await envBefore;
    await setEnv(['MONITORING_DASHBOARDS', 'METRICS_SET'].map((k) => (env[k] === undefined ? `${k}-` : `${k}=${env[k]}`)));
    await kubectl('mgmt-1', ['delete', 'configmap', 'monitoring-dashboard-template', '-n', 'hypershift']);
    await kubectl('mgmt-1', ['delete', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed']);
  });

  it('--monitoring-dashboards in installFlagsToAdd sets MONITORING_DASHBOARDS=1, which renders hc-<ns>-<name> from the template', async () => {
    const template = '{"title":"__NAME__ in __NAMESPACE__ (__CONTROL_PLANE_NAMESPACE__) __CLUSTER_ID__"}';
    await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'monitoring-dashboard-template', namespace: 'hypershift' }, data: { template } }));
    await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hypershift-operator-install-flags', namespace: 'local-cluster' },
      data: { installFlagsToAdd: '--monitoring-dashboards --metrics-set Telemetry', installFlagsToRemove: '' } }));
    await waitFor(async () => (await operatorEnv()).MONITORING_DASHBOARDS === '1', 30_000, 'MONITORING_DASHBOARDS=1');
    expect((await operatorEnv()).METRICS_SET).toBe('Telemetry');
    await waitFor(async () => (await kubectl('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed'])).code === 0, 30_000, 'dashboard configmap');
    const cm = JSON.parse(await kubectlOk('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed', '-o', 'json']));
    const id = (await kubectlOk('mgmt-1', ['get', 'hc', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.clusterID}'])).trim();
    expect(cm.metadata.labels['console.openshift.io/dashboard']).toBe('true');
    expect(cm.data['hostedcluster-dashboard.json']).toBe(`{"title":"sample in clusters (clusters-sample) ${id}"}`);

    // Removing the flag removes the env var; the dashboard stays behind (FACTS).
    await kubectlOk('mgmt-1', ['patch', 'configmap', 'hypershift-operator-install-flags', '-n', 'local-cluster', '--type=merge',
      '-p', JSON.stringify({ data: { installFlagsToAdd: '', installFlagsToRemove: '--monitoring-dashboards' } })]);
    await waitFor(async () => (await operatorEnv()).MONITORING_DASHBOARDS === undefined, 30_000, 'MONITORING_DASHBOARDS removed');
    expect((await kubectl('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed'])).code).toBe(0);
  });
});

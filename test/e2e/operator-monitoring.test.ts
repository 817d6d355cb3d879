// The simulated operator's env, metrics set and dashboards, and the MCE addon's install flags,
// against upstream: hypershift-operator/main.go (env read at process start, setupMetricsSet),
// hostedcluster_controller.go (effectiveMetricsSet, reconcileSREMetricsConfig, the dashboard),
// and the hypershift addon (a re-install on an install-flags change). The e2e global setup resets
// the operator env, install flags, metrics configmaps and dashboards before a run, and this file
// resets them again before its tests (files before it, e.g. dashboards.test.ts, may leave the
// addon's re-rendered env behind); each test puts back what it changed and waits for the change
// it caused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSharedState } from '../../scripts/sandbox/reset.ts';
import { createHostedCluster } from './helpers/hosted-etcd.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

beforeAll(async () => {
  const s = sandbox();
  await resetSharedState([{ kubectl: s.kubectl, kubeconfig: s.kubeconfig, context: 'mgmt-1' }]);
});

type Pod = {
  metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string };
  spec: { containers: { env?: { name: string; value?: string }[] }[] };
  status: {
    phase?: string;
    containerStatuses?: { ready?: boolean; state?: { waiting?: { reason?: string } }; lastState?: { terminated?: { message?: string } } }[];
  };
};
const operatorPods = async (): Promise<Pod[]> =>
  JSON.parse(await kubectlOk('mgmt-1', ['get', 'pods', '-n', 'hypershift', '-l', 'name=operator', '-o', 'json'])).items;
const envOf = (p: Pod, name: string) => p.spec.containers[0].env?.find((e) => e.name === name)?.value;
const operatorEnv = async (): Promise<Record<string, string>> => {
  const d = JSON.parse(await kubectlOk('mgmt-1', ['get', 'deployment', 'operator', '-n', 'hypershift', '-o', 'json']));
  return Object.fromEntries(
    (d.spec.template.spec.containers[0].env ?? [])
      .filter((e: { value?: string }) => e.value !== undefined)
      .map((e: { name: string; value: string }) => [e.name, e.value]),
  );
};
const applyConfigMap = (namespace: string, name: string, data: Record<string, string>) =>
  kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data }));
const setEnv = (kv: string[]) => kubectlOk('mgmt-1', ['set', 'env', 'deployment/operator', '-n', 'hypershift', ...kv]);
const rolledOut = () => kubectlOk('mgmt-1', ['rollout', 'status', 'deployment/operator', '-n', 'hypershift', '--timeout=120s']);
const exists = async (args: string[]) => (await kubectl('mgmt-1', ['get', ...args])).code === 0;
/** Proof that some operator pod reconciles: a deleted control-plane deployment comes back. */
const reconciles = async (cpns: string) => {
  await kubectlOk('mgmt-1', ['delete', 'deployment', 'openshift-oauth-apiserver', '-n', cpns]);
  await waitFor(async () => exists(['deployment', 'openshift-oauth-apiserver', '-n', cpns]), 30_000, 'the operator recreates a deleted deployment');
};
const crashing = async (name: string, value: string) =>
  (await operatorPods()).find(
    (p) => !p.metadata.deletionTimestamp && envOf(p, name) === value && p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
  );

describe('operator env is read at process start (hypershift-operator/main.go)', async () => {
  const ns = await uniqueNamespace('op-mon');
  const cpns = await createHostedCluster(ns, 'm1');
  afterAll(async () => {
    await setEnv(['METRICS_SET-']);
    await rolledOut();
    await kubectl('mgmt-1', ['delete', 'configmap', 'sre-metric-set', '-n', 'hypershift', '--ignore-not-found']);
  });

  it('an invalid METRICS_SET crashloops the new pod, and the old pods keep reconciling', async () => {
    await waitFor(async () => exists(['deployment', 'openshift-oauth-apiserver', '-n', cpns]), 60_000, 'control plane of m1');
    await setEnv(['METRICS_SET=Everything']);
    await waitFor(async () => !!(await crashing('METRICS_SET', 'Everything')), 60_000, 'new operator pod in CrashLoopBackOff');
    const bad = (await crashing('METRICS_SET', 'Everything'))!;
    expect(bad.status.containerStatuses![0].lastState?.terminated?.message).toBe('invalid metrics set "Everything": must be one of Telemetry, SRE, All');
    // The rollout stalls: both old pods still run.
    const old = (await operatorPods()).filter((p) => envOf(p, 'METRICS_SET') !== 'Everything' && p.status.containerStatuses?.[0]?.ready);
    expect(old.length).toBe(2);
    await reconciles(cpns);
    await setEnv(['METRICS_SET-']);
    await rolledOut();
  });

  it('SRE (any case) copies sre-metric-set into control-plane namespaces once a new pod leads; leaving SRE leaves the copy', async () => {
    await applyConfigMap('hypershift', 'sre-metric-set', { config: 'kubeAPIServer: []\n' });
    expect(await exists(['configmap', 'sre-metric-set', '-n', cpns])).toBe(false);
    await setEnv(['METRICS_SET=sre']);
    await waitFor(async () => exists(['configmap', 'sre-metric-set', '-n', cpns]), 90_000, 'sre-metric-set copy');
    expect(await kubectlOk('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', cpns, '-o', 'jsonpath={.data.config}'])).toBe('kubeAPIServer: []\n');
    await setEnv(['METRICS_SET=Telemetry']);
    await rolledOut();
    await reconciles(cpns);
    // reconcileSREMetricsConfig never deletes the copy.
    expect(await exists(['configmap', 'sre-metric-set', '-n', cpns])).toBe(true);
    await kubectlOk('mgmt-1', ['delete', 'configmap', 'sre-metric-set', '-n', cpns]);
  });

  it('an unparsable sre-metric-set makes a starting SRE pod exit; the running pods go on', async () => {
    await applyConfigMap('hypershift', 'sre-metric-set', { config: 'kubeAPIServer: not-a-list\n' });
    await setEnv(['METRICS_SET=SRE']);
    await waitFor(async () => !!(await crashing('METRICS_SET', 'SRE')), 60_000, 'SRE pod in CrashLoopBackOff');
    const bad = (await crashing('METRICS_SET', 'SRE'))!;
    expect(bad.status.containerStatuses![0].lastState?.terminated?.message).toMatch(/^unable to load SRE metrics configuration: /);
    await reconciles(cpns);
    expect(await exists(['configmap', 'sre-metric-set', '-n', cpns])).toBe(false);
    await setEnv(['METRICS_SET-']);
    await rolledOut();
  });

  it("a cluster's spec.monitoring.metricsSet=SRE is honoured while the operator runs Telemetry (effectiveMetricsSet)", async () => {
    await applyConfigMap('hypershift', 'sre-metric-set', { config: 'etcd: []\n' });
    await kubectlOk('mgmt-1', ['patch', 'hc', 'm1', '-n', ns, '--type=merge', '-p', '{"spec":{"monitoring":{"metricsSet":"SRE"}}}']);
    await waitFor(async () => exists(['configmap', 'sre-metric-set', '-n', cpns]), 30_000, 'per-cluster SRE copy');
  });
});

describe('MCE install flags and dashboards', async () => {
  const ns = await uniqueNamespace('op-addon');
  await createHostedCluster(ns, 'a1');
  const flags = (add: string, remove = '') =>
    applyConfigMap('local-cluster', 'hypershift-operator-install-flags', { installFlagsToAdd: add, installFlagsToRemove: remove });
  type Job = {
    metadata: { name: string; creationTimestamp: string };
    spec: { template: { spec: { containers: { command: string[] }[] } } };
    status: { conditions?: { type: string; status: string }[] };
  };
  const jobs = async () =>
    JSON.parse(await kubectlOk('mgmt-1', ['get', 'jobs', '-n', 'local-cluster', '-l', 'app=hypershift-addon-install', '-o', 'json'])).items as Job[];
  /**
   * Changes the install flags and returns the install Job that change made: a Job that did not
   * exist before (Jobs of earlier runs and tests stay until their TTL, so a Job is never taken by
   * its command alone). Fails unless exactly one new Job appears.
   */
  const flagsJob = async (add: string, remove = ''): Promise<string> => {
    const before = new Set((await jobs()).map((j) => j.metadata.name));
    await flags(add, remove);
    const made = async () => (await jobs()).filter((j) => !before.has(j.metadata.name));
    await waitFor(async () => (await made()).length > 0, 30_000, 'the install Job of this change');
    expect(await made()).toHaveLength(1);
    return (await made())[0].metadata.name;
  };
  const job = async (name: string) => (await jobs()).find((j) => j.metadata.name === name)!;
  const jobEnded = async (name: string, type: 'Complete' | 'Failed') =>
    (await job(name)).status.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  afterAll(async () => {
    await kubectl('mgmt-1', ['delete', 'configmap', 'hypershift-operator-install-flags', '-n', 'local-cluster', '--ignore-not-found']);
    await setEnv(['MONITORING_DASHBOARDS-', 'METRICS_SET-']);
    await kubectl('mgmt-1', ['annotate', 'deployment', 'operator', '-n', 'hypershift', 'hcp-sandbox.kubectl-hcp.io/install-flags-applied-']);
    await rolledOut();
    await kubectl('mgmt-1', ['delete', 'configmap', 'monitoring-dashboard-template', '-n', 'hypershift', '--ignore-not-found']);
    await kubectl('mgmt-1', ['delete', 'configmap', `hc-${ns}-a1`, 'hc-clusters-sample', '-n', 'openshift-config-managed', '--ignore-not-found']);
  });

  it('--monitoring-dashboards re-installs the operator through a Job that takes time, then renders hc-<ns>-<name>', async () => {
    const template = '{"title":"__NAME__ in __NAMESPACE__ (__CONTROL_PLANE_NAMESPACE__) __CLUSTER_ID__"}';
    await applyConfigMap('hypershift', 'monitoring-dashboard-template', { template });
    expect((await operatorEnv()).MONITORING_DASHBOARDS).toBeUndefined();
    const install = await flagsJob('--monitoring-dashboards --metrics-set Telemetry');
    expect((await job(install)).spec.template.spec.containers[0].command).toContain('--monitoring-dashboards');
    // It takes time: the deployment is unchanged for a while.
    expect((await operatorEnv()).MONITORING_DASHBOARDS).toBeUndefined();
    await waitFor(async () => jobEnded(install, 'Complete'), 90_000, `install Job ${install} Complete`);
    expect(await operatorEnv()).toMatchObject({ MONITORING_DASHBOARDS: '1', METRICS_SET: 'Telemetry' });
    await rolledOut();
    await waitFor(async () => exists(['configmap', `hc-${ns}-a1`, '-n', 'openshift-config-managed']), 60_000, 'dashboard configmap');
    const cm = JSON.parse(await kubectlOk('mgmt-1', ['get', 'configmap', `hc-${ns}-a1`, '-n', 'openshift-config-managed', '-o', 'json']));
    const id = (await kubectlOk('mgmt-1', ['get', 'hc', 'a1', '-n', ns, '-o', 'jsonpath={.spec.clusterID}'])).trim();
    expect(cm.metadata.labels['console.openshift.io/dashboard']).toBe('true');
    expect(cm.data['hostedcluster-dashboard.json']).toBe(`{"title":"a1 in ${ns} (${ns}-a1) ${id}"}`);
  });

  it("installFlagsToRemove suppresses only the addon's two default flags: removing --monitoring-dashboards there changes nothing", async () => {
    const install = await flagsJob('--monitoring-dashboards --metrics-set Telemetry', '--monitoring-dashboards --enable-uwm-telemetry-remote-write');
    // Only the default --enable-uwm-telemetry-remote-write went; --monitoring-dashboards stays.
    expect((await job(install)).spec.template.spec.containers[0].command).toEqual([
      '/usr/bin/hypershift',
      'install',
      '--platform-monitoring=OperatorOnly',
      '--monitoring-dashboards',
      '--metrics-set=Telemetry',
    ]);
    await waitFor(async () => jobEnded(install, 'Complete'), 90_000, `install Job ${install} Complete`);
    expect((await operatorEnv()).MONITORING_DASHBOARDS).toBe('1');
  });

  it("an unknown flag fails the install Job with the installer's message and leaves the operator as it was", async () => {
    const install = await flagsJob('--monitoring-dashboards --e2e-keep-me');
    await waitFor(async () => jobEnded(install, 'Failed'), 90_000, `install Job ${install} Failed`);
    const pods = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pods', '-n', 'local-cluster', '-l', `job-name=${install}`, '-o', 'json'])).items as Pod[];
    expect(pods.map((p) => p.status.phase)).toEqual(['Failed']);
    expect((pods[0].status.containerStatuses?.[0]?.state as { terminated?: { message?: string } } | undefined)?.terminated?.message).toBe(
      'Error: unknown flag: --e2e-keep-me',
    );
    expect((await operatorEnv()).MONITORING_DASHBOARDS).toBe('1');
  });

  it('a deleted HostedCluster takes its dashboard with it while dashboards are on (hostedcluster_controller.go delete)', async () => {
    await waitFor(async () => exists(['configmap', `hc-${ns}-a1`, '-n', 'openshift-config-managed']), 30_000, 'dashboard present');
    await kubectlOk('mgmt-1', ['delete', 'hc', 'a1', '-n', ns, '--timeout=120s']);
    expect(await exists(['configmap', `hc-${ns}-a1`, '-n', 'openshift-config-managed'])).toBe(false);
  });
});

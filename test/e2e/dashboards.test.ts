// dashboards enable/disable/status/template through the built binary, and the simulated
// operator's reaction: the env var from the install flags, then the hc-<ns>-<name> dashboard.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, waitFor } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';

const FLAGS = ['-n', 'local-cluster', 'configmap', 'hypershift-operator-install-flags'];
const flags = async () => JSON.parse(await kubectlOk('mgmt-1', ['get', ...FLAGS.slice(2), '-n', 'local-cluster', '-o', 'json'])).data as Record<string, string>;
const operatorEnv = async (name: string) => {
  const d = JSON.parse(await kubectlOk('mgmt-1', ['get', 'deployment', 'operator', '-n', 'hypershift', '-o', 'json']));
  return (d.spec.template.spec.containers[0].env ?? []).find((e: { name: string }) => e.name === name)?.value as string | undefined;
};

describe('dashboards', () => {
  let original: string | undefined;
  let originalTemplate: string | undefined;
  beforeAll(async () => {
    const r = await kubectl('mgmt-1', ['get', ...FLAGS.slice(2), '-n', 'local-cluster', '-o', 'json']);
    original = r.code === 0 ? r.stdout : undefined;
    const t = await kubectl('mgmt-1', ['get', 'configmap', 'monitoring-dashboard-template', '-n', 'hypershift', '-o', 'json']);
    originalTemplate = t.code === 0 ? t.stdout : undefined;
    // Start from a configmap holding another flag, which every command must keep (a real
    // `hypershift install` flag: the addon fails on unknown ones).
    await kubectl('mgmt-1', ['delete', ...FLAGS.slice(2), '-n', 'local-cluster', '--ignore-not-found']);
    await kubectlOk('mgmt-1', [
      'create',
      'configmap',
      'hypershift-operator-install-flags',
      '-n',
      'local-cluster',
      '--from-literal=installFlagsToAdd=--enable-uwm-telemetry-remote-write',
      '--from-literal=installFlagsToRemove=',
    ]);
  });
  afterAll(async () => {
    await hcp(['dashboards', 'disable', '--prune', '-y']);
    await kubectl('mgmt-1', ['delete', ...FLAGS.slice(2), '-n', 'local-cluster', '--ignore-not-found']);
    if (original)
      await kubectl(
        'mgmt-1',
        ['create', '-f', '-'],
        JSON.stringify({ ...JSON.parse(original), metadata: { name: 'hypershift-operator-install-flags', namespace: 'local-cluster' } }),
      );
    await kubectl('mgmt-1', ['delete', 'configmap', 'monitoring-dashboard-template', '-n', 'hypershift', '--ignore-not-found']);
    if (originalTemplate)
      await kubectl(
        'mgmt-1',
        ['create', '-f', '-'],
        JSON.stringify({ ...JSON.parse(originalTemplate), metadata: { name: 'monitoring-dashboard-template', namespace: 'hypershift' } }),
      );
  });

  it('template set validates JSON and warns about unused placeholders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-e2e-dash-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"title": "__NAME__",');
    expect((await hcp(['dashboards', 'template', 'set', '-f', bad])).code).toBe(2);
    const file = join(dir, 'template.json');
    writeFileSync(file, await hcpOk(['dashboards', 'template', 'get', '--default']));
    const r = await hcp(['dashboards', 'template', 'set', '-f', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/does not use __CLUSTER_ID__: every cluster's dashboard gets the same text there/);
    expect(await hcpOk(['dashboards', 'template', 'get'])).toBe(await hcpOk(['dashboards', 'template', 'get', '--default']));
  });

  it('enable adds the flag, keeps the others, and the operator gets MONITORING_DASHBOARDS="1" and writes the dashboard', async () => {
    await hcpOk(['dashboards', 'enable', '--wait', '--wait-timeout', '60s']);
    expect(await flags()).toEqual({ installFlagsToAdd: '--enable-uwm-telemetry-remote-write --monitoring-dashboards', installFlagsToRemove: '' });
    expect(await operatorEnv('MONITORING_DASHBOARDS')).toBe('1');
    await waitFor(
      async () => (await kubectl('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed'])).code === 0,
      60_000,
      'dashboard hc-clusters-sample',
    );
    const dashboard = JSON.parse(await kubectlOk('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed', '-o', 'json']));
    expect(dashboard.metadata.labels['console.openshift.io/dashboard']).toBe('true');
    // What the operator writes (FACTS: the four placeholders replaced in the stored template), spelled
    // out here rather than compared with the tool's render of the same algorithm.
    const tpl = await kubectlOk('mgmt-1', ['get', 'configmap', 'monitoring-dashboard-template', '-n', 'hypershift', '-o', 'jsonpath={.data.template}']);
    const id = (await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.clusterID}'])).trim();
    const expected = tpl
      .replaceAll('__NAME__', 'sample')
      .replaceAll('__NAMESPACE__', 'clusters')
      .replaceAll('__CONTROL_PLANE_NAMESPACE__', 'clusters-sample')
      .replaceAll('__CLUSTER_ID__', id);
    expect(dashboard.data['hostedcluster-dashboard.json']).toBe(expected);
    expect(await hcpOk(['dashboards', 'template', 'render', 'sample'])).toBe(expected);
    const status = JSON.parse(await hcpOk(['dashboards', 'status', '-o', 'json']));
    expect(status.installFlags.state).toBe('enabled');
    expect(status.operator).toMatchObject({ env: '1', enabled: true });
    expect(status.clusters).toContainEqual({ namespace: 'clusters', name: 'sample', dashboard: 'hc-clusters-sample', exists: true });
  });

  it('enable again changes nothing', async () => {
    const rv = JSON.parse(await kubectlOk('mgmt-1', ['get', ...FLAGS.slice(2), '-n', 'local-cluster', '-o', 'json'])).metadata.resourceVersion;
    await hcpOk(['dashboards', 'enable']);
    expect(JSON.parse(await kubectlOk('mgmt-1', ['get', ...FLAGS.slice(2), '-n', 'local-cluster', '-o', 'json'])).metadata.resourceVersion).toBe(rv);
  });

  it('disable without --prune warns that dashboards stay; --prune deletes them after the operator stops', async () => {
    const r = await hcp(['dashboards', 'disable', '--wait', '--wait-timeout', '60s']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/leaves the existing hc-\* dashboards in openshift-config-managed behind/);
    expect(await flags()).toEqual({ installFlagsToAdd: '--enable-uwm-telemetry-remote-write', installFlagsToRemove: '--monitoring-dashboards' });
    expect(await operatorEnv('MONITORING_DASHBOARDS')).not.toBe('1');
    expect((await kubectl('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed'])).code).toBe(0);
    const noConfirm = await hcp(['dashboards', 'disable', '--prune']);
    expect(noConfirm.code).toBe(3);
    // Re-enable, so the prune has an operator pod with MONITORING_DASHBOARDS=1 to outlive.
    await hcpOk(['dashboards', 'enable', '--wait', '--wait-timeout', '60s']);
    await waitFor(
      async () => (await kubectl('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed'])).code === 0,
      60_000,
      'dashboard hc-clusters-sample',
    );
    const pruned = await hcp(['dashboards', 'disable', '--prune', '-y', '--wait-timeout', '90s']);
    expect(pruned.code, pruned.stderr).toBe(0);
    // The prune came after every pod with MONITORING_DASHBOARDS=1 was gone (issue 13 item 19):
    // nothing runs that could write the dashboard again, and it stays deleted.
    const pods = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pods', '-n', 'hypershift', '-o', 'json'])).items as {
      metadata: { name: string };
      spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] };
    }[];
    const operatorPods = pods.filter((p) => p.metadata.name.startsWith('operator-'));
    expect(operatorPods.length).toBeGreaterThan(0);
    expect(
      operatorPods.filter((p) => p.spec.containers[0].env?.some((e) => e.name === 'MONITORING_DASHBOARDS' && e.value === '1')).map((p) => p.metadata.name),
    ).toEqual([]);
    expect((await kubectl('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed'])).code).not.toBe(0);
    await new Promise((r) => setTimeout(r, 10_000));
    expect((await kubectl('mgmt-1', ['get', 'configmap', 'hc-clusters-sample', '-n', 'openshift-config-managed'])).code).not.toBe(0);
  });
});

// metrics set/show and sre-config through the built binary; the operator deployment and the
// sre-metric-set configmap are shared, so each is put back as it was after the file's tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, waitFor } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';

const dir = mkdtempSync(join(tmpdir(), 'hcp-e2e-metrics-'));
const envOf = async (name: string) => {
  const d = JSON.parse(await kubectlOk('mgmt-1', ['get', 'deployment', 'operator', '-n', 'hypershift', '-o', 'json']));
  return (d.spec.template.spec.containers[0].env ?? []).find((e: { name: string }) => e.name === name)?.value as string | undefined;
};

const FLAGS = ['configmap', 'hypershift-operator-install-flags', '-n', 'local-cluster'];
const installFlags = async () => {
  const r = await kubectl('mgmt-1', ['get', ...FLAGS, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout).data as Record<string, string>) : undefined;
};

describe('metrics', () => {
  let originalSet: string | undefined;
  let originalConfig: string | undefined;
  let originalFlags: string | undefined;
  beforeAll(async () => {
    originalSet = await envOf('METRICS_SET');
    const cm = await kubectl('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', 'hypershift', '-o', 'jsonpath={.data.config}']);
    originalConfig = cm.code === 0 ? cm.stdout : undefined;
    const flags = await kubectl('mgmt-1', ['get', ...FLAGS, '-o', 'json']);
    originalFlags = flags.code === 0 ? flags.stdout : undefined;
  });
  afterAll(async () => {
    // The install flags first (the simulated addon re-renders the operator from them), then the env.
    await kubectl('mgmt-1', ['delete', ...FLAGS, '--ignore-not-found']);
    if (originalFlags)
      await kubectl(
        'mgmt-1',
        ['create', '-f', '-'],
        JSON.stringify({ ...JSON.parse(originalFlags), metadata: { name: 'hypershift-operator-install-flags', namespace: 'local-cluster' } }),
      );
    const restore = originalSet === undefined ? 'METRICS_SET-' : `METRICS_SET=${originalSet}`;
    await kubectl('mgmt-1', ['set', 'env', '-n', 'hypershift', 'deployment/operator', restore]);
    if (originalConfig === undefined) await kubectl('mgmt-1', ['delete', 'configmap', 'sre-metric-set', '-n', 'hypershift', '--ignore-not-found']);
    await kubectl('mgmt-1', ['patch', 'hostedcluster', 'sample', '-n', 'clusters', '--type=merge', '-p', '{"spec":{"monitoring":null}}']);
  });

  it('refuses an invalid regex with the line and component, and writes nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'cvo:\n  - action: drop\n    regex: "etcd_(?!server)"\n    sourceLabels: ["__name__"]\n');
    const r = await hcp(['metrics', 'sre-config', 'apply', '-f', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${bad}:3: cvo\\[1\\]: regex "etcd_\\(\\?!server\\)" is not valid RE2`));
    const cm = await kubectl('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', 'hypershift', '-o', 'jsonpath={.data.config}']);
    expect(cm.stdout).toBe(originalConfig ?? '');
  });

  it("applies the docs' example as configmap sre-metric-set key config", async () => {
    const file = join(dir, 'sre.yaml');
    writeFileSync(file, await hcpOk(['metrics', 'sre-config', 'default']));
    await hcpOk(['metrics', 'sre-config', 'apply', '-f', file]);
    const stored = await kubectlOk('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', 'hypershift', '-o', 'jsonpath={.data.config}']);
    expect(stored).toBe(await hcpOk(['metrics', 'sre-config', 'default']));
    const shown = JSON.parse(await hcpOk(['metrics', 'sre-config', 'show', '-o', 'json']));
    expect(shown.state).toBe('valid');
  });

  it('never writes an invalid METRICS_SET (it would crashloop the operator)', async () => {
    const before = await envOf('METRICS_SET');
    const r = await hcp(['metrics', 'set', 'Everything']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await envOf('METRICS_SET')).toBe(before);
  });

  // The sandbox is an MCE hub (namespace local-cluster): the addon deploys the operator from the
  // install flags, so that is where the set goes (issue 13 item 18).
  it('writes the canonical spelling into the install flags, the addon redeploys the operator with it, and the operator copies the SRE config to the control plane', async () => {
    const out = await hcpOk(['metrics', 'set', 'sre', '--wait', '--wait-timeout', '150s']);
    expect(out.trim()).toBe(
      'configmap/hypershift-operator-install-flags --metrics-set SRE (the hypershift addon redeploys deployment/operator with METRICS_SET=SRE)',
    );
    expect((await installFlags())?.installFlagsToAdd.split(' ')).toEqual(expect.arrayContaining(['--metrics-set', 'SRE']));
    expect(await envOf('METRICS_SET')).toBe('SRE');
    await waitFor(
      async () => (await kubectl('mgmt-1', ['get', 'configmap', 'sre-metric-set', '-n', 'clusters-sample'])).code === 0,
      60_000,
      'sre-metric-set in clusters-sample',
    );
    const view = JSON.parse(await hcpOk(['metrics', 'show', '-o', 'json']));
    expect(view.operator.metricsSet).toBe('SRE');
    expect(view.installFlags).toMatchObject({ metricsSet: 'SRE', applied: true });
    expect(view.sreConfig.state).toBe('valid');
  });

  it('sets the per-cluster override with the canonical enum value', async () => {
    await hcpOk(['metrics', 'set', 'ALL', '--hosted-cluster', 'sample']);
    expect(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.monitoring.metricsSet}'])).toBe('All');
    const view = JSON.parse(await hcpOk(['metrics', 'show', '-n', 'clusters', '-o', 'json']));
    expect(view.clusters).toContainEqual({ namespace: 'clusters', name: 'sample', override: 'All', effective: 'All' });
    await hcpOk(['metrics', 'set', '--unset', '--hosted-cluster', 'sample']);
    expect(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.monitoring.metricsSet}'])).toBe('');
  });

  it('--unset removes only metricsSet and keeps the rest of spec.monitoring (issue 13 item 20)', async () => {
    await kubectlOk('mgmt-1', [
      'patch',
      'hostedcluster',
      'sample',
      '-n',
      'clusters',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { monitoring: { metricsSet: 'SRE', metricsForwarding: { mode: 'None' } } } }),
    ]);
    await hcpOk(['metrics', 'set', '--unset', '--hosted-cluster', 'sample']);
    expect(JSON.parse(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.monitoring}']))).toEqual({
      metricsForwarding: { mode: 'None' },
    });
    await kubectlOk('mgmt-1', ['patch', 'hostedcluster', 'sample', '-n', 'clusters', '--type=merge', '-p', '{"spec":{"monitoring":null}}']);
  });

  it('server dry run sends the patch with dryRun=All and changes nothing', async () => {
    const out = await hcpOk(['metrics', 'set', 'Telemetry', '--dry-run=server']);
    expect(out).toContain('(server dry run)');
    expect(await envOf('METRICS_SET')).toBe('SRE');
  });

  it('survives the addon re-installing the operator for another install flag (issue 13 item 18)', async () => {
    await hcpOk(['metrics', 'set', 'All', '--wait', '--wait-timeout', '150s']);
    expect(await envOf('METRICS_SET')).toBe('All');
    // Another flag changes: the addon re-installs the operator from the flags.
    await hcpOk(['dashboards', 'enable', '--wait', '--wait-timeout', '150s']);
    expect(await envOf('MONITORING_DASHBOARDS')).toBe('1');
    expect(await envOf('METRICS_SET')).toBe('All');
    await hcpOk(['dashboards', 'disable', '--wait', '--wait-timeout', '150s']);
    expect(await envOf('METRICS_SET')).toBe('All');
  });
});

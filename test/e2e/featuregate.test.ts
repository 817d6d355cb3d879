// featuregate show/set through the built binary. The one-way feature sets are tried on a paused
// HostedCluster copy in this file's own namespace, never on clusters/sample.
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, uniqueNamespace } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';
import { pausedHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';

describe('featuregate', () => {
  let ns: string;
  const featureSet = () => kubectlOk('mgmt-1', ['get', 'hostedcluster', 'fg', '-n', ns, '-o', 'jsonpath={.spec.configuration.featureGate.featureSet}']);
  beforeAll(async () => {
    ns = await uniqueNamespace('featuregate');
    await pausedHostedClusterCopy(ns, 'fg');
  });

  it("shows sample's feature set and the guest's featuregate/cluster", async () => {
    const view = JSON.parse(await hcpOk(['featuregate', 'show', 'sample', '-o', 'json']));
    expect(view.featureSet).toBe('Default');
    expect(view.guest.available).toBe(true);
    const guest = JSON.parse(await kubectlOk('guest', ['get', 'featuregate', 'cluster', '-o', 'json']));
    expect(view.guest.featureSet).toBe(guest.spec.featureSet || 'Default');
  });

  it('without a terminal or --yes-irreversible, refuses the one-way set (exit 3)', async () => {
    const r = await hcp(['featuregate', 'set', 'fg', 'TechPreviewNoUpgrade', '-n', ns]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot be undone/);
    expect(await featureSet()).toBe('');
  });

  it('sets TechPreviewNoUpgrade with --yes-irreversible, then refuses to go back as CEL would', async () => {
    const r = await hcp(['featuregate', 'set', 'fg', 'techpreviewnoupgrade', '-n', ns, '--yes-irreversible']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/blocks minor version updates/);
    expect(await featureSet()).toBe('TechPreviewNoUpgrade');
    const back = await hcp(['featuregate', 'set', 'fg', 'Default', '-n', ns]);
    expect(back.code).toBe(3);
    expect(back.stderr).toContain('TechPreviewNoUpgrade may not be changed');
    // The API server's own CEL rule says the same.
    const direct = await kubectl('mgmt-1', [
      'patch',
      'hostedcluster',
      'fg',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"configuration":{"featureGate":{"featureSet":""}}}}',
    ]);
    expect(direct.code).not.toBe(0);
    expect(direct.stderr).toContain('TechPreviewNoUpgrade may not be changed');
    const minor = await hcp(['upgrade', 'fg', '-n', ns, '--release-image', 'quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64']);
    expect(minor.code).toBe(3);
    expect(minor.stderr).toMatch(/blocks minor version updates/);
  });

  it('CustomNoUpgrade keeps the gates not named again, and --replace drops them, saying which (issue 13 item 17)', async () => {
    await pausedHostedClusterCopy(ns, 'fgc');
    const gates = async () =>
      JSON.parse(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'fgc', '-n', ns, '-o', 'jsonpath={.spec.configuration.featureGate.customNoUpgrade}']));
    await hcpOk([
      'featuregate',
      'set',
      'fgc',
      'CustomNoUpgrade',
      '-n',
      ns,
      '--enable',
      'GateA',
      '--enable',
      'GateB',
      '--disable',
      'GateC',
      '--yes-irreversible',
    ]);
    expect(await gates()).toEqual({ enabled: ['GateA', 'GateB'], disabled: ['GateC'] });
    const merged = await hcp(['featuregate', 'set', 'fgc', 'CustomNoUpgrade', '-n', ns, '--enable', 'GateD', '--disable', 'GateB']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toContain('feature gate(s) GateA, GateC stay as they are (--replace would drop them)');
    expect(await gates()).toEqual({ enabled: ['GateA', 'GateD'], disabled: ['GateC', 'GateB'] });
    const replaced = await hcp(['featuregate', 'set', 'fgc', 'CustomNoUpgrade', '-n', ns, '--enable', 'GateE', '--replace']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toContain('--replace drops feature gate(s) GateA, GateD, GateC, GateB from the CustomNoUpgrade lists');
    expect(await gates()).toEqual({ enabled: ['GateE'], disabled: [] });
  });

  it('--dry-run=client shows the patch without asking or writing', async () => {
    const r = await hcp(['featuregate', 'set', 'sample', 'DevPreviewNoUpgrade', '--dry-run=client']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"featureSet":"DevPreviewNoUpgrade"');
    expect(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.configuration.featureGate.featureSet}'])).toBe(
      '',
    );
  });
});

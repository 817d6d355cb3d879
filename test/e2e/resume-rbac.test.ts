// resume as a user who may resume HostedClusters but not read their control-plane namespace
// (issue 13 item 16): the resume succeeds, the leaked-pause check is skipped with a warning, and
// the exit code is 0. The user is a ServiceAccount with a Role in namespace clusters only.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './helpers/sandbox.ts';
import { hcp } from './helpers/hcp.ts';

let ns: string;
let kubeconfig: string;
let role: string;
const pausedUntil = async () => (await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.pausedUntil}'])).trim();

describe('resume without read access to the control-plane namespace', () => {
  beforeAll(async () => {
    ns = await uniqueNamespace('resume-rbac');
    role = `${ns}-resumer`;
    await kubectlOk('mgmt-1', ['create', 'serviceaccount', 'resumer', '-n', ns]);
    await kubectlOk('mgmt-1', [
      'create',
      'role',
      role,
      '-n',
      'clusters',
      '--verb=get,list,watch,patch',
      '--resource=hostedclusters.hypershift.openshift.io,nodepools.hypershift.openshift.io',
    ]);
    await kubectlOk('mgmt-1', ['create', 'rolebinding', role, '-n', 'clusters', `--role=${role}`, `--serviceaccount=${ns}:resumer`]);
    const token = (await kubectlOk('mgmt-1', ['create', 'token', 'resumer', '-n', ns, '--duration=1h'])).trim();
    const admin = JSON.parse(await kubectlOk('mgmt-1', ['config', 'view', '--raw', '--minify', '--flatten', '--context', 'mgmt-1', '-o', 'json']));
    admin.users = [{ name: 'resumer', user: { token } }];
    admin.contexts[0].context.user = 'resumer';
    kubeconfig = join(mkdtempSync(join(tmpdir(), 'hcp-e2e-rbac-')), 'kubeconfig');
    writeFileSync(kubeconfig, JSON.stringify(admin), { mode: 0o600 });
    // Precondition: the ServiceAccount really cannot read the control-plane namespace.
    const can = await kubectl('mgmt-1', [
      'auth',
      'can-i',
      'get',
      'hostedcontrolplanes.hypershift.openshift.io',
      '-n',
      'clusters-sample',
      `--as=system:serviceaccount:${ns}:resumer`,
    ]);
    expect(can.stdout.trim()).toBe('no');
    await kubectlOk('mgmt-1', ['patch', 'hostedcluster', 'sample', '-n', 'clusters', '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
  });
  afterAll(async () => {
    await kubectl('mgmt-1', ['patch', 'hostedcluster', 'sample', '-n', 'clusters', '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
    await kubectl('mgmt-1', ['delete', 'rolebinding,role', role, '-n', 'clusters']);
  });

  it('resumes, warns that the leak check was skipped and why, and exits 0', async () => {
    const r = await hcp(['resume', 'sample', '--kubeconfig', kubeconfig]);
    expect(r.stderr).toMatch(/leaked-pause check skipped: cannot read the control-plane namespace clusters-sample \(.*forbidden/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hostedcluster/sample resumed; leaked-pause check skipped');
    expect(await pausedUntil()).toBe('');
    await waitFor(
      async () =>
        (
          await kubectlOk('mgmt-1', [
            'get',
            'hostedcluster',
            'sample',
            '-n',
            'clusters',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="ReconciliationActive")].status}',
          ])
        ).trim() === 'True',
      30_000,
      'ReconciliationActive=True',
    );
  });
});

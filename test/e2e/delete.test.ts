// `kubectl hcp delete NAME` (docs 4.2, issue 9) against the sandbox, whose operator deletes as
// upstream does (hostedcluster_controller.go delete(): NodePools, control plane, namespace, then
// the finalizer). The test makes its own running copy of the sample cluster and deletes it.
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './helpers/sandbox.ts';
import { hcp } from './helpers/hcp.ts';
import { runningHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';

const NAME = 'del';
let ns: string;
let cpns: string;
const getJson = async (kind: string, name: string, namespace = ns) => JSON.parse(await kubectlOk('mgmt-1', ['get', kind, name, '-n', namespace, '-o', 'json']));
const exists = async (args: string[]) => (await kubectl('mgmt-1', ['get', ...args])).code === 0;
const microNow = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

describe('kubectl hcp delete', () => {
  beforeAll(async () => {
    ns = await uniqueNamespace('delete');
    cpns = `${ns}-${NAME}`;
    await runningHostedClusterCopy(ns, NAME);
    // Preconditions: the operator has put its finalizers on, made the control plane and a Machine.
    await waitFor(
      async () => (await getJson('hostedcluster', NAME)).metadata.finalizers?.includes('hypershift.openshift.io/finalizer') === true,
      60_000,
      'the copy to get its finalizer',
    );
    await waitFor(
      async () => (await getJson('nodepool', `${NAME}-pool`)).metadata.finalizers?.includes('hypershift.openshift.io/finalizer') === true,
      60_000,
      'the NodePool to get its finalizer',
    );
    await waitFor(async () => (await kubectl('mgmt-1', ['get', 'machines', '-n', cpns, '-o', 'name'])).stdout.trim() !== '', 150_000, 'a Machine of the copy');
  }, 300_000);

  it('--dry-run=client lists what goes, says what hcp destroy is for, and changes nothing', async () => {
    const r = await hcp(['delete', NAME, '-n', ns, '--dry-run=client']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Plan: delete HostedCluster ${ns}/${NAME}`);
    expect(r.stdout).toContain(`NodePool ${ns}/${NAME}-pool (finalizers: hypershift.openshift.io/finalizer)`);
    expect(r.stdout).toMatch(new RegExp(`Machine ${cpns}/`));
    expect(r.stdout).toContain(`Namespace ${cpns}`);
    expect(r.stdout).toContain(`holds: Lease ${ns}/hcp-dr-${NAME}`);
    expect(r.stdout).toContain('is removed by `hcp destroy`');
    expect((await getJson('hostedcluster', NAME)).metadata.deletionTimestamp).toBeUndefined();
    expect(await exists(['lease', `hcp-dr-${NAME}`, '-n', ns])).toBe(false);
  });

  it('asks before deleting: without a terminal or -y it refuses with exit 3', async () => {
    const r = await hcp(['delete', NAME, '-n', ns]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/without confirmation/);
    expect((await getJson('hostedcluster', NAME)).metadata.deletionTimestamp).toBeUndefined();
  });

  it('refuses with exit 3 while a DR Lease is held, naming the holder', async () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: `hcp-dr-${NAME}`, namespace: ns, annotations: { 'kubectl-hcp.openshift.io/operation': 'dr migrate' } },
      spec: { holderIdentity: 'sre@elsewhere:4711 run feedbeef', leaseDurationSeconds: 300, acquireTime: microNow(), renewTime: microNow() },
    };
    await kubectlOk('mgmt-1', ['create', '-f', '-'], JSON.stringify(lease));
    try {
      for (const dryRun of ['client', 'none']) {
        const r = await hcp(['delete', NAME, '-n', ns, '-y', `--dry-run=${dryRun}`]);
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toContain(`Lease ${ns}/hcp-dr-${NAME} is held by sre@elsewhere:4711 run feedbeef (dr migrate) since`);
      }
      expect((await getJson('hostedcluster', NAME)).metadata.deletionTimestamp).toBeUndefined();
      expect((await getJson('lease', `hcp-dr-${NAME}`)).spec.holderIdentity).toBe('sre@elsewhere:4711 run feedbeef');
    } finally {
      await kubectlOk('mgmt-1', ['delete', 'lease', `hcp-dr-${NAME}`, '-n', ns]);
    }
  });

  it('--dry-run=server sends the delete with dryRun=All and leaves the cluster and no Lease behind', async () => {
    const r = await hcp(['delete', NAME, '-n', ns, '--dry-run=server']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(server dry run)');
    expect((await getJson('hostedcluster', NAME)).metadata.deletionTimestamp).toBeUndefined();
    expect(await exists(['lease', `hcp-dr-${NAME}`, '-n', ns])).toBe(false);
  });

  it('deletes the cluster and waits until its NodePools, control-plane namespace and finalizer are gone', async () => {
    const r = await hcp(['delete', NAME, '-n', ns, '-y', '--wait-timeout', '150s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`hostedcluster/${NAME} deleted, with 1 NodePool and control-plane namespace ${cpns}`);
    expect(r.stdout).toContain('hcp destroy');
    // Everything is gone when the command returns, not later.
    expect(await exists(['hostedcluster', NAME, '-n', ns])).toBe(false);
    expect(await exists(['nodepool', `${NAME}-pool`, '-n', ns])).toBe(false);
    expect(await exists(['namespace', cpns])).toBe(false);
    expect(await exists(['lease', `hcp-dr-${NAME}`, '-n', ns])).toBe(false);
    // The command's namespace stays: delete removes the cluster, not the namespace it lives in.
    expect(await exists(['namespace', ns])).toBe(true);
    // Running it again: the cluster is not there any more.
    const again = await hcp(['delete', NAME, '-n', ns, '-y']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`HostedCluster ${ns}/${NAME} not found`);
  }, 200_000);
});

// `dr teardown NAME` (docs 8.4.5, issue 9) against the sandbox: a running copy on mgmt-1 is the
// source, a paused copy of the same name on mgmt-2 stands for the restored cluster, and a
// `dr restore` journal with its verify steps done (written into the run's own state dir) is the
// proof of the restore; the full restore itself is dr-migrate.test.ts's business.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';
import { setEtcdRetention } from './helpers/dr.ts';
import { hcp } from './helpers/hcp.ts';
import { runningHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';

const NAME = 'td';
let ns: string;
let cpns: string;
const stateHome = mkdtempSync(join(tmpdir(), 'hcp-teardown-state-'));
const getJson = async (cluster: 'mgmt-1' | 'mgmt-2', kind: string, name: string, namespace = ns) =>
  JSON.parse(await kubectlOk(cluster, ['get', kind, name, '-n', namespace, '-o', 'json']));
const exists = async (cluster: 'mgmt-1' | 'mgmt-2', args: string[]) => (await kubectl(cluster, ['get', ...args])).code === 0;
const ovnPods = async () =>
  JSON.parse(await kubectlOk('guest', ['get', 'pods', '-n', 'openshift-ovn-kubernetes', '-o', 'json'])).items as {
    metadata: { uid: string; deletionTimestamp?: string };
    status: { phase: string };
  }[];
const teardown = (extra: string[], env: Record<string, string> = {}) =>
  hcp(['dr', 'teardown', NAME, '-n', ns, '--from-context', 'mgmt-1', '--to-context', 'mgmt-2', '--guest-kubeconfig', sandbox().guestKubeconfig, ...extra], {
    env,
  });

/** A finished dr restore journal of this cluster onto mgmt-2, with the verify steps done. */
async function verifiedRestoreJournal(): Promise<Record<string, string>> {
  const server = (await kubectlOk('mgmt-2', ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim().replace(/\/$/, '');
  const dir = join(stateHome, 'kubectl-hcp', 'journal', 'dr_restore');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const at = new Date().toISOString();
  const steps = ['restore-hostedcluster', 'verify-available', 'verify-etcd', 'verify-nodes'].map((id) => ({ id, title: id, finishedAt: at }));
  const journal = { version: 1, operation: 'dr restore', target: `HostedCluster ${ns}/${NAME}`, server, startedAt: at, updatedAt: at, finishedAt: at, steps };
  writeFileSync(join(dir, 'e2e.json'), JSON.stringify(journal), { mode: 0o600 });
  return { XDG_STATE_HOME: stateHome };
}

describe('kubectl hcp dr teardown', () => {
  beforeAll(async () => {
    ns = await uniqueNamespace('teardown');
    cpns = `${ns}-${NAME}`;
    await kubectlOk('mgmt-2', ['create', 'namespace', ns]);
    await runningHostedClusterCopy(ns, NAME);
    await waitFor(async () => (await kubectl('mgmt-1', ['get', 'machines', '-n', cpns, '-o', 'name'])).stdout.trim() !== '', 150_000, 'a Machine of the copy');
    await waitFor(async () => exists('mgmt-1', ['statefulset', 'etcd', '-n', cpns]), 60_000, 'the etcd StatefulSet');
    // As dr backup leaves it: the HostedCluster paused (its NodePool is not: the teardown pauses it).
    await kubectlOk('mgmt-1', ['patch', 'hostedcluster', NAME, '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    // The docs' IMPORTANT box: PVCs deleted when scaled.
    await setEtcdRetention(cpns, 'Delete');
    // The "restored" cluster on mgmt-2, paused so that the resume at the end has something to do.
    const sample = await getJson('mgmt-1', 'hostedcluster', 'sample', 'clusters');
    const pool = await getJson('mgmt-1', 'nodepool', 'sample-us-east-1a', 'clusters');
    const items = [
      {
        apiVersion: sample.apiVersion,
        kind: 'HostedCluster',
        metadata: { name: NAME, namespace: ns },
        spec: { ...sample.spec, pausedUntil: 'true', clusterID: undefined, infraID: `${NAME}-infra` },
      },
      {
        apiVersion: pool.apiVersion,
        kind: 'NodePool',
        metadata: { name: `${NAME}-pool`, namespace: ns },
        spec: { ...pool.spec, clusterName: NAME, replicas: 1, pausedUntil: 'true' },
      },
    ];
    await kubectlOk('mgmt-2', ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }, 300_000);

  afterAll(async () => {
    await kubectl('mgmt-2', ['delete', 'namespace', ns, '--wait=false']);
  });

  it('needs the destination (exit 2, before any API call)', async () => {
    const r = await hcp(['dr', 'teardown', NAME, '-n', ns]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to-context or --to-kubeconfig');
  });

  it('refuses (exit 3) without a verified restore, naming the override, and changes nothing', async () => {
    const r = await teardown(['-y']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`no verified restore of ${ns}/${NAME}`);
    expect(r.stderr).toContain('--i-have-verified-the-restore');
    expect((await getJson('mgmt-1', 'hostedcluster', NAME)).metadata.deletionTimestamp).toBeUndefined();
    expect((await getJson('mgmt-1', 'statefulset', 'etcd', cpns)).spec.persistentVolumeClaimRetentionPolicy.whenScaled).toBe('Delete');
  });

  it('--dry-run=client shows the PVC interlock, the scale-down, the deletion in the docs order, OVN and the resume', async () => {
    const r = await teardown(['--dry-run=client'], await verifiedRestoreJournal());
    expect(r.code, r.stderr).toBe(0);
    const order = [
      `Pause NodePool ${ns}/${NAME}-pool on the source`,
      `Set persistentVolumeClaimRetentionPolicy whenScaled from Delete to Retain on StatefulSet ${cpns}/etcd`,
      `Scale the control plane in ${cpns} to 0`,
      `Remove finalizers and delete the NodePools of ${ns}/${NAME}`,
      `Remove finalizers and delete the Machines in ${cpns}`,
      `Delete the control-plane namespace ${cpns}`,
      `Remove finalizers and delete HostedCluster ${ns}/${NAME}`,
      `Delete namespace ${ns}`,
      "Delete the guest's openshift-ovn-kubernetes pods once",
      `Resume HostedCluster ${ns}/${NAME} and its NodePools on the destination`,
    ].map((line) => r.stdout.indexOf(line));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r.stdout).toContain('[destructive: asks for confirmation]');
    expect((await getJson('mgmt-1', 'hostedcluster', NAME)).metadata.deletionTimestamp).toBeUndefined();
  });

  it('tears the source down, keeps the operator running, restarts OVN once and resumes the destination', async () => {
    const env = await verifiedRestoreJournal();
    const operatorBefore = await getJson('mgmt-1', 'deployment', 'operator', 'hypershift');
    const ovnBefore = (await ovnPods()).filter((p) => !p.metadata.deletionTimestamp);
    const r = await teardown(['-y', '--wait-timeout', '3m', '--ovn-timeout', '2m'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`tore down ${NAME} on the source`);
    expect(r.stdout).toContain(`resumed on the destination: HostedCluster ${NAME}, NodePool ${NAME}-pool`);
    // Nothing of the cluster is left on the source, its namespace included (no other cluster lived there).
    for (const args of [
      ['hostedcluster', NAME, '-n', ns],
      ['nodepool', `${NAME}-pool`, '-n', ns],
      ['namespace', cpns],
      ['namespace', ns],
    ])
      expect(await exists('mgmt-1', args), args.join(' ')).toBe(false);
    // The HyperShift operator serves every other cluster: never scaled.
    const operatorAfter = await getJson('mgmt-1', 'deployment', 'operator', 'hypershift');
    expect(operatorAfter.spec.replicas).toBe(operatorBefore.spec.replicas);
    expect(operatorAfter.status.availableReplicas).toBeGreaterThan(0);
    // OVN: as many pods Running again, all new.
    const old = new Set(ovnBefore.map((p) => p.metadata.uid));
    const ovnAfter = (await ovnPods()).filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running');
    expect(ovnAfter.length).toBeGreaterThanOrEqual(ovnBefore.length);
    expect(ovnAfter.filter((p) => old.has(p.metadata.uid))).toEqual([]);
    // The destination runs: nothing paused any more.
    expect((await getJson('mgmt-2', 'hostedcluster', NAME)).spec.pausedUntil).toBeUndefined();
    expect((await getJson('mgmt-2', 'nodepool', `${NAME}-pool`)).spec.pausedUntil).toBeUndefined();
  }, 300_000);
});

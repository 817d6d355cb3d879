import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { observeInventory } from '../../../src/deletion/observe.ts';
import { observeRetention } from '../../../src/dr/pvc-retention.ts';
import { findVerifiedRestore, observeWorkloads, planDrTeardown, type TeardownInputs } from '../../../src/dr/teardown.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { executePlan } from '../../../src/plan/executor.ts';
import { FakeCluster } from './fake-cluster.ts';

const CPNS = 'clusters-sample';
const F = ['hypershift.openshift.io/finalizer'];

function source(): FakeCluster {
  const k = new FakeCluster();
  k.put(Resources.HostedCluster, { metadata: { name: 'sample', namespace: 'clusters', finalizers: F }, spec: { pausedUntil: 'true' } });
  k.put(Resources.NodePool, { metadata: { name: 'sample-a', namespace: 'clusters', finalizers: F }, spec: { clusterName: 'sample' } });
  k.put(Resources.Machine, { metadata: { name: 'm1', namespace: CPNS, finalizers: ['machine.cluster.x-k8s.io'] } });
  k.put(Resources.HostedControlPlane, { metadata: { name: 'sample', namespace: CPNS, finalizers: F } });
  k.put(Resources.Deployment, { metadata: { name: 'kube-apiserver', namespace: CPNS }, spec: { replicas: 3 } });
  k.put(Resources.Deployment, { metadata: { name: 'control-plane-operator', namespace: CPNS }, spec: { replicas: 1 } });
  k.put(Resources.StatefulSet, {
    metadata: { name: 'etcd', namespace: CPNS },
    spec: { replicas: 3, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } },
  });
  k.put(Resources.Namespace, { metadata: { name: CPNS } });
  k.put(Resources.Namespace, { metadata: { name: 'clusters' } });
  return k;
}

async function inputs(k: FakeCluster, extra: Partial<TeardownInputs> = {}): Promise<TeardownInputs> {
  return {
    inventory: await observeInventory(k.asClient(), 'clusters', 'sample'),
    retention: await observeRetention(k.asClient(), CPNS),
    workloads: await observeWorkloads(k.asClient(), CPNS),
    timeoutMs: 60_000,
    ovnTimeoutMs: 60_000,
    sourceServer: 'https://mgmt-1:6443',
    destinationServer: 'https://mgmt-2:6443',
    destinationHostedCluster: { metadata: { name: 'sample', namespace: 'clusters' }, spec: {} },
    verifiedRestore: { journal: '/j.json', operation: 'dr restore', server: 'https://mgmt-2:6443', verifiedAt: '2026-11-25T10:00:00Z' },
    iHaveVerifiedTheRestore: false,
    ...extra,
  };
}

describe('dr teardown plan', () => {
  it('orders the PVC interlock, the scale-down (control-plane-operator first), the docs deletion, OVN, resume', async () => {
    const plan = planDrTeardown(await inputs(source()));
    expect(plan.blockers).toEqual([]);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'teardown-pause-source',
      'pvc-retention-etcd',
      'teardown-scale-down',
      'delete-nodepools',
      'delete-machines',
      'delete-hostedcontrolplanes',
      'delete-control-plane-namespace',
      'delete-hostedcluster',
      'delete-hostedcluster-namespace',
      'ovn-restart',
      'resume-destination',
    ]);
    // The HostedCluster is paused already (as dr backup leaves it); its NodePool is not.
    expect(plan.steps[0].title).toBe('Pause NodePool clusters/sample-a on the source, so that its operator leaves the teardown alone');
    expect(plan.steps[2].details).toEqual([
      'Deployment clusters-sample/control-plane-operator: 1 → 0',
      'Deployment clusters-sample/kube-apiserver: 3 → 0',
      'StatefulSet clusters-sample/etcd: 3 → 0',
    ]);
  });

  it('skips the pause when the source got paused after the plan was made (dr migrate plans the teardown before its backup pauses)', async () => {
    const k = source();
    const plan = planDrTeardown(await inputs(k));
    const pause = plan.steps.find((s) => s.id === 'teardown-pause-source')!;
    expect(await pause.isDone!({ kube: k.asClient() } as never)).toBe(false);
    k.put(Resources.NodePool, { metadata: { name: 'sample-a', namespace: 'clusters', finalizers: F }, spec: { clusterName: 'sample', pausedUntil: 'true' } });
    expect(await pause.isDone!({ kube: k.asClient() } as never)).toBe(true);
  });

  it.each([
    ['no verified restore', { verifiedRestore: null }, /no verified restore.*--i-have-verified-the-restore overrides/s],
    ['the source is the destination', { destinationServer: 'https://mgmt-1:6443' }, /same cluster/],
    ['the cluster is not on the destination', { destinationHostedCluster: null }, /not on the destination/],
    [
      'a restore onto another cluster',
      { verifiedRestore: { journal: '/j', operation: 'dr restore', server: 'https://mgmt-3:6443', verifiedAt: 'x' } },
      /onto https:\/\/mgmt-3:6443, not onto the destination/,
    ],
  ] as const)('refuses with exit 3 when %s, touching nothing', async (_name, extra, message) => {
    const k = source();
    const plan = planDrTeardown(await inputs(k, extra as Partial<TeardownInputs>));
    const err = await executePlan(plan, {
      kube: k.asClient(),
      dryRun: 'none',
      yes: true,
      resume: false,
      env: {},
      now: () => new Date(),
      progress: () => {},
      printPlan: () => {},
    }).catch((e: unknown) => e);
    expect((err as { exitCode: number }).exitCode).toBe(3);
    expect(`${(err as Error).message} ${(err as { hint?: string }).hint ?? ''}`).toMatch(message);
    expect(k.calls).toEqual([]);
  });

  it('--i-have-verified-the-restore lifts the missing-journal blocker only', async () => {
    const plan = planDrTeardown(await inputs(source(), { verifiedRestore: null, iHaveVerifiedTheRestore: true }));
    expect(plan.blockers).toEqual([]);
    const same = planDrTeardown(await inputs(source(), { verifiedRestore: null, iHaveVerifiedTheRestore: true, destinationServer: 'https://mgmt-1:6443' }));
    expect(same.blockers).toHaveLength(1);
  });

  it('finds a verified restore in the dr restore journal, and ignores an unverified one', () => {
    const home = mkdtempSync(join(tmpdir(), 'hcp-teardown-'));
    const dir = join(home, 'kubectl-hcp', 'journal', 'dr_restore');
    mkdirSync(dir, { recursive: true });
    const journal = (steps: string[]) => ({
      version: 1,
      operation: 'dr restore',
      target: 'HostedCluster clusters/sample',
      server: 'https://mgmt-2:6443',
      startedAt: '2026-11-25T09:00:00Z',
      updatedAt: '2026-11-25T10:00:00Z',
      steps: steps.map((id, i) => ({ id, title: id, finishedAt: `2026-11-25T10:0${i}:00Z` })),
    });
    writeFileSync(join(dir, 'a.json'), JSON.stringify(journal(['restore-hostedcluster', 'verify-available'])));
    expect(findVerifiedRestore({ XDG_STATE_HOME: home }, 'clusters', 'sample')).toBeNull();
    writeFileSync(join(dir, 'b.json'), JSON.stringify(journal(['restore-hostedcluster', 'verify-available', 'verify-etcd', 'verify-nodes'])));
    expect(findVerifiedRestore({ XDG_STATE_HOME: home }, 'clusters', 'sample')).toMatchObject({
      server: 'https://mgmt-2:6443',
      operation: 'dr restore',
      verifiedAt: '2026-11-25T10:03:00Z',
    });
    expect(findVerifiedRestore({ XDG_STATE_HOME: home }, 'clusters', 'other')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { describeInventory, observeInventory } from '../../../src/deletion/observe.ts';
import { planForcedDeletion, planOperatorDeletion, sharedDeadline } from '../../../src/deletion/steps.ts';
import { Resources, type KubeObject } from '../../../src/kube/resources.ts';
import { executePlan, type ExecuteOptions } from '../../../src/plan/executor.ts';
import { newPlan } from '../../../src/plan/plan.ts';
import type { Clock } from '../../../src/util/clock.ts';
import { RuntimeError } from '../../../src/util/errors.ts';
import { FakeCluster } from './fake-cluster.ts';

const F = ['hypershift.openshift.io/finalizer'];
const CPNS = 'clusters-sample';
const obj = (name: string, namespace: string | undefined, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, ...(namespace ? { namespace } : {}), finalizers: F },
  ...extra,
});

function seeded(): FakeCluster {
  const kube = new FakeCluster();
  kube.put(Resources.HostedCluster, obj('sample', 'clusters', { spec: {} }));
  kube.put(Resources.HostedCluster, obj('other', 'clusters', { spec: {} }));
  kube.put(Resources.NodePool, obj('sample-a', 'clusters', { spec: { clusterName: 'sample' } }));
  kube.put(Resources.NodePool, obj('sample-b', 'clusters', { spec: { clusterName: 'sample' } }));
  kube.put(Resources.NodePool, obj('other-a', 'clusters', { spec: { clusterName: 'other' } }));
  kube.put(Resources.Machine, obj('m1', CPNS));
  kube.put(Resources.MachineSet, obj('ms1', CPNS));
  kube.put(Resources.CapiCluster, obj('sample-infra', CPNS));
  kube.put(Resources.AWSMachine, obj('aws1', CPNS));
  kube.put(Resources.HostedControlPlane, obj('sample', CPNS));
  kube.put(Resources.Namespace, { metadata: { name: CPNS } });
  kube.put(Resources.Namespace, { metadata: { name: 'clusters' } });
  return kube;
}

function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

const options = (kube: FakeCluster, clock: Clock, extra: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  kube: kube.asClient(),
  dryRun: 'none',
  yes: true,
  resume: false,
  env: {},
  now: () => new Date(),
  clock,
  progress: () => {},
  printPlan: () => {},
  ...extra,
});

describe('forced deletion (dr teardown, docs 8.4.5)', () => {
  it('removes finalizers before each delete, in the docs order, and keeps a shared HostedCluster namespace', async () => {
    const kube = seeded();
    const inv = await observeInventory(kube.asClient(), 'clusters', 'sample');
    expect(describeInventory(inv)).toContain('NodePool clusters/sample-a (finalizers: hypershift.openshift.io/finalizer)');
    const { steps, warnings } = planForcedDeletion(inv, { deadline: sharedDeadline(60_000) });
    expect(steps.map((s) => s.id)).toEqual([
      'delete-nodepools',
      'delete-machines',
      'delete-machinesets',
      'delete-clusters',
      'delete-awsmachines',
      'delete-hostedcontrolplanes',
      'delete-control-plane-namespace',
      'delete-hostedcluster',
    ]);
    expect(warnings[0]).toMatch(/namespace clusters is kept: other HostedClusters live in it \(other\)/);
    await executePlan(newPlan('dr teardown', 'sample', { steps }), options(kube, fakeClock()));
    const left = [...kube.objects.keys()].sort();
    expect(left).toEqual(['hostedclusters/clusters/other', 'namespaces//clusters', 'nodepools/clusters/other-a']);
    const order = kube.calls.filter((c) => c.verb === 'delete').map((c) => c.key.split('/')[0]);
    expect(order).toEqual([
      'nodepools',
      'nodepools',
      'machines',
      'machinesets',
      'clusters',
      'awsmachines',
      'hostedcontrolplanes',
      'namespaces',
      'hostedclusters',
    ]);
    const hcWrites = kube.calls.filter((c) => c.key === 'hostedclusters/clusters/sample').map((c) => c.verb);
    expect(hcWrites).toEqual(['patch:merge', 'delete']);
  });

  it('wins the race with a controller that puts its finalizer back', async () => {
    const kube = seeded();
    const inv = await observeInventory(kube.asClient(), 'clusters', 'sample');
    const original = kube.delete.bind(kube);
    let raced = false;
    kube.delete = async (rt, ns, name) => {
      if (rt === Resources.HostedCluster && !raced) {
        raced = true;
        kube.put(rt, { ...(await kube.get(rt, ns, name)), metadata: { ...(await kube.get(rt, ns, name)).metadata, finalizers: F } });
      }
      return original(rt, ns, name);
    };
    const { steps } = planForcedDeletion(inv, { deadline: sharedDeadline(60_000) });
    await executePlan(newPlan('dr teardown', 'sample', { steps }), options(kube, fakeClock()));
    expect(kube.objects.has('hostedclusters/clusters/sample')).toBe(false);
  });

  it('deletes the HostedCluster namespace when no other cluster lives there; --dry-run=server writes with dryRun', async () => {
    const kube = seeded();
    kube.objects.delete('hostedclusters/clusters/other');
    const inv = await observeInventory(kube.asClient(), 'clusters', 'sample');
    const { steps, warnings } = planForcedDeletion(inv, { deadline: sharedDeadline(60_000) });
    expect(warnings).toEqual([]);
    expect(steps.at(-1)?.id).toBe('delete-hostedcluster-namespace');
    const before = kube.objects.size;
    await executePlan(newPlan('dr teardown', 'sample', { steps }), options(kube, fakeClock(), { dryRun: 'server' }));
    expect(kube.objects.size).toBe(before);
    expect(kube.calls.filter((c) => c.verb !== 'list').every((c) => c.dryRun)).toBe(true);
  });
});

describe('operator deletion (kubectl hcp delete)', () => {
  it('deletes the HostedCluster and times out with what is left, within one shared budget', async () => {
    const kube = seeded();
    const inv = await observeInventory(kube.asClient(), 'clusters', 'sample');
    const steps = planOperatorDeletion(inv, { deadline: sharedDeadline(30_000), timeoutMs: 30_000 });
    expect(steps.map((s) => s.id)).toEqual(['delete-hostedcluster', 'wait-nodepools-gone', 'wait-control-plane-namespace-gone', 'wait-hostedcluster-gone']);
    const clock = fakeClock();
    const err = await executePlan(newPlan('delete', 'sample', { steps }), options(kube, clock)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/2 NodePools still there: sample-a \(finalizers: hypershift.openshift.io\/finalizer\), sample-b/);
    expect(clock.t).toBe(30_000);
    expect(kube.objects.get('hostedclusters/clusters/sample')?.metadata.deletionTimestamp).toBeTruthy();
  });

  it('finishes once the operator has removed everything', async () => {
    const kube = seeded();
    const inv = await observeInventory(kube.asClient(), 'clusters', 'sample');
    const steps = planOperatorDeletion(inv, { deadline: sharedDeadline(30_000), timeoutMs: 30_000 });
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      // The operator's teardown: NodePools, control plane, then its finalizer.
      for (const key of [...kube.objects.keys()]) if (key.includes('sample') && key !== 'hostedclusters/clusters/sample') kube.objects.delete(key);
      kube.objects.delete('hostedclusters/clusters/sample');
      await sleep(ms);
    };
    const result = await executePlan(newPlan('delete', 'sample', { steps }), options(kube, clock));
    expect(result.ran).toEqual(['delete-hostedcluster', 'wait-nodepools-gone']);
    expect(clock.t).toBe(2000);
  });
});

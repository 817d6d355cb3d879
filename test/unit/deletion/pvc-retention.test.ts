import { describe, expect, it } from 'vitest';
import { observeRetention, planPvcRetention } from '../../../src/dr/pvc-retention.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { executePlan } from '../../../src/plan/executor.ts';
import { newPlan } from '../../../src/plan/plan.ts';
import { RuntimeError } from '../../../src/util/errors.ts';
import { FakeCluster } from './fake-cluster.ts';

const NS = 'clusters-sample';
const sts = (name: string, policy?: { whenScaled?: string; whenDeleted?: string }) => ({
  metadata: { name, namespace: NS },
  spec: { replicas: 3, ...(policy ? { persistentVolumeClaimRetentionPolicy: policy } : {}) },
});
const run = (kube: FakeCluster, plan: ReturnType<typeof newPlan>, yes = true) =>
  executePlan(plan, { kube: kube.asClient(), dryRun: 'none', yes, resume: false, env: {}, now: () => new Date(), progress: () => {}, printPlan: () => {} });

describe('PVC retention interlock', () => {
  it.each([
    ['no policy (Kubernetes defaults to Retain)', undefined, ['whenScaled'], 0],
    ['whenScaled Retain', { whenScaled: 'Retain', whenDeleted: 'Delete' }, ['whenScaled'], 0],
    ['whenScaled Delete', { whenScaled: 'Delete' }, ['whenScaled'], 1],
    ['whenDeleted Delete, when it counts', { whenDeleted: 'Delete' }, ['whenScaled', 'whenDeleted'], 1],
  ] as const)('%s → %i steps', async (_name, policy, policies, steps) => {
    const kube = new FakeCluster().put(Resources.StatefulSet, sts('etcd', policy));
    const planned = planPvcRetention(await observeRetention(kube.asClient(), NS), { policies: [...policies] });
    expect(planned).toHaveLength(steps);
    if (steps) expect(planned[0]).toMatchObject({ id: 'pvc-retention-etcd', destructive: true });
  });

  it('patches Delete to Retain, confirmed as destructive, and is idempotent', async () => {
    const kube = new FakeCluster().put(Resources.StatefulSet, sts('etcd', { whenScaled: 'Delete', whenDeleted: 'Delete' }));
    const steps = planPvcRetention(await observeRetention(kube.asClient(), NS), { policies: ['whenScaled', 'whenDeleted'] });
    expect(steps[0].title).toBe(
      'Set persistentVolumeClaimRetentionPolicy whenScaled from Delete to Retain and whenDeleted from Delete to Retain on StatefulSet clusters-sample/etcd (its PVCs would be deleted)',
    );
    await expect(run(kube, newPlan('dr teardown', 'x', { steps }), false)).rejects.toThrow(/without confirmation.*persistentVolumeClaimRetentionPolicy/);
    await run(kube, newPlan('dr teardown', 'x', { steps }));
    expect((await kube.get(Resources.StatefulSet, NS, 'etcd')).spec).toMatchObject({
      persistentVolumeClaimRetentionPolicy: { whenScaled: 'Retain', whenDeleted: 'Retain' },
    });
    const again = await run(kube, newPlan('dr teardown', 'x', { steps }));
    expect(again.ran).toEqual([]);
  });

  it('refuses to go on when a controller puts Delete back', async () => {
    const kube = new FakeCluster().put(Resources.StatefulSet, sts('etcd', { whenScaled: 'Delete' }));
    const steps = planPvcRetention(await observeRetention(kube.asClient(), NS));
    const original = kube.patch.bind(kube);
    kube.patch = async (...args: Parameters<FakeCluster['patch']>) => {
      await original(...args);
      return original(args[0], args[1], args[2], { spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } } }, 'merge');
    };
    const err = await run(kube, newPlan('dr teardown', 'x', { steps: [...steps, { id: 'scale', title: 'scale down' }] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/back to whenScaled: Delete/);
  });
});

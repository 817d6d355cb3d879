/**
 * Issue 9 "Exactly one owner": a dr migrate/restore holds the cluster's dr Lease on BOTH management
 * clusters (the source's and the destination's), taken by the plan executor through plan.locks with
 * `cluster: 'source' | 'target'`. The destination's namespace may not exist yet: the Lease creates it.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/kube/errors.ts';
import { Resources, type KubeObject, type ResourceType } from '../../../src/kube/resources.ts';
import { acquireLease, formatIdentity, ownershipLease, ownershipLeaseName, type HolderIdentity, type LeaseTimers } from '../../../src/hostedcluster/lease.ts';
import { executePlan } from '../../../src/plan/executor.ts';
import { newPlan } from '../../../src/plan/plan.ts';
import { restoreBlockers, type RestoreInputs } from '../../../src/dr/restore.ts';
import { InterlockError } from '../../../src/util/errors.ts';
import { FakeCluster } from '../deletion/fake-cluster.ts';

const alice: HolderIdentity = { user: 'alice', host: 'other-host', pid: 4242, runId: 'aaaa1111' };
const bob: HolderIdentity = { user: 'bob', host: 'third-host', pid: 4343, runId: 'bbbb2222' };
const T0 = new Date('2026-11-25T10:00:00.000Z');
const LEASE = ownershipLeaseName('dr', 'sample');
const timers = (): LeaseTimers => ({ every: () => () => {} });
const hooks = { warn: () => {}, lost: () => {}, now: () => T0 };

/** A cluster that, like the API server, refuses a namespaced object in a namespace that does not exist. */
class StrictCluster extends FakeCluster {
  override async create(rt: ResourceType, ns: string | undefined, body: KubeObject): Promise<KubeObject> {
    if (ns !== undefined && !(await this.getOrNull(Resources.Namespace, undefined, ns)))
      throw new ApiError(404, { reason: 'NotFound', message: `namespaces "${ns}" not found` }, 'not found');
    return super.create(rt, ns, body);
  }
}

const withNamespace = (c: FakeCluster, ns = 'clusters') => {
  c.put(Resources.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return c;
};
const leaseOn = (c: FakeCluster) => c.objects.get(`leases/clusters/${LEASE}`) as { spec?: { holderIdentity?: string } } | undefined;
const spec = (cluster: 'source' | 'target') => ({
  namespace: 'clusters',
  name: 'sample',
  group: 'dr',
  operation: 'dr migrate',
  cluster,
  createNamespace: cluster === 'target',
});

function runOptions(source: FakeCluster, target: FakeCluster) {
  return {
    kube: source.asClient(),
    clusters: { source: source.asClient(), target: target.asClient() },
    dryRun: 'none' as const,
    yes: true,
    resume: false,
    env: {},
    now: () => T0,
    progress: () => {},
    printPlan: () => {},
  };
}

describe('dr Lease on both management clusters', () => {
  it('the executor holds the Lease on the source and on the destination for the whole run, then releases both', async () => {
    const source = withNamespace(new StrictCluster());
    const target = new StrictCluster(); // a fresh destination: no `clusters` namespace yet
    const seen: (string | undefined)[] = [];
    const plan = newPlan('dr migrate', 'HostedCluster clusters/sample', {
      locks: [ownershipLease(spec('source'), { identity: alice, timers: timers() }), ownershipLease(spec('target'), { identity: alice, timers: timers() })],
      steps: [{ id: 'look', title: 'look', run: async () => void seen.push(leaseOn(source)?.spec?.holderIdentity, leaseOn(target)?.spec?.holderIdentity) }],
    });
    await executePlan(plan, runOptions(source, target));
    expect(seen).toEqual([formatIdentity(alice), formatIdentity(alice)]);
    // The destination's namespace was created for the Lease (the restore would create it anyway); the Leases are gone.
    expect(target.objects.has('namespaces//clusters')).toBe(true);
    expect(leaseOn(source)).toBeUndefined();
    expect(leaseOn(target)).toBeUndefined();
  });

  it('a run refused at its confirmation takes away the namespace its Lease created, and only that one', async () => {
    const fresh = new StrictCluster(); // no `clusters` namespace: the Lease makes it
    const existing = withNamespace(new StrictCluster());
    for (const target of [fresh, existing]) {
      const source = withNamespace(new StrictCluster());
      const plan = newPlan('dr migrate', 'HostedCluster clusters/sample', {
        locks: [ownershipLease(spec('source'), { identity: alice, timers: timers() }), ownershipLease(spec('target'), { identity: alice, timers: timers() })],
        steps: [{ id: 'fence', title: 'fence', destructive: true, run: async () => {} }],
      });
      const err = await executePlan(plan, { ...runOptions(source, target), yes: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterlockError);
      expect(leaseOn(target)).toBeUndefined();
    }
    expect(fresh.objects.has('namespaces//clusters')).toBe(false);
    expect(existing.objects.has('namespaces//clusters')).toBe(true);
  });

  it('a second run refuses with exit 3 naming the destination holder, runs nothing and leaves the source Lease free', async () => {
    const source = withNamespace(new StrictCluster());
    const target = withNamespace(new StrictCluster());
    await acquireLease(target.asClient(), { ...spec('target'), operation: 'dr restore' }, hooks, { identity: bob, timers: timers() });
    const ran: string[] = [];
    const plan = newPlan('dr migrate', 'HostedCluster clusters/sample', {
      locks: [ownershipLease(spec('source'), { identity: alice, timers: timers() }), ownershipLease(spec('target'), { identity: alice, timers: timers() })],
      steps: [{ id: 'x', title: 'x', run: async () => void ran.push('x') }],
    });
    const err = await executePlan(plan, runOptions(source, target)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterlockError);
    expect((err as InterlockError).exitCode).toBe(3);
    expect((err as Error).message).toContain(`${formatIdentity(bob)} (dr restore)`);
    expect(ran).toEqual([]);
    expect(leaseOn(source)).toBeUndefined(); // taken, then released when the destination refused
    expect(leaseOn(target)!.spec?.holderIdentity).toBe(formatIdentity(bob));
  });

  it('in --dry-run=server the destination gets neither namespace nor Lease', async () => {
    const source = withNamespace(new StrictCluster());
    const target = new StrictCluster();
    const plan = newPlan('dr migrate', 'HostedCluster clusters/sample', {
      locks: [ownershipLease(spec('target'), { identity: alice, timers: timers() })],
      steps: [],
    });
    await executePlan(plan, { ...runOptions(source, target), dryRun: 'server' });
    expect([...target.objects.keys()]).toEqual([]);
  });

  it("a destination holder is the restore's first blocker", () => {
    const i = {
      hcExists: true,
      namespacesLeft: [],
      backupProblems: ['bad'],
      ownerProblem: 'Lease clusters/hcp-dr-sample is held by bob',
    } as unknown as RestoreInputs;
    expect(restoreBlockers(i).map((b) => b.message)).toEqual([
      'Lease clusters/hcp-dr-sample is held by bob',
      'HostedCluster undefined/undefined already exists on undefined',
      'bad',
    ]);
  });
});

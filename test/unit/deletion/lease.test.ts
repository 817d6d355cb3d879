import { describe, expect, it } from 'vitest';
import {
  acquireLease,
  formatIdentity,
  microTime,
  ownershipLease,
  ownershipLeaseName,
  parseIdentity,
  readLeaseHolder,
  type HolderIdentity,
  type LeaseObject,
  type LeaseTimers,
} from '../../../src/hostedcluster/lease.ts';
import { Resources } from '../../../src/kube/resources.ts';
import { executePlan } from '../../../src/plan/executor.ts';
import { newPlan } from '../../../src/plan/plan.ts';
import { InterlockError, RuntimeError } from '../../../src/util/errors.ts';
import { FakeCluster } from './fake-cluster.ts';

const alice: HolderIdentity = { user: 'alice', host: 'other-host', pid: 4242, runId: 'aaaa1111' };
const bob: HolderIdentity = { user: 'bob', host: 'third-host', pid: 4343, runId: 'bbbb2222' };
const spec = { namespace: 'clusters', name: 'sample', group: 'dr', operation: 'dr migrate' };
const T0 = new Date('2026-11-25T10:00:00.000Z');

function manualTimers(): LeaseTimers & { tick: () => void; active: boolean } {
  let fn: (() => void) | undefined;
  return {
    every: (_ms, f) => {
      fn = f;
      return () => {
        fn = undefined;
      };
    },
    tick: () => fn?.(),
    get active() {
      return fn !== undefined;
    },
  };
}

function hooks(now: () => Date = () => T0) {
  const warnings: string[] = [];
  const lost: Error[] = [];
  return { warnings, lost, hooks: { warn: (m: string) => warnings.push(m), lost: (e: Error) => lost.push(e), now } };
}

const leaseOf = (kube: FakeCluster) => kube.objects.get(`leases/clusters/${ownershipLeaseName('dr', 'sample')}`) as LeaseObject | undefined;
const flush = () => new Promise((r) => setTimeout(r, 0));
const runOptions = (kube: FakeCluster) => ({
  kube: kube.asClient(),
  dryRun: 'none' as const,
  yes: true,
  resume: false,
  env: {},
  now: () => T0,
  progress: () => {},
  printPlan: () => {},
});

describe('ownership Lease', () => {
  it('is named for the group and the cluster, and identities round-trip', () => {
    expect(ownershipLeaseName('dr', 'sample')).toBe('hcp-dr-sample');
    expect(parseIdentity(formatIdentity(alice))).toEqual(alice);
    expect(microTime(T0)).toBe('2026-11-25T10:00:00.000000Z');
  });

  it('creates the Lease with holder, times and duration, renews it and deletes it on release', async () => {
    const kube = new FakeCluster();
    const timers = manualTimers();
    let now = T0;
    const h = hooks(() => now);
    const held = await acquireLease(kube.asClient(), spec, h.hooks, { identity: alice, timers });
    const lease = leaseOf(kube)!;
    expect(lease.spec).toEqual({
      holderIdentity: 'alice@other-host:4242 run aaaa1111',
      leaseDurationSeconds: 60,
      acquireTime: '2026-11-25T10:00:00.000000Z',
      renewTime: '2026-11-25T10:00:00.000000Z',
      leaseTransitions: 0,
    });
    expect(lease.metadata.annotations?.['kubectl-hcp.openshift.io/operation']).toBe('dr migrate');
    now = new Date(T0.getTime() + 20_000);
    timers.tick();
    await flush();
    await flush();
    expect(leaseOf(kube)!.spec?.renewTime).toBe('2026-11-25T10:00:20.000000Z');
    await held.release();
    expect(leaseOf(kube)).toBeUndefined();
    expect(timers.active).toBe(false);
  });

  it('refuses a live holder with exit 3, naming it and its start time', async () => {
    const kube = new FakeCluster();
    await acquireLease(kube.asClient(), spec, hooks().hooks, { identity: alice, timers: manualTimers() });
    const err = await acquireLease(kube.asClient(), spec, hooks(() => new Date(T0.getTime() + 30_000)).hooks, { identity: bob, timers: manualTimers() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InterlockError);
    expect((err as InterlockError).exitCode).toBe(3);
    expect((err as Error).message).toContain('alice@other-host:4242 run aaaa1111 (dr migrate) since 2026-11-25T10:00:00.000000Z');
    expect(await readLeaseHolder(kube.asClient(), 'clusters', 'sample', 'dr', new Date(T0.getTime() + 30_000))).toMatchObject({
      identity: 'alice@other-host:4242 run aaaa1111',
    });
  });

  it('takes over a stale holder with a warning and counts the transition', async () => {
    const kube = new FakeCluster();
    await acquireLease(kube.asClient(), spec, hooks().hooks, { identity: alice, timers: manualTimers() });
    const later = new Date(T0.getTime() + 61_000);
    expect(await readLeaseHolder(kube.asClient(), 'clusters', 'sample', 'dr', later)).toBeNull();
    const h = hooks(() => later);
    await acquireLease(kube.asClient(), spec, h.hooks, { identity: bob, timers: manualTimers() });
    expect(h.warnings.join('\n')).toMatch(/taking over Lease clusters\/hcp-dr-sample from alice@other-host:4242 run aaaa1111: not renewed since/);
    expect(leaseOf(kube)!.spec).toMatchObject({ holderIdentity: 'bob@third-host:4343 run bbbb2222', leaseTransitions: 1 });
  });

  it('takes over at once from a killed run on this host (a --resume after a crash)', async () => {
    const kube = new FakeCluster();
    const self = { user: 'me', host: 'this-host', pid: process.pid, runId: 'cccc3333' };
    await acquireLease(kube.asClient(), spec, hooks().hooks, { identity: { ...self, pid: 2 ** 22 + 7, runId: 'dead0000' }, timers: manualTimers() });
    const h = hooks(() => new Date(T0.getTime() + 5_000));
    await acquireLease(kube.asClient(), spec, h.hooks, { identity: self, timers: manualTimers() });
    expect(h.warnings.join()).toContain('that process no longer exists on this host');
  });

  it('reports the lease lost when another holder took it over', async () => {
    const kube = new FakeCluster();
    const timers = manualTimers();
    const h = hooks();
    await acquireLease(kube.asClient(), spec, h.hooks, { identity: alice, timers });
    const lease = leaseOf(kube)!;
    kube.put(Resources.Lease, { ...lease, spec: { ...lease.spec, holderIdentity: formatIdentity(bob) } });
    timers.tick();
    await flush();
    expect(h.lost[0]?.message).toMatch(/lost Lease clusters\/hcp-dr-sample: .* is held by bob@third-host:4343/);
  });

  it('the executor holds the lease for the run, refuses a second run and releases at the end', async () => {
    const kube = new FakeCluster();
    const seen: (string | null | undefined)[] = [];
    const plan = newPlan('dr backup', 'HostedCluster clusters/sample', {
      locks: [ownershipLease(spec, { identity: alice, timers: manualTimers() })],
      steps: [{ id: 'look', title: 'look', run: async () => void seen.push(leaseOf(kube)?.spec?.holderIdentity) }],
    });
    const opts = runOptions(kube);
    await executePlan(plan, opts);
    expect(seen).toEqual(['alice@other-host:4242 run aaaa1111']);
    expect(leaseOf(kube)).toBeUndefined();

    await acquireLease(kube.asClient(), spec, hooks().hooks, { identity: bob, timers: manualTimers() });
    const ran: string[] = [];
    const second = newPlan('dr backup', 'HostedCluster clusters/sample', {
      locks: [ownershipLease(spec, { identity: alice, timers: manualTimers() })],
      steps: [{ id: 'x', title: 'x', run: async () => void ran.push('x') }],
    });
    await expect(executePlan(second, opts)).rejects.toBeInstanceOf(InterlockError);
    expect(ran).toEqual([]);
  });

  it.each([
    [false, 'run the same command again'],
    [true, 'run it again with --resume'],
  ])(
    'a lease that cannot be taken (a 429, a lost answer) stops the run before its first step with the state and how to go on (resume %s)',
    async (resume, hint) => {
      const kube = new FakeCluster();
      const ran: string[] = [];
      const plan = newPlan('dr migrate', 'HostedCluster clusters/sample', {
        locks: [
          {
            title: 'Lease clusters/hcp-dr-sample',
            acquire: async () => {
              throw new Error('fault proxy: transient 429 on /apis/coordination.k8s.io/v1/namespaces/clusters/leases');
            },
          },
        ],
        steps: [{ id: 'x', title: 'x', run: async () => void ran.push('x') }],
      });
      const err = await executePlan(plan, { ...runOptions(kube), resume }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RuntimeError);
      expect(err).toMatchObject({
        message:
          'dr migrate HostedCluster clusters/sample: could not take its ownership lease: fault proxy: transient 429 on /apis/coordination.k8s.io/v1/namespaces/clusters/leases',
        state: 'nothing was changed by this run: it stopped while taking its lease, before its first step',
        hint,
      });
      expect(ran).toEqual([]);
    },
  );

  it('a lease lost during a step stops the run with the holder named', async () => {
    const kube = new FakeCluster();
    const timers = manualTimers();
    const plan = newPlan('dr backup', 'HostedCluster clusters/sample', {
      locks: [ownershipLease(spec, { identity: alice, timers })],
      steps: [
        {
          id: 'slow',
          title: 'slow step',
          run: async () => {
            const lease = leaseOf(kube)!;
            kube.put(Resources.Lease, { ...lease, spec: { ...lease.spec, holderIdentity: formatIdentity(bob) } });
            timers.tick();
            await new Promise(() => {}); // never finishes by itself
          },
        },
      ],
    });
    const err = await executePlan(plan, runOptions(kube)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/dr backup HostedCluster clusters\/sample stopped: lost Lease .* held by bob/);
    // Not ours any more: release leaves bob's lease alone.
    expect(leaseOf(kube)!.spec?.holderIdentity).toBe(formatIdentity(bob));
  });
});

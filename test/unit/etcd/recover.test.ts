import { describe, expect, it } from 'vitest';
import { summarizeEtcd } from '../../../src/etcd/health.ts';
import { operatorWillRecover, planEtcdRecover, type RecoverInputs } from '../../../src/etcd/recover.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { observation } from './fixtures.ts';

const hc = (o: Partial<HostedCluster['spec']> = {}): HostedCluster => ({
  metadata: { name: 'b1', namespace: 'clusters' },
  spec: { controllerAvailabilityPolicy: 'HighlyAvailable', etcd: { managementType: 'Managed' }, ...o },
});

function inputs(o: Partial<RecoverInputs> & { obs?: Parameters<typeof observation>[0] } = {}): RecoverInputs {
  const { obs, ...rest } = o;
  return {
    hc: hc(),
    member: 'etcd-2',
    view: summarizeEtcd(observation(obs ?? { crash: [2], unhealthy: [2] })),
    pvcExists: true,
    autoRecoveryEnabled: false,
    force: false,
    manual: false,
    now: new Date('2026-01-01T00:00:00Z'),
    waitMs: 60_000,
    ...rest,
  };
}

const blockers = (i: RecoverInputs) => planEtcdRecover(i).blockers.map((b) => `${b.message}${b.override ? ` [${b.override}]` : ''}`);

describe('planEtcdRecover interlocks (8.1.2 made safe)', () => {
  it('one failing member of an HA cluster: no blockers; delete PVC and pod, wait, verify', () => {
    const plan = planEtcdRecover(inputs());
    expect(plan.blockers).toEqual([]);
    expect(plan.steps.map((s) => s.id)).toEqual(['delete-pvc-and-pod', 'wait-pod', 'verify-members']);
    expect(plan.steps[0].destructive).toBe(true);
    expect(plan.steps[0].title).toBe('Delete PVC data-etcd-2 and pod etcd-2 (not waiting for either)');
  });
  it.each<[string, Partial<RecoverInputs> & { obs?: Parameters<typeof observation>[0] }, RegExp]>([
    [
      'a healthy member (only --force overrides)',
      { obs: {} },
      /^etcd-2 is not failing \(pod 2\/2 Running, endpoint healthy, in the member list\) \[--force\]$/,
    ],
    [
      'two failing members',
      { obs: { crash: [1, 2], unhealthy: [1, 2] } },
      /^etcd-1 \(pod 1\/2 CrashLoopBackOff, endpoint unhealthy: context deadline exceeded\) is failing too: with 2 of 3 members down, quorum is lost.*kubectl hcp etcd restore/,
    ],
    ['a SingleReplica cluster', { hc: hc({ controllerAvailabilityPolicy: 'SingleReplica' }) }, /^the cluster is SingleReplica, not HighlyAvailable/],
    ['a missing PVC', { pvcExists: false }, /^PVC clusters-b1\/data-etcd-2 does not exist/],
    ['an unknown member', { member: 'etcd-7' }, /^etcd-7 is not a member of this cluster \(members: etcd-0, etcd-1, etcd-2\)$/],
    [
      'the operator about to act (--manual overrides)',
      { autoRecoveryEnabled: true },
      /automatic etcd recovery is enabled \(ENABLE_ETCD_RECOVERY=1\) and will recover etcd-2 itself.*\[--manual\]$/,
    ],
  ])('refuses %s', (_what, o, expected) => {
    const found = blockers(inputs(o));
    expect(
      found.some((b) => expected.test(b)),
      found.join('\n'),
    ).toBe(true);
  });
  it('refuses while the etcd-recovery Job runs, and mid-rollout', () => {
    const obs = observation({ crash: [2], unhealthy: [2] });
    obs.recoveryJob = { metadata: { name: 'etcd-recovery' }, status: { active: 1, startTime: '2026-01-01T00:00:00Z' } };
    obs.statefulSet!.status = { currentRevision: 'a', updateRevision: 'b' };
    const found = blockers(inputs({ view: summarizeEtcd(obs) }));
    expect(found).toEqual([
      'statefulset etcd is mid-rollout (currentRevision differs from updateRevision); wait until it finishes',
      "Job etcd-recovery of the operator's automatic recovery is running (started 2026-01-01T00:00:00Z): wait for it (kubectl hcp etcd status b1)",
    ]);
  });
  it('--force lifts only the "not failing" blocker; --manual only the operator one', () => {
    expect(blockers(inputs({ obs: {}, force: true }))).toEqual([]);
    expect(planEtcdRecover(inputs({ obs: {}, force: true })).warnings[0]).toMatch(/--force recovers it anyway/);
    expect(blockers(inputs({ autoRecoveryEnabled: true, manual: true }))).toEqual([]);
    expect(blockers(inputs({ obs: { crash: [1, 2], unhealthy: [1, 2] }, force: true, manual: true })).length).toBe(1);
  });
});

describe('operatorWillRecover (upstream reconcileETCDMemberRecovery conditions)', () => {
  const base = { view: summarizeEtcd(observation({ crash: [2], unhealthy: [2] })), autoRecoveryEnabled: true, now: new Date('2026-01-01T00:00:00Z') };
  it.each<[string, Partial<HostedCluster['spec']>, boolean, string | undefined]>([
    ['HA, managed, not paused', {}, true, 'etcd-2'],
    ['disabled', {}, false, undefined],
    ['paused', { pausedUntil: 'true' }, true, undefined],
    ['SingleReplica', { controllerAvailabilityPolicy: 'SingleReplica' }, true, undefined],
    ['unmanaged etcd', { etcd: { managementType: 'Unmanaged' } }, true, undefined],
  ])('%s', (_w, spec, enabled, expected) => {
    expect(operatorWillRecover({ ...base, hc: hc(spec), autoRecoveryEnabled: enabled })).toBe(expected);
  });
});

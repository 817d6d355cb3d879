import { describe, expect, it } from 'vitest';
import { divergingMembers, etcdSummaryLine, podView, summarizeEtcd, type Pod } from '../../../src/etcd/health.ts';
import { etcdPod, observation } from './fixtures.ts';

describe('summarizeEtcd', () => {
  it('three healthy members with equal hashes', () => {
    const v = summarizeEtcd(observation());
    expect(v.healthyCount).toBe(3);
    expect(v.leader).toBe('etcd-0');
    expect(v.diverging).toEqual([]);
    expect(v.members.map((m) => [m.name, m.healthy, m.leader, m.hash])).toEqual([
      ['etcd-0', true, true, 777],
      ['etcd-1', true, false, 777],
      ['etcd-2', true, false, 777],
    ]);
    expect(etcdSummaryLine(v)).toBe('3/3 members healthy');
  });
  it('warns when more than half of a database is free (defragmentation)', () => {
    expect(summarizeEtcd(observation()).warnings).toEqual(['etcd-1: 3.0 MiB of its 4.0 MiB database is free space; defragmentation would help']);
  });
  it('names a crash-looping, unhealthy member', () => {
    const v = summarizeEtcd(observation({ crash: [2], unhealthy: [2] }));
    expect(v.healthyCount).toBe(2);
    expect(v.members[2].problems).toEqual(['pod 1/2 CrashLoopBackOff', 'endpoint unhealthy: context deadline exceeded']);
    expect(etcdSummaryLine(v)).toBe('2/3 members healthy: etcd-2 pod 1/2 CrashLoopBackOff, endpoint unhealthy: context deadline exceeded');
  });
  it('names a member missing from the member list', () => {
    const v = summarizeEtcd(observation({ missing: [1] }));
    expect(v.members[1].problems).toContain('not in the member list');
    expect(v.healthyCount).toBe(2);
  });
  it('names a diverging member', () => {
    const v = summarizeEtcd(observation({ hashes: [1, 2, 1] }));
    expect(v.diverging).toEqual(['etcd-1']);
    expect(etcdSummaryLine(v)).toBe('3/3 members healthy; keyspace hash differs on etcd-1 at revision 40');
  });
  it('flags a statefulset mid-rollout', () => {
    const o = observation();
    o.statefulSet!.status = { currentRevision: 'r1', updateRevision: 'r2' };
    expect(summarizeEtcd(o).rollingOut).toBe(true);
  });
  it('without etcdctl answers, health comes from the pods alone', () => {
    const o = observation({ crash: [1] });
    o.queries = { errors: ['no etcd pod is running'] };
    const v = summarizeEtcd(o);
    expect(v.members.map((m) => m.healthy)).toEqual([true, false, true]);
    expect(etcdSummaryLine(v)).toBe('2/3 members healthy: etcd-1 pod 1/2 CrashLoopBackOff (etcd not asked: no etcd pod is running)');
  });
  it('reports a running etcd-recovery Job', () => {
    const o = observation();
    o.recoveryJob = { metadata: { name: 'etcd-recovery' }, status: { active: 1, startTime: '2026-01-01T00:00:00Z' } };
    expect(summarizeEtcd(o).recoveryJob).toEqual({ name: 'etcd-recovery', state: 'running', startTime: '2026-01-01T00:00:00Z', completionTime: undefined });
  });
});

describe('divergingMembers', () => {
  it.each([
    [[1, 1, 1], []],
    [[1, 2, 1], ['m1']],
    [
      [1, 2],
      ['m0', 'm1'],
    ],
    [
      [1, 2, 3],
      ['m0', 'm1', 'm2'],
    ],
    [[5], []],
  ])('%j -> %j', (hashes, names) => expect(divergingMembers(hashes.map((hash, i) => ({ name: `m${i}`, hash })))).toEqual(names));
});

describe('podView', () => {
  it('shows READY and STATUS like kubectl', () => {
    expect(podView(etcdPod(2, { crash: true }))).toMatchObject({ ready: '1/2', status: 'CrashLoopBackOff', restarts: 4, crashLooping: true, etcdReady: false });
    expect(podView(etcdPod(0))).toMatchObject({ ready: '2/2', status: 'Running', crashLooping: false, etcdReady: true });
    const init: Pod = {
      metadata: { name: 'etcd-0' },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    };
    expect(podView(init).status).toBe('Init:CrashLoopBackOff');
  });
});

import { describe, expect, it } from 'vitest';
import { findLeakedPauses, planPause, planResume, type PauseObservation } from '../../src/hostedcluster/pause.ts';
import { summarizeHostedCluster, renderStatusTable, renderStatusDetail } from '../../src/hostedcluster/status.ts';
import type { HostedCluster, NodePool } from '../../src/hostedcluster/types.ts';
import { renderPlanText } from '../../src/plan/render.ts';

const now = new Date('2026-11-21T10:00:00Z');
const hc = (over: Partial<HostedCluster['spec']> = {}, status: HostedCluster['status'] = {}): HostedCluster => ({
  metadata: { name: 'sample', namespace: 'clusters' },
  spec: { release: { image: 'quay.io/ocp-release:4.15.10-x86_64' }, ...over },
  status,
});
const np = (name: string, over: Partial<NodePool['spec']> = {}, status?: NodePool['status']): NodePool => ({
  metadata: { name, namespace: 'clusters' },
  spec: { clusterName: 'sample', replicas: 2, ...over },
  status,
});
const obs = (over: Partial<PauseObservation>): PauseObservation => ({
  hc: hc(),
  hcp: null,
  capiClusters: [],
  machineDeployments: [],
  machineSets: [],
  nodePools: [],
  ...over,
});

describe('findLeakedPauses (OCPBUGS-77530)', () => {
  it('finds a stale HCP pausedUntil, CAPI Cluster paused and MachineDeployment annotation, with their fixes', () => {
    const leaks = findLeakedPauses(
      obs({
        hcp: { metadata: { name: 'sample', namespace: 'clusters-sample' }, spec: { pausedUntil: 'true' } },
        capiClusters: [{ metadata: { name: 'sample-x', namespace: 'clusters-sample' }, spec: { paused: true } }],
        machineDeployments: [
          {
            metadata: {
              name: 'sample-us-east-1a',
              namespace: 'clusters-sample',
              annotations: { 'cluster.x-k8s.io/paused': '', 'hypershift.openshift.io/nodePool': 'clusters/sample-us-east-1a' },
            },
          },
        ],
        nodePools: [np('sample-us-east-1a')],
      }),
    );
    expect(leaks.map((l) => [l.ref.resource.kind, l.ref.name, l.fix.op === 'patch' && l.fix.patch])).toEqual([
      ['HostedControlPlane', 'sample', { spec: { pausedUntil: null } }],
      ['Cluster', 'sample-x', { spec: { paused: null } }],
      ['MachineDeployment', 'sample-us-east-1a', { metadata: { annotations: { 'cluster.x-k8s.io/paused': null } } }],
    ]);
  });

  it('does not count a MachineDeployment whose NodePool is paused on purpose', () => {
    const leaks = findLeakedPauses(
      obs({
        machineDeployments: [
          {
            metadata: {
              name: 'sample-us-east-1a',
              namespace: 'clusters-sample',
              annotations: { 'cluster.x-k8s.io/paused': '', 'hypershift.openshift.io/nodePool': 'clusters/sample-us-east-1a' },
            },
          },
        ],
        nodePools: [np('sample-us-east-1a', { pausedUntil: 'true' })],
      }),
    );
    expect(leaks).toEqual([]);
  });

  it('reports nothing while the HostedCluster itself is still paused', () => {
    expect(findLeakedPauses(obs({ hc: hc({ pausedUntil: 'true' }), hcp: { metadata: { name: 'sample' }, spec: { pausedUntil: 'true' } } }))).toEqual([]);
  });
});

describe('planPause / planResume', () => {
  it('pauses the cluster and, with --nodepools, each NodePool, then verifies', () => {
    const plan = planPause({ hc: hc(), value: 'true', waitMs: 1000, nodePools: [np('a'), np('b')], otherNodePools: 0 });
    expect(plan.steps.map((s) => s.id)).toEqual(['pause-hostedcluster', 'pause-nodepool-a', 'pause-nodepool-b', 'verify-reconciliation']);
    expect(plan.steps[1].changes).toEqual([
      { op: 'patch', ref: expect.objectContaining({ name: 'a', namespace: 'clusters' }), patchType: 'merge', patch: { spec: { pausedUntil: 'true' } } },
    ]);
    expect(plan.warnings).toEqual([]);
    expect(renderPlanText(plan)).toContain('PATCH HostedCluster clusters/sample application/merge-patch+json\n         {"spec":{"pausedUntil":"true"}}');
  });

  it('warns that NodePools keep reconciling without --nodepools, and when replacing a pause', () => {
    const plan = planPause({ hc: hc({ pausedUntil: 'true' }), value: '2026-11-22T00:00:00Z', waitMs: 1000, nodePools: [], otherNodePools: 2 });
    expect(plan.warnings).toEqual([
      'HostedCluster clusters/sample is already paused with pausedUntil "true"; it becomes "2026-11-22T00:00:00Z"',
      'its 2 NodePool(s) keep reconciling: NodePools have their own pausedUntil (pass --nodepools to pause them too)',
    ]);
  });

  it('resume writes null and ends with the leak check', () => {
    const plan = planResume({ hc: hc({ pausedUntil: 'true' }), waitMs: 1000, fixLeaks: true, nodePools: [], otherNodePools: 0 });
    expect(plan.steps[0].changes?.[0]).toMatchObject({ patch: { spec: { pausedUntil: null } } });
    expect(plan.steps.at(-1)?.id).toBe('check-leaked-pauses');
  });
});

describe('summarizeHostedCluster', () => {
  const status: HostedCluster['status'] = {
    conditions: [
      { type: 'Available', status: 'True', reason: 'AsExpected' },
      { type: 'Progressing', status: 'False', reason: 'Blocked', message: 'Reconciliation paused' },
      { type: 'Degraded', status: 'False', reason: 'AsExpected' },
      { type: 'EtcdAvailable', status: 'True', reason: 'QuorumAvailable' },
    ],
    version: { desired: { version: '4.15.10' }, history: [{ version: '4.15.10', state: 'Completed' }] },
  };
  const pools = [
    np('sample-us-east-1b', { replicas: 1 }, { replicas: 1, version: '4.15.10' }),
    np(
      'sample-us-east-1a',
      { replicas: undefined, autoScaling: { min: 1, max: 4 } },
      { replicas: 2, version: '4.15.10', conditions: [{ type: 'UpdatingVersion', status: 'True' }] },
    ),
    { ...np('other'), spec: { clusterName: 'another', replicas: 5 } },
  ];

  it('gathers conditions, version, pause and NodePools of this cluster only', () => {
    const v = summarizeHostedCluster(hc({ pausedUntil: '2026-11-22T00:00:00Z' }, status), pools, now);
    expect(v).toMatchObject({
      controlPlaneNamespace: 'clusters-sample',
      available: { status: 'True' },
      progressing: { status: 'False', reason: 'Blocked' },
      etcd: { status: 'True', reason: 'QuorumAvailable' },
      version: { desired: '4.15.10', current: '4.15.10', state: 'Completed' },
      paused: { paused: true, until: '2026-11-22T00:00:00.000Z' },
    });
    expect(v.nodePools.map((p) => [p.name, p.replicas, p.autoscaling, p.ready, p.updating])).toEqual([
      ['sample-us-east-1a', undefined, { min: 1, max: 4 }, 2, ['UpdatingVersion']],
      ['sample-us-east-1b', 1, undefined, 1, []],
    ]);
    expect(renderStatusDetail(v)).toContain('sample-us-east-1a   auto 1-4   2       4.15.10   UpdatingVersion   no');
    expect(renderStatusTable([v])).toMatch(
      /clusters\s+sample\s+4\.15\.10\s+True\s+False \(Blocked\)\s+False\s+True \(QuorumAvailable\)\s+until 2026-11-22T00:00:00.000Z\s+2 \(3\/2 nodes\)/,
    );
  });

  it('shows a condition message only when the condition is away from its healthy value', () => {
    const text = renderStatusDetail(
      summarizeHostedCluster(
        hc(
          {},
          {
            conditions: [
              { type: 'Available', status: 'False', reason: 'EtcdQuorumUnavailable', message: 'etcd does not have quorum' },
              { type: 'Progressing', status: 'True', reason: 'Progressing', message: 'upgrading to 4.15.11' },
              { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'The hosted cluster is not degraded' },
            ],
          },
        ),
        [],
        now,
      ),
    );
    expect(text).toContain('Available:             False (EtcdQuorumUnavailable): etcd does not have quorum\n');
    expect(text).toContain('Progressing:           True (Progressing): upgrading to 4.15.11\n');
    expect(text).toContain('Degraded:              False\n');
  });

  it('flags a pausedUntil the operator cannot parse', () => {
    const v = summarizeHostedCluster(hc({ pausedUntil: '2026-11-22T00:00:00' }), [], now);
    expect(v.paused).toEqual({ paused: false, invalid: true, value: '2026-11-22T00:00:00', until: undefined });
    expect(v.available).toEqual({ status: 'Unknown', reason: 'NotReported' });
  });
});

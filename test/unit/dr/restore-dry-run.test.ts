/**
 * Issue 9: `--dry-run=client` prints the full plan with the object list; `--dry-run=server` does the
 * destination's writes with dryRun=All (and never a real one).
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/kube/errors.ts';
import { Resources, type KubeObject, type ResourceType } from '../../../src/kube/resources.ts';
import { executePlan } from '../../../src/plan/executor.ts';
import { newPlan } from '../../../src/plan/plan.ts';
import { renderPlanText } from '../../../src/plan/render.ts';
import { DRY_RUN_RESTORE_URL, restoreSteps, type RestoreInputs } from '../../../src/dr/restore.ts';
import type { ObjectGroup } from '../../../src/dr/objects.ts';
import { FakeCluster } from '../deletion/fake-cluster.ts';

/** Refuses a namespaced object in a namespace that does not exist, as the API server does (dry run included). */
class StrictCluster extends FakeCluster {
  override async create(rt: ResourceType, ns: string | undefined, body: KubeObject): Promise<KubeObject> {
    if (ns !== undefined && !(await this.getOrNull(Resources.Namespace, undefined, ns)))
      throw new ApiError(404, { reason: 'NotFound', message: `namespaces "${ns}" not found` }, 'not found');
    return super.create(rt, ns, body);
  }
}

const obj = (group: ObjectGroup, kind: string, namespace: string, name: string, spec: Record<string, unknown> = {}) => ({
  group,
  object: { apiVersion: 'v1', kind, metadata: { name, namespace }, spec } as KubeObject,
});
const preview = [
  obj('hc-secret', 'Secret', 'clusters', 'pull-secret'),
  obj('cp-secret', 'Secret', 'clusters-sample', 'etcd-encryption-key'),
  obj('hostedcontrolplane', 'HostedControlPlane', 'clusters-sample', 'sample'),
  obj('machine', 'Machine', 'clusters-sample', 'sample-pool-a-x1'),
  obj('hostedcluster', 'HostedCluster', 'clusters', 'sample', { pausedUntil: 'true' }),
  obj('nodepool', 'NodePool', 'clusters', 'sample-pool-a', { pausedUntil: 'true' }),
];
const inputs = {
  hcNamespace: 'clusters',
  name: 'sample',
  backupDir: () => {
    throw new Error('dr migrate has written no backup dir in a dry run');
  },
  targetName: 'mgmt-2',
  reuseNodes: true,
  presignSeconds: 6 * 3600,
  waitMs: 60_000,
  nodesTimeoutMs: 60_000,
  dnsTimeoutMs: 60_000,
  releaseClaimAtEnd: false,
  preview,
} as unknown as RestoreInputs;
const plan = () => newPlan('dr restore', 'HostedCluster clusters/sample', { steps: restoreSteps(inputs), journal: true });
const options = (source: FakeCluster, target: FakeCluster, dryRun: 'client' | 'server', printed: string[] = [], warnings: string[] = []) => ({
  kube: source.asClient(),
  clusters: { source: source.asClient(), target: target.asClient() },
  dryRun,
  yes: false,
  resume: false,
  env: {},
  now: () => new Date('2026-11-25T10:00:00Z'),
  progress: (e: { type: string; message?: string }) => void (e.type === 'warning' && warnings.push(e.message!)),
  printPlan: (p: Parameters<typeof renderPlanText>[0]) => void printed.push(renderPlanText(p)),
});

describe('dr restore in dry run', () => {
  it('--dry-run=client lists every object by kind, namespace and name under the step that creates it', async () => {
    const printed: string[] = [];
    await executePlan(plan(), options(new FakeCluster(), new FakeCluster(), 'client', printed));
    const text = printed.join('');
    for (const line of [
      'Secret clusters/pull-secret',
      'Secret clusters-sample/etcd-encryption-key',
      'HostedControlPlane clusters-sample/sample',
      'Machine clusters-sample/sample-pool-a-x1',
      'HostedCluster clusters/sample',
      'NodePool clusters/sample-pool-a',
    ])
      expect(text).toContain(`\n       ${line}\n`);
    expect(text.indexOf('Machine clusters-sample/sample-pool-a-x1')).toBeGreaterThan(text.indexOf('Restore the machine objects'));
  });

  it('--dry-run=server sends every destination create with dryRun=All, persists nothing, and says what the API server could not check', async () => {
    const target = new StrictCluster();
    target.put(Resources.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'clusters' } });
    const warnings: string[] = [];
    const result = await executePlan(plan(), options(new FakeCluster(), target, 'server', [], warnings));
    expect(result.status).toBe('completed');
    const creates = target.calls.filter((c) => c.verb === 'create');
    expect(creates.every((c) => c.dryRun)).toBe(true);
    expect(creates.map((c) => c.key)).toEqual([
      'namespaces//clusters',
      'namespaces//clusters-sample',
      'secrets/clusters/pull-secret',
      // (the three objects of clusters-sample were refused NotFound: the warnings below)
      'hostedclusters/clusters/sample',
      'nodepools/clusters/sample-pool-a',
    ]);
    // The HostedCluster as it would be created: one (placeholder) URL, no pausedUntil.
    const hc = creates.find((c) => c.key === 'hostedclusters/clusters/sample')!.body as { spec: Record<string, unknown> & { etcd: unknown } };
    expect(hc.spec.pausedUntil).toBeUndefined();
    expect(hc.spec.etcd).toMatchObject({ managed: { storage: { restoreSnapshotURL: [DRY_RUN_RESTORE_URL] } } });
    expect([...target.objects.keys()]).toEqual(['namespaces//clusters']);
    const notSent =
      'dry-run=server: namespace clusters-sample does not exist on the destination until the restore creates it, so these creates were not sent: ';
    expect(warnings).toEqual([
      `${notSent}Secret clusters-sample/etcd-encryption-key`,
      `${notSent}HostedControlPlane clusters-sample/sample`,
      `${notSent}Machine clusters-sample/sample-pool-a-x1`,
    ]);
  });
});

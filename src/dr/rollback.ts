/**
 * `dr rollback`: the source serves again after a backup (issue 9: "A failed restore rolls back by
 * scaling etcd and the writers back up and resuming"). etcd's StatefulSet back to its recorded
 * replicas (its PVCs were kept), wait for every member healthy, the writers back to their recorded
 * counts, then the HostedCluster and every NodePool resumed (pausedUntil as they were), which
 * lets the operator recreate the Routes and external-dns the records; the bucket claim released.
 *
 * Refused while the cluster exists on the destination (two control planes would serve it): tear
 * that one down first.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Resources } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import type { Plan } from '../plan/plan.ts';
import { condition, controlPlaneNamespace, type HostedCluster, type NodePool } from '../hostedcluster/types.ts';
import { hcRef, npRef } from '../hostedcluster/lookup.ts';
import { setPausedUntil } from '../hostedcluster/pause.ts';
import { ETCD_STATEFULSET } from '../etcd/etcdctl.ts';
import { observeEtcd } from '../etcd/observe.ts';
import { summarizeEtcd } from '../etcd/health.ts';
import { claimKey, releaseClaim } from './claim.ts';
import { scaleDeployments, type BackupRecord } from './backup.ts';

export interface RollbackInputs {
  hc: HostedCluster;
  nodePools: NodePool[];
  record: BackupRecord;
  /** The cluster exists on the destination (when it was asked). */
  onDestination?: string;
  s3: () => Promise<S3Client>;
  waitMs: number;
}

export function planDrRollback(i: RollbackInputs): Plan {
  const ns = i.hc.metadata.namespace!;
  const name = i.hc.metadata.name;
  const cpns = controlPlaneNamespace(ns, name);
  const r = i.record;
  const plan: Plan = { operation: 'dr rollback', target: `HostedCluster ${ns}/${name}`, steps: [], warnings: [], blockers: [], journal: true };
  if (i.onDestination)
    plan.blockers.push({ message: `${ns}/${name} exists on ${i.onDestination}: rolling back would let two control planes serve it; tear that one down first` });
  const wait = async (
    ctx: Parameters<NonNullable<Plan['steps'][number]['run']>>[0],
    what: string,
    probe: () => Promise<{ done: boolean; message: string }>,
  ) => {
    const w = await waitFor(what, probe, {
      timeoutMs: i.waitMs,
      intervalMs: 2000,
      onProgress: ctx.progress,
      now: () => ctx.clock.now(),
      sleep: (ms) => ctx.clock.sleep(ms),
    });
    if (w.timedOut) throw new Error(`${what}: not done within ${Math.round(i.waitMs / 1000)}s (${w.message})`);
  };
  plan.steps.push({
    id: 'unfence',
    title: `Scale StatefulSet ${cpns}/etcd back to ${r.etcdReplicas} and wait for every member healthy`,
    changes: [{ op: 'scale', ref: { resource: Resources.StatefulSet, namespace: cpns, name: ETCD_STATEFULSET }, replicas: r.etcdReplicas }],
    run: (ctx) =>
      wait(ctx, 'every etcd member healthy', async () => {
        const v = summarizeEtcd(await observeEtcd(ctx.kube, i.hc, { hashes: false }));
        return { done: v.healthyCount >= r.etcdReplicas, message: `${v.healthyCount} of ${r.etcdReplicas} healthy` };
      }),
  });
  plan.steps.push({
    id: 'scale-up',
    title: `Scale ${Object.entries(r.writers)
      .filter(([, n]) => n !== null)
      .map(([n, c]) => `${n} back to ${c}`)
      .join(', ')}`,
    run: (ctx) => scaleDeployments(ctx.kube, cpns, r.writers),
  });
  plan.steps.push({
    id: 'resume',
    title: `Resume ${name} and its ${i.nodePools.length} NodePools (pausedUntil as before the backup)`,
    changes: [
      setPausedUntil(hcRef(i.hc), r.pausedBefore.hostedCluster),
      ...i.nodePools.map((np) => setPausedUntil(npRef(np), r.pausedBefore.nodePools[np.metadata.name] ?? null)),
    ],
  });
  plan.steps.push({
    id: 'wait-available',
    title: `Wait for ${name} to be Available again`,
    run: (ctx) =>
      wait(ctx, `${name} Available`, async () => {
        const c = condition(await ctx.kube.get<HostedCluster>(Resources.HostedCluster, ns, name), 'Available');
        return { done: c?.status === 'True', message: `Available=${c?.status ?? 'unknown'}` };
      }),
  });
  plan.steps.push({
    id: 'release-claim',
    title: 'Release the bucket claim',
    run: async () => void (await releaseClaim(await i.s3(), r.bucket, claimKey(r.prefix, ns, name), [r.runId])),
  });
  return plan;
}

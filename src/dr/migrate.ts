/**
 * `dr migrate`: backup (src/dr/backup.ts), restore (src/dr/restore.ts) and the teardown of the
 * source (docs 8.4.5, with helper D's forced-deletion steps, src/deletion/steps.ts) as one journaled
 * run against the source, the destination and the guest. The teardown steps come after the
 * restore's verify steps, so the source is never destroyed before the destination is proven; the
 * bucket claim is held from the first step to the last.
 */
import type { KubeObject } from '../kube/resources.ts';
import { Resources } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import type { Plan, Step } from '../plan/plan.ts';
import { controlPlaneNamespace } from '../hostedcluster/types.ts';
import { planForcedDeletion, sharedDeadline } from '../deletion/steps.ts';
import type { ClusterInventory } from '../deletion/observe.ts';
import { planDrBackup, type BackupInputs, type BackupMemo } from './backup.ts';
import { restoreBlockers, restoreSteps, type RestoreInputs } from './restore.ts';
import { claimKey, releaseClaim } from './claim.ts';

export const OVN_NAMESPACE = 'openshift-ovn-kubernetes';

export interface MigrateInputs {
  backup: BackupInputs;
  restore: Omit<RestoreInputs, 'backupDir' | 'releaseClaimAtEnd'>;
  inventory: ClusterInventory;
  teardownTimeoutMs: number;
}

export function planDrMigrate(i: MigrateInputs): Plan {
  const plan = planDrBackup(i.backup, { operation: 'dr migrate' });
  const hc = i.backup.hc;
  const ns = hc.metadata.namespace!;
  const name = hc.metadata.name;
  const cpns = controlPlaneNamespace(ns, name);
  const memo = () => plan.memo as BackupMemo;
  const restore: RestoreInputs = { ...i.restore, backupDir: () => memo().backupDir, releaseClaimAtEnd: false };
  plan.blockers.push(...restoreBlockers(restore));
  plan.steps.push(...restoreSteps(restore));

  // Teardown of the source (docs 8.4.5), only now that the destination is verified.
  plan.steps.push({
    id: 'teardown-scale-down',
    title: `Scale every Deployment of ${cpns} on the source to 0 (never the operator: it serves every other cluster)`,
    destructive: true,
    run: async (ctx) => {
      for (const d of (await ctx.kube.list(Resources.Deployment, { namespace: cpns })).items)
        await ctx.kube.scale(Resources.Deployment, cpns, d.metadata.name, 0);
    },
  });
  const forced = planForcedDeletion(i.inventory, { deadline: sharedDeadline(i.teardownTimeoutMs) });
  plan.warnings.push(...forced.warnings);
  plan.steps.push(...forced.steps.map((s) => ({ ...s, id: `teardown-${s.id}` })));
  plan.steps.push(ovnRestartStep(i.restore.waitMs));
  plan.steps.push({
    id: 'release-claim',
    title: 'Release the bucket claim',
    run: async () => void (await releaseClaim(await i.backup.s3(), i.backup.bucket, claimKey(i.backup.prefix, ns, name), [memo().runId])),
  });
  return plan;
}

/**
 * docs 8.4.5 "Next steps": delete the guest's OVN pods once, so that they connect to the new
 * control plane, and wait (bounded) until as many are back and Running, with new uids. The
 * upstream script deletes them in an endless loop.
 */
function ovnRestartStep(timeoutMs: number): Step {
  return {
    id: 'ovn-restart',
    title: `Delete the guest's ${OVN_NAMESPACE} pods once and wait for them to come back`,
    destructive: true,
    run: async (ctx) => {
      const guest = ctx.clusters.guest;
      if (!guest) throw new Error('no guest client');
      type Pod = KubeObject & { status?: { phase?: string } };
      const before = (await guest.list<Pod>(Resources.Pod, { namespace: OVN_NAMESPACE })).items;
      const old = new Set(before.map((p) => p.metadata.uid));
      for (const p of before) await guest.delete(Resources.Pod, OVN_NAMESPACE, p.metadata.name).catch(() => undefined);
      const r = await waitFor(
        'the OVN pods',
        async () => {
          const now = (await guest.list<Pod>(Resources.Pod, { namespace: OVN_NAMESPACE })).items;
          const fresh = now.filter((p) => !old.has(p.metadata.uid) && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
          return { done: fresh.length >= before.length, message: `${fresh.length} of ${before.length} back` };
        },
        { timeoutMs, intervalMs: 2000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
      );
      if (r.timedOut) throw new Error(`the OVN pods did not come back within ${Math.round(timeoutMs / 1000)}s (${r.message})`);
      return { ovnPodsRestarted: before.length };
    },
  };
}

/**
 * `dr migrate`: backup (src/dr/backup.ts), restore (src/dr/restore.ts) and the teardown of the
 * source (docs 8.4.5, with helper D's forced-deletion steps, src/deletion/steps.ts) as one journaled
 * run against the source, the destination and the guest. The teardown steps come after the
 * restore's verify steps, so the source is never destroyed before the destination is proven; the
 * bucket claim is held from the first step to the last.
 */
import type { Plan } from '../plan/plan.ts';
import type { ClusterInventory } from '../deletion/observe.ts';
import { etcdMemberCount } from '../hostedcluster/types.ts';
import { planDrBackup, type BackupInputs, type BackupMemo } from './backup.ts';
import { restoreBlockers, restoreSteps, type RestoreInputs } from './restore.ts';
import { claimKey, releaseClaim } from './claim.ts';
import { teardownSteps, type TeardownStepInputs } from './teardown.ts';

export interface MigrateInputs {
  backup: BackupInputs;
  restore: Omit<RestoreInputs, 'backupDir' | 'releaseClaimAtEnd'>;
  inventory: ClusterInventory;
  /** The source's StatefulSets (PVC retention) and workloads, for the teardown (src/dr/teardown.ts). */
  teardown: Pick<TeardownStepInputs, 'retention' | 'workloads' | 'guestProblem'>;
  teardownTimeoutMs: number;
}

export function planDrMigrate(i: MigrateInputs): Plan {
  const plan = planDrBackup(i.backup, { operation: 'dr migrate' });
  const hc = i.backup.hc;
  const ns = hc.metadata.namespace!;
  const name = hc.metadata.name;
  const memo = () => plan.memo as BackupMemo;
  const restore: RestoreInputs = {
    ...i.restore,
    backupDir: () => memo().backupDir,
    releaseClaimAtEnd: false,
    // The restore's etcd has the source's shape, from its availability policy: a resumed run finds
    // the source's StatefulSet fenced at 0 replicas, and planned no member volumes from that.
    etcdMembers: etcdMemberCount(hc),
  };
  plan.blockers.push(...restoreBlockers(restore));
  plan.steps.push(...restoreSteps(restore));

  // Teardown of the source (docs 8.4.5, helper D's steps), only now that the destination is verified.
  const teardown = teardownSteps({ ...i.teardown, inventory: i.inventory, timeoutMs: i.teardownTimeoutMs, ovnTimeoutMs: i.restore.waitMs });
  plan.warnings.push(...teardown.warnings);
  plan.steps.push(...teardown.steps.map((s) => ({ ...s, id: s.id.startsWith('teardown-') ? s.id : `teardown-${s.id}` })));
  plan.steps.push({
    id: 'release-claim',
    title: 'Release the bucket claim',
    run: async () => void (await releaseClaim(await i.backup.s3(), i.backup.bucket, claimKey(i.backup.prefix, ns, name), [memo().runId])),
  });
  return plan;
}

/**
 * `kubectl hcp delete NAME` (docs 4.2): the plan. The HostedCluster is deleted and the HyperShift
 * operator removes its NodePools, machines and control plane; the plan waits for each to be gone
 * (src/deletion/steps.ts planOperatorDeletion). It holds the cluster's `dr` Lease while it runs, so
 * it refuses (exit 3) while a dr command holds it, and a dr command started meanwhile refuses too.
 * The infrastructure `hcp create infra` made (VPC, subnets, IAM roles, DNS zones) is not touched:
 * `hcp destroy` removes it.
 */
import { describeHolder, ownershipLease, type LeaseHolder } from '../hostedcluster/lease.ts';
import { newPlan, type Plan } from '../plan/plan.ts';
import { formatDuration } from '../util/duration.ts';
import { describeInventory, type ClusterInventory } from './observe.ts';
import { planOperatorDeletion, sharedDeadline } from './steps.ts';

export const CLOUD_INFRA_NOTE =
  'cloud infrastructure (VPC, subnets, IAM roles, DNS zones made by `hcp create infra`) is removed by `hcp destroy`, not by this command';

export interface DeleteInputs {
  inventory: ClusterInventory;
  /** The live holder of the cluster's dr Lease, if any (readLeaseHolder). */
  drHolder: LeaseHolder | null;
  timeoutMs: number;
}

export function planDeleteHostedCluster({ inventory: inv, drHolder, timeoutMs }: DeleteInputs): Plan {
  const plan = newPlan('delete', `HostedCluster ${inv.namespace}/${inv.name}`, {
    locks: [ownershipLease({ namespace: inv.namespace, name: inv.name, group: 'dr', operation: 'delete' })],
  });
  if (drHolder) plan.blockers.push({ message: `a disaster-recovery run owns the cluster: ${describeHolder(drHolder)}` });
  const deleting = inv.hostedCluster?.metadata.deletionTimestamp;
  if (deleting) plan.warnings.push(`HostedCluster ${inv.namespace}/${inv.name} is already being deleted (since ${deleting}): waiting for it`);
  plan.steps = planOperatorDeletion(inv, { deadline: sharedDeadline(timeoutMs), timeoutMs });
  plan.steps[0].details = [...(plan.steps[0].details ?? []), 'goes with it:', ...describeInventory(inv).map((l) => `  ${l}`), CLOUD_INFRA_NOTE];
  plan.memo = { timeout: formatDuration(timeoutMs) };
  return plan;
}

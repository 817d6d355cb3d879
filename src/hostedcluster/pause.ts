/**
 * pause / resume of HostedClusters (spec 9.2) and, on request, their NodePools.
 *
 * FACTS: the operator copies a HostedCluster's pausedUntil to its HostedControlPlane and pauses
 * the CAPI Cluster, but NodePools have their own pausedUntil. A resume sets pausedUntil to null;
 * stale pauses can survive it (OCPBUGS-77530), so resume looks for them afterwards.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, describeRef, type KubeObject, type ObjectRef } from '../kube/resources.ts';
import { ApiError } from '../kube/errors.ts';
import { applyChange } from '../plan/apply.ts';
import { newPlan, type Change, type Plan, type Step, type StepContext } from '../plan/plan.ts';
import { waitConditionStep, waitInStep } from '../plan/wait-step.ts';
import { hcRef, npRef } from './lookup.ts';
import { condition, controlPlaneNamespace, type HostedCluster, type NodePool } from './types.ts';

export const CAPI_PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';
export const NODEPOOL_ANNOTATION = 'hypershift.openshift.io/nodePool';

export interface PauseInputs {
  hc: HostedCluster;
  /** The NodePools to pause or resume with it (empty unless --nodepools). */
  nodePools: NodePool[];
  /** NodePools of the cluster that are left alone, to warn about. */
  otherNodePools: number;
  /** "true" or an RFC3339 time (pause), or null (resume). */
  value: string | null;
  /** How long to wait for the operator to report the new state. */
  waitMs: number;
}

/** The merge patch that sets (or with null removes) spec.pausedUntil. */
export function setPausedUntil(ref: ObjectRef, value: string | null): Change {
  return { op: 'patch', ref, patchType: 'merge', patch: { spec: { pausedUntil: value } } };
}

/** A step that sets pausedUntil on one object, skipped when it already holds the value. */
function pausedUntilStep(id: string, ref: ObjectRef, value: string | null): Step {
  const title = value === null ? `Resume ${describeRef(ref)} (pausedUntil: null)` : `Pause ${describeRef(ref)} (pausedUntil: "${value}")`;
  return {
    id,
    title,
    changes: [setPausedUntil(ref, value)],
    isDone: async ({ kube }) => {
      const obj = await kube.get<KubeObject & { spec?: { pausedUntil?: string } }>(ref.resource, ref.namespace, ref.name);
      return (obj.spec?.pausedUntil ?? null) === value;
    },
  };
}

/** Waits for ReconciliationActive to reach `status`; warns (never fails) when it does not. */
function reconciliationStep(hc: HostedCluster, status: 'True' | 'False', waitMs: number): Step {
  const title = `Verify that the operator reports ReconciliationActive=${status}`;
  if (condition(hc, 'ReconciliationActive') === undefined) {
    return { id: 'verify-reconciliation', title, details: ['the operator has not reported ReconciliationActive on this cluster: nothing to wait for'] };
  }
  return waitConditionStep({
    id: 'verify-reconciliation',
    title,
    ref: hcRef(hc),
    type: 'ReconciliationActive',
    status,
    timeoutMs: waitMs,
    intervalMs: 500,
    onTimeout: 'warn',
    settle: (c, ctx) => {
      if (status === 'True' && c?.status === 'True' && c.reason === 'InvalidPausedUntilValue') ctx.warn('the operator reports InvalidPausedUntilValue');
      return { reconciliationActive: c?.status ?? 'unknown' };
    },
  });
}

export function planPause(inputs: PauseInputs): Plan {
  const { hc, value } = inputs;
  if (value === null) throw new Error('planPause needs a value');
  const ref = hcRef(hc);
  const plan = newPlan('pause', describeRef(ref));
  const current = hc.spec.pausedUntil;
  if (current && current !== value) plan.warnings.push(`${describeRef(ref)} is already paused with pausedUntil "${current}"; it becomes "${value}"`);
  if (!inputs.nodePools.length && inputs.otherNodePools > 0) {
    plan.warnings.push(`its ${inputs.otherNodePools} NodePool(s) keep reconciling: NodePools have their own pausedUntil (pass --nodepools to pause them too)`);
  }
  plan.steps.push(pausedUntilStep('pause-hostedcluster', ref, value));
  for (const np of inputs.nodePools) plan.steps.push(pausedUntilStep(`pause-nodepool-${np.metadata.name}`, npRef(np), value));
  plan.steps.push(reconciliationStep(hc, 'False', inputs.waitMs));
  return plan;
}

export interface ResumeInputs extends Omit<PauseInputs, 'value'> {
  fixLeaks: boolean;
}

export function planResume(inputs: ResumeInputs): Plan {
  const { hc } = inputs;
  const ref = hcRef(hc);
  const plan = newPlan('resume', describeRef(ref));
  plan.steps.push(pausedUntilStep('resume-hostedcluster', ref, null));
  for (const np of inputs.nodePools) plan.steps.push(pausedUntilStep(`resume-nodepool-${np.metadata.name}`, npRef(np), null));
  plan.steps.push(reconciliationStep(hc, 'True', inputs.waitMs));
  plan.steps.push(leakStep(hc, inputs.fixLeaks, inputs.waitMs));
  return plan;
}

// ------------------------------------------------------------------ leaked pauses (OCPBUGS-77530)

export interface LeakedPause {
  ref: ObjectRef;
  what: string;
  fix: Change;
}

export interface PauseObservation {
  hc: HostedCluster;
  hcp: (KubeObject & { spec?: { pausedUntil?: string } }) | null;
  capiClusters: (KubeObject & { spec?: { paused?: boolean } })[];
  machineDeployments: KubeObject[];
  machineSets: KubeObject[];
  nodePools: NodePool[];
}

/**
 * Pauses that should not exist once the HostedCluster runs again. A MachineDeployment or
 * MachineSet annotation is a leak only when its own NodePool is not paused on purpose.
 */
export function findLeakedPauses(o: PauseObservation): LeakedPause[] {
  if (o.hc.spec.pausedUntil) return []; // still paused on purpose: nothing is a leak
  const leaks: LeakedPause[] = [];
  if (o.hcp?.spec?.pausedUntil) {
    const ref: ObjectRef = { resource: Resources.HostedControlPlane, namespace: o.hcp.metadata.namespace, name: o.hcp.metadata.name };
    leaks.push({ ref, what: `spec.pausedUntil is still "${o.hcp.spec.pausedUntil}"`, fix: setPausedUntil(ref, null) });
  }
  for (const cluster of o.capiClusters) {
    if (cluster.spec?.paused !== true) continue;
    const ref: ObjectRef = { resource: Resources.CapiCluster, namespace: cluster.metadata.namespace, name: cluster.metadata.name };
    leaks.push({ ref, what: 'spec.paused is still true', fix: { op: 'patch', ref, patchType: 'merge', patch: { spec: { paused: null } } } });
  }
  const pausedPools = new Set(o.nodePools.filter((np) => np.spec.pausedUntil).map((np) => `${np.metadata.namespace}/${np.metadata.name}`));
  const poolOf = (obj: KubeObject) => obj.metadata.annotations?.[NODEPOOL_ANNOTATION] ?? `${o.hc.metadata.namespace}/${obj.metadata.name}`;
  for (const [resource, objs] of [
    [Resources.MachineDeployment, o.machineDeployments],
    [Resources.MachineSet, o.machineSets],
  ] as const) {
    for (const obj of objs) {
      if (obj.metadata.annotations?.[CAPI_PAUSED_ANNOTATION] === undefined || pausedPools.has(poolOf(obj))) continue;
      const ref: ObjectRef = { resource, namespace: obj.metadata.namespace, name: obj.metadata.name };
      leaks.push({
        ref,
        what: `annotation ${CAPI_PAUSED_ANNOTATION} is still set`,
        fix: { op: 'patch', ref, patchType: 'merge', patch: { metadata: { annotations: { [CAPI_PAUSED_ANNOTATION]: null } } } },
      });
    }
  }
  return leaks;
}

export async function observePauses(kube: KubeClient, hc: HostedCluster): Promise<PauseObservation> {
  const ns = hc.metadata.namespace!;
  const cpNs = controlPlaneNamespace(ns, hc.metadata.name);
  const [fresh, hcp, capiClusters, machineDeployments, machineSets, nodePools] = await Promise.all([
    kube.get<HostedCluster>(Resources.HostedCluster, ns, hc.metadata.name),
    kube.getOrNull(Resources.HostedControlPlane, cpNs, hc.metadata.name),
    kube.listIfServed(Resources.CapiCluster, { namespace: cpNs }),
    kube.listIfServed(Resources.MachineDeployment, { namespace: cpNs }),
    kube.listIfServed(Resources.MachineSet, { namespace: cpNs }),
    kube.list<NodePool>(Resources.NodePool, { namespace: ns }),
  ]);
  return {
    hc: fresh,
    hcp,
    capiClusters: capiClusters?.items ?? [],
    machineDeployments: machineDeployments?.items ?? [],
    machineSets: machineSets?.items ?? [],
    nodePools: nodePools.items.filter((np) => np.spec.clusterName === hc.metadata.name),
  };
}

function leakStep(hc: HostedCluster, fixLeaks: boolean, waitMs: number): Step {
  return {
    id: 'check-leaked-pauses',
    title: fixLeaks ? 'Find and clear leaked pauses (OCPBUGS-77530)' : 'Check for leaked pauses (OCPBUGS-77530)',
    details: [
      `reads HostedControlPlane ${controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name)}/${hc.metadata.name} spec.pausedUntil, CAPI Cluster spec.paused and the ${CAPI_PAUSED_ANNOTATION} annotation on MachineDeployments/MachineSets`,
      fixLeaks ? 'clears each one with a merge patch' : 'reports each one (--fix-leaks clears them)',
    ],
    serverDryRun: 'run',
    run: async (ctx: StepContext) => {
      // The operator clears these itself on its next reconcile; only what outlives a grace period is a leak.
      let result;
      try {
        result = await waitInStep(
          ctx,
          'the operator to clear the pauses it propagated',
          async () => {
            const leaks = findLeakedPauses(await observePauses(ctx.kube, hc));
            return { done: leaks.length === 0, message: `${leaks.length} still paused`, value: leaks };
          },
          { timeoutMs: waitMs, intervalMs: 1000 },
        );
      } catch (err) {
        // The resume itself is done; a user who may not read the control-plane namespace only
        // loses the check, which must not turn a successful resume into a failure (issue 13 item 16).
        if (!(err instanceof ApiError) || err.statusCode !== 403) throw err;
        const skipped = `cannot read the control-plane namespace ${controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name)} (${err.message.split('\n')[0]})`;
        ctx.warn(`leaked-pause check skipped: ${skipped}; someone who may read it can run 'kubectl hcp resume ${hc.metadata.name} --fix-leaks'`);
        return { leakedPauses: [], leakCheckSkipped: skipped };
      }
      const leaks = result.value ?? [];
      const report = [];
      for (const leak of leaks) {
        if (fixLeaks) await applyChange(ctx.kube, leak.fix);
        else ctx.warn(`leaked pause: ${describeRef(leak.ref)}: ${leak.what} (--fix-leaks clears it)`);
        report.push({ object: describeRef(leak.ref), problem: leak.what, fixed: fixLeaks });
      }
      return { leakedPauses: report };
    },
  };
}

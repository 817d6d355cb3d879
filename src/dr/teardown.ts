/**
 * `dr teardown NAME`: docs 8.4.5 on the source management cluster, after the cluster was restored
 * on the destination (issue 9).
 *
 * verified restore? (the `dr restore` or `dr migrate` journal with its verify steps done, or
 * --i-have-verified-the-restore) → PVC retention interlock (src/dr/pvc-retention.ts) → scale the
 * control-plane workloads of the control-plane namespace to 0, control-plane-operator first (never
 * the HyperShift operator: upstream's script scales it down and so stops every other hosted cluster)
 * → the shared forced deletion in the docs' order (src/deletion/steps.ts) → delete the guest's
 * openshift-ovn-kubernetes pods once and wait, bounded, until as many are back Running (the docs'
 * script loops forever) → resume whatever is still paused on the destination.
 *
 * Interface (for dr migrate, helper R):
 *   teardownSteps(i: TeardownStepInputs): { steps, warnings }  // the steps after the verified restore;
 *       step ids: teardown-pause-source (when not paused), pvc-retention-<sts>, teardown-scale-down,
 *       delete-<kind>…, ovn-restart, resume-destination.
 *       They act on ctx.kube (the source), ctx.clusters.guest and ctx.clusters.target.
 *   findVerifiedRestore(env, namespace, name): the journal proving a verified restore, or null.
 *   planDrTeardown(i: TeardownInputs): the whole plan, blockers included (dr teardown).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../kube/client.ts';
import { Resources, describeRef, type KubeObject } from '../kube/resources.ts';
import { Journal, stateDir } from '../plan/journal.ts';
import { newPlan, type Plan, type Step, type StepContext } from '../plan/plan.ts';
import type { HostedCluster, NodePool } from '../hostedcluster/types.ts';
import { hcRef, npRef } from '../hostedcluster/lookup.ts';
import { setPausedUntil } from '../hostedcluster/pause.ts';
import { formatDuration } from '../util/duration.ts';
import { RuntimeError } from '../util/errors.ts';
import type { ClusterInventory } from '../deletion/observe.ts';
import { planForcedDeletion, sharedDeadline } from '../deletion/steps.ts';
import { planPvcRetention, type RetentionObservation } from './pvc-retention.ts';

export const OVN_NAMESPACE = 'openshift-ovn-kubernetes';
/** The steps of `dr restore` (src/dr/restore.ts) whose success proves the restore. */
export const RESTORE_VERIFY_STEPS = ['verify-available', 'verify-etcd', 'verify-nodes'] as const;
/** Reconciles the etcd StatefulSet's retention policy back: stopped first (pvc-retention.ts). */
const CONTROL_PLANE_OPERATOR = 'control-plane-operator';

export interface VerifiedRestore {
  journal: string;
  operation: string;
  /** The API server the cluster was restored on. */
  server: string;
  verifiedAt: string;
}

/**
 * The newest journal of `dr restore` or `dr migrate` of this HostedCluster whose verify steps all
 * finished (the journals live under the state dir, src/plan/journal.ts).
 */
export function findVerifiedRestore(env: NodeJS.ProcessEnv, namespace: string, name: string): VerifiedRestore | null {
  const target = `HostedCluster ${namespace}/${name}`;
  const found: VerifiedRestore[] = [];
  for (const operation of ['dr restore', 'dr migrate']) {
    const dir = join(stateDir(env), 'journal', operation.replace(/[^A-Za-z0-9._-]+/g, '_'));
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      continue;
    }
    for (const file of files) {
      const data = Journal.read(join(dir, file));
      if (!data || data.target !== target) continue;
      const done = new Map(data.steps.map((s) => [s.id, s.finishedAt]));
      if (!RESTORE_VERIFY_STEPS.every((id) => done.has(id))) continue;
      const server = operation === 'dr restore' ? data.server : (data.clusters?.target ?? data.server);
      found.push({
        journal: join(dir, file),
        operation,
        server,
        verifiedAt: [...RESTORE_VERIFY_STEPS]
          .map((id) => done.get(id)!)
          .sort()
          .at(-1)!,
      });
    }
  }
  return found.sort((a, b) => a.verifiedAt.localeCompare(b.verifiedAt)).at(-1) ?? null;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
}

/** The control-plane namespace's Deployments and StatefulSets (what the docs' `oc scale --all` scales). */
export async function observeWorkloads(kube: KubeClient, namespace: string): Promise<Workload[]> {
  type Scalable = KubeObject & { spec?: { replicas?: number } };
  const [deployments, statefulSets] = await Promise.all([
    kube.list<Scalable>(Resources.Deployment, { namespace }),
    kube.list<Scalable>(Resources.StatefulSet, { namespace }),
  ]);
  const of = (kind: Workload['kind'], items: Scalable[]) => items.map((o) => ({ kind, name: o.metadata.name, replicas: o.spec?.replicas ?? 1 }));
  return [...of('Deployment', deployments.items), ...of('StatefulSet', statefulSets.items)];
}

export interface TeardownStepInputs {
  inventory: ClusterInventory;
  retention: RetentionObservation[];
  workloads: Workload[];
  /** One budget for the scale-down and every deletion wait. */
  timeoutMs: number;
  /** How long the guest's OVN pods may take to come back. */
  ovnTimeoutMs: number;
  /** Why the guest cannot be reached, if it cannot: the OVN restart is then left out with a warning. */
  guestProblem?: string;
}

/** The teardown's steps, for dr teardown and dr migrate (after its restore is verified). */
export function teardownSteps(i: TeardownStepInputs): { steps: Step[]; warnings: string[] } {
  const cpns = i.inventory.controlPlaneNamespace;
  const deadline = sharedDeadline(i.timeoutMs);
  const warnings: string[] = [];
  const steps: Step[] = [];
  // dr backup leaves the source paused; a source that is not (a teardown after a manual backup)
  // is paused first, or its operator would scale the control plane straight back up.
  const unpaused = [
    ...(i.inventory.hostedCluster && i.inventory.hostedCluster.spec?.pausedUntil !== 'true' ? [hcRef(i.inventory.hostedCluster)] : []),
    ...i.inventory.nodePools.filter((np) => np.spec?.pausedUntil !== 'true').map(npRef),
  ];
  if (unpaused.length)
    steps.push({
      id: 'teardown-pause-source',
      title: `Pause ${unpaused.map(describeRef).join(', ')} on the source, so that its operator leaves the teardown alone`,
      changes: unpaused.map((ref) => setPausedUntil(ref, 'true')),
      // Read again when the step runs: in dr migrate this plan was made before the backup paused
      // everything, and sending the same pause again is a write applied twice (issue 11's audit check).
      isDone: async ({ kube }) => {
        for (const ref of unpaused) {
          const obj = await kube.getOrNull<KubeObject & { spec?: { pausedUntil?: string } }>(ref.resource, ref.namespace, ref.name);
          if (obj && obj.spec?.pausedUntil !== 'true') return false;
        }
        return true;
      },
    });
  steps.push(...planPvcRetention(i.retention, { policies: ['whenScaled'] }));
  if (i.workloads.length) steps.push(scaleDownStep(cpns, i.workloads, i.timeoutMs));
  const forced = planForcedDeletion(i.inventory, { deadline });
  warnings.push(...forced.warnings);
  steps.push(...forced.steps);
  if (i.guestProblem) warnings.push(`the guest's ${OVN_NAMESPACE} pods are not restarted (${i.guestProblem}): delete them once by hand`);
  else steps.push(ovnRestartStep(i.ovnTimeoutMs));
  steps.push(resumeDestinationStep(i.inventory.namespace, i.inventory.name));
  return { steps, warnings };
}

/**
 * docs 8.4.5 step 1, `oc scale deployment,statefulset --all --replicas=0` in the control-plane
 * namespace only. control-plane-operator goes first: it reconciles the etcd StatefulSet and could
 * put its PVC retention back to Delete; each StatefulSet is read again just before it is scaled.
 */
function scaleDownStep(cpns: string, workloads: Workload[], timeoutMs: number): Step {
  const ordered = [...workloads].sort((a, b) => rank(a) - rank(b));
  const resource = (w: Workload) => (w.kind === 'Deployment' ? Resources.Deployment : Resources.StatefulSet);
  return {
    id: 'teardown-scale-down',
    title: `Scale the control plane in ${cpns} to 0 (${ordered.length} Deployments and StatefulSets; the HyperShift operator keeps running)`,
    destructive: true,
    serverDryRun: 'run',
    details: ordered.map((w) => `${w.kind} ${cpns}/${w.name}: ${w.replicas} → 0`),
    run: async (ctx) => {
      for (const w of ordered) {
        if (w.kind === 'StatefulSet') {
          const sts = await ctx.kube.getOrNull<KubeObject & { spec?: { persistentVolumeClaimRetentionPolicy?: { whenScaled?: string } } }>(
            Resources.StatefulSet,
            cpns,
            w.name,
          );
          if (!sts) continue;
          if (sts.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete' && ctx.dryRun === 'none')
            throw new RuntimeError(`StatefulSet ${cpns}/${w.name} has whenScaled: Delete again: refusing to scale it down (its PVCs would go)`, {
              state: 'part of the control plane is scaled down; nothing was deleted',
            });
        }
        try {
          await ctx.kube.scale(resource(w), cpns, w.name, 0);
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 404) throw err;
        }
        ctx.progress(`scaled ${w.kind} ${w.name} to 0`);
      }
      if (ctx.dryRun === 'server') return;
      // The docs sleep 15 s; wait (bounded) for the pods to go instead, and go on with a warning.
      const start = ctx.clock.now();
      const limit = Math.min(timeoutMs, 120_000);
      for (;;) {
        const pods = (await ctx.kube.list(Resources.Pod, { namespace: cpns })).items.filter((p) => !p.metadata.deletionTimestamp);
        if (!pods.length) return;
        const waited = ctx.clock.now() - start;
        if (waited >= limit) {
          ctx.warn(`${pods.length} pods still in ${cpns} after ${formatDuration(limit)}: they go with the namespace`);
          return;
        }
        ctx.progress(`${pods.length} pods left in ${cpns} (${formatDuration(waited)})`);
        await ctx.clock.sleep(Math.min(2000, limit - waited));
      }
    },
  };
}

const rank = (w: Workload) => (w.name === CONTROL_PLANE_OPERATOR ? 0 : w.kind === 'Deployment' ? 1 : 2);

/**
 * docs 8.4.5 "Next steps": the guest's OVN pods are deleted once so that they reconnect to the new
 * control plane, then the step waits until as many pods are Running again, each with a new uid.
 */
export function ovnRestartStep(timeoutMs: number): Step {
  type Pod = KubeObject & { status?: { phase?: string } };
  return {
    id: 'ovn-restart',
    title: `Delete the guest's ${OVN_NAMESPACE} pods once and wait until they are back`,
    destructive: true,
    details: [`waits up to ${formatDuration(timeoutMs)} for as many Running pods with new uids (the docs' script loops forever)`],
    run: async (ctx) => {
      const guest = ctx.clusters.guest;
      if (!guest) throw new RuntimeError('no connection to the hosted cluster (guest) for the OVN restart');
      const before = (await guest.list<Pod>(Resources.Pod, { namespace: OVN_NAMESPACE })).items;
      const old = new Set(before.map((p) => p.metadata.uid));
      for (const p of before) await guest.delete(Resources.Pod, OVN_NAMESPACE, p.metadata.name);
      if (ctx.dryRun === 'server') return;
      const start = ctx.clock.now();
      for (;;) {
        const now = (await guest.list<Pod>(Resources.Pod, { namespace: OVN_NAMESPACE })).items;
        const fresh = now.filter((p) => !old.has(p.metadata.uid) && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
        if (fresh.length >= before.length) return { ovnPodsRestarted: before.length };
        const waited = ctx.clock.now() - start;
        if (waited >= timeoutMs)
          throw new RuntimeError(`${fresh.length} of ${before.length} ${OVN_NAMESPACE} pods are back after ${formatDuration(timeoutMs)}`, {
            state: 'the source is torn down; the OVN pods are still starting on the guest',
            hint: `check the guest's ${OVN_NAMESPACE} DaemonSet, then run the same command with --resume`,
          });
        ctx.progress(`${fresh.length} of ${before.length} OVN pods back (${formatDuration(waited)})`);
        await ctx.clock.sleep(Math.min(2000, timeoutMs - waited));
      }
    },
  };
}

/** Resumes the HostedCluster and its NodePools on the destination where pausedUntil is still set. */
export function resumeDestinationStep(namespace: string, name: string): Step {
  const pausedOn = async (kube: KubeClient) => {
    const hc = await kube.getOrNull<HostedCluster>(Resources.HostedCluster, namespace, name);
    const pools = (await kube.list<NodePool>(Resources.NodePool, { namespace })).items.filter((np) => np.spec?.clusterName === name);
    return [
      ...(hc?.spec.pausedUntil ? [{ resource: Resources.HostedCluster, name }] : []),
      ...pools.filter((np) => np.spec.pausedUntil).map((np) => ({ resource: Resources.NodePool, name: np.metadata.name })),
    ];
  };
  const destination = (ctx: StepContext) => {
    const k = ctx.clusters.target;
    if (!k) throw new RuntimeError('no connection to the destination management cluster');
    return k;
  };
  return {
    id: 'resume-destination',
    title: `Resume HostedCluster ${namespace}/${name} and its NodePools on the destination where still paused`,
    serverDryRun: 'run',
    isDone: async (ctx) => (await pausedOn(destination(ctx))).length === 0,
    run: async (ctx) => {
      const kube = destination(ctx);
      const paused = await pausedOn(kube);
      for (const p of paused) await kube.patch(p.resource, namespace, p.name, { spec: { pausedUntil: null } }, 'merge');
      return { resumedOnDestination: paused.map((p) => `${p.resource.kind} ${p.name}`) };
    },
  };
}

export interface TeardownInputs extends TeardownStepInputs {
  sourceServer: string;
  destinationServer: string;
  /** The HostedCluster on the destination, read live. */
  destinationHostedCluster: HostedCluster | null;
  verifiedRestore: VerifiedRestore | null;
  iHaveVerifiedTheRestore: boolean;
  /** A live ownership Lease of another run on the source, described. */
  ownerProblem?: string;
}

const OVERRIDE = '--i-have-verified-the-restore';

export function planDrTeardown(i: TeardownInputs): Plan {
  const { namespace, name } = i.inventory;
  const plan = newPlan('dr teardown', `HostedCluster ${namespace}/${name}`, { journal: true });
  if (i.sourceServer === i.destinationServer)
    plan.blockers.push({ message: `the source and the destination are the same cluster (${i.sourceServer}): the teardown would delete the restored cluster` });
  if (i.ownerProblem) plan.blockers.push({ message: i.ownerProblem });
  if (!i.verifiedRestore && !i.iHaveVerifiedTheRestore)
    plan.blockers.push({
      message: `no verified restore of ${namespace}/${name}: no journal of dr restore or dr migrate with its verify steps done on this machine`,
      override: OVERRIDE,
    });
  if (i.verifiedRestore && i.verifiedRestore.server === i.sourceServer)
    plan.blockers.push({ message: `the verified restore (${i.verifiedRestore.journal}) was onto this same cluster, ${i.sourceServer}` });
  if (i.verifiedRestore && i.verifiedRestore.server !== i.destinationServer && !i.iHaveVerifiedTheRestore)
    plan.blockers.push({
      message: `the verified restore was onto ${i.verifiedRestore.server}, not onto the destination given (${i.destinationServer})`,
      override: OVERRIDE,
    });
  if (!i.destinationHostedCluster)
    plan.blockers.push({
      message: `HostedCluster ${namespace}/${name} is not on the destination ${i.destinationServer}: tearing down the source would lose the cluster`,
    });
  if (i.verifiedRestore)
    plan.warnings.push(`restore verified at ${i.verifiedRestore.verifiedAt} (${i.verifiedRestore.operation}, journal ${i.verifiedRestore.journal})`);
  else if (i.iHaveVerifiedTheRestore) plan.warnings.push(`no journal of a verified restore: going on because of ${OVERRIDE}`);
  const { steps, warnings } = teardownSteps(i);
  plan.steps = steps;
  plan.warnings.push(...warnings);
  return plan;
}

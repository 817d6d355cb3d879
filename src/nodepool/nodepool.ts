/**
 * NodePool scaling, timeouts and release updates (spec 4.1, 6.2, 6.3; FACTS "NodePool").
 *
 * - `replicas` and `autoScaling` are mutually exclusive (CEL): one merge patch sets one and nulls the other.
 * - Scaling to zero removes every node: it needs a non-zero `nodeDrainTimeout`, or draining blocks forever.
 * - `nodeDrainTimeout` / `nodeVolumeDetachTimeout` are Go durations the CRD does not validate.
 * - A NodePool release must not be a newer minor than its HostedCluster's last completed version
 *   (`ValidReleaseImage` turns False); a patch ahead is accepted (upstream nodepool_controller.go).
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, describeRef, type ObjectRef } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import { newPlan, type Plan, type Step } from '../plan/plan.ts';
import { npRef } from '../hostedcluster/lookup.ts';
import { condition, type Condition, type HostedCluster, type NodePool } from '../hostedcluster/types.ts';
import { renderTable } from '../output/output.ts';
import { parseGoDuration } from '../util/duration.ts';
import { RuntimeError, UsageError } from '../util/errors.ts';
import { compareVersions, completedControlPlaneVersion, ocpMinor, parseVersion, resolveReleaseVersion, type ReleaseVersion } from './release.ts';

export { npRef };

export interface AutoScaling {
  min: number;
  max: number;
}

/** `--replicas N`: a non-negative int32. */
export function parseReplicas(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 31 - 1) throw new UsageError(`--replicas "${value}" is not a non-negative whole number`);
  return Number(value);
}

/** `--autoscaling MIN:MAX`, checked as the CRD's CEL rules would (max ≥ 1, max ≥ min). */
export function parseAutoScaling(value: string): AutoScaling {
  const m = /^(\d+):(\d+)$/.exec(value);
  if (!m) throw new UsageError(`--autoscaling "${value}" is not MIN:MAX (e.g. 1:5)`);
  const [min, max] = [Number(m[1]), Number(m[2])];
  if (max < 1) throw new UsageError(`--autoscaling "${value}": max must be at least 1`);
  if (max < min) throw new UsageError(`--autoscaling "${value}": max must be equal or greater than min`);
  if (max > 2 ** 31 - 1) throw new UsageError(`--autoscaling "${value}": max is too large`);
  return { min, max };
}

/** A positive or zero Go duration, in the spelling given (the operator parses it with Go). */
export function parseTimeout(value: string, flag: string): { text: string; ms: number } {
  const ms = parseGoDuration(value, flag);
  if (ms < 0) throw new UsageError(`${flag} "${value}" is negative`);
  return { text: value, ms };
}

const isZeroDuration = (v: string | undefined): boolean => {
  if (v === undefined || v === '') return true;
  try {
    return parseGoDuration(v) === 0;
  } catch {
    return false;
  }
};

// ------------------------------------------------------------------ list

export interface NodePoolRow {
  namespace: string;
  name: string;
  cluster: string;
  replicas?: number;
  autoscaling?: AutoScaling;
  ready?: number;
  readyCondition?: string;
  version?: string;
  upgradeType?: string;
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  updating: string[];
  releaseImage?: string;
}

export function nodePoolRow(np: NodePool): NodePoolRow {
  const ready = condition(np, 'Ready');
  return {
    namespace: np.metadata.namespace ?? '',
    name: np.metadata.name,
    cluster: np.spec.clusterName,
    replicas: np.spec.autoScaling ? undefined : (np.spec.replicas ?? 0),
    autoscaling: np.spec.autoScaling ?? undefined,
    ready: np.status?.replicas ?? 0,
    readyCondition: ready ? `${ready.status}${ready.status !== 'True' && ready.reason ? ` (${ready.reason})` : ''}` : undefined,
    version: np.status?.version,
    upgradeType: np.spec.management?.upgradeType,
    nodeDrainTimeout: np.spec.nodeDrainTimeout,
    nodeVolumeDetachTimeout: np.spec.nodeVolumeDetachTimeout,
    updating: ['UpdatingVersion', 'UpdatingConfig'].filter((t) => condition(np, t)?.status === 'True'),
    releaseImage: np.spec.release?.image,
  };
}

export function renderNodePoolTable(rows: NodePoolRow[]): string {
  return renderTable(
    ['name', 'cluster', 'replicas', 'ready', 'ready cond', 'version', 'upgrade', 'drain timeout', 'updating'],
    rows.map((r) => [
      r.name,
      r.cluster,
      r.autoscaling ? `auto ${r.autoscaling.min}-${r.autoscaling.max}` : r.replicas,
      r.ready,
      r.readyCondition,
      r.version,
      r.upgradeType,
      r.nodeDrainTimeout ?? '0s (unset)',
      r.updating.join(',') || 'no',
    ]),
  );
}

// ------------------------------------------------------------------ scale

export interface ScaleInputs {
  np: NodePool;
  replicas?: number;
  autoscaling?: AutoScaling;
  /** --drain-timeout: set nodeDrainTimeout in the same patch. */
  drainTimeout?: string;
  /** --force: scale to zero even without a drain timeout. */
  force: boolean;
  /** --wait: how long to wait for Ready and the replica count; undefined means no wait. */
  waitMs?: number;
}

export function planNodePoolScale(inputs: ScaleInputs): Plan {
  const { np, replicas, autoscaling } = inputs;
  const ref = npRef(np);
  const plan = newPlan('nodepool-scale', describeRef(ref));
  const platform = (np.spec.platform as { type?: string } | undefined)?.type;
  if (autoscaling && autoscaling.min === 0 && platform !== 'AWS' && platform !== 'Azure') {
    // CEL: "Scale-from-zero (autoScaling.min=0) is currently only supported for AWS and Azure platforms".
    throw new UsageError(
      `--autoscaling ${autoscaling.min}:${autoscaling.max}: a minimum of 0 (scale from zero) is only supported on AWS and Azure, and ${describeRef(ref)} is on ${platform ?? 'an unknown platform'}`,
    );
  }
  const spec: Record<string, unknown> = autoscaling ? { autoScaling: autoscaling, replicas: null } : { replicas, autoScaling: null };
  if (inputs.drainTimeout !== undefined) spec.nodeDrainTimeout = inputs.drainTimeout;
  const toZero = replicas === 0;
  const currentNodes = np.status?.replicas ?? 0;
  if (toZero) {
    plan.warnings.push(`scaling ${describeRef(ref)} to 0 removes its ${currentNodes} node(s): the workloads running on them will be gone (spec 4.1)`);
    const drain = inputs.drainTimeout ?? np.spec.nodeDrainTimeout;
    if (isZeroDuration(drain) && !inputs.force) {
      plan.blockers.push({
        message: `nodeDrainTimeout is ${drain === undefined ? 'not set' : `"${drain}"`}, so draining a node that cannot be drained blocks the scale-down forever`,
        override: '--drain-timeout D (e.g. 1m, set in the same patch) or --force',
      });
    }
  }
  const target = autoscaling ? `autoscaling ${autoscaling.min}-${autoscaling.max}` : `${replicas} replicas`;
  const already = autoscaling
    ? np.spec.autoScaling?.min === autoscaling.min && np.spec.autoScaling?.max === autoscaling.max && np.spec.replicas === undefined
    : np.spec.replicas === replicas && !np.spec.autoScaling;
  plan.steps.push({
    id: 'scale',
    title: `Scale ${describeRef(ref)} to ${target}${np.spec.autoScaling && !autoscaling ? ' (autoscaling off)' : ''}${!np.spec.autoScaling && autoscaling ? ' (replicas removed)' : ''}${inputs.drainTimeout ? `, nodeDrainTimeout ${inputs.drainTimeout}` : ''}`,
    destructive: toZero && currentNodes > 0,
    changes: [{ op: 'patch', ref, patchType: 'merge', patch: { spec } }],
    isDone: async () => already && (inputs.drainTimeout === undefined || np.spec.nodeDrainTimeout === inputs.drainTimeout),
  });
  if (inputs.waitMs !== undefined) plan.steps.push(waitScaledStep(ref, replicas, autoscaling, inputs.waitMs));
  return plan;
}

function waitScaledStep(ref: ObjectRef, replicas: number | undefined, autoscaling: AutoScaling | undefined, waitMs: number): Step {
  const want = autoscaling ? `between ${autoscaling.min} and ${autoscaling.max}` : String(replicas);
  return {
    id: 'wait-scaled',
    title: `Wait for ${describeRef(ref)} to have ${want} ready node(s)`,
    details: [`polls status.replicas and condition Ready for up to ${Math.round(waitMs / 1000)}s`],
    run: async (ctx) => {
      const r = await waitFor(
        `${want} nodes`,
        async () => {
          const np = await ctx.kube.get<NodePool>(ref.resource, ref.namespace, ref.name);
          const n = np.status?.replicas ?? 0;
          const ready = condition(np, 'Ready');
          const countOk = autoscaling ? n >= autoscaling.min && n <= autoscaling.max : n === replicas;
          // With no nodes wanted, Ready may legitimately not be True.
          const readyOk = replicas === 0 || ready?.status === 'True';
          return { done: countOk && readyOk, message: `${n} node(s), Ready=${ready?.status ?? 'unreported'}`, value: n };
        },
        { timeoutMs: waitMs, onProgress: ctx.progress },
      );
      if (r.timedOut) throw new RuntimeError(`${describeRef(ref)} did not reach ${want} ready node(s) in time (${r.message})`);
      return { replicas: r.value };
    },
  };
}

// ------------------------------------------------------------------ set timeouts

export interface SetInputs {
  np: NodePool;
  drainTimeout?: string;
  volumeDetachTimeout?: string;
}

export function planNodePoolSet({ np, drainTimeout, volumeDetachTimeout }: SetInputs): Plan {
  const ref = npRef(np);
  const plan = newPlan('nodepool-set', describeRef(ref));
  const spec: Record<string, string> = {};
  if (drainTimeout !== undefined) spec.nodeDrainTimeout = drainTimeout;
  if (volumeDetachTimeout !== undefined) spec.nodeVolumeDetachTimeout = volumeDetachTimeout;
  const changes = Object.entries(spec).map(([k, v]) => `${k} ${(np.spec as Record<string, unknown>)[k] ?? '<unset>'} => ${v}`);
  plan.steps.push({
    id: 'set-timeouts',
    title: `Set ${changes.join(', ')} on ${describeRef(ref)}`,
    changes: [{ op: 'patch', ref, patchType: 'merge', patch: { spec } }],
    isDone: async () => Object.entries(spec).every(([k, v]) => (np.spec as Record<string, unknown>)[k] === v),
  });
  return plan;
}

// ------------------------------------------------------------------ update (release)

/** The version a HostedCluster runs or is going to: the version of its spec.release.image. */
export function hostedClusterVersion(hc: HostedCluster): ReleaseVersion | undefined {
  return resolveReleaseVersion(hc.spec.release?.image, hc)?.version;
}

export const UPGRADE_TYPE_EFFECT: Record<string, string> = {
  Replace:
    'upgradeType Replace: new instances are created at the new version and the old ones removed; the nodes are re-provisioned and manual changes on them are lost (spec 6.2.1)',
  InPlace: 'upgradeType InPlace: the operating system of the existing instances is updated; the nodes are kept (spec 6.2.2)',
};

export interface UpdateInputs {
  np: NodePool;
  hc: HostedCluster | null;
  image: string;
  waitMs?: number;
  /** --force: update even when a version cannot be read. */
  force?: boolean;
  /** What the image's registry metadata says (release-metadata.ts), when neither tag nor history does. */
  metadata?: { version?: string; problem?: string };
}

/**
 * Why the operator would set ValidReleaseImage=False for this NodePool release, as upstream
 * decides it (nodepool_controller.go getReleaseImage → supportedversion.IsValidReleaseVersion):
 * only minor versions count, against the control plane's last completed version; a lower minor
 * than the NodePool runs is a y-stream downgrade. A patch ahead of the control plane is valid.
 */
export interface SkewVerdict {
  /** The operator rejects it for good. */
  invalid?: string;
  /** The operator rejects it only until the control plane finishes the update it is doing. */
  untilControlPlaneCompletes?: string;
  warnings: string[];
}

export function nodePoolSkew(target: ReleaseVersion, np: NodePool, hc: HostedCluster): SkewVerdict {
  const verdict: SkewVerdict = { warnings: [] };
  const completed = completedControlPlaneVersion(hc)?.version;
  const desired = hostedClusterVersion(hc);
  const current = parseVersion(np.status?.version);
  if (current && ocpMinor(current) > ocpMinor(target)) {
    verdict.invalid = `y-stream downgrade from ${current.text} to ${target.text} is not supported (the operator sets ValidReleaseImage=False)`;
    return verdict;
  }
  if (!completed) return verdict;
  if (ocpMinor(target) > ocpMinor(completed)) {
    if (desired && ocpMinor(desired) >= ocpMinor(target) && compareVersions(desired, completed) !== 0) {
      verdict.untilControlPlaneCompletes = `the control plane is still updating to ${desired.text} (last completed ${completed.text}): the operator reports ValidReleaseImage=False on the NodePool until that completes, then rolls it to ${target.text}`;
    } else {
      verdict.invalid = `NodePool release ${target.text} is a newer minor version than the HostedCluster's ${completed.text} (its last completed version); the node pool version must not surpass the control plane (spec 6.3)`;
    }
  } else if (compareVersions(target, completed) > 0) {
    verdict.warnings.push(
      `${target.text} is a patch ahead of the control plane's ${completed.text}: the operator accepts it (it compares minor versions) but reports SupportedVersionSkew=False until the control plane catches up`,
    );
  }
  if (ocpMinor(completed) - ocpMinor(target) > 3) {
    verdict.warnings.push(
      `${target.text} is more than 3 minor versions behind the control plane's ${completed.text}: the operator reports SupportedVersionSkew=False (n-3 is the supported skew)`,
    );
  }
  return verdict;
}

/** Without a version the skew rules cannot be checked: an interlock --force overrides (issue 13 item 22). */
function unreadable(plan: Plan, what: string, force: boolean): void {
  const why = "neither the tag nor the HostedCluster's status.version history names it";
  const skipped = 'the skew checks (newer minor than the control plane, y-stream downgrade, n-3)';
  if (force) plan.warnings.push(`--force: cannot read ${what} (${why}); ${skipped} are skipped`);
  else plan.blockers.push({ message: `cannot read ${what}: ${why}, so ${skipped} cannot be made`, override: '--force (skips those checks)' });
}

export function planNodePoolUpdate({ np, hc, image, waitMs, force = false, metadata }: UpdateInputs): Plan {
  const ref = npRef(np);
  const plan = newPlan('nodepool-update', describeRef(ref));
  const target = resolveReleaseVersion(image, hc, metadata?.version)?.version;
  const upgradeType = np.spec.management?.upgradeType ?? 'Replace';
  plan.warnings.push(UPGRADE_TYPE_EFFECT[upgradeType] ?? `upgradeType ${upgradeType}`);
  if (!hc) {
    plan.blockers.push({ message: `its HostedCluster ${np.metadata.namespace}/${np.spec.clusterName} was not found, so the version skew cannot be checked` });
  } else if (target) {
    const skew = nodePoolSkew(target, np, hc);
    if (skew.invalid) {
      const cp = hc.spec.release?.image;
      plan.blockers.push({
        message: `${skew.invalid}${cp && !skew.invalid.startsWith('y-stream') ? `: upgrade the control plane first with 'kubectl hcp upgrade ${hc.metadata.name} --release-image ${image}'` : ''}`,
      });
    }
    if (skew.untilControlPlaneCompletes) plan.warnings.push(skew.untilControlPlaneCompletes);
    plan.warnings.push(...skew.warnings);
    if (!completedControlPlaneVersion(hc)) unreadable(plan, `the control plane's version (release ${hc.spec.release?.image ?? '<unset>'})`, force);
  } else {
    unreadable(plan, `the release version of ${image}${metadata?.problem ? ` (its metadata: ${metadata.problem})` : ''}`, force);
  }
  const current = np.spec.release?.image;
  plan.steps.push({
    id: 'set-release',
    title: `Set the release of ${describeRef(ref)}: ${current ?? '<unset>'} => ${image}`,
    changes: [{ op: 'patch', ref, patchType: 'merge', patch: { spec: { release: { image } } } }],
    isDone: async () => current === image && (!target || np.status?.version === target.text),
  });
  if (waitMs !== undefined) {
    plan.steps.push({
      id: 'wait-updated',
      title: `Wait for ${describeRef(ref)} to finish updating${target ? ` to ${target.text}` : ''}`,
      details: [`polls UpdatingVersion, ValidReleaseImage and status.version for up to ${Math.round(waitMs / 1000)}s`],
      run: async (ctx) => {
        const lagging = { since: undefined as number | undefined };
        const r = await waitFor(
          `${describeRef(ref)} to update`,
          async () => {
            const fresh = await ctx.kube.get<NodePool>(ref.resource, ref.namespace, ref.name);
            const invalid = condition(fresh, 'ValidReleaseImage');
            if (invalid?.status === 'False') {
              const transient = await transientReleaseRejection(ctx.kube, fresh, invalid, target, lagging);
              if (!transient) throw new RuntimeError(`${describeRef(ref)} reports ValidReleaseImage=False: ${invalid.message ?? invalid.reason ?? ''}`);
              return { done: false, message: transient, value: fresh.status?.version };
            }
            const updating = condition(fresh, 'UpdatingVersion');
            const versionOk = target ? fresh.status?.version === target.text : true;
            return {
              done: updating?.status !== 'True' && versionOk && (fresh.status?.version !== undefined || !target),
              message: `version ${fresh.status?.version ?? '<none>'}, UpdatingVersion=${updating?.status ?? 'unreported'}`,
              value: fresh.status?.version,
            };
          },
          { timeoutMs: waitMs, intervalMs: 1000, onProgress: ctx.progress },
        );
        if (r.timedOut)
          throw new RuntimeError(`${describeRef(ref)} did not finish updating in time (${r.message})`, {
            state: 'the new release is set; the rollout continues',
          });
        return { version: r.value };
      },
    });
  }
  return plan;
}

/** How long a ValidReleaseImage=False may lag behind a control plane that completed the update it waited for. */
export const RELEASE_REJECTION_LAG_MS = 60_000;

/**
 * A ValidReleaseImage=False that will clear by itself, described; undefined when it is real.
 * Upstream sets it while the control plane has not completed the minor the NodePool asks for
 * (the check uses the last completed version), keeps it until the NodePool controller reconciles
 * again after the control plane completes (it watches HostedClusters), and a condition older than
 * the NodePool's generation is about the previous release.
 */
async function transientReleaseRejection(
  kube: KubeClient,
  np: NodePool,
  cond: Condition,
  target: ReleaseVersion | undefined,
  lagging: { since?: number },
): Promise<string | undefined> {
  const generation = typeof np.metadata.generation === 'number' ? np.metadata.generation : undefined;
  if (cond.observedGeneration !== undefined && generation !== undefined && cond.observedGeneration < generation) {
    return `ValidReleaseImage=False is from generation ${cond.observedGeneration}, the NodePool is at ${generation}`;
  }
  if (!target) return undefined;
  const hc = await kube.getOrNull<HostedCluster>(Resources.HostedCluster, np.metadata.namespace, np.spec.clusterName);
  if (!hc) return undefined;
  const skew = nodePoolSkew(target, { ...np, status: { ...np.status, version: undefined } }, hc);
  const top = hc.status?.version?.history?.[0];
  if (skew.untilControlPlaneCompletes) {
    lagging.since = undefined;
    return `ValidReleaseImage=False until the control plane completes its update (history[0] ${top?.version ?? '?'} ${top?.state ?? ''})`;
  }
  // Valid by the rule now, yet still False: the operator has not re-judged since the control plane
  // completed. Allowed for a while, then it is an answer.
  if (skew.invalid) return undefined;
  lagging.since ??= Date.now();
  if (Date.now() - lagging.since >= RELEASE_REJECTION_LAG_MS) return undefined;
  return `ValidReleaseImage=False from before the control plane completed ${top?.version ?? ''} (the operator has not re-judged yet)`;
}

export async function getNodePool(kube: KubeClient, namespace: string, name: string): Promise<NodePool> {
  const np = await kube.getOrNull<NodePool>(Resources.NodePool, namespace, name);
  if (!np)
    throw new RuntimeError(`NodePool ${namespace}/${name} not found`, { hint: 'NodePools are looked up in namespace "clusters" unless -n says otherwise' });
  return np;
}

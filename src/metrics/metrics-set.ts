/**
 * Metrics sets (spec 7.1, FACTS "Metrics sets"): the operator's global METRICS_SET env var and the
 * per-cluster `spec.monitoring.metricsSet` override.
 *
 * The operator compares METRICS_SET case-insensitively and exits on anything else, so its pod
 * crashloops: the value is validated and written in its canonical spelling. The per-cluster field
 * is a case-sensitive enum, so it too gets the canonical spelling.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, describeRef, type KubeObject, type ObjectRef } from '../kube/resources.ts';
import { newPlan, type Plan, type Step, type StepContext } from '../plan/plan.ts';
import { waitUntilStep } from '../plan/wait-step.ts';
import { formatDuration } from '../util/duration.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { OPERATOR_DEPLOYMENT } from '../hostedcluster/operator.ts';
import {
  FLAGS_TO_ADD,
  FLAGS_TO_REMOVE,
  METRICS_SET_FLAG,
  describeInstallFlags,
  installFlagsChange,
  withoutFlag,
  type InstallFlagsState,
} from './install-flags.ts';
import { RuntimeError, UsageError } from '../util/errors.ts';

export const METRICS_SETS = ['Telemetry', 'SRE', 'All'] as const;
export type MetricsSet = (typeof METRICS_SETS)[number];
export const METRICS_SET_ENV = 'METRICS_SET';

/** "sre", "SRE", "Sre" → "SRE". Throws a UsageError for anything the operator would not accept. */
export function canonicalMetricsSet(value: string): MetricsSet {
  const found = METRICS_SETS.find((s) => s.toLowerCase() === value.trim().toLowerCase());
  if (!found || value.trim() !== value) throw new UsageError(`metrics set "${value}" is not valid: use Telemetry, SRE or All (any case)`);
  return found;
}

/** How the operator reads its env: empty or unset means Telemetry; anything unknown makes it exit. */
export function interpretOperatorMetricsSet(value: string | undefined): { set?: MetricsSet; raw?: string; invalid: boolean } {
  if (value === undefined || value === '') return { set: 'Telemetry', raw: value, invalid: false };
  const set = METRICS_SETS.find((s) => s.toLowerCase() === value.toLowerCase());
  return set ? { set, raw: value, invalid: false } : { set: undefined, raw: value, invalid: true };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
}

export interface Deployment extends KubeObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { spec?: { containers?: Container[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number; readyReplicas?: number };
}

/** A pod of a Deployment: its own copy of the env, which is what the running process has. */
export interface Pod extends KubeObject {
  spec?: { containers?: Container[] };
}

/** The Deployment's pods, terminating ones included (they still run until they are gone). */
export async function podsOf(kube: KubeClient, d: Deployment): Promise<Pod[]> {
  const labels = Object.entries(d.spec?.selector?.matchLabels ?? {});
  if (!labels.length) return [];
  const list = await kube.list<Pod>(Resources.Pod, { namespace: d.metadata.namespace, labelSelector: labels.map(([k, v]) => `${k}=${v}`).join(',') });
  return list.items;
}

/** The env var as one pod's operator container has it. */
export function podEnvOf(pod: Pod, name: string): string | undefined {
  const containers = pod.spec?.containers ?? [];
  const c = containers.find((x) => x.name === OPERATOR_DEPLOYMENT) ?? containers[0];
  return c?.env?.find((e) => e.name === name)?.value;
}

/** The operator's own container: the one named `operator`, else the first. */
export function operatorContainer(d: Deployment): Container | undefined {
  const containers = d.spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === OPERATOR_DEPLOYMENT) ?? containers[0];
}

export function envOf(d: Deployment, name: string): EnvVar | undefined {
  return operatorContainer(d)?.env?.find((e) => e.name === name);
}

/**
 * A strategic merge patch that sets (or, with null, removes) one env var of one container: the
 * API server merges `containers` by name and `env` by name, so other variables stay untouched.
 */
export function envPatch(container: string, name: string, value: string | null, hadValueFrom = false): unknown {
  const entry = value === null ? { name, $patch: 'delete' } : { name, value, ...(hadValueFrom ? { valueFrom: null } : {}) };
  return { spec: { template: { spec: { containers: [{ name: container, env: [entry] }] } } } };
}

export type SreConfigState = 'missing' | 'valid' | 'invalid';

export interface GlobalMetricsInputs {
  namespace: string;
  deployment: Deployment;
  set: MetricsSet;
  sreConfig: SreConfigState;
  /** --wait: wait this long for the operator to roll out. */
  waitMs?: number;
  /** Whether the MCE/ACM hypershift addon deploys the operator (see observeInstallFlags). */
  installFlags?: InstallFlagsState;
}

export function planGlobalMetricsSet(inputs: GlobalMetricsInputs): Plan {
  const { deployment, set, namespace } = inputs;
  const ref: ObjectRef = { resource: Resources.Deployment, namespace, name: deployment.metadata.name };
  const plan = newPlan('metrics-set', describeRef(ref));
  const container = operatorContainer(deployment);
  if (!container) {
    plan.blockers.push({ message: `deployment ${namespace}/${deployment.metadata.name} has no containers` });
    return plan;
  }
  const current = envOf(deployment, METRICS_SET_ENV);
  const seen = interpretOperatorMetricsSet(current?.value);
  if (current?.valueFrom) plan.warnings.push(`${METRICS_SET_ENV} was set from a reference (valueFrom); it becomes the literal value ${set}`);
  if (seen.invalid)
    plan.warnings.push(
      `the operator's current ${METRICS_SET_ENV}="${seen.raw}" is invalid: the operator exits on it (its pod crashloops) until this change rolls out`,
    );
  if (set === 'SRE' && inputs.sreConfig === 'missing') {
    plan.warnings.push(
      `configmap ${namespace}/sre-metric-set does not exist: the SRE set without a config filters nothing (write one with 'kubectl hcp metrics sre-config apply -f FILE')`,
    );
  } else if (set === 'SRE' && inputs.sreConfig === 'invalid') {
    plan.warnings.push(
      `configmap ${namespace}/sre-metric-set is not valid: the operator drops what it cannot parse (see 'kubectl hcp metrics sre-config show')`,
    );
  }
  if (inputs.installFlags?.managed) return planAddonMetricsSet(plan, inputs, ref, current?.value);
  plan.steps.push({
    id: 'set-metrics-set',
    title: `Set ${METRICS_SET_ENV}=${set} on container ${container.name} of ${describeRef(ref)} (rolls the operator out)`,
    changes: [{ op: 'patch', ref, patchType: 'strategic', patch: envPatch(container.name, METRICS_SET_ENV, set, Boolean(current?.valueFrom)) }],
    isDone: async ({ kube }) => {
      const fresh = await kube.get<Deployment>(ref.resource, ref.namespace, ref.name);
      const env = envOf(fresh, METRICS_SET_ENV);
      return env?.value === set && !env.valueFrom;
    },
  });
  if (inputs.waitMs !== undefined) plan.steps.push(rolloutWaitStep(ref, inputs.waitMs));
  return plan;
}

/**
 * On an MCE/ACM hub the hypershift addon deploys the operator from the install flags and re-renders
 * the Deployment from them at every re-install, so a METRICS_SET patched into the Deployment is
 * undone (issue 13 item 18): the set goes into `installFlagsToAdd` as `--metrics-set SET` (other
 * flags keep their place; a `--metrics-set` in `installFlagsToRemove` goes), and the addon
 * redeploys the operator with it.
 */
function planAddonMetricsSet(plan: Plan, inputs: GlobalMetricsInputs, ref: ObjectRef, running: string | undefined): Plan {
  const { set } = inputs;
  const cm = inputs.installFlags!.configmap;
  const add = [...withoutFlag(cm?.data?.[FLAGS_TO_ADD], METRICS_SET_FLAG), METRICS_SET_FLAG, set].join(' ');
  const remove = withoutFlag(cm?.data?.[FLAGS_TO_REMOVE], METRICS_SET_FLAG).join(' ');
  const unchanged = cm !== null && (cm.data?.[FLAGS_TO_ADD] ?? '') === add && (cm.data?.[FLAGS_TO_REMOVE] ?? '') === remove;
  plan.target = describeInstallFlags();
  plan.warnings.push(
    `the hypershift addon deploys the operator on this MCE/ACM hub: ${METRICS_SET_ENV} is set as ${METRICS_SET_FLAG} ${set} in ${describeInstallFlags()}, since the addon would undo a change to ${describeRef(ref)} at its next re-install`,
  );
  if (!inputs.waitMs && running !== set)
    plan.warnings.push(`the operator runs with ${METRICS_SET_ENV}=${running ?? '<unset>'} until the addon redeploys it (--wait waits for that)`);
  plan.steps.push({
    id: 'install-flags-metrics-set',
    title: `${cm ? 'Update' : 'Create'} ${describeInstallFlags()}: ${FLAGS_TO_ADD}="${add}", ${FLAGS_TO_REMOVE}="${remove}"`,
    changes: unchanged ? [] : [installFlagsChange(cm, add, remove)],
    isDone: async () => unchanged,
  });
  if (inputs.waitMs !== undefined)
    plan.steps.push(
      operatorEnvWaitStep({
        id: 'wait-operator-env',
        ref,
        name: METRICS_SET_ENV,
        want: `${METRICS_SET_ENV}=${set}`,
        matches: (v) => v === set,
        waitMs: inputs.waitMs,
      }),
    );
  return plan;
}

export interface OperatorEnvWait {
  id: string;
  ref: ObjectRef;
  /** The env var, e.g. METRICS_SET. */
  name: string;
  /** What is waited for, for people: `METRICS_SET=SRE`, `no MONITORING_DASHBOARDS="1"`. */
  want: string;
  /** Whether one value (of the Deployment or of a pod) is the wanted one. */
  matches: (value: string | undefined) => boolean;
  waitMs: number;
}

/**
 * Waits until the operator Deployment's env matches, it has rolled out, and no pod whose env does
 * not match (a terminating one included) still runs: the running process reads its env only at
 * start, so what counts is the pods, and the addon's redeploy ends only when the old ones are gone.
 */
export function operatorEnvWaitStep(w: OperatorEnvWait): Step {
  const { ref, name, want, matches, waitMs } = w;
  return waitUntilStep({
    id: w.id,
    title: `Wait for deployment ${ref.namespace}/${ref.name} to have ${want} and every pod without it to be gone`,
    details: [
      `the hypershift addon redeploys the operator from the install flags; waits up to ${formatDuration(waitMs)} for the Deployment, its rollout and its pods`,
    ],
    what: want,
    timeoutMs: waitMs,
    probe: async (ctx) => {
      const d = await ctx.kube.getOrNull<Deployment>(ref.resource, ref.namespace, ref.name);
      const now = d ? envOf(d, name)?.value : undefined;
      const spec = now === undefined ? `${name} unset` : `${name}="${now}"`;
      if (!d || !matches(now)) return { done: false, message: spec };
      const rollout = rolloutState(d);
      if (!rollout.done) return { done: false, message: `${spec}, rollout: ${rollout.message}` };
      const stale = (await podsOf(ctx.kube, d)).filter((p) => !matches(podEnvOf(p, name)));
      if (stale.length)
        return {
          done: false,
          message: `${spec}, pod(s) still running with the old value: ${stale.map((p) => `${p.metadata.name}${p.metadata.deletionTimestamp ? ' (terminating)' : ''}`).join(', ')}`,
        };
      return { done: true, message: `${spec}, rolled out` };
    },
    timeoutError: (last) =>
      new RuntimeError(`the operator did not get ${want} within ${formatDuration(waitMs)} (${last})`, {
        hint: 'is the hypershift addon running? it applies the install flags',
      }),
    artifacts: (last) => ({ operatorEnv: last.message }),
  });
}

/** Waits for the operator deployment to finish rolling out (kubectl rollout status). */
export function rolloutWaitStep(ref: ObjectRef, waitMs: number): Step {
  return waitUntilStep({
    id: 'wait-rollout',
    title: `Wait for deployment ${ref.namespace}/${ref.name} to roll out`,
    details: [`waits up to ${formatDuration(waitMs)} for every replica to be updated and available`],
    what: 'the operator rollout',
    timeoutMs: waitMs,
    probe: async (ctx) => rolloutState(await ctx.kube.get<Deployment>(ref.resource, ref.namespace, ref.name)),
    timeoutError: (last) => new RuntimeError(`the operator did not finish rolling out within ${formatDuration(waitMs)} (${last})`),
  });
}

export interface ClusterMetricsInputs {
  hc: HostedCluster;
  /** null removes the override, so the cluster follows the operator's global set. */
  set: MetricsSet | null;
}

export function planClusterMetricsSet({ hc, set }: ClusterMetricsInputs): Plan {
  const ref: ObjectRef = { resource: Resources.HostedCluster, namespace: hc.metadata.namespace, name: hc.metadata.name };
  const plan = newPlan('metrics-set', describeRef(ref));
  const isDone = async ({ kube }: StepContext) => {
    const fresh = await kube.get<HostedCluster>(ref.resource, ref.namespace, ref.name);
    return (fresh.spec.monitoring?.metricsSet ?? null) === set;
  };
  if (set !== null) {
    plan.steps.push({
      id: 'set-cluster-metrics-set',
      title: `Set spec.monitoring.metricsSet=${set} on ${describeRef(ref)}`,
      changes: [{ op: 'patch', ref, patchType: 'merge', patch: { spec: { monitoring: { metricsSet: set } } } }],
      isDone,
    });
    return plan;
  }
  // Only metricsSet goes. spec.monitoring must keep at least one property (CRD minProperties: 1),
  // so it goes whole when nothing else is in it: decided on the object as it is at the write, and
  // written with that resourceVersion (re-read on a conflict), so a metricsForwarding added
  // meanwhile is never wiped with it (issue 13 item 20).
  plan.steps.push({
    id: 'unset-cluster-metrics-set',
    title: `Remove spec.monitoring.metricsSet from ${describeRef(ref)}`,
    details: [
      `PUT ${describeRef(ref)} with the resourceVersion just read (re-read and retried on a conflict) without spec.monitoring.metricsSet;`,
      '  spec.monitoring itself is removed only when metricsSet is all it holds at that moment',
    ],
    serverDryRun: 'run',
    isDone,
    run: async (ctx) => {
      await ctx.kube.update<HostedCluster>(ref.resource, ref.namespace, ref.name, (obj) => {
        const monitoring = obj.spec.monitoring as Record<string, unknown> | undefined;
        if (!monitoring || monitoring.metricsSet === undefined) return false;
        delete monitoring.metricsSet;
        if (!Object.keys(monitoring).length) delete obj.spec.monitoring;
      });
    },
  });
  return plan;
}

/** Whether a deployment has finished rolling out its latest spec (kubectl rollout status). */
export function rolloutState(d: Deployment): { done: boolean; message: string } {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < ((d.metadata.generation as number | undefined) ?? 0)) return { done: false, message: 'new spec not yet observed' };
  if ((s.updatedReplicas ?? 0) < want) return { done: false, message: `${s.updatedReplicas ?? 0} of ${want} updated` };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return { done: false, message: `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas pending termination` };
  if ((s.availableReplicas ?? 0) < want) return { done: false, message: `${s.availableReplicas ?? 0} of ${want} available` };
  return { done: true, message: `${want} of ${want} updated and available` };
}

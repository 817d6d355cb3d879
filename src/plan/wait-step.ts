/**
 * Waiting inside a step, written once: the wait runs on the step's clock (a fake one in unit
 * tests), shows its progress on the step line and stops when the run is interrupted.
 */
import type { KubeObject, ObjectRef } from '../kube/resources.ts';
import { describeRef } from '../kube/resources.ts';
import { waitFor, type Probe } from '../kube/wait.ts';
import { formatDuration } from '../util/duration.ts';
import { RuntimeError } from '../util/errors.ts';
import type { Step, StepContext } from './plan.ts';

export function waitInStep<T>(ctx: StepContext, what: string, probe: () => Promise<Probe<T>>, opts: { timeoutMs: number; intervalMs?: number }) {
  return waitFor(what, probe, { ...opts, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) });
}

/** The part of a status condition a wait looks at (HostedCluster, NodePool, Deployment alike). */
export interface ObservedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface WaitConditionSpec {
  id: string;
  /** Default: "Wait for <Kind ns/name> condition <type>=<status>". */
  title?: string;
  ref: ObjectRef;
  /** The condition type, e.g. ReconciliationActive. */
  type: string;
  /** The status to wait for; without it any reported status ends the wait (the caller judges it). */
  status?: 'True' | 'False';
  /** Only a condition whose observedGeneration is at least this counts (e.g. the generation a write produced). */
  minGeneration?: (ctx: StepContext) => number | undefined;
  /** Conditions that are "not yet" rather than an answer, e.g. Unknown. */
  pending?: (c: ObservedCondition) => boolean;
  timeoutMs: number;
  intervalMs?: number;
  /** fail (default): a timeout fails the step with `state`; warn: it only warns. */
  onTimeout?: 'fail' | 'warn';
  /** What is left when the wait fails, for the error's state line. */
  state?: string;
  /** Extra dry-run lines. */
  details?: string[];
  /** Judges the final condition: throw to fail the step, return artifacts to record. */
  settle?: (c: ObservedCondition | undefined, ctx: StepContext) => Record<string, unknown> | void;
}

const describeCondition = (c: ObservedCondition | undefined) => (c ? `${c.status}${c.reason ? `/${c.reason}` : ''}` : 'not reported');

/** A step that waits for a status condition on one object. */
export function waitConditionStep(spec: WaitConditionSpec): Step {
  const want = spec.status ? `${spec.type}=${spec.status}` : spec.type;
  return {
    id: spec.id,
    title: spec.title ?? `Wait for ${describeRef(spec.ref)} condition ${want}`,
    details: [
      `waits up to ${formatDuration(spec.timeoutMs)} for condition ${want}${spec.onTimeout === 'warn' ? '; warns if it never comes' : ''}`,
      ...(spec.details ?? []),
    ],
    run: async (ctx) => {
      const generation = spec.minGeneration?.(ctx);
      const r = await waitInStep(
        ctx,
        want,
        async (): Promise<Probe<ObservedCondition>> => {
          const obj = await ctx.kube.get<KubeObject & { status?: { conditions?: ObservedCondition[] } }>(spec.ref.resource, spec.ref.namespace, spec.ref.name);
          const c = obj.status?.conditions?.find((x) => x.type === spec.type);
          const current = c !== undefined && (generation === undefined || c.observedGeneration === undefined || c.observedGeneration >= generation);
          const done = current && !spec.pending?.(c) && (spec.status === undefined || c.status === spec.status);
          return { done, message: c ? `now ${describeCondition(c)}${current ? '' : ' (for an older generation)'}` : 'not reported', value: c };
        },
        { timeoutMs: spec.timeoutMs, intervalMs: spec.intervalMs },
      );
      if (r.timedOut) {
        const message = `${describeRef(spec.ref)} did not report ${want} within ${formatDuration(spec.timeoutMs)} (${r.message})`;
        if (spec.onTimeout === 'warn') {
          ctx.warn(`${message}; check that the operator is running`);
          return spec.settle?.(r.value, ctx) ?? undefined;
        }
        throw new RuntimeError(message, { state: spec.state });
      }
      return spec.settle?.(r.value, ctx) ?? undefined;
    },
  };
}

export interface WaitUntilSpec<T> {
  id: string;
  title: string;
  details?: string[];
  /** What is awaited, for the progress line ("waiting for <what> (…)"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  probe: (ctx: StepContext) => Promise<Probe<T>>;
  /** The error for a timeout, given the last observation's message. */
  timeoutError: (lastMessage: string) => Error;
  /** Artifacts to record from the final observation. */
  artifacts?: (last: Probe<T>) => Record<string, unknown> | void;
}

/** A step that polls `probe` until it reports done; a timeout fails the step. */
export function waitUntilStep<T>(spec: WaitUntilSpec<T>): Step {
  return {
    id: spec.id,
    title: spec.title,
    details: spec.details ?? [`waits up to ${formatDuration(spec.timeoutMs)} for ${spec.what}`],
    run: async (ctx) => {
      const r = await waitInStep(ctx, spec.what, () => spec.probe(ctx), { timeoutMs: spec.timeoutMs, intervalMs: spec.intervalMs });
      if (r.timedOut) throw spec.timeoutError(r.message);
      return spec.artifacts?.(r) ?? undefined;
    },
  };
}

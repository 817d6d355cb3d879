/**
 * The one plan executor. It:
 * - refuses a plan with blockers (exit 3, naming each override flag);
 * - for --dry-run=client, hands the plan to the renderer and touches nothing;
 * - asks before destructive steps (a TTY prompt, -y, or exit 3 when neither is possible);
 * - runs the steps in order, skipping those already done (their isDone check or the journal);
 * - sends every write with dryRun=All for --dry-run=server;
 * - journals finished steps so that --resume continues a killed run;
 * - on failure, undoes what it can in reverse order and says exactly what state is left.
 */
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import { describeRef } from '../kube/resources.ts';
import { InterlockError, RuntimeError, UsageError } from '../util/errors.ts';
import { Journal, journalPath } from './journal.ts';
import type { Change, DryRunMode, Plan, Step, StepContext } from './plan.ts';
import type { ProgressSink } from './progress.ts';

export interface ExecuteOptions {
  kube: KubeClient;
  dryRun: DryRunMode;
  /** -y: skip confirmation. */
  yes: boolean;
  /** --resume: continue an unfinished journaled run. */
  resume: boolean;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  progress: ProgressSink;
  /** Asks a yes/no question; undefined when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
  /** Prints the plan for --dry-run=client. */
  printPlan: (plan: Plan) => void;
}

export interface ExecutionResult {
  status: 'planned' | 'completed';
  artifacts: Record<string, unknown>;
  /** Ids of steps that ran (not skipped) in this run. */
  ran: string[];
  journal?: string;
}

export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<ExecutionResult> {
  if (plan.blockers.length) {
    const [first, ...rest] = plan.blockers;
    throw new InterlockError(
      `refusing to ${plan.operation} ${plan.target}: ${first.message}${rest.length ? ` (and ${rest.length} more: ${rest.map((b) => b.message).join('; ')})` : ''}`,
      { hint: plan.blockers.filter((b) => b.override).map((b) => `${b.override} overrides "${b.message}"`).join('; ') || undefined },
    );
  }
  if (opts.dryRun === 'client') {
    opts.printPlan(plan);
    return { status: 'planned', artifacts: {}, ran: [] };
  }
  for (const message of plan.warnings) opts.progress({ type: 'warning', message });

  const journal = openJournal(plan, opts);
  await confirmDestructive(plan, opts, journal);

  const kube = opts.dryRun === 'server' ? opts.kube.withServerDryRun() : opts.kube;
  const artifacts: Record<string, unknown> = { ...(journal?.artifacts() ?? {}) };
  const ctx = (step: Step): StepContext => ({
    kube,
    dryRun: opts.dryRun === 'server' ? 'server' : 'none',
    artifacts,
    now: opts.now,
    progress: (message) => opts.progress({ type: 'step-progress', id: step.id, message }),
    warn: (message) => opts.progress({ type: 'warning', message }),
  });

  const started = opts.now().getTime();
  opts.progress({ type: 'plan', operation: plan.operation, target: plan.target, steps: plan.steps.length });
  const completed: Step[] = [];
  const ran: string[] = [];
  for (const [index, step] of plan.steps.entries()) {
    const t0 = opts.now().getTime();
    opts.progress({ type: 'step-start', index, total: plan.steps.length, id: step.id, title: step.title });
    if (journal?.isDone(step.id)) {
      opts.progress({ type: 'step-done', id: step.id, title: step.title, ms: 0, skipped: 'journal' });
      completed.push(step);
      continue;
    }
    try {
      const stepCtx = ctx(step);
      if (step.isDone && opts.dryRun === 'none' && (await step.isDone(stepCtx))) {
        opts.progress({ type: 'step-done', id: step.id, title: step.title, ms: opts.now().getTime() - t0, skipped: 'already-done' });
        journal?.recordStep({ id: step.id, title: step.title, finishedAt: opts.now().toISOString() });
        completed.push(step);
        continue;
      }
      for (const change of step.changes ?? []) await applyChange(kube, change);
      const skipProcedural = opts.dryRun === 'server' && step.serverDryRun !== 'run';
      if (step.run && !skipProcedural) Object.assign(artifacts, (await step.run(stepCtx)) ?? {});
      if (step.verify && opts.dryRun === 'none') await step.verify(stepCtx);
      const produced = step.run ? pickNew(artifacts, journal?.artifacts() ?? {}) : undefined;
      journal?.recordStep({ id: step.id, title: step.title, finishedAt: opts.now().toISOString(), artifacts: produced });
      opts.progress({ type: 'step-done', id: step.id, title: step.title, ms: opts.now().getTime() - t0 });
      completed.push(step);
      ran.push(step.id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      opts.progress({ type: 'step-failed', id: step.id, title: step.title, ms: opts.now().getTime() - t0, error: message });
      throw await failure(plan, step, err, completed, journal, opts, ctx);
    }
  }
  journal?.finish(opts.now());
  opts.progress({ type: 'done', operation: plan.operation, target: plan.target, ms: opts.now().getTime() - started, dryRun: opts.dryRun });
  return { status: 'completed', artifacts, ran, journal: journal?.path };
}

function openJournal(plan: Plan, opts: ExecuteOptions): Journal | undefined {
  const wanted = plan.journal === true && opts.dryRun === 'none';
  if (!wanted) {
    if (opts.resume && opts.dryRun === 'none') throw new UsageError(`${plan.operation} keeps no journal: run it again without --resume, it converges`);
    return undefined;
  }
  const path = journalPath(opts.env, plan.operation, opts.kube.server, plan.target);
  const existing = Journal.read(path);
  if (opts.resume) {
    if (!existing) throw new UsageError(`no interrupted ${plan.operation} of ${plan.target} to resume (no journal at ${path})`);
    if (existing.finishedAt) {
      throw new InterlockError(`the ${plan.operation} of ${plan.target} already finished at ${existing.finishedAt}: nothing to resume`, {
        hint: 'run the command again without --resume to start a new run',
      });
    }
    // A resumed run reuses what the first run observed (original replicas, snapshot keys).
    if (existing.memo) plan.memo = existing.memo;
    return Journal.continue(path, existing);
  }
  if (existing && !existing.finishedAt) {
    const done = existing.steps.map((s) => s.title);
    throw new InterlockError(
      `an earlier ${plan.operation} of ${plan.target} stopped unfinished (started ${existing.startedAt}; finished steps: ${done.length ? done.join(', ') : 'none'})`,
      { hint: `re-run with --resume to continue it, or delete ${path} to start over` },
    );
  }
  return Journal.start(path, { operation: plan.operation, target: plan.target, server: opts.kube.server, memo: plan.memo }, opts.now());
}

async function confirmDestructive(plan: Plan, opts: ExecuteOptions, journal: Journal | undefined): Promise<void> {
  const pending = plan.steps.filter((s) => s.destructive && !journal?.isDone(s.id));
  if (!pending.length || opts.yes || opts.dryRun === 'server') return;
  const question = `${plan.operation} ${plan.target} will: ${pending.map((s) => s.title).join('; ')}. Continue? [y/N] `;
  if (!opts.confirm) {
    throw new InterlockError(`refusing to ${plan.operation} ${plan.target} without confirmation: it has destructive steps (${pending.map((s) => s.title).join('; ')})`, {
      hint: 'pass -y/--yes to confirm, or --dry-run=client to see the plan',
    });
  }
  if (!(await opts.confirm(question))) throw new InterlockError(`${plan.operation} cancelled: nothing was changed`);
}

/** Performs one declarative change. Creating what exists with ifExists=skip is success. */
export async function applyChange(kube: KubeClient, change: Change): Promise<void> {
  const { ref } = change;
  switch (change.op) {
    case 'patch':
      await kube.patch(ref.resource, ref.namespace, ref.name, change.patch, change.patchType, { subresource: change.subresource });
      return;
    case 'create':
      try {
        await kube.create(ref.resource, ref.namespace, change.body);
      } catch (err) {
        if (change.ifExists === 'skip' && isAlreadyExists(err)) return;
        throw err;
      }
      return;
    case 'delete':
      await kube.delete(ref.resource, ref.namespace, ref.name, { propagationPolicy: change.propagationPolicy });
      return;
    case 'scale':
      if (!ref.namespace) throw new Error(`scale needs a namespace: ${describeRef(ref)}`);
      await kube.scale(ref.resource, ref.namespace, ref.name, change.replicas);
      return;
  }
}

async function failure(
  plan: Plan,
  failed: Step,
  err: unknown,
  completed: Step[],
  journal: Journal | undefined,
  opts: ExecuteOptions,
  ctx: (step: Step) => StepContext,
): Promise<RuntimeError> {
  const cause = err instanceof Error ? err.message : String(err);
  const undoable = completed.filter((s) => s.undo).reverse();
  const undone: string[] = [];
  const notUndone: string[] = [];
  for (const step of undoable) {
    const undo = step.undo!;
    try {
      const kube = opts.dryRun === 'server' ? opts.kube.withServerDryRun() : opts.kube;
      for (const change of undo.changes ?? []) await applyChange(kube, change);
      if (undo.run && opts.dryRun === 'none') await undo.run(ctx(step));
      undone.push(undo.title);
      opts.progress({ type: 'undo', title: undo.title, ok: true });
    } catch (e) {
      notUndone.push(undo.title);
      opts.progress({ type: 'undo', title: undo.title, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const lasting = completed.filter((s) => !s.undo).map((s) => s.title);
  const fullyRestored = notUndone.length === 0 && lasting.length === 0;
  if (journal && fullyRestored) journal.remove();
  const state = fullyRestored
    ? completed.length
      ? `everything done before the failure was undone (${undone.join('; ')})`
      : 'nothing was changed before the failure'
    : [
        lasting.length ? `done and kept: ${lasting.join('; ')}` : '',
        undone.length ? `undone: ${undone.join('; ')}` : '',
        notUndone.length ? `could NOT undo: ${notUndone.join('; ')}` : '',
      ]
        .filter(Boolean)
        .join('. ');
  const hint = journal && !fullyRestored ? `fix the cause, then re-run the same command with --resume to continue from "${failed.title}" (journal: ${journal.path})` : 'fix the cause and run the command again';
  return new RuntimeError(`${plan.operation} ${plan.target} failed at step "${failed.title}": ${cause}`, { cause: err, state, hint });
}

function pickNew(all: Record<string, unknown>, before: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (!(k in before)) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

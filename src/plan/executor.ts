/**
 * The one plan executor. It:
 * - refuses a plan with blockers (exit 3, naming each override flag);
 * - for --dry-run=client, hands the plan to the renderer and touches nothing;
 * - asks before destructive steps (a TTY prompt, -y, or exit 3 when neither is possible);
 * - runs the steps in order, skipping those already done (their isDone check or the journal);
 * - sends every write with dryRun=All for --dry-run=server;
 * - journals finished steps so that --resume continues a killed run;
 * - on failure, undoes what it can in reverse order and says exactly what state is left;
 * - on an interrupt (its `signal` aborted), stops at once and says which step may be half done.
 */
import type { KubeClient } from '../kube/client.ts';
import type { S3ClientLike } from '../aws/s3.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { InterlockError, InterruptedError, RuntimeError, UsageError } from '../util/errors.ts';
import { isRetryable } from '../kube/errors.ts';
import { applyChange } from './apply.ts';
import { Journal, journalPath } from './journal.ts';
import type { ClusterRole, DryRunMode, HeldLock, Plan, Step, StepContext } from './plan.ts';
import type { ProgressSink } from './progress.ts';

export interface ExecuteOptions {
  /** The management cluster the plan was made against. */
  kube: KubeClient;
  /** Other clusters the steps act on (DR source/target, the guest cluster). */
  clusters?: Partial<Record<ClusterRole, KubeClient>>;
  /** The S3 client factory; a plan that needs none never calls it. */
  s3?: () => Promise<S3ClientLike>;
  /** Monotonic clock and sleep for waits; default real time. */
  clock?: Clock;
  /** Aborted on Ctrl-C/SIGTERM; its reason is the signal's name. */
  signal?: AbortSignal;
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
  /** Waits before a step is run again after a transient failure (default STEP_RETRY_DELAYS_MS; tests pass []). */
  stepRetryDelaysMs?: number[];
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
      {
        hint:
          plan.blockers
            .filter((b) => b.override)
            .map((b) => `${b.override} overrides "${b.message}"`)
            .join('; ') || undefined,
      },
    );
  }
  if (opts.dryRun === 'client') {
    opts.printPlan(plan);
    return { status: 'planned', artifacts: {}, ran: [] };
  }
  for (const message of plan.warnings) opts.progress({ type: 'warning', message });

  // Locks first: a second run meets the holder's name, not the first run's unfinished journal.
  const held = await acquireLocks(plan, opts);
  try {
    const journal = openJournal(plan, opts);
    await confirmDestructive(plan, opts, journal);
    return await runSteps(plan, { ...opts, signal: held.signal }, journal, held);
  } finally {
    await held.release({ nothingChanged: !held.touched });
  }
}

async function runSteps(plan: Plan, opts: ExecuteOptions, journal: Journal | undefined, held: HeldLocks): Promise<ExecutionResult> {
  const serverDry = (k: KubeClient) => (opts.dryRun === 'server' ? k.withServerDryRun() : k);
  const kube = serverDry(opts.kube);
  const clusters: Partial<Record<ClusterRole, KubeClient>> = {};
  for (const [role, client] of Object.entries(opts.clusters ?? {}) as [ClusterRole, KubeClient][]) clusters[role] = serverDry(client);
  const artifacts: Record<string, unknown> = { ...(journal?.artifacts() ?? {}) };
  const base = opts.clock ?? realClock;
  const clock: Clock = { now: () => base.now(), sleep: (ms) => untilInterrupted(base.sleep(ms), opts.signal) };
  const noS3 = async (): Promise<S3ClientLike> => {
    throw new Error(`${plan.operation} was run without an S3 client factory`);
  };
  const ctx = (step: Step): StepContext => ({
    kube,
    clusters,
    s3: opts.s3 ?? noS3,
    dryRun: opts.dryRun === 'server' ? 'server' : 'none',
    artifacts,
    now: opts.now,
    clock,
    progress: (message, transfer) => opts.progress({ type: 'step-progress', id: step.id, message, ...(transfer ? { transfer } : {}) }),
    warn: (message) => opts.progress({ type: 'warning', message }),
  });

  const started = opts.now().getTime();
  opts.progress({ type: 'plan', operation: plan.operation, target: plan.target, steps: plan.steps.length });
  const completed: Step[] = [];
  const ran: string[] = [];
  for (const [index, step] of plan.steps.entries()) {
    const t0 = opts.now().getTime();
    if (held.lost) throw lockLost(plan, held.lost, journal, undefined);
    if (opts.signal?.aborted) throw interrupted(plan, opts, journal, undefined);
    opts.progress({ type: 'step-start', index, total: plan.steps.length, id: step.id, title: step.title });
    if (journal?.isDone(step.id)) {
      opts.progress({ type: 'step-done', id: step.id, title: step.title, ms: 0, skipped: 'journal' });
      completed.push(step);
      continue;
    }
    held.touched = true;
    try {
      const stepCtx = ctx(step);
      const attempt = async (): Promise<'already-done' | 'ran'> => {
        if (step.isDone && opts.dryRun === 'none' && (await untilInterrupted(step.isDone(stepCtx), opts.signal))) return 'already-done';
        // A write whose answer was lost is read back by the kube layer, not sent twice (delete, scale, merge patch).
        for (const change of step.changes ?? []) await untilInterrupted(applyChange(kube, change), opts.signal);
        const skipProcedural = opts.dryRun === 'server' && step.serverDryRun !== 'run';
        if (step.run && !skipProcedural) Object.assign(artifacts, (await untilInterrupted(step.run(stepCtx), opts.signal)) ?? {});
        if (step.verify && opts.dryRun === 'none') await untilInterrupted(step.verify(stepCtx), opts.signal);
        return 'ran';
      };
      if ((await withTransientRetries(step, attempt, opts, clock)) === 'already-done') {
        opts.progress({ type: 'step-done', id: step.id, title: step.title, ms: opts.now().getTime() - t0, skipped: 'already-done' });
        journal?.recordStep({ id: step.id, title: step.title, finishedAt: opts.now().toISOString() });
        crashForTest(opts.env, step.id);
        completed.push(step);
        continue;
      }
      const produced = step.run ? pickNew(artifacts, journal?.artifacts() ?? {}) : undefined;
      journal?.recordStep({ id: step.id, title: step.title, finishedAt: opts.now().toISOString(), artifacts: produced });
      opts.progress({ type: 'step-done', id: step.id, title: step.title, ms: opts.now().getTime() - t0 });
      crashForTest(opts.env, step.id);
      completed.push(step);
      ran.push(step.id);
    } catch (err) {
      if (err instanceof PlanInterrupted && held.lost) throw lockLost(plan, held.lost, journal, step);
      if (err instanceof PlanInterrupted) throw interrupted(plan, opts, journal, step);
      const message = err instanceof Error ? err.message : String(err);
      opts.progress({ type: 'step-failed', id: step.id, title: step.title, ms: opts.now().getTime() - t0, error: message });
      throw await failure(plan, step, err, completed, journal, opts, ctx);
    }
  }
  journal?.finish(opts.now());
  opts.progress({ type: 'done', operation: plan.operation, target: plan.target, ms: opts.now().getTime() - started, dryRun: opts.dryRun });
  return { status: 'completed', artifacts, ran, journal: journal?.path };
}

/**
 * Waits before a step is run again after a transient failure: 1 s, 3 s, 8 s, then the failure
 * stands (and the plan's undo runs). Without them one 500 on one create of a 48-step dr migrate
 * rolled the whole backup back, and the next attempt started over with a new snapshot (issue 11's
 * fault injection: 1 of 3 migrations converged at 10% faults).
 */
export const STEP_RETRY_DELAYS_MS = [1_000, 3_000, 8_000];

/**
 * Runs one attempt of a step, and again from its isDone check after a transient API failure the
 * request layer could not retry (a write answered 5xx without Retry-After, a reset connection).
 * Running a step again is what --resume does after a crash, so every step converges when repeated;
 * here it just happens without the user. Anything else (a refusal, a timeout, an interrupt) stands.
 */
async function withTransientRetries<T>(step: Step, attempt: () => Promise<T>, opts: ExecuteOptions, clock: Clock): Promise<T> {
  const delays = opts.stepRetryDelaysMs ?? STEP_RETRY_DELAYS_MS;
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof PlanInterrupted || i >= delays.length || !isRetryable(err)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      opts.progress({
        type: 'warning',
        message: `step "${step.title}": ${message} (transient); running it again in ${delays[i] / 1000}s (retry ${i + 1} of ${delays.length})`,
      });
      await clock.sleep(delays[i]);
    }
  }
}

interface HeldLocks {
  /** The run's signal: the caller's, also aborted when a lock is lost. */
  signal: AbortSignal | undefined;
  /** Set when a lock was lost during the run. */
  lost?: Error;
  /** Set once a step starts (not one skipped by the journal): the run may have changed something. */
  touched?: boolean;
  release(outcome?: { nothingChanged?: boolean }): Promise<void>;
}

/**
 * Takes the plan's locks (ownership Leases) in order, on the cluster each names, with the same
 * dry-run client as the steps (so --dry-run=server checks the holder and writes nothing). A lock
 * that cannot be taken releases those already held and refuses the run; a lock lost later aborts it.
 */
async function acquireLocks(plan: Plan, opts: ExecuteOptions): Promise<HeldLocks> {
  const locks = plan.locks ?? [];
  if (!locks.length) return { signal: opts.signal, release: async () => {} };
  const lostController = new AbortController();
  const state: HeldLocks = {
    signal: opts.signal ? AbortSignal.any([opts.signal, lostController.signal]) : lostController.signal,
    release: async (outcome) => {
      for (const h of held.reverse()) {
        await h
          .release(outcome)
          .catch((err: unknown) =>
            opts.progress({ type: 'warning', message: `could not release a lock: ${err instanceof Error ? err.message : String(err)}` }),
          );
      }
    },
  };
  const held: HeldLock[] = [];
  const hooks = {
    warn: (message: string) => opts.progress({ type: 'warning', message }),
    now: opts.now,
    lost: (error: Error) => {
      state.lost ??= error;
      lostController.abort('a lost lock');
    },
  };
  try {
    for (const lock of locks) {
      const client = lock.cluster ? opts.clusters?.[lock.cluster] : opts.kube;
      if (!client) throw new UsageError(`${plan.operation} needs a connection to the ${lock.cluster} cluster for ${lock.title}`);
      held.push(await lock.acquire(opts.dryRun === 'server' ? client.withServerDryRun() : client, hooks));
    }
  } catch (err) {
    await state.release({ nothingChanged: true });
    throw lockNotTaken(plan, opts, err);
  }
  return state;
}

/**
 * A lock that could not be taken for a reason other than its holder (a lost answer, a 429 without
 * Retry-After, an unreachable server) stops the run before its first step: say so, and how to go on.
 */
function lockNotTaken(plan: Plan, opts: ExecuteOptions, err: unknown): unknown {
  if (err instanceof InterlockError || err instanceof UsageError || err instanceof InterruptedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RuntimeError(`${plan.operation} ${plan.target}: could not take its ownership lease: ${message}`, {
    cause: err,
    state: 'nothing was changed by this run: it stopped while taking its lease, before its first step',
    hint: opts.resume ? 'run it again with --resume' : 'run the same command again',
  });
}

function lockLost(plan: Plan, lost: Error, journal: Journal | undefined, step: Step | undefined): RuntimeError {
  return new RuntimeError(`${plan.operation} ${plan.target} stopped: ${lost.message}`, {
    cause: lost,
    state: step ? `step "${step.title}" may be half done; nothing was undone, since another run may own the cluster now` : 'stopped between steps',
    hint: `find out who holds the lease before running again${journal ? ` (journal: ${journal.path}, --resume continues it)` : ''}`,
  });
}

/**
 * Test hook for crash matrices: `HCP_TEST_CRASH_AFTER=<step id>` kills the process with SIGKILL right
 * after that step is journaled, as a power cut or an OOM kill would, so a test can prove that
 * `--resume` converges from every step. Comma-separated ids are allowed; unset in production.
 */
function crashForTest(env: NodeJS.ProcessEnv, id: string): void {
  const after = env.HCP_TEST_CRASH_AFTER;
  if (after && after.split(',').includes(id)) process.kill(process.pid, 'SIGKILL');
}

function openJournal(plan: Plan, opts: ExecuteOptions): Journal | undefined {
  const wanted = plan.journal === true && opts.dryRun === 'none';
  if (!wanted) {
    if (opts.resume && opts.dryRun === 'none') throw new UsageError(`${plan.operation} keeps no journal: run it again without --resume, it converges`);
    return undefined;
  }
  const path = journalPath(opts.env, plan.operation, journalServers(opts), plan.target);
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
  return Journal.start(
    path,
    { operation: plan.operation, target: plan.target, server: opts.kube.server, clusters: clusterServers(opts), memo: plan.memo },
    opts.now(),
  );
}

/** Every cluster's API server, by role: the journal of a DR run is tied to both ends. */
function clusterServers(opts: ExecuteOptions): Record<string, string> | undefined {
  const entries = Object.entries(opts.clusters ?? {}).map(([role, k]) => [role, k!.server] as const);
  return entries.length ? Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b))) : undefined;
}

function journalServers(opts: ExecuteOptions): string[] {
  return [opts.kube.server, ...Object.entries(clusterServers(opts) ?? {}).map(([role, server]) => `${role}=${server}`)];
}

async function confirmDestructive(plan: Plan, opts: ExecuteOptions, journal: Journal | undefined): Promise<void> {
  const pending = plan.steps.filter((s) => s.destructive && !journal?.isDone(s.id));
  if (!pending.length || opts.yes || opts.dryRun === 'server') return;
  const question = `${plan.operation} ${plan.target} will: ${pending.map((s) => s.title).join('; ')}. Continue? [y/N] `;
  if (!opts.confirm) {
    throw new InterlockError(
      `refusing to ${plan.operation} ${plan.target} without confirmation: it has destructive steps (${pending.map((s) => s.title).join('; ')})`,
      {
        hint: 'pass -y/--yes to confirm, or --dry-run=client to see the plan',
      },
    );
  }
  if (!(await opts.confirm(question))) throw new InterlockError(`${plan.operation} cancelled: nothing was changed`);
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
  // Nothing before the last step that forbids it is undone (Step.noUndoPast).
  const barrier = completed.findLastIndex((s) => s.noUndoPast !== undefined);
  const undoable = completed
    .slice(barrier + 1)
    .filter((s) => s.undo)
    .reverse();
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
  const lasting = completed.filter((s, i) => !s.undo || i <= barrier).map((s) => s.title);
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
        barrier >= 0 ? `nothing before "${completed[barrier].title}" was undone: ${completed[barrier].noUndoPast}` : '',
      ]
        .filter(Boolean)
        .join('. ');
  const hint =
    journal && !fullyRestored
      ? `fix the cause, then re-run the same command with --resume to continue from "${failed.title}" (journal: ${journal.path})`
      : 'fix the cause and run the command again';
  return new RuntimeError(`${plan.operation} ${plan.target} failed at step "${failed.title}": ${cause}`, { cause: err, state, hint });
}

function pickNew(all: Record<string, unknown>, before: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (!(k in before)) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** Raised inside the executor when the run's signal is aborted; turned into an InterruptedError. */
class PlanInterrupted extends Error {}

/** Settles with `work`, or rejects with PlanInterrupted as soon as `signal` aborts (the work is abandoned). */
function untilInterrupted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(new PlanInterrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(new PlanInterrupted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function interrupted(plan: Plan, opts: ExecuteOptions, journal: Journal | undefined, step: Step | undefined): InterruptedError {
  opts.progress({ type: 'interrupted', id: step?.id });
  const by = typeof opts.signal?.reason === 'string' ? opts.signal.reason : 'an interrupt';
  return new InterruptedError(
    `${plan.operation} ${plan.target} interrupted by ${by}${step ? ` during step "${step.title}"; that step may be half done` : ' between steps'}`,
    {
      hint: `run the same command again${journal ? ' with --resume' : ''}: finished steps are skipped and the plan converges`,
    },
  );
}

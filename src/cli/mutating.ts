/**
 * The base of every command that changes a cluster. kubectl's Complete → Validate → Run, as code:
 *
 *   load()      lazy imports of the modules the other phases use (nothing else)
 *   validate()  pure and synchronous: every usage error (exit 2), before any client exists
 *   observe()   the reads the plan needs
 *   plan()      pure: (inputs, observed state) → Plan
 *   execute     the one executor (runPlan): dry-run, confirmation, journal, undo, interrupts
 *   report()    the result line and data, printed only when the plan ran
 *
 * The base calls them in that order and owns the kube client, --dry-run/-y/-o, the
 * "(server dry run)" suffix and the exit codes, so no API call can happen before every input is
 * checked: `kube()` refuses to create a client until validate() has returned.
 */
import { Option } from 'clipanion';
import { setMaxListeners } from 'node:events';
import { HcpCommand } from './base.ts';
import { outputOption, parseDryRun } from './flags.ts';
import type { OutputFormat } from '../output/output.ts';
import type { DryRunMode, Plan } from '../plan/plan.ts';
import type { ExecuteOptions, ExecutionResult } from '../plan/executor.ts';
import type { KubeClient } from '../kube/client.ts';
import { ConnectionError } from '../kube/errors.ts';
import { InterlockError, InterruptedError, RuntimeError } from '../util/errors.ts';

/**
 * The API server could not be reached while the command was still reading: say that nothing was
 * changed and that running it again is safe (a fault mid-read must not leave the user guessing).
 */
function nothingChangedYet(err: unknown): never {
  if (err instanceof ConnectionError && !err.hint)
    throw new ConnectionError(err.message, {
      cause: err.cause ?? err,
      hint: 'nothing was changed yet (it failed while reading the cluster): run the same command again',
    });
  throw err;
}

/** What a command prints after its plan ran: data for -o json|yaml and a text line (or lines). */
export interface Report {
  value: Record<string, unknown>;
  text: string;
}

export const SERVER_DRY_RUN_SUFFIX = ' (server dry run)';

/**
 * `Target` is what one plan is made for. Most commands have one (the observed state itself);
 * fleet commands (--all, -l) observe many and override targetsOf(): their plans then run with
 * bounded concurrency (--concurrency), one result line per target, failures aggregated at the end.
 */
export abstract class MutatingCommand<Input = void, Observed = void, Target = Observed> extends HcpCommand {
  dryRun = Option.String('--dry-run', 'none', {
    tolerateBoolean: true,
    description: 'none: apply; client: print the plan and every patch, change nothing; server: send every write with dryRun=All',
  });
  yes = Option.Boolean('-y,--yes', false, { description: 'Do not ask before destructive steps' });
  output = outputOption();

  /** Aborted by Ctrl-C/SIGTERM while the command runs; the executor stops at once. */
  protected readonly interrupt = new AbortController();

  /** Imports the modules the phases use (`await import`, so start-up stays fast). No I/O. */
  protected async load(): Promise<void> {}
  /** Every usage error, pure and synchronous. Returns the checked inputs. */
  protected abstract validate(): Input;
  /** Reads the state the plan needs. */
  protected abstract observe(kube: KubeClient, input: Input): Promise<Observed>;
  /** The targets to plan for; default the observed state itself (one plan). */
  protected targetsOf(observed: Observed): Target[] {
    return [observed as unknown as Target];
  }
  /** How many targets' plans run at once (fleet commands: --concurrency). */
  protected concurrency(): number {
    return 1;
  }
  /** Pure: what to do for one target. */
  protected abstract plan(input: Input, target: Target): Plan;
  /** Runs after plan() and before execution, for checks that ask (typing a name). Default none. */
  protected async beforeExecute(_plan: Plan, _input: Input, _target: Target): Promise<void> {}
  /** What to print once the plan ran; nothing is printed for --dry-run=client. */
  protected abstract report(result: ExecutionResult, input: Input, target: Target): Report;
  /** Said when a fleet selection matched nothing. */
  protected noTargetsMessage = 'Nothing matched.';
  /** Extra executor options (other clusters, S3, --resume). */
  protected executeOptions(_input: Input): Promise<Partial<ExecuteOptions>> | Partial<ExecuteOptions> {
    return {};
  }

  protected get dryRunMode(): DryRunMode {
    return parseDryRun(this.dryRun);
  }

  async run(): Promise<void> {
    await this.load();
    const input = this.validateAll();
    await this.whileListening(async () => {
      const kube = await this.kube();
      const targets = this.targetsOf(await this.interruptible(this.observe(kube, input)).catch(nothingChangedYet));
      const options = await this.executeOptions(input);
      if (targets.length === 0) return this.out.note(this.noTargetsMessage);
      if (targets.length === 1) return this.runOne(kube, input, targets[0], options);
      await this.runFleet(kube, input, targets, options);
    });
  }

  private async runOne(kube: KubeClient, input: Input, target: Target, options: Partial<ExecuteOptions> & { quiet?: boolean }): Promise<void> {
    const plan = this.plan(input, target);
    await this.beforeExecute(plan, input, target);
    const result = await this.runPlan(plan, kube, options);
    if (result.status === 'completed') this.printReport(this.report(result, input, target));
  }

  /**
   * Many targets: at most concurrency() plans at once, a result line per target as it finishes
   * (steps are not shown, warnings are, prefixed with the target), every failure collected and
   * reported at the end with the exit code of the first (STYLE: operations on several targets
   * aggregate their errors). An interrupt stops them all.
   */
  private async runFleet(kube: KubeClient, input: Input, targets: Target[], options: Partial<ExecuteOptions>): Promise<void> {
    const { mapBounded, serialized } = await import('../util/concurrency.ts');
    const confirm = this.context.stdinIsTTY ? serialized(async (q: string) => /^y(es)?$/i.test((await this.context.prompt(q)).trim())) : undefined;
    const labels = new Map<Target, string>();
    const outcomes = await mapBounded(
      targets,
      this.concurrency(),
      async (target) => {
        const plan = this.plan(input, target);
        labels.set(target, plan.target);
        await this.beforeExecute(plan, input, target);
        const result = await this.runPlan(plan, kube, { confirm, ...options, quiet: true });
        if (result.status === 'completed') this.printReport(this.report(result, input, target));
      },
      (target, outcome) => {
        if (!outcome.ok && !(outcome.error instanceof InterruptedError)) this.out.error(`${labels.get(target) ?? 'a target'}: ${errorMessage(outcome.error)}`);
      },
    );
    const failures = outcomes.flatMap((o, i) => (o.ok ? [] : [{ target: labels.get(targets[i]) ?? String(i), error: o.error }]));
    if (!failures.length) return;
    const interrupted = failures.find((f) => f.error instanceof InterruptedError);
    if (interrupted)
      throw new InterruptedError(`interrupted: ${targets.length - failures.length} of ${targets.length} finished, ${failures.length} stopped or failed`, {
        hint: 'run the same command again: finished plans are skipped and the rest converges',
      });
    const first = failures[0].error;
    const message = `${failures.length} of ${targets.length} failed: ${failures.map((f) => f.target).join(', ')}`;
    throw first instanceof InterlockError ? new InterlockError(message) : new RuntimeError(message, { cause: first });
  }

  /** The global flags, --dry-run, then the command's own validate(); only then may a client be made. */
  protected validateAll(): Input {
    this.validateGlobals();
    parseDryRun(this.dryRun);
    this.kubeAllowed = false;
    const input = this.validate();
    this.kubeAllowed = true;
    return input;
  }

  /**
   * Prints a Report: one JSON line with -o json (after the NDJSON progress), YAML, or text with the
   * server-dry-run suffix. Its kind is the command's plus Result (PauseResult, EtcdSnapshotResult).
   */
  protected printReport(report: Report): void {
    const format = this.output as OutputFormat;
    const value = { ...report.value, dryRun: this.dryRunMode };
    const [first, ...rest] = report.text.split('\n');
    const text = [`${first}${this.dryRunMode === 'server' ? SERVER_DRY_RUN_SUFFIX : ''}`, ...rest].join('\n');
    const kind = `${this.out.defaultKind}Result`;
    if (format === 'json') this.out.ndjson(kind, { type: 'result', ...value });
    else if (format === 'yaml') this.out.data(format, value, () => text, kind);
    else this.out.print(text);
  }

  /** Turns SIGINT/SIGTERM into an abort of this command's run while `body` runs. */
  protected async whileListening<T>(body: () => Promise<T>): Promise<T> {
    setMaxListeners(0, this.interrupt.signal); // one listener per concurrent plan in fleet runs
    const stop = this.context.onInterrupt?.((signal) => this.interrupt.abort(signal));
    try {
      return await body();
    } finally {
      stop?.();
    }
  }

  /** Reads before a plan exists are abandoned on an interrupt: nothing was changed yet. */
  protected interruptible<T>(work: Promise<T>): Promise<T> {
    const signal = this.interrupt.signal;
    if (signal.aborted) return Promise.reject(this.interruptedBeforeChanges());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.interruptedBeforeChanges());
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private interruptedBeforeChanges(): InterruptedError {
    return new InterruptedError(`${this.path.join(' ')} interrupted by ${String(this.interrupt.signal.reason)} before any change`);
  }

  /** Runs a plan through the executor with this command's flags, streams and renderers. */
  protected async runPlan(plan: Plan, kube: KubeClient, extra: Partial<ExecuteOptions> & { quiet?: boolean } = {}): Promise<ExecutionResult> {
    const { executePlan } = await import('../plan/executor.ts');
    const { lineProgress, PLAN_EVENT_KIND } = await import('../plan/progress.ts');
    const { planToData, renderPlanText } = await import('../plan/render.ts');
    const format = this.output as OutputFormat;
    const ctx = this.context;
    const { quiet, ...options } = extra;
    const progress =
      format === 'json'
        ? (event: import('../plan/progress.ts').ProgressEvent) => this.out.ndjson(PLAN_EVENT_KIND, event)
        : quiet
          ? quietProgress((message) => this.out.warn(`${plan.target}: ${message}`))
          : lineProgress(ctx.stderr, { tty: ctx.stderrIsTTY, colour: (text, c) => this.out.paint(text, c, 'stderr') });
    return executePlan(plan, {
      kube,
      dryRun: this.dryRunMode,
      yes: this.yes,
      resume: false,
      env: ctx.env,
      now: ctx.now,
      clock: ctx.clock,
      signal: this.interrupt.signal,
      progress,
      confirm: ctx.stdinIsTTY ? async (q) => /^y(es)?$/i.test((await ctx.prompt(q)).trim()) : undefined,
      printPlan: (p) => this.out.data(format, planToData(p), () => renderPlanText(p), 'Plan'),
      ...options,
    });
  }
}

/** Fleet runs show a line per cluster, not every step: only warnings get through. */
function quietProgress(warn: (message: string) => void): import('../plan/progress.ts').ProgressSink {
  return (event) => {
    if (event.type === 'warning') warn(event.message);
  };
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

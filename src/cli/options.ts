/**
 * Options shared by many commands, and the base for commands that change the cluster: they all
 * take --dry-run, -y and --resume, and run their Plan through the one executor.
 */
import { Option } from 'clipanion';
import * as t from 'typanion';
import { HcpCommand } from './base.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/output.ts';
import type { DryRunMode, Plan } from '../plan/plan.ts';
import { DRY_RUN_MODES } from '../plan/plan.ts';
import type { ExecutionResult } from '../plan/executor.ts';
import type { KubeClient } from '../kube/client.ts';
import { ExitCode, HcpError, InterlockError, RuntimeError, UsageError } from '../util/errors.ts';

export const outputOption = () =>
  Option.String('-o,--output', 'table', {
    description: 'Output format: table, json or yaml',
    validator: t.isEnum(OUTPUT_FORMATS as OutputFormat[]),
  });

export function parseDryRun(value: string | boolean | undefined): DryRunMode {
  if (value === undefined || value === false) return 'none';
  if (value === true) return 'client'; // kubectl's bare --dry-run
  if ((DRY_RUN_MODES as readonly string[]).includes(value)) return value as DryRunMode;
  throw new UsageError(`--dry-run=${value} is not valid: use none, client or server`);
}

export abstract class MutatingCommand extends HcpCommand {
  dryRun = Option.String('--dry-run', 'none', {
    tolerateBoolean: true,
    description: 'none: apply; client: print the plan and every patch, change nothing; server: send every write with dryRun=All',
  });
  yes = Option.Boolean('-y,--yes', false, { description: 'Do not ask before destructive steps' });
  output = outputOption();

  protected get dryRunMode(): DryRunMode {
    return parseDryRun(this.dryRun);
  }

  /** Validates the flags every mutating command shares; call it before any API call. */
  protected validateCommon(): void {
    parseDryRun(this.dryRun);
    this.validateGlobals();
  }

  /** Prints the outcome: one JSON line with -o json (after the NDJSON progress), YAML, or text. */
  protected printResult(value: Record<string, unknown>, text: string): void {
    const format = this.output as OutputFormat;
    if (format === 'json') this.out.print(JSON.stringify({ type: 'result', ...value }));
    else if (format === 'yaml') this.out.data(format, value, () => text);
    else this.out.print(text);
  }

  /** Runs a plan through the executor with this command's flags, streams and renderers. */
  protected async runPlan(plan: Plan, kube: KubeClient, opts: { resume?: boolean } = {}): Promise<ExecutionResult> {
    const { executePlan } = await import('../plan/executor.ts');
    const { lineProgress, ndjsonProgress } = await import('../plan/progress.ts');
    const { planToData, renderPlanText } = await import('../plan/render.ts');
    const format = this.output as OutputFormat;
    const ctx = this.context;
    const render =
      format === 'json'
        ? ndjsonProgress(ctx.stdout)
        : lineProgress(ctx.stderr, { tty: ctx.stderrIsTTY, colour: (text, c) => this.out.paint(text, c, 'stderr') });
    // Interrupted mid-plan (Ctrl-C, a killed job): say where it stopped and how to go on.
    let current: string | undefined;
    const progress: typeof render = (event) => {
      if (event.type === 'step-start') current = event.title;
      render(event);
    };
    const journaled = plan.journal === true && this.dryRunMode === 'none';
    const stopListening = ctx.onInterrupt?.((signal) => {
      render({ type: 'done', operation: plan.operation, target: plan.target, ms: 0, dryRun: this.dryRunMode });
      this.out.error(`${plan.operation} ${plan.target} interrupted by ${signal}${current ? ` during step "${current}"` : ''}; that step may be half done`);
      this.out.note(`hint: run the same command again${journaled ? ' with --resume' : ''}: finished steps are skipped and the plan converges`);
      process.exit(130);
    });
    try {
      return await executePlan(plan, {
        kube,
        dryRun: this.dryRunMode,
        yes: this.yes,
        resume: opts.resume ?? false,
        env: ctx.env,
        now: ctx.now,
        progress,
        confirm: ctx.stdinIsTTY ? async (q) => /^y(es)?$/i.test((await ctx.prompt(q)).trim()) : undefined,
        printPlan: (p) => this.out.data(format, planToData(p), () => renderPlanText(p)),
      });
    } finally {
      stopListening?.();
    }
  }
}

/**
 * Runs `each` for every target, carrying on past failures, and fails at the end with all of them
 * (STYLE: operations on several targets aggregate their errors).
 */
export async function forEachTarget<T>(targets: T[], label: (t: T) => string, each: (t: T) => Promise<void>): Promise<void> {
  const failures: { target: string; error: unknown }[] = [];
  for (const target of targets) {
    try {
      await each(target);
    } catch (error) {
      if (targets.length === 1) throw error;
      failures.push({ target: label(target), error });
    }
  }
  if (!failures.length) return;
  const first = failures[0].error;
  const exitCode = first instanceof HcpError ? first.exitCode : ExitCode.Runtime;
  const message = `${failures.length} of ${targets.length} failed: ${failures.map((f) => `${f.target}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ')}`;
  throw exitCode === ExitCode.Interlock ? new InterlockError(message) : new RuntimeError(message, { cause: first });
}

/** Adds --resume to commands whose plans are journaled. */
export const resumeOption = () => Option.Boolean('--resume', false, { description: 'Continue an interrupted run from its journal' });

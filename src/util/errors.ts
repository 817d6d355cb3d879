/**
 * Typed failures. Every error that reaches the user maps to one exit code:
 *   2  UsageError      the input is invalid; nothing was written
 *   3  InterlockError  a safety interlock refused the operation; nothing was written
 *   1  RuntimeError    something failed while talking to the cluster; `state` says where it was left
 *   130 InterruptedError  Ctrl-C (SIGINT) or SIGTERM stopped a plan; the message says where
 */
export const ExitCode = { Ok: 0, Runtime: 1, Usage: 2, Interlock: 3, Interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class HcpError extends Error {
  readonly exitCode: ExitCode = ExitCode.Runtime;
  /** One line telling the user what to do next (a flag, a command). */
  readonly hint?: string;
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.hint = opts.hint;
  }
}

export class UsageError extends HcpError {
  override readonly exitCode = ExitCode.Usage;
}

/** A blocker from a planner or a preflight check. `override` names the flag that lifts it, if any. */
export class InterlockError extends HcpError {
  override readonly exitCode = ExitCode.Interlock;
}

export class RuntimeError extends HcpError {
  override readonly exitCode = ExitCode.Runtime;
  /** What state the cluster was left in, e.g. "HostedCluster clusters/sample is still paused". */
  readonly state?: string;
  constructor(message: string, opts: { hint?: string; cause?: unknown; state?: string } = {}) {
    super(message, opts);
    this.state = opts.state;
  }
}

/** A plan stopped by SIGINT/SIGTERM: it goes through the normal error path so that tests can see it in-process. */
export class InterruptedError extends HcpError {
  override readonly exitCode = ExitCode.Interrupted;
}

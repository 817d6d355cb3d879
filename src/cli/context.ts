import type { BaseContext } from 'clipanion';
import type { Clock } from '../util/clock.ts';

/**
 * Everything a command needs from the outside world. Tests build one with captured streams and a
 * fixed clock; nothing in src/ reads process.stdout or Date.now() directly.
 */
export interface HcpContext extends BaseContext {
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Whether stdin/stdout are terminals: decides prompts, spinners and colour. */
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Reads one line from the user (only called when stdinIsTTY). */
  prompt: (question: string) => Promise<string>;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt?: (handler: (signal: string) => void) => () => void;
  /** The monotonic clock waits run on (default: real time); tests pass a fake one. */
  clock?: Clock;
}

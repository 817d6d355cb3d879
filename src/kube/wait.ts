/**
 * Poll-based waiting with a deadline and a visible progress message. Every wait in the tool goes
 * through here, so timeouts and messages look the same everywhere.
 */
import { sleep } from './client.ts';
import { formatDuration } from '../util/duration.ts';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Shown while waiting: "waiting for ReconciliationActive=False (now True)". */
  onProgress?: (message: string) => void;
  /** The clock and sleep of the waiting step (a fake clock in unit tests); default real time. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Probe<T> {
  done: boolean;
  /** What is observed now, for the progress line and the timeout message. */
  message: string;
  value?: T;
}

/** Polls until `probe` reports done, or returns the last observation when the deadline passes. */
export async function waitFor<T>(what: string, probe: () => Promise<Probe<T>>, opts: WaitOptions): Promise<Probe<T> & { timedOut: boolean; ms: number }> {
  const now = opts.now ?? Date.now;
  const start = now();
  const interval = opts.intervalMs ?? 1000;
  for (;;) {
    const result = await probe();
    const ms = now() - start;
    if (result.done) return { ...result, timedOut: false, ms };
    if (ms >= opts.timeoutMs) return { ...result, timedOut: true, ms };
    opts.onProgress?.(`waiting for ${what} (${result.message}; ${formatDuration(ms)} of ${formatDuration(opts.timeoutMs)})`);
    await (opts.sleep ?? sleep)(Math.min(interval, Math.max(0, opts.timeoutMs - ms)));
  }
}

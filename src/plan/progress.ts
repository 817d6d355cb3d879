/**
 * Progress of a running plan, reported as events and rendered three ways: a live line with a
 * spinner and timing on a TTY, plain lines in a pipe, NDJSON with -o json. The NDJSON lines are
 * written by the CLI through src/output, each stamped `apiVersion: hcp.kubectl.io/v1alpha1` and
 * `kind: PlanEvent` (README, "Output for scripts"); `type` tells the events apart.
 */
import type { Writable } from 'node:stream';
import { formatDuration } from '../util/duration.ts';
import type { TransferProgress } from './plan.ts';

export type ProgressEvent =
  | { type: 'plan'; operation: string; target: string; steps: number }
  | { type: 'step-start'; index: number; total: number; id: string; title: string }
  | { type: 'step-progress'; id: string; message: string; transfer?: TransferProgress }
  | { type: 'step-done'; id: string; title: string; ms: number; skipped?: 'already-done' | 'journal' }
  | { type: 'step-failed'; id: string; title: string; ms: number; error: string }
  | { type: 'undo'; title: string; ok: boolean; error?: string }
  | { type: 'warning'; message: string }
  | { type: 'interrupted'; id?: string }
  | { type: 'done'; operation: string; target: string; ms: number; dryRun: string };

export type ProgressSink = (event: ProgressEvent) => void;

const PLAIN_PROGRESS_INTERVAL_MS = 10_000;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The kind of an NDJSON progress line (its apiVersion is src/output's API_VERSION). */
export const PLAN_EVENT_KIND = 'PlanEvent';

/** Plain lines for pipes and logs; `tty` adds a spinner line that is rewritten in place. */
export function lineProgress(
  stream: Writable,
  opts: { tty: boolean; colour: (text: string, c: 'green' | 'red' | 'yellow' | 'dim') => string; now?: () => number },
): ProgressSink {
  const now = opts.now ?? Date.now;
  let live: { label: string; started: number; message: string; transfer?: TransferProgress } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  let lastPlain = -Infinity;
  const clear = () => opts.tty && live && stream.write('\r\u001b[2K');
  const draw = () => {
    if (!opts.tty || !live) return;
    const elapsed = formatDuration(now() - live.started);
    const detail = live.transfer ? transferBar(live.transfer) : live.message;
    stream.write(`\r\u001b[2K${SPINNER[frame++ % SPINNER.length]} ${live.label}${detail ? ` — ${detail}` : ''} ${opts.colour(elapsed, 'dim')}`);
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    clear();
    live = undefined;
  };
  return (event) => {
    switch (event.type) {
      case 'step-start': {
        const label = `[${event.index + 1}/${event.total}] ${event.title}`;
        lastPlain = -Infinity;
        if (opts.tty) {
          live = { label, started: now(), message: '' };
          draw();
          timer = setInterval(draw, 100);
          timer.unref();
        } else {
          stream.write(`${label} ...\n`);
        }
        break;
      }
      case 'step-progress':
        if (live) {
          live.message = event.message;
          live.transfer = event.transfer;
          draw();
        } else if (!opts.tty && now() - lastPlain >= PLAIN_PROGRESS_INTERVAL_MS) {
          // In a pipe or a log, one line per interval is enough; a TTY redraws in place instead.
          lastPlain = now();
          stream.write(`    ${event.message}\n`);
        }
        break;
      case 'step-done': {
        const label = live?.label ?? event.title;
        stop();
        const how =
          event.skipped === 'already-done' ? 'already done' : event.skipped === 'journal' ? 'done in an earlier run' : `done (${formatDuration(event.ms)})`;
        stream.write(opts.tty ? `${opts.colour('✓', 'green')} ${label}: ${how}\n` : `    ${how}\n`);
        break;
      }
      case 'step-failed': {
        const label = live?.label ?? event.title;
        stop();
        stream.write(`${opts.tty ? `${opts.colour('✗', 'red')} ${label}: ` : '    '}failed after ${formatDuration(event.ms)}: ${event.error}\n`);
        break;
      }
      case 'undo':
        stream.write(`  undo: ${event.title}: ${event.ok ? 'done' : `FAILED: ${event.error}`}\n`);
        break;
      case 'warning':
        clear();
        stream.write(`${opts.colour('warning:', 'yellow')} ${event.message}\n`);
        draw();
        break;
      case 'done':
      case 'interrupted':
        stop();
        break;
      case 'plan':
        break;
    }
  };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
function bytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${UNITS[i]}`;
}

/** `[██████░░░░░░░░] 42% 1.1 GiB/2.6 GiB 180.0 MiB/s ETA 9s`, or bytes and rate when the size is unknown. */
export function transferBar(t: TransferProgress, width = 20): string {
  const rate = `${bytes(t.bytesPerSecond)}/s`;
  if (!t.total) return `${bytes(t.bytes)} ${rate}`;
  const f = Math.min(1, t.bytes / t.total);
  const full = Math.round(f * width);
  const eta = t.bytesPerSecond > 0 && t.bytes < t.total ? ` ETA ${formatDuration(((t.total - t.bytes) / t.bytesPerSecond) * 1000)}` : '';
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${Math.floor(f * 100)}% ${bytes(t.bytes)}/${bytes(t.total)} ${rate}${eta}`;
}

import { UsageError } from './errors.ts';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Parses a Go `time.Duration` string ("30s", "1h30m", "1.5h", "0") to milliseconds, exactly as
 * Go accepts it: no days, no spaces, and a unit on every number except a lone "0".
 */
export function parseGoDuration(input: string, what = 'duration'): number {
  const bad = () => new UsageError(`${what} "${input}" is not a Go duration (examples: 30s, 5m, 1h30m; units ns, us, ms, s, m, h)`);
  let s = input.trim();
  if (s !== input || s === '') throw bad();
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  let total = 0;
  while (s !== '') {
    const m = GO_DURATION.exec(s);
    if (!m || m[1] === '' || m[1] === '.') throw bad();
    total += Number(m[1]) * UNIT_MS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** Formats milliseconds as a short human duration: 450ms, 12s, 3m4s, 2h5m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}

import { UsageError } from './errors.ts';

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const GO_DURATION = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/;
/** time.Duration is an int64 of nanoseconds: about 2562047h47m16.854s either way. */
const MAX_NS = 2n ** 63n - 1n;

/**
 * Parses a Go `time.Duration` string ("30s", "1h30m", "1.5h", "0") to milliseconds, exactly as
 * Go's time.ParseDuration accepts it: no days, no spaces, a unit on every number except a lone
 * "0", and nothing beyond int64 nanoseconds (the operator could not decode a larger value).
 */
export function parseGoDuration(input: string, what = 'duration'): number {
  const bad = () => new UsageError(`${what} "${input}" is not a Go duration (examples: 30s, 5m, 1h30m; units ns, us, ms, s, m, h)`);
  let s = input.trim();
  if (s !== input || s === '') throw bad();
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  let total = 0n;
  while (s !== '') {
    const m = GO_DURATION.exec(s);
    if (!m || (m[1] === '' && !m[2])) throw bad();
    const unit = UNIT_NS[m[3]];
    const fraction = m[2] ?? '';
    // Integer arithmetic as in Go's ParseDuration, so the range check is exact.
    total += BigInt(m[1] || '0') * unit + (fraction ? (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length) : 0n);
    if (total > MAX_NS + (negative ? 1n : 0n)) {
      throw new UsageError(`${what} "${input}" is out of range: a Go duration is at most 2562047h47m16.854775807s`);
    }
    s = s.slice(m[0].length);
  }
  const ms = Number(total) / 1e6;
  return negative ? -ms : ms;
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

/**
 * The only pausedUntil values the tool writes are "true" and a full RFC3339 time with a zone.
 * FACTS: the CRD's CEL rule also admits a time without a zone, which the operator then fails to
 * parse, silently leaving the cluster unpaused. So the tool validates much more strictly.
 */
import { UsageError } from '../util/errors.ts';
import { parseGoDuration } from '../util/duration.ts';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC3339 time that carries a zone, validating every field as Go's time.Parse does. */
export function parseRfc3339WithZone(input: string): Date {
  const m = RFC3339.exec(input);
  if (!m) {
    const hint = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(input)
      ? ' (it has no zone: the operator would not pause; add Z or an offset like +02:00)'
      : ' (example: 2026-03-03T03:28:48Z)';
    throw new UsageError(`--until "${input}" is not an RFC3339 time with a zone${hint}`);
  }
  const [, y, mo, d, h, mi, s, , zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  const offsetOk = zone === 'Z' || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4, 6)) <= 59);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || !offsetOk) {
    throw new UsageError(`--until "${input}" is not a valid date and time`);
  }
  return new Date(input);
}

/** Formats a time the way the operator parses it best: UTC, seconds precision, `Z`. */
export function formatPausedUntil(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The pausedUntil value for `pause --until T` / `pause --for D` / `pause`: "true" without flags,
 * otherwise a future UTC time. Both flags at once, a past time or a non-positive duration are
 * input errors.
 */
export function pausedUntilValue(opts: { until?: string; for?: string }, now: Date): string {
  if (opts.until !== undefined && opts.for !== undefined) throw new UsageError('--until and --for cannot be used together');
  if (opts.until !== undefined) {
    const until = parseRfc3339WithZone(opts.until);
    if (until.getTime() <= now.getTime()) throw new UsageError(`--until ${opts.until} is in the past (now is ${formatPausedUntil(now)})`);
    // Rounded up to the next second, so that a fraction never makes the time earlier than asked.
    return formatPausedUntil(new Date(Math.ceil(until.getTime() / 1000) * 1000));
  }
  if (opts.for !== undefined) {
    const ms = parseGoDuration(opts.for, '--for');
    if (ms <= 0) throw new UsageError(`--for ${opts.for} must be a positive duration`);
    return formatPausedUntil(new Date(Math.ceil((now.getTime() + ms) / 1000) * 1000));
  }
  return 'true';
}

/**
 * How the operator reads a pausedUntil value (FACTS): Go's strconv.ParseBool first, then
 * time.RFC3339; anything else is invalid and means "not paused".
 */
export type PauseState = { paused: false; invalid?: true } | { paused: true; until?: Date };

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function interpretPausedUntil(value: string | undefined | null, now: Date): PauseState {
  if (value === undefined || value === null || value === '') return { paused: false };
  if (GO_TRUE.has(value)) return { paused: true };
  if (GO_FALSE.has(value)) return { paused: false };
  if (!RFC3339.test(value)) return { paused: false, invalid: true };
  const until = new Date(value);
  if (Number.isNaN(until.getTime())) return { paused: false, invalid: true };
  return until.getTime() > now.getTime() ? { paused: true, until } : { paused: false };
}

// pausedUntil exactly as the HyperShift operator reads it (FACTS.md; support/util/pausereconcile.go
// ProcessPausedUntilField): Go strconv.ParseBool first, then time.RFC3339; anything else is invalid
// and means NOT paused.

export type PausedState = { paused: true; until?: Date; reason: 'ReconciliationPaused' } | { paused: false; reason: 'AsExpected' | 'InvalidPausedUntilValue' };

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
// Go's time.Parse(time.RFC3339, s): fractional seconds are accepted after the seconds.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

export function parseRFC3339(s: string): Date | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, , zone, zh, zm] = m;
  const num = (x: string) => Number(x);
  if (num(mo) < 1 || num(mo) > 12 || num(d) < 1 || num(h) > 23 || num(mi) > 59 || num(se) > 59) return undefined;
  const dim = new Date(Date.UTC(num(y), num(mo), 0)).getUTCDate();
  if (num(d) > dim) return undefined;
  if (zone !== 'Z' && (num(zh) > 23 || num(zm) > 59)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

export function pausedState(value: string | null | undefined, now = new Date()): PausedState {
  if (value === undefined || value === null || value === '') return { paused: false, reason: 'AsExpected' };
  if (TRUE.has(value)) return { paused: true, reason: 'ReconciliationPaused' };
  if (FALSE.has(value)) return { paused: false, reason: 'AsExpected' };
  const t = parseRFC3339(value);
  if (!t) return { paused: false, reason: 'InvalidPausedUntilValue' };
  return t.getTime() > now.getTime() ? { paused: true, until: t, reason: 'ReconciliationPaused' } : { paused: false, reason: 'AsExpected' };
}

/**
 * The ReconciliationActive condition for a parsed pausedUntil, word for word as
 * support/util/pausereconcile.go GenerateReconciliationActiveCondition writes it.
 */
export function reconciliationActiveCondition(value: string | null | undefined, s: PausedState): { status: 'True' | 'False'; reason: string; message: string } {
  if (s.paused) {
    // A bool prints a fixed text; a time prints the raw field value.
    const message = TRUE.has(value ?? '') ? 'Reconciliation paused until field removed' : `Reconciliation paused until: ${value}`;
    return { status: 'False', reason: 'ReconciliationPaused', message };
  }
  if (s.reason === 'InvalidPausedUntilValue') {
    return { status: 'True', reason: 'InvalidPausedUntilValue', message: 'Invalid value provided for PausedUntil field' };
  }
  return { status: 'True', reason: 'AsExpected', message: 'Reconciliation active on resource' };
}

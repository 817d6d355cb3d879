/** Bounded concurrency for work over many items (fleet commands, bulk reads). */

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Runs `each` over `items` with at most `limit` running at once, and returns every outcome in
 * the order of `items` (never rejects: a failure is an outcome). `onSettled` sees each outcome
 * as it happens, e.g. to print a line per item.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  each: (item: T, index: number) => Promise<R>,
  onSettled?: (item: T, outcome: Settled<R>, index: number) => void,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      let outcome: Settled<R>;
      try {
        outcome = { ok: true, value: await each(item, index) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      results[index] = outcome;
      onSettled?.(item, outcome, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Serialises async calls (one prompt at a time while several plans run). */
export function serialized<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (...args: A) => {
    const run = tail.then(() => fn(...args));
    tail = run.catch(() => undefined);
    return run;
  };
}

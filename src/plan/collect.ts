/**
 * The collector for read-only bulk work (dump, and any command that reads many things): every
 * item is read with bounded concurrency, and each ends as ok, forbidden (RBAC said no: skipped
 * with a warning, as cnpg's report does) or error with its reason; one failure never stops the
 * others. The summary counts them and names what was missed.
 */
import { ApiError } from '../kube/errors.ts';
import { mapBounded } from '../util/concurrency.ts';

export type ItemResult<T> =
  | { name: string; status: 'ok'; value: T }
  | { name: string; status: 'forbidden'; reason: string }
  | { name: string; status: 'error'; reason: string };

export interface CollectItem<T> {
  /** What the item is, in the summary and the dump: "pods in clusters-sample". */
  name: string;
  read: () => Promise<T>;
}

export interface Collection<T> {
  results: ItemResult<T>[];
  summary: { ok: number; forbidden: number; error: number; total: number };
}

/** The first line of an error, never a request or response body. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

export async function collect<T>(items: CollectItem<T>[], opts: { concurrency: number; onResult?: (r: ItemResult<T>) => void }): Promise<Collection<T>> {
  const outcomes = await mapBounded(items, opts.concurrency, (item) => item.read());
  const results = outcomes.map((o, i): ItemResult<T> => {
    const name = items[i].name;
    if (o.ok) return { name, status: 'ok', value: o.value };
    if (o.error instanceof ApiError && o.error.statusCode === 403) return { name, status: 'forbidden', reason: reasonOf(o.error) };
    return { name, status: 'error', reason: reasonOf(o.error) };
  });
  for (const r of results) opts.onResult?.(r);
  const count = (s: ItemResult<T>['status']) => results.filter((r) => r.status === s).length;
  return { results, summary: { ok: count('ok'), forbidden: count('forbidden'), error: count('error'), total: results.length } };
}

/** One line: "12 of 14 collected; forbidden: secrets in clusters (…); failed: pods in x (…)". */
export function describeCollection(c: Collection<unknown>): string {
  const { ok, total } = c.summary;
  const list = (status: 'forbidden' | 'error') => c.results.flatMap((r) => (r.status === status ? [`${r.name} (${r.reason})`] : [])).join('; ');
  return [`${ok} of ${total} collected`, c.summary.forbidden ? `forbidden: ${list('forbidden')}` : '', c.summary.error ? `failed: ${list('error')}` : '']
    .filter(Boolean)
    .join('; ');
}

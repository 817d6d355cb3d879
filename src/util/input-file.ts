import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './errors.ts';

/**
 * Reads a file named on the command line, as part of input validation: a missing, unreadable or
 * oversized file is a usage error (exit 2) raised before any API call.
 */
export function readInputFile(path: string, flag: string, maxBytes = 1 << 20): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${flag} ${path} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${flag} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // A ConfigMap or Secret holds at most 1 MiB.
  if (size > maxBytes) throw new UsageError(`${flag} ${path} is ${size} bytes: more than the ${maxBytes} a ConfigMap or Secret can hold`);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** The bad-input convention: exit 2, one line on stderr, nothing on stdout, and no API call. */
import { expect } from 'vitest';
import { runInProcess } from './cli-harness.ts';

export async function expectRejected(argv: string[]): Promise<string> {
  const r = await runInProcess(argv);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  // KUBECONFIG points nowhere: reaching for the cluster would fail with a kubeconfig message.
  expect(r.stderr).not.toMatch(/kubeconfig/);
  return r.stderr;
}

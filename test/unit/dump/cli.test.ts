// dump's input errors: exit 2, one line, no API call (the bad-input convention, test/unit/bad-input.ts).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { expectRejected } from '../bad-input.ts';

const base = mkdtempSync(join(tmpdir(), 'dump-cli-'));
const full = join(base, 'full');
mkdirSync(full);
writeFileSync(join(full, 'x'), 'x');

describe('dump bad input', () => {
  it.each([
    [['dump', 'sample'], /--artifact-dir/],
    [['dump', 'Bad_Name', '--artifact-dir', join(base, 'a')], /HostedCluster "Bad_Name" is not a valid name/],
    [['dump', 'sample', '--artifact-dir', join(base, 'a'), '--since', '1h', '--since-time', '2026-01-01T00:00:00Z'], 'give --since or --since-time, not both'],
    [['dump', 'sample', '--artifact-dir', join(base, 'a'), '--since', 'yesterday'], /--since "yesterday" is not a Go duration/],
    [
      ['dump', 'sample', '--artifact-dir', join(base, 'a'), '--since-time', '2026-01-01T00:00:00'],
      /--since-time "2026-01-01T00:00:00" is not an RFC3339 time with a zone/,
    ],
    [['dump', 'sample', '--artifact-dir', join(base, 'a'), '--concurrency', '0'], /--concurrency/],
    [['dump', 'sample', '--artifact-dir', join(base, 'a'), '--include-namespace', 'ok,Not_OK'], /--include-namespace "Not_OK" is not a valid name/],
    [['dump', 'sample', '--artifact-dir', full], /is not empty: choose an empty or new directory, or --overwrite/],
  ])('%j', async (argv, message) => {
    await expectRejected(argv as string[], message);
  });
});

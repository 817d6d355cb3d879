import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main.ts';
import { renderCommandReference, withCommandReference } from '../../scripts/lib/docs.ts';

describe('README command reference', () => {
  it('is in sync with the commands (run `npm run docs` to regenerate)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withCommandReference(readme, renderCommandReference(buildCli()))).toBe(readme);
  });
});

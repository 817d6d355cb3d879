import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main.ts';
import { commandGroups, renderCommandReference, withCommandReference } from '../../scripts/lib/docs.ts';
import { withCommandGroups } from '../../scripts/lib/krew.ts';
import { EXIT_CODES_HELP } from '../../src/cli/help.ts';

describe('README command reference', () => {
  it('is in sync with the commands (run `npm run docs` to regenerate)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withCommandReference(readme, renderCommandReference(buildCli()))).toBe(readme);
  });
});

describe('the krew manifest plugin/hcp.yaml', () => {
  it('names every command group of the binary in its description (run `npm run docs` to regenerate)', () => {
    const manifest = readFileSync(new URL('../../plugin/hcp.yaml', import.meta.url), 'utf8');
    const groups = commandGroups(buildCli());
    expect(groups).toEqual(expect.arrayContaining(['pause', 'status', 'etcd', 'completion', 'version']));
    expect(withCommandGroups(manifest, groups)).toBe(manifest);
  });
});

describe("README's exit codes and feature table", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('lists the exit codes `--help` prints, with the same meanings', () => {
    const help = [...EXIT_CODES_HELP.matchAll(/^\s+(\d+)\s+(.+)$/gm)].map((m) => [m[1], m[2]]);
    const table = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(table.map(([code]) => code)).toEqual(help.map(([code]) => code));
    // The same first words (the README may say a little more).
    for (const [i, [, meaning]] of help.entries()) expect(table[i][1].slice(0, 12)).toBe(meaning.slice(0, 12));
  });

  it('names every command group in the feature table', () => {
    const start = readme.indexOf('## Feature table');
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const missing = commandGroups(buildCli()).filter((group) => !table.includes(`kubectl hcp ${group}`));
    expect(missing).toEqual([]);
  });
});

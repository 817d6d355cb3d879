// `npm run docs`: regenerates the command reference in README.md from the commands' usage, and the
// command list of the krew manifest's description (plugin/hcp.yaml).
import { readFileSync, writeFileSync } from 'node:fs';
import { buildCli } from '../src/cli/main.ts';
import { commandGroups, renderCommandReference, withCommandReference } from './lib/docs.ts';
import { withCommandGroups } from './lib/krew.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withCommandReference(before, renderCommandReference(buildCli()));
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'README.md command reference is up to date\n' : 'README.md command reference regenerated\n');

const manifestPath = new URL('../plugin/hcp.yaml', import.meta.url);
const manifest = readFileSync(manifestPath, 'utf8');
const regenerated = withCommandGroups(manifest, commandGroups(buildCli()));
if (regenerated !== manifest) writeFileSync(manifestPath, regenerated);
process.stdout.write(regenerated === manifest ? 'plugin/hcp.yaml command list is up to date\n' : 'plugin/hcp.yaml command list regenerated\n');

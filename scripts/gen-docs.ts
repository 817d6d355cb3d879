// `npm run docs`: regenerates the command reference in README.md from the commands' usage.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildCli } from '../src/cli/main.ts';
import { renderCommandReference, withCommandReference } from './lib/docs.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withCommandReference(before, renderCommandReference(buildCli()));
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'README.md command reference is up to date\n' : 'README.md command reference regenerated\n');

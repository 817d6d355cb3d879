// The prelude of the single executable: the top-level help (`kubectl hcp`, `kubectl hcp --help`)
// written before the rest of the bundle is evaluated. That help is a fixed text per front end,
// rendered at build time by the bundle itself (scripts/build.ts runs it once as kubectl and once as
// oc), so the prelude prints exactly what the full CLI would, in about half the start-up time:
// issue 11's bare `--help` target is ≤ 1.5× `kubectl version --client`, and evaluating the bundle's
// modules and clipanion's command registry took most of that budget.
//
// Anything else (any other argument, or a build without the texts) falls through to src/entry.ts.
import { writeSync } from 'node:fs';
import { detectFrontEnd, type FrontEnd, processFacts } from './cli/front-end.ts';
import { isTopLevelHelp } from './cli/global-flags.ts';

declare const __HCP_ROOT_HELP__: Record<FrontEnd, string> | undefined;

/** Writes all of `text` to fd 1; a reader that went away (EPIPE) ends the write, as in src/cli/main.ts. */
function writeAll(text: string): void {
  let buffer = Buffer.from(text);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(1, buffer));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw err;
    }
  }
}

if (typeof __HCP_ROOT_HELP__ === 'object' && isTopLevelHelp(process.argv.slice(2))) {
  writeAll(__HCP_ROOT_HELP__[detectFrontEnd(processFacts())]);
  process.exit(0);
}

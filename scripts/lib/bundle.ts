// The esbuild options for the one-file bundle that goes into the single-executable application.
// Kept apart from scripts/build.ts so that tests can bundle the same way (with extra plugins).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { packageVersion, repoRoot } from './dist.ts';

export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function bundleOptions(outfile: string, info = { version: packageVersion(), commit: gitCommit() }): BuildOptions {
  return {
    entryPoints: [join(repoRoot, 'src/entry.ts')],
    outfile,
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    target: 'node24',
    // A SEA main script must be CommonJS, and its `require` reaches only built-in modules, hence one
    // file without splitting. esbuild wraps every module that is reached only through
    // `await import()` in a lazy initialiser, so @kubernetes/client-node and the AWS SDK are still
    // evaluated only by the commands that import them (test/e2e/binary.test.ts checks this).
    format: 'cjs',
    minify: true,
    define: {
      __HCP_VERSION__: JSON.stringify(info.version),
      __HCP_COMMIT__: JSON.stringify(info.commit),
    },
    logLevel: 'warning',
    write: false,
  };
}

// Where the build puts things, shared by the build and package scripts, the benchmarks and the
// binary e2e test.
//
// Only the executable itself sits at the top of dist/: kubectl treats every file on PATH whose name
// starts with `kubectl-` as a plugin, and `kubectl plugin list` exits 1 when one of them is not
// executable. So the bundle, the SEA blob and the release tarball live in subfolders.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const distDir = join(repoRoot, 'dist');
export const buildDir = join(distDir, 'build');
export const releaseDir = join(distDir, 'release');
export const binaryPath = join(distDir, 'kubectl-hcp');
export const bundlePath = join(buildDir, 'kubectl-hcp.cjs');

/** The Node 24 that the npm devDependency `node` installs; the SEA is made from this very binary. */
export function nodeBinary(): string {
  return process.env.HCP_NODE_BINARY ? resolve(process.env.HCP_NODE_BINARY) : join(repoRoot, 'node_modules/node/bin/node');
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Runs the (incremental) build, or only checks that dist/kubectl-hcp exists when `ifMissing`.
 * Throws with the build's output when it fails.
 */
export function ensureBuilt(opts: { ifMissing?: boolean; quiet?: boolean } = {}): string {
  if (opts.ifMissing && existsSync(binaryPath)) return binaryPath;
  const result = spawnSync(nodeBinary(), [join(repoRoot, 'scripts/build.ts')], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: opts.quiet ? 'pipe' : ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`npm run build failed (exit ${result.status ?? result.signal})\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return binaryPath;
}

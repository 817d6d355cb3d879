// `npm run build`: src/ → dist/build/kubectl-hcp.cjs (esbuild) → dist/kubectl-hcp, a Node 24
// single-executable application (SEA) made from the Node binary of the `node` devDependency.
// Linux x64 only; works offline (it never downloads a Node).
//
// Incremental: the bundle is rewritten only when its bytes change, and the SEA steps (blob, copy,
// strip, inject: the slow part) are skipped when a stamp of their inputs matches the last build.
//
// Options: --no-strip keeps Node's debug symbols (strip(1) saves ~18 MB and is skipped when absent);
//          --force redoes the SEA steps.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, constants } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { inject } from 'postject';
import { bundleOptions, gitCommit } from './lib/bundle.ts';
import { binaryPath, buildDir, bundlePath, nodeBinary, packageVersion, repoRoot } from './lib/dist.ts';

const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// Per-process names: e2e test files and npm scripts may build at the same time; the finished binary
// replaces dist/kubectl-hcp with an atomic rename.
const blobPath = join(buildDir, `sea-prep.${process.pid}.blob`);
const seaConfigPath = join(buildDir, `sea-config.${process.pid}.json`);
const tmpBinary = join(buildDir, `kubectl-hcp.${process.pid}.tmp`);
const stampPath = join(buildDir, 'kubectl-hcp.stamp');

const started = performance.now();
const args = new Set(process.argv.slice(2));
const strip = !args.has('--no-strip') && hasStrip();

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)}s`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function log(line: string): void {
  process.stdout.write(`build: ${line}\n`);
}

function hasStrip(): boolean {
  return spawnSync('strip', ['--version'], { stdio: 'ignore' }).status === 0;
}

function checkPlatform(node: string): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the single executable is built for linux/x64 only (this is ${process.platform}/${process.arch})`);
  }
  if (!existsSync(node)) throw new Error(`${node} is missing: run \`npm ci\` (the \`node\` devDependency provides Node 24)`);
  const head = readFileSync(node).subarray(0, 4);
  if (!head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) throw new Error(`${node} is not an ELF executable`);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (!/^v2[4-9]\./.test(version)) throw new Error(`${node} is Node ${version}; the build needs Node 24`);
}

async function bundle(node: string): Promise<Buffer> {
  const t = performance.now();
  const version = packageVersion();
  const commit = gitCommit();
  const result = await build(bundleOptions(bundlePath, { version, commit }));
  const bytes = await withHelpPrelude(Buffer.from(result.outputFiles![0]!.contents), node);
  const changed = !existsSync(bundlePath) || !readFileSync(bundlePath).equals(bytes);
  if (changed) writeFileSync(bundlePath, bytes);
  log(`bundle ${megabytes(bytes.length)} (${version}, commit ${commit}) in ${seconds(t)}${changed ? '' : ', unchanged'}`);
  return bytes;
}

const STRICT = '"use strict";';

/**
 * The bundle with src/fast-help.ts in front: the top-level help as the bundle itself prints it for
 * each front end (run once as kubectl, once as oc), written before the rest is evaluated.
 */
async function withHelpPrelude(main: Buffer, node: string): Promise<Buffer> {
  const text = main.toString('utf8');
  // The prelude goes after the directive: in front of it, the directive would be a plain string and
  // the whole bundle would run in sloppy mode.
  if (!text.startsWith(STRICT)) throw new Error(`the bundle does not start with ${STRICT}: the help prelude cannot go in front of it`);
  const plain = join(buildDir, `kubectl-hcp.plain.${process.pid}.cjs`);
  writeFileSync(plain, main);
  const help: Record<string, string> = {};
  try {
    for (const frontEnd of ['kubectl', 'oc']) {
      // The parent of this run is node, so the bundle's front-end detection falls back to $_.
      const r = spawnSync(node, [plain, '--help'], { env: { PATH: '/nonexistent', _: `/usr/bin/${frontEnd}` }, encoding: 'utf8', timeout: 30_000 });
      if (r.status !== 0 || r.stderr !== '' || !r.stdout.includes(`${frontEnd} hcp`)) {
        throw new Error(`\`${frontEnd} hcp --help\` from the bundle failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
      }
      help[frontEnd] = r.stdout;
    }
  } finally {
    rmSync(plain, { force: true });
  }
  // The bundle's own options (platform, target, minify), with the prelude's entry and the texts.
  const prelude = await build({
    ...bundleOptions(join(buildDir, 'fast-help.js')),
    entryPoints: [join(repoRoot, 'src/fast-help.ts')],
    format: 'iife',
    define: { __HCP_ROOT_HELP__: JSON.stringify(help) },
  });
  return Buffer.from(`${STRICT}${prelude.outputFiles![0]!.text.trim()}\n${text.slice(STRICT.length)}`);
}

const SEA_OPTIONS = {
  disableExperimentalSEAWarning: true,
  // V8 code cache for the bundle: `--help` takes ~60 ms instead of ~110 ms. (useSnapshot was tried
  // too: no faster than the code cache, and it warns about snapshotting tty and readline.)
  useCodeCache: true,
  // Semi-spaces of at most 4 MB (V8's default grows the young generation to several times that):
  // the dump allocates fast and keeps little, and the larger young generation cost it ~35 MB of
  // peak RSS for no speed (measured at 1,000 pods: 204 MB default, 166 MB with 4; bench/dump, issue 10).
  // Old space grown by 20% at a time instead of V8's dynamic factor (up to 4x when it thinks
  // there is room): major GCs come a little more often and the heap keeps less garbage. Measured
  // on the dump at 1,000 pods: 163 MB peak RSS without, 131 MB with, 8.8 s vs 9.1 s (issue 10's
  // 200 MB target at 5,000 pods was missed at 221 MB). The heap limit is untouched: no new OOM.
  execArgv: ['--max-semi-space-size=4', '--heap-growing-percent=20'],
};

function seaConfig(): string {
  return `${JSON.stringify({ main: bundlePath, output: blobPath, ...SEA_OPTIONS }, null, 2)}\n`;
}

function stampOf(bundleBytes: Buffer, node: string): string {
  const st = statSync(node);
  return createHash('sha256')
    .update(bundleBytes)
    .update(JSON.stringify(SEA_OPTIONS))
    .update(`${node}\0${st.size}\0${st.mtimeMs}\0strip=${strip}\0`)
    .update(readFileSync(new URL(import.meta.url)))
    .digest('hex');
}

/** The finished binary must run with nothing from the environment: no Node on PATH, no HOME. */
function smokeTest(file: string): void {
  const result = spawnSync(file, ['version', '--client'], { env: { PATH: '/nonexistent' }, encoding: 'utf8', timeout: 30_000 });
  // Anything on stderr (a rejected code cache, a Node warning) would break scripts and tests that expect silence.
  if (result.status !== 0 || !result.stdout.includes(packageVersion()) || result.stderr !== '') {
    throw new Error(`smoke test \`${file} version --client\` failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
}

/**
 * postject's LIEF warns a dozen times about Node's unnamed .note sections ("Can't find string
 * offset for section name '.note.100'"); they are harmless, and the smoke test runs the result.
 */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...parts: unknown[]) => {
    if (!String(parts[0]).includes("Can't find string offset for section name")) warn(...parts);
  };
  try {
    return await work();
  } finally {
    console.warn = warn;
  }
}

async function makeExecutable(node: string): Promise<void> {
  writeFileSync(seaConfigPath, seaConfig());
  let t = performance.now();
  // The code cache is V8's, and V8 rejects it when the flags it runs with hash differently from the
  // ones it was made with (--heap-growing-percent does): make it with the flags the binary runs with,
  // or every start compiles the bundle again and prints "Code cache data rejected".
  const prep = spawnSync(node, [...SEA_OPTIONS.execArgv, '--experimental-sea-config', seaConfigPath], { cwd: repoRoot, encoding: 'utf8' });
  if (prep.status !== 0) throw new Error(`node --experimental-sea-config failed:\n${prep.stdout}${prep.stderr}`);
  log(`SEA blob ${megabytes(statSync(blobPath).size)} in ${seconds(t)}`);

  t = performance.now();
  rmSync(tmpBinary, { force: true });
  if (strip) {
    const s = spawnSync('strip', ['-o', tmpBinary, node], { encoding: 'utf8' });
    if (s.status !== 0) throw new Error(`strip failed:\n${s.stderr}`);
  } else {
    copyFileSync(node, tmpBinary, constants.COPYFILE_FICLONE);
  }
  chmodSync(tmpBinary, 0o755);
  await quietly(() => inject(tmpBinary, 'NODE_SEA_BLOB', readFileSync(blobPath), { sentinelFuse: SENTINEL_FUSE }));
  log(`${strip ? 'stripped' : 'copied'} node and injected the blob in ${seconds(t)}`);

  smokeTest(tmpBinary);
  renameSync(tmpBinary, binaryPath);
}

function cleanUp(): void {
  for (const file of [blobPath, seaConfigPath, tmpBinary]) rmSync(file, { force: true });
}

async function run(): Promise<void> {
  const node = nodeBinary();
  checkPlatform(node);
  mkdirSync(buildDir, { recursive: true });
  const bundleBytes = await bundle(node);
  const stamp = stampOf(bundleBytes, node);
  const upToDate = !args.has('--force') && existsSync(binaryPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp;
  if (upToDate) {
    log('dist/kubectl-hcp is up to date');
  } else {
    rmSync(stampPath, { force: true });
    await makeExecutable(node);
    writeFileSync(stampPath, stamp);
  }
  log(`dist/kubectl-hcp ${megabytes(statSync(binaryPath).size)}, total ${seconds(started)}`);
}

run()
  .catch((err: unknown) => {
    process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(cleanUp);

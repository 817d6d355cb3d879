// The release as users get it: `npm run package` makes the tarball, its sha256 and the krew manifest,
// and a real krew (v0.4.3, built from the Go module proxy once and cached outside the repo) installs
// it into a temporary KREW_ROOT; kubectl then runs the plugin from krew's bin dir. Needs no sandbox.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBinary, packageVersion, releaseDir, distDir, repoRoot } from '../../scripts/lib/dist.ts';
import { findKubectl, findOnPath } from '../../scripts/lib/kubectl.ts';
import { releaseArchiveName } from '../../scripts/lib/krew.ts';

const KREW_VERSION = 'v0.4.3';
const version = packageVersion();
const archive = join(releaseDir, releaseArchiveName(version));

/** $KREW, else the cached build, else `go install` into the cache (like scripts/sandbox/build.sh caches its Go builds). */
function krewBinary(): string | undefined {
  if (process.env.KREW) return process.env.KREW;
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kubectl-hcp-krew', KREW_VERSION, 'bin');
  const krew = join(cache, 'krew');
  if (existsSync(krew)) return krew;
  const go = findOnPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) return undefined;
  mkdirSync(cache, { recursive: true });
  const r = spawnSync(go, ['install', `sigs.k8s.io/krew/cmd/krew@${KREW_VERSION}`], {
    env: { ...process.env, GOBIN: cache, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`go install krew failed:\n${r.stderr}`);
  return krew;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const r = spawnSync(file, args, { env, encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw r.error;
  return r;
}

const krew = krewBinary();
const kubectl = findKubectl();

describe.skipIf(!krew || !kubectl)(`krew ${KREW_VERSION} installs the release`, () => {
  let krewRoot: string;
  let env: NodeJS.ProcessEnv;
  let packageOutput: string;

  beforeAll(() => {
    const pkg = run(nodeBinary(), [join(repoRoot, 'scripts/package.ts')], { ...process.env, HCP_REPO_URL: 'https://github.com/example/kubectl-hcp' });
    packageOutput = pkg.stdout + pkg.stderr;
    if (pkg.status !== 0) throw new Error(`npm run package failed:\n${packageOutput}`);
    krewRoot = mkdtempSync(join(tmpdir(), 'hcp-krew-'));
    // Only krew's bin dir and the system: no dist/ on PATH, so kubectl finds the installed copy.
    env = { HOME: krewRoot, KREW_ROOT: krewRoot, PATH: [join(krewRoot, 'bin'), '/usr/bin', '/bin'].join(delimiter), KUBECONFIG: '/nonexistent' };
  }, 600_000);

  afterAll(() => {
    if (krewRoot) rmSync(krewRoot, { recursive: true, force: true });
  });

  it('npm run package wrote the tarball, a matching sha256 file and a filled manifest', () => {
    const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
    expect(readFileSync(`${archive}.sha256`, 'utf8')).toBe(`${sha256}  ${releaseArchiveName(version)}\n`);
    const manifest = load(readFileSync(join(distDir, 'hcp.yaml'), 'utf8')) as {
      spec: { version: string; caveats: string; platforms: { sha256: string; uri: string }[] };
    };
    expect(manifest.spec.version).toBe(`v${version}`);
    expect(manifest.spec.platforms[0].sha256).toBe(sha256);
    expect(manifest.spec.platforms[0].uri).toBe(`https://github.com/example/kubectl-hcp/releases/download/v${version}/${releaseArchiveName(version)}`);
    expect(manifest.spec.caveats).toContain(`store/hcp/v${version}/kubectl_complete-hcp`);
    const listing = run('tar', ['-tvzf', archive], env).stdout;
    for (const [file, mode] of [
      ['kubectl-hcp', '-rwxr-xr-x'],
      ['kubectl_complete-hcp', '-rwxr-xr-x'],
      ['oc_complete-hcp', '-rwxr-xr-x'],
      ['LICENSE', '-rw-r--r--'],
      ['README.md', '-rw-r--r--'],
    ]) {
      expect(listing).toMatch(new RegExp(`^${mode} 0/0 .* ${file}$`, 'm'));
    }
  });

  it('krew install --manifest --archive succeeds, and kubectl runs `hcp version --client` from krew’s bin dir', () => {
    const install = run(krew!, ['install', `--manifest=${join(distDir, 'hcp.yaml')}`, `--archive=${archive}`], env);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).toContain('Installed plugin: hcp');
    expect(statSync(join(krewRoot, 'bin', 'kubectl-hcp')).isFile()).toBe(true);

    const r = run(kubectl!, ['hcp', 'version', '--client'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Client Version: ${version.replace(/\./g, '\\.')} `));

    // krew's receipt of the install (`krew list` and `uninstall` need the plugin index, which needs the internet).
    const receipt = load(readFileSync(join(krewRoot, 'receipts', 'hcp.yaml'), 'utf8')) as { spec: { version: string } };
    expect(receipt.spec.version).toBe(`v${version}`);
  });

  it('the helper krew keeps in its store completes `kubectl hcp` once linked as the caveats say', () => {
    const store = join(krewRoot, 'store', 'hcp', `v${version}`);
    for (const file of ['kubectl_complete-hcp', 'oc_complete-hcp', 'LICENSE']) expect(existsSync(join(store, file)), file).toBe(true);
    symlinkSync(join(store, 'kubectl_complete-hcp'), join(krewRoot, 'bin', 'kubectl_complete-hcp'));
    const r = run(kubectl!, ['__complete', 'hcp', 'paus'], env);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('pause\tPause reconciliation of hosted clusters (and optionally their NodePools)\n:4\n');
  });
});

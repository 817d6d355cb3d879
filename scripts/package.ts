// `npm run package`: builds dist/kubectl-hcp (incrementally), packs it with its completion helper
// (kubectl_complete-hcp, oc_complete-hcp), LICENSE and README.md into
// dist/release/kubectl-hcp-<version>-linux-amd64.tar.gz with its .sha256, and writes the krew
// manifest dist/hcp.yaml from the template plugin/hcp.yaml with the version, download URI and
// sha256 filled in.
//
// The download URI is <repository>/releases/download/v<version>/<tarball>, the repository being
// $HCP_REPO_URL, else package.json's `repository` or `homepage`.
// The tarball is reproducible: sorted, owned by root, dated by the last commit, gzip without a date.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { binaryPath, distDir, ensureBuilt, packageVersion, releaseDir, repoRoot } from './lib/dist.ts';
import { fillKrewManifest, releaseArchiveName, releaseUri } from './lib/krew.ts';

const PLACEHOLDER_REPO = 'https://github.com/OWNER/kubectl-hcp';

function repositoryUrl(): string {
  if (process.env.HCP_REPO_URL) return process.env.HCP_REPO_URL;
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    repository?: string | { url?: string };
    homepage?: string;
  };
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const url = (repo ?? pkg.homepage)?.replace(/^git\+/, '').replace(/\.git$/, '');
  if (url && /^https?:\/\//.test(url)) return url;
  process.stderr.write(`package: no repository URL in package.json or $HCP_REPO_URL; the manifest points at ${PLACEHOLDER_REPO}\n`);
  return PLACEHOLDER_REPO;
}

function commitEpoch(): string {
  try {
    return execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || '0';
  } catch {
    return '0';
  }
}

function makeArchive(version: string): string {
  const staging = join(releaseDir, 'staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // The binary, its completion helper under the names kubectl and oc look for (plugin/kubectl_complete-hcp),
  // and the license the binary is distributed under.
  const sources: Record<string, string> = {
    'kubectl-hcp': binaryPath,
    'kubectl_complete-hcp': join(repoRoot, 'plugin/kubectl_complete-hcp'),
    'oc_complete-hcp': join(repoRoot, 'plugin/kubectl_complete-hcp'),
    LICENSE: join(repoRoot, 'LICENSE'),
    'README.md': join(repoRoot, 'README.md'),
  };
  const files = Object.keys(sources);
  for (const [name, source] of Object.entries(sources)) {
    if (!existsSync(source)) throw new Error(`${source.slice(repoRoot.length + 1)} is missing`);
    copyFileSync(source, join(staging, name));
    chmodSync(join(staging, name), name.startsWith('kubectl') || name.startsWith('oc_') ? 0o755 : 0o644);
  }
  const tar = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${commitEpoch()}`, '-cf', '-', '-C', staging, ...files], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
  const archive = join(releaseDir, releaseArchiveName(version));
  writeFileSync(archive, gzipSync(tar.stdout));
  rmSync(staging, { recursive: true, force: true });
  return archive;
}

function run(): void {
  const started = performance.now();
  ensureBuilt();
  const version = packageVersion();
  mkdirSync(releaseDir, { recursive: true });
  const archive = makeArchive(version);
  const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
  writeFileSync(`${archive}.sha256`, `${sha256}  ${releaseArchiveName(version)}\n`);
  const repo = repositoryUrl();
  const manifest = fillKrewManifest(readFileSync(join(repoRoot, 'plugin/hcp.yaml'), 'utf8'), {
    version,
    homepage: repo,
    uri: releaseUri(repo, version),
    sha256,
  });
  const manifestPath = join(distDir, 'hcp.yaml');
  writeFileSync(manifestPath, manifest);
  const mb = (statSync(archive).size / 1024 / 1024).toFixed(1);
  process.stdout.write(
    `package: ${archive.slice(repoRoot.length + 1)} ${mb} MB sha256 ${sha256}\n` +
      `package: ${manifestPath.slice(repoRoot.length + 1)} (try it: kubectl krew install --manifest=dist/hcp.yaml --archive=${archive.slice(repoRoot.length + 1)})\n` +
      `package: done in ${((performance.now() - started) / 1000).toFixed(1)}s\n`,
  );
}

try {
  run();
} catch (err) {
  process.stderr.write(`package failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}

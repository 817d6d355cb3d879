// The shipped artefact itself: dist/kubectl-hcp runs with nothing from the environment, kubectl
// (and oc, when present) find it as a plugin, and `--help` does not load the heavy client
// libraries. Needs no sandbox.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/lib/bundle.ts';
import { binaryPath, distDir, ensureBuilt, nodeBinary, packageVersion } from '../../scripts/lib/dist.ts';
import { findKubectl, findOnPath } from '../../scripts/lib/kubectl.ts';

const version = packageVersion();

function run(file: string, args: string[], env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const result = spawnSync(file, args, { env, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return result;
}

beforeAll(() => {
  ensureBuilt({ quiet: true });
}, 300_000);

describe('dist/kubectl-hcp', () => {
  it('runs `version --client` with an empty environment and no Node on PATH', () => {
    // Same as `env -i PATH=/nonexistent dist/kubectl-hcp version --client`.
    const r = run(binaryPath, ['version', '--client'], { PATH: '/nonexistent' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(version);
  });

  it('prints usage that reads `kubectl hcp …`', () => {
    const r = run(binaryPath, ['--help'], { PATH: '/nonexistent' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('kubectl hcp');
    expect(r.stdout).not.toMatch(/kubectl-hcp|node /);
  });

  it('exits 2 (usage) on an unknown command', () => {
    const r = run(binaryPath, ['no-such-command'], { PATH: '/nonexistent' });
    expect(r.status).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/no-such-command/);
  });
});

// The bundle is one file, but @kubernetes/client-node and the AWS SDK must stay behind their
// `await import()`: bundle the same way with a marker at the top of each heavy package's modules
// and check which markers fire.
describe('lazy loading in the bundle', () => {
  let dir: string;
  let bundle: string;
  const HEAVY = /[\\/]node_modules[\\/](@kubernetes[\\/]client-node|@aws-sdk[\\/][^\\/]+)[\\/].*\.[cm]?js$/;
  const markHeavyModules: Plugin = {
    name: 'mark-heavy-modules',
    setup(b) {
      b.onLoad({ filter: HEAVY }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const pkg = HEAVY.exec(args.path)![1].replace(/\\/g, '/');
        const source = await readFile(args.path, 'utf8');
        return { contents: `process.stderr.write("LOADED ${pkg}\\n");\n${source}`, loader: 'js' };
      });
    },
  };

  function loaded(args: string[], env: NodeJS.ProcessEnv = { PATH: '/nonexistent' }): string[] {
    const r = run(nodeBinary(), [bundle, ...args], env);
    return [...new Set([...r.stderr.matchAll(/^LOADED (.+)$/gm)].map((m) => m[1]))];
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hcp-lazy-'));
    bundle = join(dir, 'marked.cjs');
    const options = bundleOptions(bundle);
    await build({ ...options, minify: false, write: true, logLevel: 'error', plugins: [markHeavyModules] });
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('does not evaluate client-node or the AWS SDK for --help or version --client', () => {
    expect(loaded(['--help'])).toEqual([]);
    expect(loaded(['version', '--client'])).toEqual([]);
  });

  // The binary prints the top-level help from a prelude rendered at build time (src/fast-help.ts);
  // it must be what the full CLI prints, for each front end.
  it.each(['kubectl', 'oc'])('prints the same top-level help as the full CLI, as %s', (frontEnd) => {
    const env = { PATH: '/nonexistent', _: `/usr/bin/${frontEnd}` };
    const full = run(nodeBinary(), [bundle, '--help'], env);
    expect(full.stdout).toContain(`${frontEnd} hcp pause`);
    for (const args of [['--help'], ['-h'], [], ['--context', 'mgmt-1', '--help']]) {
      const fast = run(binaryPath, args, env);
      expect(fast.stderr).toBe('');
      expect(fast.status).toBe(0);
      expect(fast.stdout).toBe(full.stdout);
    }
  });

  it('evaluates client-node only for an oidc auth-provider user (and so the marker works)', () => {
    const kubeconfig = (user: string) => {
      const file = join(dir, `kubeconfig-${user.length}`);
      writeFileSync(
        file,
        'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\n' +
          `users: [{name: u, user: ${user}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
      );
      return file;
    };
    const env = (file: string) => ({ PATH: '/nonexistent', KUBECONFIG: file, HOME: dir });
    // Tokens, certificates and exec plugins are the tool's own code (src/kube/credentials.ts).
    expect(loaded(['version', '--request-timeout', '2s'], env(kubeconfig('{token: t}')))).toEqual([]);
    const oidc = kubeconfig('{auth-provider: {name: oidc, config: {client-id: k, id-token: x.y.z, idp-issuer-url: "https://127.0.0.1:9"}}}');
    expect(loaded(['version', '--request-timeout', '2s'], env(oidc))).toContain('@kubernetes/client-node');
  });
});

const kubectl = findKubectl();

describe.skipIf(!kubectl)('as a kubectl plugin', () => {
  // dist/ first, then kubectl's own folder, and no other plugins from the machine's PATH.
  const env = { PATH: [distDir, dirname(kubectl ?? ''), '/usr/bin', '/bin'].join(delimiter), HOME: tmpdir() };

  it('is listed by `kubectl plugin list`', () => {
    const r = run(kubectl!, ['plugin', 'list'], env);
    expect(r.stderr).not.toMatch(/warning/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(binaryPath);
  });

  it('runs as `kubectl hcp version --client` and `kubectl hcp --help`', () => {
    const v = run(kubectl!, ['hcp', 'version', '--client'], env);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain(version);
    const help = run(kubectl!, ['hcp', '--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('kubectl hcp');
  });
});

// oc looks plugins up exactly like kubectl (it embeds kubectl's plugin handler): an executable
// named kubectl-<name> (or oc-<name>) on PATH becomes `oc <name>`. There is no oc here; the test
// runs where one is installed.
const oc = findOnPath('oc');

describe.skipIf(!oc)('as an oc plugin', () => {
  const env = { PATH: [distDir, dirname(oc ?? ''), '/usr/bin', '/bin'].join(delimiter), HOME: tmpdir() };

  it('runs as `oc hcp --help` and is listed by `oc plugin list`', () => {
    const help = run(oc!, ['hcp', '--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('kubectl hcp');
    expect(run(oc!, ['plugin', 'list'], env).stdout).toContain(binaryPath);
  });
});

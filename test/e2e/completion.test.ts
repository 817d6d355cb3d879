// Shell completion through the sandbox's real kubectl: `kubectl __complete hcp …` finds
// kubectl_complete-hcp on PATH (kubectl ≥ 1.26, pkg/cmd/plugin/plugin_completion.go) and relays
// what the built binary answers, names read from the sandbox. Also the bash, zsh and fish scripts of
// `kubectl hcp completion`, and `oc hcp` in usage when oc runs the plugin.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distDir, ensureBuilt, repoRoot } from '../../scripts/lib/dist.ts';
import { commandGroups } from '../../scripts/lib/docs.ts';
import { findOnPath } from '../../scripts/lib/kubectl.ts';
import { kubectlEnv } from '../../scripts/sandbox/api.ts';
import { buildCli } from '../../src/cli/main.ts';
import { pausedHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';
import { kubectl, kubectlOk, type RunResult, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

let ns: string;
let cpns: string;
let bin: string;
let env: NodeJS.ProcessEnv;

function exec(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: opts.env ?? env, maxBuffer: 16 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** `kubectl __complete hcp WORDS…`: the candidates (value and description) and the directive. */
async function complete(...words: string[]): Promise<{ values: string[]; lines: string[]; directive: string; stderr: string; ms: number }> {
  const r = await exec(sandbox().kubectl, ['__complete', 'hcp', ...words]);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.split('\n').filter(Boolean);
  return { values: lines.slice(0, -1).map((l) => l.split('\t')[0]), lines: lines.slice(0, -1), directive: lines.at(-1)!, stderr: r.stderr, ms: r.ms };
}

beforeAll(async () => {
  ensureBuilt({ quiet: true });
  bin = mkdtempSync(join(tmpdir(), 'hcp-completion-'));
  symlinkSync(join(repoRoot, 'plugin', 'kubectl_complete-hcp'), join(bin, 'kubectl_complete-hcp'));
  // oc embeds kubectl's plugin handler; kubectl under the name oc stands in for it.
  symlinkSync(sandbox().kubectl, join(bin, 'oc'));
  symlinkSync(sandbox().kubectl, join(bin, 'kubectl'));
  const base = kubectlEnv();
  env = { ...base, PATH: [bin, distDir, base.PATH ?? process.env.PATH ?? ''].join(delimiter), KUBECONFIG: sandbox().kubeconfig, NO_COLOR: '1' };

  // Two HostedClusters (paused copies: the operator leaves them alone), a NodePool, and etcd pods in
  // alpha's control-plane namespace, next to a pod that is not etcd.
  ns = await uniqueNamespace('completion');
  cpns = `${ns}-alpha`;
  await Promise.all([pausedHostedClusterCopy(ns, 'alpha'), pausedHostedClusterCopy(ns, 'beta')]);
  const pool = JSON.parse(await kubectlOk('mgmt-1', ['get', 'nodepool', 'sample-us-east-1a', '-n', 'clusters', '-o', 'json']));
  await kubectlOk(
    'mgmt-1',
    ['create', '-f', '-'],
    JSON.stringify({
      apiVersion: pool.apiVersion,
      kind: 'NodePool',
      metadata: { name: 'alpha-pool', namespace: ns },
      spec: { ...pool.spec, clusterName: 'alpha', replicas: 0, pausedUntil: 'true' },
    }),
  );
  await kubectlOk('mgmt-1', ['create', 'namespace', cpns]);
  await waitFor(
    async () => (await kubectl('mgmt-1', ['get', 'serviceaccount', 'default', '-n', cpns])).code === 0,
    30_000,
    `serviceaccount default in ${cpns}`,
  );
  const pod = (name: string, app: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: cpns, labels: { app } },
    spec: { containers: [{ name: 'c', image: 'registry.invalid/none' }] },
  });
  await kubectlOk(
    'mgmt-1',
    ['create', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('etcd-0', 'etcd'), pod('etcd-1', 'etcd'), pod('kube-apiserver-0', 'kube-apiserver')] }),
  );
}, 180_000);

afterAll(async () => {
  if (ns) await kubectl('mgmt-1', ['delete', 'hostedcluster,nodepool', '--all', '-n', ns, '--wait=false']);
  if (cpns) await kubectl('mgmt-1', ['delete', 'namespace', cpns, '--wait=false']);
  if (bin) rmSync(bin, { recursive: true, force: true });
});

describe('kubectl __complete hcp … (kubectl_complete-hcp)', () => {
  it('offers every command group of the binary, with descriptions', async () => {
    const r = await complete('');
    expect(r.values.sort()).toEqual(commandGroups(buildCli()));
    expect(r.lines).toContain('pause\tPause reconciliation of hosted clusters (and optionally their NodePools)');
    expect(r.directive).toBe(':4');
  });

  it.each([
    [['paus'], ['pause']],
    [['etcd', 'rec'], ['recover']],
    [['pause', '--nodep'], ['--nodepools']],
    [['pause', 'x', '--dry-run=s'], ['--dry-run=server']],
    [['status', '-o', 'y'], ['yaml']],
  ])('%j → %j', async (words, expected) => {
    expect((await complete(...words)).values).toEqual(expected);
  });

  it('completes HostedCluster names in -n, given before or after the command', async () => {
    expect((await complete('-n', ns, 'pause', '')).values).toEqual(['alpha', 'beta']);
    expect((await complete('pause', '-n', ns, 'b')).values).toEqual(['beta']);
    expect((await complete('status', `--namespace=${ns}`, '')).values).toEqual(['alpha', 'beta']);
  });

  it('completes NodePool names and the etcd pods of the named cluster', async () => {
    expect((await complete('nodepool', 'scale', '-n', ns, '')).values).toEqual(['alpha-pool']);
    expect((await complete('etcd', 'recover', 'alpha', '-n', ns, '')).values).toEqual(['etcd-0', 'etcd-1']);
    expect((await complete('etcd', 'snapshot', 'alpha', '-n', ns, '--member=')).values).toEqual(['--member=etcd-0', '--member=etcd-1']);
    expect((await complete('etcd', 'recover', 'beta', '-n', ns, '')).values).toEqual([]);
  });

  it('reads the cluster of --context and --kubeconfig', async () => {
    const onMgmt2 = (await kubectlOk('mgmt-2', ['get', 'hostedclusters', '-n', 'clusters', '-o', 'jsonpath={.items[*].metadata.name}']))
      .split(' ')
      .filter(Boolean)
      .sort();
    expect((await complete('--context', 'mgmt-2', 'pause', '')).values).toEqual(onMgmt2);
    expect((await complete('--context', 'mgmt-2', '-n', ns, 'pause', '')).values).toEqual([]);
    expect((await complete('--context', 'mgmt-')).values).toEqual(['mgmt-1', 'mgmt-2']);
  });

  it('is silent when names cannot be read: no candidates, nothing on stderr from the helper', async () => {
    const r = await complete('--kubeconfig', '/nonexistent', 'pause', '');
    expect(r.values).toEqual([]);
    expect(r.directive).toBe(':4');
    // kubectl's own lines only ("[Debug] About to call: …", "Completion ended with directive: …").
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('[Debug] ') && !l.startsWith('Completion ended with directive:'))).toEqual([]);
  });

  it('gives up on a server that never answers within seconds', async () => {
    const silent = net.createServer(() => {}); // accepts connections, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const kc = join(bin, 'silent.kubeconfig');
    writeFileSync(
      kc,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    try {
      const r = await complete('--kubeconfig', kc, 'pause', '');
      expect(r.values).toEqual([]);
      expect(r.ms).toBeLessThan(6_500);
      expect((await complete('--kubeconfig', kc, 'st')).values).toEqual(['status']);
    } finally {
      silent.close();
    }
  });
});

describe('kubectl hcp completion bash|zsh|fish', () => {
  /** Runs the bash completion function as bash would for `line` (the cursor at its end). */
  async function bashComplete(line: string): Promise<string[]> {
    const words = line.split(/\s+/);
    const script = [
      'source <(kubectl-hcp completion bash)',
      `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}`,
      // bash's own split: '=' is a word of its own (COMP_WORDBREAKS).
      `COMP_WORDS=(${line
        .replace(/=/g, ' = ')
        .split(/\s+/)
        .map((w) => JSON.stringify(w))
        .join(' ')}${line.endsWith(' ') ? ' ""' : ''}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1))`,
      '__kubectl_hcp_complete',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    expect(words.length).toBeGreaterThan(0);
    const r = await exec('bash', ['-c', script]);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it('bash: commands, names from the cluster, and values after --flag= (bash splits at =)', async () => {
    expect(await bashComplete('kubectl-hcp pau')).toEqual(['pause']);
    expect(await bashComplete(`kubectl-hcp -n ${ns} pause `)).toEqual(['alpha', 'beta']);
    expect(await bashComplete('kubectl-hcp pause x --dry-run=cl')).toEqual(['client']);
  });

  it.skipIf(!findOnPath('zsh'))('zsh: the script loads and registers its function for kubectl-hcp', async () => {
    const r = await exec('zsh', [
      '-fc',
      'autoload -Uz compinit && compinit -u -D && source <(kubectl-hcp completion zsh) && print -r -- ${_comps[kubectl-hcp]}',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('__kubectl_hcp_complete');
  });

  /**
   * Runs the zsh function as the completion system would for `words` (cursor on the last word),
   * with _describe and _files standing in for zsh's own: they print what they were given, so the
   * test sees the candidates the script hands to zsh ("value:description", colons escaped).
   */
  async function zshComplete(words: string[]): Promise<string[]> {
    const quoted = words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(' ');
    const r = await exec('zsh', [
      '-fc',
      [
        'autoload -Uz compinit && compinit -u -D && source <(kubectl-hcp completion zsh)',
        '_describe() { print -rl -- "${(@P)4}"; }',
        '_files() { print -r -- "<files>"; }',
        `words=(${quoted}); CURRENT=${words.length}`,
        '__kubectl_hcp_complete',
      ].join('\n'),
    ]);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it.skipIf(!findOnPath('zsh'))('zsh: commands with descriptions, names from the cluster, and values after --flag= (zsh keeps the flag)', async () => {
    expect(await zshComplete(['kubectl-hcp', 'pau'])).toEqual(['pause:Pause reconciliation of hosted clusters (and optionally their NodePools)']);
    expect(await zshComplete(['kubectl-hcp', '-n', ns, 'pause', ''])).toEqual(['alpha', 'beta']);
    expect(await zshComplete(['kubectl-hcp', 'pause', 'x', '--dry-run=cl'])).toEqual(['--dry-run=client']);
    // A file argument (no candidates, no "no file completion" directive) falls back to zsh's _files.
    expect(await zshComplete(['kubectl-hcp', 'metrics', 'sre-config', 'apply', '-f', ''])).toEqual(['<files>']);
  });

  it.skipIf(!findOnPath('fish'))('fish: completes commands with descriptions, and names from the cluster', async () => {
    const run = (line: string) => exec('fish', ['--no-config', '-c', `kubectl-hcp completion fish | source; complete -C${JSON.stringify(line)}`]);
    const commands = await run('kubectl-hcp pau');
    expect(commands.stdout).toBe('pause\tPause reconciliation of hosted clusters (and optionally their NodePools)\n');
    expect((await run(`kubectl-hcp -n ${ns} pause `)).stdout).toBe('alpha\nbeta\n');
  });

  it('rejects another shell with exit 2', async () => {
    const r = await exec('kubectl', ['hcp', 'completion', 'powershell']);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'error: shell "powershell" is not supported: use bash, zsh, fish\n' });
  });
});

describe('oc hcp', () => {
  // A shell runs the front end, which execs the plugin in its place: as users start it.
  it('usage and examples say `oc hcp` when oc runs the plugin, `kubectl hcp` under kubectl', async () => {
    const oc = await exec('bash', ['-c', 'oc hcp pause --help']);
    expect(oc.code).toBe(0);
    expect(oc.stdout).toContain('$ oc hcp pause [NAME]');
    expect(oc.stdout).toContain('oc hcp pause sample --for 2h --nodepools');
    expect(oc.stdout).not.toContain('kubectl hcp');
    const kube = await exec('bash', ['-c', 'kubectl hcp pause --help']);
    expect(kube.stdout).toContain('$ kubectl hcp pause [NAME]');
    expect(kube.stdout).not.toContain('oc hcp');
  });

  it('errors name `oc hcp` too, with the nearest command', async () => {
    const r = await exec('bash', ['-c', 'oc hcp paus sample']);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'error: unknown command "paus" for "oc hcp"\n\nDid you mean this?\n\tpause\n' });
  });

  it('a parent process named oc counts (a front end that forks instead of exec)', async () => {
    const wrapper = join(bin, 'oc-fork');
    writeFileSync(wrapper, '#!/bin/bash\nkubectl-hcp "$@"\nexit $?\n', { mode: 0o755 });
    const ocDir = mkdtempSync(join(tmpdir(), 'hcp-oc-'));
    symlinkSync(wrapper, join(ocDir, 'oc'));
    try {
      const r = await exec(join(ocDir, 'oc'), ['--help'], { env: { ...env, _: '/usr/bin/kubectl' } });
      expect(r.stdout).toContain('$ oc hcp <command>');
    } finally {
      rmSync(ocDir, { recursive: true, force: true });
    }
  });
});

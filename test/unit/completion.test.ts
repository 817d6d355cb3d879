import { describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main.ts';
import { commandSpecs, GLOBAL_OPTIONS } from '../../src/cli/command-tree.ts';
import { complete, Directive, formatCompletion, type NameSource, type Target } from '../../src/cli/completion.ts';
import { detectFrontEnd } from '../../src/cli/front-end.ts';
import { runInProcess } from './cli-harness.ts';

const specs = commandSpecs(buildCli());

/** Names of a pretend cluster; `seen` records the target each lookup was made for. */
function fakeNames(seen: Target[] = []): (t: Target) => NameSource {
  return (target) => {
    seen.push(target);
    return {
      hostedClusters: async (ns) => (ns === 'clusters' ? ['sample', 'second'] : ns === 'other' ? ['elsewhere'] : []),
      nodePools: async (ns) => (ns === 'clusters' ? ['sample-a', 'sample-b'] : []),
      etcdPods: async (ns, hc) => (ns === 'clusters' && hc === 'sample' ? ['etcd-0', 'etcd-1', 'etcd-2'] : []),
      namespaces: async () => ['clusters', 'hypershift', 'other'],
      contexts: async () => ['mgmt-1', 'mgmt-2'],
    };
  };
}

async function values(line: string[], names = fakeNames()): Promise<string[]> {
  const r = await complete(specs, line.slice(0, -1), line.at(-1)!, names);
  return r.candidates.map((c) => c.value);
}

describe('shell completion (cobra __complete protocol)', () => {
  it('offers every top-level command group, derived from the registry', async () => {
    const got = await values(['']);
    const groups = [...new Set(specs.map((s) => s.path[0]))];
    expect(got.sort()).toEqual(groups.sort());
    expect(got).toEqual(expect.arrayContaining(['pause', 'status', 'etcd', 'completion']));
    expect(got).not.toContain('-h');
  });

  it.each([
    [['paus'], ['pause']],
    [
      ['etcd', 're'],
      ['recover', 'restore', 'restore-url'],
    ],
    [
      ['pause', ''],
      ['sample', 'second'],
    ],
    [
      ['pause', 's'],
      ['sample', 'second'],
    ],
    [['-n', 'other', 'pause', ''], ['elsewhere']],
    [['pause', '--namespace=other', ''], ['elsewhere']],
    [
      ['nodepool', 'scale', ''],
      ['sample-a', 'sample-b'],
    ],
    [
      ['etcd', 'recover', 'sample', ''],
      ['etcd-0', 'etcd-1', 'etcd-2'],
    ],
    [['etcd', 'recover', 'second', ''], []],
    [['etcd', 'snapshot', 'sample', '--member', 'etcd-1'], ['etcd-1']],
    [
      ['etcd', 'snapshot', 'sample', '--member='],
      ['--member=etcd-0', '--member=etcd-1', '--member=etcd-2'],
    ],
    [['pause', 'sample', '--dry-run=c'], ['--dry-run=client']],
    [
      ['status', '-o', ''],
      ['table', 'json', 'yaml'],
    ],
    [
      ['metrics', 'set', ''],
      ['Telemetry', 'SRE', 'All'],
    ],
    [['featuregate', 'set', 'sample', 'Tech'], ['TechPreviewNoUpgrade']],
    [
      ['--context', ''],
      ['mgmt-1', 'mgmt-2'],
    ],
    [
      ['completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
    [['pause', 'sample', ''], []],
    [['pause', '--nodep'], ['--nodepools']],
  ])('%j → %j', async (line, expected) => {
    expect(await values(line)).toEqual(expected);
  });

  it('offers a command’s own flags and the global ones, with descriptions', async () => {
    const r = await complete(specs, ['pause'], '--', fakeNames());
    const flags = r.candidates.map((c) => c.value);
    expect(flags).toEqual(expect.arrayContaining(['--dry-run', '--nodepools', '--until', '--kubeconfig', '--context', '--namespace']));
    expect(r.candidates.find((c) => c.value === '--until')?.description).toMatch(/RFC3339/);
    expect(GLOBAL_OPTIONS.map((o) => o.names.at(-1))).toEqual(expect.arrayContaining(['--kubeconfig', '--namespace', '--as-group', '--v']));
  });

  it('passes the line’s --kubeconfig, --context and -n to the name lookup', async () => {
    const seen: Target[] = [];
    await values(['--kubeconfig', '/k', 'pause', '--context', 'mgmt-2', '-n', 'other', '--as', 'me', ''], fakeNames(seen));
    expect(seen[0]).toMatchObject({ kubeconfig: '/k', context: 'mgmt-2', namespace: 'other', as: 'me' });
  });

  it('is silent when the names cannot be read: the commands still complete, no names, no error', async () => {
    const failing = () => ({ ...fakeNames()({ asGroups: [] }), hostedClusters: async () => Promise.reject(new Error('connection refused')) });
    expect(await values(['pause', ''], failing)).toEqual([]);
    expect(await values(['st'], failing)).toEqual(['status']);
  });

  it('leaves file names to the shell for a flag without known values', async () => {
    const r = await complete(specs, ['dump', 'sample', '--artifact-dir'], '', fakeNames());
    expect(r).toEqual({ candidates: [], directive: Directive.Default });
  });

  it('prints candidates, descriptions after a tab, and the directive last', () => {
    const r = { candidates: [{ value: 'pause', description: 'Pause\n  it' }, { value: 'x' }], directive: Directive.NoFileComp };
    expect(formatCompletion(r, true)).toBe('pause\tPause it\nx\n:4\n');
    expect(formatCompletion(r, false)).toBe('pause\nx\n:4\n');
  });
});

describe('unknown commands and flags', () => {
  it.each([
    [['paus', 'sample'], 'error: unknown command "paus" for "kubectl hcp"\n\nDid you mean this?\n\tpause\n'],
    [['etcd', 'stat', 'sample'], 'error: unknown command "stat" for "kubectl hcp etcd"\n\nDid you mean this?\n\tstatus\n'],
    [['pause', 'sample', '--dryrun=client'], 'error: unknown flag: --dryrun for "kubectl hcp pause"\n\nDid you mean this?\n\t--dry-run\n'],
    [['oauth', 'add', 'opnid', 'sample'], 'error: unknown command "opnid" for "kubectl hcp oauth add"\n\nDid you mean this?\n\topenid\n'],
    [['frobnicate'], `error: unknown command "frobnicate" for "kubectl hcp" (see 'kubectl hcp --help')\n`],
    [['status', '-x'], `error: unknown shorthand flag: -x for "kubectl hcp status" (see 'kubectl hcp status --help')\n`],
    [['pause', 'a', 'b'], `error: unexpected argument "b" for "kubectl hcp pause": it takes NAME (see 'kubectl hcp pause --help')\n`],
    [['etcd'], `error: "kubectl hcp etcd" needs a subcommand: recover, restore, restore-url, snapshot, status (see 'kubectl hcp etcd --help')\n`],
  ])('%j exits 2 with one message and the nearest names', async (argv, stderr) => {
    const r = await runInProcess(argv);
    expect(r).toEqual({ code: 2, stdout: '', stderr });
  });
});

describe('which front end ran the plugin', () => {
  const proc = (files: Record<string, string>) => (path: string) => files[path];
  it.each([
    ['a parent named oc (a front end that forks)', { ppid: 42, env: {}, files: { '/proc/42/comm': 'oc\n' } }, 'oc'],
    [
      'a parent whose argv[0] is /usr/bin/oc',
      { ppid: 42, env: {}, files: { '/proc/42/comm': 'oc-4.15\n', '/proc/42/cmdline': '/usr/bin/oc\0__complete\0' } },
      'oc',
    ],
    ['a parent kubectl, whatever $_ says', { ppid: 42, env: { _: '/usr/bin/oc' }, files: { '/proc/42/comm': 'kubectl\n' } }, 'kubectl'],
    ['a shell that ran oc, which exec()ed the plugin ($_)', { ppid: 42, env: { _: '/usr/local/bin/oc' }, files: { '/proc/42/comm': 'bash\n' } }, 'oc'],
    ['a shell that ran kubectl', { ppid: 42, env: { _: '/usr/bin/kubectl' }, files: { '/proc/42/comm': 'zsh\n' } }, 'kubectl'],
    ['nothing known', { ppid: 42, env: {}, files: {} }, 'kubectl'],
  ] as const)('%s → %s', (_what, facts, expected) => {
    expect(detectFrontEnd({ platform: 'linux', ppid: facts.ppid, env: facts.env, readProc: proc(facts.files) })).toBe(expected);
  });

  it('reads no /proc off Linux', () => {
    expect(detectFrontEnd({ platform: 'darwin', ppid: 42, env: {}, readProc: () => 'oc' })).toBe('kubectl');
  });
});

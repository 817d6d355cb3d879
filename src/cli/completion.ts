/**
 * Shell completion: `kubectl-hcp __complete WORD… PARTIAL`, cobra's hidden command and protocol
 * (spf13/cobra completions.go): one candidate a line (`value<TAB>description`), then
 * `:<directive>`. kubectl ≥ 1.26 speaks it with a plugin's `kubectl_complete-<plugin>` executable
 * (k8s.io/kubectl pkg/cmd/plugin/plugin_completion.go: pluginCompletion → getPluginCompletions),
 * and our own bash, zsh and fish scripts (completion-scripts.ts) speak it with this binary.
 *
 * It completes command paths, flags, enumerated flag values, and the names of HostedClusters,
 * NodePools and etcd pods read from the current context (completion-names.ts). Nothing goes to
 * stderr and the exit code is always 0: a shell shows whatever a completer prints.
 */
import type { Cli } from 'clipanion';
import type { HcpContext } from './context.ts';
import { type CommandSpec, commandSpecs, type OptionSpec, optionsOf, nextPathWords, parseLine, type ParsedLine } from './command-tree.ts';
import { DEFAULT_HC_NAMESPACE } from './base.ts';
import { ExitCode } from '../util/errors.ts';

/** cobra's ShellCompDirective bits. */
export const Directive = { Default: 0, Error: 1, NoSpace: 2, NoFileComp: 4, FilterFileExt: 8, FilterDirs: 16, KeepOrder: 32 } as const;

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  directive: number;
}

/** Where names come from; completion-names.ts reads them from the cluster. */
export interface NameSource {
  hostedClusters(namespace: string): Promise<string[]>;
  nodePools(namespace: string): Promise<string[]>;
  etcdPods(namespace: string, hostedCluster: string): Promise<string[]>;
  namespaces(): Promise<string[]>;
  contexts(): Promise<string[]>;
}

/** The global flags that pick the cluster and namespace, as given on the line being completed. */
export interface Target {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  as?: string;
  asGroups: string[];
  requestTimeout?: string;
}

type ValueCompleter = (line: ParsedLine, target: Target, names: NameSource) => Promise<string[]> | string[];

const hostedClusters: ValueCompleter = (_l, t, names) => names.hostedClusters(t.namespace ?? DEFAULT_HC_NAMESPACE);
const nodePools: ValueCompleter = (_l, t, names) => names.nodePools(t.namespace ?? DEFAULT_HC_NAMESPACE);
/** etcd pods of the cluster named by the NAME argument (or --hosted-cluster). */
const etcdPods: ValueCompleter = (line, t, names) => {
  const index = line.command?.positionals.findIndex((p) => p.name === 'NAME') ?? -1;
  const cluster = (index >= 0 ? line.positionals[index] : undefined) ?? line.flags.find((f) => f.name === '--hosted-cluster')?.value;
  return cluster ? names.etcdPods(t.namespace ?? DEFAULT_HC_NAMESPACE, cluster) : [];
};
const fixed =
  (values: readonly string[]): ValueCompleter =>
  () => [...values];

/** Positional arguments by their name in the usage; `command path:NAME` entries override. */
const POSITIONALS: Record<string, () => Promise<ValueCompleter>> = {
  NAME: async () => hostedClusters,
  NODEPOOL: async () => nodePools,
  MEMBER: async () => etcdPods,
  'metrics set:SET': async () => fixed((await import('../metrics/metrics-set.ts')).METRICS_SETS),
  'featuregate set:SET': async () => fixed((await import('../featuregate/featuregate.ts')).FEATURE_SETS),
  SHELL: async () => fixed(['bash', 'zsh', 'fish']),
};

/** Flag values by flag name; a flag not here completes file names (cobra's default). */
const FLAG_VALUES: Record<string, () => Promise<ValueCompleter>> = {
  '--output': async () => fixed((await import('../output/output.ts')).OUTPUT_FORMATS),
  '--dry-run': async () => fixed((await import('../plan/plan.ts')).DRY_RUN_MODES),
  '--namespace': async () => (_l, _t, names) => names.namespaces(),
  '--hypershift-namespace': async () => (_l, _t, names) => names.namespaces(),
  '--context': async () => (_l, _t, names) => names.contexts(),
  '--hosted-cluster': async () => hostedClusters,
  '--member': async () => etcdPods,
  '--mapping-method': async () => fixed(['claim', 'lookup', 'add']),
};

function longName(option: OptionSpec): string {
  return option.names.find((n) => n.startsWith('--')) ?? option.names[0];
}

/** The global flags given on the line, read as global-flags.ts and base.ts read them. */
export function targetOf(line: ParsedLine): Target {
  const target: Target = { asGroups: [] };
  for (const { name, value } of line.flags) {
    if (value === undefined) continue;
    if (name === '--kubeconfig') target.kubeconfig = value;
    else if (name === '--context') target.context = value;
    else if (name === '--cluster') target.cluster = value;
    else if (name === '--user') target.user = value;
    else if (name === '-n' || name === '--namespace') target.namespace = value;
    else if (name === '--as') target.as = value;
    else if (name === '--as-group') target.asGroups.push(value);
    else if (name === '--request-timeout') target.requestTimeout = value;
  }
  return target;
}

function matching(values: Iterable<Candidate>, partial: string): Candidate[] {
  return [...values].filter((c) => c.value.startsWith(partial));
}

/** The candidates for `partial`, the word being typed after `words`. */
export async function complete(specs: CommandSpec[], words: readonly string[], partial: string, names: (target: Target) => NameSource): Promise<Completion> {
  const line = parseLine(specs, words);
  const target = targetOf(line);
  const valuesOf = async (completer: (() => Promise<ValueCompleter>) | undefined, prefix: string): Promise<Completion> => {
    if (!completer) return { candidates: [], directive: Directive.Default };
    // A name that cannot be read (no cluster, no rights, too slow) is simply not offered.
    const values = await Promise.resolve()
      .then(async () => (await completer())(line, target, names(target)))
      .catch(() => [] as string[]);
    return {
      candidates: matching(
        values.map((v) => ({ value: prefix + v })),
        partial,
      ),
      directive: Directive.NoFileComp,
    };
  };

  // `--output <TAB>`: the value of the flag before.
  if (line.pendingValue) return valuesOf(FLAG_VALUES[longName(line.pendingValue)], '');

  const options = optionsOf(line.command);
  if (partial.startsWith('-')) {
    const eq = partial.indexOf('=');
    if (eq > 0) {
      const option = options.find((o) => o.names.includes(partial.slice(0, eq)));
      return valuesOf(option ? FLAG_VALUES[longName(option)] : undefined, partial.slice(0, eq + 1));
    }
    const flags = options.filter((o) => o.names[0] !== '-h').map((o) => ({ value: longName(o), description: o.description }));
    return { candidates: matching(flags, partial), directive: Directive.NoFileComp };
  }

  const candidates: Candidate[] = [];
  // Still in the command path: the words that may come next.
  if (line.positionals.length === 0) {
    for (const [value, description] of nextPathWords(specs, line.pathWords)) candidates.push({ value, description });
  }
  const positional = line.command?.positionals[line.positionals.length];
  if (line.command && positional) {
    const path = line.command.path.join(' ');
    const found = await valuesOf(POSITIONALS[`${path}:${positional.name}`] ?? POSITIONALS[positional.name], '');
    candidates.push(...found.candidates);
  }
  return { candidates: matching(candidates, partial), directive: Directive.NoFileComp };
}

/** cobra's output: candidates (with descriptions unless `__completeNoDesc`), then `:<directive>`. */
export function formatCompletion(result: Completion, descriptions: boolean): string {
  const lines = result.candidates.map((c) => (descriptions && c.description ? `${c.value}\t${c.description.replace(/\s+/g, ' ')}` : c.value));
  return `${[...lines, `:${result.directive}`].join('\n')}\n`;
}

/** How long the names of a completion may take: a shell waits for them. */
export const COMPLETION_DEADLINE_MS = 5_000;

/** `kubectl-hcp __complete ARGS…`: the last argument is the word being typed ('' for a new one). */
export async function runCompletion(cli: Cli<HcpContext>, args: string[], context: HcpContext, opts: { descriptions: boolean }): Promise<number> {
  const words = args.slice(0, -1);
  const partial = args.at(-1) ?? '';
  let result: Completion = { candidates: [], directive: Directive.NoFileComp };
  try {
    const { clusterNames } = await import('./completion-names.ts');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('completion deadline')), COMPLETION_DEADLINE_MS);
    });
    try {
      result = await Promise.race([complete(commandSpecs(cli), words, partial, (target) => clusterNames(target, context.env)), deadline]);
    } finally {
      clearTimeout(timer);
    }
  } catch {
    // Silence: an unreachable cluster or a bad kubeconfig means no names, not an error in the shell.
  }
  context.stdout.write(formatCompletion(result, opts.descriptions));
  return ExitCode.Ok;
}

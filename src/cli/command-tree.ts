/**
 * The registered commands as data: their paths, positional arguments and flags, read from
 * clipanion's own definitions (so new commands need no list here). Shell completion and the
 * "Did you mean this?" suggestions for unknown commands and flags both walk a command line with it.
 */
import type { Cli } from 'clipanion';
import { GLOBAL_FLAGS_HELP } from './help.ts';

export interface OptionSpec {
  /** Every spelling, e.g. ['-o', '--output']. */
  names: string[];
  /** Takes the next word (or `=value`) as its value. */
  takesValue: boolean;
  description: string;
  /** Must be given (e.g. etcd restore's --from): clipanion then matches no command without it. */
  required?: boolean;
}

export interface PositionalSpec {
  /** The argument's name in the usage, e.g. NAME, NODEPOOL, MEMBER. */
  name: string;
  optional: boolean;
}

export interface CommandSpec {
  /** The words after `kubectl hcp`, e.g. ['etcd', 'snapshot']. */
  path: string[];
  description: string;
  category: string;
  positionals: PositionalSpec[];
  /** Takes any number of further positionals (`...` in the usage). */
  rest: boolean;
  options: OptionSpec[];
}

const HELP_OPTION: OptionSpec = { names: ['-h', '--help'], takesValue: false, description: 'Show the usage' };

/**
 * kubectl's global flags, which every command accepts; read from the help text that documents them
 * (`  --kubeconfig PATH   description`) so that the two cannot drift.
 */
export const GLOBAL_OPTIONS: OptionSpec[] = GLOBAL_FLAGS_HELP.split('\n')
  .map((line) => /^\s+((?:-\w, )?--[\w-]+)( [A-Z]+)?\s{2,}(.*)$/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ names: m[1].split(', '), takesValue: Boolean(m[2]), description: m[3].trim() }));

const oneLine = (s: string | undefined) => (s ?? '').replace(/\s*\n\s*/g, ' ').trim();

/** Every registered command but the help flags, as data. */
export function commandSpecs(cli: Pick<Cli<any>, 'definitions' | 'binaryName'>): CommandSpec[] {
  const prefix = cli.binaryName.split(' ').length;
  return cli
    .definitions()
    .map((d) => {
      const path = d.path.split(' ').slice(prefix);
      const args = d.usage.split(' ').slice(prefix + path.length);
      return {
        path,
        description: oneLine(d.description),
        category: oneLine(d.category),
        positionals: args.filter((a) => /^[<[][A-Z][A-Z0-9_-]*[>\]]$/.test(a)).map((a) => ({ name: a.slice(1, -1), optional: a.startsWith('[') })),
        rest: args.some((a) => a.includes('...')),
        options: d.options.map((o) => ({
          names: o.definition.split(' ')[0].split(','),
          takesValue: o.definition.includes(' #0'),
          description: oneLine(o.description),
          ...(o.required ? { required: true } : {}),
        })),
      };
    })
    .filter((c) => c.path.length > 0 && !c.path[0].startsWith('-'));
}

/** The options a command line may use at this point: the command's own, the global ones and --help. */
export function optionsOf(command: CommandSpec | undefined): OptionSpec[] {
  return [...(command?.options ?? []), ...GLOBAL_OPTIONS, HELP_OPTION];
}

export function findOption(options: OptionSpec[], name: string): OptionSpec | undefined {
  return options.find((o) => o.names.includes(name));
}

export interface ParsedFlag {
  name: string;
  value?: string;
  /** The value was the next word (`--replicas -1`), not `--replicas=-1`. */
  separate?: boolean;
}

export interface ParsedLine {
  /** The leading words that form (a prefix of) a command path. */
  pathWords: string[];
  /** The command whose path is exactly pathWords, if any. */
  command?: CommandSpec;
  positionals: string[];
  flags: ParsedFlag[];
  /** A value-taking flag at the very end, still waiting for its value. */
  pendingValue?: OptionSpec;
}

/** Whether some command's path starts with these words. */
function isPathPrefix(specs: CommandSpec[], words: string[]): boolean {
  return specs.some((c) => words.length <= c.path.length && words.every((w, i) => c.path[i] === w));
}

/**
 * Walks a command line as clipanion would: leading words that extend a command path, then
 * positionals and flags; kubectl's global flags may come first (see global-flags.ts). Unknown
 * flags are kept (the caller decides what to say about them) and take no value.
 */
export function parseLine(specs: CommandSpec[], words: readonly string[]): ParsedLine {
  const line: ParsedLine = { pathWords: [], positionals: [], flags: [] };
  let pathDone = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '--') {
      line.positionals.push(...words.slice(i + 1));
      break;
    }
    if (word.startsWith('-') && word !== '-') {
      const eq = word.indexOf('=');
      const name = eq > 0 ? word.slice(0, eq) : word;
      const option = findOption(optionsOf(line.command), name);
      if (eq > 0) line.flags.push({ name, value: word.slice(eq + 1) });
      else if (option?.takesValue) {
        if (i + 1 < words.length) line.flags.push({ name, value: words[++i], separate: true });
        else {
          line.flags.push({ name });
          line.pendingValue = option;
        }
      } else line.flags.push({ name });
      continue;
    }
    if (!pathDone && isPathPrefix(specs, [...line.pathWords, word])) {
      line.pathWords.push(word);
      line.command = specs.find((c) => c.path.join(' ') === line.pathWords.join(' '));
      continue;
    }
    pathDone = true;
    line.positionals.push(word);
  }
  return line;
}

/** The words that may follow `pathWords` in a command path, each with what it does. */
export function nextPathWords(specs: CommandSpec[], pathWords: string[]): Map<string, string> {
  const next = new Map<string, string[]>();
  for (const c of specs) {
    if (c.path.length <= pathWords.length || !pathWords.every((w, i) => c.path[i] === w)) continue;
    const word = c.path[pathWords.length];
    const rest = c.path.slice(pathWords.length + 1).join(' ');
    next.set(word, [...(next.get(word) ?? []), rest ? rest : `\0${c.description}`]);
  }
  // A command describes itself; a group lists what it holds ("recover, restore, snapshot, status").
  return new Map(
    [...next].map(([word, entries]) => {
      const own = entries.find((e) => e.startsWith('\0'));
      const subs = [...new Set(entries.filter((e) => !e.startsWith('\0')).map((e) => e.split(' ')[0]))].sort();
      return [word, own ? own.slice(1) : subs.join(', ')];
    }),
  );
}

/** Edit distance (insertions, deletions, substitutions), as cobra's suggestions use. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * cobra's rule for "Did you mean this?" (command.go, SuggestionsFor): names within edit distance 2
 * (SuggestionsMinimumDistance; 1 for names of three letters, 0 for shorter, where 2 matches nearly
 * anything), or that start with what was typed; closest first.
 */
export function suggestionsFor(typed: string, candidates: Iterable<string>): string[] {
  const t = typed.toLowerCase();
  return [...new Set(candidates)]
    .map((c) => ({ c, d: levenshtein(t, c.toLowerCase()) }))
    .filter(({ c, d }) => d <= Math.min(2, c.length - 2) || (t.length > 0 && c.toLowerCase().startsWith(t)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .map(({ c }) => c);
}

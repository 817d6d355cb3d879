/**
 * What kubectl says when a command line does not parse: the unknown word, and the nearest known
 * ones ("Did you mean this?"). clipanion only knows that no command matched.
 */
import { type CommandSpec, findOption, nextPathWords, optionsOf, parseLine, suggestionsFor } from './command-tree.ts';

function didYouMean(suggestions: string[]): string {
  return suggestions.length ? `\n\nDid you mean this?\n${suggestions.map((s) => `\t${s}`).join('\n')}` : '';
}

/**
 * The error for a command line clipanion rejected, without the `error: ` prefix, or undefined when
 * this is not about an unknown command, flag or argument. `binary` is `kubectl hcp` or `oc hcp`.
 */
export function diagnoseCommandLine(specs: CommandSpec[], argv: readonly string[], binary: string): string | undefined {
  const line = parseLine(specs, argv);
  const where = [binary, ...line.pathWords].join(' ');
  const help = `(see '${where} --help')`;
  if (!line.command) {
    const typed = line.positionals[0];
    const next = nextPathWords(specs, line.pathWords);
    if (typed === undefined) {
      if (!line.pathWords.length) return undefined;
      return `"${where}" needs a subcommand: ${[...next.keys()].sort().join(', ')} ${help}`;
    }
    const suggestions = suggestionsFor(typed, next.keys());
    return `unknown command "${typed}" for "${where}"${suggestions.length ? didYouMean(suggestions) : ` ${help}`}`;
  }
  const options = optionsOf(line.command);
  if (line.pendingValue) {
    const flag = line.flags[line.flags.length - 1].name;
    return `${flag} needs a value ${help}`;
  }
  // clipanion reads `--replicas -1` as two flags and matches no command (issue 11 bad-input corpus).
  const dashed = line.flags.find((f) => f.separate && f.value !== undefined && /^-./.test(f.value));
  if (dashed) return `${dashed.name} ${dashed.value}: write a value that starts with "-" as ${dashed.name}=${dashed.value}`;
  for (const flag of line.flags) {
    // clipanion accepts --no-X for every boolean --X.
    const negated = flag.name.startsWith('--no-') ? findOption(options, `--${flag.name.slice(5)}`) : undefined;
    if (findOption(options, flag.name) || (negated && !negated.takesValue)) continue;
    // Long flags only: every one-letter flag is within distance 1 of any other.
    const long = flag.name.startsWith('--');
    const suggestions = long
      ? suggestionsFor(
          flag.name.slice(2),
          options.flatMap((o) => o.names.filter((n) => n.startsWith('--')).map((n) => n.slice(2))),
        ).map((n) => `--${n}`)
      : [];
    const kind = long ? 'unknown flag' : 'unknown shorthand flag';
    return `${kind}: ${flag.name} for "${where}"${suggestions.length ? didYouMean(suggestions) : ` ${help}`}`;
  }
  const { positionals, rest } = line.command;
  if (!rest && line.positionals.length > positionals.length) {
    // `oauth add opnid sample`: `oauth add` takes NAME, but the word looks like a mistyped subcommand.
    const suggestions = suggestionsFor(line.positionals[0], nextPathWords(specs, line.pathWords).keys());
    if (suggestions.length) return `unknown command "${line.positionals[0]}" for "${where}"${didYouMean(suggestions)}`;
    const extra = line.positionals.slice(positionals.length);
    const takes = positionals.length ? `takes ${positionals.map((p) => p.name).join(' ')}` : 'takes no arguments';
    return `unexpected argument${extra.length > 1 ? 's' : ''} "${extra.join(' ')}" for "${where}": it ${takes} ${help}`;
  }
  // clipanion matches no command when a required flag or argument is missing, and says "Command not
  // found; did you mean:" (issue 11 bad-input corpus): name what is missing instead.
  const missing = [
    ...line.command.positionals
      .slice(line.positionals.length)
      .filter((p) => !p.optional)
      .map((p) => p.name),
    ...line.command.options.filter((o) => o.required && !line.flags.some((f) => o.names.includes(f.name))).map((o) => o.names[o.names.length - 1]),
  ];
  if (missing.length) return `"${where}" needs ${missing.join(' and ')} ${help}`;
  return undefined;
}

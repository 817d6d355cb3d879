import { Cli } from 'clipanion';
import { createInterface } from 'node:readline/promises';
import type { HcpContext } from './context.ts';
import { commands } from './commands.ts';
import { HelpCommand, topLevelHelp } from './help.ts';
import { hoistGlobalFlags, isTopLevelHelp } from './global-flags.ts';
import { BINARY_LABEL, VERSION } from '../version.ts';
import { ExitCode } from '../util/errors.ts';
import { commandSpecs } from './command-tree.ts';
import { detectFrontEnd, processFacts } from './front-end.ts';
import { diagnoseCommandLine } from './suggest.ts';

/**
 * The CLI, with only the commands that can match `argv` when it is given: clipanion compiles a
 * parser state machine over every registered command on each run, which grows with the command
 * count and dominated start-up. `kubectl hcp pause …` needs only the `pause` commands; a bare
 * `--help` or an unknown word gets them all (for the command list and suggestions).
 */
export function buildCli(argv?: readonly string[], binary: string = BINARY_LABEL): Cli<HcpContext> {
  const first = argv?.[0];
  const matching = first && !first.startsWith('-') ? commands.filter((c) => c.paths?.some((p) => p[0] === first)) : [];
  const selected = matching.length ? [HelpCommand, ...matching] : commands;
  const cli = new Cli<HcpContext>({
    binaryLabel: binary,
    binaryName: binary,
    binaryVersion: VERSION,
    enableCapture: false,
    enableColors: false,
  });
  for (const command of selected) cli.register(command);
  return cli;
}

export function processContext(): HcpContext {
  const env = process.env;
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    colorDepth: 1,
    now: () => new Date(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    onInterrupt: (handler) => {
      const signals = ['SIGINT', 'SIGTERM'] as const;
      for (const s of signals) process.once(s, handler);
      return () => {
        for (const s of signals) process.off(s, handler);
      };
    },
    prompt: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  // `kubectl hcp status | head` closes our stdout early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  // `kubectl hcp …` or `oc hcp …` in usage, examples and errors, as the user typed it.
  const binary = `${detectFrontEnd(processFacts())} hcp`;
  // The shells' and kubectl's completion protocol (cobra's hidden __complete command): every command.
  if (argv[0] === '__complete' || argv[0] === '__completeNoDesc') {
    const { runCompletion } = await import('./completion.ts');
    return runCompletion(buildCli(undefined, binary), argv.slice(1), processContext(), { descriptions: argv[0] === '__complete' });
  }
  const args = hoistGlobalFlags(argv);
  return runCli(buildCli(args, binary), args, processContext());
}

/**
 * clipanion prints parse errors (unknown command, missing argument) on stdout with exit 1 and a
 * page of usage; a kubectl plugin owes one message on stderr and exit 2: the unknown word and, as
 * kubectl does, the nearest known ones ("Did you mean this?").
 */
export async function runCli(cli: Cli<HcpContext>, argv: string[], context: HcpContext): Promise<number> {
  // The top-level help needs no parsing: skip compiling the parser over every command.
  if (isTopLevelHelp(argv)) {
    context.stdout.write(topLevelHelp(cli));
    return ExitCode.Ok;
  }
  let command;
  try {
    command = cli.process(argv, context);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0].replace(/^Command not found; did you mean one of:$/, 'unknown command');
    // The whole registry: the CLI built for this argv may hold only the commands of its first word.
    const diagnosis = /^Invalid value for /.test(first)
      ? undefined
      : diagnoseCommandLine(commandSpecs(buildCli(undefined, cli.binaryName)), argv, cli.binaryName);
    // A typanion validator's message already names the flag and the value; others get the line.
    const where = /^Invalid value for /.test(first) ? '' : `: "${argv.join(' ')}"`;
    context.stderr.write(`error: ${diagnosis ?? `${first}${where} (see '${cli.binaryName} --help')`}\n`);
    return ExitCode.Usage;
  }
  return cli.run(command, context);
}

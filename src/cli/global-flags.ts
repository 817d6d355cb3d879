/**
 * kubectl accepts its global flags anywhere on the line (`kubectl hcp -n foo status bar`);
 * clipanion wants the command path first. Move recognised global flags (and their values) that
 * come before the first positional word to the end, so both orders work.
 */
export const GLOBAL_FLAGS_WITH_VALUE = [
  '--kubeconfig',
  '--context',
  '--cluster',
  '--user',
  '-n',
  '--namespace',
  '--as',
  '--as-group',
  '--request-timeout',
  '-v',
  '--v',
  '--hypershift-namespace',
] as const;

const WITH_VALUE = new Set<string>(GLOBAL_FLAGS_WITH_VALUE);

export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const hoisted: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i];
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (!WITH_VALUE.has(name)) break;
    if (arg.includes('=') || i + 1 >= argv.length) {
      hoisted.push(arg);
      i += 1;
    } else {
      hoisted.push(arg, argv[i + 1]);
      i += 2;
    }
  }
  return hoisted.length ? [...argv.slice(i), ...hoisted] : [...argv];
}

/**
 * Whether `argv` asks for the top-level help: nothing, `--help` or `-h`, with any global flags
 * around it (`kubectl hcp --context x --help`), which mean nothing to it. The binary's prelude
 * (src/fast-help.ts) and the CLI (main.ts runCli) both answer it.
 */
export function isTopLevelHelp(argv: readonly string[]): boolean {
  const bare = withoutGlobalFlags(argv);
  return bare.length === 0 || (bare.length === 1 && (bare[0] === '--help' || bare[0] === '-h'));
}

/** `argv` without any global flag and its value, wherever they stand (for `--help -v 1`). */
function withoutGlobalFlags(argv: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (!WITH_VALUE.has(name)) rest.push(arg);
    else if (!arg.includes('=')) i += 1;
  }
  return rest;
}

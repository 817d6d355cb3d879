/** Runs the CLI in-process with captured streams, a fixed clock and a given environment. */
import { PassThrough } from 'node:stream';
import type { Cli } from 'clipanion';
import { buildCli, runCli } from '../../src/cli/main.ts';
import type { HcpContext } from '../../src/cli/context.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(
  argv: string[],
  /** `cli`: a registry of one's own (a command subclassed with a stand-in client), else the real one. */
  opts: { env?: NodeJS.ProcessEnv; now?: Date; tty?: boolean; answers?: string[]; cli?: Cli<HcpContext> } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const answers = [...(opts.answers ?? [])];
  const context: HcpContext = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: opts.env ?? { KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent' },
    colorDepth: 1,
    now: () => opts.now ?? new Date('2026-11-21T10:00:00Z'),
    stdinIsTTY: opts.tty ?? false,
    stdoutIsTTY: opts.tty ?? false,
    stderrIsTTY: opts.tty ?? false,
    prompt: async () => answers.shift() ?? '',
  };
  const code = await runCli(opts.cli ?? buildCli(), argv, context);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** The mutating base runs the phases in order, and no client exists before validate() returns (issue 12). */
import { Cli, Option } from 'clipanion';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MutatingCommand, type Report } from '../../src/cli/mutating.ts';
import type { HcpContext } from '../../src/cli/context.ts';
import { newPlan } from '../../src/plan/plan.ts';
import { UsageError } from '../../src/util/errors.ts';

const order: string[] = [];

class PhasesCommand extends MutatingCommand<{ n: number }, string> {
  static override paths = [['phases']];
  n = Option.String('--n', '1');
  grabKubeEarly = Option.Boolean('--grab-kube-early', false);

  protected override async load() {
    order.push('load');
  }
  protected validate() {
    order.push('validate');
    if (this.grabKubeEarly) void this.kube();
    if (!/^\d+$/.test(this.n)) throw new UsageError(`--n "${this.n}" is not a number`);
    return { n: Number(this.n) };
  }
  protected async observe() {
    order.push('observe');
    return 'observed';
  }
  protected plan(input: { n: number }, observed: string) {
    order.push(`plan:${input.n}:${observed}`);
    return newPlan('phases', 'test');
  }
  protected report(): Report {
    order.push('report');
    return { value: { ok: true }, text: 'done' };
  }
  // No cluster in this test: the client is never used by an empty plan.
  protected override kube() {
    if (!this.kubeAllowed) throw new Error('internal: a kube client was requested during validate(), before every input was checked');
    order.push('kube');
    return Promise.resolve({
      server: 'https://x',
      withServerDryRun() {
        return this;
      },
    } as never);
  }
}

async function run(argv: string[]) {
  order.length = 0;
  const cli = new Cli<HcpContext>({ binaryName: 'kubectl hcp' });
  cli.register(PhasesCommand);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const context = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {},
    colorDepth: 1,
    now: () => new Date(),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    prompt: async () => '',
  } as HcpContext;
  const code = await cli.run(argv, context);
  return { code, out, err };
}

describe('MutatingCommand phases', () => {
  it('load → validate → kube → observe → plan → report, in that order', async () => {
    const r = await run(['phases', '--n', '7']);
    expect(r.code).toBe(0);
    expect(order).toEqual(['load', 'validate', 'kube', 'observe', 'plan:7:observed', 'report']);
    expect(r.out).toBe('done\n');
  });

  it('a usage error in validate() stops everything before a client exists (exit 2)', async () => {
    const r = await run(['phases', '--n', 'x']);
    expect(r.code).toBe(2);
    expect(order).toEqual(['load', 'validate']);
  });

  it('asking for a client inside validate() is refused', async () => {
    const r = await run(['phases', '--grab-kube-early']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('before every input was checked');
    expect(order).toEqual(['load', 'validate']);
  });

  it('--dry-run=server adds the suffix to the first report line; a bad --dry-run is a usage error before validate()', async () => {
    expect((await run(['phases', '--dry-run=server'])).out).toBe('done (server dry run)\n');
    const bad = await run(['phases', '--dry-run=maybe']);
    expect(bad.code).toBe(2);
    expect(order).toEqual(['load']);
  });
});

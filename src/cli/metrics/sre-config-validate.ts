import { Command, Option } from 'clipanion';
import { HcpCommand } from '../base.ts';
import { ExitCode } from '../../util/errors.ts';
import { readInputFile } from '../../util/input-file.ts';

export class SreConfigValidateCommand extends HcpCommand {
  static override paths = [['metrics', 'sre-config', 'validate']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Check an SRE metrics set config file without a cluster',
    details: `
      Runs the same checks as \`sre-config apply\` and lists every problem as \`FILE:LINE: component[item]: message\` on stderr. Exits 0 when valid, 2 otherwise. No API call is made.
    `,
    examples: [['Check a file', '$0 metrics sre-config validate -f sre.yaml']],
  });

  file = Option.String('-f,--filename', { required: true, description: 'The config file' });

  async run(): Promise<number> {
    const { validateSreConfig, formatProblem } = await import('../../metrics/sre-config.ts');
    const v = validateSreConfig(readInputFile(this.file, '-f'));
    for (const w of v.warnings) this.out.warn(w);
    for (const p of v.problems) this.out.error(formatProblem(p, this.file));
    if (v.problems.length) return ExitCode.Usage;
    this.out.print(
      `${this.file}: valid (${
        Object.entries(v.components)
          .map(([c, n]) => `${c}: ${n}`)
          .join(', ') || 'no components'
      })`,
    );
    return ExitCode.Ok;
  }
}

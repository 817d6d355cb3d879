import { Command } from 'clipanion';
import { HcpCommand } from '../base.ts';

export class SreConfigDefaultCommand extends HcpCommand {
  static override paths = [['metrics', 'sre-config', 'default']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: "Print the docs' example SRE metrics set config",
    details: `
      Prints the example from spec 7.1.1 as upstream ships it: valid YAML that passes \`sre-config validate\`, ready to edit and apply.
    `,
    examples: [['Start from the example', '$0 metrics sre-config default > sre.yaml']],
  });

  async run(): Promise<void> {
    const { DEFAULT_SRE_CONFIG } = await import('../../metrics/default-sre-config.ts');
    this.context.stdout.write(DEFAULT_SRE_CONFIG);
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { UsageError } from '../../util/errors.ts';
import { readInputFile } from '../../util/input-file.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { ConfigMap } from '../../metrics/configmap-key.ts';
import type { SreValidation } from '../../metrics/sre-config.ts';

interface ApplyInput {
  text: string;
  validation: SreValidation;
}

export class SreConfigApplyCommand extends MutatingCommand<ApplyInput, ConfigMap | null> {
  static override paths = [['metrics', 'sre-config', 'apply']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Validate an SRE metrics set config strictly and write configmap sre-metric-set',
    details: `
      Writes the file verbatim to key \`config\` of configmap \`sre-metric-set\` in the operator namespace (spec 7.1.1), after checking what the operator silently ignores: only the known components, only RelabelConfig fields, \`action\` from the enum, \`sourceLabels\` as a list, and every \`regex\` compiled as RE2 (what Prometheus accepts). Each problem names the line and the component; nothing is written while any remains.
    `,
    examples: [
      ['Write the doc example', '$0 metrics sre-config default > sre.yaml && $0 metrics sre-config apply -f sre.yaml'],
      ['Show the write without sending it', '$0 metrics sre-config apply -f sre.yaml --dry-run=client'],
    ],
  });

  file = Option.String('-f,--filename', { required: true, description: 'The config file (YAML: component → list of RelabelConfig)' });

  private sre!: typeof import('../../metrics/sre-config.ts');
  private observeLib!: typeof import('../../metrics/observe.ts');

  protected override async load(): Promise<void> {
    [this.sre, this.observeLib] = await Promise.all([import('../../metrics/sre-config.ts'), import('../../metrics/observe.ts')]);
  }

  protected validate(): ApplyInput {
    const text = readInputFile(this.file, '-f');
    const validation = this.sre.validateSreConfig(text);
    if (validation.problems.length) {
      const more =
        validation.problems.length > 1 ? ` (and ${validation.problems.length - 1} more; run 'kubectl hcp metrics sre-config validate -f ${this.file}')` : '';
      throw new UsageError(`${this.sre.formatProblem(validation.problems[0], this.file)}${more}`);
    }
    return { text, validation };
  }

  protected async observe(kube: KubeClient, { validation }: ApplyInput): Promise<ConfigMap | null> {
    for (const w of validation.warnings) this.out.warn(w);
    const { Resources } = await import('../../kube/resources.ts');
    return kube.getOrNull<ConfigMap>(Resources.ConfigMap, this.hypershiftNamespace, this.sre.SRE_CONFIGMAP);
  }

  protected plan({ text }: ApplyInput, existing: ConfigMap | null) {
    return this.observeLib.planSreConfigApply({ namespace: this.hypershiftNamespace, existing, text });
  }

  protected report(_result: unknown, { validation }: ApplyInput, existing: ConfigMap | null): Report {
    const counts = Object.entries(validation.components)
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ');
    return {
      value: { configmap: `${this.hypershiftNamespace}/${this.sre.SRE_CONFIGMAP}`, components: validation.components },
      text: `configmap/${this.sre.SRE_CONFIGMAP} ${existing ? 'configured' : 'created'} (${counts})`,
    };
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { readInputFile } from '../../util/input-file.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { ConfigMap } from '../../metrics/configmap-key.ts';
import type { TemplateCheck } from '../../dashboards/dashboards.ts';

interface TemplateInput {
  text: string;
  check: TemplateCheck;
}

export class DashboardsTemplateSetCommand extends MutatingCommand<TemplateInput, ConfigMap | null> {
  static override paths = [['dashboards', 'template', 'set']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Install a dashboard template (validated as JSON)',
    details: `
      Writes the file to key \`template\` of configmap \`monitoring-dashboard-template\` in the operator namespace. The file must be a JSON object. It warns about the placeholders it does not use (\`__NAME__\`, \`__NAMESPACE__\`, \`__CONTROL_PLANE_NAMESPACE__\`, \`__CLUSTER_ID__\`) and about \`__WORDS__\` the operator does not replace.
    `,
    examples: [['Install an edited template', '$0 dashboards template set -f dashboard.json']],
  });

  file = Option.String('-f,--filename', { required: true, description: 'The template (Grafana dashboard JSON)' });

  private lib!: typeof import('../../dashboards/dashboards.ts');

  protected override async load(): Promise<void> {
    this.lib = await import('../../dashboards/dashboards.ts');
  }

  protected validate(): TemplateInput {
    const text = readInputFile(this.file, '-f');
    return { text, check: this.lib.checkTemplate(text, this.file) };
  }

  protected async observe(kube: KubeClient, { check }: TemplateInput): Promise<ConfigMap | null> {
    if (check.unused.length) this.out.warn(`${this.file} does not use ${check.unused.join(', ')}: every cluster's dashboard gets the same text there`);
    if (check.unknown.length) this.out.warn(`${this.file} contains ${check.unknown.join(', ')}, which the operator does not replace`);
    const { Resources } = await import('../../kube/resources.ts');
    return kube.getOrNull<ConfigMap>(Resources.ConfigMap, this.hypershiftNamespace, this.lib.TEMPLATE_CONFIGMAP);
  }

  protected plan({ text }: TemplateInput, existing: ConfigMap | null) {
    return this.lib.planTemplateSet(this.hypershiftNamespace, existing, text);
  }

  protected report(_result: unknown, { check }: TemplateInput, existing: ConfigMap | null): Report {
    const name = this.lib.TEMPLATE_CONFIGMAP;
    return {
      value: { configmap: `${this.hypershiftNamespace}/${name}`, unusedPlaceholders: check.unused },
      text: `configmap/${name} ${existing ? 'configured' : 'created'}`,
    };
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { readInputFile } from '../../util/input-file.ts';

export class DashboardsTemplateSetCommand extends MutatingCommand {
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

  async run(): Promise<void> {
    const { checkTemplate, planTemplateSet, TEMPLATE_CONFIGMAP } = await import('../../dashboards/dashboards.ts');
    const text = readInputFile(this.file, '-f');
    const check = checkTemplate(text, this.file);
    this.validateCommon();
    if (check.unused.length) this.out.warn(`${this.file} does not use ${check.unused.join(', ')}: every cluster's dashboard gets the same text there`);
    if (check.unknown.length) this.out.warn(`${this.file} contains ${check.unknown.join(', ')}, which the operator does not replace`);
    const { Resources } = await import('../../kube/resources.ts');
    const kube = await this.kube();
    const ns = this.hypershiftNamespace;
    const existing = await kube.getOrNull(Resources.ConfigMap, ns, TEMPLATE_CONFIGMAP);
    const result = await this.runPlan(planTemplateSet(ns, existing, text), kube);
    if (result.status !== 'completed') return;
    this.printResult(
      { configmap: `${ns}/${TEMPLATE_CONFIGMAP}`, unusedPlaceholders: check.unused, dryRun: this.dryRunMode },
      `configmap/${TEMPLATE_CONFIGMAP} ${existing ? 'configured' : 'created'}${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }
}

import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from '../base.ts';
import { readInputFile } from '../../util/input-file.ts';

export class DashboardsTemplateRenderCommand extends HcpCommand {
  static override paths = [['dashboards', 'template', 'render']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Show the dashboard a hosted cluster would get',
    details: `
      Replaces \`__NAME__\`, \`__NAMESPACE__\`, \`__CONTROL_PLANE_NAMESPACE__\` and \`__CLUSTER_ID__\` (spec.clusterID) in the template, as the operator does, for HostedCluster NAME. The template is the one in the cluster, or \`-f FILE\` to preview one before \`template set\`.
    `,
    examples: [
      ['Render for sample', '$0 dashboards template render sample'],
      ['Preview a local template', '$0 dashboards template render sample -f dashboard.json'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  file = Option.String('-f,--filename', { description: 'Render this template file instead of the one in the cluster' });

  async run(): Promise<void> {
    assertObjectName(this.name, 'HostedCluster');
    const { checkTemplate, renderTemplate, TEMPLATE_CONFIGMAP, TEMPLATE_KEY } = await import('../../dashboards/dashboards.ts');
    let template: string | undefined;
    if (this.file !== undefined) {
      template = readInputFile(this.file, '-f');
      checkTemplate(template, this.file);
    }
    this.validateGlobals();
    const { Resources } = await import('../../kube/resources.ts');
    const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
    const { RuntimeError } = await import('../../util/errors.ts');
    const kube = await this.kube();
    const [hc] = await selectHostedClusters(kube, { name: this.name, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace });
    if (template === undefined) {
      const cm = await kube.getOrNull<import('../../dashboards/dashboards.ts').ConfigMap>(Resources.ConfigMap, this.hypershiftNamespace, TEMPLATE_CONFIGMAP);
      template = cm?.data?.[TEMPLATE_KEY];
      if (template === undefined) {
        throw new RuntimeError(`configmap ${this.hypershiftNamespace}/${TEMPLATE_CONFIGMAP} not found`, {
          hint: "pass -f FILE, e.g. from 'dashboards template get --default'",
        });
      }
    }
    if (!hc.spec.clusterID) this.out.warn(`hostedcluster/${hc.metadata.name} has no spec.clusterID: __CLUSTER_ID__ renders empty`);
    const out = renderTemplate(template, hc);
    this.context.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  }
}

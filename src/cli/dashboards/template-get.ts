import { Command, Option } from 'clipanion';
import { HcpCommand } from '../base.ts';
import { RuntimeError } from '../../util/errors.ts';

export class DashboardsTemplateGetCommand extends HcpCommand {
  static override paths = [['dashboards', 'template', 'get']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Print the dashboard template the operator uses',
    details: `
      Prints key \`template\` of configmap \`monitoring-dashboard-template\` in the operator namespace (spec 7.2.1). \`--default\` prints upstream's default template instead, without a cluster.
    `,
    examples: [
      ['Save the template to edit it', '$0 dashboards template get > dashboard.json'],
      ["Upstream's default", '$0 dashboards template get --default'],
    ],
  });

  default = Option.Boolean('--default', false, { description: "Print upstream's default template" });

  async run(): Promise<void> {
    if (this.default) {
      const { defaultTemplate } = await import('../../dashboards/default-template.ts');
      this.context.stdout.write(defaultTemplate());
      return;
    }
    this.validateGlobals();
    const { Resources } = await import('../../kube/resources.ts');
    const { TEMPLATE_CONFIGMAP, TEMPLATE_KEY } = await import('../../dashboards/dashboards.ts');
    const ns = this.hypershiftNamespace;
    const cm = await (await this.kube()).getOrNull<import('../../dashboards/dashboards.ts').ConfigMap>(Resources.ConfigMap, ns, TEMPLATE_CONFIGMAP);
    const text = cm?.data?.[TEMPLATE_KEY];
    if (text === undefined) {
      throw new RuntimeError(`configmap ${ns}/${TEMPLATE_CONFIGMAP} ${cm ? `has no key ${TEMPLATE_KEY}` : 'not found'}`, {
        hint: "'--default' prints upstream's template; 'dashboards template set -f FILE' installs one",
      });
    }
    this.context.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

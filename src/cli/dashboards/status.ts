import { Command } from 'clipanion';
import { HcpCommand } from '../base.ts';
import { outputOption } from '../flags.ts';
import type { OutputFormat } from '../../output/output.ts';

export class DashboardsStatusCommand extends HcpCommand {
  static override paths = [['dashboards', 'status']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Show whether monitoring dashboards are on, and which exist',
    details: `
      Shows the \`--monitoring-dashboards\` state in \`local-cluster/hypershift-operator-install-flags\`, \`MONITORING_DASHBOARDS\` on the operator deployment (on only when exactly "1"), whether template \`monitoring-dashboard-template\` exists and is JSON, and for each HostedCluster whether its dashboard \`openshift-config-managed/hc-<namespace>-<name>\` exists. Dashboards whose cluster is gone are listed as left behind.
    `,
    examples: [['Show the state', '$0 dashboards status']],
  });

  output = outputOption();

  async run(): Promise<void> {
    this.validateGlobals();
    const { observeDashboards, renderDashboardsView } = await import('../../dashboards/dashboards.ts');
    const view = await observeDashboards(await this.kube(), this.hypershiftNamespace);
    this.out.data(this.output as OutputFormat, view, () => renderDashboardsView(view), 'DashboardsStatus');
  }
}

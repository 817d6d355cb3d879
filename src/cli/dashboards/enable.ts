import { Command } from 'clipanion';
import { DashboardsToggleCommand } from './toggle.ts';

export class DashboardsEnableCommand extends DashboardsToggleCommand {
  static override paths = [['dashboards', 'enable']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Turn on per-cluster monitoring dashboards (MCE/ACM install flags)',
    details: `
      Adds \`--monitoring-dashboards\` to \`installFlagsToAdd\` of configmap \`local-cluster/hypershift-operator-install-flags\` (creating it when absent) and removes it from \`installFlagsToRemove\`, keeping every other flag (spec 7.2). The hypershift addon then redeploys the operator with \`MONITORING_DASHBOARDS="1"\`, and the operator writes a dashboard \`openshift-config-managed/hc-<namespace>-<name>\` per hosted cluster.

      The configmap is patched with its resourceVersion, so a concurrent edit fails instead of being overwritten. \`--wait\` waits for the operator's env var.
    `,
    examples: [
      ['Enable and wait for the operator', '$0 dashboards enable --wait'],
      ['See the change first', '$0 dashboards enable --dry-run=client'],
    ],
  });
  protected readonly enable = true;
}

import { Command, Option } from 'clipanion';
import { DashboardsToggleCommand } from './toggle.ts';

export class DashboardsDisableCommand extends DashboardsToggleCommand {
  static override paths = [['dashboards', 'disable']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Turn off per-cluster monitoring dashboards (MCE/ACM install flags)',
    details: `
      Removes \`--monitoring-dashboards\` from \`installFlagsToAdd\` and adds it to \`installFlagsToRemove\`, keeping every other flag. The operator then runs without \`MONITORING_DASHBOARDS\`.

      The operator leaves the dashboards it already wrote behind. \`--prune\` deletes the \`hc-*\` dashboards in \`openshift-config-managed\` (after asking; \`-y\` to skip) once the operator no longer has \`MONITORING_DASHBOARDS="1"\`, so it cannot recreate them (it implies \`--wait\`).
    `,
    examples: [
      ['Disable', '$0 dashboards disable'],
      ['Disable and delete the dashboards', '$0 dashboards disable --prune -y'],
    ],
  });
  protected readonly enable = false;
  pruneFlag = Option.Boolean('--prune', false, { description: 'Also delete the generated hc-* dashboards (implies --wait)' });

  protected override pruneRequested(): boolean {
    return this.pruneFlag;
  }
}

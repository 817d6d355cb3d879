import { Command, Option } from 'clipanion';
import { ReconciliationCommand } from './reconciliation-base.ts';

export class PauseCommand extends ReconciliationCommand {
  static override paths = [['pause']];
  static override usage = Command.Usage({
    category: 'Reconciliation',
    description: 'Pause reconciliation of hosted clusters (and optionally their NodePools)',
    details: `
      Sets \`spec.pausedUntil\` on the HostedCluster (spec 9.2): \`"true"\` pauses until \`resume\`; \`--until\` or \`--for\` pause until a time, after which the operator resumes by itself.

      Only \`"true"\` or an RFC3339 time with a zone is ever written: the CRD also admits a time without a zone, which the operator cannot parse, so the cluster would silently not pause.

      NodePools are not paused with their cluster (they have their own \`pausedUntil\`); \`--nodepools\` pauses them too. Afterwards the command waits briefly for the operator to report \`ReconciliationActive=False\` and warns if it does not.
    `,
    examples: [
      ['Pause until resumed', '$0 pause sample'],
      ['Pause for two hours, with its NodePools', '$0 pause sample --for 2h --nodepools'],
      ['Pause until a time', '$0 pause sample --until 2026-12-01T08:00:00Z'],
      ['Pause every cluster labelled env=dev in namespace clusters', '$0 pause -l env=dev'],
    ],
  });

  until = Option.String('--until', { description: 'Pause until this RFC3339 time with a zone (e.g. 2026-12-01T08:00:00Z)' });
  for = Option.String('--for', { description: 'Pause for this Go duration (e.g. 2h, 90m)' });

  async run(): Promise<void> {
    const { pausedUntilValue } = await import('../hostedcluster/paused-until.ts');
    const { selection, waitMs } = await this.validateTargets();
    const value = pausedUntilValue({ until: this.until, for: this.for }, this.context.now());
    this.validateCommon();

    const { planPause } = await import('../hostedcluster/pause.ts');
    const kube = await this.kube();
    await this.forEachCluster(kube, selection, async (hc, own) => {
      const plan = planPause({ hc, value, waitMs, nodePools: this.nodepools ? own : [], otherNodePools: this.nodepools ? 0 : own.length });
      const result = await this.runPlan(plan, kube);
      if (result.status !== 'completed') return;
      const suffix = this.dryRunMode === 'server' ? ' (server dry run)' : '';
      const what = value === 'true' ? 'paused until resumed' : `paused until ${value}`;
      this.printResult(
        { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, pausedUntil: value, nodePools: this.nodepools ? own.map((np) => np.metadata.name) : [], dryRun: this.dryRunMode },
        `hostedcluster/${hc.metadata.name} ${what}${this.nodepools && own.length ? ` (with ${own.length} NodePools)` : ''}${suffix}`,
      );
    });
  }
}

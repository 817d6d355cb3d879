import { Command, Option } from 'clipanion';
import { ReconciliationCommand, type ClusterTarget, type ReconciliationInput } from './reconciliation-base.ts';
import type { Report } from './mutating.ts';

interface PauseInput extends ReconciliationInput {
  value: string;
}

export class PauseCommand extends ReconciliationCommand<PauseInput> {
  static override paths = [['pause']];
  static override usage = Command.Usage({
    category: 'Reconciliation',
    description: 'Pause reconciliation of hosted clusters (and optionally their NodePools)',
    details: `
      Sets \`spec.pausedUntil\` on the HostedCluster (spec 9.2): \`"true"\` pauses until \`resume\`; \`--until\` or \`--for\` pause until a time, after which the operator resumes by itself.

      Only \`"true"\` or an RFC3339 time with a zone is ever written: the CRD also admits a time without a zone, which the operator cannot parse, so the cluster would silently not pause.

      NodePools are not paused with their cluster (they have their own \`pausedUntil\`); \`--nodepools\` pauses them too. Afterwards the command waits briefly for the operator to report \`ReconciliationActive=False\` and warns if it does not.

      With \`--all\` or \`-l\`, up to \`--concurrency\` clusters (default 10) are paused at once, with one line per cluster; failures are listed at the end.
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

  private pausedUntil!: typeof import('../hostedcluster/paused-until.ts');

  protected override async load(): Promise<void> {
    [this.pausedUntil] = await Promise.all([import('../hostedcluster/paused-until.ts'), super.load()]);
  }

  protected validate(): PauseInput {
    const shared = this.validateTargets();
    return { ...shared, value: this.pausedUntil.pausedUntilValue({ until: this.until, for: this.for }, this.context.now()) };
  }

  protected plan({ value, waitMs }: PauseInput, { hc, pools }: ClusterTarget) {
    return this.pauseLib.planPause({ hc, value, waitMs, nodePools: this.nodepools ? pools : [], otherNodePools: this.nodepools ? 0 : pools.length });
  }

  protected report(_result: unknown, { value }: PauseInput, { hc, pools }: ClusterTarget): Report {
    const what = value === 'true' ? 'paused until resumed' : `paused until ${value}`;
    return {
      value: {
        hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`,
        pausedUntil: value,
        nodePools: this.nodepools ? pools.map((np) => np.metadata.name) : [],
      },
      text: `hostedcluster/${hc.metadata.name} ${what}${this.nodepools && pools.length ? ` (with ${pools.length} NodePools)` : ''}`,
    };
  }
}

import { Command, Option } from 'clipanion';
import { ReconciliationCommand, type ClusterTarget, type ReconciliationInput } from './reconciliation-base.ts';
import type { Report } from './mutating.ts';
import type { ExecutionResult } from '../plan/executor.ts';

export class ResumeCommand extends ReconciliationCommand {
  static override paths = [['resume']];
  static override usage = Command.Usage({
    category: 'Reconciliation',
    description: 'Resume reconciliation of hosted clusters and report leaked pauses',
    details: `
      Sets \`spec.pausedUntil\` to null (spec 9.2), and with \`--nodepools\` does the same on the cluster's NodePools.

      Then it looks for pauses that outlive a resume (OCPBUGS-77530): a HostedControlPlane \`pausedUntil\`, a \`cluster.x-k8s.io/paused\` annotation on a MachineDeployment or MachineSet whose NodePool is not paused, and a CAPI Cluster \`spec.paused\`. It reports them; \`--fix-leaks\` clears them.

      With \`--all\` or \`-l\`, up to \`--concurrency\` clusters (default 10) are resumed at once, with one line per cluster; failures are listed at the end.
    `,
    examples: [
      ['Resume a cluster', '$0 resume sample'],
      ['Resume a cluster and its NodePools, clearing leaked pauses', '$0 resume sample --nodepools --fix-leaks'],
    ],
  });

  fixLeaks = Option.Boolean('--fix-leaks', false, {
    description: 'Clear pauses left behind on the HostedControlPlane, MachineDeployments/MachineSets and the CAPI Cluster',
  });

  protected validate(): ReconciliationInput {
    return this.validateTargets();
  }

  protected plan({ waitMs }: ReconciliationInput, { hc, pools }: ClusterTarget) {
    return this.pauseLib.planResume({
      hc,
      waitMs,
      fixLeaks: this.fixLeaks,
      nodePools: this.nodepools ? pools : [],
      otherNodePools: this.nodepools ? 0 : pools.length,
    });
  }

  protected report(result: ExecutionResult, _input: unknown, { hc, pools }: ClusterTarget): Report {
    const leaks = (result.artifacts.leakedPauses as { object: string; problem: string; fixed: boolean }[] | undefined) ?? [];
    const skipped = result.artifacts.leakCheckSkipped as string | undefined;
    const leakText = skipped
      ? '; leaked-pause check skipped (no read access to the control-plane namespace)'
      : leaks.length
        ? `; ${leaks.length} leaked pause(s) ${this.fixLeaks ? 'cleared' : 'found'}: ${leaks.map((l) => `${l.object} (${l.problem})`).join(', ')}`
        : '; no leaked pauses';
    return {
      value: {
        hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`,
        resumed: true,
        nodePools: this.nodepools ? pools.map((np) => np.metadata.name) : [],
        leakedPauses: leaks,
        leakCheckSkipped: skipped,
      },
      text: `hostedcluster/${hc.metadata.name} resumed${leakText}`,
    };
  }
}

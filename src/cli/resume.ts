import { Command, Option } from 'clipanion';
import { ReconciliationCommand } from './reconciliation-base.ts';

export class ResumeCommand extends ReconciliationCommand {
  static override paths = [['resume']];
  static override usage = Command.Usage({
    category: 'Reconciliation',
    description: 'Resume reconciliation of hosted clusters and report leaked pauses',
    details: `
      Sets \`spec.pausedUntil\` to null (spec 9.2), and with \`--nodepools\` does the same on the cluster's NodePools.

      Then it looks for pauses that outlive a resume (OCPBUGS-77530): a HostedControlPlane \`pausedUntil\`, a \`cluster.x-k8s.io/paused\` annotation on a MachineDeployment or MachineSet whose NodePool is not paused, and a CAPI Cluster \`spec.paused\`. It reports them; \`--fix-leaks\` clears them.
    `,
    examples: [
      ['Resume a cluster', '$0 resume sample'],
      ['Resume a cluster and its NodePools, clearing leaked pauses', '$0 resume sample --nodepools --fix-leaks'],
    ],
  });

  fixLeaks = Option.Boolean('--fix-leaks', false, { description: 'Clear pauses left behind on the HostedControlPlane, MachineDeployments/MachineSets and the CAPI Cluster' });

  async run(): Promise<void> {
    const { selection, waitMs } = await this.validateTargets();
    this.validateCommon();

    const { planResume } = await import('../hostedcluster/pause.ts');
    const kube = await this.kube();
    await this.forEachCluster(kube, selection, async (hc, own) => {
      const plan = planResume({ hc, waitMs, fixLeaks: this.fixLeaks, nodePools: this.nodepools ? own : [], otherNodePools: this.nodepools ? 0 : own.length });
      const result = await this.runPlan(plan, kube);
      if (result.status !== 'completed') return;
      const leaks = (result.artifacts.leakedPauses as { object: string; problem: string; fixed: boolean }[] | undefined) ?? [];
      const skipped = result.artifacts.leakCheckSkipped as string | undefined;
      const leakText = skipped
        ? '; leaked-pause check skipped (no read access to the control-plane namespace)'
        : leaks.length
        ? `; ${leaks.length} leaked pause(s) ${this.fixLeaks ? 'cleared' : 'found'}: ${leaks.map((l) => `${l.object} (${l.problem})`).join(', ')}`
        : '; no leaked pauses';
      this.printResult(
        { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, resumed: true, nodePools: this.nodepools ? own.map((np) => np.metadata.name) : [], leakedPauses: leaks, leakCheckSkipped: skipped, dryRun: this.dryRunMode },
        `hostedcluster/${hc.metadata.name} resumed${this.dryRunMode === 'server' ? ' (server dry run)' : ''}${leakText}`,
      );
    });
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand, forEachTarget } from './options.ts';
import { assertObjectName } from './base.ts';
import { parseGoDuration } from '../util/duration.ts';

export class ResumeCommand extends MutatingCommand {
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

  name = Option.String({ required: false, name: 'NAME' });
  all = Option.Boolean('--all', false, { description: 'Every HostedCluster (in -n if given, else in all namespaces)' });
  selector = Option.String('-l,--selector', { description: 'Label selector for HostedClusters' });
  nodepools = Option.Boolean('--nodepools', false, { description: 'Also resume the NodePools of each cluster' });
  fixLeaks = Option.Boolean('--fix-leaks', false, { description: 'Clear pauses left behind on the HostedControlPlane, MachineDeployments/MachineSets and the CAPI Cluster' });
  waitTimeout = Option.String('--wait-timeout', '30s', { description: 'How long to wait for the operator to confirm and to clear propagated pauses' });

  async run(): Promise<void> {
    const { validateSelection, selectHostedClusters, nodePoolsOf } = await import('../hostedcluster/targets.ts');
    if (this.name !== undefined) assertObjectName(this.name, 'HostedCluster');
    const selection = { name: this.name, all: this.all, selector: this.selector, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace };
    validateSelection(selection);
    const waitMs = parseGoDuration(this.waitTimeout, '--wait-timeout');
    this.validateCommon();

    const { planResume } = await import('../hostedcluster/pause.ts');
    const kube = await this.kube();
    const clusters = await selectHostedClusters(kube, selection);
    if (!clusters.length) {
      this.out.note('No HostedClusters matched.');
      return;
    }
    const pools = await nodePoolsOf(kube, clusters);
    await forEachTarget(clusters, (hc) => `${hc.metadata.namespace}/${hc.metadata.name}`, async (hc) => {
      const own = pools.filter((np) => np.metadata.namespace === hc.metadata.namespace && np.spec.clusterName === hc.metadata.name);
      const plan = planResume({ hc, waitMs, fixLeaks: this.fixLeaks, nodePools: this.nodepools ? own : [], otherNodePools: this.nodepools ? 0 : own.length });
      const result = await this.runPlan(plan, kube);
      if (result.status !== 'completed') return;
      const leaks = (result.artifacts.leakedPauses as { object: string; problem: string; fixed: boolean }[] | undefined) ?? [];
      const leakText = leaks.length
        ? `; ${leaks.length} leaked pause(s) ${this.fixLeaks ? 'cleared' : 'found'}: ${leaks.map((l) => `${l.object} (${l.problem})`).join(', ')}`
        : '; no leaked pauses';
      this.printResult(
        { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, resumed: true, nodePools: this.nodepools ? own.map((np) => np.metadata.name) : [], leakedPauses: leaks, dryRun: this.dryRunMode },
        `hostedcluster/${hc.metadata.name} resumed${this.dryRunMode === 'server' ? ' (server dry run)' : ''}${leakText}`,
      );
    });
  }
}

import { Option } from 'clipanion';
import { MutatingCommand, forEachTarget } from './options.ts';
import { assertObjectName } from './base.ts';
import { parseGoDuration } from '../util/duration.ts';
import type { KubeClient } from '../kube/client.ts';
import type { HostedCluster, NodePool } from '../hostedcluster/types.ts';
import type { TargetSelection } from '../hostedcluster/targets.ts';

/** What pause and resume share: choosing clusters (NAME, --all, -l), --nodepools and the wait. */
export abstract class ReconciliationCommand extends MutatingCommand {
  name = Option.String({ required: false, name: 'NAME' });
  all = Option.Boolean('--all', false, { description: 'Every HostedCluster (in -n if given, else in all namespaces)' });
  selector = Option.String('-l,--selector', { description: 'Label selector for HostedClusters' });
  nodepools = Option.Boolean('--nodepools', false, { description: 'Also act on the NodePools of each cluster' });
  waitTimeout = Option.String('--wait-timeout', '30s', { description: 'How long to wait for the operator to confirm' });

  /** Validates the shared flags (before any API call) and returns the selection and wait. */
  protected async validateTargets(): Promise<{ selection: TargetSelection; waitMs: number }> {
    const { validateSelection } = await import('../hostedcluster/targets.ts');
    if (this.name !== undefined) assertObjectName(this.name, 'HostedCluster');
    const selection = { name: this.name, all: this.all, selector: this.selector, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace };
    validateSelection(selection);
    return { selection, waitMs: parseGoDuration(this.waitTimeout, '--wait-timeout') };
  }

  /** Runs `each` for every selected cluster with its NodePools (two list calls in all), aggregating failures. */
  protected async forEachCluster(kube: KubeClient, selection: TargetSelection, each: (hc: HostedCluster, pools: NodePool[]) => Promise<void>): Promise<void> {
    const { selectHostedClusters, nodePoolsOf } = await import('../hostedcluster/targets.ts');
    const clusters = await selectHostedClusters(kube, selection);
    if (!clusters.length) {
      this.out.note('No HostedClusters matched.');
      return;
    }
    const pools = await nodePoolsOf(kube, clusters);
    await forEachTarget(clusters, (hc) => `${hc.metadata.namespace}/${hc.metadata.name}`, (hc) =>
      each(hc, pools.filter((np) => np.metadata.namespace === hc.metadata.namespace && np.spec.clusterName === hc.metadata.name)),
    );
  }
}

import { Option } from 'clipanion';
import { MutatingCommand } from './mutating.ts';
import { assertObjectName } from './base.ts';
import { alwaysWaitTimeoutOption, concurrencyOption } from './flags.ts';
import { parseGoDuration } from '../util/duration.ts';
import type { KubeClient } from '../kube/client.ts';
import type { HostedCluster, NodePool } from '../hostedcluster/types.ts';
import type { TargetSelection } from '../hostedcluster/targets.ts';

/** One cluster of a pause/resume run, with its own NodePools. */
export interface ClusterTarget {
  hc: HostedCluster;
  pools: NodePool[];
}

export interface ReconciliationInput {
  selection: TargetSelection;
  waitMs: number;
}

/**
 * What pause and resume share: choosing clusters (NAME, --all, -l), --nodepools, the wait for
 * the operator's confirmation, and running one plan per cluster, --concurrency at a time.
 */
export abstract class ReconciliationCommand<Input extends ReconciliationInput = ReconciliationInput> extends MutatingCommand<
  Input,
  ClusterTarget[],
  ClusterTarget
> {
  name = Option.String({ required: false, name: 'NAME' });
  all = Option.Boolean('--all', false, { description: 'Every HostedCluster (in -n if given, else in all namespaces)' });
  selector = Option.String('-l,--selector', { description: 'Label selector for HostedClusters' });
  nodepools = Option.Boolean('--nodepools', false, { description: 'Also act on the NodePools of each cluster' });
  waitTimeout = alwaysWaitTimeoutOption('30s', "the operator's confirmation (ReconciliationActive)");
  concurrencyFlag = concurrencyOption();

  protected override noTargetsMessage = 'No HostedClusters matched.';
  protected targetsLib!: typeof import('../hostedcluster/targets.ts');
  protected pauseLib!: typeof import('../hostedcluster/pause.ts');

  protected override async load(): Promise<void> {
    [this.targetsLib, this.pauseLib] = await Promise.all([import('../hostedcluster/targets.ts'), import('../hostedcluster/pause.ts')]);
  }

  /** The shared flags: a selection and the wait (these commands always wait, briefly). */
  protected validateTargets(): ReconciliationInput {
    if (this.name !== undefined) assertObjectName(this.name, 'HostedCluster');
    const selection = { name: this.name, all: this.all, selector: this.selector, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace };
    this.targetsLib.validateSelection(selection);
    return { selection, waitMs: parseGoDuration(this.waitTimeout, '--wait-timeout') };
  }

  /** The selected clusters with their NodePools: two list calls in all, whatever their number. */
  protected async observe(kube: KubeClient, { selection }: Input): Promise<ClusterTarget[]> {
    const { selectHostedClusters, nodePoolsOf } = this.targetsLib;
    const clusters = await selectHostedClusters(kube, selection);
    const pools = clusters.length ? await nodePoolsOf(kube, clusters) : [];
    return clusters.map((hc) => ({
      hc,
      pools: pools.filter((np) => np.metadata.namespace === hc.metadata.namespace && np.spec.clusterName === hc.metadata.name),
    }));
  }

  protected override targetsOf(observed: ClusterTarget[]): ClusterTarget[] {
    return observed;
  }

  protected override concurrency(): number {
    return Number(this.concurrencyFlag);
  }
}

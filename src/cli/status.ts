import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from './base.ts';
import { outputOption } from './flags.ts';
import type { OutputFormat } from '../output/output.ts';
import { UsageError } from '../util/errors.ts';
import type { KubeClient } from '../kube/client.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';

export class StatusCommand extends HcpCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    category: 'Information',
    description: 'Show the health of hosted clusters and their NodePools',
    details: `
      One view per HostedCluster: Available, Progressing and Degraded with their reasons, desired and current version with the history state, whether reconciliation is paused (and until when), etcd availability, the control-plane namespace, and its NodePools (replicas or autoscaling, ready, version, updating).

      \`--all\` lists every HostedCluster (in \`-n\` if given, else in all namespaces) with two API calls, whatever their number.
    `,
    examples: [
      ['One cluster in detail', '$0 status sample'],
      ['All clusters as a table', '$0 status --all'],
      ['All clusters as JSON', '$0 status --all -o json'],
    ],
  });

  name = Option.String({ required: false, name: 'NAME' });
  all = Option.Boolean('--all', false, { description: 'Every HostedCluster (in -n if given, else in all namespaces)' });
  output = outputOption();

  async run(): Promise<void> {
    if (this.name !== undefined) assertObjectName(this.name, 'HostedCluster');
    if ((this.name === undefined) === !this.all) throw new UsageError(this.all ? 'give either NAME or --all, not both' : 'name a HostedCluster or pass --all');
    this.validateGlobals();
    const { selectWithNodePools } = await import('../hostedcluster/targets.ts');
    const { summarizeHostedCluster, renderStatusDetail, renderStatusTable } = await import('../hostedcluster/status.ts');
    const kube = await this.kube();
    const { clusters, nodePools: pools } = await selectWithNodePools(kube, {
      name: this.name,
      all: this.all,
      explicitNamespace: this.namespace,
      defaultNamespace: this.hcNamespace,
    });
    const now = this.context.now();
    const views = clusters.map((hc) => summarizeHostedCluster(hc, pools, now));
    if (this.name !== undefined && clusters.length) views[0].etcdMembers = await this.etcdLine(kube, clusters[0]);
    const format = this.output as OutputFormat;
    if (this.name !== undefined) this.out.data(format, views[0], () => renderStatusDetail(views[0]), 'HostedClusterStatus');
    else if (!views.length) this.out.data(format, { items: [] }, () => 'No HostedClusters found.\n', 'HostedClusterStatusList');
    else this.out.data(format, { items: views }, () => renderStatusTable(views), 'HostedClusterStatusList');
  }

  /** The etcd members' own view (the same data as `etcd status`); a failure to ask is shown, never fatal. */
  private async etcdLine(kube: KubeClient, hc: HostedCluster): Promise<string | undefined> {
    const { observeEtcd } = await import('../etcd/observe.ts');
    const { summarizeEtcd, etcdSummaryLine } = await import('../etcd/health.ts');
    try {
      const observed = await observeEtcd(kube, hc);
      if (!observed.statefulSet && !observed.pods.length) return undefined; // no managed etcd here
      return etcdSummaryLine(summarizeEtcd(observed));
    } catch (err) {
      return `members unknown (${err instanceof Error ? err.message : String(err)})`;
    }
  }
}

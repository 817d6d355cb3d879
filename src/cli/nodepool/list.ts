import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from '../base.ts';
import { outputOption } from '../flags.ts';
import type { OutputFormat } from '../../output/output.ts';

export class NodePoolListCommand extends HcpCommand {
  static override paths = [['nodepool', 'list']];
  static override usage = Command.Usage({
    category: 'Node pools',
    description: 'List the NodePools of a hosted cluster (or of a namespace)',
    details: `
      One row per NodePool: replicas or autoscaling range, ready nodes (status.replicas) and the Ready condition, version, upgradeType, nodeDrainTimeout, and whether UpdatingVersion or UpdatingConfig is True. NAME limits the list to one HostedCluster's NodePools.
    `,
    examples: [
      ["sample's NodePools", '$0 nodepool list sample'],
      ['Every NodePool in namespace clusters, as YAML', '$0 nodepool list -o yaml'],
    ],
  });

  name = Option.String({ required: false, name: 'NAME' });
  output = outputOption();

  async run(): Promise<void> {
    if (this.name !== undefined) assertObjectName(this.name, 'HostedCluster');
    this.validateGlobals();
    const { Resources } = await import('../../kube/resources.ts');
    const { nodePoolRow, renderNodePoolTable } = await import('../../nodepool/nodepool.ts');
    const kube = await this.kube();
    const list = await kube.list<import('../../hostedcluster/types.ts').NodePool>(Resources.NodePool, { namespace: this.hcNamespace });
    const rows = list.items
      .filter((np) => this.name === undefined || np.spec.clusterName === this.name)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map(nodePoolRow);
    // A NAME that is not a HostedCluster is not found (exit 1), not an empty list (issue 11).
    if (this.name !== undefined && !rows.length) await this.getHostedCluster(kube, this.name);
    const empty = `No NodePools${this.name ? ` of HostedCluster ${this.hcNamespace}/${this.name}` : ` in namespace ${this.hcNamespace}`}.\n`;
    this.out.data(this.output as OutputFormat, { items: rows }, () => (rows.length ? renderNodePoolTable(rows) : empty), 'NodePoolList');
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { UsageError } from '../../util/errors.ts';

export class NodePoolSetCommand extends MutatingCommand {
  static override paths = [['nodepool', 'set']];
  static override usage = Command.Usage({
    category: 'Node pools',
    description: "Set a NodePool's drain and volume-detach timeouts",
    details: `
      Sets \`spec.nodeDrainTimeout\` and/or \`spec.nodeVolumeDetachTimeout\`. Both are Go durations (\`30s\`, \`5m\`, \`1h30m\`; no \`d\`), which the CRD does not check, so they are validated here. \`0s\` means wait forever.
    `,
    examples: [['Let drains give up after a minute', '$0 nodepool set sample-us-east-1a --drain-timeout 1m --volume-detach-timeout 5m']],
  });

  name = Option.String({ name: 'NODEPOOL' });
  drainTimeout = Option.String('--drain-timeout', { description: 'nodeDrainTimeout (Go duration)' });
  volumeDetachTimeout = Option.String('--volume-detach-timeout', { description: 'nodeVolumeDetachTimeout (Go duration)' });

  async run(): Promise<void> {
    const { parseTimeout, planNodePoolSet, getNodePool } = await import('../../nodepool/nodepool.ts');
    assertObjectName(this.name, 'NodePool');
    if (this.drainTimeout === undefined && this.volumeDetachTimeout === undefined) throw new UsageError('give --drain-timeout and/or --volume-detach-timeout');
    const drain = this.drainTimeout !== undefined ? parseTimeout(this.drainTimeout, '--drain-timeout').text : undefined;
    const detach = this.volumeDetachTimeout !== undefined ? parseTimeout(this.volumeDetachTimeout, '--volume-detach-timeout').text : undefined;
    this.validateCommon();
    const kube = await this.kube();
    const np = await getNodePool(kube, this.hcNamespace, this.name);
    const result = await this.runPlan(planNodePoolSet({ np, drainTimeout: drain, volumeDetachTimeout: detach }), kube);
    if (result.status !== 'completed') return;
    const parts = [drain !== undefined ? `nodeDrainTimeout=${drain}` : '', detach !== undefined ? `nodeVolumeDetachTimeout=${detach}` : ''].filter(Boolean);
    this.printResult(
      { nodePool: `${np.metadata.namespace}/${np.metadata.name}`, nodeDrainTimeout: drain, nodeVolumeDetachTimeout: detach, dryRun: this.dryRunMode },
      `nodepool/${np.metadata.name} ${parts.join(' ')}${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }
}

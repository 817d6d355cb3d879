import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { flagRule, isGiven } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { NodePool } from '../../hostedcluster/types.ts';

interface SetInput {
  drain?: string;
  detach?: string;
}

export class NodePoolSetCommand extends MutatingCommand<SetInput, NodePool> {
  static override paths = [['nodepool', 'set']];
  static override usage = Command.Usage({
    category: 'Node pools',
    description: "Set a NodePool's drain and volume-detach timeouts",
    details: `
      Sets \`spec.nodeDrainTimeout\` and/or \`spec.nodeVolumeDetachTimeout\`. Both are Go durations (\`30s\`, \`5m\`, \`1h30m\`; no \`d\`), which the CRD does not check, so they are validated here. \`0s\` means wait forever.
    `,
    examples: [['Let drains give up after a minute', '$0 nodepool set sample-us-east-1a --drain-timeout 1m --volume-detach-timeout 5m']],
  });
  static override schema = [
    flagRule((c) => (isGiven(c.drainTimeout) || isGiven(c.volumeDetachTimeout) ? undefined : 'give --drain-timeout and/or --volume-detach-timeout')),
  ];

  name = Option.String({ name: 'NODEPOOL' });
  drainTimeout = Option.String('--drain-timeout', { description: 'nodeDrainTimeout (Go duration)' });
  volumeDetachTimeout = Option.String('--volume-detach-timeout', { description: 'nodeVolumeDetachTimeout (Go duration)' });

  private lib!: typeof import('../../nodepool/nodepool.ts');

  protected override async load(): Promise<void> {
    this.lib = await import('../../nodepool/nodepool.ts');
  }

  protected validate(): SetInput {
    assertObjectName(this.name, 'NodePool');
    return {
      drain: this.drainTimeout !== undefined ? this.lib.parseTimeout(this.drainTimeout, '--drain-timeout').text : undefined,
      detach: this.volumeDetachTimeout !== undefined ? this.lib.parseTimeout(this.volumeDetachTimeout, '--volume-detach-timeout').text : undefined,
    };
  }

  protected observe(kube: KubeClient): Promise<NodePool> {
    return this.lib.getNodePool(kube, this.hcNamespace, this.name);
  }

  protected plan({ drain, detach }: SetInput, np: NodePool) {
    return this.lib.planNodePoolSet({ np, drainTimeout: drain, volumeDetachTimeout: detach });
  }

  protected report(_result: unknown, { drain, detach }: SetInput, np: NodePool): Report {
    const parts = [drain !== undefined ? `nodeDrainTimeout=${drain}` : '', detach !== undefined ? `nodeVolumeDetachTimeout=${detach}` : ''].filter(Boolean);
    return {
      value: { nodePool: `${np.metadata.namespace}/${np.metadata.name}`, nodeDrainTimeout: drain, nodeVolumeDetachTimeout: detach },
      text: `nodepool/${np.metadata.name} ${parts.join(' ')}`,
    };
  }
}

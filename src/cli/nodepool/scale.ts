import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { exclusiveFlags, waitOption, waitTimeoutOption, waitTimeoutMs } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { NodePool } from '../../hostedcluster/types.ts';
import type { ExecutionResult } from '../../plan/executor.ts';

type NodePoolLib = typeof import('../../nodepool/nodepool.ts');

interface ScaleInput {
  replicas?: number;
  autoscaling?: { min: number; max: number };
  drain?: string;
  waitMs?: number;
}

export class NodePoolScaleCommand extends MutatingCommand<ScaleInput, NodePool> {
  static override paths = [['nodepool', 'scale']];
  static override usage = Command.Usage({
    category: 'Node pools',
    description: 'Scale a NodePool, to zero included, or switch it to autoscaling',
    details: `
      \`--replicas N\` sets \`spec.replicas\` and \`--autoscaling MIN:MAX\` sets \`spec.autoScaling\`; each nulls the other field in the same merge patch, since the CRD allows only one.

      Scaling to zero (spec 4.1) removes every node, and the workloads on them: it warns, asks for confirmation (\`-y\` to skip), and refuses while \`nodeDrainTimeout\` is unset or 0s, because a drain that cannot finish would then block forever. \`--drain-timeout 1m\` sets it in the same patch; \`--force\` scales down anyway.

      \`--wait\` waits until the NodePool has the wanted number of nodes and is Ready.
    `,
    examples: [
      ['Scale to zero, with a drain timeout', '$0 nodepool scale sample-us-east-1a --replicas 0 --drain-timeout 1m -y'],
      ['Scale back up and wait', '$0 nodepool scale sample-us-east-1a --replicas 2 --wait'],
      ['Switch to autoscaling', '$0 nodepool scale sample-us-east-1a --autoscaling 1:5'],
    ],
  });
  static override schema = [exclusiveFlags({ replicas: '--replicas N', autoscaling: '--autoscaling MIN:MAX' }, { required: true })];

  name = Option.String({ name: 'NODEPOOL' });
  replicas = Option.String('--replicas', { description: 'Number of nodes' });
  autoscaling = Option.String('--autoscaling', { description: 'MIN:MAX, to let the autoscaler choose' });
  drainTimeout = Option.String('--drain-timeout', { description: 'Also set nodeDrainTimeout (Go duration, e.g. 1m)' });
  force = Option.Boolean('--force', false, { description: 'Scale to zero even when nodeDrainTimeout is unset or 0s' });
  wait = waitOption('Wait for Ready and the node count');
  waitTimeout = waitTimeoutOption('10m');

  private lib!: NodePoolLib;

  protected override async load(): Promise<void> {
    this.lib = await import('../../nodepool/nodepool.ts');
  }

  protected validate(): ScaleInput {
    const { parseReplicas, parseAutoScaling, parseTimeout } = this.lib;
    assertObjectName(this.name, 'NodePool');
    return {
      replicas: this.replicas !== undefined ? parseReplicas(this.replicas) : undefined,
      autoscaling: this.autoscaling !== undefined ? parseAutoScaling(this.autoscaling) : undefined,
      drain: this.drainTimeout !== undefined ? parseTimeout(this.drainTimeout, '--drain-timeout').text : undefined,
      waitMs: waitTimeoutMs(this.wait, this.waitTimeout),
    };
  }

  protected observe(kube: KubeClient): Promise<NodePool> {
    return this.lib.getNodePool(kube, this.hcNamespace, this.name);
  }

  protected plan(input: ScaleInput, np: NodePool) {
    return this.lib.planNodePoolScale({
      np,
      replicas: input.replicas,
      autoscaling: input.autoscaling,
      drainTimeout: input.drain,
      force: this.force,
      waitMs: input.waitMs,
    });
  }

  protected report(result: ExecutionResult, { replicas, autoscaling, drain }: ScaleInput, np: NodePool): Report {
    const what = autoscaling ? `autoscaling ${autoscaling.min}-${autoscaling.max}` : `${replicas} replicas`;
    return {
      value: {
        nodePool: `${np.metadata.namespace}/${np.metadata.name}`,
        replicas: replicas ?? null,
        autoScaling: autoscaling ?? null,
        nodeDrainTimeout: drain,
        readyReplicas: result.artifacts.replicas,
      },
      text: `nodepool/${np.metadata.name} scaled to ${what}${this.wait ? ` (${String(result.artifacts.replicas ?? '?')} node(s) ready)` : ''}`,
    };
  }
}

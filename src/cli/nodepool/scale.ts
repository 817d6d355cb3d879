import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';

export class NodePoolScaleCommand extends MutatingCommand {
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

  name = Option.String({ name: 'NODEPOOL' });
  replicas = Option.String('--replicas', { description: 'Number of nodes' });
  autoscaling = Option.String('--autoscaling', { description: 'MIN:MAX, to let the autoscaler choose' });
  drainTimeout = Option.String('--drain-timeout', { description: 'Also set nodeDrainTimeout (Go duration, e.g. 1m)' });
  force = Option.Boolean('--force', false, { description: 'Scale to zero even when nodeDrainTimeout is unset or 0s' });
  wait = Option.Boolean('--wait', false, { description: 'Wait for Ready and the node count' });
  waitTimeout = Option.String('--wait-timeout', '10m', { description: 'How long --wait waits' });

  async run(): Promise<void> {
    const { parseReplicas, parseAutoScaling, parseTimeout, planNodePoolScale, getNodePool } = await import('../../nodepool/nodepool.ts');
    assertObjectName(this.name, 'NodePool');
    if ((this.replicas === undefined) === (this.autoscaling === undefined)) throw new UsageError('give exactly one of --replicas N and --autoscaling MIN:MAX');
    const replicas = this.replicas !== undefined ? parseReplicas(this.replicas) : undefined;
    const autoscaling = this.autoscaling !== undefined ? parseAutoScaling(this.autoscaling) : undefined;
    const drain = this.drainTimeout !== undefined ? parseTimeout(this.drainTimeout, '--drain-timeout').text : undefined;
    const waitMs = this.wait ? parseGoDuration(this.waitTimeout, '--wait-timeout') : undefined;
    this.validateCommon();
    const kube = await this.kube();
    const np = await getNodePool(kube, this.hcNamespace, this.name);
    const result = await this.runPlan(planNodePoolScale({ np, replicas, autoscaling, drainTimeout: drain, force: this.force, waitMs }), kube);
    if (result.status !== 'completed') return;
    const what = autoscaling ? `autoscaling ${autoscaling.min}-${autoscaling.max}` : `${replicas} replicas`;
    this.printResult(
      { nodePool: `${np.metadata.namespace}/${np.metadata.name}`, replicas: replicas ?? null, autoScaling: autoscaling ?? null, nodeDrainTimeout: drain, readyReplicas: result.artifacts.replicas, dryRun: this.dryRunMode },
      `nodepool/${np.metadata.name} scaled to ${what}${this.wait ? ` (${String(result.artifacts.replicas ?? '?')} node(s) ready)` : ''}${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }
}

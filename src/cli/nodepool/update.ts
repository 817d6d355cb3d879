import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';

export class NodePoolUpdateCommand extends MutatingCommand {
  static override paths = [['nodepool', 'update']];
  static override usage = Command.Usage({
    category: 'Node pools',
    description: "Update a NodePool's release (spec 6.3)",
    details: `
      Sets \`spec.release.image\` of the NodePool with a merge patch. A release of a newer minor than the HostedCluster's last completed version is refused (exit 3) with both versions, as the operator would reject it; a patch ahead is accepted. A release whose version can be read neither from its tag nor from the HostedCluster's \`status.version.history\` is refused unless \`--force\`.

      It says what the NodePool's \`upgradeType\` implies: Replace re-provisions the nodes, InPlace keeps them. \`--wait\` follows \`UpdatingVersion\` and \`status.version\` until the update completes.
    `,
    examples: [['Update and follow the rollout', '$0 nodepool update sample-us-east-1a --release-image quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64 --wait']],
  });

  name = Option.String({ name: 'NODEPOOL' });
  releaseImage = Option.String('--release-image', { required: true, description: 'The OpenShift release image' });
  wait = Option.Boolean('--wait', false, { description: 'Wait until UpdatingVersion clears and status.version matches' });
  force = Option.Boolean('--force', false, { description: 'Update even when the release version cannot be read (the skew checks are skipped)' });
  waitTimeout = Option.String('--wait-timeout', '30m', { description: 'How long --wait waits' });

  async run(): Promise<void> {
    const { assertReleaseImage } = await import('../../nodepool/release.ts');
    const { planNodePoolUpdate, getNodePool } = await import('../../nodepool/nodepool.ts');
    assertObjectName(this.name, 'NodePool');
    assertReleaseImage(this.releaseImage);
    const waitMs = this.wait ? parseGoDuration(this.waitTimeout, '--wait-timeout') : undefined;
    this.validateCommon();
    const { Resources } = await import('../../kube/resources.ts');
    const kube = await this.kube();
    const np = await getNodePool(kube, this.hcNamespace, this.name);
    const hc = await kube.getOrNull<import('../../hostedcluster/types.ts').HostedCluster>(Resources.HostedCluster, this.hcNamespace, np.spec.clusterName);
    const result = await this.runPlan(planNodePoolUpdate({ np, hc, image: this.releaseImage, waitMs, force: this.force }), kube);
    if (result.status !== 'completed') return;
    this.printResult(
      { nodePool: `${np.metadata.namespace}/${np.metadata.name}`, releaseImage: this.releaseImage, version: result.artifacts.version, dryRun: this.dryRunMode },
      `nodepool/${np.metadata.name} release ${this.releaseImage}${this.wait ? ` (now at ${String(result.artifacts.version)})` : ''}${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }
}

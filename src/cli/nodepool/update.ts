import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { waitOption, waitTimeoutOption, waitTimeoutMs } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster, NodePool } from '../../hostedcluster/types.ts';
import type { ExecutionResult } from '../../plan/executor.ts';

interface UpdateObserved {
  np: NodePool;
  hc: HostedCluster | null;
  metadata?: { version?: string; problem?: string };
}

export class NodePoolUpdateCommand extends MutatingCommand<{ waitMs?: number }, UpdateObserved> {
  static override paths = [['nodepool', 'update']];
  static override usage = Command.Usage({
    category: 'Node pools',
    description: "Update a NodePool's release (spec 6.3)",
    details: `
      Sets \`spec.release.image\` of the NodePool with a merge patch. A release of a newer minor than the HostedCluster's last completed version is refused (exit 3) with both versions, as the operator would reject it; a patch ahead is accepted. A release whose version can be read neither from its tag nor from the HostedCluster's \`status.version.history\` is refused unless \`--force\`.

      It says what the NodePool's \`upgradeType\` implies: Replace re-provisions the nodes, InPlace keeps them. \`--wait\` follows \`UpdatingVersion\` and \`status.version\` until the update completes.
    `,
    examples: [
      ['Update and follow the rollout', '$0 nodepool update sample-us-east-1a --release-image quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64 --wait'],
    ],
  });

  name = Option.String({ name: 'NODEPOOL' });
  releaseImage = Option.String('--release-image', { required: true, description: 'The OpenShift release image' });
  force = Option.Boolean('--force', false, { description: 'Update even when the release version cannot be read (the skew checks are skipped)' });
  wait = waitOption('Wait until UpdatingVersion clears and status.version matches');
  waitTimeout = waitTimeoutOption('30m');

  private lib!: typeof import('../../nodepool/nodepool.ts');
  private release!: typeof import('../../nodepool/release.ts');

  protected override async load(): Promise<void> {
    [this.lib, this.release] = await Promise.all([import('../../nodepool/nodepool.ts'), import('../../nodepool/release.ts')]);
  }

  protected validate() {
    assertObjectName(this.name, 'NodePool');
    this.release.assertReleaseImage(this.releaseImage);
    return { waitMs: waitTimeoutMs(this.wait, this.waitTimeout) };
  }

  protected async observe(kube: KubeClient): Promise<UpdateObserved> {
    const { Resources } = await import('../../kube/resources.ts');
    const np = await this.lib.getNodePool(kube, this.hcNamespace, this.name);
    const hc = await kube.getOrNull<HostedCluster>(Resources.HostedCluster, this.hcNamespace, np.spec.clusterName);
    // Neither the tag nor the cluster's history names the version: ask the image itself (item 22).
    const metadata =
      !hc || this.release.resolveReleaseVersion(this.releaseImage, hc)
        ? undefined
        : await (await import('../../nodepool/release-metadata.ts')).lookupReleaseVersion(kube, hc, this.releaseImage, this.context.env);
    return { np, hc, metadata };
  }

  protected plan({ waitMs }: { waitMs?: number }, { np, hc, metadata }: UpdateObserved) {
    return this.lib.planNodePoolUpdate({ np, hc, image: this.releaseImage, waitMs, force: this.force, metadata });
  }

  protected report(result: ExecutionResult, _input: unknown, { np }: UpdateObserved): Report {
    return {
      value: { nodePool: `${np.metadata.namespace}/${np.metadata.name}`, releaseImage: this.releaseImage, version: result.artifacts.version },
      text: `nodepool/${np.metadata.name} release ${this.releaseImage}${this.wait ? ` (now at ${String(result.artifacts.version)})` : ''}`,
    };
  }
}

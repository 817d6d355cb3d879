import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { hostedClusterArg, waitOption, waitTimeoutOption, waitTimeoutMs } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { ExecutionResult } from '../../plan/executor.ts';

interface UpgradeObserved {
  hc: HostedCluster;
  metadata?: { version?: string; problem?: string };
  supportedVersions: Awaited<ReturnType<typeof import('../../hostedcluster/operator.ts').readOperatorInfo>>['supportedVersions'];
}

export class UpgradeCommand extends MutatingCommand<{ waitMs?: number }, UpgradeObserved> {
  static override paths = [['upgrade']];
  static override usage = Command.Usage({
    category: 'Node pools',
    description: "Update a hosted cluster's control plane release (spec 6.1)",
    details: `
      Sets the HostedCluster's \`spec.release.image\` with a merge patch; the operator passes it to the HostedControlPlane and rolls the control plane out. NodePools keep their own release (\`nodepool update\`).

      Refused (exit 3): a downgrade, an architecture change other than single-arch to \`-multi\`, and a release whose version can be read neither from its tag nor from the cluster's \`status.version.history\` (each unless \`--force\`), and a minor update of a cluster with a \`*NoUpgrade\` feature set. It warns when the operator's supported-versions does not list the target minor.

      \`--wait\` follows \`status.version.history\` until the new version is Completed.
    `,
    examples: [['Update and follow', '$0 upgrade sample --release-image quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64 --wait']],
  });

  name = hostedClusterArg();
  releaseImage = Option.String('--release-image', { required: true, description: 'The OpenShift release image' });
  force = Option.Boolean('--force', false, { description: 'Allow a downgrade, an arch change, or a release whose version cannot be read' });
  wait = waitOption('Wait until status.version.history shows the new version Completed');
  waitTimeout = waitTimeoutOption('60m');

  private release!: typeof import('../../nodepool/release.ts');
  private upgrade!: typeof import('../../nodepool/upgrade.ts');

  protected override async load(): Promise<void> {
    [this.release, this.upgrade] = await Promise.all([import('../../nodepool/release.ts'), import('../../nodepool/upgrade.ts')]);
  }

  protected validate() {
    assertObjectName(this.name, 'HostedCluster');
    this.release.assertReleaseImage(this.releaseImage);
    return { waitMs: waitTimeoutMs(this.wait, this.waitTimeout) };
  }

  protected async observe(kube: KubeClient): Promise<UpgradeObserved> {
    const { readOperatorInfo } = await import('../../hostedcluster/operator.ts');
    const [hc, operator] = await Promise.all([this.getHostedCluster(kube, this.name), readOperatorInfo(kube, this.hypershiftNamespace)]);
    // Neither the tag nor the cluster's history names the version: ask the image itself (item 22).
    const metadata = this.release.resolveReleaseVersion(this.releaseImage, hc)
      ? undefined
      : await (await import('../../nodepool/release-metadata.ts')).lookupReleaseVersion(kube, hc, this.releaseImage, this.context.env);
    return { hc, supportedVersions: operator.supportedVersions, metadata };
  }

  protected plan({ waitMs }: { waitMs?: number }, { hc, supportedVersions, metadata }: UpgradeObserved) {
    return this.upgrade.planUpgrade({ hc, image: this.releaseImage, supportedVersions, force: this.force, waitMs, metadata });
  }

  protected report(result: ExecutionResult, _input: unknown, { hc }: UpgradeObserved): Report {
    return {
      value: { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, releaseImage: this.releaseImage, version: result.artifacts.version },
      text: `hostedcluster/${hc.metadata.name} release ${this.releaseImage}${this.wait ? ` (version ${String(result.artifacts.version)} Completed)` : ''}`,
    };
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';

export class UpgradeCommand extends MutatingCommand {
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

  name = Option.String({ name: 'NAME' });
  releaseImage = Option.String('--release-image', { required: true, description: 'The OpenShift release image' });
  force = Option.Boolean('--force', false, { description: 'Allow a downgrade, an arch change, or a release whose version cannot be read' });
  wait = Option.Boolean('--wait', false, { description: 'Wait until status.version.history shows the new version Completed' });
  waitTimeout = Option.String('--wait-timeout', '60m', { description: 'How long --wait waits' });

  async run(): Promise<void> {
    const { assertReleaseImage } = await import('../../nodepool/release.ts');
    assertObjectName(this.name, 'HostedCluster');
    assertReleaseImage(this.releaseImage);
    const waitMs = this.wait ? parseGoDuration(this.waitTimeout, '--wait-timeout') : undefined;
    this.validateCommon();
    const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
    const { readOperatorInfo } = await import('../../hostedcluster/operator.ts');
    const { planUpgrade } = await import('../../nodepool/upgrade.ts');
    const kube = await this.kube();
    const [[hc], operator] = await Promise.all([
      selectHostedClusters(kube, { name: this.name, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace }),
      readOperatorInfo(kube, this.hypershiftNamespace),
    ]);
    const result = await this.runPlan(planUpgrade({ hc, image: this.releaseImage, supportedVersions: operator.supportedVersions, force: this.force, waitMs }), kube);
    if (result.status !== 'completed') return;
    this.printResult(
      { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, releaseImage: this.releaseImage, version: result.artifacts.version, dryRun: this.dryRunMode },
      `hostedcluster/${hc.metadata.name} release ${this.releaseImage}${this.wait ? ` (version ${String(result.artifacts.version)} Completed)` : ''}${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }
}

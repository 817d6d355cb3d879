import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from '../base.ts';
import { outputOption } from '../flags.ts';
import type { OutputFormat } from '../../output/output.ts';

export class FeatureGateShowCommand extends HcpCommand {
  static override paths = [['featuregate', 'show']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: "Show a hosted cluster's feature set, and the guest's featuregate/cluster",
    details: `
      Shows \`spec.configuration.featureGate\` of the HostedCluster. When the admin kubeconfig secret (\`status.kubeconfig\`) is present, it also reads \`featuregate/cluster\` inside the hosted cluster, the verification step of spec 5.1, and says whether the guest has caught up. The kubeconfig is used in memory only.
    `,
    examples: [['Show it', '$0 featuregate show sample']],
  });

  name = Option.String({ name: 'NAME' });
  output = outputOption();

  async run(): Promise<void> {
    assertObjectName(this.name, 'HostedCluster');
    const { timeoutMs } = this.validateGlobals();
    const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
    const { guestClient } = await import('../../hostedcluster/guest.ts');
    const { featureGateView, renderFeatureGateView } = await import('../../featuregate/featuregate.ts');
    const { Resources } = await import('../../kube/resources.ts');
    const kube = await this.kube();
    const [hc] = await selectHostedClusters(kube, { name: this.name, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace });
    const guest = await guestClient(kube, hc, this.context.env, timeoutMs ?? 15_000);
    let object: import('../../featuregate/featuregate.ts').GuestFeatureGate | null | undefined;
    let problem = guest.problem;
    if (guest.client) {
      try {
        object = await guest.client.getOrNull(Resources.FeatureGate, undefined, 'cluster');
      } catch (err) {
        problem = `cannot read featuregate/cluster from the guest: ${(err as Error).message}`;
      }
    }
    const view = featureGateView(hc, { source: guest.secret, object, problem });
    this.out.data(this.output as OutputFormat, view, () => renderFeatureGateView(view));
  }
}

import { Command } from 'clipanion';
import { HostedClusterViewCommand } from '../view.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { OutputFormat } from '../../output/output.ts';

export class FeatureGateShowCommand extends HostedClusterViewCommand {
  static override paths = [['featuregate', 'show']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: "Show a hosted cluster's feature set, and the guest's featuregate/cluster",
    details: `
      Shows \`spec.configuration.featureGate\` of the HostedCluster. When the admin kubeconfig secret (\`status.kubeconfig\`) is present, it also reads \`featuregate/cluster\` inside the hosted cluster, the verification step of spec 5.1, and says whether the guest has caught up. The kubeconfig is used in memory only.
    `,
    examples: [['Show it', '$0 featuregate show sample']],
  });

  protected async show(kube: KubeClient, hc: HostedCluster, { format, timeoutMs }: { format: OutputFormat; timeoutMs?: number }): Promise<void> {
    const { guestClient } = await import('../../hostedcluster/guest.ts');
    const { featureGateView, renderFeatureGateView } = await import('../../featuregate/featuregate.ts');
    const { Resources } = await import('../../kube/resources.ts');
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
    this.out.data(format, view, () => renderFeatureGateView(view), 'FeatureGateStatus');
  }
}

import { Command } from 'clipanion';
import { HostedClusterViewCommand } from '../view.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { OutputFormat } from '../../output/output.ts';

export class OAuthListCommand extends HostedClusterViewCommand {
  static override paths = [['oauth', 'list']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'List the identity providers of a hosted cluster',
    details: `
      Shows each entry of \`spec.configuration.oauth.identityProviders\`: name, type, mappingMethod and the Secrets and ConfigMaps it references, by name only (never their contents), with condition \`ValidIDPConfiguration\` when reported.
    `,
    examples: [['List them', '$0 oauth list sample']],
  });

  protected async show(_kube: KubeClient, hc: HostedCluster, { format }: { format: OutputFormat }): Promise<void> {
    const { idpRows, renderIdpTable } = await import('../../oauth/read.ts');
    const { condition } = await import('../../hostedcluster/types.ts');
    const rows = idpRows(hc);
    const c = condition(hc, 'ValidIDPConfiguration');
    const valid = c ? { status: c.status, reason: c.reason, message: c.message } : undefined;
    this.out.data(
      format,
      { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, identityProviders: rows, validIDPConfiguration: valid },
      () =>
        (rows.length ? renderIdpTable(rows) : `No identity providers: hostedcluster/${hc.metadata.name} uses the kubeadmin login.\n`) +
        (valid
          ? `ValidIDPConfiguration: ${valid.status}${valid.reason ? ` (${valid.reason})` : ''}${valid.status !== 'True' && valid.message ? `: ${valid.message}` : ''}\n`
          : ''),
      'IdentityProviderList',
    );
  }
}

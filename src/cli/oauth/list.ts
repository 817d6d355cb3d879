import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from '../base.ts';
import { outputOption } from '../flags.ts';
import type { OutputFormat } from '../../output/output.ts';

export class OAuthListCommand extends HcpCommand {
  static override paths = [['oauth', 'list']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'List the identity providers of a hosted cluster',
    details: `
      Shows each entry of \`spec.configuration.oauth.identityProviders\`: name, type, mappingMethod and the Secrets and ConfigMaps it references, by name only (never their contents), with condition \`ValidIDPConfiguration\` when reported.
    `,
    examples: [['List them', '$0 oauth list sample']],
  });

  name = Option.String({ name: 'NAME' });
  output = outputOption();

  async run(): Promise<void> {
    assertObjectName(this.name, 'HostedCluster');
    this.validateGlobals();
    const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
    const { idpRows, renderIdpTable } = await import('../../oauth/read.ts');
    const { condition } = await import('../../hostedcluster/types.ts');
    const [hc] = await selectHostedClusters(await this.kube(), { name: this.name, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace });
    const rows = idpRows(hc);
    const c = condition(hc, 'ValidIDPConfiguration');
    const valid = c ? { status: c.status, reason: c.reason, message: c.message } : undefined;
    this.out.data(this.output as OutputFormat, { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, identityProviders: rows, validIDPConfiguration: valid }, () =>
      (rows.length ? renderIdpTable(rows) : `No identity providers: hostedcluster/${hc.metadata.name} uses the kubeadmin login.\n`) +
      (valid ? `ValidIDPConfiguration: ${valid.status}${valid.reason ? ` (${valid.reason})` : ''}${valid.status !== 'True' && valid.message ? `: ${valid.message}` : ''}\n` : ''),
    );
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';

export class OAuthRemoveCommand extends MutatingCommand {
  static override paths = [['oauth', 'remove']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Remove an identity provider from a hosted cluster',
    details: `
      Removes one entry from \`spec.configuration.oauth.identityProviders\` (the whole list is written back with its resourceVersion, retried on conflict). Users of that provider can no longer log in, so it asks first (\`-y\` to skip).

      \`--delete-secrets\` also deletes the Secrets and ConfigMaps it referenced, except those another provider still uses. \`--wait\` waits for \`ValidIDPConfiguration\`.
    `,
    examples: [['Remove a provider and its secrets', '$0 oauth remove sample --idp-name IAM --delete-secrets -y']],
  });

  name = Option.String({ name: 'NAME' });
  idpName = Option.String('--idp-name', { required: true, description: 'The identity provider to remove' });
  deleteSecrets = Option.Boolean('--delete-secrets', false, { description: 'Also delete the Secrets and ConfigMaps it referenced' });
  wait = Option.Boolean('--wait', false, { description: 'Wait for condition ValidIDPConfiguration' });
  waitTimeout = Option.String('--wait-timeout', '5m', { description: 'How long --wait waits' });

  async run(): Promise<void> {
    const { assertIdpName } = await import('../../oauth/validate.ts');
    const { planIdpRemove } = await import('../../oauth/plan.ts');
    assertObjectName(this.name, 'HostedCluster');
    assertIdpName(this.idpName);
    const waitMs = this.wait ? parseGoDuration(this.waitTimeout, '--wait-timeout') : undefined;
    this.validateCommon();
    const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
    const kube = await this.kube();
    const [hc] = await selectHostedClusters(kube, { name: this.name, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace });
    const result = await this.runPlan(planIdpRemove({ hc, name: this.idpName, deleteSecrets: this.deleteSecrets, waitMs }), kube);
    if (result.status !== 'completed') return;
    this.printResult(
      { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, removed: this.idpName, deletedSecrets: this.deleteSecrets, dryRun: this.dryRunMode },
      `hostedcluster/${hc.metadata.name} identity provider ${this.idpName} removed${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }
}

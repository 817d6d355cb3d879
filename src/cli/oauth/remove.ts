import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { hostedClusterArg, waitOption, waitTimeoutOption, waitTimeoutMs } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';

export class OAuthRemoveCommand extends MutatingCommand<{ waitMs?: number }, HostedCluster> {
  static override paths = [['oauth', 'remove']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Remove an identity provider from a hosted cluster',
    details: `
      Removes one entry from \`spec.configuration.oauth.identityProviders\` (the whole list is written back with its resourceVersion, retried on conflict). Users of that provider can no longer log in, so it asks first (\`-y\` to skip).

      \`--delete-secrets\` also deletes the Secrets and ConfigMaps it referenced that \`oauth add\` created for this cluster's provider (annotation \`kubectl-hcp/identity-provider\`), except those another provider still uses; the others are listed as left in place. \`--wait\` waits for \`ValidIDPConfiguration\`.
    `,
    examples: [['Remove a provider and its secrets', '$0 oauth remove sample --idp-name IAM --delete-secrets -y']],
  });

  name = hostedClusterArg();
  idpName = Option.String('--idp-name', { required: true, description: 'The identity provider to remove' });
  deleteSecrets = Option.Boolean('--delete-secrets', false, { description: 'Also delete the Secrets and ConfigMaps it referenced' });
  wait = waitOption('Wait for condition ValidIDPConfiguration');
  waitTimeout = waitTimeoutOption('5m');

  private validateLib!: typeof import('../../oauth/validate.ts');
  private planLib!: typeof import('../../oauth/plan.ts');

  protected override async load(): Promise<void> {
    [this.validateLib, this.planLib] = await Promise.all([import('../../oauth/validate.ts'), import('../../oauth/plan.ts')]);
  }

  protected validate() {
    assertObjectName(this.name, 'HostedCluster');
    this.validateLib.assertIdpName(this.idpName);
    return { waitMs: waitTimeoutMs(this.wait, this.waitTimeout) };
  }

  protected async observe(kube: KubeClient): Promise<HostedCluster> {
    const hc = await this.getHostedCluster(kube, this.name);
    // --delete-secrets deletes only what carries our annotation: read the objects to know.
    if (this.deleteSecrets) this.objects = await (await import('../../oauth/read.ts')).observeProviderObjects(kube, hc, this.idpName);
    return hc;
  }

  private objects?: ReadonlyMap<string, import('../../oauth/types.ts').ExistingObject>;

  protected plan({ waitMs }: { waitMs?: number }, hc: HostedCluster) {
    return this.planLib.planIdpRemove({ hc, name: this.idpName, deleteSecrets: this.deleteSecrets, objects: this.objects, waitMs });
  }

  protected report(_result: unknown, _input: unknown, hc: HostedCluster): Report {
    return {
      value: { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, removed: this.idpName, deletedSecrets: this.deleteSecrets },
      text: `hostedcluster/${hc.metadata.name} identity provider ${this.idpName} removed`,
    };
  }
}

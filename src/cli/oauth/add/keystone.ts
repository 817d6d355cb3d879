import { Command, Option } from 'clipanion';
import { OAuthAddBase, idpFlag } from '../add-base.ts';

export class OAuthAddKeystoneCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'keystone']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add an OpenStack Keystone identity provider to a hosted cluster',
    details: `
      Adds a \`Keystone\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). A client certificate and key go together and are stored in a \`kubernetes.io/tls\` Secret.
    `,
    examples: [['Keystone', '$0 oauth add keystone sample --idp-name os --url https://keystone.example.com:5000 --domain-name default']],
  });

  url = idpFlag.url('Keystone URL (https)');
  domainName = Option.String('--domain-name', { description: 'Keystone domain name' });
  caFile = idpFlag.caFile();
  tlsCertFile = idpFlag.tlsCertFile();
  tlsKeyFile = idpFlag.tlsKeyFile();

  protected idpType() {
    return 'keystone' as const;
  }
}

import { Command } from 'clipanion';
import { OAuthAddBase, idpFlag } from '../add-base.ts';

export class OAuthAddBasicAuthCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'basic-auth']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add a basic-authentication identity provider to a hosted cluster',
    details: `
      Adds a \`BasicAuth\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1): the OAuth server checks credentials against a remote https endpoint. A client certificate and key go together.
    `,
    examples: [['Basic auth', '$0 oauth add basic-auth sample --idp-name remote --url https://auth.example.com/validate']],
  });

  url = idpFlag.url('Remote authentication URL (https)');
  caFile = idpFlag.caFile();
  tlsCertFile = idpFlag.tlsCertFile();
  tlsKeyFile = idpFlag.tlsKeyFile();

  protected idpType() {
    return 'basic-auth' as const;
  }
}

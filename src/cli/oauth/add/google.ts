import { Command, Option } from 'clipanion';
import { OAuthAddBase, idpFlag } from '../add-base.ts';
import { exclusiveFlags } from '../../flags.ts';

export class OAuthAddGoogleCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'google']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add a Google identity provider to a hosted cluster',
    details: `
      Adds a \`Google\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). \`--hosted-domain\` limits logins to one Google Workspace domain; the OAuth server demands it unless \`--mapping-method lookup\` (exit 2 otherwise). The client secret is stored in a Secret and never printed. It prints the callback URL to register.
    `,
    examples: [['One domain', '$0 oauth add google sample --idp-name g --client-id abc --client-secret-env G_SECRET --hosted-domain example.com']],
  });
  static override schema = [exclusiveFlags({ clientSecretFile: '--client-secret-file', clientSecretEnv: '--client-secret-env' }, { required: true })];

  clientId = Option.String('--client-id', { description: 'OAuth client ID' });
  clientSecretFile = idpFlag.clientSecretFile();
  clientSecretEnv = idpFlag.clientSecretEnv();
  hostedDomain = Option.String('--hosted-domain', { description: 'Google Workspace domain allowed to log in' });

  protected idpType() {
    return 'google' as const;
  }
}

import { Command, Option } from 'clipanion';
import { OAuthAddBase, idpFlag } from '../add-base.ts';
import { exclusiveFlags } from '../../flags.ts';

export class OAuthAddOpenIdCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'openid']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add an OpenID Connect identity provider to a hosted cluster',
    details: `
      Adds an \`OpenID\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). The issuer must be https with no query or fragment. The client secret is read from a file or an environment variable, stored in a Secret (key \`clientSecret\`) and never printed. Without \`--claim-*\` flags, OpenShift's usual claims are used (email, name, preferred_username).

      It prints the callback URL to register with the provider. \`--wait\` waits for condition \`ValidIDPConfiguration\`.
    `,
    examples: [
      [
        'Secret from a file',
        '$0 oauth add openid sample --idp-name IAM --issuer https://idp.example.com/realms/ocp --client-id ocp --client-secret-file ./client-secret --mapping-method lookup',
      ],
    ],
  });
  static override schema = [exclusiveFlags({ clientSecretFile: '--client-secret-file', clientSecretEnv: '--client-secret-env' }, { required: true })];

  issuer = Option.String('--issuer', { description: 'Issuer URL (https, no query or fragment)' });
  clientId = Option.String('--client-id', { description: 'OAuth client ID' });
  clientSecretFile = idpFlag.clientSecretFile();
  clientSecretEnv = idpFlag.clientSecretEnv();
  claimEmail = Option.Array('--claim-email', [], { description: 'Claim for the email (repeatable)' });
  claimName = Option.Array('--claim-name', [], { description: 'Claim for the display name (repeatable)' });
  claimPreferredUsername = Option.Array('--claim-preferred-username', [], { description: 'Claim for the user name (repeatable)' });
  claimGroups = Option.Array('--claim-groups', [], { description: 'Claim for groups (repeatable)' });
  extraScope = Option.Array('--extra-scope', [], { description: 'Extra scope to request (repeatable)' });
  caFile = idpFlag.caFile();

  protected idpType() {
    return 'openid' as const;
  }
}

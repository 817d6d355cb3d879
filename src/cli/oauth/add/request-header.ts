import { Command, Option } from 'clipanion';
import { OAuthAddBase } from '../add-base.ts';

export class OAuthAddRequestHeaderCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'request-header']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add a request-header identity provider to a hosted cluster',
    details: `
      Adds a \`RequestHeader\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1): an authenticating proxy passes the user in a header. \`--ca-file\` verifies the proxy's client certificate and is required.
    `,
    examples: [
      [
        'Behind a proxy',
        '$0 oauth add request-header sample --idp-name sso --ca-file ./proxy-ca.pem --header X-Remote-User --login-url https://sso.example.com/login',
      ],
    ],
  });

  caFile = Option.String('--ca-file', { description: 'PEM CA bundle that signs the proxy client certificate' });
  header = Option.Array('--header', [], { description: 'Header with the user identity (repeatable; at least one)' });
  loginUrl = Option.String('--login-url', { description: 'Login URL (https)' });
  challengeUrl = Option.String('--challenge-url', { description: 'Challenge URL (https)' });
  clientCommonName = Option.Array('--client-common-name', [], { description: 'Allowed client certificate CN (repeatable)' });
  emailHeader = Option.Array('--email-header', [], { description: 'Email header (repeatable)' });
  nameHeader = Option.Array('--name-header', [], { description: 'Display name header (repeatable)' });
  preferredUsernameHeader = Option.Array('--preferred-username-header', [], { description: 'User name header (repeatable)' });

  protected idpType() {
    return 'request-header' as const;
  }
}

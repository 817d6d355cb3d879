import { Command, Option } from 'clipanion';
import { OAuthAddBase } from '../add-base.ts';

export class OAuthAddHtpasswdCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'htpasswd']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add an htpasswd identity provider to a hosted cluster',
    details: `
      Adds an \`HTPasswd\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). The file (lines \`user:hash\`, as \`htpasswd -B\` writes them) is stored in a Secret under key \`htpasswd\` and never printed.
    `,
    examples: [['Local users', '$0 oauth add htpasswd sample --idp-name local --htpasswd-file ./users.htpasswd']],
  });

  htpasswdFile = Option.String('--htpasswd-file', { description: 'htpasswd file (stored in a Secret, key htpasswd)' });

  protected idpType() {
    return 'htpasswd' as const;
  }
}

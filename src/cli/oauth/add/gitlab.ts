import { Command, Option } from 'clipanion';
import { OAuthAddBase, idpFlag } from '../add-base.ts';
import { exclusiveFlags } from '../../flags.ts';

export class OAuthAddGitLabCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'gitlab']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add a GitLab identity provider to a hosted cluster',
    details: `
      Adds a \`GitLab\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). The client secret is stored in a Secret and never printed. It prints the callback URL to register.
    `,
    examples: [['gitlab.com', '$0 oauth add gitlab sample --idp-name gl --url https://gitlab.com --client-id abc --client-secret-file ./gl-secret']],
  });
  static override schema = [exclusiveFlags({ clientSecretFile: '--client-secret-file', clientSecretEnv: '--client-secret-env' }, { required: true })];

  url = Option.String('--url', { description: 'GitLab URL (https)' });
  clientId = Option.String('--client-id', { description: 'OAuth client ID' });
  clientSecretFile = idpFlag.clientSecretFile();
  clientSecretEnv = idpFlag.clientSecretEnv();
  caFile = idpFlag.caFile();

  protected idpType() {
    return 'gitlab' as const;
  }
}

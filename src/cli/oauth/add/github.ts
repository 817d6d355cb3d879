import { Command, Option } from 'clipanion';
import { OAuthAddBase, idpFlag } from '../add-base.ts';
import { exclusiveFlags } from '../../flags.ts';

export class OAuthAddGitHubCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'github']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add a GitHub identity provider to a hosted cluster',
    details: `
      Adds a \`GitHub\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). \`--organization\` or \`--team\` limits who may log in (otherwise anyone with a GitHub account could); \`--hostname\` names a GitHub Enterprise host. As the OAuth server's validation demands, \`--organization\` and \`--team\` (org/team) cannot be combined, and \`--ca-file\` needs \`--hostname\` (exit 2). The client secret is stored in a Secret and never printed. It prints the callback URL to register.
    `,
    examples: [['An organization', '$0 oauth add github sample --idp-name gh --client-id abc --client-secret-env GH_SECRET --organization openshift']],
  });
  static override schema = [exclusiveFlags({ clientSecretFile: '--client-secret-file', clientSecretEnv: '--client-secret-env' }, { required: true })];

  clientId = Option.String('--client-id', { description: 'OAuth client ID' });
  clientSecretFile = idpFlag.clientSecretFile();
  clientSecretEnv = idpFlag.clientSecretEnv();
  organization = Option.Array('--organization', [], { description: 'Organization allowed to log in (repeatable)' });
  team = Option.Array('--team', [], { description: 'Team org/team allowed to log in (repeatable)' });
  hostname = Option.String('--hostname', { description: 'GitHub Enterprise hostname' });
  caFile = idpFlag.caFile();

  protected idpType() {
    return 'github' as const;
  }
}

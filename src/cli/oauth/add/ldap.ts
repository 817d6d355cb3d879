import { Command, Option } from 'clipanion';
import { OAuthAddBase, idpFlag } from '../add-base.ts';
import { exclusiveFlags } from '../../flags.ts';

export class OAuthAddLdapCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add', 'ldap']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add an LDAP identity provider to a hosted cluster',
    details: `
      Adds an \`LDAP\` entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). \`--url\` is an RFC 2255 URL (ldap:// or ldaps://). A bind DN goes with a bind password, read from a file or an environment variable, stored in a Secret (key \`bindPassword\`) and never printed. Attributes default to dn, uid, cn and mail. \`--insecure\` (ldap:// without TLS) cannot be combined with \`--ca-file\` (exit 2), as the OAuth server's validation demands.
    `,
    examples: [
      [
        'Bind password from the environment',
        '$0 oauth add ldap sample --idp-name corp --url "ldaps://ldap.example.com/ou=users,dc=example,dc=com?uid" --bind-dn cn=reader --bind-password-env LDAP_PW',
      ],
    ],
  });
  static override schema = [exclusiveFlags({ bindPasswordFile: '--bind-password-file', bindPasswordEnv: '--bind-password-env' })];

  url = Option.String('--url', { description: 'LDAP URL (ldap:// or ldaps://)' });
  bindDn = Option.String('--bind-dn', { description: 'Bind DN' });
  bindPasswordFile = Option.String('--bind-password-file', { description: 'File holding the bind password' });
  bindPasswordEnv = Option.String('--bind-password-env', { description: 'Environment variable holding the bind password' });
  insecure = Option.Boolean('--insecure', false, { description: 'Connect without TLS (ldap:// only; not with --ca-file)' });
  caFile = idpFlag.caFile();
  attrId = Option.Array('--attr-id', [], { description: 'Id attribute (repeatable; default dn)' });
  attrEmail = Option.Array('--attr-email', [], { description: 'Email attribute (default mail)' });
  attrName = Option.Array('--attr-name', [], { description: 'Name attribute (default cn)' });
  attrPreferredUsername = Option.Array('--attr-preferred-username', [], { description: 'User name attribute (default uid)' });

  protected idpType() {
    return 'ldap' as const;
  }
}

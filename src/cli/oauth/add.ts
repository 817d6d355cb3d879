/**
 * `oauth add NAME --type TYPE …`: the first spelling of `oauth add`, kept for a release with a
 * deprecation note. It takes every type's flags (hidden from --help) and refuses the ones its
 * type does not read; `oauth add TYPE NAME` (add/*.ts) is the spelling to use.
 */
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { OAuthAddBase, type IdpFlags } from './add-base.ts';
import type { KubeClient } from '../../kube/client.ts';
import { IDP_TYPE_FLAGS, type IdpRequest, type IdpTypeFlag } from '../../oauth/types.ts';
import { UsageError } from '../../util/errors.ts';
import { isGiven } from '../flags.ts';

/** The flags each type reads (the per-type subcommands declare exactly these). */
const FLAGS_OF: ReadonlyMap<IdpTypeFlag, readonly (keyof IdpFlags)[]> = new Map<IdpTypeFlag, (keyof IdpFlags)[]>([
  [
    'openid',
    ['issuer', 'clientId', 'clientSecretFile', 'clientSecretEnv', 'claimEmail', 'claimName', 'claimPreferredUsername', 'claimGroups', 'extraScope', 'caFile'],
  ],
  ['htpasswd', ['htpasswdFile']],
  ['ldap', ['url', 'bindDn', 'bindPasswordFile', 'bindPasswordEnv', 'insecure', 'caFile', 'attrId', 'attrEmail', 'attrName', 'attrPreferredUsername']],
  ['keystone', ['url', 'domainName', 'caFile', 'tlsCertFile', 'tlsKeyFile']],
  ['basic-auth', ['url', 'caFile', 'tlsCertFile', 'tlsKeyFile']],
  ['request-header', ['caFile', 'header', 'loginUrl', 'challengeUrl', 'clientCommonName', 'emailHeader', 'nameHeader', 'preferredUsernameHeader']],
  ['github', ['clientId', 'clientSecretFile', 'clientSecretEnv', 'organization', 'team', 'hostname', 'caFile']],
  ['gitlab', ['url', 'clientId', 'clientSecretFile', 'clientSecretEnv', 'caFile']],
  ['google', ['clientId', 'clientSecretFile', 'clientSecretEnv', 'hostedDomain']],
]);

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export class OAuthAddCommand extends OAuthAddBase {
  static override paths = [['oauth', 'add']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add an identity provider (deprecated spelling of `oauth add TYPE NAME`)',
    details: `
      \`oauth add NAME --type TYPE\` is deprecated and will be removed in a later release: use \`oauth add TYPE NAME\` (openid, htpasswd, ldap, keystone, basic-auth, request-header, github, gitlab, google), whose --help shows that type's flags. This spelling takes the same flags and prints a deprecation note.
    `,
    examples: [['Instead of `oauth add sample --type htpasswd …`', '$0 oauth add htpasswd sample --idp-name local --htpasswd-file ./users.htpasswd']],
  });

  type = Option.String('--type', { required: true, description: IDP_TYPE_FLAGS.join(', '), validator: t.isEnum(IDP_TYPE_FLAGS) });
  clientId = Option.String('--client-id', { hidden: true });
  clientSecretFile = Option.String('--client-secret-file', { hidden: true });
  clientSecretEnv = Option.String('--client-secret-env', { hidden: true });
  issuer = Option.String('--issuer', { hidden: true });
  claimEmail = Option.Array('--claim-email', [], { hidden: true });
  claimName = Option.Array('--claim-name', [], { hidden: true });
  claimPreferredUsername = Option.Array('--claim-preferred-username', [], { hidden: true });
  claimGroups = Option.Array('--claim-groups', [], { hidden: true });
  extraScope = Option.Array('--extra-scope', [], { hidden: true });
  caFile = Option.String('--ca-file', { hidden: true });
  htpasswdFile = Option.String('--htpasswd-file', { hidden: true });
  url = Option.String('--url', { hidden: true });
  bindDn = Option.String('--bind-dn', { hidden: true });
  bindPasswordFile = Option.String('--bind-password-file', { hidden: true });
  bindPasswordEnv = Option.String('--bind-password-env', { hidden: true });
  insecure = Option.Boolean('--insecure', false, { hidden: true });
  attrId = Option.Array('--attr-id', [], { hidden: true });
  attrEmail = Option.Array('--attr-email', [], { hidden: true });
  attrName = Option.Array('--attr-name', [], { hidden: true });
  attrPreferredUsername = Option.Array('--attr-preferred-username', [], { hidden: true });
  domainName = Option.String('--domain-name', { hidden: true });
  tlsCertFile = Option.String('--tls-cert-file', { hidden: true });
  tlsKeyFile = Option.String('--tls-key-file', { hidden: true });
  loginUrl = Option.String('--login-url', { hidden: true });
  challengeUrl = Option.String('--challenge-url', { hidden: true });
  clientCommonName = Option.Array('--client-common-name', [], { hidden: true });
  header = Option.Array('--header', [], { hidden: true });
  emailHeader = Option.Array('--email-header', [], { hidden: true });
  nameHeader = Option.Array('--name-header', [], { hidden: true });
  preferredUsernameHeader = Option.Array('--preferred-username-header', [], { hidden: true });
  organization = Option.Array('--organization', [], { hidden: true });
  team = Option.Array('--team', [], { hidden: true });
  hostname = Option.String('--hostname', { hidden: true });
  hostedDomain = Option.String('--hosted-domain', { hidden: true });

  protected idpType(): IdpTypeFlag {
    return this.type;
  }

  /** A flag that the chosen type does not read is a mistake worth stopping for. */
  protected override readRequest(type: IdpTypeFlag, f: IdpFlags): IdpRequest {
    const allowed = FLAGS_OF.get(type) ?? [];
    const all = new Set([...FLAGS_OF.values()].flat());
    const foreign = [...all].filter((key) => isGiven(f[key]) && !allowed.includes(key)).map(flagName);
    if (foreign.length) throw new UsageError(`--type ${type} does not use ${foreign.join(', ')}`);
    return super.readRequest(type, f);
  }

  /** The note comes once the input is valid, so that a usage error stays one line. */
  protected override observe(kube: KubeClient, input: Parameters<OAuthAddBase['observe']>[1]) {
    this.out.warn(`'oauth add NAME --type ${this.type}' is deprecated: use 'kubectl hcp oauth add ${this.type} ${this.name} …'`);
    return super.observe(kube, input);
  }
}

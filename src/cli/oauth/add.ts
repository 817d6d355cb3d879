import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';
import { readInputFile } from '../../util/input-file.ts';

export class OAuthAddCommand extends MutatingCommand {
  static override paths = [['oauth', 'add']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Add an identity provider to the OAuth server of a hosted cluster',
    details: `
      Adds one entry to \`spec.configuration.oauth.identityProviders\` (spec 3.1). The whole list is written back with the resourceVersion it was read at, and re-read and retried on a conflict; a duplicate name is refused.

      Secret values (client secret, bind password, htpasswd file, TLS key) are read from files or environment variables, stored in a Secret in the HostedCluster namespace under the keys the operator reads (\`clientSecret\`, \`bindPassword\`, \`htpasswd\`, \`tls.crt\`/\`tls.key\`; CA bundles go to a ConfigMap key \`ca.crt\`), and never printed: \`--dry-run\` shows them as \`<redacted>\`.

      Types and their flags:
        openid          --issuer (https, no query or fragment) --client-id --client-secret-file|--client-secret-env [--claim-email --claim-name --claim-preferred-username --claim-groups --extra-scope --ca-file]
        htpasswd        --htpasswd-file
        ldap            --url (ldap:// or ldaps://) [--bind-dn with --bind-password-file|--bind-password-env] [--insecure --ca-file --attr-id --attr-email --attr-name --attr-preferred-username]
        keystone        --url (https) --domain-name [--ca-file --tls-cert-file --tls-key-file]
        basic-auth      --url (https) [--ca-file --tls-cert-file --tls-key-file]
        request-header  --ca-file --header [--login-url --challenge-url --client-common-name --email-header --name-header --preferred-username-header]
        github          --client-id --client-secret-file|env, --organization or --team [--hostname --ca-file]
        gitlab          --url (https) --client-id --client-secret-file|env [--ca-file]
        google          --client-id --client-secret-file|env [--hosted-domain]

      Adding the first identity provider removes the kubeadmin login. For redirect-based providers it prints the callback URL to register: \`https://oauth-openshift.apps.<cluster>.<base domain>/oauth2callback/<idp-name>\` (or the OAuth route's hostname when the HostedCluster publishes one). \`--wait\` waits for condition \`ValidIDPConfiguration\` and reports it.
    `,
    examples: [
      ['OpenID Connect, secret from a file', '$0 oauth add sample --type openid --idp-name IAM --issuer https://idp.example.com/realms/ocp --client-id ocp --client-secret-file ./client-secret --mapping-method lookup'],
      ['htpasswd', '$0 oauth add sample --type htpasswd --idp-name local --htpasswd-file ./users.htpasswd'],
      ['LDAP with a bind password from the environment', '$0 oauth add sample --type ldap --idp-name corp --url "ldaps://ldap.example.com/ou=users,dc=example,dc=com?uid" --bind-dn cn=reader --bind-password-env LDAP_PW'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  type = Option.String('--type', { required: true, description: 'openid, htpasswd, ldap, keystone, basic-auth, request-header, github, gitlab or google' });
  idpName = Option.String('--idp-name', { required: true, description: 'Name of the identity provider (prefixes identities, part of the callback URL)' });
  mappingMethod = Option.String('--mapping-method', { description: 'claim (default), lookup, generate or add' });
  clientId = Option.String('--client-id', { description: 'OAuth client ID' });
  clientSecretFile = Option.String('--client-secret-file', { description: 'File holding the client secret' });
  clientSecretEnv = Option.String('--client-secret-env', { description: 'Environment variable holding the client secret' });
  issuer = Option.String('--issuer', { description: 'OpenID issuer URL (https, no query or fragment)' });
  claimEmail = Option.Array('--claim-email', [], { description: 'OpenID claim for the email (repeatable)' });
  claimName = Option.Array('--claim-name', [], { description: 'OpenID claim for the display name (repeatable)' });
  claimPreferredUsername = Option.Array('--claim-preferred-username', [], { description: 'OpenID claim for the user name (repeatable)' });
  claimGroups = Option.Array('--claim-groups', [], { description: 'OpenID claim for groups (repeatable)' });
  extraScope = Option.Array('--extra-scope', [], { description: 'Extra OpenID scope (repeatable)' });
  caFile = Option.String('--ca-file', { description: 'PEM CA bundle to trust (stored in a ConfigMap, key ca.crt)' });
  htpasswdFile = Option.String('--htpasswd-file', { description: 'htpasswd file (stored in a Secret, key htpasswd)' });
  url = Option.String('--url', { description: 'Provider URL (ldap, keystone, basic-auth, gitlab)' });
  bindDn = Option.String('--bind-dn', { description: 'LDAP bind DN' });
  bindPasswordFile = Option.String('--bind-password-file', { description: 'File holding the LDAP bind password' });
  bindPasswordEnv = Option.String('--bind-password-env', { description: 'Environment variable holding the LDAP bind password' });
  insecure = Option.Boolean('--insecure', false, { description: 'LDAP: connect without TLS (ldap:// only)' });
  attrId = Option.Array('--attr-id', [], { description: 'LDAP id attribute (repeatable; default dn)' });
  attrEmail = Option.Array('--attr-email', [], { description: 'LDAP email attribute (default mail)' });
  attrName = Option.Array('--attr-name', [], { description: 'LDAP name attribute (default cn)' });
  attrPreferredUsername = Option.Array('--attr-preferred-username', [], { description: 'LDAP user name attribute (default uid)' });
  domainName = Option.String('--domain-name', { description: 'Keystone domain name' });
  tlsCertFile = Option.String('--tls-cert-file', { description: 'Client certificate (keystone, basic-auth)' });
  tlsKeyFile = Option.String('--tls-key-file', { description: 'Client key (keystone, basic-auth)' });
  loginUrl = Option.String('--login-url', { description: 'Request header: login URL' });
  challengeUrl = Option.String('--challenge-url', { description: 'Request header: challenge URL' });
  clientCommonName = Option.Array('--client-common-name', [], { description: 'Request header: allowed client certificate CN (repeatable)' });
  header = Option.Array('--header', [], { description: 'Request header: header with the user identity (repeatable)' });
  emailHeader = Option.Array('--email-header', [], { description: 'Request header: email header (repeatable)' });
  nameHeader = Option.Array('--name-header', [], { description: 'Request header: display name header (repeatable)' });
  preferredUsernameHeader = Option.Array('--preferred-username-header', [], { description: 'Request header: user name header (repeatable)' });
  organization = Option.Array('--organization', [], { description: 'GitHub organization allowed to log in (repeatable)' });
  team = Option.Array('--team', [], { description: 'GitHub team org/team allowed to log in (repeatable)' });
  hostname = Option.String('--hostname', { description: 'GitHub Enterprise hostname' });
  hostedDomain = Option.String('--hosted-domain', { description: 'Google hosted domain' });
  wait = Option.Boolean('--wait', false, { description: 'Wait for condition ValidIDPConfiguration and report it' });
  waitTimeout = Option.String('--wait-timeout', '5m', { description: 'How long --wait waits' });

  async run(): Promise<void> {
    const idp = { ...(await import('../../oauth/types.ts')), ...(await import('../../oauth/validate.ts')), ...(await import('../../oauth/build.ts')), ...(await import('../../oauth/read.ts')), ...(await import('../../oauth/plan.ts')) };
    assertObjectName(this.name, 'HostedCluster');
    if (!idp.isIdpTypeFlag(this.type)) throw new UsageError(`--type "${this.type}" is not one of ${idp.IDP_TYPE_FLAGS.join(', ')}`);
    const type = this.type;
    idp.assertIdpName(this.idpName);
    if (this.mappingMethod !== undefined && !(idp.MAPPING_METHODS as readonly string[]).includes(this.mappingMethod)) {
      throw new UsageError(`--mapping-method "${this.mappingMethod}" is not one of ${idp.MAPPING_METHODS.join(', ')}`);
    }
    this.rejectForeignFlags(type);
    if (this.issuer !== undefined) idp.assertIssuer(this.issuer);
    if (this.url !== undefined) idp.parseUrl(this.url, '--url', type === 'ldap' ? ['ldap', 'ldaps'] : ['https']);
    if (this.insecure && this.url?.startsWith('ldaps:')) throw new UsageError('--insecure cannot be used with an ldaps:// URL');
    for (const [flag, value] of [['--login-url', this.loginUrl], ['--challenge-url', this.challengeUrl]] as const) if (value !== undefined) idp.parseUrl(value, flag, ['https']);
    const ca = this.caFile !== undefined ? readInputFile(this.caFile, '--ca-file') : undefined;
    if (ca !== undefined) idp.assertPem(ca, '--ca-file', 'CERTIFICATE');
    const htpasswd = this.htpasswdFile !== undefined ? readInputFile(this.htpasswdFile, '--htpasswd-file') : undefined;
    if (htpasswd !== undefined) idp.assertHtpasswd(htpasswd, '--htpasswd-file');
    const tlsCert = this.tlsCertFile !== undefined ? readInputFile(this.tlsCertFile, '--tls-cert-file') : undefined;
    if (tlsCert !== undefined) idp.assertPem(tlsCert, '--tls-cert-file', 'CERTIFICATE');
    const tlsKey = this.tlsKeyFile !== undefined ? readInputFile(this.tlsKeyFile, '--tls-key-file') : undefined;
    if (tlsKey !== undefined) idp.assertPem(tlsKey, '--tls-key-file', 'PRIVATE KEY');
    const secretValue =
      type === 'ldap'
        ? this.secretFrom(this.bindPasswordFile, this.bindPasswordEnv, '--bind-password')
        : this.secretFrom(this.clientSecretFile, this.clientSecretEnv, '--client-secret');
    const { idp: entry, objects } = idp.buildIdentityProvider({
      hcName: this.name,
      type,
      name: this.idpName,
      mappingMethod: this.mappingMethod,
      clientId: this.clientId,
      secretValue,
      issuer: this.issuer,
      url: this.url,
      claims: { email: this.claimEmail, name: this.claimName, preferredUsername: this.claimPreferredUsername, groups: this.claimGroups },
      extraScopes: this.extraScope,
      ca,
      htpasswd,
      bindDN: this.bindDn,
      insecure: this.insecure,
      attributes: { id: this.attrId, email: this.attrEmail, name: this.attrName, preferredUsername: this.attrPreferredUsername },
      domainName: this.domainName,
      tlsCert,
      tlsKey,
      loginURL: this.loginUrl,
      challengeURL: this.challengeUrl,
      clientCommonNames: this.clientCommonName,
      headers: this.header,
      emailHeaders: this.emailHeader,
      nameHeaders: this.nameHeader,
      preferredUsernameHeaders: this.preferredUsernameHeader,
      organizations: this.organization,
      teams: this.team,
      hostname: this.hostname,
      hostedDomain: this.hostedDomain,
    });
    const waitMs = this.wait ? parseGoDuration(this.waitTimeout, '--wait-timeout') : undefined;
    this.validateCommon();

    const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
    const { Resources } = await import('../../kube/resources.ts');
    const kube = await this.kube();
    const [hc] = await selectHostedClusters(kube, { name: this.name, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace });
    const existing = new Set<string>();
    await Promise.all(
      objects.map(async (o) => {
        if (await kube.getOrNull(o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap, hc.metadata.namespace, o.name)) existing.add(`${o.kind}/${o.name}`);
      }),
    );
    const plan = idp.planIdpAdd({ hc, idp: entry, objects, existing, waitMs });
    const callback = idp.idpTypeInfo(type).callback ? idp.callbackUrl(hc, this.idpName) : undefined;
    if (callback) plan.warnings.push(`register this redirect URL with the provider: ${callback}`);
    const result = await this.runPlan(plan, kube);
    if (result.status !== 'completed') return;
    const valid = result.artifacts.validIDPConfiguration as string | undefined;
    this.printResult(
      { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, identityProvider: this.idpName, type: entry.type, callbackURL: callback, secrets: objects.map((o) => `${o.kind}/${o.name}`), validIDPConfiguration: valid, dryRun: this.dryRunMode },
      [
        `hostedcluster/${hc.metadata.name} identity provider ${this.idpName} (${entry.type}) added${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
        callback ? `callback URL: ${callback}` : '',
        valid ? `ValidIDPConfiguration: ${valid}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }

  /** The secret from exactly one of a file or an environment variable; its value is never shown. */
  private secretFrom(file: string | undefined, env: string | undefined, flag: string): string | undefined {
    if (file !== undefined && env !== undefined) throw new UsageError(`give ${flag}-file or ${flag}-env, not both`);
    if (file !== undefined) {
      const text = readInputFile(file, `${flag}-file`).replace(/\r?\n$/, '');
      if (!text) throw new UsageError(`${flag}-file ${file} is empty`);
      return text;
    }
    if (env !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) throw new UsageError(`${flag}-env "${env}" is not an environment variable name`);
      const value = this.context.env[env];
      if (!value) throw new UsageError(`${flag}-env: environment variable ${env} is not set or empty`);
      return value;
    }
    return undefined;
  }

  /** A flag that the chosen type does not read is a mistake worth stopping for. */
  private rejectForeignFlags(type: string): void {
    const allowed: Record<string, string[]> = {
      openid: ['--issuer', '--client-id', '--client-secret-file', '--client-secret-env', '--claim-email', '--claim-name', '--claim-preferred-username', '--claim-groups', '--extra-scope', '--ca-file'],
      htpasswd: ['--htpasswd-file'],
      ldap: ['--url', '--bind-dn', '--bind-password-file', '--bind-password-env', '--insecure', '--ca-file', '--attr-id', '--attr-email', '--attr-name', '--attr-preferred-username'],
      keystone: ['--url', '--domain-name', '--ca-file', '--tls-cert-file', '--tls-key-file'],
      'basic-auth': ['--url', '--ca-file', '--tls-cert-file', '--tls-key-file'],
      'request-header': ['--ca-file', '--header', '--login-url', '--challenge-url', '--client-common-name', '--email-header', '--name-header', '--preferred-username-header'],
      github: ['--client-id', '--client-secret-file', '--client-secret-env', '--organization', '--team', '--hostname', '--ca-file'],
      gitlab: ['--url', '--client-id', '--client-secret-file', '--client-secret-env', '--ca-file'],
      google: ['--client-id', '--client-secret-file', '--client-secret-env', '--hosted-domain'],
    };
    const given: [string, unknown][] = [
      ['--issuer', this.issuer], ['--client-id', this.clientId], ['--client-secret-file', this.clientSecretFile], ['--client-secret-env', this.clientSecretEnv],
      ['--claim-email', this.claimEmail.length || undefined], ['--claim-name', this.claimName.length || undefined], ['--claim-preferred-username', this.claimPreferredUsername.length || undefined],
      ['--claim-groups', this.claimGroups.length || undefined], ['--extra-scope', this.extraScope.length || undefined], ['--ca-file', this.caFile], ['--htpasswd-file', this.htpasswdFile],
      ['--url', this.url], ['--bind-dn', this.bindDn], ['--bind-password-file', this.bindPasswordFile], ['--bind-password-env', this.bindPasswordEnv], ['--insecure', this.insecure || undefined],
      ['--attr-id', this.attrId.length || undefined], ['--attr-email', this.attrEmail.length || undefined], ['--attr-name', this.attrName.length || undefined],
      ['--attr-preferred-username', this.attrPreferredUsername.length || undefined], ['--domain-name', this.domainName], ['--tls-cert-file', this.tlsCertFile], ['--tls-key-file', this.tlsKeyFile],
      ['--login-url', this.loginUrl], ['--challenge-url', this.challengeUrl], ['--client-common-name', this.clientCommonName.length || undefined], ['--header', this.header.length || undefined],
      ['--email-header', this.emailHeader.length || undefined], ['--name-header', this.nameHeader.length || undefined], ['--preferred-username-header', this.preferredUsernameHeader.length || undefined],
      ['--organization', this.organization.length || undefined], ['--team', this.team.length || undefined], ['--hostname', this.hostname], ['--hosted-domain', this.hostedDomain],
    ];
    const foreign = given.filter(([flag, v]) => v !== undefined && !allowed[type].includes(flag)).map(([flag]) => flag);
    if (foreign.length) throw new UsageError(`--type ${type} does not use ${foreign.join(', ')}`);
  }
}

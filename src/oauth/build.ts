/** Builds an identityProviders entry and the Secrets/ConfigMaps it references, from validated inputs. Pure. */
import { createHash } from 'node:crypto';
import { UsageError } from '../util/errors.ts';
import { KEYS, idpTypeInfo, type IdentityProvider, type IdpObject, type IdpRequest } from './types.ts';

/**
 * Names of the objects derived from the cluster and provider names: a DNS-safe slug for people,
 * and a short hash of the exact provider name, because IdP names are case-sensitive and free-form
 * while object names are not: `local` and `Local`, or `corp ldap` and `corp-ldap`, must not share a
 * Secret (issue 13 item 6).
 */
export function objectName(hcName: string, idpName: string, purpose: string): string {
  const slug =
    idpName
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'idp';
  const hash = createHash('sha256').update(idpName, 'utf8').digest('hex').slice(0, 8);
  return `${hcName}-idp-${slug}-${hash}-${purpose}`.slice(0, 253).replace(/[-.]+$/, '');
}

/**
 * Combinations the OAuth server's config validation rejects (openshift/library-go
 * validation/osin ValidateGitHubIdentityProvider, ValidateGoogleIdentityProvider,
 * ValidateLDAPIdentityProvider): the operator would only report ValidIDPConfiguration=False
 * later, so they are input errors here (issue 13 item 21).
 */
export function assertAcceptedCombination(req: IdpRequest): void {
  const lookup = req.mappingMethod === 'lookup';
  switch (req.type) {
    case 'github': {
      if (req.organizations?.length && req.teams?.length)
        throw new UsageError('--organization and --team cannot be combined: the OAuth server takes organizations or teams, not both');
      if (req.ca !== undefined && !req.hostname)
        throw new UsageError('--ca-file needs --hostname: a CA can only be given for GitHub Enterprise, not for github.com');
      const badOrg = req.organizations?.find((o) => !o || o.includes('/'));
      if (badOrg !== undefined) throw new UsageError(`--organization "${badOrg}" must be an organization name without '/' (teams go to --team org/team)`);
      const badTeam = req.teams?.find((t) => !/^[^/]+\/[^/]+$/.test(t));
      if (badTeam !== undefined) throw new UsageError(`--team "${badTeam}" must be in the format <org>/<team>`);
      if (req.hostname && (req.hostname === 'github.com' || req.hostname.endsWith('.github.com')))
        throw new UsageError(`--hostname "${req.hostname}" cannot be [*.]github.com: --hostname is for GitHub Enterprise`);
      break;
    }
    case 'ldap':
      if (req.insecure && req.ca !== undefined)
        throw new UsageError('--insecure cannot be combined with --ca-file: an insecure connection uses no TLS, so no CA');
      break;
    case 'google':
      if (!req.hostedDomain && !lookup)
        throw new UsageError('--type google needs --hosted-domain unless --mapping-method lookup: otherwise any Google account could log in');
      break;
  }
}

const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list && list.length ? list : undefined);

/** Builds the identityProviders entry and the objects it references. Pure; throws UsageError for missing inputs. */
export function buildIdentityProvider(req: IdpRequest): { idp: IdentityProvider; objects: IdpObject[] } {
  const meta = idpTypeInfo(req.type);
  assertAcceptedCombination(req);
  const objects: IdpObject[] = [];
  const need = (value: unknown, flag: string) => {
    if (value === undefined || value === '' || (Array.isArray(value) && !value.length)) throw new UsageError(`--type ${req.type} needs ${flag}`);
  };
  const secretRef = (purpose: string, key: string, value: string) => {
    const name = objectName(req.hcName, req.name, purpose);
    objects.push({ kind: 'Secret', name, data: { [key]: value } });
    return { name };
  };
  const caRef = () => {
    if (req.ca === undefined) return undefined;
    const name = objectName(req.hcName, req.name, 'ca');
    objects.push({ kind: 'ConfigMap', name, data: { [KEYS.ca]: req.ca } });
    return { name };
  };
  const tlsRefs = () => {
    if ((req.tlsCert === undefined) !== (req.tlsKey === undefined)) throw new UsageError('--tls-cert-file and --tls-key-file go together');
    if (req.tlsCert === undefined) return {};
    const name = objectName(req.hcName, req.name, 'tls');
    objects.push({ kind: 'Secret', name, type: 'kubernetes.io/tls', data: { [KEYS.tlsCert]: req.tlsCert, [KEYS.tlsKey]: req.tlsKey! } });
    return { tlsClientCert: { name }, tlsClientKey: { name } };
  };
  let body: Record<string, unknown>;
  switch (req.type) {
    case 'openid': {
      need(req.issuer, '--issuer');
      need(req.clientId, '--client-id');
      need(req.secretValue, '--client-secret-file or --client-secret-env');
      const c = req.claims ?? { email: [], name: [], preferredUsername: [], groups: [] };
      const anyClaim = c.email.length || c.name.length || c.preferredUsername.length;
      // OpenShift's usual claims when none are given.
      const claims = anyClaim
        ? { email: nonEmpty(c.email), name: nonEmpty(c.name), preferredUsername: nonEmpty(c.preferredUsername), groups: nonEmpty(c.groups) }
        : { email: ['email'], name: ['name'], preferredUsername: ['preferred_username'], groups: nonEmpty(c.groups) };
      body = {
        issuer: req.issuer,
        clientID: req.clientId,
        clientSecret: secretRef('client-secret', KEYS.clientSecret, req.secretValue!),
        claims,
        extraScopes: nonEmpty(req.extraScopes),
        ca: caRef(),
      };
      break;
    }
    case 'htpasswd':
      need(req.htpasswd, '--htpasswd-file');
      body = { fileData: secretRef('htpasswd', KEYS.htpasswd, req.htpasswd!) };
      break;
    case 'ldap': {
      need(req.url, '--url');
      if ((req.bindDN === undefined) !== (req.secretValue === undefined))
        throw new UsageError('--bind-dn and --bind-password-file/--bind-password-env go together');
      const a = req.attributes ?? { id: [], email: [], name: [], preferredUsername: [] };
      body = {
        url: req.url,
        bindDN: req.bindDN,
        bindPassword: req.secretValue !== undefined ? secretRef('bind-password', KEYS.bindPassword, req.secretValue) : undefined,
        insecure: req.insecure || undefined,
        ca: caRef(),
        attributes: {
          id: nonEmpty(a.id) ?? ['dn'],
          preferredUsername: nonEmpty(a.preferredUsername) ?? ['uid'],
          name: nonEmpty(a.name) ?? ['cn'],
          email: nonEmpty(a.email) ?? ['mail'],
        },
      };
      break;
    }
    case 'keystone':
      need(req.url, '--url');
      need(req.domainName, '--domain-name');
      body = { url: req.url, domainName: req.domainName, ca: caRef(), ...tlsRefs() };
      break;
    case 'basic-auth':
      need(req.url, '--url');
      body = { url: req.url, ca: caRef(), ...tlsRefs() };
      break;
    case 'request-header':
      need(req.ca, '--ca-file');
      need(req.headers, '--header');
      body = {
        loginURL: req.loginURL,
        challengeURL: req.challengeURL,
        ca: caRef(),
        clientCommonNames: nonEmpty(req.clientCommonNames),
        headers: req.headers,
        emailHeaders: nonEmpty(req.emailHeaders),
        nameHeaders: nonEmpty(req.nameHeaders),
        preferredUsernameHeaders: nonEmpty(req.preferredUsernameHeaders),
      };
      break;
    case 'github':
      need(req.clientId, '--client-id');
      need(req.secretValue, '--client-secret-file or --client-secret-env');
      if (!req.hostname && !req.organizations?.length && !req.teams?.length)
        throw new UsageError('--type github needs --organization or --team (or --hostname for GitHub Enterprise), or anyone with a GitHub account can log in');
      body = {
        clientID: req.clientId,
        clientSecret: secretRef('client-secret', KEYS.clientSecret, req.secretValue!),
        organizations: nonEmpty(req.organizations),
        teams: nonEmpty(req.teams),
        hostname: req.hostname,
        ca: caRef(),
      };
      break;
    case 'gitlab':
      need(req.url, '--url');
      need(req.clientId, '--client-id');
      need(req.secretValue, '--client-secret-file or --client-secret-env');
      body = { url: req.url, clientID: req.clientId, clientSecret: secretRef('client-secret', KEYS.clientSecret, req.secretValue!), ca: caRef() };
      break;
    case 'google':
      need(req.clientId, '--client-id');
      need(req.secretValue, '--client-secret-file or --client-secret-env');
      body = { clientID: req.clientId, clientSecret: secretRef('client-secret', KEYS.clientSecret, req.secretValue!), hostedDomain: req.hostedDomain };
      break;
  }
  const idp: IdentityProvider = { name: req.name, mappingMethod: req.mappingMethod ?? 'claim', type: meta.type, [meta.field]: prune(body) };
  return { idp, objects };
}

function prune(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? prune(v as Record<string, unknown>) : v;
  }
  return out;
}

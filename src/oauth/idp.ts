/**
 * Identity providers of a hosted cluster's OAuth server (spec 3.1; FACTS "HostedCluster fields").
 *
 * - `spec.configuration.oauth.identityProviders` is an atomic list: the whole list is read,
 *   changed and written back with the resourceVersion read, retried on conflict.
 * - Referenced Secrets and ConfigMaps live in the HostedCluster namespace under the keys the
 *   operator reads: clientSecret, ca.crt, htpasswd, bindPassword, tls.crt/tls.key.
 * - Secret values come from files or the environment and only ever travel inside Secret `data`,
 *   which the plan renderer redacts.
 */
import { Resources, describeRef, type KubeObject, type ObjectRef } from '../kube/resources.ts';
import type { Change, Plan, Step } from '../plan/plan.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { condition } from '../hostedcluster/types.ts';
import { waitFor } from '../kube/wait.ts';
import { renderTable } from '../output/output.ts';
import { RuntimeError, UsageError } from '../util/errors.ts';

export const IDP_TYPES = {
  openid: { type: 'OpenID', field: 'openID', callback: true },
  htpasswd: { type: 'HTPasswd', field: 'htpasswd', callback: false },
  ldap: { type: 'LDAP', field: 'ldap', callback: false },
  keystone: { type: 'Keystone', field: 'keystone', callback: false },
  'basic-auth': { type: 'BasicAuth', field: 'basicAuth', callback: false },
  'request-header': { type: 'RequestHeader', field: 'requestHeader', callback: false },
  github: { type: 'GitHub', field: 'github', callback: true },
  gitlab: { type: 'GitLab', field: 'gitlab', callback: true },
  google: { type: 'Google', field: 'google', callback: true },
} as const;
export type IdpTypeFlag = keyof typeof IDP_TYPES;
export const MAPPING_METHODS = ['claim', 'lookup', 'generate', 'add'] as const;

/** Secret keys (FACTS). */
export const KEYS = { clientSecret: 'clientSecret', ca: 'ca.crt', htpasswd: 'htpasswd', bindPassword: 'bindPassword', tlsCert: 'tls.crt', tlsKey: 'tls.key' } as const;
export const IDP_ANNOTATION = 'kubectl-hcp/identity-provider';

export interface IdentityProvider {
  name: string;
  type: string;
  mappingMethod?: string;
  [field: string]: unknown;
}

/** What an `oauth add` asks for, with file contents and secret values already read. */
export interface IdpRequest {
  hcName: string;
  type: IdpTypeFlag;
  name: string;
  mappingMethod?: string;
  clientId?: string;
  /** The client secret or bind password value (never printed). */
  secretValue?: string;
  issuer?: string;
  url?: string;
  claims?: { email: string[]; name: string[]; preferredUsername: string[]; groups: string[] };
  extraScopes?: string[];
  ca?: string;
  htpasswd?: string;
  bindDN?: string;
  insecure?: boolean;
  attributes?: { id: string[]; email: string[]; name: string[]; preferredUsername: string[] };
  domainName?: string;
  tlsCert?: string;
  tlsKey?: string;
  loginURL?: string;
  challengeURL?: string;
  clientCommonNames?: string[];
  headers?: string[];
  emailHeaders?: string[];
  nameHeaders?: string[];
  preferredUsernameHeaders?: string[];
  organizations?: string[];
  teams?: string[];
  hostname?: string;
  hostedDomain?: string;
}

/** A Secret or ConfigMap to create or update for the provider. */
export interface IdpObject {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  data: Record<string, string>;
  type?: string;
}

// ------------------------------------------------------------------ validators

/** OpenShift's rule: a valid path segment (it is part of the callback URL). */
export function assertIdpName(name: string): void {
  if (!name || name === '.' || name === '..' || /[/%:]/.test(name) || /\s/.test(name) || name.length > 63) {
    throw new UsageError(`--idp-name "${name}" is not valid: it must be a path segment without '/', '%', ':' or spaces, not "." or "..", at most 63 characters`);
  }
}

/** FACTS: the OpenID issuer is https with no query or fragment. */
export function assertIssuer(value: string): void {
  const url = parseUrl(value, '--issuer');
  if (url.protocol !== 'https:') throw new UsageError(`--issuer "${value}" must use https`);
  if (url.search || value.includes('?')) throw new UsageError(`--issuer "${value}" must not have a query`);
  if (url.hash || value.includes('#')) throw new UsageError(`--issuer "${value}" must not have a fragment`);
}

export function parseUrl(value: string, flag: string, schemes?: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${value}" is not a URL`);
  }
  if (!url.hostname) throw new UsageError(`${flag} "${value}" has no host`);
  if (schemes && !schemes.includes(url.protocol.slice(0, -1))) throw new UsageError(`${flag} "${value}" must use ${schemes.join(' or ')}`);
  return url;
}

export function assertPem(text: string, flag: string, what: 'CERTIFICATE' | 'PRIVATE KEY'): void {
  const re = what === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (!re.test(text)) throw new UsageError(`${flag} does not contain a PEM ${what.toLowerCase()}`);
}

/** Each non-empty line `user:hash`, as htpasswd writes it. */
export function assertHtpasswd(text: string, flag: string): void {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (!lines.length) throw new UsageError(`${flag} has no users`);
  const bad = lines.findIndex((l) => !/^[^:\s]+:\S+$/.test(l));
  if (bad >= 0) throw new UsageError(`${flag} line ${bad + 1} is not "user:hash" (create it with htpasswd -B)`);
}

/** Names of the objects derived from the cluster and provider names, made DNS-safe. */
export function objectName(hcName: string, idpName: string, purpose: string): string {
  const slug = idpName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'idp';
  const name = `${hcName}-idp-${slug}-${purpose}`.slice(0, 253).replace(/[-.]+$/, '');
  return name;
}

const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list && list.length ? list : undefined);

/** Builds the identityProviders entry and the objects it references. Pure; throws UsageError for missing inputs. */
export function buildIdentityProvider(req: IdpRequest): { idp: IdentityProvider; objects: IdpObject[] } {
  const meta = IDP_TYPES[req.type];
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
      body = { issuer: req.issuer, clientID: req.clientId, clientSecret: secretRef('client-secret', KEYS.clientSecret, req.secretValue!), claims, extraScopes: nonEmpty(req.extraScopes), ca: caRef() };
      break;
    }
    case 'htpasswd':
      need(req.htpasswd, '--htpasswd-file');
      body = { fileData: secretRef('htpasswd', KEYS.htpasswd, req.htpasswd!) };
      break;
    case 'ldap': {
      need(req.url, '--url');
      if ((req.bindDN === undefined) !== (req.secretValue === undefined)) throw new UsageError('--bind-dn and --bind-password-file/--bind-password-env go together');
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
      if (!req.hostname && !req.organizations?.length && !req.teams?.length) throw new UsageError('--type github needs --organization or --team (or --hostname for GitHub Enterprise), or anyone with a GitHub account can log in');
      body = { clientID: req.clientId, clientSecret: secretRef('client-secret', KEYS.clientSecret, req.secretValue!), organizations: nonEmpty(req.organizations), teams: nonEmpty(req.teams), hostname: req.hostname, ca: caRef() };
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

// ------------------------------------------------------------------ reading

export function identityProvidersOf(hc: HostedCluster): IdentityProvider[] {
  const oauth = (hc.spec.configuration as { oauth?: { identityProviders?: IdentityProvider[] } } | undefined)?.oauth;
  return oauth?.identityProviders ?? [];
}

/** The Secrets and ConfigMaps an entry references, by name. */
export function referencedObjects(idp: IdentityProvider): { secrets: string[]; configMaps: string[] } {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  for (const value of Object.values(idp)) {
    if (!value || typeof value !== 'object') continue;
    for (const [k, ref] of Object.entries(value as Record<string, unknown>)) {
      const name = (ref as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') continue;
      if (k === 'ca') configMaps.add(name);
      else if (['clientSecret', 'bindPassword', 'fileData', 'tlsClientCert', 'tlsClientKey'].includes(k)) secrets.add(name);
    }
  }
  return { secrets: [...secrets], configMaps: [...configMaps] };
}

export interface IdpRow {
  name: string;
  type: string;
  mappingMethod: string;
  secrets: string[];
  configMaps: string[];
}

export function idpRows(hc: HostedCluster): IdpRow[] {
  return identityProvidersOf(hc).map((idp) => ({ name: idp.name, type: idp.type, mappingMethod: idp.mappingMethod ?? 'claim', ...referencedObjects(idp) }));
}

export function renderIdpTable(rows: IdpRow[]): string {
  return renderTable(['name', 'type', 'mapping', 'secrets', 'configmaps'], rows.map((r) => [r.name, r.type, r.mappingMethod, r.secrets.join(',') || '-', r.configMaps.join(',') || '-']));
}

/**
 * The redirect URL to register with the provider: the OAuth route's host when the HostedCluster
 * publishes the OAuth server as a Route with a hostname, else the docs' form
 * `https://oauth-openshift.apps.<cluster>.<base domain>/oauth2callback/<idp>`.
 */
export function callbackUrl(hc: HostedCluster, idpName: string): string | undefined {
  const services = (hc.spec.services as { service?: string; servicePublishingStrategy?: { route?: { hostname?: string } } }[] | undefined) ?? [];
  const routeHost = services.find((s) => s.service === 'OAuthServer')?.servicePublishingStrategy?.route?.hostname;
  const base = hc.spec.dns?.baseDomain;
  const host = routeHost ?? (base ? `oauth-openshift.apps.${hc.metadata.name}.${base}` : undefined);
  return host ? `https://${host}/oauth2callback/${encodeURIComponent(idpName)}` : undefined;
}

// ------------------------------------------------------------------ plans

const hcRef = (hc: HostedCluster): ObjectRef => ({ resource: Resources.HostedCluster, namespace: hc.metadata.namespace, name: hc.metadata.name });

function withOAuthList(obj: HostedCluster, list: IdentityProvider[]): void {
  const spec = obj.spec as Record<string, unknown>;
  const configuration = (spec.configuration ??= {}) as Record<string, unknown>;
  const oauth = (configuration.oauth ??= {}) as Record<string, unknown>;
  oauth.identityProviders = list;
}

/**
 * Writes the whole list through read-modify-write: `edit` is applied to the list as it is on the
 * server at that moment, and the PUT carries that resourceVersion; a 409 re-reads and re-applies.
 */
function listWriteStep(hc: HostedCluster, id: string, title: string, preview: IdentityProvider[], edit: (list: IdentityProvider[]) => IdentityProvider[]): Step {
  const ref = hcRef(hc);
  return {
    id,
    title,
    details: [
      `PUT ${describeRef(ref)} with the resourceVersion just read (re-read and retried on a conflict); spec.configuration.oauth.identityProviders becomes:`,
      `  ${JSON.stringify(preview)}`,
    ],
    serverDryRun: 'run',
    run: async (ctx) => {
      const { object } = await ctx.kube.update<HostedCluster>(ref.resource, ref.namespace, ref.name, (obj) => withOAuthList(obj, edit(identityProvidersOf(obj))));
      return { generation: object.metadata.generation as number | undefined };
    },
  };
}

function objectChanges(hc: HostedCluster, objects: IdpObject[], existing: Set<string>, idpName: string): Change[] {
  const ns = hc.metadata.namespace!;
  return objects.map((o): Change => {
    const resource = o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap;
    const ref: ObjectRef = { resource, namespace: ns, name: o.name };
    const data = o.kind === 'Secret' ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])) : o.data;
    if (existing.has(`${o.kind}/${o.name}`)) return { op: 'patch', ref, patchType: 'merge', patch: { data } };
    const metadata = { name: o.name, namespace: ns, annotations: { [IDP_ANNOTATION]: `${hc.metadata.name}/${idpName}` } };
    return { op: 'create', ref, body: { metadata, ...(o.type ? { type: o.type } : {}), data } };
  });
}

function waitIdpStep(hc: HostedCluster, waitMs: number): Step {
  const ref = hcRef(hc);
  return {
    id: 'wait-valid-idp',
    title: 'Wait for condition ValidIDPConfiguration',
    details: [`waits up to ${Math.round(waitMs / 1000)}s for the operator to report ValidIDPConfiguration for the new generation`],
    run: async (ctx) => {
      const generation = ctx.artifacts.generation as number | undefined;
      const r = await waitFor(
        'ValidIDPConfiguration',
        async () => {
          const fresh = await ctx.kube.get<HostedCluster>(ref.resource, ref.namespace, ref.name);
          const c = condition(fresh, 'ValidIDPConfiguration');
          const current = c && (generation === undefined || c.observedGeneration === undefined || c.observedGeneration >= generation);
          return { done: Boolean(current), message: c ? `${c.status}${c.reason ? `/${c.reason}` : ''}${current ? '' : ' (for an older generation)'}` : 'not reported', value: c };
        },
        { timeoutMs: waitMs, intervalMs: 1000, onProgress: ctx.progress },
      );
      if (r.timedOut) throw new RuntimeError(`the operator did not report ValidIDPConfiguration within ${Math.round(waitMs / 1000)}s (${r.message})`, { state: 'the identity provider configuration is written' });
      if (r.value?.status !== 'True') {
        throw new RuntimeError(`ValidIDPConfiguration is ${r.value?.status}${r.value?.reason ? ` (${r.value.reason})` : ''}: ${r.value?.message ?? ''}`, { state: 'the identity provider configuration is written but the operator rejects it' });
      }
      return { validIDPConfiguration: `${r.value.status}${r.value.reason ? `/${r.value.reason}` : ''}${r.value.message ? `: ${r.value.message}` : ''}` };
    },
  };
}

export interface AddInputs {
  hc: HostedCluster;
  idp: IdentityProvider;
  objects: IdpObject[];
  /** `Secret/name` and `ConfigMap/name` of the objects that already exist. */
  existing: Set<string>;
  waitMs?: number;
}

export function planIdpAdd({ hc, idp, objects, existing, waitMs }: AddInputs): Plan {
  const ref = hcRef(hc);
  const plan: Plan = { operation: 'oauth-add', target: describeRef(ref), steps: [], warnings: [], blockers: [], journal: false };
  const current = identityProvidersOf(hc);
  if (current.some((p) => p.name === idp.name)) {
    plan.blockers.push({ message: `an identity provider named "${idp.name}" already exists (remove it first with 'kubectl hcp oauth remove ${hc.metadata.name} --idp-name ${idp.name}')` });
    return plan;
  }
  if (!current.length) plan.warnings.push(`this is the first identity provider of ${hc.metadata.name}: adding it removes the kubeadmin login (spec 3.1)`);
  for (const o of objects) if (existing.has(`${o.kind}/${o.name}`)) plan.warnings.push(`${o.kind} ${hc.metadata.namespace}/${o.name} exists and is updated`);
  if (objects.length) {
    const created = objects.filter((o) => !existing.has(`${o.kind}/${o.name}`));
    plan.steps.push({
      id: 'write-objects',
      title: `Write ${objects.map((o) => `${o.kind} ${o.name}`).join(', ')}`,
      changes: objectChanges(hc, objects, existing, idp.name),
      undo: created.length
        ? { title: `delete ${created.map((o) => `${o.kind} ${o.name}`).join(', ')}`, changes: created.map((o) => ({ op: 'delete', ref: { resource: o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap, namespace: hc.metadata.namespace, name: o.name } }) as Change) }
        : undefined,
    });
  }
  plan.steps.push(
    listWriteStep(hc, 'add-idp', `Add identity provider ${idp.name} (${idp.type}) to ${describeRef(ref)}`, [...current, idp], (list) => {
      if (list.some((p) => p.name === idp.name)) throw new RuntimeError(`an identity provider named "${idp.name}" was added concurrently`);
      return [...list, idp];
    }),
  );
  if (waitMs !== undefined) plan.steps.push(waitIdpStep(hc, waitMs));
  return plan;
}

export interface RemoveInputs {
  hc: HostedCluster;
  name: string;
  deleteSecrets: boolean;
  waitMs?: number;
}

export function planIdpRemove({ hc, name, deleteSecrets, waitMs }: RemoveInputs): Plan {
  const ref = hcRef(hc);
  const plan: Plan = { operation: 'oauth-remove', target: describeRef(ref), steps: [], warnings: [], blockers: [], journal: false };
  const current = identityProvidersOf(hc);
  const victim = current.find((p) => p.name === name);
  if (!victim) {
    plan.blockers.push({ message: `no identity provider named "${name}" (it has: ${current.map((p) => p.name).join(', ') || 'none'})` });
    return plan;
  }
  const rest = current.filter((p) => p.name !== name);
  if (!rest.length) plan.warnings.push(`this removes the last identity provider of ${hc.metadata.name}: only kubeadmin can log in afterwards, if its secret still exists`);
  plan.steps.push({
    ...listWriteStep(hc, 'remove-idp', `Remove identity provider ${name} (${victim.type}) from ${describeRef(ref)}`, rest, (list) => list.filter((p) => p.name !== name)),
    destructive: true,
  });
  const refs = referencedObjects(victim);
  const stillUsed = rest.map(referencedObjects);
  const secrets = refs.secrets.filter((s) => !stillUsed.some((u) => u.secrets.includes(s)));
  const configMaps = refs.configMaps.filter((c) => !stillUsed.some((u) => u.configMaps.includes(c)));
  if (deleteSecrets && secrets.length + configMaps.length) {
    plan.steps.push({
      id: 'delete-objects',
      title: `Delete ${[...secrets.map((s) => `Secret ${s}`), ...configMaps.map((c) => `ConfigMap ${c}`)].join(', ')}`,
      destructive: true,
      changes: [
        ...secrets.map((s): Change => ({ op: 'delete', ref: { resource: Resources.Secret, namespace: hc.metadata.namespace, name: s } })),
        ...configMaps.map((c): Change => ({ op: 'delete', ref: { resource: Resources.ConfigMap, namespace: hc.metadata.namespace, name: c } })),
      ],
    });
  } else if (!deleteSecrets && secrets.length + configMaps.length) {
    plan.warnings.push(`its ${[...secrets, ...configMaps].join(', ')} stay${secrets.length + configMaps.length === 1 ? 's' : ''} (pass --delete-secrets to delete them)`);
  }
  if (waitMs !== undefined) plan.steps.push(waitIdpStep(hc, waitMs));
  return plan;
}

export type { KubeObject };

import { createHash } from 'node:crypto';
/**
 * Identity providers of a hosted cluster's OAuth server (spec 3.1; FACTS "HostedCluster fields"):
 * the provider types the CLI knows and the shapes shared by validation, building and planning.
 *
 * - `spec.configuration.oauth.identityProviders` is an atomic list: the whole list is read,
 *   changed and written back with the resourceVersion read, retried on conflict.
 * - Referenced Secrets and ConfigMaps live in the HostedCluster namespace under the keys the
 *   operator reads: clientSecret, ca.crt, htpasswd, bindPassword, tls.crt/tls.key.
 * - Secret values come from files or the environment and only ever travel inside Secret `data`,
 *   which the plan renderer redacts.
 */
export const IDP_TYPE_FLAGS = ['openid', 'htpasswd', 'ldap', 'keystone', 'basic-auth', 'request-header', 'github', 'gitlab', 'google'] as const;
export type IdpTypeFlag = (typeof IDP_TYPE_FLAGS)[number];

export interface IdpTypeInfo {
  /** The API's `type` value. */
  type: string;
  /** The field of the identityProviders entry that holds the type's settings. */
  field: string;
  /** Whether the provider redirects back to the OAuth server (a callback URL to register). */
  callback: boolean;
}

/**
 * Provider types by their CLI spelling. A Map, not an object literal: `'constructor' in {}` is
 * true, so an object lookup lets prototype keys through as types (issue 13 item 15).
 */
export const IDP_TYPES: ReadonlyMap<IdpTypeFlag, IdpTypeInfo> = new Map<IdpTypeFlag, IdpTypeInfo>([
  ['openid', { type: 'OpenID', field: 'openID', callback: true }],
  ['htpasswd', { type: 'HTPasswd', field: 'htpasswd', callback: false }],
  ['ldap', { type: 'LDAP', field: 'ldap', callback: false }],
  ['keystone', { type: 'Keystone', field: 'keystone', callback: false }],
  ['basic-auth', { type: 'BasicAuth', field: 'basicAuth', callback: false }],
  ['request-header', { type: 'RequestHeader', field: 'requestHeader', callback: false }],
  ['github', { type: 'GitHub', field: 'github', callback: true }],
  ['gitlab', { type: 'GitLab', field: 'gitlab', callback: true }],
  ['google', { type: 'Google', field: 'google', callback: true }],
]);

export function isIdpTypeFlag(value: string): value is IdpTypeFlag {
  return IDP_TYPES.has(value as IdpTypeFlag);
}

/** The settings of one type; throws for a string that is not a type (callers validate first). */
export function idpTypeInfo(type: IdpTypeFlag): IdpTypeInfo {
  const info = IDP_TYPES.get(type);
  if (!info) throw new Error(`unknown identity provider type ${type}`);
  return info;
}

export const MAPPING_METHODS = ['claim', 'lookup', 'generate', 'add'] as const;

/** Secret keys (FACTS). */
export const KEYS = {
  clientSecret: 'clientSecret',
  ca: 'ca.crt',
  htpasswd: 'htpasswd',
  bindPassword: 'bindPassword',
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
} as const;
/** Written on every Secret/ConfigMap `oauth add` creates; value `<hostedcluster>/<idp name>`. */
export const IDP_ANNOTATION = 'kubectl-hcp/identity-provider';

/** The annotation value that marks an object as created for this cluster's provider. */
export const idpOwner = (hcName: string, idpName: string): string => `${hcName}/${idpName}`;

/** A Secret or ConfigMap found in the cluster, keyed `Kind/name`: who created it, and its version. */
export interface ExistingObject {
  /** The IDP_ANNOTATION value, if any. */
  owner?: string;
  resourceVersion?: string;
  /** dataDigest() of its data as read: a re-run that would write the same data writes nothing. */
  dataDigest?: string;
}

/** A digest of an object's data (keys sorted; Secret values as base64, as the API returns them). */
export function dataDigest(data: Record<string, string> | undefined): string {
  const sorted = Object.entries(data ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

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

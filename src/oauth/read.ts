/** Reading the identity providers of a HostedCluster: the list, what each references, the table, the callback URL. */
import type { HostedCluster } from '../hostedcluster/types.ts';
import { renderTable } from '../output/output.ts';
import type { IdentityProvider } from './types.ts';

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

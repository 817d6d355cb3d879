/** Reading the identity providers of a HostedCluster: the list, what each references, the table, the callback URL. */
import type { KubeClient } from '../kube/client.ts';
import { Resources } from '../kube/resources.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { renderTable } from '../output/output.ts';
import { dataDigest, IDP_ANNOTATION, type ExistingObject, type IdentityProvider } from './types.ts';

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
  return renderTable(
    ['name', 'type', 'mapping', 'secrets', 'configmaps'],
    rows.map((r) => [r.name, r.type, r.mappingMethod, r.secrets.join(',') || '-', r.configMaps.join(',') || '-']),
  );
}

export type CallbackSource = 'status' | 'route' | 'docs';

/**
 * The redirect URL to register with the provider. The operator reports it as
 * status.oauthCallbackURLTemplate (`https://<oauth host:port>/oauth2callback/[identity-provider-name]`,
 * hostedcontrolplane_controller.go), which is where the OAuth server really is: with default
 * publishing that is on the management cluster, not the docs' `oauth-openshift.apps.…` (issue 13
 * item 10). Before the operator reports it: the OAuth route's hostname if one is set, else the docs' form.
 */
export function callbackUrl(hc: HostedCluster, idpName: string): { url: string; source: CallbackSource } | undefined {
  const segment = encodeURIComponent(idpName);
  const template = (hc.status as { oauthCallbackURLTemplate?: string } | undefined)?.oauthCallbackURLTemplate;
  if (template && template.includes('[identity-provider-name]')) return { url: template.replace('[identity-provider-name]', segment), source: 'status' };
  const services = (hc.spec.services as { service?: string; servicePublishingStrategy?: { route?: { hostname?: string } } }[] | undefined) ?? [];
  const routeHost = services.find((s) => s.service === 'OAuthServer')?.servicePublishingStrategy?.route?.hostname;
  if (routeHost) return { url: `https://${routeHost}/oauth2callback/${segment}`, source: 'route' };
  const base = hc.spec.dns?.baseDomain;
  return base ? { url: `https://oauth-openshift.apps.${hc.metadata.name}.${base}/oauth2callback/${segment}`, source: 'docs' } : undefined;
}

/** The line that tells the user what to register, and how sure it is. */
export function callbackNote(cb: { url: string; source: CallbackSource }): string {
  if (cb.source === 'status') return `register this redirect URL with the provider: ${cb.url}`;
  const from = cb.source === 'route' ? "the OAuth server route's hostname" : "the docs' form (oauth-openshift.apps.<cluster>.<base domain>)";
  return `register this redirect URL with the provider: ${cb.url} (from ${from}: the cluster does not report status.oauthCallbackURLTemplate yet; check it once it does)`;
}

/**
 * The objects an identity provider would use or uses, as they are in the cluster: absent ones are
 * left out of the map. The annotation tells whether `oauth add` created them for this provider.
 */
export async function observeIdpObjects(
  kube: KubeClient,
  namespace: string,
  objects: { kind: 'Secret' | 'ConfigMap'; name: string }[],
): Promise<Map<string, ExistingObject>> {
  const found = new Map<string, ExistingObject>();
  await Promise.all(
    objects.map(async (o) => {
      const obj = await kube.getOrNull(o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap, namespace, o.name);
      if (obj)
        found.set(`${o.kind}/${o.name}`, {
          owner: obj.metadata.annotations?.[IDP_ANNOTATION],
          resourceVersion: obj.metadata.resourceVersion,
          dataDigest: dataDigest((obj as { data?: Record<string, string> }).data),
        });
    }),
  );
  return found;
}

/** What a provider references, as `{kind, name}` for observeIdpObjects. */
export function referencedObjectList(idp: IdentityProvider): { kind: 'Secret' | 'ConfigMap'; name: string }[] {
  const refs = referencedObjects(idp);
  return [...refs.secrets.map((name) => ({ kind: 'Secret' as const, name })), ...refs.configMaps.map((name) => ({ kind: 'ConfigMap' as const, name }))];
}

/** The objects `oauth remove NAME` could delete, as they are now (empty when it has no such provider). */
export async function observeProviderObjects(kube: KubeClient, hc: HostedCluster, idpName: string): Promise<Map<string, ExistingObject>> {
  const victim = identityProvidersOf(hc).find((p) => p.name === idpName);
  return victim ? observeIdpObjects(kube, hc.metadata.namespace!, referencedObjectList(victim)) : new Map();
}

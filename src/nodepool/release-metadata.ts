/**
 * The version a release image declares about itself, read from its registry: the image config's
 * label `io.openshift.release` (what `oc adm release info` shows as the version, and what the
 * operator's release provider reads). Used only when neither the tag nor the HostedCluster's
 * status.version history names the version (issue 13 item 22), e.g. for a digest-pinned image the
 * cluster has never run.
 *
 * Registry API v2 (distribution spec): GET /v2/<repo>/manifests/<ref> (an index picks linux/amd64,
 * else its first entry), then the config blob. A 401 is answered with the Bearer token flow, with
 * the credentials of the HostedCluster's pull secret for that registry if there are any. Best
 * effort: any failure means "cannot be read", which the caller turns into an interlock.
 */
import type { KubeClient } from '../kube/client.ts';
import { proxyForUrl } from '../kube/proxy.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';

export const RELEASE_VERSION_LABEL = 'io.openshift.release';

export interface ImageRef {
  registry: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

/** `quay.io/openshift-release-dev/ocp-release@sha256:…` → its parts; docker.io rules for a bare name. */
export function parseImageRef(image: string): ImageRef | undefined {
  const at = image.indexOf('@');
  const [name, digest] = at >= 0 ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'registry-1.docker.io';
  let path = hasRegistry ? name.slice(slash + 1) : name;
  let reference = digest;
  if (!reference) {
    const colon = path.lastIndexOf(':');
    if (colon < 0) return undefined;
    reference = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (!hasRegistry && !path.includes('/')) path = `library/${path}`;
  return path && reference ? { registry, repository: path, reference } : undefined;
}

/** `.dockerconfigjson` → Basic credentials per registry host. */
export function registryCredentials(dockerConfigJson: string | undefined): Map<string, string> {
  const creds = new Map<string, string>();
  if (!dockerConfigJson) return creds;
  try {
    const auths = (JSON.parse(dockerConfigJson) as { auths?: Record<string, { auth?: string; username?: string; password?: string }> }).auths ?? {};
    for (const [host, a] of Object.entries(auths)) {
      const basic = a.auth ?? (a.username !== undefined ? Buffer.from(`${a.username}:${a.password ?? ''}`).toString('base64') : undefined);
      if (basic) creds.set(host.replace(/^https?:\/\//, '').replace(/\/.*$/, ''), basic);
    }
  } catch {
    // An unreadable pull secret only means anonymous access.
  }
  return creds;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface MetadataOptions {
  /** Basic credentials by registry host (registryCredentials). */
  credentials?: Map<string, string>;
  /** The whole lookup is bounded by this. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Scheme of the registry (tests use http). */
  scheme?: 'https' | 'http';
}

/** The release version the image declares, or why it could not be read. */
export async function releaseVersionFromRegistry(image: string, opts: MetadataOptions = {}): Promise<{ version?: string; problem?: string }> {
  const ref = parseImageRef(image);
  if (!ref) return { problem: `cannot parse ${image} as an image reference` };
  const doFetch = opts.fetch ?? fetch;
  const base = `${opts.scheme ?? 'https'}://${ref.registry}/v2/${ref.repository}`;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  let bearer: string | undefined;
  const get = async (url: string, accept?: string): Promise<Response> => {
    const headers: Record<string, string> = accept ? { Accept: accept } : {};
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let res = await doFetch(url, { headers, signal, redirect: 'follow' });
    if (res.status === 401 && !bearer) {
      bearer = await token(res.headers.get('www-authenticate'), ref, opts.credentials?.get(ref.registry), doFetch, signal);
      if (!bearer) return res;
      res = await doFetch(url, { headers: { ...headers, Authorization: `Bearer ${bearer}` }, signal, redirect: 'follow' });
    }
    return res;
  };
  try {
    let res = await get(`${base}/manifests/${ref.reference}`, MANIFEST_TYPES);
    if (!res.ok) return { problem: `${ref.registry} answered ${res.status} for the manifest of ${image}` };
    let manifest = (await res.json()) as { manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[]; config?: { digest?: string } };
    if (manifest.manifests?.length) {
      const pick = manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ?? manifest.manifests[0];
      res = await get(`${base}/manifests/${pick.digest}`, MANIFEST_TYPES);
      if (!res.ok) return { problem: `${ref.registry} answered ${res.status} for a manifest of ${image}` };
      manifest = (await res.json()) as typeof manifest;
    }
    const config = manifest.config?.digest;
    if (!config) return { problem: `the manifest of ${image} names no config` };
    res = await get(`${base}/blobs/${config}`);
    if (!res.ok) return { problem: `${ref.registry} answered ${res.status} for the config of ${image}` };
    const labels = ((await res.json()) as { config?: { Labels?: Record<string, string> } }).config?.Labels ?? {};
    const version = labels[RELEASE_VERSION_LABEL];
    return version ? { version } : { problem: `${image} has no ${RELEASE_VERSION_LABEL} label: not an OpenShift release image?` };
  } catch (err) {
    // fetch() says only "fetch failed"; the cause names the network error.
    const e = err as Error & { cause?: Error };
    return { problem: `cannot read ${image} from ${ref.registry}: ${(e.cause?.message ?? e.message).split('\n')[0]}` };
  }
}

/** The Bearer token flow: realm, service and a pull scope for the repository. */
async function token(
  challenge: string | null,
  ref: ImageRef,
  basic: string | undefined,
  doFetch: typeof fetch,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (!challenge || !/^Bearer\s/i.test(challenge)) return undefined;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1].toLowerCase(), m[2]]));
  if (!params.realm) return undefined;
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set('service', params.service);
  url.searchParams.set('scope', params.scope ?? `repository:${ref.repository}:pull`);
  const res = await doFetch(url, { headers: basic ? { Authorization: `Basic ${basic}` } : {}, signal });
  if (!res.ok) return undefined;
  const body = (await res.json()) as { token?: string; access_token?: string };
  return body.token ?? body.access_token;
}

/**
 * The release version of `image` from its registry, with the HostedCluster's pull secret (when the
 * user may read it). Not tried through an HTTPS proxy (this lookup has no proxy support): the
 * answer is then "cannot be read", saying why.
 */
export async function lookupReleaseVersion(
  kube: KubeClient,
  hc: HostedCluster,
  image: string,
  env: NodeJS.ProcessEnv,
  opts: MetadataOptions = {},
): Promise<{ version?: string; problem?: string }> {
  const ref = parseImageRef(image);
  if (!ref) return { problem: `cannot parse ${image} as an image reference` };
  if (!opts.scheme && proxyForUrl(`https://${ref.registry}/`, env))
    return { problem: `an HTTPS proxy is configured for ${ref.registry}, and the release metadata is not read through proxies` };
  const secretName = (hc.spec as { pullSecret?: { name?: string } }).pullSecret?.name;
  const secret = secretName
    ? await kube.getOrNull<KubeObject & { data?: Record<string, string> }>(Resources.Secret, hc.metadata.namespace, secretName).catch(() => null)
    : null;
  const dockerConfig = secret?.data?.['.dockerconfigjson'];
  return releaseVersionFromRegistry(image, {
    ...opts,
    credentials: registryCredentials(dockerConfig ? Buffer.from(dockerConfig, 'base64').toString('utf8') : undefined),
  });
}

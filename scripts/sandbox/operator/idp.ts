// ValidIDPConfiguration as the control-plane-operator computes it:
//   hostedcontrolplane_controller.go reconcileValidIDPConfigurationCondition →
//   v2/oauth/idp_convert.go ConvertIdentityProviders → convertProviderConfigToIDPData.
// Only OpenID does network checks (discoverOpenIDURLs, then checkOIDCPasswordGrantFlow, which
// reads the client secret); every other type is converted without reading its Secrets or
// ConfigMaps, so a missing GitHub or HTPasswd secret is NOT detected here (upstream mounts them
// into the oauth server's pod, which then fails to start: not simulated).
// Known differences: no konnectivity dialer (the sandbox reaches the issuer directly), Node's
// network errors are rendered in Go's words for the common cases only, and discovery results are
// cached 10 minutes like openIDURLsCache but the password-grant result is not cached.
import { request } from 'node:https';
import { Resources as R } from '../../../src/kube/resources.ts';
import type { Cond, Ctx, Obj } from './shared.ts';

const discoveryCache = new Map<string, { urls: { token: string }; until: number }>();

interface Reply {
  status: number;
  body: string;
}

function httpsCall(method: 'GET' | 'POST', url: string, ca: string | undefined, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        timeout: 5000,
        headers: body ? { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          data += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** A Node network error in Go net/http's words: `Get "<url>": dial tcp: lookup h: no such host`. */
function goError(method: string, url: string, err: NodeJS.ErrnoException): string {
  const host = new URL(url).host;
  const verb = method === 'GET' ? 'Get' : 'Post';
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${verb} "${url}": dial tcp: lookup ${new URL(url).hostname}: no such host`;
    case 'ECONNREFUSED':
      return `${verb} "${url}": dial tcp ${host}: connect: connection refused`;
    case 'ETIMEDOUT':
      return `${verb} "${url}": context deadline exceeded`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `${verb} "${url}": tls: failed to verify certificate: x509: certificate signed by unknown authority`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${verb} "${url}": tls: failed to verify certificate: x509: certificate is valid for other names, not ${new URL(url).hostname}`;
    default:
      return `${verb} "${url}": ${err.message}`;
  }
}

const isValidURL = (raw: string | undefined, optional: boolean) => {
  if (!raw) return optional;
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' && u.host.length > 0 && u.hash === '';
  } catch {
    return false;
  }
};

/** One OpenID provider: discovery and the password-grant probe; the error text upstream would produce, or undefined. */
async function checkOpenID(ctx: Ctx, ns: string, openID: Record<string, any>): Promise<string | undefined> {
  // transportForCARef: the CA configmap's ca.crt (else binaryData), when one is named.
  let ca: string | undefined;
  if (openID.ca?.name) {
    const cm = await ctx.kube.getOrNull<Obj & { binaryData?: Record<string, string> }>(R.ConfigMap, ns, openID.ca.name);
    if (!cm) return `configmaps "${openID.ca.name}" not found`;
    ca = cm.data?.['ca.crt'] || (cm.binaryData?.['ca.crt'] ? Buffer.from(cm.binaryData['ca.crt'], 'base64').toString() : '');
    if (!ca) return `config map ${ns}/${openID.ca.name} has no ca data at key ca.crt`;
  }
  const wellKnown = `${String(openID.issuer ?? '').replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let urls = discoveryCache.get(wellKnown);
  if (!urls || urls.until < Date.now()) {
    let reply: Reply;
    try {
      reply = await httpsCall('GET', wellKnown, ca);
    } catch (err) {
      return goError('GET', wellKnown, err as NodeJS.ErrnoException);
    }
    if (reply.status !== 200) return `couldn't get ${wellKnown}: unexpected response status ${reply.status}`;
    let meta: { authorization_endpoint?: string; token_endpoint?: string; userinfo_endpoint?: string };
    try {
      meta = JSON.parse(reply.body);
    } catch (err) {
      return `failed to decode metadata: ${(err as Error).message}`;
    }
    for (const [raw, optional] of [
      [meta.authorization_endpoint, false],
      [meta.token_endpoint, false],
      [meta.userinfo_endpoint, true],
    ] as [string | undefined, boolean][]) {
      if (!isValidURL(raw, optional)) return `invalid metadata from ${wellKnown}: url=${raw ?? ''} optional=${optional}`;
    }
    urls = { urls: { token: meta.token_endpoint! }, until: Date.now() + 10 * 60_000 };
    discoveryCache.set(wellKnown, urls);
  }
  // checkOIDCPasswordGrantFlow.
  const secretName = openID.clientSecret?.name ?? '';
  const secret = await ctx.kube.getOrNull<Obj>(R.Secret, ns, secretName);
  if (!secret) return `error attempting password grant flow: couldn't get the referenced secret: secrets "${secretName}" not found`;
  if (!secret.data?.clientSecret) return `error attempting password grant flow: the referenced secret does not contain a value for the 'clientSecret' key`;
  const form = new URLSearchParams({
    client_id: openID.clientID ?? '',
    client_secret: Buffer.from(secret.data.clientSecret, 'base64').toString(),
    grant_type: 'password',
    scope: 'openid',
    username: 'test',
    password: 'test',
  });
  try {
    await httpsCall('POST', urls.urls.token, ca, form.toString());
  } catch (err) {
    return `error attempting password grant flow: ${goError('POST', urls.urls.token, err as NodeJS.ErrnoException)}`;
  }
  return undefined;
}

const TYPE_KEYS: Record<string, string> = {
  BasicAuth: 'basicAuth',
  GitHub: 'github',
  GitLab: 'gitlab',
  Google: 'google',
  HTPasswd: 'htpasswd',
  Keystone: 'keystone',
  LDAP: 'ldap',
  OpenID: 'openID',
  RequestHeader: 'requestHeader',
};

/**
 * The HCP's ValidIDPConfiguration. The secrets and configmaps are read in the HostedCluster
 * namespace: upstream reads the copies the HC controller makes in the control-plane namespace.
 */
export async function idpCondition(ctx: Ctx, hcp: Obj, hcNamespace: string): Promise<Omit<Cond, 'observedGeneration'>> {
  const idps = (hcp.spec?.configuration?.oauth?.identityProviders ?? []) as Record<string, any>[];
  const errs: string[] = [];
  for (const idp of idps) {
    const key = TYPE_KEYS[idp.type];
    let err: string | undefined;
    if (!key) err = `the identity provider type '${idp.type}' is not supported`;
    else if (!idp[key]) err = `type ${idp.type} was specified, but its configuration is missing`;
    else if (idp.type === 'OpenID') err = await checkOpenID(ctx, hcNamespace, idp[key]);
    if (err) errs.push(`failed to apply IDP ${idp.name} config: ${err}`);
  }
  if (!errs.length)
    return { type: 'ValidIDPConfiguration', status: 'True', reason: 'IDPConfigurationValid', message: 'Identity provider configuration is valid' };
  // utilerrors.NewAggregate: one error prints alone, several as "[a, b]".
  const agg = errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
  return { type: 'ValidIDPConfiguration', status: 'False', reason: 'IDPConfigurationError', message: `failed to initialize identity providers: ${agg}` };
}

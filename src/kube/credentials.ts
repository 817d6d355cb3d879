/**
 * Who we are and whom we trust, from the selected kubeconfig cluster and user, with client-go's
 * rules (tools/clientcmd/client_config.go, transport/):
 * - `*-data` wins over the file of the same thing; files were made absolute by kubeconfig.ts;
 * - `token` wins over `tokenFile`, which is re-read at most once a minute (CachedFileTokenSource);
 *   both win over an exec plugin (exec.go's roundTripper leaves an Authorization header alone);
 * - `username`/`password` is basic auth; `auth-provider` (oidc) is left to @kubernetes/client-node,
 *   loaded only for such users.
 */
import { readFileSync } from 'node:fs';
import { RuntimeError, UsageError } from '../util/errors.ts';
import type { ResolvedKubeconfig } from './kubeconfig.ts';
import { ExecCredentialPlugin, type ExecConfig, type ExecCredential, type ExecPluginIO } from './exec-credential.ts';

export interface TlsMaterial {
  /** The kubeconfig's CA bundle; undefined means the default trust (see transport.ts). */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure: boolean;
  servername?: string;
}

export interface Authorization {
  headers: Record<string, string>;
  /** A client certificate from an exec plugin (it replaces the kubeconfig's). */
  cert?: Buffer;
  key?: Buffer;
  /** What produced these credentials, for `retryAfterUnauthorized`. */
  exec?: ExecCredential;
}

const TOKEN_FILE_TTL_MS = 60_000;

export class Credentials {
  readonly tls: TlsMaterial;
  private readonly user: Record<string, unknown>;
  private readonly cluster: Record<string, unknown>;
  private readonly plugin?: ExecCredentialPlugin;
  private tokenFromFile?: { token: string; readAt: number };
  private authProvider?: Promise<(headers: Record<string, string>) => Promise<void>>;

  private readonly kubeconfig: ResolvedKubeconfig;
  private readonly io: ExecPluginIO;

  constructor(kubeconfig: ResolvedKubeconfig, io: ExecPluginIO) {
    this.kubeconfig = kubeconfig;
    this.io = io;
    const raw = kubeconfig.raw;
    this.cluster = (raw.clusters.find((c) => c.name === kubeconfig.clusterName)?.cluster ?? {}) as Record<string, unknown>;
    this.user = (raw.users.find((u) => u.name === kubeconfig.userName)?.user ?? {}) as Record<string, unknown>;
    const c = this.cluster;
    const u = this.user;
    this.tls = {
      ca: dataOrFile(c['certificate-authority-data'], c['certificate-authority'], 'certificate-authority'),
      cert: dataOrFile(u['client-certificate-data'], u['client-certificate'], 'client-certificate'),
      key: dataOrFile(u['client-key-data'], u['client-key'], 'client-key'),
      insecure: c['insecure-skip-tls-verify'] === true,
      servername: typeof c['tls-server-name'] === 'string' && c['tls-server-name'] ? (c['tls-server-name'] as string) : undefined,
    };
    if (u.exec && typeof u.exec === 'object') {
      this.plugin = new ExecCredentialPlugin(u.exec as ExecConfig, this.execClusterInfo(), io, kubeconfig.userName);
    }
  }

  /** The headers (and exec client certificate) for the next request. */
  async authorize(): Promise<Authorization> {
    const u = this.user;
    const headers: Record<string, string> = {};
    if (typeof u.username === 'string' && u.username) {
      headers.Authorization = `Basic ${Buffer.from(`${u.username}:${typeof u.password === 'string' ? u.password : ''}`).toString('base64')}`;
    }
    const token = this.staticToken();
    if (token) {
      headers.Authorization = `Bearer ${token}`;
      return { headers };
    }
    if (u['auth-provider']) {
      await (await this.authProviderApplier())(headers);
      return { headers };
    }
    if (this.plugin && !headers.Authorization) {
      const cred = await this.plugin.get();
      if (cred.token) headers.Authorization = `Bearer ${cred.token}`;
      return { headers, exec: cred, ...execCert(cred) };
    }
    return { headers };
  }

  /**
   * After a 401: the credentials to retry that request with once, or undefined when there is
   * nothing new to try. Only an exec plugin can say more: it runs again (client-go runs it again for
   * the next request; this request is retried too, since the server refused it before doing anything).
   */
  async retryAfterUnauthorized(used: Authorization): Promise<Authorization | undefined> {
    if (!used.exec || !this.plugin) return undefined;
    const cred = await this.plugin.refresh(used.exec);
    const headers = { ...used.headers };
    if (cred.token) headers.Authorization = `Bearer ${cred.token}`;
    return { headers, exec: cred, ...execCert(cred) };
  }

  private staticToken(): string | undefined {
    const u = this.user;
    if (typeof u.token === 'string' && u.token) return u.token;
    const file = u.tokenFile;
    if (typeof file !== 'string' || !file) return undefined;
    const now = (this.io.now ?? Date.now)();
    if (!this.tokenFromFile || now - this.tokenFromFile.readAt > TOKEN_FILE_TTL_MS) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read tokenFile ${file} of user "${this.kubeconfig.userName}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      this.tokenFromFile = { token: text.trim(), readAt: now };
    }
    return this.tokenFromFile.token || undefined;
  }

  /** ExecCredential spec.cluster: the kubeconfig cluster, with the CA always as data. */
  private execClusterInfo(): Record<string, unknown> {
    const c = this.cluster;
    const info: Record<string, unknown> = { server: c.server };
    if (c['tls-server-name']) info['tls-server-name'] = c['tls-server-name'];
    if (c['insecure-skip-tls-verify']) info['insecure-skip-tls-verify'] = true;
    if (this.tls.ca) info['certificate-authority-data'] = this.tls.ca.toString('base64');
    if (c['proxy-url']) info['proxy-url'] = c['proxy-url'];
    if (c['disable-compression']) info['disable-compression'] = true;
    const ext = (c.extensions as { name?: string; extension?: unknown }[] | undefined)?.find((e) => e?.name === 'client.authentication.k8s.io/exec');
    if (ext) info.config = ext.extension;
    return info;
  }

  /** `auth-provider` users (oidc): client-node knows the providers; it is loaded only for them. */
  private authProviderApplier(): Promise<(headers: Record<string, string>) => Promise<void>> {
    this.authProvider ??= (async () => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      const raw = this.kubeconfig.raw;
      kc.loadFromString(
        JSON.stringify({
          ...raw,
          // Only what authentication needs: an https stand-in server so that client-node builds no agent it refuses.
          clusters: [{ name: 'c', cluster: { server: 'https://auth-provider.invalid', 'insecure-skip-tls-verify': true } }],
          users: [{ name: 'u', user: { 'auth-provider': this.user['auth-provider'] } }],
          contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'x',
        }),
      );
      return async (headers: Record<string, string>) => {
        const opts: { headers: Record<string, string> } = { headers: {} };
        try {
          await kc.applyToHTTPSOptions(opts as never);
        } catch (err) {
          throw new RuntimeError(`auth-provider of user "${this.kubeconfig.userName}": ${(err as Error).message.split('\n')[0]}`, { cause: err });
        }
        if (opts.headers.Authorization) headers.Authorization = opts.headers.Authorization;
      };
    })();
    return this.authProvider;
  }
}

function execCert(cred: ExecCredential): { cert?: Buffer; key?: Buffer } {
  return cred.clientCertificateData && cred.clientKeyData ? { cert: Buffer.from(cred.clientCertificateData), key: Buffer.from(cred.clientKeyData) } : {};
}

function dataOrFile(data: unknown, file: unknown, what: string): Buffer | undefined {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file) {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new UsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return undefined;
}

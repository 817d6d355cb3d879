/**
 * Connections to the API server: keep-alive agents for https:// and http:// servers (`kubectl
 * proxy` serves plain http), tunnels through an HTTP(S) proxy (CONNECT, as Go's transport does for
 * both schemes), and trust.
 *
 * Trust: oc and kubectl trust the OS store when a kubeconfig has no CA (an `oc login` kubeconfig
 * after the API certificate was replaced), and Node by itself does not (its bundled Mozilla list
 * only). Reading the OS store costs ~40 ms and a secure context with ~500 CAs another ~40 ms, so it
 * is done only when a handshake fails for want of an issuer: the same request is then retried with
 * the kubeconfig's CA (if any), the OS store (which honours SSL_CERT_FILE and SSL_CERT_DIR) and the
 * bundled list.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { TlsMaterial } from './credentials.ts';

export interface AgentSpec {
  server: URL;
  proxy?: URL;
  tls: TlsMaterial;
  /** A client certificate from an exec plugin, replacing the kubeconfig's. */
  cert?: Buffer;
  key?: Buffer;
  /** Add the OS trust store to the kubeconfig's CA. */
  systemTrust: boolean;
}

export interface TlsOptions {
  ca?: (string | Buffer)[] | Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

const MAX_SOCKETS = 16;

/** The TLS options of a connection (also used by the pods/exec WebSocket). */
export function tlsOptions(spec: AgentSpec): TlsOptions {
  const { tls: m } = spec;
  let ca: TlsOptions['ca'] = m.ca;
  if (spec.systemTrust) ca = [...(m.ca ? [m.ca] : []), ...systemCertificates()];
  return {
    ca,
    cert: spec.cert ?? m.cert,
    key: spec.key ?? m.key,
    rejectUnauthorized: !m.insecure,
    ...(m.servername ? { servername: m.servername } : {}),
  };
}

export function createAgent(spec: AgentSpec): http.Agent {
  const options = { keepAlive: true, maxSockets: MAX_SOCKETS };
  const secure = spec.server.protocol === 'https:';
  if (spec.proxy) return secure ? new HttpsTunnelAgent(spec.proxy, { ...options, ...tlsOptions(spec) }) : new HttpTunnelAgent(spec.proxy, options);
  return secure ? new https.Agent({ ...options, ...tlsOptions(spec) }) : new http.Agent(options);
}

/** Handshake failures that another trust store could fix. */
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

export function isUntrustedCertificate(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && UNTRUSTED.has(code);
}

let systemCache: string[] | undefined;
function systemCertificates(): string[] {
  systemCache ??= [...new Set([...tls.getCACertificates('system'), ...tls.getCACertificates('bundled')])];
  return systemCache;
}

/** Opens a CONNECT tunnel to `target` through `proxy`. */
function tunnel(proxy: URL, host: string, port: number | string, callback: (err: Error | null, socket?: Socket) => void): void {
  const hostPort = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: hostPort };
  if (proxy.username) headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
  const req = (proxy.protocol === 'https:' ? https : http).request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
    method: 'CONNECT',
    path: hostPort,
    headers,
    agent: false,
  });
  req.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      callback(Object.assign(new Error(`proxy ${proxy.host} refused the tunnel to ${hostPort}: HTTP ${res.statusCode}`), { code: 'EPROXY' }));
      return;
    }
    callback(null, socket);
  });
  req.once('error', (err) => callback(err));
  req.end();
}

type Callback = (err: Error | null, stream: Duplex) => void;

class HttpsTunnelAgent extends https.Agent {
  private readonly proxy: URL;

  constructor(proxy: URL, options: https.AgentOptions) {
    super(options);
    this.proxy = proxy;
  }

  override createConnection(options: tls.ConnectionOptions & { host?: string; port?: number }, callback?: Callback): Duplex | undefined {
    const host = options.host ?? 'localhost';
    tunnel(this.proxy, host, options.port ?? 443, (err, socket) => {
      if (err || !socket) return callback?.(err ?? new Error('no tunnel'), undefined as never);
      const servername = options.servername ?? (isIP(host) ? undefined : host);
      callback?.(null, tls.connect({ ...options, socket, servername }));
    });
    return undefined;
  }
}

class HttpTunnelAgent extends http.Agent {
  private readonly proxy: URL;

  constructor(proxy: URL, options: http.AgentOptions) {
    super(options);
    this.proxy = proxy;
  }

  override createConnection(options: { host?: string; port?: number }, callback?: Callback): Duplex | undefined {
    tunnel(this.proxy, options.host ?? 'localhost', options.port ?? 80, (err, socket) => callback?.(err, socket as Duplex));
    return undefined;
  }
}

/**
 * Connections to the API server: keep-alive agents for https:// and http:// servers (`kubectl
 * proxy` serves plain http), tunnels through a proxy (HTTP(S) CONNECT, as Go's transport does for
 * both schemes, or SOCKS5, which client-go's proxy-url also takes, e.g. `ssh -D`), and trust.
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
import net, { isIP, type Socket } from 'node:net';
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

export const PROXY_PROTOCOLS = new Set(['http:', 'https:', 'socks5:', 'socks5h:']);

/** Opens a tunnel to host:port through `proxy`: SOCKS5 or HTTP CONNECT. */
function tunnel(proxy: URL, host: string, port: number | string, callback: (err: Error | null, socket?: Socket) => void): void {
  if (proxy.protocol === 'socks5:' || proxy.protocol === 'socks5h:') socks5(proxy, host, Number(port), callback);
  else connectTunnel(proxy, host, port, callback);
}

/**
 * RFC 1928 CONNECT, with no authentication or RFC 1929 username/password; the host name is
 * resolved by the proxy (as golang.org/x/net/proxy does).
 */
function socks5(proxy: URL, host: string, port: number, callback: (err: Error | null, socket?: Socket) => void): void {
  const socket = net.connect(Number(proxy.port || 1080), proxy.hostname.replace(/^\[|\]$/g, ''));
  const user = decodeURIComponent(proxy.username);
  const fail = (why: string) => {
    socket.destroy();
    callback(Object.assign(new Error(`SOCKS5 proxy ${proxy.host}: ${why}`), { code: 'EPROXY' }));
  };
  let buffer = Buffer.alloc(0);
  let stage: 'method' | 'auth' | 'connect' = 'method';
  const take = (n: number): Buffer | undefined => {
    if (buffer.length < n) return undefined;
    const head = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return head;
  };
  const sendConnect = () => {
    const family = isIP(host);
    const addr =
      family === 4
        ? Buffer.from([1, ...host.split('.').map(Number)])
        : family === 6
          ? Buffer.concat([Buffer.from([4]), ipv6Bytes(host)])
          : Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host)]);
    socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, Buffer.from([port >> 8, port & 0xff])]));
    stage = 'connect';
  };
  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (stage === 'method') {
      const reply = take(2);
      if (!reply) return;
      if (reply[1] === 0) return sendConnect();
      if (reply[1] !== 2 || !user) return fail('no acceptable authentication method');
      const pass = decodeURIComponent(proxy.password);
      socket.write(Buffer.concat([Buffer.from([1, Buffer.byteLength(user)]), Buffer.from(user), Buffer.from([Buffer.byteLength(pass)]), Buffer.from(pass)]));
      stage = 'auth';
    } else if (stage === 'auth') {
      const reply = take(2);
      if (!reply) return;
      if (reply[1] !== 0) return fail('username/password refused');
      sendConnect();
    } else {
      if (buffer.length < 5) return;
      const len = buffer[3] === 1 ? 4 : buffer[3] === 4 ? 16 : buffer[4] + 1;
      const reply = take(4 + len + 2);
      if (!reply) return;
      if (reply[1] !== 0) return fail(`connect to ${host}:${port} refused (reply ${reply[1]})`);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.pause(); // whoever takes the socket next reads from here on
      if (buffer.length) socket.unshift(buffer);
      callback(null, socket);
    }
  };
  const onError = (err: Error) => callback(err);
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('connect', () => socket.write(Buffer.from(user ? [5, 2, 0, 2] : [5, 1, 0])));
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail = ''] = ip.split('::');
  const parts = (s: string) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const h = parts(head);
  const t = parts(tail);
  const words = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill(0), ...t] : h;
  return Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

/** Opens a CONNECT tunnel to `target` through an HTTP(S) proxy. */
function connectTunnel(proxy: URL, host: string, port: number | string, callback: (err: Error | null, socket?: Socket) => void): void {
  const hostPort = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: hostPort };
  if (proxy.username)
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
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

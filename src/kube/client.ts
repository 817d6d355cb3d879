/**
 * The one kube layer every command uses.
 *
 * Requests go through node:http(s) directly, because the tool must control what generated clients
 * hide: the exact patch content type, dryRun=All on every write, one Impersonate-Group header line
 * per group, retries for idempotent requests only, a request counter (`status --all` promises a
 * constant number of calls), keep-alive and timeouts. Credentials and trust follow kubectl
 * (credentials.ts, exec-credential.ts, transport.ts).
 *
 * Timeouts: --request-timeout bounds a whole request (connect, headers and body), as kubectl's
 * http.Client.Timeout does. Without it a request still never hangs: a connection that goes silent
 * (a peer that vanished without a reset, common with load balancers and keep-alive sockets) is
 * given up after `idleTimeoutMs` and, for idempotent requests, retried on a new connection. That is
 * the role of client-go's HTTP/2 health check (30 s read-idle, then a 15 s ping).
 */
import type http from 'node:http';
import https from 'node:https';
import httpModule from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { ResolvedKubeconfig } from './kubeconfig.ts';
import { proxyForUrl } from './proxy.ts';
import { ApiError, ConnectionError, isConflict, isNotFound, isRetryable, type ApiStatus } from './errors.ts';
import type { KubeObject, ObjectList, ResourceType } from './resources.ts';
import type { ExecResult } from './exec.ts';
import { Credentials, type Authorization } from './credentials.ts';
import type { ExecPluginIO } from './exec-credential.ts';
import { createAgent, isUntrustedCertificate, PROXY_PROTOCOLS, tlsOptions, type AgentSpec } from './transport.ts';
import { UsageError } from '../util/errors.ts';
import { VERSION } from '../version.ts';

import { mergePatchHolds, PATCH_CONTENT_TYPE, type PatchType } from './patch.ts';
export { PATCH_CONTENT_TYPE, type PatchType };

export interface Impersonation {
  user?: string;
  groups?: string[];
}

export interface KubeClientOptions {
  kubeconfig: ResolvedKubeconfig;
  env: NodeJS.ProcessEnv;
  impersonate?: Impersonation;
  /** --request-timeout: the bound of one whole request; 0 or undefined means none (kubectl's default). */
  timeoutMs?: number;
  /** How long a connection may stay silent before it counts as dead (default: see IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
  /** Called for each HTTP request (for -v logging). */
  onRequest?: (line: string) => void;
  /** Backoff schedule for retryable failures of idempotent requests. */
  retryDelaysMs?: number[];
  /** The terminal an exec credential plugin may use (stdin only when it is a TTY), and where its messages go. */
  terminal?: Omit<ExecPluginIO, 'env'>;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | string[] | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Safe to repeat after a 429, 5xx or reset. GETs always are. */
  idempotent?: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; pages are followed with `continue` until the list is complete. */
  limit?: number;
}

export interface WriteOptions {
  /** Send the write with dryRun=All: the server validates and admits it, but persists nothing. */
  dryRun?: boolean;
  fieldManager?: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DEFAULT_RETRY_DELAYS = [200, 600, 1500];
const FIELD_MANAGER = 'kubectl-hcp';
/**
 * Silence after which a connection counts as dead: 45 s for requests that are retried (client-go's
 * 30 s + 15 s), 90 s for writes, longer than the API server's own 60 s request timeout, so that only
 * a dead connection fails a write that way.
 */
export const IDLE_TIMEOUT_MS = { retried: 45_000, write: 90_000 };

/** What the connections of a client (and its dry-run view) share. */
interface Shared {
  credentials: Credentials;
  agentSpec: Omit<AgentSpec, 'cert' | 'key' | 'systemTrust'>;
  systemTrust: boolean;
  agent?: { agent: http.Agent; cert?: Buffer; systemTrust: boolean };
  versions: Map<string, Promise<string>>;
}

export class KubeClient {
  readonly kubeconfig: ResolvedKubeconfig;
  readonly server: string;
  /** HTTP requests sent so far, retries included. */
  requestCount = 0;
  private readonly opts: KubeClientOptions;
  private readonly shared: Shared;
  /** When true, every write carries dryRun=All (see `withServerDryRun`). */
  private readonly serverDryRun: boolean;

  constructor(opts: KubeClientOptions, shared?: Shared) {
    this.opts = opts;
    this.kubeconfig = opts.kubeconfig;
    this.server = opts.kubeconfig.server.replace(/\/$/, '');
    this.serverDryRun = Boolean(shared);
    if (shared) {
      this.shared = shared;
      return;
    }
    let server: URL;
    try {
      server = new URL(this.server);
    } catch {
      throw new UsageError(`cluster "${opts.kubeconfig.clusterName}" has an invalid server URL in kubeconfig`);
    }
    if (server.protocol !== 'https:' && server.protocol !== 'http:')
      throw new UsageError(`cluster "${opts.kubeconfig.clusterName}": server ${this.server} is neither https:// nor http://`);
    const cluster = (opts.kubeconfig.raw.clusters.find((c) => c.name === opts.kubeconfig.clusterName)?.cluster ?? {}) as Record<string, unknown>;
    // client-go: the kubeconfig's proxy-url, else the environment (HTTPS_PROXY, NO_PROXY…).
    const proxyText = typeof cluster['proxy-url'] === 'string' && cluster['proxy-url'] ? (cluster['proxy-url'] as string) : proxyForUrl(this.server, opts.env);
    let proxy: URL | undefined;
    if (proxyText) {
      try {
        proxy = new URL(proxyText);
      } catch {
        throw new UsageError(`proxy ${proxyText} is not a URL`);
      }
      if (!PROXY_PROTOCOLS.has(proxy.protocol)) throw new UsageError(`proxy ${proxyText}: only http://, https:// and socks5:// proxies are supported`);
    }
    const credentials = new Credentials(opts.kubeconfig, { env: opts.env, ...opts.terminal });
    this.shared = { credentials, agentSpec: { server, proxy, tls: credentials.tls }, systemTrust: false, versions: new Map() };
  }

  /** A view of this client whose writes are all sent with dryRun=All (for --dry-run=server). */
  withServerDryRun(): KubeClient {
    const view = new KubeClient(this.opts, this.shared);
    // Share the counter so that benchmarks and -v see every request.
    Object.defineProperty(view, 'requestCount', { get: () => this.requestCount, set: (v: number) => (this.requestCount = v) });
    return view;
  }

  get isServerDryRun(): boolean {
    return this.serverDryRun;
  }

  // ---------------------------------------------------------------- raw requests

  /** The agent for these credentials, made again when an exec plugin rotates the client certificate or trust widens. */
  private agentFor(auth: Authorization): http.Agent {
    const s = this.shared;
    const sameCert = s.agent && (s.agent.cert === auth.cert || (s.agent.cert && auth.cert && s.agent.cert.equals(auth.cert)));
    if (!s.agent || !sameCert || s.agent.systemTrust !== s.systemTrust) {
      s.agent?.agent.destroy();
      s.agent = { agent: createAgent(this.agentSpecFor(auth)), cert: auth.cert, systemTrust: s.systemTrust };
    }
    return s.agent.agent;
  }

  private agentSpecFor(auth: Authorization): AgentSpec {
    return { ...this.shared.agentSpec, cert: auth.cert, key: auth.key, systemTrust: this.shared.systemTrust };
  }

  private headersFor(auth: Authorization): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = { ...auth.headers };
    // Names us in the API server's audit log. HCP_TEST_USER_AGENT_SUFFIX (tests only) tells one run
    // from another there: the bad-input corpus checks that each of its cases made no write.
    const suffix = this.opts.env.HCP_TEST_USER_AGENT_SUFFIX;
    headers['User-Agent'] = `kubectl-hcp/${VERSION}${suffix ? ` ${suffix}` : ''}`;
    const imp = this.opts.impersonate ?? this.opts.kubeconfig.impersonate;
    if (imp?.user) headers['Impersonate-User'] = imp.user;
    // An array makes node:http send one header line per group; a comma-joined value would reach
    // the server as a single group named "a, b".
    if (imp?.groups?.length) headers['Impersonate-Group'] = [...imp.groups];
    return headers;
  }

  /** Builds the URL for a request, adding dryRun=All to writes in server dry-run mode. */
  url(spec: Pick<RequestSpec, 'method' | 'path' | 'query'>): URL {
    const url = new URL(this.server + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    if (this.serverDryRun && WRITE_METHODS.has(spec.method)) url.searchParams.set('dryRun', 'All');
    // client-go tells the server the bound too, so that it stops working on a request we gave up.
    if (this.opts.timeoutMs) url.searchParams.set('timeout', formatMs(this.opts.timeoutMs));
    return url;
  }

  /** Sends one request and parses the JSON reply, retrying idempotent requests on 429/5xx/resets/silence. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const idempotent = spec.idempotent ?? spec.method === 'GET';
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    for (let attempt = 0; ; attempt++) {
      try {
        const { status, text } = await this.exchange(spec, idempotent, true);
        if (status >= 200 && status < 300) return (text ? JSON.parse(text) : undefined) as T;
        throw apiError(status, text, spec);
      } catch (err) {
        const retryAfter =
          err instanceof ApiError ? Number(err.status?.details && (err.status.details as { retryAfterSeconds?: number }).retryAfterSeconds) : NaN;
        // A 429/5xx that says when to come back was not processed: client-go retries it for every
        // verb (rest/with_retry.go IsNextRetry → checkWait), so a write is sent again too.
        const askedToRetry = err instanceof ApiError && Number.isFinite(retryAfter) && retryAfter > 0;
        if ((!idempotent && !askedToRetry) || attempt >= delays.length || !isRetryable(err)) throw toConnectionError(err, this.server);
        await sleep(askedToRetry ? retryAfter * 1000 : delays[attempt]);
      }
    }
  }

  /** Sends a request and returns the response stream (for logs and other large bodies). */
  async stream(spec: RequestSpec): Promise<Readable> {
    const res = await this.exchange(spec, true, false).catch((err) => {
      throw toConnectionError(err, this.server);
    });
    if (res.status >= 300) throw apiError(res.status, await readAll(res.body), spec);
    return res.body;
  }

  /**
   * One request with its credentials: retried at once with new ones after a 401 when an exec plugin
   * can give new ones, and with the OS trust store when the handshake found no trusted issuer.
   * Neither reached the server's handlers, so both are safe for writes too.
   */
  private async exchange(spec: RequestSpec, idempotent: boolean, buffered: true): Promise<{ status: number; text: string }>;
  private async exchange(spec: RequestSpec, idempotent: boolean, buffered: false): Promise<{ status: number; body: http.IncomingMessage }>;
  private async exchange(spec: RequestSpec, idempotent: boolean, buffered: boolean): Promise<{ status: number; text?: string; body?: http.IncomingMessage }> {
    let auth = await this.shared.credentials.authorize();
    let retriedAuth = false;
    for (;;) {
      let res: { status: number; text?: string; body?: http.IncomingMessage };
      try {
        res = await this.send(spec, auth, idempotent, buffered);
      } catch (err) {
        if (isUntrustedCertificate(err) && !this.shared.systemTrust && !this.shared.agentSpec.tls.insecure) {
          this.shared.systemTrust = true;
          continue;
        }
        throw err;
      }
      if (res.status === 401 && !retriedAuth) {
        const fresh = await this.shared.credentials.retryAfterUnauthorized(auth);
        if (fresh) {
          retriedAuth = true;
          auth = fresh;
          res.body?.resume();
          continue;
        }
      }
      return res;
    }
  }

  private send(
    spec: RequestSpec,
    auth: Authorization,
    idempotent: boolean,
    buffered: boolean,
  ): Promise<{ status: number; text?: string; body?: http.IncomingMessage }> {
    const agent = this.agentFor(auth);
    const headers = this.headersFor(auth);
    const url = this.url(spec);
    const body = spec.body === undefined ? undefined : Buffer.from(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
    headers.Accept = 'application/json';
    if (body) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    this.requestCount++;
    this.opts.onRequest?.(`${spec.method} ${url.pathname}${url.search}`);
    const mod = url.protocol === 'https:' ? https : httpModule;
    const total = this.opts.timeoutMs;
    const idle = this.opts.idleTimeoutMs ?? (idempotent ? IDLE_TIMEOUT_MS.retried : IDLE_TIMEOUT_MS.write);
    return new Promise((resolve, reject) => {
      let deadline: NodeJS.Timeout | undefined;
      const req = mod.request(url, { method: spec.method, agent, headers }, (res) => {
        if (!buffered) {
          // A stream (logs -f) may be quiet for long: the bounds stop at the response headers.
          clearTimeout(deadline);
          req.setTimeout(0);
          return resolve({ status: res.statusCode ?? 0, body: res });
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      function fail(err: Error) {
        clearTimeout(deadline);
        reject(err);
      }
      req.on('error', fail);
      if (total) {
        // Not retried: the user said how long a request may take (kubectl does not retry it either).
        deadline = setTimeout(() => req.destroy(timeoutError(`request timed out after ${formatMs(total)} (--request-timeout)`, 'EREQUESTTIMEOUT')), total);
      }
      req.setTimeout(idle, () => req.destroy(timeoutError(`no response for ${formatMs(idle)}: the connection looks dead`, 'ETIMEDOUT')));
      req.end(body);
    });
  }

  // ---------------------------------------------------------------- typed access

  /** The version to use for a type: its fixed one, or the group's preferred version from discovery. */
  async versionOf(rt: ResourceType): Promise<string> {
    if (rt.version) return rt.version;
    const versions = this.shared.versions;
    let pending = versions.get(rt.group);
    if (!pending) {
      pending = this.request<{ preferredVersion?: { version: string }; versions?: { version: string }[] }>({ method: 'GET', path: `/apis/${rt.group}` }).then(
        (g) => g.preferredVersion?.version ?? g.versions?.[0]?.version ?? 'v1',
      );
      versions.set(rt.group, pending);
      pending.catch(() => versions.delete(rt.group));
    }
    return pending;
  }

  async apiVersionOf(rt: ResourceType): Promise<string> {
    const v = await this.versionOf(rt);
    return rt.group ? `${rt.group}/${v}` : v;
  }

  async pathOf(rt: ResourceType, namespace?: string, name?: string, subresource?: string): Promise<string> {
    const version = await this.versionOf(rt);
    let path = rt.group ? `/apis/${rt.group}/${version}` : `/api/${version}`;
    if (rt.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
    path += `/${rt.plural}`;
    if (name !== undefined) path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
    return path;
  }

  async get<T extends KubeObject = KubeObject>(rt: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>({ method: 'GET', path: await this.pathOf(rt, namespace, name) });
  }

  async getOrNull<T extends KubeObject = KubeObject>(rt: ResourceType, namespace: string | undefined, name: string): Promise<T | null> {
    try {
      return await this.get<T>(rt, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Lists every object (following `continue`), in one namespace or across all. */
  async list<T extends KubeObject = KubeObject>(rt: ResourceType, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    for await (const page of this.listPages<T>(rt, opts)) {
      items.push(...page.items);
      resourceVersion = page.metadata?.resourceVersion;
    }
    return { items, metadata: { resourceVersion } };
  }

  /** The pages of a list (`limit` objects each), one at a time: a caller that handles each page holds only one in memory (the dump). */
  async *listPages<T extends KubeObject = KubeObject>(rt: ResourceType, opts: ListOptions = {}): AsyncGenerator<ObjectList<T>> {
    const path = await this.pathOf(rt, opts.namespace);
    let cont: string | undefined;
    do {
      const page = await this.request<ObjectList<T>>({
        method: 'GET',
        path,
        query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: cont },
      });
      cont = page.metadata?.continue || undefined;
      yield page;
    } while (cont);
  }

  /** Lists a type, or returns null when the server does not serve it (CRD not installed). */
  async listIfServed<T extends KubeObject = KubeObject>(rt: ResourceType, opts: ListOptions = {}): Promise<ObjectList<T> | null> {
    try {
      return await this.list<T>(rt, opts);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async create<T extends KubeObject = KubeObject>(rt: ResourceType, namespace: string | undefined, body: object, opts: WriteOptions = {}): Promise<T> {
    const obj = { apiVersion: await this.apiVersionOf(rt), kind: rt.kind, ...body };
    const collection = await this.pathOf(rt, namespace);
    const send = () => this.request<T>({ method: 'POST', path: collection, body: obj, query: this.writeQuery(opts) });
    const name = (body as { metadata?: { name?: string } }).metadata?.name;
    // Without a name (generateName) the object cannot be looked up, nor judged in a dry run.
    if (!name || opts.dryRun || this.serverDryRun) return send();
    // There exactly as this create makes it means it was made; absent, it is sent again; otherwise
    // the next send meets AlreadyExists.
    return this.sendReadingBack(send, async () => {
      const now = await this.getOrNull<T>(rt, namespace, name);
      return now && mergePatchHolds(now, obj) ? now : undefined;
    });
  }

  /**
   * Sends a write; after a failure that may have lost its answer (a reset after the server may have
   * applied it, or a 429/5xx) reads back instead of sending it again blindly: `inEffect` returns the
   * object when the write holds, and then it was applied (issue 11: no write applied twice). Used by
   * create and patch; delete and scale read back the same way.
   */
  private async sendReadingBack<T>(send: () => Promise<T>, inEffect: () => Promise<T | undefined>): Promise<T> {
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if (attempt >= delays.length || !isRetryable(err)) throw err;
        await sleep(delays[attempt]);
        const now = await inEffect();
        if (now !== undefined) return now;
      }
    }
  }

  async replace<T extends KubeObject = KubeObject>(rt: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    const path = await this.pathOf(rt, obj.metadata.namespace, obj.metadata.name);
    return this.request<T>({ method: 'PUT', path, body: obj, query: this.writeQuery(opts) });
  }

  async patch<T extends KubeObject = KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType = 'merge',
    opts: WriteOptions & { subresource?: string } = {},
  ): Promise<T> {
    const path = await this.pathOf(rt, namespace, name, opts.subresource);
    const send = () => this.request<T>({ method: 'PATCH', path, body: patch, contentType: PATCH_CONTENT_TYPE[type], query: this.writeQuery(opts) });
    // A JSON patch cannot be judged from the object (its test ops guard a re-send), nor a dry run.
    if (type === 'json' || opts.dryRun || this.serverDryRun) return send();
    // A merge patch is in effect when every field it sets is so.
    return this.sendReadingBack(send, async () => {
      const now = await this.request<T>({ method: 'GET', path });
      return mergePatchHolds(now, patch) ? now : undefined;
    });
  }

  /**
   * Deletes an object. Returns false when it was already gone. A delete whose answer was lost (the
   * connection reset after the server may have applied it, or a 429/5xx) is read back, not sent again
   * blindly: gone or marked for deletion means it was applied; only an object with no deletion
   * mark is deleted again (issue 11: no write applied twice; a fault used to fail the whole step).
   */
  async delete(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions & { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; preconditionUid?: string } = {},
  ): Promise<boolean> {
    try {
      const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
      if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
      if (opts.preconditionUid) body.preconditions = { uid: opts.preconditionUid };
      // The API server reads DeleteOptions from the body when there is one and then ignores the
      // query (apiserver handlers/delete.go DeleteResource), so dryRun=All must be in the body too:
      // without it, --dry-run=server deleted for real.
      if (this.serverDryRun || opts.dryRun) body.dryRun = ['All'];
      const path = await this.pathOf(rt, namespace, name);
      const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
      for (let attempt = 0; ; attempt++) {
        try {
          await this.request({ method: 'DELETE', path, body, query: this.writeQuery(opts) });
          return true;
        } catch (err) {
          if (isNotFound(err) && attempt > 0) return true;
          if (body.dryRun || attempt >= delays.length || !isRetryable(err)) throw err;
          await sleep(delays[attempt]);
          const now = await this.getOrNull(rt, namespace, name);
          if (!now || now.metadata.deletionTimestamp) return true;
        }
      }
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Reads the /scale subresource. */
  async getScale(rt: ResourceType, namespace: string, name: string): Promise<{ spec: { replicas?: number }; status: { replicas?: number } }> {
    return this.request({ method: 'GET', path: await this.pathOf(rt, namespace, name, 'scale') });
  }

  /** Sets replicas through the /scale subresource (deployments, statefulsets, nodepools). */
  /**
   * Sets spec.replicas through the scale subresource, writing only when it differs: a scale whose
   * answer was lost (the connection reset after the server applied it) is read back instead of sent
   * again, and a resumed run does not repeat a scale that already holds (issue 11: no write applied twice).
   */
  async scale(rt: ResourceType, namespace: string, name: string, replicas: number, opts: WriteOptions = {}): Promise<void> {
    const path = await this.pathOf(rt, namespace, name, 'scale');
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    for (let attempt = 0; ; attempt++) {
      if (!opts.dryRun && !this.serverDryRun) {
        const current = await this.request<{ spec?: { replicas?: number } }>({ method: 'GET', path });
        if ((current?.spec?.replicas ?? 0) === replicas) return;
      }
      try {
        await this.request({ method: 'PATCH', path, body: { spec: { replicas } }, contentType: PATCH_CONTENT_TYPE.merge, query: this.writeQuery(opts) });
        return;
      } catch (err) {
        if (attempt >= delays.length || !isRetryable(err)) throw err;
        await sleep(delays[attempt]);
      }
    }
  }

  /**
   * Read-modify-write with optimistic concurrency: reads the object, lets `mutate` change a copy
   * (returning false means "nothing to do"), and writes it back with its resourceVersion. A 409
   * means someone else wrote in between: read again and retry.
   */
  async update<T extends KubeObject = KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    mutate: (obj: T) => boolean | void,
    opts: WriteOptions & { attempts?: number } = {},
  ): Promise<{ object: T; changed: boolean }> {
    const attempts = opts.attempts ?? 5;
    for (let i = 1; ; i++) {
      const current = await this.get<T>(rt, namespace, name);
      const copy = structuredClone(current);
      if (mutate(copy) === false) return { object: current, changed: false };
      try {
        return { object: await this.replace<T>(rt, copy, opts), changed: true };
      } catch (err) {
        if (!isConflict(err) || i >= attempts) throw err;
      }
    }
  }

  /** Pod logs, current or previous container instance. */
  async logs(namespace: string, pod: string, opts: { container?: string; previous?: boolean; tailLines?: number } = {}): Promise<string> {
    const stream = await this.logStream(namespace, pod, opts);
    return readAll(stream);
  }

  async logStream(
    namespace: string,
    pod: string,
    opts: { container?: string; previous?: boolean; tailLines?: number; follow?: boolean; sinceSeconds?: number; sinceTime?: string } = {},
  ): Promise<Readable> {
    return this.stream({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
      query: {
        container: opts.container,
        previous: opts.previous || undefined,
        tailLines: opts.tailLines,
        follow: opts.follow || undefined,
        sinceSeconds: opts.sinceSeconds,
        sinceTime: opts.sinceTime,
      },
    });
  }

  /** Runs a command in a container. See exec.ts for the protocol details. */
  async exec(
    namespace: string,
    pod: string,
    container: string,
    command: string[],
    io: { stdin?: Readable | Buffer | string; stdout?: Writable; stderr?: Writable; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    const { execInPod } = await import('./exec.ts');
    const auth = await this.shared.credentials.authorize();
    const url = this.url({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec`,
      query: { container, command, stdout: true, stderr: true, stdin: io.stdin !== undefined || undefined },
    });
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.requestCount++;
    this.opts.onRequest?.(`EXEC ${namespace}/${pod} -c ${container} -- ${command.join(' ')}`);
    const tls = tlsOptions(this.agentSpecFor(auth));
    // The WebSocket makes its own connection; through a proxy it needs the tunnelling agent.
    const agent = this.shared.agentSpec.proxy ? this.agentFor(auth) : undefined;
    return execInPod(url, { headers: this.headersFor(auth), tls, agent }, io);
  }

  private writeQuery(opts: WriteOptions): Record<string, string | undefined> {
    return { fieldManager: opts.fieldManager ?? FIELD_MANAGER, dryRun: opts.dryRun ? 'All' : undefined };
  }
}

function apiError(statusCode: number, text: string, spec: RequestSpec): ApiError {
  let status: ApiStatus | undefined;
  try {
    status = JSON.parse(text) as ApiStatus;
  } catch {
    status = undefined;
  }
  const fallback = text.trim().split('\n')[0] || `${spec.method} ${spec.path}: HTTP ${statusCode}`;
  return new ApiError(statusCode, status?.kind === 'Status' || status?.message ? status : undefined, fallback);
}

/** ETIMEDOUT is retried for idempotent requests (errors.ts); EREQUESTTIMEOUT never is. */
function timeoutError(message: string, code: 'ETIMEDOUT' | 'EREQUESTTIMEOUT'): Error {
  return Object.assign(new Error(message), { code });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function toConnectionError(err: unknown, server: string): unknown {
  if (err instanceof ApiError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code)
    return new ConnectionError(`cannot reach the API server at ${server}: ${e.code === 'ETIMEDOUT' || e.code === 'EREQUESTTIMEOUT' ? e.message : e.code}`, {
      cause: err,
    });
  return err;
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

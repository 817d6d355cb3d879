/**
 * Exec credential plugins (kubeconfig `users[].user.exec`), run the way kubectl runs them
 * (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go, Authenticator.refreshCredsLocked and
 * roundTripper.RoundTrip; tools/clientcmd/loader.go GetAuthInfoFileReferences for the path):
 * - KUBERNETES_EXEC_INFO holds an ExecCredential whose spec says whether the plugin may talk to the
 *   user (`interactive`) and, with `provideClusterInfo`, which cluster it is for;
 * - interactiveMode Never / IfAvailable (v1beta1's default) / Always: the plugin gets our stdin only
 *   when it is a terminal and the mode allows it; Always without a terminal is an error;
 * - the plugin's stderr is ours (it may print a login URL); its stdout is the credential;
 * - a relative `command` containing a '/' was resolved against the kubeconfig's directory (kubeconfig.ts);
 * - the credential is reused until its expirationTimestamp, and the plugin runs again after a 401.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { RuntimeError, UsageError } from '../util/errors.ts';

export interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch ms; undefined means "until the server refuses it". */
  expiresAt?: number;
}

export interface ExecPluginIO {
  env: NodeJS.ProcessEnv;
  /** Given to an interactive plugin: a terminal (its fd is shared) or any stream (piped). */
  stdin?: Readable & { fd?: number };
  stdinIsTTY?: boolean;
  /** Where the plugin's own messages go. */
  stderr?: Writable & { fd?: number };
  now?: () => number;
}

const API_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);
const INTERACTIVE_MODES = new Set(['Never', 'IfAvailable', 'Always']);

export class ExecCredentialPlugin {
  private cached?: ExecCredential;
  private running?: Promise<ExecCredential>;
  private readonly interactive: boolean;
  private readonly apiVersion: string;
  private readonly command: string;

  private readonly config: ExecConfig;
  /** The ExecCredential `spec.cluster` (kubeconfig field names, CA as base64 data). */
  private readonly cluster: Record<string, unknown>;
  private readonly io: ExecPluginIO;
  private readonly userName: string;

  constructor(config: ExecConfig, cluster: Record<string, unknown>, io: ExecPluginIO, userName: string) {
    this.config = config;
    this.cluster = cluster;
    this.io = io;
    this.userName = userName;
    // clientcmd's validateAuthInfo: these are kubeconfig errors, refused before anything is sent.
    if (!config.command) throw new UsageError(`exec plugin of user "${userName}" has no command`);
    this.command = config.command;
    if (!config.apiVersion || !API_VERSIONS.has(config.apiVersion)) {
      throw new UsageError(`exec plugin of user "${userName}": apiVersion "${config.apiVersion ?? ''}" is not client.authentication.k8s.io/v1 or v1beta1`);
    }
    this.apiVersion = config.apiVersion;
    let mode = config.interactiveMode;
    if (!mode) {
      if (this.apiVersion.endsWith('/v1'))
        throw new UsageError(`exec plugin of user "${userName}": interactiveMode must be specified with apiVersion ${this.apiVersion}`);
      mode = 'IfAvailable';
    }
    if (!INTERACTIVE_MODES.has(mode)) throw new UsageError(`exec plugin of user "${userName}": interactiveMode "${mode}" is not Never, IfAvailable or Always`);
    const terminal = Boolean(io.stdinIsTTY && io.stdin);
    if (mode === 'Always' && !terminal) {
      throw new UsageError(`exec plugin ${this.command} of user "${userName}" needs interactiveMode Always, but standard input is not a terminal`);
    }
    this.interactive = mode !== 'Never' && terminal;
  }

  /** The cached credential while it is valid, else a fresh one (concurrent callers share one run). */
  async get(): Promise<ExecCredential> {
    const now = (this.io.now ?? Date.now)();
    if (this.cached && (this.cached.expiresAt === undefined || now < this.cached.expiresAt)) return this.cached;
    return this.run();
  }

  /**
   * After a 401 with `used`: runs the plugin again unless another request already did. Returns the
   * credential to retry with.
   */
  async refresh(used: ExecCredential): Promise<ExecCredential> {
    if (this.running) return this.running;
    if (this.cached !== used && this.cached) return this.cached;
    this.cached = undefined;
    return this.run();
  }

  private run(): Promise<ExecCredential> {
    this.running ??= this.execute().finally(() => (this.running = undefined));
    return this.running;
  }

  private execute(): Promise<ExecCredential> {
    const info = {
      kind: 'ExecCredential',
      apiVersion: this.apiVersion,
      spec: { interactive: this.interactive, ...(this.config.provideClusterInfo ? { cluster: this.cluster } : {}) },
    };
    const env: NodeJS.ProcessEnv = { ...this.io.env };
    for (const e of this.config.env ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
    const stdin = this.interactive && this.io.stdin ? (typeof this.io.stdin.fd === 'number' ? this.io.stdin.fd : 'pipe') : 'ignore';
    const stderr = typeof this.io.stderr?.fd === 'number' ? this.io.stderr.fd : 'pipe';
    const label = `exec plugin ${this.command} (user "${this.userName}")`;

    return new Promise<ExecCredential>((resolve, reject) => {
      const child = spawn(this.command, this.config.args ?? [], { env, stdio: [stdin, 'pipe', stderr] });
      const out: Buffer[] = [];
      child.stdout!.on('data', (c: Buffer) => out.push(c));
      if (child.stderr && this.io.stderr) child.stderr.pipe(this.io.stderr, { end: false });
      else child.stderr?.resume();
      if (stdin === 'pipe' && child.stdin && this.io.stdin) {
        this.io.stdin.pipe(child.stdin);
        child.stdin.on('error', () => undefined); // the plugin may exit without reading
      }
      child.on('error', (err: NodeJS.ErrnoException) => {
        const hint = this.config.installHint?.trim().split('\n')[0];
        reject(
          err.code === 'ENOENT'
            ? new RuntimeError(`${label}: executable not found`, { hint, cause: err })
            : new RuntimeError(`${label}: ${err.message}`, { cause: err }),
        );
      });
      child.on('close', (code, signal) => {
        if (stdin === 'pipe' && this.io.stdin && child.stdin) this.io.stdin.unpipe(child.stdin);
        if (code !== 0) return reject(new RuntimeError(`${label} failed: ${signal ? `killed by ${signal}` : `exit code ${code}`}`));
        try {
          this.cached = this.parse(Buffer.concat(out).toString('utf8'), label);
          resolve(this.cached);
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** Checks the plugin's output as client-go does; never quotes it (it holds the credential). */
  private parse(stdout: string, label: string): ExecCredential {
    let parsed: { apiVersion?: string; kind?: string; status?: Record<string, unknown> };
    try {
      parsed = JSON.parse(stdout);
    } catch {
      throw new RuntimeError(`${label}: its output is not an ExecCredential in JSON`);
    }
    if (parsed?.kind !== 'ExecCredential') throw new RuntimeError(`${label}: its output is not an ExecCredential (kind "${String(parsed?.kind ?? '')}")`);
    if (parsed.apiVersion !== this.apiVersion) {
      throw new RuntimeError(`${label} is configured to use API version ${this.apiVersion}, plugin returned version ${String(parsed.apiVersion ?? '')}`);
    }
    const status = parsed.status;
    if (!status || typeof status !== 'object') throw new RuntimeError(`${label} didn't return a status field`);
    const str = (k: string) => (typeof status[k] === 'string' && status[k] !== '' ? (status[k] as string) : undefined);
    const cred: ExecCredential = { token: str('token'), clientCertificateData: str('clientCertificateData'), clientKeyData: str('clientKeyData') };
    if (!cred.token && !cred.clientCertificateData && !cred.clientKeyData) throw new RuntimeError(`${label} didn't return a token or cert/key pair`);
    if (!cred.clientCertificateData !== !cred.clientKeyData) throw new RuntimeError(`${label} returned only certificate or key, not both`);
    const exp = str('expirationTimestamp');
    if (exp) {
      const ms = Date.parse(exp);
      if (Number.isNaN(ms)) throw new RuntimeError(`${label} returned an expirationTimestamp that is not RFC3339`);
      cred.expiresAt = ms;
    }
    return cred;
  }
}

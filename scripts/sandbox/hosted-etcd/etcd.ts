// Real etcd 3.6 clusters behind the simulated etcd pods: one cluster per HostedCluster per
// management cluster, one member process per etcd-N pod, with real TLS.
//
// Addresses: member N of cluster C on management cluster M listens on 127.M.C.(N+1):2379 (client)
// and :2380 (peer). The whole 127.0.0.0/8 is loopback on Linux, so no network namespace is
// needed. Each member runs inside its pod's private filesystem (podfs.ts/enter.sh), whose
// /etc/hosts maps localhost and etcd-K.etcd-discovery.<ns>.svc to those addresses, so the members
// use the same peer URLs as the real statefulset (and the doc's `etcdutl snapshot restore
// --initial-cluster etcd-0=https://etcd-0.etcd-discovery.<ns>.svc:2380,...` works unchanged).
//
// A pod's life, as the kubelet runs the upstream pod (control-plane-operator/controllers/
// hostedcontrolplane/v2/assets/etcd/statefulset.yaml and v2/etcd/statefulset.go):
// - its init containers run once per pod, in order, each until it succeeds (with the kubelet's
//   back-off when it fails): `ensure-dns` (nothing to do here: names resolve through the pod's
//   /etc/hosts), `reset-member` (upstream's script, verbatim, read from ../shared/upstream/src) and, while
//   the HostedControlPlane has no EtcdSnapshotRestored=True, `etcd-init` (upstream's etcd-init.sh,
//   verbatim: every pod downloads the restoreSnapshotURL itself with curl);
// - then the etcd container: ETCD_INITIAL_CLUSTER_STATE from the file reset-member wrote, the
//   initial cluster of all replicas (statefulset.go), restarted with the kubelet's crash back-off;
// - the old pod's member process has exited before a new pod of the same name starts (the pod
//   object is deleted only once its process is gone, see operator/etcd.ts), so two processes never
//   share an address or a data dir.
// Every container's output goes to a CRI-format log file that kwok serves for `kubectl logs`.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { preparePod, podExecObject } from './podfs.ts';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * Upstream's init scripts, read unchanged from the upstream source beside the repo
 * (../shared/upstream/src, openshift/hypershift @3ee96155), never copied into it:
 * - reset-member: the `/bin/bash -c` script of init container `reset-member` in
 *   control-plane-operator/controllers/hostedcontrolplane/v2/assets/etcd/statefulset.yaml;
 * - etcd-init: control-plane-operator/controllers/hostedcontrolplane/v2/etcd/etcd-init.sh (v2/etcd/statefulset.go
 *   buildEtcdInitContainer runs it with `/bin/sh -ce`; run here with bash, as /bin/sh is bash on RHEL images and
 *   the script uses `${!VAR}`).
 */
const upstreamSrc = join(here, '../../../../shared/upstream/src/control-plane-operator/controllers/hostedcontrolplane/v2');
export const RESET_MEMBER_SCRIPT = resetMemberScript(readFileSync(join(upstreamSrc, 'assets/etcd/statefulset.yaml'), 'utf8'));
export const ETCD_INIT_SCRIPT = readFileSync(join(upstreamSrc, 'etcd/etcd-init.sh'), 'utf8');

function resetMemberScript(statefulSetYaml: string): string {
  const doc = yaml.load(statefulSetYaml) as { spec: { template: { spec: { initContainers: { name: string; command?: string[]; args?: string[] }[] } } } };
  const c = doc.spec.template.spec.initContainers.find((i) => i.name === 'reset-member');
  const script = c?.args?.at(-1);
  if (!script) throw new Error('upstream statefulset.yaml has no reset-member init container script');
  return script;
}

/** The init containers of an etcd pod, in upstream's order (statefulset.yaml, then statefulset.go appends etcd-init). */
export const INIT_CONTAINERS = ['ensure-dns', 'reset-member'] as const;

export const INITIAL_CLUSTER_TOKEN = 'etcd-cluster';
export const TLS = {
  ca: '/etc/etcd/tls/etcd-ca/ca.crt',
  clientCert: '/etc/etcd/tls/client/etcd-client.crt',
  clientKey: '/etc/etcd/tls/client/etcd-client.key',
  serverCert: '/etc/etcd/tls/server/server.crt',
  serverKey: '/etc/etcd/tls/server/server.key',
  peerCert: '/etc/etcd/tls/peer/peer.crt',
  peerKey: '/etc/etcd/tls/peer/peer.key',
};

export function memberIP(mgmtIndex: number, clusterIndex: number, n: number): string {
  return `127.${mgmtIndex}.${clusterIndex}.${n + 1}`;
}
export const peerHost = (ns: string, n: number) => `etcd-${n}.etcd-discovery.${ns}.svc`;
export const clientHost = (ns: string, n: number) => `etcd-${n}.etcd-client.${ns}.svc`;
export const peerURL = (ns: string, n: number) => `https://${peerHost(ns, n)}:2380`;
export const initialCluster = (ns: string, size: number) => Array.from({ length: size }, (_, n) => `etcd-${n}=${peerURL(ns, n)}`).join(',');

export interface EtcdClusterSpec {
  /** `<hc-ns>/<hc-name>`. */
  key: string;
  namespace: string; // control-plane namespace
  mgmtIndex: number;
  clusterIndex: number;
  size: number;
  restoreURL?: string;
}

export interface HostPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The cluster's own CA and certificates (made once, with openssl, like part 1's pki.ts). */
export function ensureEtcdPki(dir: string, spec: EtcdClusterSpec): HostPki {
  mkdirSync(dir, { recursive: true });
  const p = (n: string) => join(dir, n);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  if (!existsSync(p('ca.crt'))) {
    openssl([
      'req',
      '-x509',
      ...key,
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.crt'),
      '-days',
      '3650',
      '-subj',
      '/OU=openshift/CN=etcd-signer',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }
  const ns = spec.namespace;
  const ips = Array.from({ length: 3 }, (_, n) => `IP:${memberIP(spec.mgmtIndex, spec.clusterIndex, n)}`);
  // Upstream's server certificate also names the bare service (`etcd-client`), which the
  // reset-member init container dials (ETCDCTL_ENDPOINTS=https://etcd-client:2379).
  const sans = [
    'DNS:localhost',
    'DNS:etcd-client',
    `DNS:etcd-client.${ns}.svc`,
    `DNS:*.etcd-client.${ns}.svc`,
    `DNS:etcd-discovery.${ns}.svc`,
    `DNS:*.etcd-discovery.${ns}.svc`,
    'IP:127.0.0.1',
    ...ips,
  ].join(',');
  const issue = (name: string, subj: string, ext: string) => {
    // Re-issued when the wanted extensions change (same CA, so clients keep trusting it).
    if (existsSync(p(`${name}.crt`)) && existsSync(p(`${name}.ext`)) && readFileSync(p(`${name}.ext`), 'utf8') === `${ext}\n`) return;
    writeFileSync(p(`${name}.ext`), `${ext}\n`);
    openssl(['req', ...key, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj]);
    openssl([
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '3650',
      '-out',
      p(`${name}.crt`),
      '-extfile',
      p(`${name}.ext`),
    ]);
  };
  const usage = 'keyUsage=critical,digitalSignature,keyEncipherment';
  issue('server', '/OU=openshift/CN=etcd-server', `${usage}\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${sans}`);
  issue('etcd-client', '/OU=openshift/CN=etcd-client', `${usage}\nextendedKeyUsage=clientAuth`);
  return { ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('etcd-client.crt'), clientKey: p('etcd-client.key') };
}

/** What the simulator shows for an etcd pod. */
export type MemberPhase =
  | { kind: 'waiting' } // not started yet (volume not bound, the previous pod's process still stopping, ...)
  | { kind: 'init'; container: string; since: number; done: string[] }
  | { kind: 'init-failed'; container: string; exitCode: number; restarts: number; at: string; startedAt: string; done: string[] }
  | { kind: 'starting'; since: number; restarts: number; lastExit?: ExitInfo }
  | { kind: 'healthy'; since: number; restarts: number; lastExit?: ExitInfo }
  | { kind: 'crashloop'; restarts: number; lastExit: ExitInfo; nextStart: number };

export interface ExitInfo {
  code: number;
  at: string;
  startedAt: string;
}

/** The pod a member runs in (one per pod UID). */
export interface MemberPod {
  uid: string;
  name: string;
  podDir: string;
  dataHostDir: string; // the PV directory (mounted at /var/lib)
  /** Init container names from the pod spec, in order. */
  initContainers: string[];
}

interface Member extends MemberPod {
  n: number;
  proc?: ChildProcess;
  startedAt?: number;
  restarts: number;
  lastExit?: ExitInfo;
  nextStart: number;
  healthy: boolean;
  healthySince?: number;
  initDone: string[];
  initRunning?: { container: string; since: number };
  initFailure?: { container: string; exitCode: number; restarts: number; at: string; startedAt: string };
  /** The running start sequence (init containers, then the etcd process). */
  task?: Promise<void>;
  /** Set when the pod goes: a start sequence still running must not leave a process behind. */
  gone: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
/** The kubelet's container restart back-off: 10 s, doubling, at most 5 minutes. */
export const backoffMs = (restarts: number) => Math.min(10_000 * 2 ** Math.max(0, restarts - 1), 300_000);

/** Appends a process's output to a container log file in the CRI format kwok (and the kubelet) read. */
export class CriLog {
  private readonly out: WriteStream;
  private readonly partial: Record<string, string> = { stdout: '', stderr: '' };
  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.out = createWriteStream(file, { flags: 'a' });
  }
  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const lines = (this.partial[stream] + chunk.toString()).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const l of lines) this.out.write(`${new Date().toISOString()} ${stream} F ${l}\n`);
  }
  line(stream: 'stdout' | 'stderr', text: string): void {
    this.write(stream, `${text}\n`);
  }
  end(): Promise<void> {
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.out.write(`${new Date().toISOString()} ${s} F ${this.partial[s]}\n`);
    return new Promise((r) => this.out.end(r));
  }
  attach(p: ChildProcess): void {
    p.stdout?.on('data', (c: Buffer) => this.write('stdout', c));
    p.stderr?.on('data', (c: Buffer) => this.write('stderr', c));
  }
}

export class EtcdCluster {
  readonly spec: EtcdClusterSpec;
  readonly dir: string;
  readonly pki: HostPki;
  private readonly binDir: string;
  /** enter.sh (installed by podfs.installShims). */
  private readonly enter: string;
  private readonly members = new Map<number, Member>();
  /** Members being stopped (their pod is going): no new member n starts until this resolves. */
  private readonly stopping = new Map<number, Promise<void>>();
  private readonly log: (m: string) => void;
  private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(spec: EtcdClusterSpec, dir: string, binDir: string, enter: string, log: (m: string) => void) {
    this.spec = spec;
    this.enter = enter;
    this.dir = dir;
    this.binDir = binDir;
    this.log = log;
    this.pki = ensureEtcdPki(join(dir, 'tls'), spec);
    this.tls = { ca: readFileSync(this.pki.ca), cert: readFileSync(this.pki.clientCert), key: readFileSync(this.pki.clientKey) };
  }

  ip(n: number): string {
    return memberIP(this.spec.mgmtIndex, this.spec.clusterIndex, n);
  }

  /** Recorded once every member restored the snapshot (the HCP's EtcdSnapshotRestored=True, hostedcontrolplane_controller.go etcdRestoredCondition). */
  get snapshotRestoredMarker(): string {
    return join(this.dir, 'snapshot-restored');
  }

  /** The directory of container logs of pod etcd-n (kwok serves them, see operator/etcd.ts). */
  logDir(n: number): string {
    return join(this.dir, 'logs', `etcd-${n}`);
  }

  /**
   * The pod's /etc/hosts. `etcd-client` (the headless client service) resolves to the members
   * whose pods are ready, as cluster DNS answers for a service without publishNotReadyAddresses.
   */
  hosts(n?: number): [string, ...string[]][] {
    const ns = this.spec.namespace;
    const lines: [string, ...string[]][] = [['127.0.0.1', 'localhost.localdomain']];
    for (let k = 0; k < 3; k++) {
      const names = [peerHost(ns, k), clientHost(ns, k), `etcd-${k}`];
      if (k === n) names.unshift('localhost');
      lines.push([this.ip(k), ...names]);
    }
    for (const m of this.members.values()) {
      if (m.proc && m.healthy) lines.push([this.ip(m.n), 'etcd-client', `etcd-client.${ns}.svc`, `etcd-client.${ns}.svc.cluster.local`]);
    }
    if (n === undefined) lines[0].push('localhost');
    return lines;
  }

  /** The files every etcd pod (and member) sees under /etc/etcd/tls, plus the init scripts. */
  podFiles(): Record<string, Buffer | string> {
    const r = (f: string) => readFileSync(f);
    return {
      [TLS.ca]: r(this.pki.ca),
      [TLS.clientCert]: r(this.pki.clientCert),
      [TLS.clientKey]: r(this.pki.clientKey),
      [TLS.serverCert]: r(this.pki.serverCert),
      [TLS.serverKey]: r(this.pki.serverKey),
      [TLS.peerCert]: r(this.pki.serverCert),
      [TLS.peerKey]: r(this.pki.serverKey),
      '/hcp-sandbox/reset-member.sh': RESET_MEMBER_SCRIPT,
      '/hcp-sandbox/etcd-init.sh': ETCD_INIT_SCRIPT,
    };
  }

  programs(): Record<string, string> {
    return Object.fromEntries(['etcd', 'etcdctl', 'etcdutl'].map((p) => [p, join(this.binDir, p)]));
  }

  /** Prepares an etcd pod's filesystem (refreshed every pass: /etc/hosts follows readiness); returns its kwok Exec object. */
  preparePod(podDir: string, pod: string, n: number, dataHostDir: string, workDir: string): object {
    mkdirSync(join(podDir, 'clusterstate'), { recursive: true });
    preparePod(podDir, {
      hosts: this.hosts(n),
      files: this.podFiles(),
      mounts: [
        [dataHostDir, '/var/lib'],
        [join(podDir, 'clusterstate'), '/etc/etcd/clusterstate'],
      ],
      programs: this.programs(),
      env: { HOSTNAME: pod, NAMESPACE: this.spec.namespace },
    });
    return podExecObject(this.spec.namespace, pod, podDir, workDir, dirname(this.enter));
  }

  /** Called every loop for each etcd pod that is scheduled with its volume bound. */
  ensureMember(n: number, pod: MemberPod): void {
    const cur = this.members.get(n);
    if (cur && cur.uid !== pod.uid) {
      // A new pod of the same name: the old one's process must be gone first.
      void this.stopMember(n);
      return;
    }
    if (this.stopping.has(n)) return;
    let m = cur;
    if (!m) {
      m = { ...pod, n, restarts: 0, nextStart: 0, healthy: false, initDone: [], gone: false };
      // The kubelet runs init containers once per pod: a simulator restart keeps what they did.
      const marker = join(pod.podDir, `initialized-${pod.uid}`);
      if (existsSync(marker)) m.initDone = [...pod.initContainers];
      else this.newPodDir(m);
      this.members.set(n, m);
    }
    if (!m.proc && !m.task && Date.now() >= m.nextStart) {
      const mm = m;
      mm.task = this.run(mm)
        .catch((err: Error) => {
          mm.nextStart = Date.now() + 3000;
          this.log(`etcd ${this.spec.key} etcd-${n}: ${err.message.split('\n').pop()}`);
        })
        .finally(() => {
          mm.task = undefined;
        });
    }
  }

  /** A new pod: fresh emptyDir (clusterstate), fresh container logs (the kubelet keeps logs per pod). */
  private newPodDir(m: Member): void {
    for (const f of readdirSafe(m.podDir)) if (f.startsWith('initialized-')) rmSync(join(m.podDir, f), { force: true });
    rmSync(join(m.podDir, 'clusterstate'), { recursive: true, force: true });
    mkdirSync(join(m.podDir, 'clusterstate'), { recursive: true });
    rmSync(this.logDir(m.n), { recursive: true, force: true });
    mkdirSync(this.logDir(m.n), { recursive: true });
  }

  /** Is member n the process of this pod (uid), still running or starting? */
  hasMember(n: number, uid: string): boolean {
    return this.members.get(n)?.uid === uid;
  }

  /** Stops members whose pods are gone (n not in keep). */
  retain(keep: Set<number>): void {
    for (const n of [...this.members.keys()]) if (!keep.has(n)) void this.stopMember(n);
  }

  /**
   * Stops member n as the kubelet stops a deleted pod's container (SIGTERM, SIGKILL after 5 s,
   * a start sequence in progress is awaited first); resolves when the process is gone.
   */
  stopMember(n: number): Promise<void> {
    const pending = this.stopping.get(n);
    const m = this.members.get(n);
    if (!m) return pending ?? Promise.resolve();
    this.members.delete(n);
    m.gone = true;
    const done = (async () => {
      if (pending) await pending;
      if (m.task) await m.task;
      const p = m.proc;
      m.proc = undefined;
      if (p && p.exitCode === null && p.signalCode === null) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => p.kill('SIGKILL'), 5000);
          p.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          p.kill('SIGTERM');
        });
      }
      writePids(this.dir, this.members);
    })();
    this.stopping.set(n, done);
    void done.finally(() => {
      if (this.stopping.get(n) === done) this.stopping.delete(n);
    });
    return done;
  }

  stopAll(): Promise<void> {
    return Promise.all([...new Set([...this.members.keys(), ...this.stopping.keys()])].map((n) => this.stopMember(n))).then(() => undefined);
  }

  /** Failure injection: kills member n and corrupts its data so that it cannot start again. */
  breakMember(n: number): boolean {
    const m = this.members.get(n);
    if (!m) return false;
    m.proc?.kill('SIGKILL');
    const db = join(m.dataHostDir, 'data/member/snap/db');
    if (existsSync(db)) writeFileSync(db, Buffer.alloc(64 * 1024, 0x5a));
    const wal = join(m.dataHostDir, 'data/member/wal');
    if (existsSync(wal)) for (const f of readdirSync(wal)) writeFileSync(join(wal, f), Buffer.alloc(4096, 0x5a));
    return true;
  }

  phase(n: number): MemberPhase {
    const m = this.members.get(n);
    if (!m) return { kind: 'waiting' };
    if (m.initFailure) return { kind: 'init-failed', ...m.initFailure, done: m.initDone };
    if (m.initRunning) return { kind: 'init', ...m.initRunning, done: m.initDone };
    if (m.initDone.length < m.initContainers.length)
      return { kind: 'init', container: m.initContainers[m.initDone.length], since: Date.now(), done: m.initDone };
    if (m.proc && m.healthy) return { kind: 'healthy', since: m.healthySince ?? Date.now(), restarts: m.restarts, lastExit: m.lastExit };
    if (m.proc || m.task || !m.lastExit) return { kind: 'starting', since: m.startedAt ?? Date.now(), restarts: m.restarts, lastExit: m.lastExit };
    return { kind: 'crashloop', restarts: m.restarts, lastExit: m.lastExit, nextStart: m.nextStart };
  }

  healthyCount(): number {
    return [...this.members.values()].filter((m) => m.proc && m.healthy).length;
  }

  /** Polls /health of every running member (client-cert TLS). */
  async checkHealth(): Promise<void> {
    await Promise.all(
      [...this.members.values()].map(async (m) => {
        if (!m.proc) {
          m.healthy = false;
          return;
        }
        const ok = await this.health(m.n);
        if (ok && !m.healthy) m.healthySince = Date.now();
        m.healthy = ok && !!m.proc;
      }),
    );
  }

  health(n: number, timeoutMs = 2000): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.ip(n),
          port: 2379,
          path: '/health',
          method: 'GET',
          timeout: timeoutMs,
          servername: 'localhost',
          ca: this.tls.ca,
          cert: this.tls.cert,
          key: this.tls.key,
        },
        (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  /** Runs etcdctl on the host against the given members (by address, real TLS). */
  etcdctl(args: string[], members: number[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
    const endpoints = members.map((n) => `https://${this.ip(n)}:2379`).join(',');
    const full = [
      '--cacert',
      this.pki.ca,
      '--cert',
      this.pki.clientCert,
      '--key',
      this.pki.clientKey,
      '--endpoints',
      endpoints,
      '--command-timeout=5s',
      ...args,
    ];
    return new Promise((resolve) => {
      execFile(join(this.binDir, 'etcdctl'), full, { timeout: timeoutMs }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  /** Runs a program inside a pod's filesystem (as a container of that pod would); its output goes to log. */
  inPod(podDir: string, args: string[], log?: CriLog, timeoutMs = 120_000): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      let out = '';
      const child = spawn('/usr/bin/unshare', ['--mount', '--propagation', 'private', '/bin/sh', this.enter, podDir, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (c: Buffer) => {
        out += c;
        log?.write('stdout', c);
      });
      child.stderr.on('data', (c: Buffer) => {
        out += c;
        log?.write('stderr', c);
      });
      child.on('error', (err) => {
        clearTimeout(t);
        resolve({ code: 127, out: err.message });
      });
      child.on('close', (code, signal) => {
        clearTimeout(t);
        resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), out });
      });
    });
  }

  /** The pod's init containers (each once, in order, until it succeeds), then the etcd container. */
  private async run(m: Member): Promise<void> {
    for (const c of m.initContainers) {
      if (m.initDone.includes(c)) continue;
      const startedAt = Date.now();
      m.initRunning = { container: c, since: startedAt };
      const log = new CriLog(join(this.logDir(m.n), `${c}.log`));
      let r: { code: number; out: string };
      try {
        r = await this.initContainer(m, c, log);
      } finally {
        m.initRunning = undefined;
        await log.end();
      }
      if (m.gone) return;
      if (r.code !== 0) {
        const restarts = m.initFailure?.container === c ? m.initFailure.restarts + 1 : 0;
        m.initFailure = { container: c, exitCode: r.code, restarts, at: iso(), startedAt: iso(startedAt) };
        m.nextStart = Date.now() + backoffMs(restarts + 1);
        this.log(`etcd ${this.spec.key}: etcd-${m.n} init container ${c} exited ${r.code}; restart in ${Math.round(backoffMs(restarts + 1) / 1000)}s`);
        return;
      }
      m.initFailure = undefined;
      m.initDone = [...m.initDone, c];
    }
    writeFileSync(join(m.podDir, `initialized-${m.uid}`), iso());
    if (m.gone) return;
    this.spawnEtcd(m);
  }

  private initContainer(m: Member, name: string, log: CriLog): Promise<{ code: number; out: string }> {
    switch (name) {
      case 'ensure-dns':
        // control-plane-operator resolve-dns --self-register: waits until the pod's own name
        // resolves. Here names resolve through the pod's /etc/hosts from the start.
        log.line('stdout', `sandbox: ${peerHost(this.spec.namespace, m.n)} resolves to ${this.ip(m.n)} (pod /etc/hosts)`);
        return Promise.resolve({ code: 0, out: '' });
      case 'reset-member':
        return this.inPod(m.podDir, ['/bin/bash', '/hcp-sandbox/reset-member.sh'], log);
      case 'etcd-init': {
        // The CRD only accepts https (or s3) URLs; the sandbox's MinIO serves plain HTTP on
        // 127.0.0.1, so its presigned https URLs are fetched over http. SigV4 signs the host,
        // not the scheme, so MinIO still checks the signature and the expiry for real.
        const url = (this.spec.restoreURL ?? '').replace(/^https:\/\/127\.0\.0\.1:/, 'http://127.0.0.1:');
        return this.inPod(m.podDir, ['/usr/bin/env', `RESTORE_URL_ETCD=${url}`, '/bin/bash', '-ce', ETCD_INIT_SCRIPT], log);
      }
      default:
        log.line('stdout', `sandbox: init container ${name} has nothing to do`);
        return Promise.resolve({ code: 0, out: '' });
    }
  }

  private spawnEtcd(m: Member): void {
    const ns = this.spec.namespace;
    const n = m.n;
    const stateFile = join(m.podDir, 'clusterstate', 'state');
    const state = existsSync(stateFile) ? readFileSync(stateFile, 'utf8').trim() || 'new' : 'new';
    const logFile = join(this.logDir(n), 'etcd.log');
    // A restarted container: the kubelet keeps the previous instance's log (`kubectl logs -p`).
    if (m.restarts > 0 && existsSync(logFile)) renameSync(logFile, join(this.logDir(n), 'etcd.previous.log'));
    const log = new CriLog(logFile);
    const ip = this.ip(n);
    // The etcd container (statefulset.yaml): ETCD_INITIAL_CLUSTER_STATE=$(cat /etc/etcd/clusterstate/state),
    // ETCD_INITIAL_CLUSTER of every replica (statefulset.go adaptStatefulSet), TLS from /etc/etcd/tls.
    const args = [
      '/usr/bin/etcd',
      `--name=etcd-${n}`,
      '--data-dir=/var/lib/data',
      `--listen-client-urls=https://${ip}:2379`,
      `--advertise-client-urls=https://${peerHost(ns, n)}:2379`,
      `--listen-peer-urls=https://${ip}:2380`,
      `--initial-advertise-peer-urls=${peerURL(ns, n)}`,
      `--initial-cluster=${initialCluster(ns, this.spec.size)}`,
      `--initial-cluster-state=${state}`,
      `--cert-file=${TLS.serverCert}`,
      `--key-file=${TLS.serverKey}`,
      `--trusted-ca-file=${TLS.ca}`,
      '--client-cert-auth=true',
      `--peer-cert-file=${TLS.peerCert}`,
      `--peer-key-file=${TLS.peerKey}`,
      `--peer-trusted-ca-file=${TLS.ca}`,
      '--peer-client-cert-auth=true',
      '--snapshot-count=10000',
      // Small members on a shared 2-core machine: modest quota, patient elections, no fsync.
      '--quota-backend-bytes=536870912',
      '--heartbeat-interval=250',
      '--election-timeout=2500',
      '--unsafe-no-fsync',
      '--log-level=warn',
    ];
    const child = spawn('/usr/bin/unshare', ['--mount', '--propagation', 'private', '/bin/sh', this.enter, m.podDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    log.attach(child);
    m.proc = child;
    m.startedAt = Date.now();
    m.healthy = false;
    this.log(`etcd ${this.spec.key}: started etcd-${n} (${state}) pid ${child.pid} on ${ip}`);
    writePids(this.dir, this.members);
    child.on('exit', (code, signal) => {
      void log.end();
      if (m.proc !== child) return;
      m.proc = undefined;
      m.healthy = false;
      m.restarts++;
      m.lastExit = { code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), at: iso(), startedAt: iso(m.startedAt ?? Date.now()) };
      m.nextStart = Date.now() + backoffMs(m.restarts);
      this.log(`etcd ${this.spec.key}: etcd-${n} exited (${code ?? signal}); restart ${m.restarts} in ${Math.round((m.nextStart - Date.now()) / 1000)}s`);
    });
  }
}

function readdirSafe(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function writePids(dir: string, members: Map<number, Member>): void {
  const pids = [...members.values()].map((m) => m.proc?.pid).filter((p): p is number => !!p);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pids'), pids.join('\n'));
}

/** Kills member processes left behind by a simulator that was killed hard (pids files under base). */
export function killStaleMembers(base: string): void {
  const walk = (d: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      if (e === 'pids') {
        for (const pid of readFileSync(p, 'utf8').split('\n').filter(Boolean).map(Number)) {
          try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            if (cmd.includes('/usr/bin/etcd')) process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      } else if (!e.includes('.') && e !== 'pods' && e !== 'volumes' && e !== 'shims' && e !== 'logs') walk(p);
    }
  };
  walk(base);
}

export { sleep };

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
// Lifecycle, as the real etcd pod's init + entrypoint do:
// - data dir present: start from it;
// - data dir empty, cluster has quorum: `member remove` the stale entry, `member add`, start with
//   --initial-cluster-state=existing (the upstream reset-member init container);
// - data dir empty, no quorum and restoreSnapshotURL set at creation: download it (HTTP status
//   errors fail the init container visibly), `etcdutl snapshot restore`, start;
// - data dir empty, no quorum, a peer has data on disk: start with --initial-cluster-state=existing
//   and an empty log, so that the peer with the data leads and sends it (docs 8.3);
// - otherwise: start as a new member of the initial cluster.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { preparePod, podExecObject } from './podfs.ts';

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
export const initialCluster = (ns: string, size: number) =>
  Array.from({ length: size }, (_, n) => `etcd-${n}=${peerURL(ns, n)}`).join(',');

export interface EtcdClusterSpec {
  /** `<hc-ns>/<hc-name>`. */
  key: string;
  namespace: string; // control-plane namespace
  mgmtIndex: number;
  clusterIndex: number;
  size: number;
  restoreURL?: string;
}

export interface HostPki { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string }

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The cluster's own CA and certificates (made once, with openssl, like part 1's pki.ts). */
export function ensureEtcdPki(dir: string, spec: EtcdClusterSpec): HostPki {
  mkdirSync(dir, { recursive: true });
  const p = (n: string) => join(dir, n);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  if (!existsSync(p('ca.crt'))) {
    openssl(['req', '-x509', ...key, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '3650', '-subj', '/OU=openshift/CN=etcd-signer',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }
  const ns = spec.namespace;
  const ips = Array.from({ length: 3 }, (_, n) => `IP:${memberIP(spec.mgmtIndex, spec.clusterIndex, n)}`);
  const sans = ['DNS:localhost', `DNS:etcd-client.${ns}.svc`, `DNS:*.etcd-client.${ns}.svc`, `DNS:etcd-discovery.${ns}.svc`,
    `DNS:*.etcd-discovery.${ns}.svc`, 'IP:127.0.0.1', ...ips].join(',');
  const issue = (name: string, subj: string, ext: string) => {
    if (existsSync(p(`${name}.crt`))) return;
    writeFileSync(p(`${name}.ext`), `${ext}\n`);
    openssl(['req', ...key, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj]);
    openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '3650',
      '-out', p(`${name}.crt`), '-extfile', p(`${name}.ext`)]);
  };
  const usage = 'keyUsage=critical,digitalSignature,keyEncipherment';
  issue('server', '/OU=openshift/CN=etcd-server', `${usage}\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${sans}`);
  issue('etcd-client', '/OU=openshift/CN=etcd-client', `${usage}\nextendedKeyUsage=clientAuth`);
  return { ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('etcd-client.crt'), clientKey: p('etcd-client.key') };
}

/** What the simulator shows for an etcd pod. */
export type MemberPhase =
  | { kind: 'waiting' } // not started yet (volume not bound, ...)
  | { kind: 'init-failed'; exitCode: number; message: string; restarts: number }
  | { kind: 'starting'; since: number; restarts: number; lastExit?: ExitInfo }
  | { kind: 'healthy'; since: number; restarts: number; lastExit?: ExitInfo }
  | { kind: 'crashloop'; restarts: number; lastExit: ExitInfo; nextStart: number };

export interface ExitInfo { code: number; at: string; startedAt: string; message: string }

interface Member {
  n: number;
  podUid: string;
  podDir: string;
  dataHostDir: string; // the PV directory (mounted at /var/lib)
  proc?: ChildProcess;
  startedAt?: number;
  restarts: number;
  lastExit?: ExitInfo;
  nextStart: number;
  healthy: boolean;
  healthySince?: number;
  initError?: { exitCode: number; message: string; restarts: number };
  busy: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EtcdCluster {
  readonly spec: EtcdClusterSpec;
  readonly dir: string;
  readonly pki: HostPki;
  private readonly binDir: string;
  /** enter.sh (installed by podfs.installShims). */
  private readonly enter: string;
  private readonly members = new Map<number, Member>();
  private readonly log: (m: string) => void;

  constructor(spec: EtcdClusterSpec, dir: string, binDir: string, enter: string, log: (m: string) => void) {
    this.spec = spec;
    this.enter = enter;
    this.dir = dir;
    this.binDir = binDir;
    this.log = log;
    this.pki = ensureEtcdPki(join(dir, 'tls'), spec);
  }

  ip(n: number): string {
    return memberIP(this.spec.mgmtIndex, this.spec.clusterIndex, n);
  }

  get initializedMarker(): string {
    return join(this.dir, 'initialized');
  }

  hosts(n?: number): [string, ...string[]][] {
    const ns = this.spec.namespace;
    const lines: [string, ...string[]][] = [['127.0.0.1', 'localhost.localdomain']];
    for (let k = 0; k < 3; k++) {
      const names = [peerHost(ns, k), clientHost(ns, k), `etcd-${k}`];
      if (k === n) names.unshift('localhost');
      lines.push([this.ip(k), ...names]);
    }
    if (n === undefined) lines[0].push('localhost');
    return lines;
  }

  /** The files every etcd pod (and member) sees under /etc/etcd/tls. */
  tlsFiles(): Record<string, Buffer> {
    const r = (f: string) => readFileSync(f);
    return {
      [TLS.ca]: r(this.pki.ca), [TLS.clientCert]: r(this.pki.clientCert), [TLS.clientKey]: r(this.pki.clientKey),
      [TLS.serverCert]: r(this.pki.serverCert), [TLS.serverKey]: r(this.pki.serverKey),
      [TLS.peerCert]: r(this.pki.serverCert), [TLS.peerKey]: r(this.pki.serverKey),
    };
  }

  programs(): Record<string, string> {
    return Object.fromEntries(['etcd', 'etcdctl', 'etcdutl'].map((p) => [p, join(this.binDir, p)]));
  }

  /** Prepares an etcd pod's filesystem; returns its kwok Exec object. */
  preparePod(podDir: string, pod: string, n: number, dataHostDir: string, workDir: string): object {
    preparePod(podDir, {
      hosts: this.hosts(n), files: this.tlsFiles(), mounts: [[dataHostDir, '/var/lib']], programs: this.programs(),
      env: { HOSTNAME: pod, NAMESPACE: this.spec.namespace },
    });
    return podExecObject(this.spec.namespace, pod, podDir, workDir);
  }

  /** Called every loop for each etcd pod that is scheduled with its volume bound. */
  ensureMember(n: number, podUid: string, podDir: string, dataHostDir: string): void {
    let m = this.members.get(n);
    if (m && m.podUid !== podUid) {
      void this.stopMember(n);
      m = undefined;
    }
    if (!m) {
      m = { n, podUid, podDir, dataHostDir, restarts: 0, nextStart: 0, healthy: false, busy: false };
      this.members.set(n, m);
    }
    if (!m.proc && !m.busy && Date.now() >= m.nextStart) {
      m.busy = true;
      this.start(m).catch((err: Error) => {
        m.nextStart = Date.now() + 3000;
        this.log(`etcd ${this.spec.key} member ${n}: ${err.message.split('\n').pop()}`);
      }).finally(() => { m.busy = false; });
    }
  }

  /** Stops members whose pods are gone (n not in keep). */
  retain(keep: Set<number>): void {
    for (const n of [...this.members.keys()]) if (!keep.has(n)) void this.stopMember(n);
  }

  /** Stops member n (SIGTERM, SIGKILL after 5s); resolves when the process is gone. */
  stopMember(n: number): Promise<void> {
    const m = this.members.get(n);
    if (!m) return Promise.resolve();
    this.members.delete(n);
    const p = m.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    p.removeAllListeners('exit');
    return new Promise((resolve) => {
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      p.once('exit', () => { clearTimeout(t); resolve(); });
      p.kill('SIGTERM');
    });
  }

  stopAll(): Promise<void> {
    return Promise.all([...this.members.keys()].map((n) => this.stopMember(n))).then(() => undefined);
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
    if (m.initError) return { kind: 'init-failed', ...m.initError };
    if (m.proc && m.healthy) return { kind: 'healthy', since: m.healthySince ?? Date.now(), restarts: m.restarts, lastExit: m.lastExit };
    if (m.proc || m.busy || !m.lastExit) return { kind: 'starting', since: m.startedAt ?? Date.now(), restarts: m.restarts, lastExit: m.lastExit };
    return { kind: 'crashloop', restarts: m.restarts, lastExit: m.lastExit, nextStart: m.nextStart };
  }

  healthyCount(): number {
    return [...this.members.values()].filter((m) => m.proc && m.healthy).length;
  }

  /** Polls /health of every running member (client-cert TLS). */
  async checkHealth(): Promise<void> {
    await Promise.all([...this.members.values()].map(async (m) => {
      if (!m.proc) {
        m.healthy = false;
        return;
      }
      const ok = await this.health(m.n);
      if (ok && !m.healthy) m.healthySince = Date.now();
      m.healthy = ok;
    }));
    // Once the cluster has had quorum it is "created": later empty members join, never restore
    // (every member of a new cluster must restore the same snapshot, or the empty ones could
    // elect a leader without the data).
    if (this.healthyCount() >= Math.floor(this.spec.size / 2) + 1 && !existsSync(this.initializedMarker)) {
      writeFileSync(this.initializedMarker, new Date().toISOString());
    }
  }

  health(n: number, timeoutMs = 2000): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request({
        host: this.ip(n), port: 2379, path: '/health', method: 'GET', timeout: timeoutMs, servername: 'localhost',
        ca: readFileSync(this.pki.ca), cert: readFileSync(this.pki.clientCert), key: readFileSync(this.pki.clientKey),
      }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  /** Runs etcdctl on the host against the given members (by address, real TLS). */
  etcdctl(args: string[], members: number[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
    const endpoints = members.map((n) => `https://${this.ip(n)}:2379`).join(',');
    const full = ['--cacert', this.pki.ca, '--cert', this.pki.clientCert, '--key', this.pki.clientKey, '--endpoints', endpoints,
      '--command-timeout=5s', ...args];
    return new Promise((resolve) => {
      execFile(join(this.binDir, 'etcdctl'), full, { timeout: timeoutMs }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  /** Runs a program inside a pod's filesystem (as `kubectl exec` would); resolves to its exit code and output. */
  inPod(podDir: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile('/usr/bin/unshare', ['--mount', '--propagation', 'private', '/bin/sh', this.enter, podDir, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
      });
    });
  }

  private async start(m: Member): Promise<void> {
    const ns = this.spec.namespace;
    const n = m.n;
    const dataDir = join(m.dataHostDir, 'data');
    const hasData = existsSync(join(dataDir, 'member'));
    let state: 'new' | 'existing' = 'new';
    let cluster = initialCluster(ns, this.spec.size);
    if (!hasData) {
      const others = [...this.members.values()].filter((o) => o.n !== n && o.proc && o.healthy).map((o) => o.n);
      if (others.length) {
        // reset-member: replace our stale membership entry, then join the running cluster.
        const list = await this.etcdctl(['member', 'list', '-w', 'json'], others);
        if (list.code === 0) {
          // Member IDs are uint64: keep them as strings (JSON numbers would lose precision).
          const parsed = JSON.parse(list.stdout.replace(/"(ID|cluster_id|member_id)":(\d+)/g, '"$1":"$2"')) as { members?: { ID: number | string; name?: string; peerURLs?: string[] }[] };
          const mine = (parsed.members ?? []).find((x) => x.name === `etcd-${n}` || x.peerURLs?.includes(peerURL(ns, n)));
          if (mine) {
            const hex = BigInt(mine.ID).toString(16);
            const rm = await this.etcdctl(['member', 'remove', hex], others);
            this.log(`etcd ${this.spec.key}: member remove etcd-${n} (${hex}): ${rm.code === 0 ? 'ok' : rm.stderr.trim()}`);
          }
          const add = await this.etcdctl(['member', 'add', `etcd-${n}`, `--peer-urls=${peerURL(ns, n)}`], others);
          if (add.code !== 0) throw new Error(`member add etcd-${n}: ${add.stderr.trim()}`);
          const ic = /ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(add.stdout);
          if (ic) cluster = ic[1];
          state = 'existing';
          this.log(`etcd ${this.spec.key}: member add etcd-${n}: joining ${cluster}`);
        }
      } else if (this.spec.restoreURL && !existsSync(this.initializedMarker)) {
        const ok = await this.restore(m);
        if (!ok) return;
      } else if ([...this.members.values()].some((o) => o.n !== n && existsSync(join(o.dataHostDir, 'data', 'member')))) {
        // The cluster exists on a peer's disk (e.g. the docs' 8.3 restore into member 0 only, or a
        // scale-up from 0): join it as an existing member with an empty log, so that the member
        // with the data wins the election and sends its snapshot. Bootstrapping as "new" would let
        // two empty members elect a leader and serve no data.
        state = 'existing';
        this.log(`etcd ${this.spec.key}: etcd-${n} has no data and a peer has: joining as an existing member`);
      }
    }
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    const logFile = join(this.dir, 'logs', `etcd-${n}.log`);
    const fd = openSync(logFile, 'a');
    const ip = this.ip(n);
    const args = [
      '/usr/bin/etcd', `--name=etcd-${n}`, '--data-dir=/var/lib/data',
      `--listen-client-urls=https://${ip}:2379`, `--advertise-client-urls=https://${clientHost(ns, n)}:2379`,
      `--listen-peer-urls=https://${ip}:2380`, `--initial-advertise-peer-urls=${peerURL(ns, n)}`,
      `--initial-cluster=${cluster}`, `--initial-cluster-state=${state}`, `--initial-cluster-token=${INITIAL_CLUSTER_TOKEN}`,
      `--cert-file=${TLS.serverCert}`, `--key-file=${TLS.serverKey}`, `--trusted-ca-file=${TLS.ca}`, '--client-cert-auth=true',
      `--peer-cert-file=${TLS.peerCert}`, `--peer-key-file=${TLS.peerKey}`, `--peer-trusted-ca-file=${TLS.ca}`, '--peer-client-cert-auth=true',
      // Small members on a shared 2-core machine: modest quota, patient elections.
      '--quota-backend-bytes=536870912', '--heartbeat-interval=250', '--election-timeout=2500', '--unsafe-no-fsync',
      '--log-level=warn',
    ];
    const child = spawn('/usr/bin/unshare', ['--mount', '--propagation', 'private', '/bin/sh', this.enter, m.podDir, ...args], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    m.proc = child;
    m.startedAt = Date.now();
    m.healthy = false;
    this.log(`etcd ${this.spec.key}: started etcd-${n} (${state}) pid ${child.pid} on ${ip}`);
    writePids(this.dir, this.members);
    child.on('exit', (code, signal) => {
      if (m.proc !== child) return;
      m.proc = undefined;
      m.healthy = false;
      m.restarts++;
      const tail = lastLines(logFile, 3);
      m.lastExit = { code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), at: new Date().toISOString(), startedAt: new Date(m.startedAt ?? Date.now()).toISOString(), message: tail };
      // The kubelet's crash back-off: 10s, doubling, at most 5 minutes.
      m.nextStart = Date.now() + Math.min(10_000 * 2 ** Math.max(0, m.restarts - 1), 300_000);
      this.log(`etcd ${this.spec.key}: etcd-${n} exited (${code ?? signal}); restart ${m.restarts} in ${Math.round((m.nextStart - Date.now()) / 1000)}s`);
    });
  }

  /** The restore init container: download the snapshot URL, `etcdutl snapshot restore` into this member. */
  private async restore(m: Member): Promise<boolean> {
    const snap = join(this.dir, 'restore-snapshot.db');
    if (!existsSync(snap)) {
      let failure: string | undefined;
      try {
        // The CRD only accepts https (or s3) URLs; the sandbox's MinIO serves plain HTTP on
        // 127.0.0.1, so its presigned https URLs are fetched over http. SigV4 signs the host,
        // not the scheme, so MinIO still checks the signature and the expiry for real.
        const res = await fetch(this.spec.restoreURL!.replace(/^https:\/\/127\.0\.0\.1:/, 'http://127.0.0.1:'));
        if (!res.ok) {
          const body = await res.text();
          const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
          failure = `curl: (22) The requested URL returned error: ${res.status}${code ? ` (${code})` : ''}`;
        } else {
          writeFileSync(`${snap}.${m.n}.part`, Buffer.from(await res.arrayBuffer()));
          renameSync(`${snap}.${m.n}.part`, snap);
        }
      } catch (err) {
        failure = `curl: (7) Failed to connect: ${(err as Error).message}`;
      }
      if (failure) {
        m.initError = { exitCode: 22, message: failure, restarts: (m.initError?.restarts ?? -1) + 1 };
        m.nextStart = Date.now() + Math.min(10_000 * 2 ** m.initError.restarts, 300_000);
        this.log(`etcd ${this.spec.key}: restore download failed for etcd-${m.n}: ${failure}`);
        return false;
      }
    }
    const podTmp = join(m.podDir, 'tmp');
    mkdirSync(podTmp, { recursive: true });
    execFileSync('cp', [snap, join(podTmp, 'snapshot.db')]);
    rmSync(join(m.dataHostDir, 'data'), { recursive: true, force: true });
    const ns = this.spec.namespace;
    const r = await this.inPod(m.podDir, ['etcdutl', 'snapshot', 'restore', '/tmp/snapshot.db', '--data-dir=/var/lib/data', `--name=etcd-${m.n}`,
      `--initial-cluster=${initialCluster(ns, this.spec.size)}`, `--initial-cluster-token=${INITIAL_CLUSTER_TOKEN}`,
      `--initial-advertise-peer-urls=${peerURL(ns, m.n)}`]);
    rmSync(join(podTmp, 'snapshot.db'), { force: true });
    if (r.code !== 0) {
      m.initError = { exitCode: r.code, message: r.out.trim().split('\n').slice(-2).join(' '), restarts: (m.initError?.restarts ?? -1) + 1 };
      m.nextStart = Date.now() + 10_000;
      return false;
    }
    m.initError = undefined;
    this.log(`etcd ${this.spec.key}: restored etcd-${m.n} from ${this.spec.restoreURL!.split('?')[0]}`);
    return true;
  }
}

function lastLines(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n').slice(-1000);
  } catch {
    return '';
  }
}

function writePids(dir: string, members: Map<number, Member>): void {
  const pids = [...members.values()].map((m) => m.proc?.pid).filter((p): p is number => !!p);
  writeFileSync(join(dir, 'pids'), pids.join('\n'));
}

/** Kills member processes left behind by a simulator that was killed hard (pids files under base). */
export function killStaleMembers(base: string): void {
  const walk = (d: string) => {
    let entries: string[] = [];
    try { entries = readdirSync(d); } catch { return; }
    for (const e of entries) {
      const p = join(d, e);
      if (e === 'pids') {
        for (const pid of readFileSync(p, 'utf8').split('\n').filter(Boolean).map(Number)) {
          try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            if (cmd.includes('/usr/bin/etcd')) process.kill(pid, 'SIGKILL');
          } catch { /* gone */ }
        }
      } else if (!e.includes('.') && e !== 'pods' && e !== 'volumes' && e !== 'shims') walk(p);
    }
  };
  walk(base);
}

export { sleep };

// Orchestration: build, start, seed, report and stop the sandbox.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { auditArgs } from './audit.ts';
import { AWS_REGION, BASE_DOMAIN, BUCKET, allPorts, clusters, paths, port, repoRoot, type ClusterSpec, type PortName } from './config.ts';
import { installShims } from './hosted-etcd/podfs.ts';
import { apply, kubectl, writeKubeconfig, type Target } from './kube.ts';
import { kwokArgs } from './kwok.ts';
import { ensurePki, type ClientName, type Pki } from './pki.ts';
import {
  isAlive,
  isHealthy,
  loadState,
  mtime,
  portFree,
  saveState,
  startAndWait,
  stop,
  unrecordedSandboxProcesses,
  type StartSpec,
  type State,
} from './processes.ts';
import {
  guestCrdFiles,
  guestObjects,
  mgmt1Namespaces,
  mgmtCrdFiles,
  mgmtNodeNames,
  nodes,
  operatorObjects,
  route53Seed,
  sampleClusterObjects,
  type Generated,
} from './seed.ts';

export interface SandboxInfo {
  dir: string;
  kubeconfig: string;
  guestKubeconfig: string;
  awsEnvFile: string;
  awsEnv: Record<string, string>;
  kubectl: string;
  binDir: string;
  ports: Record<string, number>;
}

const log = (msg: string) => process.stderr.write(`[sandbox] ${msg}\n`);
const nodeBin = existsSync(join(repoRoot, 'node_modules/.bin/node')) ? join(repoRoot, 'node_modules/.bin/node') : process.execPath;

/** Runs build.sh (which skips what is cached) and returns the binary directory it prints last. */
export function build(only = 'all'): Promise<string> {
  // Prebuilt binaries (e.g. restored from a CI cache) can be used as they are.
  if (process.env.HCP_SANDBOX_BIN_DIR) return Promise.resolve(process.env.HCP_SANDBOX_BIN_DIR);
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin` };
    const child = spawn('bash', [paths.buildScript, only], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').pop() ?? '') : reject(new Error(`build.sh failed (${code})`))));
  });
}

function generated(): Generated {
  if (existsSync(paths.credentials)) return JSON.parse(readFileSync(paths.credentials, 'utf8')) as Generated;
  const alnum = (n: number) => Array.from(randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 36]).join('');
  const g: Generated = {
    awsAccessKeyId: `AKIASBX${alnum(13)}`,
    awsSecretAccessKey: randomBytes(30).toString('base64'),
    etcdEncryptionKey: randomBytes(32).toString('base64'),
    clusterID: randomUUID(),
    infraID: `sample-${alnum(5).toLowerCase()}`,
  };
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.credentials, JSON.stringify(g, null, 2), { mode: 0o600 });
  return g;
}

export function awsEnv(g: Generated): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: g.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: g.awsSecretAccessKey,
    AWS_REGION,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port('minio')}`,
    AWS_ENDPOINT_URL_ROUTE_53: `http://127.0.0.1:${port('route53')}`,
    HCP_SANDBOX_BUCKET: BUCKET,
  };
}

// ---------- process specifications ----------

interface Ctx {
  bin: string;
  pki: Pki;
  g: Generated;
}

const apiserverUrl = (c: ClusterSpec) => `https://127.0.0.1:${c.ports.apiserver}`;
const kubeconfigFor = (c: ClusterSpec, who: ClientName) => join(paths.dir, 'kubeconfigs', `${c.name}-${who}.kubeconfig`);

function componentKubeconfigs(c: ClusterSpec, pki: Pki): void {
  mkdirSync(join(paths.dir, 'kubeconfigs'), { recursive: true });
  for (const who of ['admin', 'kube-controller-manager', 'kube-scheduler'] as const) {
    writeKubeconfig(kubeconfigFor(c, who), pki.ca.cert, [{ name: c.name, server: apiserverUrl(c), user: pki.clients[who] }]);
  }
}

function etcdSpec({ bin }: Ctx): StartSpec {
  const client = `http://127.0.0.1:${port('etcd')}`;
  const peer = `http://127.0.0.1:${port('etcdPeer')}`;
  return {
    name: 'etcd',
    command: join(bin, 'etcd'),
    healthUrl: `${client}/health`,
    args: [
      '--name=sandbox',
      `--data-dir=${paths.etcdData}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=sandbox=${peer}`,
      // Throwaway data on a laptop or CI disk: skip fsync for speed.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
  };
}

function apiserverSpec(c: ClusterSpec, { bin, pki }: Ctx): StartSpec {
  return {
    name: `${c.name}-kube-apiserver`,
    command: join(bin, 'kube-apiserver'),
    healthUrl: `${apiserverUrl(c)}/readyz`,
    tls: { ca: pki.ca.cert },
    timeoutMs: 180_000,
    args: [
      `--etcd-servers=http://127.0.0.1:${port('etcd')}`,
      `--etcd-prefix=${c.etcdPrefix}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${c.ports.apiserver}`,
      `--tls-cert-file=${pki.serving.cert}`,
      `--tls-private-key-file=${pki.serving.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      // Published for the controller-manager's and scheduler's delegated authentication.
      `--requestheader-client-ca-file=${pki.ca.cert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--cert-dir=${join(paths.pki, c.name)}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.serviceAccount.pub}`,
      `--service-account-signing-key-file=${pki.serviceAccount.key}`,
      `--service-cluster-ip-range=${c.serviceCIDR}`,
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      `--kubelet-client-certificate=${pki.clients['kubelet-client'].cert}`,
      `--kubelet-client-key=${pki.clients['kubelet-client'].key}`,
      // kwok nodes advertise 127.0.0.1 and their kwok's port; their names do not resolve.
      '--kubelet-preferred-address-types=InternalIP',
      // Endpoints may not hold loopback addresses, so don't publish the apiserver's own.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      ...auditArgs(c.name),
    ],
  };
}

function servingArgs(securePort: number, pki: Pki): string[] {
  return [
    '--bind-address=127.0.0.1',
    `--secure-port=${securePort}`,
    `--tls-cert-file=${pki.serving.cert}`,
    `--tls-private-key-file=${pki.serving.key}`,
    '--leader-elect=false',
  ];
}

function controllerManagerSpec(c: ClusterSpec, { bin, pki }: Ctx): StartSpec {
  const kc = kubeconfigFor(c, 'kube-controller-manager');
  return {
    name: `${c.name}-kube-controller-manager`,
    command: join(bin, 'kube-controller-manager'),
    healthUrl: `https://127.0.0.1:${c.ports.controllerManager}/healthz`,
    tls: { ca: pki.ca.cert },
    args: [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      ...servingArgs(c.ports.controllerManager, pki),
      `--cluster-name=${c.name}`,
      `--service-account-private-key-file=${pki.serviceAccount.key}`,
      `--root-ca-file=${pki.ca.cert}`,
      `--cluster-signing-cert-file=${pki.ca.cert}`,
      `--cluster-signing-key-file=${pki.ca.key}`,
      '--use-service-account-credentials=true',
    ],
  };
}

function schedulerSpec(c: ClusterSpec, { bin, pki }: Ctx): StartSpec {
  const kc = kubeconfigFor(c, 'kube-scheduler');
  return {
    name: `${c.name}-kube-scheduler`,
    command: join(bin, 'kube-scheduler'),
    healthUrl: `https://127.0.0.1:${c.ports.scheduler}/healthz`,
    tls: { ca: pki.ca.cert },
    args: [`--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`, ...servingArgs(c.ports.scheduler, pki)],
  };
}

function kwokSpec(c: ClusterSpec, { bin, pki }: Ctx): StartSpec {
  // Management clusters: kwok finds exec'd programs through the shims first, so that pods with a
  // private filesystem (etcd, see hosted-etcd/podfs.ts) run commands inside it.
  const shims = c.controllers ? installShims(paths.hostedEtcd) : undefined;
  return {
    name: `${c.name}-kwok`,
    command: join(bin, 'kwok'),
    healthUrl: `http://127.0.0.1:${c.ports.kwok}/healthz`,
    args: kwokArgs(c, kubeconfigFor(c, 'admin'), pki.serving),
    ...(shims ? { env: { PATH: `${shims}:${process.env.PATH ?? '/usr/bin:/bin'}` } } : {}),
  };
}

/** Part 2: the simulated HyperShift operator of a management cluster (scripts/sandbox/operator/). */
function operatorSpec(c: ClusterSpec, { bin, g }: Ctx): StartSpec {
  const p = port(`${c.name}-operator` as PortName);
  mkdirSync(join(paths.dir, 'operator'), { recursive: true });
  const file = join(paths.dir, 'operator', `${c.name}.json`);
  const config = {
    // Hosted etcd member N of cluster C listens on 127.<mgmtIndex>.<C>.<N+1>: derived from the
    // operator's port, so that two sandboxes with different port bases don't collide.
    cluster: c.name,
    mgmtIndex: (Math.floor(p / 100) % 250) + 1,
    kubeconfig: kubeconfigFor(c, 'admin'),
    binDir: bin,
    root: paths.hostedEtcd,
    workDir: paths.dir,
    awsEnv: awsEnv(g),
    baseDomain: BASE_DOMAIN,
    operatorNamespace: 'hypershift',
    port: p,
  };
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return {
    name: `${c.name}-hypershift-operator`,
    command: nodeBin,
    healthUrl: `http://127.0.0.1:${p}/healthz`,
    // The code's hash as an argument: `up` restarts the sandbox when the simulator's code changed.
    args: [join(repoRoot, 'scripts/sandbox/operator/main.ts'), file, `--code=${simulatorCodeHash()}`],
  };
}

/** sha256 of the simulated operator's and hosted etcd's sources and kwok's stages (one level each). */
function simulatorCodeHash(): string {
  const h = createHash('sha256');
  for (const dir of ['scripts/sandbox/operator', 'scripts/sandbox/hosted-etcd', 'scripts/sandbox/manifests/kwok']) {
    const abs = join(repoRoot, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs)
      .filter((x) => /\.(ts|sh|yaml)$/.test(x))
      .sort())
      h.update(f).update(readFileSync(join(abs, f)));
  }
  return h.digest('hex').slice(0, 16);
}

function minioSpec({ bin, g }: Ctx): StartSpec {
  return {
    name: 'minio',
    command: join(bin, 'minio'),
    healthUrl: `http://127.0.0.1:${port('minio')}/minio/health/ready`,
    args: [
      'server',
      paths.minioData,
      `--address=127.0.0.1:${port('minio')}`,
      `--console-address=127.0.0.1:${port('minioConsole')}`,
      // Both default to ~/.minio otherwise.
      `--certs-dir=${join(paths.dir, 'minio-certs')}`,
      `--config-dir=${join(paths.dir, 'minio-config')}`,
      '--quiet',
    ],
    env: {
      MINIO_ROOT_USER: g.awsAccessKeyId,
      MINIO_ROOT_PASSWORD: g.awsSecretAccessKey,
      MINIO_REGION: AWS_REGION,
      MINIO_BROWSER: 'off',
      // A static KMS key, so that SSE-S3 (x-amz-server-side-encryption: AES256) works as on AWS, where
      // every bucket takes it: without one MinIO refuses such a put ("KMS is not configured"), and
      // `dr backup` of a cluster with secret encryption stores its key that way. Derived from the
      // sandbox's own secret, so objects stay readable across restarts.
      MINIO_KMS_SECRET_KEY: `sandbox-key:${createHash('sha256').update(`kms:${g.awsSecretAccessKey}`).digest('base64')}`,
    },
  };
}

function route53Spec({ g }: Ctx): StartSpec {
  if (!existsSync(paths.route53State)) writeFileSync(paths.route53State, JSON.stringify(route53Seed(), null, 2));
  return {
    name: 'route53',
    command: nodeBin,
    healthUrl: `http://127.0.0.1:${port('route53')}/healthz`,
    args: [join(repoRoot, 'scripts/sandbox/route53.ts'), String(port('route53')), paths.route53State],
    env: { HCP_SANDBOX_R53_ACCESS_KEY: g.awsAccessKeyId, HCP_SANDBOX_R53_SECRET_KEY: g.awsSecretAccessKey },
  };
}

/** Every process the sandbox runs, in start order: each phase waits for the one before. */
function phases(ctx: Ctx): StartSpec[][] {
  const cs = clusters();
  return [
    [etcdSpec(ctx)],
    [...cs.map((c) => apiserverSpec(c, ctx)), minioSpec(ctx), route53Spec(ctx)],
    cs.flatMap((c) => [...(c.controllers ? [controllerManagerSpec(c, ctx), schedulerSpec(c, ctx)] : []), kwokSpec(c, ctx)]),
    cs.filter((c) => c.controllers).map((c) => operatorSpec(c, ctx)),
  ];
}

// ---------- seeding ----------

const target = (ctx: Ctx, c: ClusterSpec): Target => ({ kubectl: join(ctx.bin, 'kubectl'), kubeconfig: kubeconfigFor(c, 'admin') });

async function installCrds(t: Target, files: string[]): Promise<void> {
  await apply(t, [], files);
  await kubectl(t, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
}

async function seedCluster(ctx: Ctx, c: ClusterSpec, guestKubeconfig: string): Promise<void> {
  const t = target(ctx, c);
  if (c.name === 'guest') {
    await apply(t, guestObjects());
    // The ovnkube-node pods come from the DaemonSet, which the simulated operator runs (operator/guest.ts).
  } else {
    await apply(t, [...nodes(mgmtNodeNames(c.name)), ...operatorObjects()]);
    if (c.name === 'mgmt-1') {
      // status.kubeconfig is the simulated operator's to write (it makes sample-admin-kubeconfig too).
      await apply(t, [...mgmt1Namespaces(), ...sampleClusterObjects(ctx.g, guestKubeconfig)]);
    }
    await kubectl(t, ['rollout', 'status', 'deployment/operator', '-n', 'hypershift', '--timeout=120s']);
    // New namespaces get their default service account (needed for pods) once the
    // controller-manager's informers have synced: wait for that too.
    await kubectl(t, ['wait', '--for=create', 'serviceaccount/default', '-n', 'hypershift', '--timeout=120s']);
  }
  await kubectl(t, ['wait', '--for=condition=Ready', 'node', '--all', '--timeout=120s']);
}

async function createBucket(g: Generated): Promise<void> {
  const env = awsEnv(g);
  const s3 = new S3Client({
    region: AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: { accessKeyId: g.awsAccessKeyId, secretAccessKey: g.awsSecretAccessKey },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (err) {
    if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
  } finally {
    s3.destroy();
  }
}

function writeUserFiles(ctx: Ctx): SandboxInfo {
  const [m1, m2, guest] = clusters();
  const admin = ctx.pki.clients.admin;
  writeKubeconfig(
    paths.kubeconfig,
    ctx.pki.ca.cert,
    [m1, m2].map((c) => ({ name: c.name, server: apiserverUrl(c), user: admin })),
    'mgmt-1',
  );
  writeKubeconfig(paths.guestKubeconfig, ctx.pki.ca.cert, [{ name: guest.name, server: apiserverUrl(guest), user: admin }]);
  const env = awsEnv(ctx.g);
  writeFileSync(
    paths.awsEnv,
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  return {
    dir: paths.dir,
    kubeconfig: paths.kubeconfig,
    guestKubeconfig: paths.guestKubeconfig,
    awsEnvFile: paths.awsEnv,
    awsEnv: env,
    kubectl: join(ctx.bin, 'kubectl'),
    binDir: ctx.bin,
    ports: allPorts(),
  };
}

// ---------- commands ----------

/**
 * A sandbox is healthy when a complete `up` recorded exactly the processes this code would start,
 * with the same binaries and arguments (so a version or flag change restarts it), and each answers.
 */
async function healthy(state: State, specs: StartSpec[], tls: { ca: string }): Promise<boolean> {
  if (!state.complete || Object.keys(state.processes).length !== specs.length) return false;
  for (const spec of specs) {
    const rec = state.processes[spec.name];
    if (!rec || rec.command !== spec.command || JSON.stringify(rec.args) !== JSON.stringify(spec.args)) return false;
    if (rec.commandMtimeMs !== mtime(spec.command)) return false;
    if (!isAlive(rec) || !(await isHealthy(rec.healthUrl, tls))) return false;
  }
  return true;
}

/**
 * Serialises sandbox commands across processes (two test runs may call `up` at once): the lock
 * file holds the owner's PID; a lock whose owner is gone is taken over.
 */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(paths.dir, 'lock');
  mkdirSync(paths.dir, { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  let told = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(lock, 'utf8'));
      if (owner > 0 && !pidAlive(owner)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another sandbox command (pid ${owner}) still holds ${lock}`);
      if (!told) log(`waiting for another sandbox command (pid ${owner}) to finish`);
      told = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const up = () => withLock(upLocked);
export const down = () => withLock(stopAll);

async function upLocked(): Promise<SandboxInfo> {
  const t0 = Date.now();
  mkdirSync(paths.dir, { recursive: true });
  // The data remembers the ports it was made with (kwok nodes' kubelet endpoints, kubeconfigs,
  // certificates): after a port change it cannot work, so start again from nothing.
  const before = loadState().ports;
  if (before && Object.keys(before).length && JSON.stringify(before) !== JSON.stringify(allPorts())) {
    log('ports changed since the sandbox data was made: wiping .sandbox/ and starting anew');
    await wipe();
    mkdirSync(paths.dir, { recursive: true });
  }
  const bin = await build();
  const ctx: Ctx = { bin, pki: ensurePki(), g: generated() };
  const cs = clusters();
  cs.forEach((c) => componentKubeconfigs(c, ctx.pki));
  let state = loadState();
  const specs = phases(ctx);
  if (await healthy(state, specs.flat(), { ca: ctx.pki.ca.cert })) {
    log('already running and healthy');
    return writeUserFiles(ctx);
  }
  if (Object.values(state.processes).some(isAlive)) {
    log('sandbox is partly running, unfinished or configured differently: restarting it');
    await stopAll();
  }
  state = { binDir: bin, ports: allPorts(), processes: {}, complete: false };
  saveState(state);
  for (const [name, p] of Object.entries(allPorts())) {
    if (!(await portFree(p))) {
      throw new Error(
        `port ${p} (${name}) is already in use; stop what uses it or move the sandbox with HCP_SANDBOX_PORT_BASE=<n> (see scripts/sandbox/README.md)`,
      );
    }
  }
  try {
    const info = await start(ctx, state, specs);
    log(`up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return info;
  } catch (err) {
    log(`failed; stopping what was started (logs stay in ${paths.logs})`);
    await stopAll();
    throw err;
  }
}

async function start(ctx: Ctx, state: State, [first, second, third, fourth]: StartSpec[][]): Promise<SandboxInfo> {
  const cs = clusters();
  const guestKubeconfigText = () => readFileSync(paths.guestKubeconfig, 'utf8');
  log('starting etcd');
  await Promise.all(first.map((s) => startAndWait(state, s)));
  log('starting kube-apiservers, MinIO and Route 53');
  await Promise.all(second.map((s) => startAndWait(state, s)));
  const info = writeUserFiles(ctx);
  log('installing CRDs');
  await Promise.all(cs.map((c) => installCrds(target(ctx, c), c.name === 'guest' ? guestCrdFiles() : mgmtCrdFiles())));
  log('starting controller-managers, schedulers and kwok');
  await Promise.all(third.map((s) => startAndWait(state, s)));
  log('seeding clusters, bucket and zone');
  await Promise.all([...cs.map((c) => seedCluster(ctx, c, guestKubeconfigText())), createBucket(ctx.g)]);
  log('starting the simulated HyperShift operators; waiting for clusters-sample etcd');
  await Promise.all(fourth.map((s) => startAndWait(state, s)));
  await waitForSampleEtcd(target(ctx, cs[0]));
  state.complete = true;
  saveState(state);
  return info;
}

/** `up` is ready when clusters/sample's control plane has its three etcd pods Ready (real members). */
async function waitForSampleEtcd(t: Target, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await kubectl(t, [
      'get',
      'pods',
      '-n',
      'clusters-sample',
      '-l',
      'app=etcd',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}',
    ]).catch((e: Error) => e.message);
    if ((last.match(/etcd-\d=True/g) ?? []).length === 3) return;
    if (Date.now() > deadline)
      throw new Error(`clusters-sample etcd pods not Ready after ${timeoutMs / 1000}s: ${last}; see ${join(paths.logs, 'mgmt-1-hypershift-operator.log')}`);
    await sleep(500);
  }
}

async function stopAll(): Promise<void> {
  const state = loadState();
  // Stop in reverse start order: controllers and kwok, then apiservers, then etcd.
  const recorded = Object.values(state.processes);
  const recs = [...unrecordedSandboxProcesses(new Set(recorded.map((r) => r.pid))), ...recorded.reverse()];
  for (const rec of recs) {
    if (isAlive(rec)) log(`stopping ${rec.name} (pid ${rec.pid})`);
  }
  await Promise.all(recs.filter((r) => !r.name.endsWith('kube-apiserver') && r.name !== 'etcd').map((r) => stop(r)));
  await Promise.all(recs.filter((r) => r.name.endsWith('kube-apiserver')).map((r) => stop(r)));
  await Promise.all(recs.filter((r) => r.name === 'etcd').map((r) => stop(r)));
  saveState({ ...state, processes: {}, complete: false });
}

/** Removes all sandbox state (data, certificates, credentials) after stopping it. */
async function wipe(): Promise<void> {
  await stopAll();
  for (const f of readdirSync(paths.dir)) if (f !== 'lock') rmSync(join(paths.dir, f), { recursive: true, force: true });
}

export const clean = () => withLock(wipe);

export interface ProcessStatus {
  name: string;
  pid: number;
  alive: boolean;
  healthy: boolean;
  endpoint: string;
  log: string;
}

export async function status(): Promise<ProcessStatus[]> {
  const state = loadState();
  const ca = join(paths.pki, 'ca.crt');
  return Promise.all(
    Object.values(state.processes).map(async (rec) => {
      const alive = isAlive(rec);
      return { name: rec.name, pid: rec.pid, alive, healthy: alive && (await isHealthy(rec.healthUrl, { ca })), endpoint: rec.healthUrl, log: rec.log };
    }),
  );
}

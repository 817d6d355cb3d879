/**
 * `etcd snapshot`: docs 8.2.1 and the backup half of 8.3, verified end to end.
 *
 * pause → scale the etcd writers to 0 (counts recorded in the journal's memo) → per member:
 * `etcdctl snapshot save` in the pod, `etcdutl snapshot status` + `sha256sum` + the keyspace hash
 * at the snapshot's revision, stream the file out over exec (sha256 computed on the way, compared
 * with the pod's), write `.sha256` and the manifest, delete the file in the pod → scale the writers
 * back → resume. Pause and scale-down carry undo actions, so a failure anywhere scales back and
 * resumes too (unless --keep-paused). FACTS "etcd": no credential ever enters a pod; the upload is
 * SigV4 from this client.
 */
import { Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject, type ObjectRef } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import { applyChange } from '../plan/apply.ts';
import type { Change, Plan, Step, StepContext } from '../plan/plan.ts';
import { controlPlaneNamespace, type HostedCluster } from '../hostedcluster/types.ts';
import { hcRef } from '../hostedcluster/lookup.ts';
import { setPausedUntil } from '../hostedcluster/pause.ts';
import { runningWriters } from '../hostedcluster/writers.ts';
import { VERSION } from '../version.ts';
import { formatBytes, type EtcdHealthView } from './health.ts';
import { ETCD_VOLUME_ROOT, etcdctl, hashKvArgs, parseHashKv, parseSha256sum, parseSnapshotStatus, type EtcdTlsPaths } from './etcdctl.ts';
import { etcdExec, type EtcdExec } from './observe.ts';
import { HashingStream, describeLocation, storeFor, type Location, type SnapshotStore } from './sinks.ts';

/** FACTS: the deployments that write to etcd (control-plane-operator only matters for DR). */
export const ETCD_WRITERS = ['kube-apiserver', 'openshift-apiserver', 'openshift-oauth-apiserver'] as const;

export const MANIFEST_KIND = 'kubectl-hcp/etcd-snapshot';

export interface SnapshotManifest {
  kind: typeof MANIFEST_KIND;
  version: 1;
  hostedCluster: { namespace: string; name: string; clusterID?: string; infraID?: string };
  controlPlaneNamespace: string;
  release?: string;
  etcdVersion?: string;
  member: { pod: string; id?: string };
  memberIds: Record<string, string>;
  snapshot: { file: string; size: number; sha256: string; revision: number; etcdutlHash: number; totalKey: number };
  /** `etcdctl endpoint hashkv --rev=<revision>` of the cluster when the snapshot was taken. */
  keyspaceHash: { revision: number; hash: number } | null;
  takenAt: string;
  online: boolean;
  /** The secret named by spec.secretEncryption.aescbc.activeKey, never its value. */
  encryptionKey: { secretName: string; stored?: string } | null;
  tool: string;
}

/** `20261125T160412Z`: sortable, and valid in file names and S3 keys. */
export function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** `<cluster>-<pod>-<UTC timestamp>-snapshot.db` (issue 8). */
export function snapshotFileName(cluster: string, pod: string, at: Date): string {
  return `${cluster}-${pod}-${utcStamp(at)}-snapshot.db`;
}
export const sha256FileName = (db: string) => `${db}.sha256`;
export const manifestFileName = (db: string) => `${db}.manifest.json`;
export const encryptionKeyFileName = (cluster: string, at: Date) => `${cluster}-${utcStamp(at)}-encryption-key.json`;

/** The `.sha256` file, in `sha256sum -c` format. */
export const sha256Line = (sha: string, file: string) => `${sha}  ${file}\n`;

export interface Deployment extends KubeObject {
  spec?: { replicas?: number; [key: string]: unknown };
  status?: { replicas?: number; readyReplicas?: number };
}

export interface SnapshotInputs {
  hc: HostedCluster;
  view: EtcdHealthView;
  tls: EtcdTlsPaths;
  release?: string;
  /** The members to snapshot (default: the leader). */
  pods: string[];
  /** Replica counts of the writers now; null when the deployment does not exist. */
  writers: Record<string, number | null>;
  to: Location;
  s3: () => Promise<S3Client>;
  online: boolean;
  keepPaused: boolean;
  includeEncryptionKey: boolean;
  encryptionKeySecret?: string;
  now: Date;
  waitMs: number;
  /**
   * `--resume`: the pause and the writers at 0 may be the interrupted run's own doing, so every
   * pause/scale/resume step is planned and acts on the journal's memo, not on this run's view.
   */
  resuming?: boolean;
}

export interface SnapshotMemo extends Record<string, unknown> {
  stamp: string;
  pausedBefore: string | null;
  writers: Record<string, number | null>;
  files: Record<string, string>;
}

const setPaused = (hc: HostedCluster, value: string | null): Change => setPausedUntil(hcRef(hc), value);

export function planEtcdSnapshot(i: SnapshotInputs): Plan {
  const hc = i.hc;
  const cluster = hc.metadata.name;
  const cpns = controlPlaneNamespace(hc.metadata.namespace!, cluster);
  const memo: SnapshotMemo = {
    stamp: i.now.toISOString(),
    pausedBefore: hc.spec.pausedUntil ?? null,
    writers: i.writers,
    files: Object.fromEntries(i.pods.map((p) => [p, snapshotFileName(cluster, p, i.now)])),
  };
  const plan: Plan = {
    operation: 'etcd snapshot',
    target: `HostedCluster ${hc.metadata.namespace}/${cluster}`,
    steps: [],
    warnings: [],
    blockers: [],
    memo,
    journal: true,
  };
  // A resumed run gets the first run's memo (names, recorded counts) through plan.memo.
  const m = () => plan.memo as SnapshotMemo;

  for (const pod of i.pods) {
    const member = i.view.members.find((x) => x.name === pod);
    if (!member) plan.blockers.push({ message: `${pod} is not a member (members: ${i.view.members.map((x) => x.name).join(', ')})` });
    else if (!member.healthy) plan.blockers.push({ message: `${pod} is not healthy (${member.problems.join(', ')}): snapshot a healthy member (--member)` });
  }
  if (!i.view.askedPod) plan.blockers.push({ message: `no etcd member answered (${i.view.errors[0] ?? 'no pod'})` });
  if (i.includeEncryptionKey && !i.encryptionKeySecret)
    plan.blockers.push({ message: '--include-encryption-key: the HostedCluster has no spec.secretEncryption.aescbc.activeKey' });

  const alreadyPaused = memo.pausedBefore === 'true' && !i.resuming;
  const writersUp = Object.entries(i.writers).filter(([, n]) => (n ?? 0) > 0);
  // Resuming, every existing writer is scaled to 0 (idempotent): this run cannot tell which were up.
  const writersDown = i.resuming ? Object.entries(i.writers).filter(([, n]) => n !== null) : writersUp;
  const resumeChange = (ctx: StepContext) => applyChange(ctx.kube, setPaused(hc, m().pausedBefore));
  const quiesce = !i.online;
  if (quiesce) {
    if (!alreadyPaused) {
      plan.steps.push({
        id: 'pause',
        title: `Pause reconciliation of ${cluster} (pausedUntil: "true")`,
        changes: [setPaused(hc, 'true')],
        // The memo's value, read when it runs: a resumed run observed its own pause.
        undo: i.keepPaused ? undefined : { title: `resume reconciliation of ${cluster}`, run: resumeChange },
      });
    } else {
      plan.warnings.push(`${cluster} is already paused (pausedUntil "true"): it is left paused afterwards`);
    }
    if (writersDown.length) {
      plan.steps.push({
        id: 'scale-down-writers',
        title: i.resuming ? `Scale ${writersDown.map(([n]) => n).join(', ')} to 0` : `Scale ${writersUp.map(([n, r]) => `${n} (${r})`).join(', ')} to 0`,
        destructive: true,
        changes: writersDown.map(([name]) => ({ op: 'scale', ref: deploymentRef(cpns, name), replicas: 0 })),
        details: ['waits until their pods are gone, so that nothing writes to etcd during the snapshot'],
        run: (ctx) =>
          waitWritersDown(
            ctx,
            cpns,
            writersDown.map(([n]) => n),
            i.waitMs,
          ),
        undo: i.keepPaused
          ? undefined
          : { title: 'scale the etcd writers back', changes: [], run: (ctx) => scaleWriters(ctx.kube, cpns, m().writers, ctx.dryRun === 'server') },
      });
    }
  } else {
    plan.warnings.push('--online: the API servers keep writing; the snapshot is consistent at its revision, but writes after it are not in it');
  }
  const absent = Object.entries(i.writers)
    .filter(([, n]) => n === null)
    .map(([n]) => n);
  if (quiesce && absent.length) plan.warnings.push(`no deployment ${absent.join(', ')} in ${cpns}: nothing to scale there`);

  const store = storeFor(i.to, i.s3);
  for (const pod of i.pods) plan.steps.push(...memberSteps(i, pod, cpns, store, m));

  if (i.encryptionKeySecret) {
    const secret = i.encryptionKeySecret;
    if (i.includeEncryptionKey) {
      plan.steps.push({
        id: 'encryption-key',
        title: `Store the encryption key (secret ${hc.metadata.namespace}/${secret}) with the snapshot${i.to.kind === 's3' ? ' (SSE-S3)' : ' (mode 0600)'}`,
        details: ['the key value is stored, never printed'],
        run: async (ctx) => {
          const s = await ctx.kube.get<KubeObject & { data?: Record<string, string>; type?: string }>(Resources.Secret, hc.metadata.namespace, secret);
          const name = encryptionKeyFileName(cluster, new Date(m().stamp));
          const body = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: secret, namespace: hc.metadata.namespace },
            type: s.type ?? 'Opaque',
            data: s.data ?? {},
          };
          await store.putSmall(name, JSON.stringify(body, null, 2) + '\n', { secret: true });
          return { encryptionKeyStored: describeLocation(i.to, name) };
        },
      });
    } else {
      plan.warnings.push(
        `the etcd data is encrypted with the key in secret ${hc.metadata.namespace}/${secret} (spec.secretEncryption.aescbc.activeKey): a restore on another cluster needs it; it is not stored (--include-encryption-key stores it)`,
      );
    }
  }

  if (quiesce && !i.keepPaused) {
    if (writersUp.length || i.resuming) {
      plan.steps.push({
        id: 'scale-up-writers',
        title: i.resuming
          ? 'Scale the etcd writers back to the counts recorded before the snapshot'
          : `Scale ${writersUp.map(([n, r]) => `${n} back to ${r}`).join(', ')}`,
        changes: [],
        details: writersUp.map(([n, r]) => `scale deployment ${cpns}/${n} to ${r} (the count recorded before the snapshot)`),
        run: (ctx) => scaleWriters(ctx.kube, cpns, m().writers, ctx.dryRun === 'server'),
        serverDryRun: 'run',
      });
    }
    if (!alreadyPaused)
      plan.steps.push({
        id: 'resume',
        title: `Resume reconciliation of ${cluster}`,
        details: [
          `set spec.pausedUntil back to its value before the snapshot (${memo.pausedBefore === null ? 'null' : `"${memo.pausedBefore}"`}; the journal's when resumed)`,
        ],
        serverDryRun: 'run',
        run: resumeChange,
      });
  } else if (quiesce) {
    plan.warnings.push(`--keep-paused: ${cluster} stays paused and the writers stay at 0; kubectl hcp resume ${cluster} and scaling them back are up to you`);
  }
  return plan;
}

const deploymentRef = (ns: string, name: string): ObjectRef => ({ resource: Resources.Deployment, namespace: ns, name });

async function scaleWriters(kube: KubeClient, ns: string, counts: Record<string, number | null>, dryRun: boolean): Promise<void> {
  for (const [name, replicas] of Object.entries(counts)) {
    if (replicas === null || replicas === 0) continue;
    await kube.scale(Resources.Deployment, ns, name, replicas, { dryRun });
  }
}

async function waitWritersDown(ctx: StepContext, ns: string, names: string[], timeoutMs: number): Promise<void> {
  const r = await waitFor(
    'the etcd writers to stop',
    async () => {
      const left = await runningWriters(ctx.kube, ns, names, ctx.warn);
      return { done: left.length === 0, message: left.length ? `still running: ${left.join(', ')}` : 'all stopped' };
    },
    { timeoutMs, intervalMs: 1000, onProgress: ctx.progress },
  );
  if (r.timedOut) throw new Error(`the etcd writers did not stop within ${Math.round(timeoutMs / 1000)}s (${r.message})`);
}

function memberSteps(i: SnapshotInputs, pod: string, cpns: string, store: SnapshotStore, m: () => SnapshotMemo): Step[] {
  const file = () => m().files[pod];
  const inPod = () => `${ETCD_VOLUME_ROOT}/${file()}`;
  const exec = (ctx: StepContext): EtcdExec => etcdExec(ctx.kube, cpns);
  const key = (k: string) => `${pod}.${k}`;
  const where = describeLocation(i.to);
  return [
    {
      id: `save-${pod}`,
      title: `etcdctl snapshot save in ${pod}`,
      details: [
        `etcdctl --cacert ${i.tls.ca} --cert ${i.tls.cert} --key ${i.tls.key} --endpoints https://localhost:2379 snapshot save ${ETCD_VOLUME_ROOT}/${memoFile(i, pod)}`,
      ],
      run: async (ctx) => {
        const r = await exec(ctx)(pod, etcdctl(i.tls, ['snapshot', 'save', inPod()], { commandTimeout: '30m' }), { timeoutMs: 35 * 60_000 });
        if (r.exitCode !== 0) throw new Error(`etcdctl snapshot save failed in ${pod}: ${lastLine(r.stderr)}`);
        return { [key('podFile')]: inPod() };
      },
      undo: { title: `delete ${ETCD_VOLUME_ROOT}/${memoFile(i, pod)} in ${pod}`, run: async (ctx) => void (await exec(ctx)(pod, ['rm', '-f', inPod()])) },
    },
    {
      id: `inspect-${pod}`,
      title: `etcdutl snapshot status, sha256sum and the keyspace hash at its revision (${pod})`,
      // Read-only; an "undo" that does nothing lets a failed run count as fully undone, so that
      // its journal goes and the next run starts afresh (the file it inspected is deleted by then).
      undo: { title: `forget the checks of ${pod}'s snapshot` },
      run: async (ctx) => {
        const x = exec(ctx);
        const st = await x(pod, ['etcdutl', 'snapshot', 'status', inPod(), '-w', 'json']);
        if (st.exitCode !== 0) throw new Error(`etcdutl snapshot status failed in ${pod}: ${lastLine(st.stderr)}`);
        const status = parseSnapshotStatus(st.stdout);
        const sum = await x(pod, ['sha256sum', inPod()], { timeoutMs: 30 * 60_000 });
        if (sum.exitCode !== 0) throw new Error(`sha256sum failed in ${pod}: ${lastLine(sum.stderr)}`);
        // An empty keyspace has revision 0, and --rev=0 would mean "now": no hash to record then.
        const hk =
          status.revision > 0 ? await x(pod, etcdctl(i.tls, hashKvArgs(status.revision))) : { stdout: '', stderr: 'the snapshot has no keys (revision 0)' };
        const hashes = parseHashKv(hk.stdout);
        const own = hashes.find((h) => h.memberId === i.view.members.find((mm) => mm.name === pod)?.id) ?? hashes[0];
        if (!own)
          ctx.warn(`could not read the keyspace hash at revision ${status.revision} from ${pod}: ${lastLine(hk.stderr)}; restore can still verify the sha256`);
        return {
          [key('status')]: status,
          [key('podSha256')]: parseSha256sum(sum.stdout),
          [key('keyspaceHash')]: own ? { revision: status.revision, hash: own.hash } : null,
        };
      },
    },
    {
      id: `stream-${pod}`,
      title: `Stream ${memoFile(i, pod)} to ${where}, checking its sha256`,
      details: ['cat over exec → sha256 → destination, with backpressure; compared with sha256sum in the pod; then .sha256 and the manifest'],
      isDone: async () => (await store.exists(manifestFileName(file()))) && (await store.exists(file())),
      run: async (ctx) => {
        const podSha = ctx.artifacts[key('podSha256')] as string;
        const status = ctx.artifacts[key('status')] as ReturnType<typeof parseSnapshotStatus>;
        // The file's size for the bar's percentage and ETA (etcdutl's totalSize is the bbolt size, a page short of it).
        const st = await exec(ctx)(pod, ['stat', '-c', '%s', inPod()]).catch(() => ({ exitCode: 1, stdout: '' }));
        const total = st.exitCode === 0 && /^\d+$/.test(st.stdout.trim()) ? Number(st.stdout.trim()) : undefined;
        const { sha256, bytes } = await streamOut(exec(ctx), pod, inPod(), store, file(), ctx, podSha, total);
        const manifest: SnapshotManifest = {
          kind: MANIFEST_KIND,
          version: 1,
          hostedCluster: {
            namespace: i.hc.metadata.namespace!,
            name: i.hc.metadata.name,
            clusterID: i.hc.spec.clusterID,
            infraID: i.hc.spec.infraID as string | undefined,
          },
          controlPlaneNamespace: cpns,
          release: i.release,
          etcdVersion: i.view.members.find((x) => x.name === pod)?.version,
          member: { pod, id: i.view.members.find((x) => x.name === pod)?.id },
          memberIds: Object.fromEntries(i.view.members.filter((x) => x.id).map((x) => [x.name, x.id!])),
          snapshot: { file: file(), size: bytes, sha256, revision: status.revision, etcdutlHash: status.hash, totalKey: status.totalKey },
          keyspaceHash: (ctx.artifacts[key('keyspaceHash')] as SnapshotManifest['keyspaceHash']) ?? null,
          takenAt: m().stamp,
          online: i.online,
          encryptionKey: i.encryptionKeySecret
            ? {
                secretName: i.encryptionKeySecret,
                ...(i.includeEncryptionKey ? { stored: encryptionKeyFileName(i.hc.metadata.name, new Date(m().stamp)) } : {}),
              }
            : null,
          tool: `kubectl-hcp ${VERSION}`,
        };
        await store.putSmall(sha256FileName(file()), sha256Line(sha256, file()));
        await store.putSmall(manifestFileName(file()), JSON.stringify(manifest, null, 2) + '\n');
        return { [key('stored')]: describeLocation(i.to, file()), [key('sha256')]: sha256, [key('size')]: bytes, [key('revision')]: status.revision };
      },
    },
    {
      id: `cleanup-${pod}`,
      title: `Delete the snapshot file in ${pod}`,
      run: async (ctx) => {
        const r = await exec(ctx)(pod, ['rm', '-f', inPod()]);
        if (r.exitCode !== 0) ctx.warn(`could not delete ${inPod()} in ${pod}: ${lastLine(r.stderr)}`);
      },
    },
  ];
}

const memoFile = (i: SnapshotInputs, pod: string) => snapshotFileName(i.hc.metadata.name, pod, i.now);
const lastLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter((l) => !/^\{"level"/.test(l))
    .pop() ?? '';

/**
 * `cat FILE` in the pod → sha256 → the store, with backpressure end to end. A failure on either
 * side removes what was written (a `.partial` file, or the S3 object).
 */
export async function streamOut(
  exec: EtcdExec,
  pod: string,
  path: string,
  store: SnapshotStore,
  name: string,
  ctx: Pick<StepContext, 'progress' | 'now'>,
  /** `sha256sum` of the file in the pod: a mismatch (or a short stream) keeps nothing. */
  expectedSha256: string,
  /** The file's size (`stat` in the pod), for the progress bar's percentage and ETA. */
  total?: number,
): Promise<{ sha256: string; bytes: number }> {
  const started = ctx.now().getTime();
  let lastReport = 0;
  const hasher = new HashingStream((bytes) => {
    const t = ctx.now().getTime();
    if (t - lastReport < 500) return;
    lastReport = t;
    const rate = bytes / Math.max(0.001, (t - started) / 1000);
    ctx.progress(`${formatBytes(bytes)}${total ? ` of ${formatBytes(total)}` : ''} at ${formatBytes(rate)}/s`, {
      bytes,
      total,
      bytesPerSecond: Math.round(rate),
    });
  });
  const pending = await store.begin(name);
  hasher.pipe(pending.stream);
  let storeError: unknown;
  pending.done.catch((e: unknown) => {
    storeError = e;
    // Keep the exec draining (and discard) so that it ends instead of waiting on backpressure.
    hasher.unpipe();
    hasher.resume();
  });
  const stderr: Buffer[] = [];
  try {
    const r = await exec(pod, ['cat', path], { stdout: hasher, stderr: collect(stderr), timeoutMs: 0 });
    if (r.exitCode !== 0) throw new Error(`cat ${path} in ${pod} exited ${r.exitCode}: ${Buffer.concat(stderr).toString('utf8').trim()}`);
    hasher.end();
    await pending.done;
    if (storeError) throw storeError;
    const sha256 = hasher.digest();
    if (sha256 !== expectedSha256)
      throw new Error(`sha256 mismatch for ${name}: received ${sha256} (${hasher.bytes} bytes), the pod has ${expectedSha256}; nothing was kept`);
    await pending.commit();
    return { sha256, bytes: hasher.bytes };
  } catch (err) {
    await pending.abort();
    throw err;
  }
}

function collect(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _e, cb) {
      if (into.length < 64) into.push(chunk);
      cb();
    },
  });
}

/** What the snapshot plan needs from the cluster: etcd's health, TLS paths, writers' counts, the key's name. */
export async function observeSnapshot(kube: KubeClient, hc: HostedCluster, opts: { member?: string; allMembers: boolean }) {
  const { observeEtcd, releaseOf } = await import('./observe.ts');
  const { summarizeEtcd } = await import('./health.ts');
  const cpns = controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name);
  const [observed, ...deployments] = await Promise.all([
    observeEtcd(kube, hc),
    ...ETCD_WRITERS.map((n) => kube.getOrNull<Deployment>(Resources.Deployment, cpns, n)),
  ]);
  const view = summarizeEtcd(observed);
  const pods = opts.allMembers
    ? view.members.map((x) => x.name)
    : opts.member
      ? [opts.member]
      : view.leader
        ? [view.leader]
        : view.askedPod
          ? [view.askedPod]
          : [];
  return {
    view,
    tls: observed.tls ?? (await import('./etcdctl.ts')).TLS_PATHS,
    release: releaseOf(hc),
    pods,
    writers: Object.fromEntries(ETCD_WRITERS.map((n, idx) => [n, deployments[idx] ? (deployments[idx]!.spec?.replicas ?? 1) : null])) as Record<
      string,
      number | null
    >,
    encryptionKeySecret: hc.spec.secretEncryption?.aescbc?.activeKey?.name,
  };
}

/**
 * `etcd restore NAME --from FILE|s3://…`: docs 8.3, the full procedure, proven before and after.
 *
 * Unlike the docs, every member's volume is restored (see memberSteps for why).
 *
 * Before anything is touched (observe): the snapshot's sha256 against its manifest and `.sha256`,
 * `etcdutl snapshot status` on it (in a running etcd pod's /tmp when there is one), and that the
 * manifest belongs to this cluster. Then the docs' steps, each journaled so that a killed run
 * continues with --resume and never restores twice; finally every member's keyspace hash at the
 * snapshot's revision is compared with the one recorded in the manifest.
 */
import { type Readable, Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KubeClient } from '../kube/client.ts';
import { Resources } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import { applyChange } from '../plan/apply.ts';
import type { Change, Plan, Step, StepContext } from '../plan/plan.ts';
import { controlPlaneNamespace, type HostedCluster } from '../hostedcluster/types.ts';
import { hcRef } from '../hostedcluster/lookup.ts';
import { setPausedUntil } from '../hostedcluster/pause.ts';
import { runningWriters } from '../hostedcluster/writers.ts';
import { RuntimeError, UsageError } from '../util/errors.ts';
import {
  ETCD_STATEFULSET,
  ETCD_VOLUME_ROOT,
  INITIAL_CLUSTER_TOKEN,
  etcdctl,
  hashKvArgs,
  parseHashKv,
  parseSha256sum,
  parseSnapshotStatus,
  type EtcdTlsPaths,
} from './etcdctl.ts';
import { etcdImageOf, formatBytes, podView, summarizeEtcd, type Pod, type StatefulSet } from './health.ts';
import { etcdExec, observeEtcd, type EtcdExec } from './observe.ts';
import { HashingStream, storeFor, type Location, type SnapshotStore } from './sinks.ts';
import { ETCD_WRITERS, MANIFEST_KIND, manifestFileName, sha256FileName, type Deployment, type SnapshotManifest } from './snapshot.ts';

export const DATA_DEPLOYMENT = 'etcd-data';
export const RESTORE_FILE = `${ETCD_VOLUME_ROOT}/restored.snap.db`;
/** Written next to (not inside) the data dir once a restore finished: a resumed run skips it. */
export const RESTORED_MARKER = `${ETCD_VOLUME_ROOT}/.kubectl-hcp-restored`;

export const peerURL = (ns: string, n: number) => `https://etcd-${n}.etcd-discovery.${ns}.svc:2380`;
/** `--initial-cluster` exactly as docs 8.3 writes it, for this namespace and member count. */
export const initialCluster = (ns: string, members: number) => Array.from({ length: members }, (_, n) => `etcd-${n}=${peerURL(ns, n)}`).join(',');

/** The `etcdutl snapshot restore` argv of docs 8.3 (into `dataDir`). */
export function restoreArgs(ns: string, members: number, file: string, dataDir: string, member = 0): string[] {
  return [
    'etcdutl',
    'snapshot',
    'restore',
    file,
    `--data-dir=${dataDir}`,
    '--name',
    `etcd-${member}`,
    `--initial-cluster-token=${INITIAL_CLUSTER_TOKEN}`,
    '--initial-cluster',
    initialCluster(ns, members),
    '--initial-advertise-peer-urls',
    peerURL(ns, member),
  ];
}

/** The label of dr restore's data pods, which spread across zones as the etcd pods they stand in for do. */
export const SEED_LABEL = 'kubectl-hcp.io/etcd-volume-seed';

/** How upstream spreads HA etcd pods over zones: required, but only preferred on OpenStack and KubeVirt (setMultizoneSpread). */
export type Spread = 'required' | 'preferred';

export function etcdZoneSpread(platformType: string | undefined): Spread {
  return platformType === 'OpenStack' || platformType === 'KubeVirt' ? 'preferred' : 'required';
}

function zoneAntiAffinity(spread: Spread): Record<string, unknown> {
  const term = { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { [SEED_LABEL]: 'true' } } };
  return spread === 'required'
    ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
}

/**
 * The docs' etcd-data Deployment: the etcd image, PVC data-etcd-0 at /var/lib, sleeping. With
 * `spread` (dr restore's seeds of new claims) its pod also carries SEED_LABEL and avoids the zones
 * of other such pods as upstream's HA etcd pods avoid each other's (a topology.kubernetes.io/zone
 * anti-affinity, controlplane-component setMultizoneSpread), and a
 * WaitForFirstConsumer claim is provisioned in the zone of the first pod that mounts it, so the
 * data pods, all running at once, put the volumes where the etcd pods can follow them.
 */
export function dataDeployment(ns: string, image: string, member = 0, opts: { spread?: Spread } = {}): Record<string, unknown> {
  const name = member === 0 ? DATA_DEPLOYMENT : `${DATA_DEPLOYMENT}-${member}`;
  const podLabels = { app: name, ...(opts.spread ? { [SEED_LABEL]: 'true' } : {}) };
  return {
    metadata: { name, namespace: ns, labels: { app: name, 'app.kubernetes.io/managed-by': 'kubectl-hcp' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          ...(opts.spread ? { affinity: { podAntiAffinity: zoneAntiAffinity(opts.spread) } } : {}),
          containers: [
            {
              name: 'access',
              image,
              volumeMounts: [{ name: 'data', mountPath: ETCD_VOLUME_ROOT }],
              command: ['/usr/bin/bash'],
              args: ['-c', 'while true; do\n  sleep 1000\ndone'],
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-etcd-${member}` } }],
        },
      },
    },
  };
}

/** Where the snapshot is: a local .db file, or an S3 object; its manifest and .sha256 sit next to it. */
export type SnapshotSource = { location: Location; name: string };

export function parseSource(from: string): SnapshotSource {
  if (from.startsWith('s3://')) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(from);
    if (!m || m[2].endsWith('/')) throw new UsageError(`--from ${from}: name the snapshot object, e.g. s3://bucket/prefix/name-snapshot.db`);
    const slash = m[2].lastIndexOf('/');
    return { location: { kind: 's3', bucket: m[1], prefix: slash < 0 ? '' : m[2].slice(0, slash) }, name: m[2].slice(slash + 1) };
  }
  const path = from.startsWith('file://') ? from.slice(7) : from;
  const slash = path.lastIndexOf('/');
  return { location: { kind: 'file', dir: slash < 0 ? '.' : path.slice(0, slash) || '/' }, name: path.slice(slash + 1) };
}

export interface VerifiedSnapshot {
  manifest: SnapshotManifest;
  sha256: string;
  size: number;
}

/**
 * Reads the manifest and `.sha256`, then streams the whole snapshot through sha256. Throws on any
 * mismatch, naming what differs; nothing has been touched at that point. A snapshot that is not
 * one, or is cut short or corrupt, is bad input (exit 2, issue 11's bad-input corpus), like any
 * other file a user names.
 */
export async function verifySnapshot(store: SnapshotStore, name: string): Promise<VerifiedSnapshot> {
  const manifestText = await store.getSmall(manifestFileName(name));
  if (manifestText === null)
    throw new UsageError(`no manifest ${manifestFileName(name)} next to the snapshot: only snapshots taken by kubectl hcp etcd snapshot can be verified`);
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(manifestText) as SnapshotManifest;
  } catch {
    throw new UsageError(`${manifestFileName(name)} is not valid JSON`);
  }
  if (manifest?.kind !== MANIFEST_KIND || !/^[0-9a-f]{64}$/.test(manifest.snapshot?.sha256 ?? ''))
    throw new UsageError(`${manifestFileName(name)} is not a kubectl-hcp snapshot manifest`);
  const line = await store.getSmall(sha256FileName(name));
  const listed = line === null ? null : /^([0-9a-f]{64})\s/.exec(line)?.[1];
  if (line !== null && listed !== manifest.snapshot.sha256) throw new UsageError(`${sha256FileName(name)} and the manifest disagree on the sha256 of ${name}`);
  const h = new HashingStream();
  const source = await store.read(name);
  await new Promise<void>((resolve, reject) => {
    source.on('error', reject);
    h.on('error', reject);
    source
      .pipe(h)
      .pipe(new Writable({ write: (_c, _e, cb) => cb() }))
      .on('finish', resolve)
      .on('error', reject);
  });
  const sha256 = h.digest();
  if (sha256 !== manifest.snapshot.sha256 || h.bytes !== manifest.snapshot.size) {
    throw new UsageError(
      `snapshot ${name} does not match its manifest: sha256 ${sha256} (${h.bytes} bytes), manifest ${manifest.snapshot.sha256} (${manifest.snapshot.size} bytes); it is corrupt or not the snapshot the manifest describes`,
    );
  }
  return { manifest, sha256, size: h.bytes };
}

/** Streams a stored object into a file in a pod (`cat > FILE`), with backpressure; `progress` gets bytes, total and rate. */
export async function streamIn(
  exec: EtcdExec,
  pod: string,
  store: SnapshotStore,
  name: string,
  path: string,
  progress?: { ctx: Pick<StepContext, 'progress' | 'now'>; total: number },
): Promise<void> {
  const source = await store.read(name);
  let stdin: Readable = source;
  if (progress) {
    const { ctx, total } = progress;
    const started = ctx.now().getTime();
    let last = 0;
    const counter = new HashingStream((bytes) => {
      const t = ctx.now().getTime();
      if (t - last < 500 && bytes < total) return;
      last = t;
      const rate = bytes / Math.max(0.001, (t - started) / 1000);
      ctx.progress(`${formatBytes(bytes)} of ${formatBytes(total)} at ${formatBytes(rate)}/s`, { bytes, total, bytesPerSecond: Math.round(rate) });
    });
    source.on('error', (e) => counter.destroy(e));
    stdin = source.pipe(counter);
  }
  const r = await exec(pod, ['sh', '-c', 'cat > "$0"', path], { stdin, timeoutMs: 0 });
  if (r.exitCode !== 0) throw new Error(`writing ${path} in ${pod} failed: ${r.stderr.trim()}`);
}

/** `etcdutl snapshot status` of a stored snapshot, run in a running etcd pod's /tmp (no volume touched). */
export async function snapshotStatusInPod(exec: EtcdExec, pod: string, store: SnapshotStore, name: string) {
  const tmp = `/tmp/kubectl-hcp-check-${name}`;
  try {
    await streamIn(exec, pod, store, name, tmp);
    const st = await exec(pod, ['etcdutl', 'snapshot', 'status', tmp, '-w', 'json']);
    if (st.exitCode !== 0)
      throw new RuntimeError(`etcdutl snapshot status rejects ${name}: ${st.stderr.trim().split('\n').pop()}`, { state: 'nothing was changed' });
    return parseSnapshotStatus(st.stdout);
  } finally {
    await exec(pod, ['rm', '-f', tmp]).catch(() => undefined);
  }
}

export interface RestoreInputs {
  hc: HostedCluster;
  source: SnapshotSource;
  s3: () => Promise<S3Client>;
  verified: VerifiedSnapshot;
  /** PVCs data-etcd-N of members that have none (each member's volume is restored). */
  missingVolumes?: string[];
  /** `etcdutl snapshot status` of the snapshot, when a running pod could run it before anything changed. */
  preflightStatus?: { revision: number; totalKey: number };
  fromOtherCluster: boolean;
  /**
   * `--resume`: the cluster may be paused and the writers at 0 because of the interrupted run
   * itself, so the pause, scale and resume steps are all planned and act on the journal's memo
   * (the first run's observations), never on what this run observed.
   */
  resuming?: boolean;
  members: number;
  image: string;
  tls: EtcdTlsPaths;
  writers: Record<string, number | null>;
  waitMs: number;
}

export interface RestoreMemo extends Record<string, unknown> {
  pausedBefore: string | null;
  writers: Record<string, number | null>;
  members: number;
  image: string;
  sha256: string;
}

const setPaused = (hc: HostedCluster, value: string | null): Change => setPausedUntil(hcRef(hc), value);
const lastLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter((l) => !/^\{"level"/.test(l))
    .pop() ?? '';

export function planEtcdRestore(i: RestoreInputs): Plan {
  const hc = i.hc;
  const ns = controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name);
  const man = i.verified.manifest;
  const memo: RestoreMemo = { pausedBefore: hc.spec.pausedUntil ?? null, writers: i.writers, members: i.members, image: i.image, sha256: i.verified.sha256 };
  const plan: Plan = {
    operation: 'etcd restore',
    target: `HostedCluster ${hc.metadata.namespace}/${hc.metadata.name}`,
    steps: [],
    warnings: [],
    blockers: [],
    memo,
    journal: true,
  };
  const m = () => plan.memo as RestoreMemo;

  const same =
    man.hostedCluster.namespace === hc.metadata.namespace &&
    man.hostedCluster.name === hc.metadata.name &&
    (!man.hostedCluster.clusterID || !hc.spec.clusterID || man.hostedCluster.clusterID === hc.spec.clusterID);
  if (!same && !i.fromOtherCluster) {
    plan.blockers.push({
      message: `the snapshot is of HostedCluster ${man.hostedCluster.namespace}/${man.hostedCluster.name}${man.hostedCluster.clusterID ? ` (clusterID ${man.hostedCluster.clusterID})` : ''}, not of this one`,
      override: '--from-other-cluster',
    });
  }
  if (i.preflightStatus && i.preflightStatus.revision !== man.snapshot.revision) {
    plan.blockers.push({ message: `etcdutl reports revision ${i.preflightStatus.revision}, the manifest ${man.snapshot.revision}` });
  }
  if (i.missingVolumes?.length)
    plan.blockers.push({
      message: `PVC ${i.missingVolumes.join(', ')} missing in ${ns}: every member's volume is restored; scale statefulset etcd up once so that it creates them`,
    });
  if (!i.preflightStatus)
    plan.warnings.push('no etcd pod is running to check the snapshot with etcdutl now: it is checked in the etcd-data pod before the restore');
  if (man.encryptionKey && !same)
    plan.warnings.push(
      `the data is encrypted with the key of secret ${man.encryptionKey.secretName} of the source cluster: this cluster must use the same key`,
    );
  if (!man.keyspaceHash) plan.warnings.push('the manifest has no keyspace hash: the result is verified by health only');

  const writersUp = Object.entries(i.writers).filter(([, n]) => (n ?? 0) > 0);
  const wait = (ctx: StepContext, what: string, probe: () => Promise<{ done: boolean; message: string }>, ms = i.waitMs) =>
    waitFor(what, probe, { timeoutMs: ms, intervalMs: 1000, onProgress: ctx.progress }).then((r) => {
      if (r.timedOut) throw new Error(`timed out after ${Math.round(ms / 1000)}s waiting for ${what} (${r.message})`);
    });
  const store = storeFor(i.source.location, i.s3);
  const volumes: MemberVolumes = {
    ns,
    members: () => m().members,
    image: i.image,
    waitMs: i.waitMs,
    snapshot: () => ({ store, name: i.source.name, sha256: m().sha256, size: i.verified.size, revision: man.snapshot.revision }),
  };

  const steps: Step[] = [];
  const pausing = i.resuming || memo.pausedBefore !== 'true';
  // Resuming, every existing writer is scaled to 0 (idempotent): this run cannot tell which were up.
  const writersDown = i.resuming ? Object.entries(i.writers).filter(([, n]) => n !== null) : writersUp;
  if (pausing) steps.push({ id: 'pause', title: `Pause reconciliation of ${hc.metadata.name}`, changes: [setPaused(hc, 'true')] });
  if (writersDown.length) {
    steps.push({
      id: 'scale-down-writers',
      title: i.resuming ? `Scale ${writersDown.map(([n]) => n).join(', ')} to 0` : `Scale ${writersUp.map(([n, r]) => `${n} (${r})`).join(', ')} to 0`,
      changes: writersDown.map(([n]) => ({ op: 'scale', ref: { resource: Resources.Deployment, namespace: ns, name: n }, replicas: 0 })),
      run: (ctx) =>
        wait(ctx, 'the etcd writers to stop', async () => {
          const left = await runningWriters(
            ctx.kube,
            ns,
            writersDown.map(([n]) => n),
            ctx.warn,
          );
          return { done: !left.length, message: left.length ? `running: ${left.join(', ')}` : 'stopped' };
        }),
    });
  }
  steps.push({
    id: 'scale-down-etcd',
    title: 'Scale statefulset etcd to 0',
    destructive: true,
    changes: [{ op: 'scale', ref: { resource: Resources.StatefulSet, namespace: ns, name: ETCD_STATEFULSET }, replicas: 0 }],
    run: (ctx) =>
      wait(ctx, 'the etcd pods to be gone', async () => {
        const pods = await ctx.kube.list<Pod>(Resources.Pod, { namespace: ns, labelSelector: 'app=etcd' });
        return { done: pods.items.length === 0, message: `${pods.items.length} left` };
      }),
  });
  for (let n = 0; n < i.members; n++) steps.push(...memberVolumeSteps(volumes, n));
  steps.push({
    id: 'scale-up-etcd',
    title: `Scale statefulset etcd to ${i.members} and wait for every member healthy`,
    details: [`scale statefulset ${ns}/${ETCD_STATEFULSET} to ${i.members}`],
    run: async (ctx) => {
      const n = m().members;
      await ctx.kube.scale(Resources.StatefulSet, ns, ETCD_STATEFULSET, n);
      await wait(ctx, `${n} healthy members`, async () => {
        const pods = await ctx.kube.list<Pod>(Resources.Pod, { namespace: ns, labelSelector: 'app=etcd' });
        const ready = pods.items.map(podView).filter((v) => v.etcdReady).length;
        if (ready < n) return { done: false, message: `${ready}/${n} pods ready` };
        const v = summarizeEtcd(await observeEtcd(ctx.kube, hc, { hashes: false }));
        return { done: v.healthyCount === n, message: `${v.healthyCount}/${n} members healthy` };
      });
    },
  });
  if (writersUp.length || i.resuming) {
    steps.push({
      id: 'scale-up-writers',
      title: i.resuming
        ? 'Scale the etcd writers back to the counts recorded before the restore'
        : `Scale ${writersUp.map(([n, r]) => `${n} back to ${r}`).join(', ')}`,
      serverDryRun: 'run',
      run: async (ctx) => {
        for (const [n, r] of Object.entries(m().writers)) if (r) await ctx.kube.scale(Resources.Deployment, ns, n, r, { dryRun: ctx.dryRun === 'server' });
      },
    });
  }
  if (pausing)
    steps.push({
      id: 'resume',
      title: `Resume reconciliation of ${hc.metadata.name}`,
      details: [
        `set spec.pausedUntil back to ${memo.pausedBefore === null ? 'null' : `"${memo.pausedBefore}"`} (its value before the restore, from the journal when resumed)`,
      ],
      serverDryRun: 'run',
      // The memo's value, read when the step runs: a resumed run observed its own pause.
      run: (ctx) => applyChange(ctx.kube, setPaused(hc, m().pausedBefore)),
    });
  steps.push({
    id: 'verify',
    title: man.keyspaceHash
      ? `Verify: every member's keyspace hash at revision ${man.keyspaceHash.revision} is ${man.keyspaceHash.hash} (the manifest's)`
      : 'Verify: every member healthy',
    run: async (ctx) => {
      const v = summarizeEtcd(await observeEtcd(ctx.kube, hc, { hashes: false }));
      if (v.healthyCount !== m().members) throw new Error(`${v.healthyCount}/${m().members} members healthy`);
      if (!man.keyspaceHash) return { verified: 'health' };
      const run = etcdExec(ctx.kube, ns);
      const r = await run(v.askedPod!, etcdctl(i.tls, hashKvArgs(man.keyspaceHash.revision)));
      const hashes = parseHashKv(r.stdout);
      const wrong = hashes.filter((h) => h.hash !== man.keyspaceHash!.hash);
      if (hashes.length !== m().members || wrong.length) {
        throw new Error(
          `keyspace hash at revision ${man.keyspaceHash.revision}: ${hashes.map((h) => `${h.endpoint} ${h.hash}`).join(', ') || lastLine(r.stderr)}; the manifest says ${man.keyspaceHash.hash}`,
        );
      }
      return { verified: 'keyspace-hash', hashRevision: man.keyspaceHash.revision, hash: man.keyspaceHash.hash, membersVerified: hashes.length };
    },
  });
  plan.steps = steps;
  return plan;
}

/** Where memberVolumeSteps restores a snapshot: the control-plane namespace, the snapshot, the etcd image. */
export interface MemberVolumes {
  ns: string;
  /** How many members the restored cluster has (`--initial-cluster`); read for titles and when the steps run. */
  members: () => number;
  /** The etcd image for the data pod; a function when it is known only when the steps run (no declarative create then). */
  image: string | ((ctx: StepContext) => string);
  waitMs: number;
  /** The cluster the steps act on (default the step's kube). */
  kube?: (ctx: StepContext) => KubeClient;
  /** New claims: the data pods spread across zones (see dataDeployment), as read when the steps run. */
  spread?: (ctx: StepContext) => Spread;
  /** The snapshot and what it must be, read when the steps run. */
  snapshot: (ctx: StepContext) => { store: SnapshotStore; name: string; sha256: string; size: number; revision: number };
}

/**
 * Every member's volume gets the snapshot, each restored under its own name (etcd's documented
 * way): the docs' 8.3 restores only member 0 and deletes the other volumes, and then two empty
 * members can elect a leader of their own (equal raft logs) and serve an empty keyspace next to
 * member 0's data; the sandbox showed it, and the keyspace-hash check caught it. (Upstream's
 * etcd-init.sh for restoreSnapshotURL restores without a name or --initial-cluster at all, so each
 * member of an HA cluster becomes a cluster of its own: dr restore seeds the volumes with these
 * steps before the HostedCluster exists.)
 */
export function memberVolumeSteps(v: MemberVolumes, n: number): Step[] {
  const { ns } = v;
  const member = `etcd-${n}`;
  const dn = n === 0 ? DATA_DEPLOYMENT : `${DATA_DEPLOYMENT}-${n}`;
  const kubeOf = (ctx: StepContext) => (v.kube ? v.kube(ctx) : ctx.kube);
  const wait = (ctx: StepContext, what: string, probe: () => Promise<{ done: boolean; message: string }>) =>
    waitFor(what, probe, { timeoutMs: v.waitMs, intervalMs: 1000, onProgress: ctx.progress }).then((r) => {
      if (r.timedOut) throw new Error(`timed out after ${Math.round(v.waitMs / 1000)}s waiting for ${what} (${r.message})`);
    });
  const dataPod = async (ctx: StepContext) => {
    const pods = await kubeOf(ctx).list<Pod>(Resources.Pod, { namespace: ns, labelSelector: `app=${dn}` });
    return pods.items.find((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running')?.metadata.name;
  };
  const needDataPod = async (ctx: StepContext) => {
    const p = await dataPod(ctx);
    if (!p) throw new Error(`no running ${dn} pod in ${ns}`);
    return p;
  };
  const x = (ctx: StepContext): EtcdExec => etcdExec(kubeOf(ctx), ns, 'access');
  const ref = { resource: Resources.Deployment, namespace: ns, name: dn };
  const waitForVolume = (ctx: StepContext) =>
    wait(ctx, `the ${dn} pod to see the volume of ${member}`, async () => {
      const p = await dataPod(ctx);
      if (!p) return { done: false, message: 'no running pod yet' };
      // A kubelet mounts before it starts the container; the sandbox a moment after: look for the
      // member's data, or (a new, empty claim: dr restore's seeds) for the volume's mount.
      const r = await x(ctx)(p, ['sh', '-c', 'test -d "$0/data" || grep -qs " $0 " /proc/mounts', ETCD_VOLUME_ROOT]).catch(() => ({ exitCode: 1 }));
      return { done: r.exitCode === 0, message: `${p} running, ${r.exitCode === 0 ? 'volume visible' : 'volume not visible yet'}` };
    });
  const image = v.image;
  return [
    {
      id: `create-data-pod-${member}`,
      title: `Create deployment ${dn} (etcd image, PVC data-${member} at ${ETCD_VOLUME_ROOT}) and wait until it sees the volume`,
      ...(typeof image === 'string'
        ? { changes: [{ op: 'create', ref, body: dataDeployment(ns, image, n), ifExists: 'skip' } as Change], run: waitForVolume }
        : {
            details: [
              `create deployment ${ns}/${dn}: the etcd image of the backed-up cluster, sleeping, PVC data-${member} at ${ETCD_VOLUME_ROOT}` +
                (v.spread ? '; in a zone of its own (the zone anti-affinity of the etcd pods)' : ''),
            ],
            run: async (ctx: StepContext) => {
              await applyChange(kubeOf(ctx), { op: 'create', ref, body: dataDeployment(ns, image(ctx), n, { spread: v.spread?.(ctx) }), ifExists: 'skip' });
              await waitForVolume(ctx);
            },
          }),
    },
    {
      id: `copy-in-${member}`,
      title: `Stream the snapshot into ${RESTORE_FILE} of ${member}'s volume and check it there (sha256sum, etcdutl snapshot status)`,
      isDone: async (ctx) => {
        const p = await dataPod(ctx);
        if (!p) return false;
        const r = await x(ctx)(p, ['sha256sum', RESTORE_FILE]).catch(() => ({ exitCode: 1, stdout: '' }));
        return r.exitCode === 0 && parseSha256sum(r.stdout) === v.snapshot(ctx).sha256;
      },
      run: async (ctx) => {
        const snap = v.snapshot(ctx);
        const p = await needDataPod(ctx);
        await streamIn(x(ctx), p, snap.store, snap.name, RESTORE_FILE, { ctx, total: snap.size });
        const sum = await x(ctx)(p, ['sha256sum', RESTORE_FILE], { timeoutMs: 0 });
        const got = parseSha256sum(sum.stdout);
        if (got !== snap.sha256) throw new Error(`the copy in ${p} has sha256 ${got}, not ${snap.sha256}: the transfer was damaged`);
        const st = await x(ctx)(p, ['etcdutl', 'snapshot', 'status', RESTORE_FILE, '-w', 'json']);
        if (st.exitCode !== 0) throw new Error(`etcdutl snapshot status rejects the snapshot: ${lastLine(st.stderr)}`);
        const status = parseSnapshotStatus(st.stdout);
        if (status.revision !== snap.revision) throw new Error(`etcdutl reports revision ${status.revision}, the manifest ${snap.revision}`);
      },
    },
    {
      id: `restore-${member}`,
      title: `etcdutl snapshot restore into ${ETCD_VOLUME_ROOT}/data as ${member} of ${v.members()}`,
      destructive: true,
      details: [
        restoreArgs(ns, v.members(), RESTORE_FILE, `${ETCD_VOLUME_ROOT}/restore`, n).join(' '),
        `into ${ETCD_VOLUME_ROOT}/restore first, then moved over ${ETCD_VOLUME_ROOT}/data (as upstream's etcd-init.sh), so that a crash never leaves half a data dir`,
      ],
      isDone: async (ctx) => {
        const p = await dataPod(ctx);
        if (!p) return false;
        const r = await x(ctx)(p, ['cat', RESTORED_MARKER]).catch(() => ({ exitCode: 1, stdout: '' }));
        return r.exitCode === 0 && r.stdout.trim() === v.snapshot(ctx).sha256;
      },
      run: async (ctx) => {
        const p = await needDataPod(ctx);
        const run = x(ctx);
        const staging = `${ETCD_VOLUME_ROOT}/restore`;
        await run(p, ['rm', '-rf', staging]);
        const r = await run(p, restoreArgs(ns, v.members(), RESTORE_FILE, staging, n), { timeoutMs: 0 });
        if (r.exitCode !== 0) throw new Error(`etcdutl snapshot restore failed: ${lastLine(r.stderr)}`);
        // The docs' rm -rf /var/lib/data, then the restored dir in its place, then the marker.
        const mv = await run(p, [
          'sh',
          '-c',
          'rm -rf "$1" && mv "$0" "$1" && printf %s "$2" > "$3"',
          staging,
          `${ETCD_VOLUME_ROOT}/data`,
          v.snapshot(ctx).sha256,
          RESTORED_MARKER,
        ]);
        if (mv.exitCode !== 0) throw new Error(`moving the restored data into place failed: ${lastLine(mv.stderr)}`);
      },
    },
    {
      id: `cleanup-data-pod-${member}`,
      title: `Remove ${RESTORE_FILE} and deployment ${dn}`,
      run: async (ctx) => {
        const p = await dataPod(ctx);
        if (p) await x(ctx)(p, ['rm', '-f', RESTORE_FILE, RESTORED_MARKER]);
        await kubeOf(ctx).delete(Resources.Deployment, ns, dn, { propagationPolicy: 'Foreground' });
        await wait(ctx, `the ${dn} pod to be gone`, async () => {
          const pods = await kubeOf(ctx).list<Pod>(Resources.Pod, { namespace: ns, labelSelector: `app=${dn}` });
          return { done: pods.items.length === 0, message: `${pods.items.length} left` };
        });
      },
    },
  ];
}

export async function observeRestore(kube: KubeClient, hc: HostedCluster) {
  const ns = controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name);
  const [observed, sts, pvcs, ...deployments] = await Promise.all([
    observeEtcd(kube, hc, { hashes: false }),
    kube.getOrNull<StatefulSet>(Resources.StatefulSet, ns, ETCD_STATEFULSET),
    kube.list(Resources.PersistentVolumeClaim, { namespace: ns }),
    ...ETCD_WRITERS.map((n) => kube.getOrNull<Deployment>(Resources.Deployment, ns, n)),
  ]);
  if (!sts) throw new RuntimeError(`statefulset ${ns}/${ETCD_STATEFULSET} not found: is etcd Managed?`);
  const image = etcdImageOf(sts);
  if (!image) throw new RuntimeError(`statefulset ${ns}/${ETCD_STATEFULSET} has no container image`);
  const { TLS_PATHS } = await import('./etcdctl.ts');
  const { candidatePods } = await import('./observe.ts');
  const have = new Set(pvcs.items.map((p) => p.metadata.name));
  // A resumed restore may find etcd scaled to 0 by its first run: the members' volumes still count them.
  const members = sts.spec?.replicas || [...have].filter((n) => /^data-etcd-\d+$/.test(n)).length || 3;
  return {
    missingVolumes: Array.from({ length: members }, (_, n) => `data-etcd-${n}`).filter((n) => !have.has(n)),
    runningPod: candidatePods(observed.pods).find((p) => observed.pods.some((x) => x.metadata.name === p && podView(x).etcdReady)),
    members,
    image,
    tls: observed.tls ?? TLS_PATHS,
    writers: Object.fromEntries(ETCD_WRITERS.map((n, idx) => [n, deployments[idx] ? (deployments[idx]!.spec?.replicas ?? 1) : null])) as Record<
      string,
      number | null
    >,
  };
}

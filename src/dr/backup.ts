/**
 * `dr backup`: docs 8.4.3, checked first and fenced.
 *
 * claim → configmap mgmt-parent-cluster in the guest → pause the HostedCluster and every NodePool →
 * scale kube-apiserver, openshift-apiserver, openshift-oauth-apiserver and control-plane-operator to
 * 0 (counts recorded) → snapshot every member to S3 through `etcd snapshot`'s steps (and the
 * encryption key) → PVC retention interlock → **fence**: etcd's StatefulSet to 0, PVCs kept, so no
 * write can reach this copy any more → the objects (src/dr/objects.ts) → delete the control-plane
 * Routes and wait for the cluster's Route 53 records to go → verify → backup.json.
 *
 * Every step before the fence has an undo, so a failure before it puts the cluster back; after it,
 * `dr rollback` (src/dr/rollback.ts) does, on demand.
 */
import { existsSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import { isAlreadyExists, isNotFound } from '../kube/errors.ts';
import type { Plan, StepContext } from '../plan/plan.ts';
import { runningWriters } from '../hostedcluster/writers.ts';
import { condition, controlPlaneNamespace, type HostedCluster, type NodePool } from '../hostedcluster/types.ts';
import { waitConditionStep } from '../plan/wait-step.ts';
import { hcRef, npRef } from '../hostedcluster/lookup.ts';
import { setPausedUntil } from '../hostedcluster/pause.ts';
import { ETCD_LABEL, ETCD_STATEFULSET } from '../etcd/etcdctl.ts';
import { etcdImageOf, type StatefulSet } from '../etcd/health.ts';
import { ETCD_WRITERS, manifestFileName, planEtcdSnapshot, sha256FileName, type SnapshotInputs, type SnapshotMemo } from '../etcd/snapshot.ts';
import { describeLocation, storeFor, type Location } from '../etcd/sinks.ts';
import { PrivateWriter } from '../util/private-writer.ts';
import { planPvcRetention, type RetentionObservation } from './pvc-retention.ts';
import { acquireClaim, claimKey, releaseClaim, type Claim } from './claim.ts';
import { clusterRecords } from './dns.ts';
import { describeObjects, readClusterObjects, verifyObjects, writeObjects, OBJECTS_MANIFEST, type BackupObject } from './objects.ts';

/** FACTS: the etcd writers, and control-plane-operator for DR (it would scale them back). */
export const DR_WRITERS = [...ETCD_WRITERS, 'control-plane-operator'] as const;
export const BACKUP_RECORD = 'backup.json';
export const BACKUP_RECORD_KIND = 'kubectl-hcp/dr-backup';
export const PARENT_CONFIGMAP = 'mgmt-parent-cluster';
/** Room the backup dir needs at least (the objects are a few MiB even for large clusters). */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

export interface BackupRecord {
  kind: typeof BACKUP_RECORD_KIND;
  version: 1;
  runId: string;
  hostedCluster: { namespace: string; name: string };
  source: { server: string; name: string };
  bucket: string;
  prefix: string;
  snapshots: { member: string; key: string; sha256: string; size: number; revision: number }[];
  /** The key restoreSnapshotURL is presigned for (one URL: FACTS). */
  restoreFrom: string;
  finalRevision: number;
  keyspaceHash: { revision: number; hash: number } | null;
  encryptionKey?: string;
  pausedBefore: { hostedCluster: string | null; nodePools: Record<string, string | null> };
  writers: Record<string, number | null>;
  etcdReplicas: number;
  /** The etcd container's image: dr restore seeds an HA cluster's volumes with it (restoreEtcdVolumeSteps). */
  etcdImage?: string;
  fencedAt: string;
  zoneId?: string;
  hostnames: string[];
  objects: Record<string, number>;
}

export interface BackupMemo extends SnapshotMemo {
  runId: string;
  backupDir: string;
  fencedAt?: string;
  pausedBeforeAll: BackupRecord['pausedBefore'];
  drWriters: Record<string, number | null>;
  etcdReplicas: number;
  etcdImage?: string;
}

export interface BackupInputs {
  hc: HostedCluster;
  nodePools: NodePool[];
  /** The observed snapshot inputs of every member (src/etcd/snapshot.ts observeSnapshot). */
  snapshot: Omit<SnapshotInputs, 'hc' | 'to' | 's3' | 'online' | 'keepPaused' | 'includeEncryptionKey' | 'now' | 'waitMs'>;
  writers: Record<string, number | null>;
  etcdSts: StatefulSet | null;
  /** The control-plane namespace's StatefulSets and their PVC retention policies. */
  retention: RetentionObservation[];
  externalDnsProblem?: string;
  bucketProblem?: string;
  guestProblem?: string;
  sourceName: string;
  sourceServer: string;
  bucket: string;
  prefix: string;
  s3: () => Promise<S3Client>;
  route53: () => Promise<Route53Client>;
  zoneId?: string;
  zoneProblem?: string;
  hostnames: string[];
  backupDir: string;
  runId: string;
  /** --resume: the backup dir of the first run may exist already. */
  resume: boolean;
  /** Another run's live ownership Lease (helper D's lease.ts), described. */
  ownerProblem?: string;
  /** In --dry-run: the objects the backup would write, read now (listed in the client plan). */
  preview?: BackupObject[];
  now: Date;
  waitMs: number;
  dnsTimeoutMs: number;
}

export const snapshotLocation = (bucket: string, prefix: string, hc: HostedCluster): Extract<Location, { kind: 's3' }> => ({
  kind: 's3',
  bucket,
  prefix: [prefix, hc.metadata.namespace, hc.metadata.name].filter(Boolean).join('/'),
});

export const deploymentRef = (ns: string, name: string) => ({ resource: Resources.Deployment, namespace: ns, name });

/** Scales deployments to the given counts (null: absent, skipped). */
export async function scaleDeployments(kube: KubeClient, ns: string, counts: Record<string, number | null>, dryRun = false): Promise<void> {
  for (const [name, replicas] of Object.entries(counts)) {
    if (replicas === null) continue;
    await kube.scale(Resources.Deployment, ns, name, replicas, { dryRun });
  }
}

/** Waits until no pod of these deployments (or of `labelSelector`) is left. */
export async function waitPodsGone(
  ctx: StepContext,
  kube: KubeClient,
  ns: string,
  what: string,
  probe: () => Promise<string[]>,
  timeoutMs: number,
): Promise<void> {
  const r = await waitFor(
    what,
    async () => {
      const left = await probe();
      return { done: left.length === 0, message: left.length ? `left: ${left.join(', ')}` : 'none left' };
    },
    { timeoutMs, intervalMs: 1000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
  );
  if (r.timedOut) throw new Error(`${what}: not done within ${Math.round(timeoutMs / 1000)}s (${r.message})`);
  void kube;
  void ns;
}

export async function etcdPodNames(kube: KubeClient, ns: string): Promise<string[]> {
  return (await kube.list(Resources.Pod, { namespace: ns, labelSelector: ETCD_LABEL })).items.map((p) => p.metadata.name).sort();
}

/** The external-dns Deployment `hypershift install --external-dns-*` creates, with a provider and a domain filter. */
export function externalDnsProblem(deployment: (KubeObject & { spec?: any }) | null, domain: string | undefined, ns: string): string | undefined {
  if (!deployment)
    return `no Deployment ${ns}/external-dns: the operator was installed without the --external-dns-* flags (docs 8.4: the cluster cannot be migrated)`;
  const args: string[] = deployment.spec?.template?.spec?.containers?.flatMap((c: { args?: string[] }) => c.args ?? []) ?? [];
  const filters = args.filter((a) => a.startsWith('--domain-filter=')).map((a) => a.slice('--domain-filter='.length));
  if (!args.some((a) => a.startsWith('--provider='))) return `${ns}/external-dns has no --provider`;
  if (!filters.length) return `${ns}/external-dns has no --domain-filter`;
  if (domain && !filters.some((f) => domain === f || domain.endsWith(`.${f}`)))
    return `${ns}/external-dns filters ${filters.join(', ')}, which does not cover the cluster's domain ${domain}`;
  if ((deployment.spec?.replicas ?? 1) < 1) return `${ns}/external-dns is scaled to 0`;
  return undefined;
}

export function freeSpaceProblem(dir: string): string | undefined {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    const s = statfsSync(probe);
    const free = s.bavail * s.bsize;
    return free < MIN_FREE_BYTES ? `only ${Math.round(free / 1024 / 1024)} MiB free for the backup dir ${dir}` : undefined;
  } catch {
    return undefined;
  }
}

const memoOf = (plan: Plan) => plan.memo as BackupMemo;

export function planDrBackup(i: BackupInputs, opts: { operation?: string; releaseClaimAtEnd?: boolean } = {}): Plan {
  const hc = i.hc;
  const ns = hc.metadata.namespace!;
  const name = hc.metadata.name;
  const cpns = controlPlaneNamespace(ns, name);
  const location = snapshotLocation(i.bucket, i.prefix, hc);
  const pods = i.snapshot.pods;
  // The snapshot steps are etcd snapshot's own (online: the writers are already stopped by this plan).
  const snap = planEtcdSnapshot({
    hc,
    ...i.snapshot,
    to: location,
    s3: i.s3,
    online: true,
    keepPaused: true,
    includeEncryptionKey: !!i.snapshot.encryptionKeySecret,
    now: i.now,
    waitMs: i.waitMs,
  });
  const pausedBefore = {
    hostedCluster: hc.spec.pausedUntil ?? null,
    nodePools: Object.fromEntries(i.nodePools.map((np) => [np.metadata.name, np.spec.pausedUntil ?? null])),
  };
  Object.assign(snap.memo!, {
    runId: i.runId,
    backupDir: i.backupDir,
    pausedBeforeAll: pausedBefore,
    drWriters: i.writers,
    etcdReplicas: i.etcdSts?.spec?.replicas ?? pods.length,
    etcdImage: etcdImageOf(i.etcdSts),
  } satisfies Omit<BackupMemo, keyof SnapshotMemo>);

  const plan: Plan = {
    operation: opts.operation ?? 'dr backup',
    target: `HostedCluster ${ns}/${name}`,
    steps: [],
    warnings: snap.warnings.filter((w) => !w.startsWith('--online')),
    blockers: i.resume ? [] : [...snap.blockers],
    journal: true,
  };
  // The snapshot steps read the memo through their own plan object: both plans share one memo, also
  // when a resumed run replaces it with the journal's (the executor assigns plan.memo).
  Object.defineProperty(plan, 'memo', { get: () => snap.memo, set: (v) => (snap.memo = v), enumerable: true, configurable: true });
  const m = () => memoOf(plan);

  // Preflight (exit 3). A resumed run passed it when it started: what it finds now is its own
  // doing (the writers and etcd at 0, the Routes gone), so only the owner checks apply then.
  if (!i.resume) {
    if (i.externalDnsProblem) plan.blockers.push({ message: i.externalDnsProblem });
    if (i.bucketProblem) plan.blockers.push({ message: i.bucketProblem });
    if (i.guestProblem) plan.blockers.push({ message: i.guestProblem, override: '--guest-kubeconfig' });
    if (i.zoneProblem) plan.blockers.push({ message: i.zoneProblem, override: '--zone-id' });
    if (!i.etcdSts) plan.blockers.push({ message: `no etcd StatefulSet in ${cpns}` });
    if (i.snapshot.view.diverging.length)
      plan.blockers.push({ message: `etcd members ${i.snapshot.view.diverging.join(', ')} have a different keyspace hash` });
    if (i.snapshot.view.healthyCount < i.snapshot.view.expectedMembers)
      plan.blockers.push({ message: `etcd has ${i.snapshot.view.healthyCount} of ${i.snapshot.view.expectedMembers} members healthy` });
    const nodePoolsOff = i.nodePools.filter((np) => np.spec.clusterName !== name);
    if (nodePoolsOff.length) plan.blockers.push({ message: `NodePools ${nodePoolsOff.map((n) => n.metadata.name).join(', ')} are not of ${name}` });
    const space = freeSpaceProblem(i.backupDir);
    if (space) plan.blockers.push({ message: space, override: '--backup-dir' });
  }
  if (i.ownerProblem) plan.blockers.push({ message: i.ownerProblem });
  if (!i.resume && existsSync(i.backupDir))
    plan.blockers.push({ message: `${i.backupDir} already exists (a backup is never overwritten)`, override: '--backup-dir' });
  if (!i.nodePools.length) plan.warnings.push(`${name} has no NodePools`);

  const key = claimKey(i.prefix, ns, name);
  const claim = (): Claim => ({
    kind: 'kubectl-hcp/dr-claim',
    runId: m().runId,
    operation: plan.operation,
    hostedCluster: `${ns}/${name}`,
    from: i.sourceName,
    holder: `pid ${process.pid}`,
    claimedAt: new Date().toISOString(),
  });
  plan.steps.push({
    id: 'claim',
    title: `Claim ${ns}/${name} in s3://${i.bucket}/${key} (If-None-Match: *)`,
    details: ['a second run, from here or another machine, is refused (exit 3) naming this one'],
    run: async () => void (await acquireClaim(await i.s3(), i.bucket, key, claim())),
    undo: { title: 'release the claim', run: async () => void (await releaseClaim(await i.s3(), i.bucket, key, [m().runId])) },
  });
  plan.steps.push({
    id: 'parent-configmap',
    title: `Record the source in the guest: configmap default/${PARENT_CONFIGMAP} from=${i.sourceName}`,
    run: async (ctx) => {
      const guest = ctx.clusters.guest;
      if (!guest) throw new Error('no guest client');
      try {
        await guest.create(Resources.ConfigMap, 'default', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: PARENT_CONFIGMAP, namespace: 'default' },
          data: { from: i.sourceName },
        });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        await guest.patch(Resources.ConfigMap, 'default', PARENT_CONFIGMAP, { data: { from: i.sourceName } }, 'merge');
      }
    },
  });
  plan.steps.push({
    id: 'pause',
    title: `Pause ${name} and its ${i.nodePools.length} NodePools (pausedUntil: "true")`,
    changes: [setPausedUntil(hcRef(hc), 'true'), ...i.nodePools.map((np) => setPausedUntil(npRef(np), 'true'))],
    undo: {
      title: `resume ${name} and its NodePools`,
      changes: [
        setPausedUntil(hcRef(hc), pausedBefore.hostedCluster),
        ...i.nodePools.map((np) => setPausedUntil(npRef(np), pausedBefore.nodePools[np.metadata.name])),
      ],
    },
  });
  if (condition(hc, 'ReconciliationActive'))
    plan.steps.push(
      waitConditionStep({
        id: 'pause-verify',
        title: 'Wait for the operator to report ReconciliationActive=False (it stops reconciling the control plane)',
        ref: hcRef(hc),
        type: 'ReconciliationActive',
        status: 'False',
        timeoutMs: i.waitMs,
        intervalMs: 500,
        onTimeout: 'warn',
      }),
    );
  const up = Object.entries(i.writers).filter(([, n]) => (n ?? 0) > 0);
  plan.steps.push({
    id: 'scale-down',
    title: `Scale ${up.map(([n, r]) => `${n} (${r})`).join(', ') || 'the etcd writers'} to 0`,
    destructive: true,
    changes: up.map(([n]) => ({ op: 'scale' as const, ref: deploymentRef(cpns, n), replicas: 0 })),
    details: ['waits until their pods are gone: nothing writes to etcd from here on'],
    run: (ctx) =>
      waitPodsGone(
        ctx,
        ctx.kube,
        cpns,
        'the etcd writers to stop',
        () =>
          runningWriters(
            ctx.kube,
            cpns,
            up.map(([n]) => n),
            ctx.warn,
          ),
        i.waitMs,
      ),
    undo: { title: 'scale the writers back', run: (ctx) => scaleDeployments(ctx.kube, cpns, m().drWriters) },
  });
  plan.steps.push(...snap.steps.map((s) => ({ ...s, id: `snapshot-${s.id}` })));
  // Helper D's interlock (src/dr/pvc-retention.ts): whenScaled Delete → Retain, confirmed, read back.
  plan.steps.push(...planPvcRetention(i.retention, { policies: ['whenScaled'] }));
  plan.steps.push({
    id: 'fence',
    title: `Fence the source: scale StatefulSet ${cpns}/etcd to 0 (PVCs kept)`,
    destructive: true,
    changes: [{ op: 'scale', ref: { resource: Resources.StatefulSet, namespace: cpns, name: ETCD_STATEFULSET }, replicas: 0 }],
    details: ['from here no write can reach the old copy; dr rollback scales it back'],
    run: async (ctx) => {
      await waitPodsGone(ctx, ctx.kube, cpns, 'the etcd pods to stop', () => etcdPodNames(ctx.kube, cpns), i.waitMs);
      m().fencedAt = ctx.now().toISOString();
      return { fencedAt: m().fencedAt };
    },
  });
  plan.steps.push({
    id: 'objects',
    title: `Back up the objects to ${i.backupDir} (0700, files 0600, manifest with sha256)`,
    details: [
      'one list call per type: HostedCluster, NodePools, HC-namespace secrets, HostedControlPlane, Cluster, AWSCluster, AWSMachineTemplates, AWSMachines, MachineDeployments, MachineSets, Machines, control-plane secrets',
      ...(i.preview ? [`${i.preview.length} objects as of now:`, ...describeObjects(i.preview)] : []),
    ],
    isDone: async () => existsSync(join(m().backupDir, OBJECTS_MANIFEST)),
    run: async (ctx) => {
      const dir = m().backupDir;
      const staging = `${dir}.partial`;
      rmSync(staging, { recursive: true, force: true });
      const objects = await readClusterObjects(ctx.kube, hc);
      const manifest = writeObjects(PrivateWriter.create(staging), objects, hc, ctx.now());
      renameSync(staging, dir);
      return { objectCounts: manifest.counts, objectCount: manifest.objects.length, backupDir: dir };
    },
  });
  plan.steps.push({
    id: 'routes',
    title: `Delete the Routes of ${cpns} and wait for ${name}'s Route 53 records to go`,
    destructive: true,
    details: [
      i.hostnames.length
        ? `records of ${i.hostnames.join(', ')} in zone ${i.zoneId ?? '(found by the base domain)'}; at most ${Math.round(i.dnsTimeoutMs / 1000)}s`
        : 'the cluster publishes no Route hostnames: no records to wait for',
    ],
    run: async (ctx) => {
      for (const r of (await ctx.kube.list(Resources.Route, { namespace: cpns })).items) {
        await ctx.kube.delete(Resources.Route, cpns, r.metadata.name).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
      }
      if (!i.hostnames.length || !i.zoneId) return;
      const client = await i.route53();
      const r = await waitFor(
        `${name}'s Route 53 records to go`,
        async () => {
          const left = await clusterRecords(client, i.zoneId!, i.hostnames);
          return { done: left.length === 0, message: `${left.length} left${left.length ? `: ${left.join(', ')}` : ''}` };
        },
        { timeoutMs: i.dnsTimeoutMs, intervalMs: 2000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
      );
      if (r.timedOut) throw new Error(`the Route 53 records did not go within ${Math.round(i.dnsTimeoutMs / 1000)}s (${r.message}): is external-dns running?`);
      return { recordsGoneAt: ctx.now().toISOString() };
    },
  });
  const store = storeFor(location, i.s3);
  plan.steps.push({
    id: 'verify',
    title: 'Verify: every object against the manifest, every snapshot in S3 with its sha256',
    run: async (ctx) => {
      const v = verifyObjects(m().backupDir);
      if (v.problems.length) throw new Error(`the object backup does not verify: ${v.problems.join('; ')}`);
      for (const [pod, file] of Object.entries(m().files)) {
        const sha = ctx.artifacts[`${pod}.sha256`] as string;
        const line = await store.getSmall(sha256FileName(file));
        if (!line?.startsWith(sha) || !(await store.exists(file)) || !(await store.exists(manifestFileName(file))))
          throw new Error(`${describeLocation(location, file)} is missing or its .sha256 does not say ${sha}`);
      }
    },
  });
  plan.steps.push({
    id: 'record',
    title: `Write ${BACKUP_RECORD} (snapshot keys, sha256s, recorded counts, fence time)`,
    isDone: async () => existsSync(join(m().backupDir, BACKUP_RECORD)),
    run: async (ctx) => {
      const record = backupRecord(i, m(), ctx.artifacts, location);
      writeFileSync(join(m().backupDir, BACKUP_RECORD), JSON.stringify(record, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      return { restoreFrom: record.restoreFrom, finalRevision: record.finalRevision };
    },
  });
  if (opts.releaseClaimAtEnd) {
    plan.steps.push({ id: 'release-claim', title: 'Release the claim', run: async () => void (await releaseClaim(await i.s3(), i.bucket, key, [m().runId])) });
  }
  return plan;
}

function backupRecord(i: BackupInputs, m: BackupMemo, a: Record<string, unknown>, location: Extract<Location, { kind: 's3' }>): BackupRecord {
  const keyOf = (file: string) => (location.prefix ? `${location.prefix}/${file}` : file);
  // The members of the first run (a resumed run after the fence sees none).
  const snapshots = Object.keys(m.files).map((pod) => ({
    member: pod,
    key: keyOf(m.files[pod]),
    sha256: a[`${pod}.sha256`] as string,
    size: a[`${pod}.size`] as number,
    revision: a[`${pod}.revision`] as number,
    keyspaceHash: a[`${pod}.keyspaceHash`] as BackupRecord['keyspaceHash'],
  }));
  // The newest snapshot (the writers were stopped, so they normally agree); the leader's on a tie.
  const best = [...snapshots].sort(
    (x, y) => y.revision - x.revision || Number(y.member === i.snapshot.view.leader) - Number(x.member === i.snapshot.view.leader),
  )[0];
  return {
    kind: BACKUP_RECORD_KIND,
    version: 1,
    runId: m.runId,
    hostedCluster: { namespace: i.hc.metadata.namespace!, name: i.hc.metadata.name },
    source: { server: i.sourceServer, name: i.sourceName },
    bucket: i.bucket,
    prefix: i.prefix,
    snapshots: snapshots.map(({ keyspaceHash: _k, ...s }) => s),
    restoreFrom: best.key,
    finalRevision: best.revision,
    keyspaceHash: best.keyspaceHash ?? null,
    encryptionKey: typeof a.encryptionKeyStored === 'string' ? (a.encryptionKeyStored as string).replace(`s3://${location.bucket}/`, '') : undefined,
    pausedBefore: m.pausedBeforeAll,
    writers: m.drWriters,
    etcdReplicas: m.etcdReplicas,
    etcdImage: m.etcdImage,
    fencedAt: m.fencedAt ?? (a.fencedAt as string),
    zoneId: i.zoneId,
    hostnames: i.hostnames,
    objects: (a.objectCounts as Record<string, number>) ?? {},
  };
}

export function readBackupRecord(dir: string): BackupRecord {
  const path = join(dir, BACKUP_RECORD);
  if (!existsSync(path)) throw new Error(`${path} not found: the backup did not finish (run dr backup --resume)`);
  const r = JSON.parse(readFileSync(path, 'utf8')) as BackupRecord;
  if (r.kind !== BACKUP_RECORD_KIND) throw new Error(`${path} is not a kubectl-hcp dr backup record`);
  return r;
}

/**
 * `dr restore`: docs 8.4.4 on the destination management cluster, checked first and verified.
 *
 * claim (this migration's, from backup.json) → namespaces → HC-namespace secrets → control-plane
 * secrets, HostedControlPlane, Cluster → AWS objects and machines (--reuse-nodes) → the
 * HostedCluster with exactly **one** presigned restoreSnapshotURL and no pausedUntil (FACTS: the
 * field takes one URL, read only at creation; the docs' script writes three) → NodePools without
 * pausedUntil → verify: Available, etcd healthy with the final snapshot's keyspace hash, the guest's
 * nodes back, the cluster's Route 53 records recreated only now. The downtime is reported from the
 * fence to Available.
 *
 * The steps read the backup dir when they run, so that `dr migrate` can plan them before its
 * backup has written it. Every step acts on the destination (`ctx.clusters.target`).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists, isNotFound } from '../kube/errors.ts';
import { Resources, type KubeObject, type ResourceType } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import type { Plan, Step, StepContext } from '../plan/plan.ts';
import { condition, controlPlaneNamespace, type HostedCluster, type NodePool } from '../hostedcluster/types.ts';
import { guestClient } from '../hostedcluster/guest.ts';
import { etcdctl, hashKvArgs, parseHashKv } from '../etcd/etcdctl.ts';
import { etcdExec, observeEtcd } from '../etcd/observe.ts';
import { summarizeEtcd } from '../etcd/health.ts';
import { presignGet } from '../etcd/restore-url.ts';
import { etcdZoneSpread, memberVolumeSteps, parseSource, verifySnapshot, type MemberVolumes } from '../etcd/restore.ts';
import { storeFor } from '../etcd/sinks.ts';
import { applyChange } from '../plan/apply.ts';
import { acquireClaim, claimKey, releaseClaim, type Claim } from './claim.ts';
import { clusterRecords } from './dns.ts';
import { NODE_GROUPS, RESTORE_ORDER, describeObjects, verifyObjects, type BackupObject, type ObjectGroup } from './objects.ts';
import { readBackupRecord, type BackupRecord } from './backup.ts';

export interface RestoreInputs {
  hcNamespace: string;
  name: string;
  /** Read at run time (dr migrate writes it in the same run). */
  backupDir: () => string;
  targetName: string;
  /**
   * How many etcd members the cluster runs (the backup's snapshots; for dr migrate its availability
   * policy): more than one has its volumes restored before the HostedCluster exists (seedEtcdVolumeSteps).
   */
  etcdMembers?: number;
  /** Preflight findings (dr restore observes them; dr migrate checks what it can before the backup). */
  hcExists: boolean;
  namespacesLeft: string[];
  replaceNamespaces: boolean;
  /** --resume: the namespaces and the HostedCluster may be this run's own. */
  resume: boolean;
  externalDnsProblem?: string;
  /** The destination cannot make the etcd volumes (see storageClassProblem). */
  storageProblem?: string;
  /** The live holder of the dr Lease on the destination (another run restoring there), described. */
  ownerProblem?: string;
  backupProblems: string[];
  fenceProblem?: string;
  s3: () => Promise<S3Client>;
  /** The client that signs restoreSnapshotURL (its endpoint is the one the destination's etcd pods reach). */
  presignS3: () => Promise<S3Client>;
  route53: () => Promise<Route53Client>;
  presignSeconds: number;
  reuseNodes: boolean;
  waitMs: number;
  nodesTimeoutMs: number;
  dnsTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** Release the bucket claim when the restore is verified (dr restore; dr migrate releases after teardown). */
  releaseClaimAtEnd: boolean;
  /**
   * In --dry-run: the objects the restore would create (dr restore reads them from the backup dir,
   * dr migrate from the source, since its backup is not written). Listed in the client plan; in
   * --dry-run=server they are sent to the destination with dryRun=All.
   */
  preview?: Pick<BackupObject, 'group' | 'object'>[];
}

const target = (ctx: StepContext): KubeClient => {
  const k = ctx.clusters.target;
  if (!k) throw new Error('internal: no destination client');
  return k;
};

/** --dry-run=server: the creates the API server could not check, by the namespace they wait for. */
type NotSent = Map<string, string[]>;

async function createIgnoringExisting(kube: KubeClient, rt: ResourceType, obj: KubeObject, notSent?: NotSent): Promise<boolean> {
  try {
    await kube.create(rt, obj.metadata.namespace, obj);
    return true;
  } catch (err) {
    if (isAlreadyExists(err)) return false;
    // --dry-run=server: the API server cannot dry-run a create in a namespace that does not exist
    // yet (this restore creates it, with dryRun=All too, so it persists nothing): say so, go on.
    const ns = obj.metadata.namespace;
    if (notSent && ns && isNotFound(err) && !(await kube.getOrNull(Resources.Namespace, undefined, ns))) {
      notSent.set(ns, [...(notSent.get(ns) ?? []), `${rt.kind} ${ns}/${obj.metadata.name}`]);
      return false;
    }
    throw err;
  }
}

/** The step's creates on the destination; in --dry-run=server one warning per namespace names those the API server could not check. */
function destinationCreates(ctx: StepContext) {
  const notSent: NotSent | undefined = ctx.dryRun === 'server' ? new Map() : undefined;
  return {
    create: (rt: ResourceType, obj: KubeObject) => createIgnoringExisting(target(ctx), rt, obj, notSent),
    done: () => {
      for (const [ns, objects] of notSent ?? [])
        ctx.warn(
          `dry-run=server: namespace ${ns} does not exist on the destination until the restore creates it, so these creates were not sent: ${objects.join(', ')}`,
        );
    },
  };
}

/** The placeholder restoreSnapshotURL of --dry-run=server (nothing is signed for a cluster that is not created). */
export const DRY_RUN_RESTORE_URL = 'https://dry-run.invalid/restore-snapshot';

const RESOURCE_OF: Record<ObjectGroup, ResourceType> = {
  'hc-secret': Resources.Secret,
  'cp-secret': Resources.Secret,
  hostedcontrolplane: Resources.HostedControlPlane,
  cluster: Resources.CapiCluster,
  awscluster: Resources.AWSCluster,
  awsmachinetemplate: Resources.AWSMachineTemplate,
  awsmachine: Resources.AWSMachine,
  machinedeployment: Resources.MachineDeployment,
  machineset: Resources.MachineSet,
  machine: Resources.Machine,
  hostedcluster: Resources.HostedCluster,
  nodepool: Resources.NodePool,
};

/**
 * Throws when the restoreSnapshotURL has expired while etcd on the destination has not come up from
 * it: a run resumed long after the HostedCluster was created (or etcd pods that could not start in
 * time) would otherwise wait out --wait-timeout for a restore that can no longer happen. The field
 * is immutable and read only at creation (FACTS), so signing a new URL cannot help. Pure.
 */
export function expiredBeforeEtcd(hc: HostedCluster | null, expiresAt: unknown, now: Date): void {
  if (typeof expiresAt !== 'string' || Date.parse(expiresAt) > now.getTime()) return;
  const etcd = condition(hc, 'EtcdAvailable');
  if (etcd?.status === 'True') return;
  throw new Error(
    `the restoreSnapshotURL of ${hc?.metadata.namespace}/${hc?.metadata.name} expired at ${expiresAt} and etcd on the destination has not come up from it ` +
      `(EtcdAvailable=${etcd?.status ?? 'unknown'}${etcd?.reason ? ` ${etcd.reason}` : ''}); the field is immutable and read only when the HostedCluster is created, ` +
      'so this copy, which never served, must be deleted from the destination and restored again with a --restore-url-expires long enough for etcd to start',
  );
}

/** spec.etcd.managed.storage.persistentVolume of a HostedCluster. */
function etcdVolumeSpec(hc: HostedCluster): { size?: string; storageClassName?: string } | undefined {
  return (hc.spec.etcd as { managed?: { storage?: { persistentVolume?: { size?: string; storageClassName?: string } } } } | undefined)?.managed?.storage
    ?.persistentVolume;
}

/** A StorageClass as the preflight reads it. */
export interface StorageClassView {
  name: string;
  isDefault: boolean;
}

/**
 * Why the destination could not make the cluster's etcd volumes, checked before anything changes
 * (for dr migrate: before the source is fenced): the class the HostedCluster names
 * (spec.etcd.managed.storage.persistentVolume.storageClassName) must exist there, and without a
 * name there must be a default class. Unknown (`classes` undefined: not readable) or no classes at
 * all (static provisioning) is not judged. Pure.
 */
export function storageClassProblem(hc: HostedCluster | undefined, classes: StorageClassView[] | undefined, targetName: string): string | undefined {
  if (!hc || !classes?.length) return undefined;
  const wanted = etcdVolumeSpec(hc)?.storageClassName;
  if (wanted && !classes.some((c) => c.name === wanted))
    return `StorageClass ${wanted}, which ${hc.metadata.name}'s etcd volumes use (spec.etcd.managed.storage.persistentVolume.storageClassName), does not exist on ${targetName} (it has ${classes.map((c) => c.name).join(', ')}): its etcd volumes would stay Pending`;
  if (!wanted && !classes.some((c) => c.isDefault))
    return `${targetName} has no default StorageClass (${classes.map((c) => c.name).join(', ')}) and ${hc.metadata.name}'s etcd volumes name none: they would stay Pending`;
  return undefined;
}

/** The PVC the etcd StatefulSet's volumeClaimTemplate makes for member n (v2/assets/etcd/statefulset.yaml, statefulset.go "adapt PersistentVolume"). Pure. */
export function etcdMemberClaim(hc: HostedCluster, cpns: string, n: number): KubeObject {
  const pv = etcdVolumeSpec(hc);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    // The StatefulSet's selector labels, as its controller labels the claims it makes.
    metadata: { name: `data-etcd-${n}`, namespace: cpns, labels: { app: 'etcd' } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: pv?.size ?? '8Gi' } },
      volumeMode: 'Filesystem',
      ...(pv?.storageClassName ? { storageClassName: pv.storageClassName } : {}),
    },
  };
}

/**
 * An HA cluster's etcd volumes, restored before the HostedCluster exists. Upstream's etcd-init
 * (v2/etcd/etcd-init.sh) restores restoreSnapshotURL in every pod without --name or
 * --initial-cluster, so each member of an HA cluster would come up as a one-member cluster of its
 * own (three leaders with the same data, then diverging; the sandbox, which runs that script, showed
 * it). Instead every member's PVC is made here, as the StatefulSet would make it, and the snapshot
 * restored into it under the member's own name with the whole --initial-cluster (the steps of
 * `etcd restore`); the StatefulSet then adopts the claims by name, and etcd-init finds the data and
 * leaves it ("/var/lib/data not empty, not restoring snapshot").
 */
function seedEtcdVolumeSteps(i: RestoreInputs, load: () => { record: BackupRecord; objects: Pick<BackupObject, 'group' | 'object'>[] }): Step[] {
  const members = i.etcdMembers ?? 1;
  const cpns = controlPlaneNamespace(i.hcNamespace, i.name);
  const backedUpHc = () => {
    const hc = load().objects.find((o) => o.group === 'hostedcluster')?.object as HostedCluster | undefined;
    if (!hc) throw new Error('the backup holds no HostedCluster');
    return hc;
  };
  const volumes: MemberVolumes = {
    ns: cpns,
    members: () => members,
    kube: target,
    spread: () => etcdZoneSpread((backedUpHc().spec.platform as { type?: string } | undefined)?.type),
    waitMs: i.waitMs,
    image: () => {
      const { record } = load();
      if (!record.etcdImage) throw new Error('backup.json records no etcd image (a backup by an older kubectl-hcp): take the backup again');
      return record.etcdImage;
    },
    snapshot: () => {
      const { record } = load();
      const s = record.snapshots.find((x) => x.key === record.restoreFrom);
      if (!s) throw new Error(`backup.json lists no snapshot ${record.restoreFrom}`);
      const { location, name } = parseSource(`s3://${record.bucket}/${s.key}`);
      return { store: storeFor(location, i.s3), name, sha256: s.sha256, size: s.size, revision: s.revision };
    },
  };
  const claims = Array.from({ length: members }, (_, n) => `data-etcd-${n}`);
  // [create-data-pod, copy-in, restore, cleanup-data-pod] of each member.
  const perMember = Array.from({ length: members }, (_, n) => memberVolumeSteps(volumes, n).map((s) => ({ ...s, id: `seed-${s.id}` })));
  return [
    {
      id: 'seed-etcd-claims',
      title: `Create PVCs ${claims.join(', ')} in ${cpns} on ${i.targetName}, as the etcd StatefulSet would (size and class from the HostedCluster)`,
      details: [
        `${members} etcd members: upstream's etcd-init restores restoreSnapshotURL without --initial-cluster, which would make each member a cluster of its own;`,
        "  every member's volume is restored here instead, and etcd-init leaves it",
      ],
      run: async (ctx) => {
        const hc = backedUpHc();
        for (let n = 0; n < members; n++)
          await applyChange(target(ctx), {
            op: 'create',
            ref: { resource: Resources.PersistentVolumeClaim, namespace: cpns, name: claims[n] },
            body: etcdMemberClaim(hc, cpns, n) as Record<string, unknown>,
            ifExists: 'skip',
          });
      },
    },
    // Every data pod first, all running at once so that they (and the volumes they make) spread
    // over zones; then each volume restored; then the data pods removed.
    ...perMember[0].flatMap((_, k) => perMember.map((steps) => steps[k])),
  ];
}

/** The HostedCluster to create: the backed-up one, one restoreSnapshotURL, no pausedUntil. Pure. */
export function restoredHostedCluster(hc: HostedCluster, url: string): HostedCluster {
  const copy = structuredClone(hc);
  delete copy.spec.pausedUntil;
  const etcd = (copy.spec.etcd ??= { managementType: 'Managed' }) as { managementType?: string; managed?: { storage?: Record<string, unknown> } };
  etcd.managementType ??= 'Managed';
  etcd.managed ??= {};
  etcd.managed.storage ??= { type: 'PersistentVolume' };
  etcd.managed.storage.restoreSnapshotURL = [url];
  return copy;
}

export function restoredNodePool(np: NodePool): NodePool {
  const copy = structuredClone(np);
  delete copy.spec.pausedUntil;
  return copy;
}

/** The restore steps; `plan.memo.restore` is not used: everything comes from the backup dir and the journal's artifacts. */
export function restoreSteps(i: RestoreInputs): Step[] {
  const ns = i.hcNamespace;
  const cpns = controlPlaneNamespace(ns, i.name);
  const load = () => {
    const dir = i.backupDir();
    const record = readBackupRecord(dir);
    const v = verifyObjects(dir);
    if (v.problems.length) throw new Error(`the backup in ${dir} does not verify: ${v.problems.join('; ')}`);
    return { record, objects: v.objects };
  };
  // --dry-run=server sends the creates with dryRun=All; dr migrate has no backup dir yet then.
  const objectsFor = (ctx: StepContext) => (ctx.dryRun === 'server' && i.preview ? i.preview : load().objects);
  const listed = (g: ObjectGroup) => (i.preview ? describeObjects(i.preview.filter((o) => o.group === g)) : []);
  const groups = RESTORE_ORDER.filter((g) => g !== 'hostedcluster' && g !== 'nodepool' && (i.reuseNodes || !NODE_GROUPS.includes(g)));
  const steps: Step[] = [];
  steps.push({
    id: 'restore-claim',
    title: "Check the bucket claim is this migration's",
    run: async () => {
      const { record } = load();
      const claim: Claim = {
        kind: 'kubectl-hcp/dr-claim',
        runId: record.runId,
        operation: 'dr restore',
        hostedCluster: `${ns}/${i.name}`,
        from: record.source.name,
        to: i.targetName,
        holder: `pid ${process.pid}`,
        claimedAt: new Date().toISOString(),
      };
      await acquireClaim(await i.s3(), record.bucket, claimKey(record.prefix, ns, i.name), claim, [record.runId]);
    },
  });
  if (i.replaceNamespaces && i.namespacesLeft.length && !i.resume) {
    steps.push({
      id: 'replace-namespaces',
      title: `Delete the leftover namespaces ${i.namespacesLeft.join(', ')} on ${i.targetName}`,
      destructive: true,
      run: async (ctx) => {
        const k = target(ctx);
        for (const n of i.namespacesLeft) await k.delete(Resources.Namespace, undefined, n).catch(() => undefined);
        const r = await waitFor(
          'the namespaces to go',
          async () => {
            const left = (await Promise.all(i.namespacesLeft.map((n) => k.getOrNull(Resources.Namespace, undefined, n)))).filter(Boolean);
            return { done: !left.length, message: `${left.length} left` };
          },
          { timeoutMs: i.waitMs, intervalMs: 1000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
        );
        if (r.timedOut) throw new Error(`the leftover namespaces did not go within ${Math.round(i.waitMs / 1000)}s`);
      },
    });
  }
  steps.push({
    id: 'restore-namespaces',
    title: `Create namespaces ${ns} and ${cpns} on ${i.targetName}`,
    serverDryRun: 'run',
    run: async (ctx) => {
      const c = destinationCreates(ctx);
      for (const n of [ns, cpns]) await c.create(Resources.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });
    },
  });
  if ((i.etcdMembers ?? 1) > 1) steps.push(...seedEtcdVolumeSteps(i, load));
  for (const g of groups) {
    steps.push({
      id: `restore-${g}`,
      title: `Restore the ${g} objects`,
      details: [`every ${g} object of the backup, created as backed up (an existing one is kept)`, ...listed(g)],
      serverDryRun: 'run',
      run: async (ctx) => {
        const c = destinationCreates(ctx);
        let created = 0;
        for (const o of objectsFor(ctx).filter((x) => x.group === g)) if (await c.create(RESOURCE_OF[g], o.object)) created++;
        c.done();
        ctx.progress(`${created} ${ctx.dryRun === 'server' ? 'accepted with dryRun=All' : 'created'}`);
      },
    });
  }
  steps.push({
    id: 'restore-hostedcluster',
    title: `Create HostedCluster ${ns}/${i.name} with one presigned restoreSnapshotURL (valid ${Math.round(i.presignSeconds / 3600)}h) and no pausedUntil`,
    details: [
      (i.etcdMembers ?? 1) > 1
        ? "FACTS: the field takes one URL and is read only when the cluster is created; the members' volumes hold the restored data already, so etcd-init leaves them"
        : 'FACTS: the field takes one URL and is read only when the cluster is created; the member restores from it',
      ...listed('hostedcluster'),
    ],
    isDone: async (ctx) => (await target(ctx).getOrNull(Resources.HostedCluster, ns, i.name)) !== null,
    // From here the destination runs a control plane: a later failure must not bring the source back.
    noUndoPast: `the HostedCluster exists on ${i.targetName}, so the source stays fenced (bringing it back would make two control planes serve the cluster); find the cause, then --resume, or delete the destination's copy and run dr rollback`,
    serverDryRun: 'run',
    run: async (ctx) => {
      if (ctx.dryRun === 'server') {
        const hc = objectsFor(ctx).find((o) => o.group === 'hostedcluster')?.object as HostedCluster | undefined;
        const c = destinationCreates(ctx);
        if (hc) await c.create(Resources.HostedCluster, restoredHostedCluster(hc, DRY_RUN_RESTORE_URL));
        c.done();
        return;
      }
      const { record, objects } = load();
      const hc = objects.find((o) => o.group === 'hostedcluster')?.object as HostedCluster | undefined;
      if (!hc) throw new Error('the backup holds no HostedCluster');
      const { url, warning } = await presignGet(await i.presignS3(), record.bucket, record.restoreFrom, i.presignSeconds, ctx.now());
      if (warning) ctx.warn(warning);
      await target(ctx).create(Resources.HostedCluster, ns, restoredHostedCluster(hc, url));
      // The URL carries a signature: its key goes to the journal, never the URL.
      return { restoreSnapshotKey: record.restoreFrom, restoreUrlExpiresAt: new Date(ctx.now().getTime() + i.presignSeconds * 1000).toISOString() };
    },
  });
  steps.push({
    id: 'restore-nodepools',
    title: 'Create every NodePool without pausedUntil',
    details: listed('nodepool'),
    serverDryRun: 'run',
    run: async (ctx) => {
      const c = destinationCreates(ctx);
      let n = 0;
      for (const o of objectsFor(ctx).filter((x) => x.group === 'nodepool'))
        if (await c.create(Resources.NodePool, restoredNodePool(o.object as NodePool))) n++;
      c.done();
      if (ctx.dryRun === 'server') return;
      return { 'restored.nodepool': n };
    },
  });
  steps.push({
    id: 'verify-available',
    title: `Wait for ${i.name} to be Available on ${i.targetName}`,
    run: async (ctx) => {
      const r = await waitFor(
        `${i.name} Available`,
        async () => {
          const hc = await target(ctx).getOrNull<HostedCluster>(Resources.HostedCluster, ns, i.name);
          const c = condition(hc, 'Available');
          if (c?.status !== 'True') expiredBeforeEtcd(hc, ctx.artifacts.restoreUrlExpiresAt, ctx.now());
          return {
            done: c?.status === 'True',
            message: c ? `Available=${c.status} ${c.reason ?? ''} ${c.message ?? ''}`.trim() : 'no Available condition yet',
          };
        },
        { timeoutMs: i.waitMs, intervalMs: 2000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
      );
      if (r.timedOut) throw new Error(`${i.name} did not become Available within ${Math.round(i.waitMs / 1000)}s (${r.message})`);
      const { record } = load();
      const availableAt = ctx.now().toISOString();
      return { availableAt, downtimeSeconds: Math.round((Date.parse(availableAt) - Date.parse(record.fencedAt)) / 1000) };
    },
  });
  steps.push({
    id: 'verify-etcd',
    title: "Verify etcd on the destination: every member healthy, the final snapshot's keyspace hash",
    run: async (ctx) => {
      const { record } = load();
      const k = target(ctx);
      const hc = await k.get<HostedCluster>(Resources.HostedCluster, ns, i.name);
      const r = await waitFor(
        'every etcd member healthy',
        async () => {
          const view = summarizeEtcd(await observeEtcd(k, hc, { hashes: false }));
          return {
            done: view.healthyCount >= view.expectedMembers && view.expectedMembers > 0,
            message: `${view.healthyCount} of ${view.expectedMembers} healthy`,
            value: view,
          };
        },
        { timeoutMs: i.waitMs, intervalMs: 2000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
      );
      if (r.timedOut) throw new Error(`etcd on ${i.targetName} is not healthy: ${r.message}`);
      const want = record.keyspaceHash;
      if (!want) {
        ctx.warn('the backup recorded no keyspace hash (empty keyspace): only health was checked');
        return;
      }
      const observed = await observeEtcd(k, hc, { hashes: false });
      const exec = etcdExec(k, cpns);
      const tls = observed.tls!;
      const got: string[] = [];
      for (const m of r.value!.members) {
        const out = await exec(m.name, etcdctl(tls, [...hashKvArgs(want.revision).filter((a) => a !== '--cluster')]));
        const h = parseHashKv(out.stdout)[0];
        if (!h) throw new Error(`${m.name}: no keyspace hash at revision ${want.revision}: ${out.stderr.trim().split('\n').pop()}`);
        if (h.hash !== want.hash) throw new Error(`${m.name}: keyspace hash ${h.hash} at revision ${want.revision}, the final snapshot's is ${want.hash}`);
        got.push(m.name);
      }
      return { etcdVerified: got, etcdRevision: want.revision };
    },
  });
  steps.push({
    id: 'verify-nodes',
    title: "Wait for the guest's nodes to be back (Ready, as many as the NodePools' replicas)",
    run: async (ctx) => {
      const { objects } = load();
      const pools = objects.filter((o) => o.group === 'nodepool').map((o) => o.object as NodePool);
      const want = pools.reduce((n, p) => n + (p.spec.replicas ?? 0), 0);
      const names = new Set(pools.map((p) => p.metadata.name));
      const hc = await target(ctx).get<HostedCluster>(Resources.HostedCluster, ns, i.name);
      const g = await guestClient(target(ctx), hc, i.env);
      if (!g.client) throw new Error(`no guest access on the destination: ${g.problem}`);
      const guest = g.client;
      const r = await waitFor(
        'the nodes',
        async () => {
          const nodes = (await guest.list(Resources.Node)).items as (KubeObject & { status?: { conditions?: { type: string; status: string }[] } })[];
          const ready = nodes.filter(
            (n) =>
              names.has(n.metadata.labels?.['hypershift.openshift.io/nodePool'] ?? '') &&
              n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          ).length;
          return { done: ready >= want, message: `${ready} of ${want} Ready` };
        },
        { timeoutMs: i.nodesTimeoutMs, intervalMs: 5000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
      );
      if (r.timedOut) throw new Error(`the guest's nodes are not back: ${r.message}`);
      return { nodesReady: want };
    },
  });
  steps.push({
    id: 'verify-dns',
    title: "Wait for the cluster's Route 53 records on the destination",
    run: async (ctx) => {
      const { record } = load();
      if (!record.hostnames.length || !record.zoneId) return;
      const client = await i.route53();
      const r = await waitFor(
        'the Route 53 records',
        async () => {
          const have = await clusterRecords(client, record.zoneId!, record.hostnames);
          const missing = record.hostnames.filter((h) => !have.some((x) => x.endsWith(` ${h}`) && !x.startsWith('TXT')));
          return { done: !missing.length, message: missing.length ? `missing ${missing.join(', ')}` : 'all there' };
        },
        { timeoutMs: i.dnsTimeoutMs, intervalMs: 2000, onProgress: ctx.progress, now: () => ctx.clock.now(), sleep: (ms) => ctx.clock.sleep(ms) },
      );
      if (r.timedOut) throw new Error(`the Route 53 records did not come back: ${r.message}`);
      return { recordsBackAt: ctx.now().toISOString() };
    },
  });
  if (i.releaseClaimAtEnd) {
    steps.push({
      id: 'restore-release-claim',
      title: 'Release the bucket claim',
      run: async () => {
        const { record } = load();
        await releaseClaim(await i.s3(), record.bucket, claimKey(record.prefix, ns, i.name), [record.runId]);
      },
    });
  }
  return steps;
}

export function restoreBlockers(i: RestoreInputs): Plan['blockers'] {
  const b: Plan['blockers'] = [];
  if (i.ownerProblem) b.push({ message: i.ownerProblem });
  if (i.hcExists && !i.resume) b.push({ message: `HostedCluster ${i.hcNamespace}/${i.name} already exists on ${i.targetName}` });
  if (i.namespacesLeft.length && !i.replaceNamespaces && !i.resume)
    b.push({ message: `namespaces ${i.namespacesLeft.join(', ')} already exist on ${i.targetName}`, override: '--replace-namespaces' });
  if (i.externalDnsProblem) b.push({ message: i.externalDnsProblem });
  if (i.storageProblem && !i.resume) b.push({ message: i.storageProblem });
  for (const p of i.backupProblems) b.push({ message: p });
  if (i.fenceProblem) b.push({ message: i.fenceProblem });
  return b;
}

/** What dr restore checks before planning: the backup, its snapshot, the fence. */
export async function checkBackup(dir: string, s3: () => Promise<S3Client>): Promise<{ record?: BackupRecord; problems: string[] }> {
  const problems: string[] = [];
  let record: BackupRecord | undefined;
  try {
    record = readBackupRecord(dir);
    const v = verifyObjects(dir);
    problems.push(...v.problems.map((p) => `backup ${dir}: ${p}`));
  } catch (err) {
    return { problems: [(err as Error).message] };
  }
  for (const s of record.snapshots.filter((x) => x.key === record!.restoreFrom)) {
    const { location, name } = parseSource(`s3://${record.bucket}/${s.key}`);
    try {
      const v = await verifySnapshot(storeFor(location, s3), name);
      if (v.sha256 !== s.sha256) problems.push(`s3://${record.bucket}/${s.key}: sha256 ${v.sha256}, the backup recorded ${s.sha256}`);
    } catch (err) {
      problems.push(`s3://${record.bucket}/${s.key}: ${(err as Error).message}`);
    }
  }
  return { record, problems };
}

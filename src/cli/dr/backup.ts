import { Command, Option } from 'clipanion';
import type { Report } from '../mutating.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Plan } from '../../plan/plan.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { BackupInputs } from '../../dr/backup.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { DrCommand, addLease, leaseKeyOf, type DrClients } from './common.ts';
import { backupDirOption, dnsTimeoutOption, zoneIdOption } from './flags.ts';

interface BackupInput extends DrClients {
  waitMs: number;
  dnsTimeoutMs: number;
}

export class DrBackupCommand extends DrCommand<BackupInput, BackupInputs> {
  static override paths = [['dr', 'backup']];
  static override usage = Command.Usage({
    category: 'dr',
    description: 'Back up a hosted cluster for a migration and fence its source (docs 8.4.3)',
    details: `
      Preflight (exit 3 when any fails): the external-dns Deployment that \`hypershift install --external-dns-*\` creates is on the source with a domain filter covering the cluster; the bucket answers; every etcd member is healthy with equal keyspace hashes; every NodePool of the cluster is found; the backup dir is new and has room; the guest's kubeconfig works; no other DR run holds the cluster (its Lease, and the claim object in the bucket written with \`If-None-Match: *\`).

      Then: configmap \`mgmt-parent-cluster\` in the guest's \`default\` namespace; pause the HostedCluster **and every NodePool**; scale kube-apiserver, openshift-apiserver, openshift-oauth-apiserver and control-plane-operator to 0 (counts recorded); snapshot **every** etcd member to S3 with \`etcd snapshot\`'s verified steps (SigV4 from this machine, sha256 checked against the pod), and the encryption key (SSE); then **fence** the source: set the etcd StatefulSet's PVC retention to Retain if it was Delete (shown and confirmed), scale etcd to 0 with its PVCs kept, so no write can reach this copy any more. Then the objects (one list call per type, cleaned, YAML, a manifest with sha256s, 0700/0600), delete the control-plane Routes and wait (\`--dns-timeout\`) for the cluster's Route 53 records to go, verify everything, and write \`backup.json\` for \`dr restore\`.

      A failure before the fence puts everything back. After the fence, \`kubectl hcp dr rollback\` restarts the source. Journaled: \`--resume\` continues after any crash.
    `,
    examples: [
      ['Back up clusters/sample', '$0 dr backup sample --bucket my-dr-bucket --from-context mgmt-1'],
      ['See the plan', '$0 dr backup sample --bucket my-dr-bucket --dry-run=client'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  backupDir = backupDirOption();
  dnsTimeout = dnsTimeoutOption();
  zoneId = zoneIdOption();

  private lib!: typeof import('../../dr/backup.ts');

  protected override async load(): Promise<void> {
    await super.load();
    this.lib = await import('../../dr/backup.ts');
  }

  protected validate(): BackupInput {
    assertObjectName(this.name, 'HostedCluster');
    return {
      ...this.drClients(),
      waitMs: parseGoDuration(this.waitTimeout, '--wait-timeout'),
      dnsTimeoutMs: parseGoDuration(this.dnsTimeout, '--dns-timeout'),
    };
  }

  protected async observe(kube: KubeClient, input: BackupInput): Promise<BackupInputs> {
    return observeBackup(this, await this.sourceClient(kube), input, this.name);
  }

  protected override executeOptions() {
    return { kube: this.source, clusters: { source: this.source!, ...(this.guest ? { guest: this.guest } : {}) }, resume: this.resume };
  }

  protected plan(_input: BackupInput, observed: BackupInputs): Plan {
    const plan = this.lib.planDrBackup(observed);
    addLease(plan, leaseKeyOf(observed.hc), 'dr backup', 'source');
    return plan;
  }

  protected report(result: ExecutionResult, _input: BackupInput, o: BackupInputs): Report {
    const a = result.artifacts;
    const dir = (a.backupDir as string | undefined) ?? o.backupDir;
    return {
      value: {
        hostedCluster: `${o.hc.metadata.namespace}/${o.hc.metadata.name}`,
        backupDir: dir,
        restoreFrom: a.restoreFrom,
        finalRevision: a.finalRevision,
        fencedAt: a.fencedAt,
        objects: a.objectCount,
      },
      text: `backed up and fenced ${o.hc.metadata.name}: ${String(a.objectCount)} objects, etcd at revision ${String(a.finalRevision)}, restore from s3://${o.bucket}/${String(a.restoreFrom)}; source fenced at ${String(a.fencedAt)}`,
    };
  }

  // Accessors for observeBackup (shared with dr migrate).
  get flags() {
    return {
      backupDir: this.backupDir,
      zoneId: this.zoneId,
      bucket: this.bucket!,
      prefix: this.prefix,
      resume: this.resume,
      fromContext: this.fromContext,
      operation: 'dr backup',
    };
  }
}

type BackupObserver = DrCommand<DrClients, unknown> & {
  flags: { backupDir?: string; zoneId?: string; bucket: string; prefix: string; resume: boolean; fromContext?: string; operation: string };
};

/** Everything dr backup's plan needs, read from the source (also used by dr migrate). */
export async function observeBackup(
  cmd: BackupObserver,
  source: KubeClient,
  input: DrClients & { waitMs: number; dnsTimeoutMs: number },
  name: string,
  guestFallback?: KubeClient,
): Promise<BackupInputs> {
  const c = cmd as unknown as {
    getHostedCluster(k: KubeClient, n: string): Promise<HostedCluster>;
    guestClient(k: KubeClient, hc: HostedCluster): Promise<{ client?: KubeClient; problem?: string }>;
    bucketProblem(s3: DrClients['s3']): Promise<string | undefined>;
    clusterLabel(ctx: string | undefined, k: KubeClient): string;
    hypershiftNamespace: string;
    guest?: KubeClient;
    context: { env: NodeJS.ProcessEnv; now: () => Date };
  };
  const leaseLib = await import('../../hostedcluster/lease.ts');
  const [{ Resources }, lib, snap, dns, { stateDir }, { utcStamp }, { randomBytes }, { join }, { controlPlaneNamespace }] = await Promise.all([
    import('../../kube/resources.ts'),
    import('../../dr/backup.ts'),
    import('../../etcd/snapshot.ts'),
    import('../../dr/dns.ts'),
    import('../../plan/journal.ts'),
    import('../../etcd/snapshot.ts'),
    import('node:crypto'),
    import('node:path'),
    import('../../hostedcluster/types.ts'),
  ]);
  // A resumed run may find nothing of the cluster on the source (a crash during the teardown):
  // it is rebuilt from the first run's backup.
  const { unfinishedMemo, clusterFromBackup } = await import('../../dr/resume.ts');
  const memo = cmd.flags.resume
    ? unfinishedMemo(c.context.env, cmd.flags.operation, `HostedCluster ${(cmd as unknown as { hcNamespace: string }).hcNamespace}/${name}`)
    : undefined;
  const backedUp = typeof memo?.backupDir === 'string' ? clusterFromBackup(memo.backupDir) : undefined;
  let hc: HostedCluster;
  try {
    hc = await c.getHostedCluster(source, name);
  } catch (err) {
    if (!backedUp) throw err;
    hc = backedUp.hc;
  }
  const ns = hc.metadata.namespace!;
  const cpns = controlPlaneNamespace(ns, name);
  const now = c.context.now();
  const { observeRetention } = await import('../../dr/pvc-retention.ts');
  const [nodePools, snapshot, etcdSts, extDns, guest, bucketProblem, retention, ...writers] = await Promise.all([
    source
      .list(Resources.NodePool, { namespace: ns })
      .then((l) => l.items.filter((np) => (np as { spec?: { clusterName?: string } }).spec?.clusterName === name))
      .then((l) => (l.length || !backedUp ? l : (backedUp.nodePools as typeof l))),
    snap.observeSnapshot(source, hc, { allMembers: true }),
    source.getOrNull(Resources.StatefulSet, cpns, 'etcd'),
    source.getOrNull(Resources.Deployment, c.hypershiftNamespace, 'external-dns'),
    c.guestClient(source, hc),
    c.bucketProblem(input.s3),
    observeRetention(source, cpns),
    ...lib.DR_WRITERS.map((n) => source.getOrNull<{ metadata: { name: string }; spec?: { replicas?: number } }>(Resources.Deployment, cpns, n)),
  ]);
  c.guest = guest.client;
  if (!c.guest && cmd.flags.resume && guestFallback) {
    // The source's admin-kubeconfig secret went with the teardown; the destination has its copy.
    c.guest = (await c.guestClient(guestFallback, hc)).client;
  }
  const hostnames = dns.clusterHostnames(hc);
  let zoneId = cmd.flags.zoneId;
  let zoneProblem: string | undefined;
  if (!zoneId && hostnames.length) {
    const domain = hc.spec.dns?.baseDomain;
    zoneId = domain ? await dns.findZone(await input.route53(), domain).catch(() => undefined) : undefined;
    if (!zoneId) zoneProblem = `no public Route 53 zone found for ${domain ?? 'the cluster (no spec.dns.baseDomain)'}`;
  }
  const holder = await leaseLib.readLeaseHolder(source, ns, name, 'dr', now);
  // Another run's claim in the bucket refuses the run before it starts (exit 3); the claim step's
  // conditional put still settles two runs that pass this check at the same moment.
  const { claimKey, readClaim, describeClaim } = await import('../../dr/claim.ts');
  const claimPath = claimKey(cmd.flags.prefix, ns, name);
  const claim = bucketProblem ? null : await readClaim(await input.s3(), cmd.flags.bucket, claimPath).catch(() => null);
  const claimProblem =
    claim && claim.runId !== memo?.runId
      ? `another DR run owns ${ns}/${name}: s3://${cmd.flags.bucket}/${claimPath} is claimed by ${describeClaim(claim)}`
      : undefined;
  const inputs: BackupInputs = {
    hc,
    nodePools: nodePools as never,
    snapshot,
    writers: Object.fromEntries(lib.DR_WRITERS.map((n, i) => [n, writers[i] ? (writers[i]!.spec?.replicas ?? 1) : null])),
    etcdSts: etcdSts as never,
    retention,
    externalDnsProblem: lib.externalDnsProblem(extDns as never, hc.spec.dns?.baseDomain, c.hypershiftNamespace),
    bucketProblem,
    guestProblem: guest.problem,
    sourceName: c.clusterLabel(cmd.flags.fromContext, source),
    sourceServer: source.server,
    bucket: cmd.flags.bucket,
    prefix: cmd.flags.prefix,
    s3: input.s3,
    route53: input.route53,
    zoneId,
    zoneProblem,
    hostnames,
    backupDir: cmd.flags.backupDir ?? join(stateDir(c.context.env), 'dr', `${ns}-${name}-${utcStamp(now)}`),
    runId: randomBytes(6).toString('hex'),
    resume: cmd.flags.resume,
    ownerProblem: holder ? leaseLib.describeHolder(holder) : claimProblem,
    now,
    waitMs: input.waitMs,
    dnsTimeoutMs: input.dnsTimeoutMs,
  };
  // --dry-run lists every object the backup would write (and dr migrate's restore would create).
  if ((cmd as unknown as { dryRunMode: string }).dryRunMode !== 'none') {
    const { readClusterObjects } = await import('../../dr/objects.ts');
    inputs.preview = await readClusterObjects(source, hc);
  }
  return inputs;
}

import { existsSync } from 'node:fs';
import { Command, Option } from 'clipanion';
import type { Report } from '../mutating.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Plan } from '../../plan/plan.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import type { RestoreInputs, StorageClassView } from '../../dr/restore.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';
import { DrCommand, addLease, leaseHolderProblem, type DrClients } from './common.ts';
import { dnsTimeoutOption, toContextOption, toKubeconfigOption } from './flags.ts';

export interface RestoreCliInput extends DrClients {
  waitMs: number;
  nodesTimeoutMs: number;
  dnsTimeoutMs: number;
  presignSeconds: number;
  presignS3: DrClients['s3'];
}

/** The destination side's flags, shared by dr restore and dr migrate. */
export abstract class DrToCommand<Input extends DrClients, Observed> extends DrCommand<Input, Observed> {
  toContext = toContextOption();
  toKubeconfig = toKubeconfigOption();
  replaceNamespaces = Option.Boolean('--replace-namespaces', false, { description: 'Delete leftover namespaces of the cluster on the destination first' });
  reuseNodes = Option.Boolean('--reuse-nodes', true, {
    description: 'Restore the AWS objects and Machines, so that the nodes are kept (default; --no-reuse-nodes to skip them)',
  });
  restoreUrlExpires = Option.String('--restore-url-expires', '6h', { description: 'How long the presigned restoreSnapshotURL is valid (at most 168h)' });
  restoreUrlEndpoint = Option.String('--restore-url-endpoint', {
    description: "The S3 endpoint as the destination's etcd pods reach it, for the presigned URL (default: the S3 endpoint)",
  });
  nodesTimeout = Option.String('--nodes-timeout', '20m', { description: "How long to wait for the guest's nodes (the docs wait 40×30s)" });
  dnsTimeout = dnsTimeoutOption();
}

export class DrRestoreCommand extends DrToCommand<RestoreCliInput, RestoreInputs> {
  static override paths = [['dr', 'restore']];
  static override usage = Command.Usage({
    category: 'dr',
    description: 'Restore a backed-up hosted cluster on the destination management cluster (docs 8.4.4)',
    details: `
      Preflight (exit 3): no other run holds the dr Lease on the destination (this run holds it, \`hcp-dr-NAME\` in the HostedCluster's namespace, which it creates if missing); no HostedCluster of that name on the destination and no leftover control-plane namespace (\`--replace-namespaces\` deletes it, after confirmation; the HostedCluster's namespace is shared and never deleted); the destination has the external-dns Deployment; the destination can make etcd's volumes (the StorageClass the HostedCluster names exists there, or one is the default); \`backup.json\` and every object verify against their sha256s; the snapshot in S3 verifies against its manifest; the source is fenced (etcd at 0 when the source is reachable with \`--from-context\`, else from \`backup.json\`).

      Then in the docs' order: namespaces; for a cluster with more than one etcd member, every member's PVC restored from the final snapshot under the member's own name (upstream's etcd-init, which restores restoreSnapshotURL without \`--initial-cluster\`, would make each member a cluster of its own); HC-namespace secrets; control-plane secrets, HostedControlPlane, Cluster; AWS objects and Machines (\`--reuse-nodes\`, the default); the HostedCluster with exactly **one** presigned \`restoreSnapshotURL\` (the API takes one; the docs' script writes three) and no pausedUntil; NodePools without pausedUntil. Verify: Available; every etcd member healthy with the final snapshot's keyspace hash; the guest's nodes Ready again; the cluster's Route 53 records back. Reports the downtime from the fence to Available.
    `,
    examples: [
      ['Restore on mgmt-2', '$0 dr restore sample --bucket my-dr-bucket --backup-dir ~/.local/state/kubectl-hcp/dr/clusters-sample-… --to-context mgmt-2'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  backupDir = Option.String('--backup-dir', { description: 'The directory dr backup wrote', required: true });

  private lib!: typeof import('../../dr/restore.ts');

  protected override async load(): Promise<void> {
    await super.load();
    this.lib = await import('../../dr/restore.ts');
  }

  protected validate(): RestoreCliInput {
    assertObjectName(this.name, 'HostedCluster');
    // A --backup-dir that is not there is bad input (exit 2, issue 11), not a preflight refusal.
    if (!existsSync(this.backupDir)) throw new UsageError(`--backup-dir ${this.backupDir} does not exist`);
    return validateRestore(this, this.drClients());
  }

  protected async observe(kube: KubeClient, input: RestoreCliInput): Promise<RestoreInputs> {
    this.target = await this.kubeForContext(this.toContext, this.toKubeconfig);
    const dir = this.backupDir;
    const checked = await this.lib.checkBackup(dir, input.s3);
    const inputs = await observeRestore(this, this.target, input, this.name, () => dir);
    inputs.backupProblems.push(...checked.problems);
    if (checked.record && (this.fromContext !== undefined || this.fromKubeconfig !== undefined)) {
      const source = await this.sourceClient(kube);
      inputs.fenceProblem = await fenceProblem(source, checked.record.hostedCluster.namespace, this.name);
    } else if (checked.record && !checked.record.fencedAt) inputs.fenceProblem = 'backup.json records no fence: the source may still serve';
    // --dry-run lists (client) or sends with dryRun=All (server) every object of the backup.
    if (checked.record) inputs.etcdMembers = checked.record.snapshots.length;
    const objects = checked.record ? (await import('../../dr/objects.ts')).verifyObjects(dir).objects : [];
    const backedUp = objects.find((o) => o.group === 'hostedcluster')?.object as HostedCluster | undefined;
    inputs.storageProblem = this.lib.storageClassProblem(backedUp, await observeStorageClasses(this.target), inputs.targetName);
    if (this.dryRunMode !== 'none' && checked.record) inputs.preview = objects;
    return inputs;
  }

  protected override executeOptions() {
    return { kube: this.target, clusters: { target: this.target! }, resume: this.resume };
  }

  protected plan(_input: RestoreCliInput, i: RestoreInputs): Plan {
    const plan: Plan = {
      operation: 'dr restore',
      target: `HostedCluster ${i.hcNamespace}/${i.name}`,
      steps: this.lib.restoreSteps(i),
      warnings: [],
      blockers: this.lib.restoreBlockers(i),
      journal: true,
    };
    addLease(plan, { namespace: i.hcNamespace, name: i.name }, 'dr restore', 'target');
    return plan;
  }

  protected report(result: ExecutionResult, _input: RestoreCliInput, i: RestoreInputs): Report {
    return restoreReport(result, i);
  }
}

export function restoreReport(result: ExecutionResult, i: RestoreInputs): Report {
  const a = result.artifacts;
  return {
    value: {
      hostedCluster: `${i.hcNamespace}/${i.name}`,
      destination: i.targetName,
      restoreSnapshotKey: a.restoreSnapshotKey,
      availableAt: a.availableAt,
      downtimeSeconds: a.downtimeSeconds,
      etcdVerified: a.etcdVerified ?? [],
      nodesReady: a.nodesReady,
    },
    // --dry-run=server: the writes were sent with dryRun=All, nothing was created or verified.
    text:
      a.availableAt === undefined
        ? `restore of ${i.name} on ${i.targetName}: every write sent was accepted; nothing was created or verified`
        : `restored ${i.name} on ${i.targetName}: Available at ${String(a.availableAt)} (downtime ${String(a.downtimeSeconds)}s from the fence), etcd verified on ${((a.etcdVerified as string[]) ?? []).join(', ') || 'no member (no hash recorded)'}, ${String(a.nodesReady)} nodes Ready`,
  };
}

interface RestoreFlagHolder {
  restoreUrlExpires: string;
  restoreUrlEndpoint?: string;
  waitTimeout: string;
  nodesTimeout: string;
  dnsTimeout: string;
  profile?: string;
  region?: string;
  s3PathStyle: boolean;
  toContext?: string;
  toKubeconfig?: string;
  replaceNamespaces: boolean;
  reuseNodes: boolean;
  resume: boolean;
  context: { env: NodeJS.ProcessEnv };
  hypershiftNamespace: string;
}

export function validateRestore(cmd: RestoreFlagHolder, clients: DrClients): RestoreCliInput {
  if (cmd.toContext === undefined && cmd.toKubeconfig === undefined) throw new UsageError('give the destination: --to-context or --to-kubeconfig');
  const seconds = Math.round(parseGoDuration(cmd.restoreUrlExpires, '--restore-url-expires') / 1000);
  if (seconds > 7 * 24 * 3600)
    throw new UsageError(`--restore-url-expires ${cmd.restoreUrlExpires} is too long: at most 168h (SigV4 presigned URLs cannot live longer)`);
  const waitMs = parseGoDuration(cmd.waitTimeout, '--wait-timeout');
  // Every etcd pod reads the URL when it starts on the destination, which may take the whole wait
  // (FACTS: upstream's 1-hour presign can expire before etcd starts); an expired URL leaves the pods
  // in Init:CrashLoopBackOff with S3's XML in their log.
  if (seconds * 1000 < waitMs + 5 * 60_000)
    throw new UsageError(
      `--restore-url-expires ${cmd.restoreUrlExpires} would expire before etcd starts: it must outlast --wait-timeout ${cmd.waitTimeout} by 5m`,
    );
  let presignS3 = clients.s3;
  if (cmd.restoreUrlEndpoint !== undefined) {
    const endpoint = cmd.restoreUrlEndpoint;
    if (!/^https?:\/\/[^/]+/.test(endpoint)) throw new UsageError(`--restore-url-endpoint "${endpoint}" is not an http(s) URL`);
    let client: ReturnType<DrClients['s3']> | undefined;
    presignS3 = () =>
      (client ??= import('../../aws/s3.ts').then((aws) =>
        aws.createS3Client({ profile: cmd.profile, region: cmd.region, endpoint, forcePathStyle: cmd.s3PathStyle }),
      ));
  }
  return {
    ...clients,
    presignS3,
    presignSeconds: seconds,
    waitMs,
    nodesTimeoutMs: parseGoDuration(cmd.nodesTimeout, '--nodes-timeout'),
    dnsTimeoutMs: parseGoDuration(cmd.dnsTimeout, '--dns-timeout'),
  };
}

/** The destination's state for the restore's preflight. */
export async function observeRestore(
  cmd: RestoreFlagHolder,
  target: KubeClient,
  input: RestoreCliInput,
  name: string,
  backupDir: () => string,
  hcNamespace?: string,
): Promise<RestoreInputs> {
  const { Resources } = await import('../../kube/resources.ts');
  const { controlPlaneNamespace } = await import('../../hostedcluster/types.ts');
  const { externalDnsProblem } = await import('../../dr/backup.ts');
  const ns = hcNamespace ?? (cmd as unknown as { hcNamespace: string }).hcNamespace;
  const cpns = controlPlaneNamespace(ns, name);
  const [hc, cpObj, extDns] = await Promise.all([
    target.getOrNull(Resources.HostedCluster, ns, name),
    target.getOrNull(Resources.Namespace, undefined, cpns),
    target.getOrNull(Resources.Deployment, cmd.hypershiftNamespace, 'external-dns'),
  ]);
  const targetName = cmd.toContext ?? new URL(target.server).hostname;
  return {
    hcNamespace: ns,
    name,
    backupDir,
    targetName,
    hcExists: hc !== null,
    // Only the control-plane namespace is the cluster's own: the HostedCluster's namespace (upstream's
    // `clusters`) is shared by every hosted cluster there, so it is neither a leftover nor deleted by
    // --replace-namespaces; the destination's dr Lease lives in it and creates it when missing.
    namespacesLeft: cpObj ? [cpns] : [],
    ownerProblem: await leaseHolderProblem(target, ns, name, new Date(), targetName),
    replaceNamespaces: cmd.replaceNamespaces,
    resume: cmd.resume,
    externalDnsProblem: externalDnsProblem(extDns as never, undefined, cmd.hypershiftNamespace),
    backupProblems: [],
    s3: input.s3,
    presignS3: input.presignS3,
    route53: input.route53,
    presignSeconds: input.presignSeconds,
    reuseNodes: cmd.reuseNodes,
    waitMs: input.waitMs,
    nodesTimeoutMs: input.nodesTimeoutMs,
    dnsTimeoutMs: input.dnsTimeoutMs,
    env: cmd.context.env,
    releaseClaimAtEnd: true,
  };
}

/** The destination's StorageClasses, for storageClassProblem; undefined when they may not be read. */
export async function observeStorageClasses(target: KubeClient): Promise<StorageClassView[] | undefined> {
  const { Resources } = await import('../../kube/resources.ts');
  const { isForbidden } = await import('../../kube/errors.ts');
  const DEFAULT = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];
  try {
    const list = await target.list(Resources.StorageClass);
    return list.items.map((c) => ({ name: c.metadata.name, isDefault: DEFAULT.some((a) => c.metadata.annotations?.[a] === 'true') }));
  } catch (err) {
    if (isForbidden(err)) return undefined;
    throw err;
  }
}

/** The source serves no more: its etcd StatefulSet is at 0 and no etcd pod is left. */
export async function fenceProblem(source: KubeClient, ns: string, name: string): Promise<string | undefined> {
  const { Resources } = await import('../../kube/resources.ts');
  const { controlPlaneNamespace } = await import('../../hostedcluster/types.ts');
  const { etcdPodNames } = await import('../../dr/backup.ts');
  const cpns = controlPlaneNamespace(ns, name);
  const sts = await source.getOrNull<{ metadata: { name: string }; spec?: { replicas?: number } }>(Resources.StatefulSet, cpns, 'etcd');
  const pods = await etcdPodNames(source, cpns);
  if ((sts?.spec?.replicas ?? 0) > 0 || pods.length)
    return `the source is not fenced: ${cpns}/etcd has ${sts?.spec?.replicas ?? 0} replicas and pods ${pods.join(', ') || 'none'} (run dr backup first)`;
  return undefined;
}

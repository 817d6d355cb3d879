import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Plan } from '../../plan/plan.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { resumeOption, profileOption, regionOption, s3EndpointOption, s3PathStyleOption } from '../flags.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';

type RestoreLib = typeof import('../../etcd/restore.ts');

interface RestoreInput {
  source: ReturnType<RestoreLib['parseSource']>;
  s3: () => Promise<S3Client>;
  waitMs: number;
}
interface RestoreObserved {
  hc: HostedCluster;
  verified: Awaited<ReturnType<RestoreLib['verifySnapshot']>>;
  observed: Awaited<ReturnType<RestoreLib['observeRestore']>>;
  preflightStatus: Awaited<ReturnType<RestoreLib['snapshotStatusInPod']>> | undefined;
}

export class EtcdRestoreCommand extends MutatingCommand<RestoreInput, RestoreObserved> {
  static override paths = [['etcd', 'restore']];
  static override usage = Command.Usage({
    category: 'etcd',
    description: "Restore a hosted cluster's etcd from a verified snapshot (docs 8.3, the full procedure)",
    details: `
      Before anything is touched it reads the snapshot (a local file or an S3 object, with the \`.manifest.json\` and \`.sha256\` that \`kubectl hcp etcd snapshot\` wrote next to it), checks its sha256 and size against the manifest, runs \`etcdutl snapshot status\` on it in a running etcd pod's /tmp, and checks that the manifest is of this cluster (\`--from-other-cluster\` overrides).

      Then the docs' steps, with one change: pause reconciliation; scale kube-apiserver, openshift-apiserver and openshift-oauth-apiserver to 0 (counts recorded); scale statefulset etcd to 0; then for every member N, create deployment \`etcd-data\` (\`etcd-data-N\`) with the etcd image on PVC \`data-etcd-N\` and wait until it sees the volume, stream the snapshot in (sha256sum and etcdutl checked there too), run \`etcdutl snapshot restore\` with \`--name etcd-N\`, \`--initial-advertise-peer-urls\` of etcd-N, \`--initial-cluster\` built for this namespace and member count and \`--initial-cluster-token=etcd-cluster\` (into a staging dir, then moved over /var/lib/data), and remove the file and the deployment; scale etcd back and wait for every member healthy; scale the writers back; resume.

      The change: the docs restore member 0 only and delete the other members' volumes. Two empty members then have raft logs as long as the restored one's and can elect a leader of their own, which serves an empty keyspace next to member 0's data (seen in the sandbox, and caught by the hash check below). Restoring every member from the same snapshot, as etcd documents and as upstream does for restoreSnapshotURL, leaves nothing to race.

      Finally every member's keyspace hash at the snapshot's revision must equal the one in the manifest.

      Destructive: asks for confirmation (\`-y\` skips). Journaled: after an interruption or a failure, \`--resume\` continues from the last finished step and never restores twice.
    `,
    examples: [
      ['Restore from a local snapshot', '$0 etcd restore sample --from /backups/etcd/sample-etcd-0-20261125T160412Z-snapshot.db'],
      ['Restore from S3', '$0 etcd restore sample --from s3://my-bucket/etcd/sample-etcd-0-20261125T160412Z-snapshot.db -y'],
      ['Continue an interrupted restore', '$0 etcd restore sample --from /backups/etcd/sample-etcd-0-20261125T160412Z-snapshot.db --resume -y'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  from = Option.String('--from', { description: 'The snapshot: FILE, file://FILE or s3://BUCKET/KEY', required: true });
  fromOtherCluster = Option.Boolean('--from-other-cluster', false, { description: 'Restore a snapshot taken of another HostedCluster' });
  profile = profileOption();
  region = regionOption();
  s3Endpoint = s3EndpointOption();
  s3PathStyle = s3PathStyleOption();
  waitTimeout = Option.String('--wait-timeout', '10m', { description: 'How long each wait may take (pods gone, members healthy)' });
  resume = resumeOption();

  private lib!: RestoreLib;
  private sinks!: typeof import('../../etcd/sinks.ts');
  private aws!: typeof import('../../aws/s3.ts');
  private lease!: typeof import('../../hostedcluster/lease.ts');

  protected override async load(): Promise<void> {
    [this.lib, this.sinks, this.aws] = await Promise.all([import('../../etcd/restore.ts'), import('../../etcd/sinks.ts'), import('../../aws/s3.ts')]);
    this.lease = await import('../../hostedcluster/lease.ts');
  }

  protected validate(): RestoreInput {
    assertObjectName(this.name, 'HostedCluster');
    if (!this.from.trim()) throw new UsageError('--from needs a snapshot file or s3:// object');
    const source = this.lib.parseSource(this.from);
    if (!source.name.endsWith('.db')) throw new UsageError(`--from ${this.from}: name the snapshot .db file (its .manifest.json is found next to it)`);
    const waitMs = parseGoDuration(this.waitTimeout, '--wait-timeout');
    const s3 = this.aws.lazyS3Client(
      this.aws.s3Settings({ profile: this.profile, region: this.region, endpoint: this.s3Endpoint, forcePathStyle: this.s3PathStyle }, this.context.env),
    );
    return { source, s3, waitMs };
  }

  /** The snapshot is verified (sha256 against its manifest, etcdutl in a running pod) before a plan exists, so nothing is touched for a bad file. */
  protected async observe(kube: KubeClient, { source, s3 }: RestoreInput): Promise<RestoreObserved> {
    // The snapshot first: a bad one is bad input (exit 2) and is refused before any API call.
    const store = this.sinks.storeFor(source.location, s3);
    this.out.note(`verifying ${this.sinks.describeLocation(source.location, source.name)} against its manifest...`);
    const verified = await this.lib.verifySnapshot(store, source.name);
    const hc = await this.getHostedCluster(kube, this.name);
    const observed = await this.lib.observeRestore(kube, hc);
    const { etcdExec } = await import('../../etcd/observe.ts');
    const { controlPlaneNamespace } = await import('../../hostedcluster/types.ts');
    const preflightStatus = observed.runningPod
      ? await this.lib.snapshotStatusInPod(
          etcdExec(kube, controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name)),
          observed.runningPod,
          store,
          source.name,
        )
      : undefined;
    return { hc, verified, observed, preflightStatus };
  }

  protected override executeOptions() {
    return { resume: this.resume };
  }

  protected plan(input: RestoreInput, { hc, verified, observed, preflightStatus }: RestoreObserved): Plan {
    const plan = this.lib.planEtcdRestore({
      hc,
      source: input.source,
      s3: input.s3,
      verified,
      preflightStatus,
      fromOtherCluster: this.fromOtherCluster,
      resuming: this.resume,
      ...observed,
      waitMs: input.waitMs,
    });
    // One etcd run per cluster at a time (issue 11, Concurrency): a second exits 3 naming the holder.
    plan.locks = [
      ...(plan.locks ?? []),
      this.lease.ownershipLease({ namespace: hc.metadata.namespace!, name: hc.metadata.name, group: 'etcd', operation: 'etcd restore' }),
    ];
    return plan;
  }

  protected report(result: ExecutionResult, { source }: RestoreInput, { hc, verified, observed }: RestoreObserved): Report {
    const a = result.artifacts;
    const m = verified.manifest;
    return {
      value: {
        hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`,
        from: this.sinks.describeLocation(source.location, source.name),
        sha256: verified.sha256,
        revision: m.snapshot.revision,
        verified: a.verified ?? null,
        keyspaceHash: m.keyspaceHash,
        members: observed.members,
      },
      text:
        this.dryRunMode === 'server'
          ? `etcd of ${hc.metadata.name} would be restored from ${source.name}`
          : `etcd of ${hc.metadata.name} restored from ${source.name} (revision ${m.snapshot.revision}, sha256 ${verified.sha256}); ${a.verified === 'keyspace-hash' ? `all ${String(a.membersVerified)} members have keyspace hash ${String(m.keyspaceHash?.hash)} at revision ${String(m.keyspaceHash?.revision)}, as recorded in the manifest` : 'all members healthy'}`,
    };
  }
}

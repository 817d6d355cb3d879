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
import { RuntimeError, UsageError } from '../../util/errors.ts';

type SnapshotLib = typeof import('../../etcd/snapshot.ts');
type SinksLib = typeof import('../../etcd/sinks.ts');

interface SnapshotInput {
  to: ReturnType<SinksLib['parseLocation']>;
  s3: () => Promise<S3Client>;
  waitMs: number;
}
interface SnapshotObserved {
  hc: HostedCluster;
  observed: Awaited<ReturnType<SnapshotLib['observeSnapshot']>>;
}

export class EtcdSnapshotCommand extends MutatingCommand<SnapshotInput, SnapshotObserved> {
  static override paths = [['etcd', 'snapshot']];
  static override usage = Command.Usage({
    category: 'etcd',
    description: 'Take a verified etcd snapshot of a hosted cluster, to a directory or S3 (docs 8.2.1, 8.3)',
    details: `
      Pauses reconciliation, scales kube-apiserver, openshift-apiserver and openshift-oauth-apiserver to 0 (recording their counts), runs \`etcdctl snapshot save\` in the member's pod and \`etcdutl snapshot status\` on the result, streams the file out over exec and deletes it from the pod, then scales the writers back to the recorded counts and resumes. Scaling back and resuming also happen when any step fails, unless \`--keep-paused\`.

      \`--online\` skips the pause and the scale-down: etcd snapshots are consistent at their revision while the API keeps writing, so there is no API downtime, but writes made during the snapshot are not in it; the offline default gives a snapshot of a quiet cluster, as the docs do.

      Each snapshot is \`<cluster>-<pod>-<UTC timestamp>-snapshot.db\` with a \`.sha256\` (sha256sum format) and a \`.manifest.json\`: sha256, size, revision, the keyspace hash at that revision, member IDs, etcd version, release and the encryption key's secret name (never its value). The sha256 is computed while streaming, with backpressure and without holding the file in memory, and compared with \`sha256sum\` run in the pod: a mismatch or a cut stream fails the run and leaves nothing that looks complete.

      \`--to file://DIR\` writes files of mode 0600 in a directory of mode 0700. \`--to s3://BUCKET/PREFIX\` uploads with SigV4 multipart from this machine (the default AWS credential chain, \`--profile\`, \`--region\`, \`--s3-endpoint\` or AWS_ENDPOINT_URL_S3); no credential ever enters a pod.

      One member (the leader unless \`--member\`), or every member with \`--all-members\`. \`--include-encryption-key\` also stores the secret named by \`spec.secretEncryption.aescbc.activeKey\` (mode 0600, or SSE on S3); without it the command says where the key lives, since a restore elsewhere needs it.

      The run is journaled: after an interruption, \`--resume\` continues it.
    `,
    examples: [
      ['Snapshot the leader to a local directory', '$0 etcd snapshot sample --to file:///backups/etcd'],
      ['Every member to S3, without API downtime', '$0 etcd snapshot sample --to s3://my-bucket/etcd --all-members --online'],
      ['Continue an interrupted run', '$0 etcd snapshot sample --to file:///backups/etcd --resume'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  to = Option.String('--to', { description: 'file://DIR or s3://BUCKET/PREFIX', required: true });
  member = Option.String('--member', { description: 'The member to snapshot, e.g. etcd-1 (default: the leader)' });
  allMembers = Option.Boolean('--all-members', false, { description: 'Snapshot every member' });
  online = Option.Boolean('--online', false, { description: 'Do not pause or scale down the API servers (no API downtime)' });
  keepPaused = Option.Boolean('--keep-paused', false, { description: 'Leave the cluster paused and the writers at 0 afterwards' });
  includeEncryptionKey = Option.Boolean('--include-encryption-key', false, { description: 'Also store the etcd encryption key secret' });
  profile = profileOption();
  region = regionOption();
  s3Endpoint = s3EndpointOption();
  s3PathStyle = s3PathStyleOption();
  waitTimeout = Option.String('--wait-timeout', '5m', { description: 'How long to wait for the writers to stop' });
  resume = resumeOption();

  private lib!: SnapshotLib;
  private sinks!: SinksLib;
  private recover!: typeof import('../../etcd/recover.ts');
  private aws!: typeof import('../../aws/s3.ts');
  private lease!: typeof import('../../hostedcluster/lease.ts');

  protected override async load(): Promise<void> {
    [this.lib, this.sinks, this.recover, this.aws] = await Promise.all([
      import('../../etcd/snapshot.ts'),
      import('../../etcd/sinks.ts'),
      import('../../etcd/recover.ts'),
      import('../../aws/s3.ts'),
    ]);
    this.lease = await import('../../hostedcluster/lease.ts');
  }

  protected validate(): SnapshotInput {
    assertObjectName(this.name, 'HostedCluster');
    const to = this.sinks.parseLocation(this.to, '--to');
    if (this.member !== undefined && !this.recover.MEMBER_NAME.test(this.member))
      throw new UsageError(`--member "${this.member}" is not an etcd pod name like etcd-1`);
    if (this.member !== undefined && this.allMembers) throw new UsageError('give --member or --all-members, not both');
    if (this.online && this.keepPaused) throw new UsageError('--keep-paused has no meaning with --online, which never pauses');
    const waitMs = parseGoDuration(this.waitTimeout, '--wait-timeout');
    const s3 = this.aws.lazyS3Client(
      this.aws.s3Settings({ profile: this.profile, region: this.region, endpoint: this.s3Endpoint, forcePathStyle: this.s3PathStyle }, this.context.env),
    );
    return { to, s3, waitMs };
  }

  protected async observe(kube: KubeClient): Promise<SnapshotObserved> {
    const hc = await this.getHostedCluster(kube, this.name);
    const observed = await this.lib.observeSnapshot(kube, hc, { member: this.member, allMembers: this.allMembers });
    // A --member that is not there is not found (exit 1), like a HostedCluster or NodePool (issue 11).
    const names = observed.view.members.map((m) => m.name);
    if (this.member !== undefined && names.length && !names.includes(this.member))
      throw new RuntimeError(`etcd member ${this.member} of HostedCluster ${this.hcNamespace}/${this.name} not found`, {
        hint: `members: ${names.join(', ')}`,
      });
    return { hc, observed };
  }

  protected override executeOptions() {
    return { resume: this.resume };
  }

  protected plan(input: SnapshotInput, { hc, observed }: SnapshotObserved): Plan {
    const plan = this.lib.planEtcdSnapshot({
      hc,
      ...observed,
      to: input.to,
      s3: input.s3,
      online: this.online,
      keepPaused: this.keepPaused,
      includeEncryptionKey: this.includeEncryptionKey,
      now: this.context.now(),
      resuming: this.resume,
      waitMs: input.waitMs,
    });
    // One etcd run per cluster at a time (issue 11, Concurrency): a second exits 3 naming the holder.
    plan.locks = [
      ...(plan.locks ?? []),
      this.lease.ownershipLease({ namespace: hc.metadata.namespace!, name: hc.metadata.name, group: 'etcd', operation: 'etcd snapshot' }),
    ];
    return plan;
  }

  protected report(result: ExecutionResult, input: SnapshotInput, { hc, observed }: SnapshotObserved): Report {
    const a = result.artifacts;
    const snapshots = observed.pods.map((pod) => ({
      member: pod,
      location: a[`${pod}.stored`],
      sha256: a[`${pod}.sha256`],
      size: a[`${pod}.size`],
      revision: a[`${pod}.revision`],
      keyspaceHash: a[`${pod}.keyspaceHash`],
    }));
    return {
      value: {
        hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`,
        to: this.sinks.describeLocation(input.to),
        snapshots,
        encryptionKey: a.encryptionKeyStored ?? null,
      },
      text:
        this.dryRunMode === 'server'
          ? `etcd snapshot of ${hc.metadata.name} would be taken: pause and scale accepted; nothing was saved`
          : snapshots
              .map(
                (s) => `${String(s.location)}: ${String(s.size)} bytes, revision ${String(s.revision)}, sha256 ${String(s.sha256)} (verified against the pod)`,
              )
              .join('\n'),
    };
  }
}

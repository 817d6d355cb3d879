import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Plan } from '../../plan/plan.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration, formatDuration } from '../../util/duration.ts';
import { RuntimeError, UsageError } from '../../util/errors.ts';

interface RecoverInput {
  waitMs: number;
}
interface RecoverObserved {
  hc: HostedCluster;
  observed: Awaited<ReturnType<typeof import('../../etcd/recover.ts').observeRecover>>;
}

export class EtcdRecoverCommand extends MutatingCommand<RecoverInput, RecoverObserved> {
  static override paths = [['etcd', 'recover']];
  static override usage = Command.Usage({
    category: 'etcd',
    description: 'Recover one failing etcd member of a highly available hosted cluster (docs 8.1.2)',
    details: `
      Deletes PVC \`data-etcd-N\` and pod \`etcd-N\` without waiting on either, as the docs do; the statefulset recreates the pod with an empty volume and the member rejoins, copying the data from the leader. Then it waits for the new pod to be 2/2 Ready and proves the result: every member healthy (\`endpoint health --cluster\`), member N back with a new ID, and its keyspace hash equal to the others' at one common revision. It reports the time taken.

      It refuses (exit 3), saying what it found, when:
      - the member is not failing (\`--force\` overrides this one only);
      - another member is failing too: quorum is lost and only \`kubectl hcp etcd restore\` helps;
      - the cluster is not HighlyAvailable, or PVC \`data-etcd-N\` does not exist;
      - the etcd statefulset is mid-rollout;
      - the operator's \`etcd-recovery\` Job is running, or its automatic recovery (ENABLE_ETCD_RECOVERY) is enabled and about to act on this member (\`--manual\` goes ahead anyway; otherwise wait for it with \`kubectl hcp etcd status\`).

      The member's data is discarded and asks for confirmation (\`-y\` skips).
    `,
    examples: [
      ['Recover etcd-2 of cluster sample', '$0 etcd recover sample etcd-2'],
      ['Show the plan only', '$0 etcd recover sample etcd-2 --dry-run=client'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  member = Option.String({ name: 'MEMBER' });
  force = Option.Boolean('--force', false, { description: 'Recover the member even though it looks healthy' });
  manual = Option.Boolean('--manual', false, { description: "Recover now even though the operator's automatic recovery would act" });
  waitTimeout = Option.String('--wait-timeout', '10m', { description: 'How long to wait for the member to rejoin and the cluster to be healthy' });

  private lib!: typeof import('../../etcd/recover.ts');
  private lease!: typeof import('../../hostedcluster/lease.ts');

  protected override async load(): Promise<void> {
    [this.lib, this.lease] = await Promise.all([import('../../etcd/recover.ts'), import('../../hostedcluster/lease.ts')]);
  }

  protected validate(): RecoverInput {
    assertObjectName(this.name, 'HostedCluster');
    if (!this.lib.MEMBER_NAME.test(this.member)) throw new UsageError(`member "${this.member}" is not an etcd pod name like etcd-2`);
    return { waitMs: parseGoDuration(this.waitTimeout, '--wait-timeout') };
  }

  protected async observe(kube: KubeClient): Promise<RecoverObserved> {
    const hc = await this.getHostedCluster(kube, this.name);
    const observed = await this.lib.observeRecover(kube, hc, this.member, this.hypershiftNamespace);
    // A member that is not there is not found (exit 1), like a HostedCluster or NodePool (issue 11).
    const names = observed.view.members.map((m) => m.name);
    if (names.length && !names.includes(this.member))
      throw new RuntimeError(`etcd member ${this.member} of HostedCluster ${this.hcNamespace}/${this.name} not found`, {
        hint: `members: ${names.join(', ')}`,
      });
    return { hc, observed };
  }

  protected plan(input: RecoverInput, { hc, observed }: RecoverObserved): Plan {
    const plan = this.lib.planEtcdRecover({
      hc,
      member: this.member,
      ...observed,
      force: this.force,
      manual: this.manual,
      now: this.context.now(),
      waitMs: input.waitMs,
    });
    // One etcd run per cluster at a time (issue 11, Concurrency): a second exits 3 naming the holder.
    plan.locks = [
      ...(plan.locks ?? []),
      this.lease.ownershipLease({ namespace: hc.metadata.namespace!, name: hc.metadata.name, group: 'etcd', operation: 'etcd recover' }),
    ];
    return plan;
  }

  protected report(result: ExecutionResult, _input: RecoverInput, { hc }: RecoverObserved): Report {
    const a = result.artifacts;
    const took = typeof a.tookMs === 'number' ? formatDuration(a.tookMs) : undefined;
    return {
      value: {
        hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`,
        member: this.member,
        oldMemberId: a.oldMemberId,
        newMemberId: a.newMemberId,
        hashRevision: a.hashRevision,
        hash: a.hash,
        tookMs: a.tookMs,
      },
      text:
        this.dryRunMode === 'server'
          ? `${this.member} would be recovered: PVC and pod deletions accepted`
          : `${this.member} recovered in ${took}: new member ID ${String(a.newMemberId)} (was ${String(a.oldMemberId ?? 'absent')}), all members healthy, keyspace hash ${String(a.hash)} equal on every member at revision ${String(a.hashRevision)}`,
    };
  }
}

import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from './mutating.ts';
import { assertObjectName } from './base.ts';
import { alwaysWaitTimeoutOption } from './flags.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ClusterInventory } from '../deletion/observe.ts';
import type { LeaseHolder } from '../hostedcluster/lease.ts';
import { parseGoDuration } from '../util/duration.ts';

interface DeleteInput {
  name: string;
  timeoutMs: number;
}
interface DeleteObserved {
  inventory: ClusterInventory;
  drHolder: LeaseHolder | null;
}

export class DeleteCommand extends MutatingCommand<DeleteInput, DeleteObserved> {
  static override paths = [['delete']];
  static override usage = Command.Usage({
    category: 'Lifecycle',
    description: 'Delete a hosted cluster and wait until its NodePools, control plane and finalizer are gone (docs 4.2)',
    details: `
      Deletes the HostedCluster; the HyperShift operator then deletes its NodePools (and their machines), the HostedControlPlane and the control-plane namespace, and removes its finalizer last. The command waits for each of these, showing what is left, within one \`--wait-timeout\` (default 10m); on a timeout it says what is still there, and running it again keeps waiting.

      It refuses (exit 3) while a disaster-recovery run holds the cluster's Lease (\`hcp-dr-NAME\` in the cluster's namespace), and holds that Lease itself while it runs, so no dr command can start on a cluster being deleted.

      \`--dry-run=client\` lists every object that goes. Cloud infrastructure made by \`hcp create infra\` (VPC, subnets, IAM roles, DNS zones) is not removed: \`hcp destroy\` does that.
    `,
    examples: [
      ['Delete a cluster, asking first', '$0 delete sample'],
      ['See what would go', '$0 delete sample --dry-run=client'],
      ['Delete without asking, waiting up to 30 minutes', '$0 delete sample -y --wait-timeout 30m'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  waitTimeout = alwaysWaitTimeoutOption('10m', 'the NodePools, the control-plane namespace and the finalizer to go');

  private observeLib!: typeof import('../deletion/observe.ts');
  private planLib!: typeof import('../deletion/delete.ts');
  private leaseLib!: typeof import('../hostedcluster/lease.ts');

  protected override async load(): Promise<void> {
    [this.observeLib, this.planLib, this.leaseLib] = await Promise.all([
      import('../deletion/observe.ts'),
      import('../deletion/delete.ts'),
      import('../hostedcluster/lease.ts'),
    ]);
  }

  protected validate(): DeleteInput {
    assertObjectName(this.name, 'HostedCluster');
    return { name: this.name, timeoutMs: parseGoDuration(this.waitTimeout, '--wait-timeout') };
  }

  protected async observe(kube: KubeClient, { name }: DeleteInput): Promise<DeleteObserved> {
    const hc = await this.getHostedCluster(kube, name);
    const ns = hc.metadata.namespace ?? this.hcNamespace;
    const [inventory, drHolder] = await Promise.all([
      this.observeLib.observeInventory(kube, ns, name),
      this.leaseLib.readLeaseHolder(kube, ns, name, 'dr', this.context.now()),
    ]);
    return { inventory, drHolder };
  }

  protected plan({ timeoutMs }: DeleteInput, { inventory, drHolder }: DeleteObserved) {
    return this.planLib.planDeleteHostedCluster({ inventory, drHolder, timeoutMs });
  }

  protected report(_result: unknown, _input: DeleteInput, { inventory: inv }: DeleteObserved): Report {
    return {
      value: {
        hostedCluster: `${inv.namespace}/${inv.name}`,
        deleted: this.observeLib.describeInventory(inv),
        controlPlaneNamespace: inv.controlPlaneNamespace,
        nodePools: inv.nodePools.map((np) => np.metadata.name),
        note: this.planLib.CLOUD_INFRA_NOTE,
      },
      text: [
        `hostedcluster/${inv.name} deleted, with ${inv.nodePools.length} NodePool${inv.nodePools.length === 1 ? '' : 's'} and control-plane namespace ${inv.controlPlaneNamespace}`,
        `note: ${this.planLib.CLOUD_INFRA_NOTE}`,
      ].join('\n'),
    };
  }
}

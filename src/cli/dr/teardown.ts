import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { resumeOption } from '../flags.ts';
import { fromContextOption, fromKubeconfigOption, guestKubeconfigOption, toContextOption, toKubeconfigOption } from './flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import type { Plan } from '../../plan/plan.ts';
import type { TeardownInputs } from '../../dr/teardown.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { ResolvedKubeconfig } from '../../kube/kubeconfig.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';

interface TeardownInput {
  timeoutMs: number;
  ovnTimeoutMs: number;
}

export class DrTeardownCommand extends MutatingCommand<TeardownInput, TeardownInputs> {
  static override paths = [['dr', 'teardown']];
  static override usage = Command.Usage({
    category: 'dr',
    description: 'Delete a migrated hosted cluster from its source management cluster (docs 8.4.5)',
    details: `
      Refuses (exit 3) unless a \`dr restore\` or \`dr migrate\` journal on this machine shows the restore of this cluster verified (Available, etcd with the final snapshot's hash, nodes back), onto the destination given, or \`--i-have-verified-the-restore\` is passed; and always when the cluster is not on the destination, or the source and the destination are the same cluster.

      Then, on the source: a StatefulSet whose \`persistentVolumeClaimRetentionPolicy.whenScaled\` is Delete is set to Retain first (shown and confirmed: the docs' IMPORTANT box); the Deployments and StatefulSets of the control-plane namespace are scaled to 0, control-plane-operator first (never the HyperShift operator: the docs' script stops every other hosted cluster with it); finalizers are removed and the objects deleted in the docs' order (NodePools, Machines, MachineSets, the CAPI Cluster, AWSMachines, the HostedControlPlane and its namespace, the HostedCluster and its namespace), each kind verified gone within \`--wait-timeout\`. The HostedCluster's namespace is kept when other clusters live in it. The cloud resources are not touched: the destination uses them.

      Then the guest's \`openshift-ovn-kubernetes\` pods are deleted once and the command waits, up to \`--ovn-timeout\`, until as many are Running again (the docs' script loops forever); last, whatever is still paused on the destination is resumed. Holds the cluster's \`dr\` Lease on the source; journaled: \`--resume\` continues after any crash.
    `,
    examples: [
      ['Tear down the source after dr restore', '$0 dr teardown sample --from-context mgmt-1 --to-context mgmt-2'],
      ['See the plan', '$0 dr teardown sample --from-context mgmt-1 --to-context mgmt-2 --dry-run=client'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  fromContext = fromContextOption();
  fromKubeconfig = fromKubeconfigOption();
  toContext = toContextOption();
  toKubeconfig = toKubeconfigOption();
  guestKubeconfig = guestKubeconfigOption();
  iHaveVerified = Option.Boolean('--i-have-verified-the-restore', false, {
    description: 'Go on without a journal of a verified restore on this machine (you checked the destination yourself)',
  });
  waitTimeout = Option.String('--wait-timeout', '10m', { description: 'How long the scale-down and every deletion may take in all' });
  ovnTimeout = Option.String('--ovn-timeout', '5m', { description: "How long the guest's OVN pods may take to come back" });
  resume = resumeOption();

  private source?: KubeClient;
  private target?: KubeClient;
  private guest?: KubeClient;
  private lib!: typeof import('../../dr/teardown.ts');
  private deletion!: typeof import('../../deletion/observe.ts');
  private retention!: typeof import('../../dr/pvc-retention.ts');
  private lease!: typeof import('../../hostedcluster/lease.ts');
  private guestLib!: typeof import('../../hostedcluster/guest.ts');
  /** --guest-kubeconfig, read and parsed with the other inputs (an unusable file is exit 2), as in DrCommand. */
  private guestKubeconfigFile?: ResolvedKubeconfig;

  protected override async load(): Promise<void> {
    [this.lib, this.deletion, this.retention, this.lease, this.guestLib] = await Promise.all([
      import('../../dr/teardown.ts'),
      import('../../deletion/observe.ts'),
      import('../../dr/pvc-retention.ts'),
      import('../../hostedcluster/lease.ts'),
      import('../../hostedcluster/guest.ts'),
    ]);
  }

  protected override validateAll(): TeardownInput {
    const input = super.validateAll();
    if (this.guestKubeconfig !== undefined) this.guestKubeconfigFile = this.guestLib.readGuestKubeconfigFile(this.guestKubeconfig);
    return input;
  }

  protected validate(): TeardownInput {
    assertObjectName(this.name, 'HostedCluster');
    if (this.toContext === undefined && this.toKubeconfig === undefined)
      throw new UsageError('dr teardown needs the destination: --to-context or --to-kubeconfig (the restored cluster is checked there)');
    return { timeoutMs: parseGoDuration(this.waitTimeout, '--wait-timeout'), ovnTimeoutMs: parseGoDuration(this.ovnTimeout, '--ovn-timeout') };
  }

  protected async observe(kube: KubeClient, input: TeardownInput): Promise<TeardownInputs> {
    const fromGiven = this.fromContext !== undefined || this.fromKubeconfig !== undefined;
    const source = fromGiven ? await this.kubeForContext(this.fromContext, this.fromKubeconfig) : kube;
    const target = await this.kubeForContext(this.toContext, this.toKubeconfig);
    this.source = source;
    this.target = target;
    const ns = this.hcNamespace;
    const { controlPlaneNamespace } = await import('../../hostedcluster/types.ts');
    const { Resources } = await import('../../kube/resources.ts');
    const cpns = controlPlaneNamespace(ns, this.name);
    const [inventory, retention, workloads, destinationHostedCluster, holder] = await Promise.all([
      this.deletion.observeInventory(source, ns, this.name),
      this.retention.observeRetention(source, cpns),
      this.lib.observeWorkloads(source, cpns),
      target.getOrNull<HostedCluster>(Resources.HostedCluster, ns, this.name),
      this.lease.readLeaseHolder(source, ns, this.name, 'dr', this.context.now()),
    ]);
    const guestProblem = await this.connectGuest(target, source, destinationHostedCluster, inventory.hostedCluster);
    return {
      inventory,
      retention,
      workloads,
      timeoutMs: input.timeoutMs,
      ovnTimeoutMs: input.ovnTimeoutMs,
      guestProblem,
      sourceServer: source.server,
      destinationServer: target.server,
      destinationHostedCluster,
      verifiedRestore: this.lib.findVerifiedRestore(this.context.env, ns, this.name),
      iHaveVerifiedTheRestore: this.iHaveVerified,
      ownerProblem: holder ? `another run owns the cluster: ${this.lease.describeHolder(holder)}` : undefined,
    };
  }

  /** The guest's client: --guest-kubeconfig, else the admin-kubeconfig secret on the destination, else on the source. */
  private async connectGuest(
    target: KubeClient,
    source: KubeClient,
    onTarget: HostedCluster | null,
    onSource: HostedCluster | null,
  ): Promise<string | undefined> {
    if (this.guestKubeconfigFile) {
      const { KubeClient } = await import('../../kube/client.ts');
      this.guest = new KubeClient({ kubeconfig: this.guestKubeconfigFile, env: this.context.env });
      return undefined;
    }
    const problems: string[] = [];
    for (const [kube, hc] of [
      [target, onTarget],
      [source, onSource],
    ] as const) {
      if (!hc) continue;
      const g = await this.guestLib.guestClient(kube, hc, this.context.env);
      if (g.client) {
        this.guest = g.client;
        return undefined;
      }
      problems.push(g.problem ?? 'no guest access');
    }
    return problems.join('; ') || 'no HostedCluster to read the guest kubeconfig from';
  }

  protected override executeOptions() {
    return { kube: this.source, clusters: { source: this.source!, target: this.target!, ...(this.guest ? { guest: this.guest } : {}) }, resume: this.resume };
  }

  protected plan(_input: TeardownInput, i: TeardownInputs): Plan {
    const plan = this.lib.planDrTeardown(i);
    plan.locks = [this.lease.ownershipLease({ namespace: i.inventory.namespace, name: i.inventory.name, group: 'dr', operation: 'dr teardown' })];
    return plan;
  }

  protected report(result: ExecutionResult, _input: TeardownInput, i: TeardownInputs): Report {
    const resumed = (result.artifacts.resumedOnDestination as string[] | undefined) ?? [];
    const ovn = result.artifacts.ovnPodsRestarted as number | undefined;
    return {
      value: {
        hostedCluster: `${i.inventory.namespace}/${i.inventory.name}`,
        source: i.sourceServer,
        destination: i.destinationServer,
        deleted: this.deletion.describeInventory(i.inventory),
        ovnPodsRestarted: ovn ?? null,
        resumedOnDestination: resumed,
      },
      text: [
        `tore down ${i.inventory.name} on the source (${i.sourceServer}): ${this.deletion.describeInventory(i.inventory).length} objects and their namespaces gone`,
        ovn !== undefined ? `restarted ${ovn} ${this.lib.OVN_NAMESPACE} pods on the guest` : '',
        resumed.length ? `resumed on the destination: ${resumed.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    };
  }
}

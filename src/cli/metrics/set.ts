import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { exclusiveFlags, flagRule, waitOption, waitTimeoutOption, waitTimeoutMs } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { Deployment, MetricsSet, SreConfigState } from '../../metrics/metrics-set.ts';
import type { Plan } from '../../plan/plan.ts';
import { RuntimeError } from '../../util/errors.ts';

interface MetricsInput {
  set: MetricsSet | null;
  waitMs?: number;
}

type MetricsObserved =
  | { kind: 'cluster'; hc: HostedCluster }
  | { kind: 'global'; deployment: Deployment; sreConfig: SreConfigState; installFlags: import('../../metrics/install-flags.ts').InstallFlagsState };

export class MetricsSetCommand extends MutatingCommand<MetricsInput, MetricsObserved> {
  static override paths = [['metrics', 'set']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Choose the metrics set: globally on the operator, or for one hosted cluster',
    details: `
      Without \`--hosted-cluster\`, sets \`METRICS_SET\` on the HyperShift operator deployment (spec 7.1), so the operator rolls out. Any case is accepted; the canonical spelling (Telemetry, SRE, All) is written. Any other value would make the operator exit and crashloop, so it is refused before anything is sent.

      On an MCE/ACM hub (namespace \`local-cluster\` exists) the hypershift addon deploys the operator from configmap \`local-cluster/hypershift-operator-install-flags\` and would undo a change to the deployment at its next re-install: there the set is written as \`--metrics-set SET\` into \`installFlagsToAdd\` (other flags kept, guarded by the resourceVersion), and the addon redeploys the operator; \`--wait\` then waits until every operator pod runs with it.

      Choosing SRE when configmap \`sre-metric-set\` is missing warns that the SRE set then filters nothing (see \`metrics sre-config apply\`).

      With \`--hosted-cluster NAME\`, sets the per-cluster override \`spec.monitoring.metricsSet\` instead (\`--unset\` removes it). \`--cluster\` keeps its kubectl meaning (the kubeconfig cluster).

      \`--wait\` waits for the operator rollout to finish.
    `,
    examples: [
      ['Collect the SRE set', '$0 metrics set sre'],
      ['Override one cluster', '$0 metrics set All --hosted-cluster sample'],
      ['Remove the override', '$0 metrics set --unset --hosted-cluster sample'],
      ['See the patch without sending it', '$0 metrics set Telemetry --dry-run=client'],
    ],
  });
  static override schema = [
    exclusiveFlags({ set: 'SET', unset: '--unset' }),
    flagRule((c) => (c.unset && c.hostedCluster === undefined ? '--unset needs --hosted-cluster (the global set has no override to remove)' : undefined)),
    flagRule((c) => (!c.unset && c.set === undefined ? 'name a metrics set: Telemetry, SRE or All' : undefined)),
    flagRule((c) => (c.hostedCluster !== undefined && c.wait ? '--wait applies to the global set (the operator rollout)' : undefined)),
  ];

  set = Option.String({ required: false, name: 'SET' });
  hostedCluster = Option.String('--hosted-cluster', { description: 'Set spec.monitoring.metricsSet of this HostedCluster instead of the global set' });
  unset = Option.Boolean('--unset', false, { description: 'With --hosted-cluster: remove the override' });
  wait = waitOption('Wait for the operator rollout to finish');
  waitTimeout = waitTimeoutOption('5m');

  private lib!: typeof import('../../metrics/metrics-set.ts');

  protected override async load(): Promise<void> {
    this.lib = await import('../../metrics/metrics-set.ts');
  }

  protected validate(): MetricsInput {
    if (this.hostedCluster !== undefined) assertObjectName(this.hostedCluster, 'HostedCluster');
    return { set: this.unset ? null : this.lib.canonicalMetricsSet(this.set!), waitMs: waitTimeoutMs(this.wait, this.waitTimeout) };
  }

  protected async observe(kube: KubeClient): Promise<MetricsObserved> {
    if (this.hostedCluster !== undefined) return { kind: 'cluster', hc: await this.getHostedCluster(kube, this.hostedCluster) };
    const { Resources } = await import('../../kube/resources.ts');
    const { sreConfigView } = await import('../../metrics/observe.ts');
    const { SRE_CONFIGMAP } = await import('../../metrics/sre-config.ts');
    const { OPERATOR_DEPLOYMENT } = await import('../../hostedcluster/operator.ts');
    const ns = this.hypershiftNamespace;
    const { observeInstallFlags } = await import('../../metrics/install-flags.ts');
    const [deployment, cm, installFlags] = await Promise.all([
      kube.getOrNull<Deployment>(Resources.Deployment, ns, OPERATOR_DEPLOYMENT),
      kube.getOrNull<import('../../metrics/configmap-key.ts').ConfigMap>(Resources.ConfigMap, ns, SRE_CONFIGMAP),
      observeInstallFlags(kube),
    ]);
    if (!deployment)
      throw new RuntimeError(`deployment ${ns}/${OPERATOR_DEPLOYMENT} not found`, { hint: 'pass --hypershift-namespace if the operator runs elsewhere' });
    return { kind: 'global', deployment, sreConfig: sreConfigView(cm).state, installFlags };
  }

  protected plan({ set, waitMs }: MetricsInput, o: MetricsObserved): Plan {
    if (o.kind === 'cluster') return this.lib.planClusterMetricsSet({ hc: o.hc, set });
    return this.lib.planGlobalMetricsSet({
      namespace: this.hypershiftNamespace,
      deployment: o.deployment,
      set: set!,
      sreConfig: o.sreConfig,
      waitMs,
      installFlags: o.installFlags,
    });
  }

  protected report(_result: unknown, { set }: MetricsInput, o: MetricsObserved): Report {
    if (o.kind === 'cluster') {
      const { hc } = o;
      return {
        value: { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, metricsSet: set },
        text: set === null ? `hostedcluster/${hc.metadata.name} follows the operator's metrics set` : `hostedcluster/${hc.metadata.name} metrics set ${set}`,
      };
    }
    const name = o.deployment.metadata.name;
    if (o.installFlags.managed) {
      return {
        value: { deployment: `${this.hypershiftNamespace}/${name}`, installFlags: 'local-cluster/hypershift-operator-install-flags', metricsSet: set },
        text: `configmap/hypershift-operator-install-flags --metrics-set ${set} (the hypershift addon redeploys deployment/${name} with METRICS_SET=${set})`,
      };
    }
    return { value: { deployment: `${this.hypershiftNamespace}/${name}`, metricsSet: set }, text: `deployment/${name} METRICS_SET=${set}` };
  }
}

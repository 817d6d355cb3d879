import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { RuntimeError } from '../../util/errors.ts';

export class MetricsSetCommand extends MutatingCommand {
  static override paths = [['metrics', 'set']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Choose the metrics set: globally on the operator, or for one hosted cluster',
    details: `
      Without \`--hosted-cluster\`, sets \`METRICS_SET\` on the HyperShift operator deployment (spec 7.1), so the operator rolls out. Any case is accepted; the canonical spelling (Telemetry, SRE, All) is written. Any other value would make the operator exit and crashloop, so it is refused before anything is sent.

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

  set = Option.String({ required: false, name: 'SET' });
  hostedCluster = Option.String('--hosted-cluster', { description: 'Set spec.monitoring.metricsSet of this HostedCluster instead of the global set' });
  unset = Option.Boolean('--unset', false, { description: 'With --hosted-cluster: remove the override' });
  wait = Option.Boolean('--wait', false, { description: 'Wait for the operator rollout to finish' });
  waitTimeout = Option.String('--wait-timeout', '5m', { description: 'How long --wait waits' });

  async run(): Promise<void> {
    const { canonicalMetricsSet } = await import('../../metrics/metrics-set.ts');
    const { UsageError } = await import('../../util/errors.ts');
    if (this.unset && this.set !== undefined) throw new UsageError('give either SET or --unset, not both');
    if (this.unset && this.hostedCluster === undefined) throw new UsageError('--unset needs --hosted-cluster (the global set has no override to remove)');
    if (!this.unset && this.set === undefined) throw new UsageError('name a metrics set: Telemetry, SRE or All');
    const set = this.unset ? null : canonicalMetricsSet(this.set!);
    if (this.hostedCluster !== undefined) assertObjectName(this.hostedCluster, 'HostedCluster');
    if (this.hostedCluster !== undefined && this.wait) throw new UsageError('--wait applies to the global set (the operator rollout)');
    const waitMs = parseGoDuration(this.waitTimeout, '--wait-timeout');
    this.validateCommon();
    const suffix = this.dryRunMode === 'server' ? ' (server dry run)' : '';

    const { Resources } = await import('../../kube/resources.ts');
    const kube = await this.kube();
    if (this.hostedCluster !== undefined) {
      const { planClusterMetricsSet } = await import('../../metrics/metrics-set.ts');
      const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
      const [hc] = await selectHostedClusters(kube, { name: this.hostedCluster, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace });
      const result = await this.runPlan(planClusterMetricsSet({ hc, set }), kube);
      if (result.status !== 'completed') return;
      this.printResult(
        { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, metricsSet: set, dryRun: this.dryRunMode },
        set === null ? `hostedcluster/${hc.metadata.name} follows the operator's metrics set${suffix}` : `hostedcluster/${hc.metadata.name} metrics set ${set}${suffix}`,
      );
      return;
    }

    const { planGlobalMetricsSet, rolloutState } = await import('../../metrics/metrics-set.ts');
    const { sreConfigView } = await import('../../metrics/observe.ts');
    const { SRE_CONFIGMAP } = await import('../../metrics/sre-config.ts');
    const { OPERATOR_DEPLOYMENT } = await import('../../hostedcluster/operator.ts');
    const ns = this.hypershiftNamespace;
    const [deployment, cm] = await Promise.all([
      kube.getOrNull<import('../../metrics/metrics-set.ts').Deployment>(Resources.Deployment, ns, OPERATOR_DEPLOYMENT),
      kube.getOrNull<import('../../metrics/observe.ts').ConfigMap>(Resources.ConfigMap, ns, SRE_CONFIGMAP),
    ]);
    if (!deployment) throw new RuntimeError(`deployment ${ns}/${OPERATOR_DEPLOYMENT} not found`, { hint: 'pass --hypershift-namespace if the operator runs elsewhere' });
    const plan = planGlobalMetricsSet({ namespace: ns, deployment, set: set!, sreConfig: sreConfigView(cm).state });
    if (this.wait) {
      const { waitFor } = await import('../../kube/wait.ts');
      plan.steps.push({
        id: 'wait-rollout',
        title: `Wait for deployment ${ns}/${OPERATOR_DEPLOYMENT} to roll out`,
        details: [`waits up to ${this.waitTimeout} for every replica to be updated and available`],
        run: async (ctx) => {
          const r = await waitFor('the operator rollout', async () => rolloutState(await ctx.kube.get(Resources.Deployment, ns, OPERATOR_DEPLOYMENT)), {
            timeoutMs: waitMs,
            onProgress: ctx.progress,
          });
          if (r.timedOut) throw new RuntimeError(`the operator did not finish rolling out within ${this.waitTimeout} (${r.message})`);
        },
      });
    }
    const result = await this.runPlan(plan, kube);
    if (result.status !== 'completed') return;
    this.printResult({ deployment: `${ns}/${OPERATOR_DEPLOYMENT}`, metricsSet: set, dryRun: this.dryRunMode }, `deployment/${OPERATOR_DEPLOYMENT} METRICS_SET=${set}${suffix}`);
  }
}

/** enable and disable share everything but the direction. */
import { Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { RuntimeError } from '../../util/errors.ts';

export abstract class DashboardsToggleCommand extends MutatingCommand {
  wait = Option.Boolean('--wait', false, { description: 'Wait until the operator deployment has (or no longer has) MONITORING_DASHBOARDS="1"' });
  waitTimeout = Option.String('--wait-timeout', '5m', { description: 'How long --wait waits' });

  protected abstract readonly enable: boolean;
  protected prune = false;

  async run(): Promise<void> {
    const waitMs = parseGoDuration(this.waitTimeout, '--wait-timeout');
    if (this.prune && this.dryRunMode === 'none' && !this.wait) {
      // Deleting dashboards while the operator still runs with them on would only see them recreated.
      this.wait = true;
    }
    this.validateCommon();
    const { planDashboardsToggle, listDashboards, operatorDashboards, INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP, DASHBOARDS_ENV } = await import('../../dashboards/dashboards.ts');
    const { Resources } = await import('../../kube/resources.ts');
    const { OPERATOR_DEPLOYMENT } = await import('../../hostedcluster/operator.ts');
    const kube = await this.kube();
    const ns = this.hypershiftNamespace;
    const existing = await kube.getOrNull(Resources.ConfigMap, INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP);
    if (!existing && !(await kube.getOrNull(Resources.Namespace, undefined, INSTALL_FLAGS_NAMESPACE))) {
      throw new RuntimeError(`namespace ${INSTALL_FLAGS_NAMESPACE} does not exist: this is not an MCE/ACM hub, whose hypershift addon reads ${INSTALL_FLAGS_CONFIGMAP}`);
    }
    const prune = this.prune ? await listDashboards(kube) : [];
    const plan = planDashboardsToggle({ enable: this.enable, existing, prune });
    if (this.wait) {
      const { waitFor } = await import('../../kube/wait.ts');
      const want = this.enable ? `${DASHBOARDS_ENV}="1"` : `no ${DASHBOARDS_ENV}="1"`;
      // Waiting for the operator comes before pruning, so the operator does not recreate what we delete.
      plan.steps.splice(1, 0, {
        id: 'wait-operator',
        title: `Wait for deployment ${ns}/${OPERATOR_DEPLOYMENT} to have ${want}`,
        details: [`the hypershift addon redeploys the operator from the install flags; waits up to ${this.waitTimeout}`],
        run: async (ctx) => {
          const r = await waitFor(
            want,
            async () => {
              const d = await ctx.kube.getOrNull(Resources.Deployment, ns, OPERATOR_DEPLOYMENT);
              const env = operatorDashboards(d);
              return { done: env.on === this.enable, message: env.value === undefined ? `${DASHBOARDS_ENV} unset` : `${DASHBOARDS_ENV}="${env.value}"` };
            },
            { timeoutMs: waitMs, onProgress: ctx.progress },
          );
          if (r.timedOut) throw new RuntimeError(`the operator did not get ${want} within ${this.waitTimeout} (${r.message})`, { hint: 'is the hypershift addon running? it applies the install flags' });
          return { operatorEnv: r.message };
        },
      });
    }
    const result = await this.runPlan(plan, kube);
    if (result.status !== 'completed') return;
    const suffix = this.dryRunMode === 'server' ? ' (server dry run)' : '';
    this.printResult(
      { enabled: this.enable, configmap: `${INSTALL_FLAGS_NAMESPACE}/${INSTALL_FLAGS_CONFIGMAP}`, pruned: prune.map((c) => c.metadata.name), waited: this.wait, dryRun: this.dryRunMode },
      `monitoring dashboards ${this.enable ? 'enabled' : 'disabled'}${this.wait ? ` (operator has ${this.enable ? '' : 'no '}${DASHBOARDS_ENV}="1")` : ''}${prune.length ? `; deleted ${prune.length} dashboard(s)` : ''}${suffix}`,
    );
  }
}


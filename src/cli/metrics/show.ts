import { Command } from 'clipanion';
import { HcpCommand } from '../base.ts';
import { outputOption } from '../flags.ts';
import type { OutputFormat } from '../../output/output.ts';

export class MetricsShowCommand extends HcpCommand {
  static override paths = [['metrics', 'show']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Show the global metrics set, per-cluster overrides and the SRE config state',
    details: `
      Reads \`METRICS_SET\` from the operator deployment (empty means Telemetry; an invalid value is flagged, since the operator exits on it), \`spec.monitoring.metricsSet\` of every HostedCluster (in \`-n\` if given, else all namespaces), and validates configmap \`sre-metric-set\`. On an MCE/ACM hub it also shows \`--metrics-set\` in \`local-cluster/hypershift-operator-install-flags\`, which the hypershift addon deploys the operator with, and whether the operator runs it yet.
    `,
    examples: [
      ['Show everything', '$0 metrics show'],
      ['As JSON', '$0 metrics show -o json'],
    ],
  });

  output = outputOption();

  async run(): Promise<void> {
    this.validateGlobals();
    const { observeMetrics, renderMetricsView } = await import('../../metrics/observe.ts');
    const view = await observeMetrics(await this.kube(), this.hypershiftNamespace, this.namespace);
    this.out.data(this.output as OutputFormat, view, () => renderMetricsView(view), 'MetricsConfiguration');
  }
}

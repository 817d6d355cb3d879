import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { UsageError } from '../../util/errors.ts';
import { readInputFile } from '../../util/input-file.ts';

export class SreConfigApplyCommand extends MutatingCommand {
  static override paths = [['metrics', 'sre-config', 'apply']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Validate an SRE metrics set config strictly and write configmap sre-metric-set',
    details: `
      Writes the file verbatim to key \`config\` of configmap \`sre-metric-set\` in the operator namespace (spec 7.1.1), after checking what the operator silently ignores: only the known components, only RelabelConfig fields, \`action\` from the enum, \`sourceLabels\` as a list, and every \`regex\` compiled as RE2 (what Prometheus accepts). Each problem names the line and the component; nothing is written while any remains.
    `,
    examples: [
      ['Write the doc example', '$0 metrics sre-config default > sre.yaml && $0 metrics sre-config apply -f sre.yaml'],
      ['Show the write without sending it', '$0 metrics sre-config apply -f sre.yaml --dry-run=client'],
    ],
  });

  file = Option.String('-f,--filename', { required: true, description: 'The config file (YAML: component → list of RelabelConfig)' });

  async run(): Promise<void> {
    const { validateSreConfig, formatProblem } = await import('../../metrics/sre-config.ts');
    const text = readInputFile(this.file, '-f');
    const v = validateSreConfig(text);
    if (v.problems.length) {
      const more = v.problems.length > 1 ? ` (and ${v.problems.length - 1} more; run 'kubectl hcp metrics sre-config validate -f ${this.file}')` : '';
      throw new UsageError(`${formatProblem(v.problems[0], this.file)}${more}`);
    }
    this.validateCommon();
    for (const w of v.warnings) this.out.warn(w);
    const { planSreConfigApply } = await import('../../metrics/observe.ts');
    const { Resources } = await import('../../kube/resources.ts');
    const { SRE_CONFIGMAP } = await import('../../metrics/sre-config.ts');
    const kube = await this.kube();
    const ns = this.hypershiftNamespace;
    const existing = await kube.getOrNull(Resources.ConfigMap, ns, SRE_CONFIGMAP);
    const result = await this.runPlan(planSreConfigApply({ namespace: ns, existing, text }), kube);
    if (result.status !== 'completed') return;
    const counts = Object.entries(v.components).map(([c, n]) => `${c}: ${n}`).join(', ');
    this.printResult(
      { configmap: `${ns}/${SRE_CONFIGMAP}`, components: v.components, dryRun: this.dryRunMode },
      `configmap/${SRE_CONFIGMAP} ${existing ? 'configured' : 'created'} (${counts})${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }
}

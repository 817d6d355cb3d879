import { Command } from 'clipanion';
import { HcpCommand } from '../base.ts';
import { outputOption } from '../flags.ts';
import type { OutputFormat } from '../../output/output.ts';
import { RuntimeError } from '../../util/errors.ts';

export class SreConfigShowCommand extends HcpCommand {
  static override paths = [['metrics', 'sre-config', 'show']];
  static override usage = Command.Usage({
    category: 'Observability',
    description: 'Print the SRE metrics set config in the cluster, and whether it is valid',
    details: `
      Prints key \`config\` of configmap \`sre-metric-set\` in the operator namespace as it is stored, then its validation result on stderr. With \`-o json|yaml\`, prints the text, its state and its problems as data.
    `,
    examples: [['Show it', '$0 metrics sre-config show']],
  });

  output = outputOption();

  async run(): Promise<void> {
    this.validateGlobals();
    const { Resources } = await import('../../kube/resources.ts');
    const { SRE_CONFIGMAP, SRE_CONFIG_KEY } = await import('../../metrics/sre-config.ts');
    const { sreConfigView } = await import('../../metrics/observe.ts');
    const kube = await this.kube();
    const ns = this.hypershiftNamespace;
    const cm = await kube.getOrNull<import('../../metrics/observe.ts').ConfigMap>(Resources.ConfigMap, ns, SRE_CONFIGMAP);
    if (!cm)
      throw new RuntimeError(`configmap ${ns}/${SRE_CONFIGMAP} not found: the SRE metrics set filters nothing`, {
        hint: "write one with 'kubectl hcp metrics sre-config apply -f FILE'",
      });
    const view = sreConfigView(cm);
    const text = cm.data?.[SRE_CONFIG_KEY] ?? '';
    this.out.data(this.output as OutputFormat, { configmap: `${ns}/${SRE_CONFIGMAP}`, ...view, config: text }, () => text, 'SREConfig');
    if (this.output === 'table') {
      for (const w of view.warnings) this.out.warn(w);
      for (const p of view.problems) this.out.warn(p);
      this.out.note(view.state === 'valid' ? `configmap/${SRE_CONFIGMAP}: valid` : `configmap/${SRE_CONFIGMAP}: INVALID (${view.problems.length} problems)`);
    }
  }
}

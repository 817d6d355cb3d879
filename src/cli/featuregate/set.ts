import { Command, Option } from 'clipanion';
import { MutatingCommand } from '../options.ts';
import { assertObjectName } from '../base.ts';
import { InterlockError } from '../../util/errors.ts';

export class FeatureGateSetCommand extends MutatingCommand {
  static override paths = [['featuregate', 'set']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: "Set a hosted cluster's feature set",
    details: `
      Sets \`spec.configuration.featureGate.featureSet\` (spec 5.1): TechPreviewNoUpgrade, DevPreviewNoUpgrade, CustomNoUpgrade (with \`--enable\`/\`--disable\` gates) or Default.

      The \`*NoUpgrade\` sets can never be turned off and block minor version updates. Turning one on asks you to type the cluster's name; \`--yes-irreversible\` confirms without a terminal. Changes the API's CEL rules would reject (leaving a \`*NoUpgrade\` set, OKD to Default) are refused before anything is sent (exit 3).

      The patch carries the resourceVersion that was checked, so a concurrent change fails instead of slipping past the check.
    `,
    examples: [
      ['Turn on Technology Preview features (one way)', '$0 featuregate set sample TechPreviewNoUpgrade'],
      ['Custom gates, confirmed non-interactively', '$0 featuregate set sample CustomNoUpgrade --enable GatewayAPI --disable Foo --yes-irreversible'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  set = Option.String({ name: 'SET' });
  enable = Option.Array('--enable', [], { description: 'CustomNoUpgrade: a feature gate to turn on (repeatable)' });
  disable = Option.Array('--disable', [], { description: 'CustomNoUpgrade: a feature gate to turn off (repeatable)' });
  yesIrreversible = Option.Boolean('--yes-irreversible', false, { description: 'Confirm a one-way *NoUpgrade set without typing the cluster name' });

  async run(): Promise<void> {
    const { canonicalFeatureSet, validateCustomGates, planFeatureSet } = await import('../../featuregate/featuregate.ts');
    assertObjectName(this.name, 'HostedCluster');
    const set = canonicalFeatureSet(this.set);
    const custom = validateCustomGates(set, this.enable, this.disable);
    this.validateCommon();
    const { selectHostedClusters } = await import('../../hostedcluster/targets.ts');
    const kube = await this.kube();
    const [hc] = await selectHostedClusters(kube, { name: this.name, all: false, explicitNamespace: this.namespace, defaultNamespace: this.hcNamespace });
    const plan = planFeatureSet({ hc, set, custom });
    if (plan.irreversible && !plan.blockers.length && this.dryRunMode === 'none' && !this.yesIrreversible) await this.confirmByName(hc.metadata.name, set);
    const result = await this.runPlan(plan, kube);
    if (result.status !== 'completed') return;
    this.printResult(
      { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, featureSet: set, customNoUpgrade: custom ?? null, dryRun: this.dryRunMode },
      `hostedcluster/${hc.metadata.name} featureSet ${set}${this.dryRunMode === 'server' ? ' (server dry run)' : ''}`,
    );
  }

  /** Typing the name, not just "y", because this cannot be taken back. */
  private async confirmByName(name: string, set: string): Promise<void> {
    if (!this.context.stdinIsTTY) {
      throw new InterlockError(`refusing to set ${set} on ${name} without confirmation: it cannot be undone and blocks minor updates`, {
        hint: 'pass --yes-irreversible to confirm, or --dry-run=client to see the change',
      });
    }
    this.out.warn(`${set} cannot be undone and blocks minor version updates of ${name}.`);
    const answer = (await this.context.prompt(`Type the cluster name (${name}) to confirm: `)).trim();
    if (answer !== name) throw new InterlockError(`featuregate set cancelled: "${answer}" is not ${name}; nothing was changed`);
  }
}

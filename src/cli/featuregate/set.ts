import { Command, Option } from 'clipanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { hostedClusterArg } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { CustomGates, FeatureSetName, FeatureSetPlan } from '../../featuregate/featuregate.ts';
import { InterlockError, UsageError } from '../../util/errors.ts';

interface FeatureSetInput {
  set: FeatureSetName;
  custom?: CustomGates;
}

export class FeatureGateSetCommand extends MutatingCommand<FeatureSetInput, HostedCluster> {
  static override paths = [['featuregate', 'set']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: "Set a hosted cluster's feature set",
    details: `
      Sets \`spec.configuration.featureGate.featureSet\` (spec 5.1): TechPreviewNoUpgrade, DevPreviewNoUpgrade, CustomNoUpgrade (with \`--enable\`/\`--disable\` gates) or Default.

      The \`*NoUpgrade\` sets can never be turned off and block minor version updates. Turning one on asks you to type the cluster's name; \`--yes-irreversible\` confirms without a terminal. Changes the API's CEL rules would reject (leaving a \`*NoUpgrade\` set, OKD to Default) are refused before anything is sent (exit 3).

      With CustomNoUpgrade already set, \`--enable\`/\`--disable\` are merged into the current lists (a named gate moves to the list it is named for; the others stay, and the plan says which); \`--replace\` makes them the whole lists, and the plan names the gates it drops.

      The patch carries the resourceVersion that was checked, so a concurrent change fails instead of slipping past the check.
    `,
    examples: [
      ['Turn on Technology Preview features (one way)', '$0 featuregate set sample TechPreviewNoUpgrade'],
      ['Custom gates, confirmed non-interactively', '$0 featuregate set sample CustomNoUpgrade --enable GatewayAPI --disable Foo --yes-irreversible'],
    ],
  });

  name = hostedClusterArg();
  set = Option.String({ name: 'SET' });
  enable = Option.Array('--enable', [], { description: 'CustomNoUpgrade: a feature gate to turn on (repeatable)' });
  disable = Option.Array('--disable', [], { description: 'CustomNoUpgrade: a feature gate to turn off (repeatable)' });
  replace = Option.Boolean('--replace', false, { description: 'CustomNoUpgrade: the given gates replace the current lists instead of being merged into them' });
  yesIrreversible = Option.Boolean('--yes-irreversible', false, { description: 'Confirm a one-way *NoUpgrade set without typing the cluster name' });

  private lib!: typeof import('../../featuregate/featuregate.ts');

  protected override async load(): Promise<void> {
    this.lib = await import('../../featuregate/featuregate.ts');
  }

  protected validate(): FeatureSetInput {
    assertObjectName(this.name, 'HostedCluster');
    const set = this.lib.canonicalFeatureSet(this.set);
    const custom = this.lib.validateCustomGates(set, this.enable, this.disable);
    if (this.replace && !custom) throw new UsageError('--replace applies only to CustomNoUpgrade');
    return { set, custom };
  }

  protected observe(kube: KubeClient): Promise<HostedCluster> {
    return this.getHostedCluster(kube, this.name);
  }

  protected plan({ set, custom }: FeatureSetInput, hc: HostedCluster): FeatureSetPlan {
    return this.lib.planFeatureSet({ hc, set, custom, replace: this.replace });
  }

  protected override async beforeExecute(plan: FeatureSetPlan, { set }: FeatureSetInput, hc: HostedCluster): Promise<void> {
    if (plan.irreversible && !plan.blockers.length && this.dryRunMode === 'none' && !this.yesIrreversible) await this.confirmByName(hc.metadata.name, set);
  }

  protected report(_result: unknown, { set, custom }: FeatureSetInput, hc: HostedCluster): Report {
    return {
      value: { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, featureSet: set, customNoUpgrade: custom ?? null },
      text: `hostedcluster/${hc.metadata.name} featureSet ${set}`,
    };
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

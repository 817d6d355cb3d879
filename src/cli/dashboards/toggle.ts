/** enable and disable share everything but the direction. */
import { MutatingCommand, type Report } from '../mutating.ts';
import { waitOption, waitTimeoutOption, waitTimeoutMs } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { ConfigMap } from '../../metrics/configmap-key.ts';
import { RuntimeError } from '../../util/errors.ts';

interface ToggleInput {
  wait: boolean;
  waitMs?: number;
}

interface ToggleObserved {
  existing: ConfigMap | null;
  prune: ConfigMap[];
}

export abstract class DashboardsToggleCommand extends MutatingCommand<ToggleInput, ToggleObserved> {
  wait = waitOption('Wait until the operator deployment has (or no longer has) MONITORING_DASHBOARDS="1"');
  waitTimeout = waitTimeoutOption('5m');

  protected abstract readonly enable: boolean;
  /** disable --prune. */
  protected pruneRequested(): boolean {
    return false;
  }

  private lib!: typeof import('../../dashboards/dashboards.ts');

  protected override async load(): Promise<void> {
    this.lib = await import('../../dashboards/dashboards.ts');
  }

  protected validate(): ToggleInput {
    // Deleting dashboards while the operator still runs with them on would only see them recreated: --prune waits.
    const wait = this.wait || (this.pruneRequested() && this.dryRunMode === 'none');
    return { wait, waitMs: waitTimeoutMs(wait, this.waitTimeout) };
  }

  protected async observe(kube: KubeClient): Promise<ToggleObserved> {
    const { listDashboards, INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP } = this.lib;
    const { Resources } = await import('../../kube/resources.ts');
    const existing = await kube.getOrNull<ConfigMap>(Resources.ConfigMap, INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP);
    if (!existing && !(await kube.getOrNull(Resources.Namespace, undefined, INSTALL_FLAGS_NAMESPACE))) {
      throw new RuntimeError(
        `namespace ${INSTALL_FLAGS_NAMESPACE} does not exist: this is not an MCE/ACM hub, whose hypershift addon reads ${INSTALL_FLAGS_CONFIGMAP}`,
      );
    }
    return { existing, prune: this.pruneRequested() ? await listDashboards(kube) : [] };
  }

  protected plan({ waitMs }: ToggleInput, { existing, prune }: ToggleObserved) {
    return this.lib.planDashboardsToggle({ enable: this.enable, existing, prune, waitMs, operatorNamespace: this.hypershiftNamespace });
  }

  protected report(_result: unknown, { wait }: ToggleInput, { prune }: ToggleObserved): Report {
    const { INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP, DASHBOARDS_ENV } = this.lib;
    return {
      value: {
        enabled: this.enable,
        configmap: `${INSTALL_FLAGS_NAMESPACE}/${INSTALL_FLAGS_CONFIGMAP}`,
        pruned: prune.map((c) => c.metadata.name),
        waited: wait,
      },
      text: `monitoring dashboards ${this.enable ? 'enabled' : 'disabled'}${wait ? ` (operator has ${this.enable ? '' : 'no '}${DASHBOARDS_ENV}="1")` : ''}${prune.length ? `; deleted ${prune.length} dashboard(s)` : ''}`,
    };
  }
}

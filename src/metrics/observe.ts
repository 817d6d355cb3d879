/** What `metrics show` and `sre-config show` report, and the plan that writes the SRE config. */
import type { KubeClient } from '../kube/client.ts';
import { Resources } from '../kube/resources.ts';
import { planConfigMapKey, type ConfigMap } from './configmap-key.ts';
import type { Plan } from '../plan/plan.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { OPERATOR_DEPLOYMENT } from '../hostedcluster/operator.ts';
import { renderTable } from '../output/output.ts';
import { METRICS_SET_ENV, envOf, interpretOperatorMetricsSet, type Deployment, type SreConfigState } from './metrics-set.ts';
import { FLAGS_TO_ADD, FLAGS_TO_REMOVE, METRICS_SET_FLAG, describeInstallFlags, flagValue, observeInstallFlags } from './install-flags.ts';
import { SRE_CONFIGMAP, SRE_CONFIG_KEY, formatProblem, validateSreConfig, type SreValidation } from './sre-config.ts';

export type { ConfigMap };

export interface SreConfigView {
  state: SreConfigState;
  problems: string[];
  warnings: string[];
  components: Record<string, number>;
}

export function sreConfigView(cm: ConfigMap | null): SreConfigView {
  if (!cm) return { state: 'missing', problems: [], warnings: [], components: {} };
  const text = cm.data?.[SRE_CONFIG_KEY];
  if (text === undefined) return { state: 'invalid', problems: [`configmap has no "${SRE_CONFIG_KEY}" key`], warnings: [], components: {} };
  const v: SreValidation = validateSreConfig(text);
  const source = `configmap/${SRE_CONFIGMAP}`;
  return {
    state: v.problems.length ? 'invalid' : 'valid',
    problems: v.problems.map((p) => formatProblem(p, source)),
    warnings: v.warnings,
    components: v.components,
  };
}

export interface MetricsView {
  operator: { namespace: string; found: boolean; metricsSet?: string; raw?: string; invalid?: boolean };
  /**
   * On an MCE/ACM hub, what the hypershift addon deploys the operator with: `--metrics-set` in the
   * install flags (absent: the installer's default, Telemetry), and whether the operator runs it.
   */
  installFlags?: { configmap: string; exists: boolean; metricsSet?: string; removed: boolean; applied: boolean };
  sreConfig: SreConfigView;
  clusters: { namespace: string; name: string; override?: string; effective?: string }[];
}

export async function observeMetrics(kube: KubeClient, operatorNamespace: string, hcNamespace?: string): Promise<MetricsView> {
  const [deployment, cm, hcs, flags] = await Promise.all([
    kube.getOrNull<Deployment>(Resources.Deployment, operatorNamespace, OPERATOR_DEPLOYMENT),
    kube.getOrNull<ConfigMap>(Resources.ConfigMap, operatorNamespace, SRE_CONFIGMAP),
    kube.list<HostedCluster>(Resources.HostedCluster, { namespace: hcNamespace }),
    observeInstallFlags(kube),
  ]);
  const env = deployment ? envOf(deployment, METRICS_SET_ENV) : undefined;
  const seen = interpretOperatorMetricsSet(env?.value);
  return {
    operator: { namespace: operatorNamespace, found: deployment !== null, metricsSet: seen.set, raw: env?.value, invalid: seen.invalid || undefined },
    installFlags: flags.managed ? installFlagsView(flags.configmap, seen.set) : undefined,
    sreConfig: sreConfigView(cm),
    clusters: hcs.items
      .map((hc) => ({
        namespace: hc.metadata.namespace ?? '',
        name: hc.metadata.name,
        override: hc.spec.monitoring?.metricsSet,
        effective: hc.spec.monitoring?.metricsSet ?? seen.set,
      }))
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
  };
}

function installFlagsView(cm: ConfigMap | null, running: string | undefined): NonNullable<MetricsView['installFlags']> {
  const raw = flagValue(cm?.data?.[FLAGS_TO_ADD], METRICS_SET_FLAG);
  const removed = flagValue(cm?.data?.[FLAGS_TO_REMOVE], METRICS_SET_FLAG) !== undefined;
  const metricsSet = raw === undefined ? undefined : (interpretOperatorMetricsSet(raw).set ?? raw);
  return { configmap: describeInstallFlags(), exists: cm !== null, metricsSet, removed, applied: (metricsSet ?? 'Telemetry') === running };
}

export function renderMetricsView(v: MetricsView): string {
  const op = v.operator;
  const global = !op.found
    ? `deployment ${op.namespace}/${OPERATOR_DEPLOYMENT} not found`
    : op.invalid
      ? `INVALID "${op.raw}" (the operator exits on it)`
      : `${op.metricsSet}${op.raw === undefined || op.raw === '' ? ' (default: METRICS_SET is not set)' : ''}`;
  const sre =
    v.sreConfig.state === 'missing'
      ? `missing (configmap ${op.namespace}/${SRE_CONFIGMAP}): the SRE set filters nothing`
      : v.sreConfig.state === 'valid'
        ? `valid (${
            Object.entries(v.sreConfig.components)
              .map(([c, n]) => `${c}: ${n}`)
              .join(', ') || 'no components'
          })`
        : `INVALID: ${v.sreConfig.problems[0]}${v.sreConfig.problems.length > 1 ? ` (and ${v.sreConfig.problems.length - 1} more)` : ''}`;
  const lines = [`Global metrics set:    ${global}`];
  const f = v.installFlags;
  if (f) {
    const given = f.metricsSet === undefined ? `no ${METRICS_SET_FLAG} (the installer's default, Telemetry)` : `${METRICS_SET_FLAG} ${f.metricsSet}`;
    lines.push(
      `Install flags (MCE):   ${given} in ${f.configmap}${f.exists ? '' : ' (configmap absent)'}${f.applied ? '' : `: not what the operator runs; the hypershift addon applies it at its next re-install`}`,
    );
  }
  lines.push(`SRE config:            ${sre}`, '');
  const table = v.clusters.length
    ? renderTable(
        ['namespace', 'hostedcluster', 'override', 'effective'],
        v.clusters.map((c) => [c.namespace, c.name, c.override ?? '-', c.effective]),
      )
    : 'No HostedClusters.\n';
  return lines.join('\n') + table;
}

export interface SreApplyInputs {
  namespace: string;
  existing: ConfigMap | null;
  text: string;
}

export function planSreConfigApply({ namespace, existing, text }: SreApplyInputs): Plan {
  return planConfigMapKey('sre-config-apply', { namespace, name: SRE_CONFIGMAP }, SRE_CONFIG_KEY, existing, text);
}

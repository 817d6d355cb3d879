/** What `metrics show` and `sre-config show` report, and the plan that writes the SRE config. */
import type { KubeClient } from '../kube/client.ts';
import { Resources } from '../kube/resources.ts';
import { planConfigMapKey, type ConfigMap } from './configmap-key.ts';
import type { Plan } from '../plan/plan.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { OPERATOR_DEPLOYMENT } from '../hostedcluster/operator.ts';
import { renderTable } from '../output/output.ts';
import { METRICS_SET_ENV, envOf, interpretOperatorMetricsSet, type Deployment, type SreConfigState } from './metrics-set.ts';
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
  return { state: v.problems.length ? 'invalid' : 'valid', problems: v.problems.map((p) => formatProblem(p, source)), warnings: v.warnings, components: v.components };
}

export interface MetricsView {
  operator: { namespace: string; found: boolean; metricsSet?: string; raw?: string; invalid?: boolean };
  sreConfig: SreConfigView;
  clusters: { namespace: string; name: string; override?: string; effective?: string }[];
}

export async function observeMetrics(kube: KubeClient, operatorNamespace: string, hcNamespace?: string): Promise<MetricsView> {
  const [deployment, cm, hcs] = await Promise.all([
    kube.getOrNull<Deployment>(Resources.Deployment, operatorNamespace, OPERATOR_DEPLOYMENT),
    kube.getOrNull<ConfigMap>(Resources.ConfigMap, operatorNamespace, SRE_CONFIGMAP),
    kube.list<HostedCluster>(Resources.HostedCluster, { namespace: hcNamespace }),
  ]);
  const env = deployment ? envOf(deployment, METRICS_SET_ENV) : undefined;
  const seen = interpretOperatorMetricsSet(env?.value);
  return {
    operator: { namespace: operatorNamespace, found: deployment !== null, metricsSet: seen.set, raw: env?.value, invalid: seen.invalid || undefined },
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
        ? `valid (${Object.entries(v.sreConfig.components).map(([c, n]) => `${c}: ${n}`).join(', ') || 'no components'})`
        : `INVALID: ${v.sreConfig.problems[0]}${v.sreConfig.problems.length > 1 ? ` (and ${v.sreConfig.problems.length - 1} more)` : ''}`;
  const lines = [`Global metrics set:    ${global}`, `SRE config:            ${sre}`, ''];
  const table = v.clusters.length
    ? renderTable(['namespace', 'hostedcluster', 'override', 'effective'], v.clusters.map((c) => [c.namespace, c.name, c.override ?? '-', c.effective]))
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

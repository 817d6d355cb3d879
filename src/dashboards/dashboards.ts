/**
 * Monitoring dashboards (spec 7.2, FACTS "Monitoring dashboards").
 *
 * On MCE/ACM the operator's flags come from configmap `local-cluster/hypershift-operator-install-flags`
 * (space-separated flags in `installFlagsToAdd` / `installFlagsToRemove`); the addon redeploys the
 * operator with `MONITORING_DASHBOARDS="1"` when `--monitoring-dashboards` is added. The operator
 * then writes `hc-<ns>-<name>` into `openshift-config-managed` for each cluster, and leaves them
 * behind when turned off.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, describeRef } from '../kube/resources.ts';
import { newPlan, type Change, type Plan, type Step } from '../plan/plan.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { OPERATOR_DEPLOYMENT } from '../hostedcluster/operator.ts';
import { controlPlaneNamespace } from '../hostedcluster/types.ts';
import { envOf, operatorEnvWaitStep, type Deployment } from '../metrics/metrics-set.ts';
import { renderTable } from '../output/output.ts';
import { UsageError } from '../util/errors.ts';
import { planConfigMapKey, type ConfigMap } from '../metrics/configmap-key.ts';
import {
  FLAGS_TO_ADD,
  FLAGS_TO_REMOVE,
  INSTALL_FLAGS_CONFIGMAP,
  INSTALL_FLAGS_NAMESPACE,
  installFlagsChange,
  installFlagsRef,
  splitFlags,
} from '../metrics/install-flags.ts';

export { INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP, FLAGS_TO_ADD, FLAGS_TO_REMOVE, splitFlags };
export const DASHBOARDS_FLAG = '--monitoring-dashboards';
export const DASHBOARDS_ENV = 'MONITORING_DASHBOARDS';
export const DASHBOARDS_NAMESPACE = 'openshift-config-managed';
export const DASHBOARD_LABEL = 'console.openshift.io/dashboard';
export const DASHBOARD_KEY = 'hostedcluster-dashboard.json';
export const TEMPLATE_CONFIGMAP = 'monitoring-dashboard-template';
export const TEMPLATE_KEY = 'template';
export const PLACEHOLDERS = ['__NAME__', '__NAMESPACE__', '__CONTROL_PLANE_NAMESPACE__', '__CLUSTER_ID__'] as const;

export type { ConfigMap };

/** FACTS: `hc-<ns>-<name>` (the docs' `cp-` prefix is wrong). */
export function dashboardName(hcNamespace: string, hcName: string): string {
  return `hc-${hcNamespace}-${hcName}`;
}

/** `--monitoring-dashboards` and `--monitoring-dashboards=…` are the same flag. */
const isDashboardsFlag = (token: string) => token === DASHBOARDS_FLAG || token.startsWith(`${DASHBOARDS_FLAG}=`);

export type FlagState = 'enabled' | 'disabled' | 'absent';

export function dashboardsFlagState(cm: ConfigMap | null): FlagState {
  if (!cm) return 'absent';
  if (splitFlags(cm.data?.[FLAGS_TO_REMOVE]).some(isDashboardsFlag)) return 'disabled';
  if (splitFlags(cm.data?.[FLAGS_TO_ADD]).some(isDashboardsFlag)) return 'enabled';
  return 'absent';
}

/**
 * The new values of both keys: the dashboards flag goes to one list and leaves the other; every
 * other flag (with its value, e.g. `--metrics-set SRE`) keeps its place.
 */
export function toggledFlags(data: Record<string, string> | undefined, enable: boolean): { add: string; remove: string } {
  const add = splitFlags(data?.[FLAGS_TO_ADD]).filter((t) => !isDashboardsFlag(t));
  const remove = splitFlags(data?.[FLAGS_TO_REMOVE]).filter((t) => !isDashboardsFlag(t));
  (enable ? add : remove).push(DASHBOARDS_FLAG);
  return { add: add.join(' '), remove: remove.join(' ') };
}

export interface ToggleInputs {
  enable: boolean;
  existing: ConfigMap | null;
  /** Dashboards to delete after disabling (--prune). */
  prune: ConfigMap[];
  /** --wait: how long to wait for the operator deployment (in `operatorNamespace`) to follow. */
  waitMs?: number;
  operatorNamespace?: string;
}

export function planDashboardsToggle({ enable, existing, prune, waitMs, operatorNamespace }: ToggleInputs): Plan {
  const ref = installFlagsRef;
  const plan = newPlan(enable ? 'dashboards-enable' : 'dashboards-disable', describeRef(ref));
  const next = toggledFlags(existing?.data, enable);
  const unchanged = existing && (existing.data?.[FLAGS_TO_ADD] ?? '') === next.add && (existing.data?.[FLAGS_TO_REMOVE] ?? '') === next.remove;
  const change = installFlagsChange(existing, next.add, next.remove);
  plan.steps.push({
    id: 'install-flags',
    title: `${existing ? 'Update' : 'Create'} ${describeRef(ref)}: ${FLAGS_TO_ADD}="${next.add}", ${FLAGS_TO_REMOVE}="${next.remove}"`,
    changes: unchanged ? [] : [change],
    isDone: async () => Boolean(unchanged),
  });
  // Waiting for the operator comes before pruning, so the operator does not recreate what we delete.
  if (waitMs !== undefined && operatorNamespace !== undefined) plan.steps.push(operatorDashboardsWaitStep(enable, operatorNamespace, waitMs));
  if (!enable) {
    if (!prune.length) {
      plan.warnings.push(`turning dashboards off leaves the existing hc-* dashboards in ${DASHBOARDS_NAMESPACE} behind (pass --prune to delete them)`);
    } else {
      plan.steps.push({
        id: 'prune-dashboards',
        title: `Delete ${prune.length} hosted-cluster dashboard(s) in ${DASHBOARDS_NAMESPACE}: ${prune.map((c) => c.metadata.name).join(', ')}`,
        destructive: true,
        changes: prune.map((c) => ({ op: 'delete', ref: { resource: Resources.ConfigMap, namespace: DASHBOARDS_NAMESPACE, name: c.metadata.name } }) as Change),
      });
    }
  }
  return plan;
}

/**
 * Waits until the operator deployment has (or no longer has) MONITORING_DASHBOARDS="1" and has
 * rolled out: every pod that still runs, a terminating one included, has the new env. A pod
 * started with "1" keeps writing hc-* dashboards until it is gone, so pruning before that only
 * sees them recreated (issue 13 item 19).
 */
export function operatorDashboardsWaitStep(enable: boolean, namespace: string, waitMs: number): Step {
  return operatorEnvWaitStep({
    id: 'wait-operator',
    ref: { resource: Resources.Deployment, namespace, name: OPERATOR_DEPLOYMENT },
    name: DASHBOARDS_ENV,
    want: enable ? `${DASHBOARDS_ENV}="1"` : `no ${DASHBOARDS_ENV}="1"`,
    // FACTS: the operator checks for exactly "1".
    matches: (v) => (v === '1') === enable,
    waitMs,
  });
}

/** The generated dashboards: labelled configmaps named hc-* in openshift-config-managed. */
export async function listDashboards(kube: KubeClient): Promise<ConfigMap[]> {
  const list = await kube.list<ConfigMap>(Resources.ConfigMap, { namespace: DASHBOARDS_NAMESPACE, labelSelector: `${DASHBOARD_LABEL}=true` });
  return list.items.filter((c) => c.metadata.name.startsWith('hc-')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** Whether the operator runs with dashboards on: FACTS, it checks for exactly "1". */
export function operatorDashboards(d: Deployment | null): { value?: string; on: boolean } {
  const value = d ? envOf(d, DASHBOARDS_ENV)?.value : undefined;
  return { value, on: value === '1' };
}

// ------------------------------------------------------------------ template

export interface TemplateCheck {
  /** Placeholders the template never uses: those dashboards cannot tell clusters apart by them. */
  unused: string[];
  /** __WORDS__ that look like placeholders but are not replaced by the operator. */
  unknown: string[];
}

/** Validates a dashboard template: it must be JSON (an object); reports placeholder use. Pure. */
export function checkTemplate(text: string, source: string): TemplateCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8 quotes the text around the error, newlines included: keep the message on one line.
    const msg = (err as Error).message.replace(/\s*\n\s*/g, ' ');
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new UsageError(`${source}${line ? `:${line}` : ''} is not valid JSON: ${msg}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${source} must be a JSON object (a Grafana dashboard)`);
  const unused = PLACEHOLDERS.filter((p) => !text.includes(p));
  const unknown = [...new Set(text.match(/__[A-Z][A-Z_]*[A-Z]__/g) ?? [])].filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  return { unused, unknown };
}

/** What the operator does for one cluster: replace each placeholder everywhere. */
export function renderTemplate(template: string, hc: HostedCluster): string {
  const ns = hc.metadata.namespace ?? '';
  const values: Record<(typeof PLACEHOLDERS)[number], string> = {
    __NAME__: hc.metadata.name,
    __NAMESPACE__: ns,
    __CONTROL_PLANE_NAMESPACE__: controlPlaneNamespace(ns, hc.metadata.name),
    __CLUSTER_ID__: hc.spec.clusterID ?? '',
  };
  // Longest first, so __CONTROL_PLANE_NAMESPACE__ is not cut by __NAMESPACE__.
  let out = template;
  for (const p of [...PLACEHOLDERS].sort((a, b) => b.length - a.length)) out = out.replaceAll(p, values[p]);
  return out;
}

export function planTemplateSet(namespace: string, existing: ConfigMap | null, text: string): Plan {
  return planConfigMapKey('dashboards-template-set', { namespace, name: TEMPLATE_CONFIGMAP }, TEMPLATE_KEY, existing, text);
}

// ------------------------------------------------------------------ status

export interface DashboardsView {
  installFlags: { configmap: string; exists: boolean; state: FlagState; installFlagsToAdd?: string; installFlagsToRemove?: string };
  operator: { deployment: string; found: boolean; env?: string; enabled: boolean };
  template: { configmap: string; exists: boolean; valid?: boolean; problem?: string };
  clusters: { namespace: string; name: string; dashboard: string; exists: boolean }[];
  /** hc-* dashboards whose HostedCluster no longer exists. */
  orphans: string[];
}

export async function observeDashboards(kube: KubeClient, operatorNamespace: string): Promise<DashboardsView> {
  const [flags, deployment, template, hcs, dashboards] = await Promise.all([
    kube.getOrNull<ConfigMap>(Resources.ConfigMap, INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP),
    kube.getOrNull<Deployment>(Resources.Deployment, operatorNamespace, OPERATOR_DEPLOYMENT),
    kube.getOrNull<ConfigMap>(Resources.ConfigMap, operatorNamespace, TEMPLATE_CONFIGMAP),
    kube.list<HostedCluster>(Resources.HostedCluster, {}),
    listDashboards(kube),
  ]);
  const names = new Set(dashboards.map((d) => d.metadata.name));
  const clusters = hcs.items
    .map((hc) => {
      const dashboard = dashboardName(hc.metadata.namespace ?? '', hc.metadata.name);
      return { namespace: hc.metadata.namespace ?? '', name: hc.metadata.name, dashboard, exists: names.has(dashboard) };
    })
    .sort((a, b) => a.dashboard.localeCompare(b.dashboard));
  const expected = new Set(clusters.map((c) => c.dashboard));
  let templateView: DashboardsView['template'] = { configmap: `${operatorNamespace}/${TEMPLATE_CONFIGMAP}`, exists: template !== null };
  if (template) {
    try {
      checkTemplate(template.data?.[TEMPLATE_KEY] ?? '', `configmap/${TEMPLATE_CONFIGMAP}`);
      templateView = { ...templateView, valid: true };
    } catch (err) {
      templateView = { ...templateView, valid: false, problem: (err as Error).message };
    }
  }
  const env = operatorDashboards(deployment);
  return {
    installFlags: {
      configmap: `${INSTALL_FLAGS_NAMESPACE}/${INSTALL_FLAGS_CONFIGMAP}`,
      exists: flags !== null,
      state: dashboardsFlagState(flags),
      installFlagsToAdd: flags?.data?.[FLAGS_TO_ADD],
      installFlagsToRemove: flags?.data?.[FLAGS_TO_REMOVE],
    },
    operator: { deployment: `${operatorNamespace}/${OPERATOR_DEPLOYMENT}`, found: deployment !== null, env: env.value, enabled: env.on },
    template: templateView,
    clusters,
    orphans: [...names].filter((n) => !expected.has(n)).sort(),
  };
}

export function renderDashboardsView(v: DashboardsView): string {
  const f = v.installFlags;
  const lines = [
    `Install flags:         ${f.exists ? `${f.state === 'absent' ? 'no --monitoring-dashboards' : f.state} (${FLAGS_TO_ADD}="${f.installFlagsToAdd ?? ''}", ${FLAGS_TO_REMOVE}="${f.installFlagsToRemove ?? ''}")` : `configmap ${f.configmap} does not exist`}`,
    `Operator:              ${v.operator.found ? `${DASHBOARDS_ENV}=${v.operator.env === undefined ? '<unset>' : `"${v.operator.env}"`} (${v.operator.enabled ? 'dashboards on' : 'dashboards off'})` : `deployment ${v.operator.deployment} not found`}`,
    `Template:              ${v.template.exists ? (v.template.valid ? `${v.template.configmap}` : `${v.template.configmap} INVALID: ${v.template.problem}`) : `${v.template.configmap} does not exist`}`,
  ];
  if (v.orphans.length) lines.push(`Left behind:           ${v.orphans.join(', ')} (no HostedCluster)`);
  lines.push('');
  const table = v.clusters.length
    ? renderTable(
        ['namespace', 'hostedcluster', 'dashboard', 'exists'],
        v.clusters.map((c) => [c.namespace, c.name, `${DASHBOARDS_NAMESPACE}/${c.dashboard}`, c.exists ? 'yes' : 'no']),
      )
    : 'No HostedClusters.\n';
  return lines.join('\n') + table;
}

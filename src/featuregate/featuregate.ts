/**
 * Feature sets of a hosted cluster (spec 5; FACTS "HostedCluster fields").
 *
 * `spec.configuration.featureGate.featureSet` takes "", TechPreviewNoUpgrade, DevPreviewNoUpgrade,
 * CustomNoUpgrade and OKD. CEL forbids leaving any *NoUpgrade set and going from OKD to the
 * default; those sets also block minor updates. Such changes are refused here, before the API would.
 */
import { Resources, describeRef, type KubeObject, type ObjectRef } from '../kube/resources.ts';
import type { Plan } from '../plan/plan.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { UsageError } from '../util/errors.ts';

export const FEATURE_SETS = ['Default', 'TechPreviewNoUpgrade', 'DevPreviewNoUpgrade', 'CustomNoUpgrade'] as const;
export type FeatureSetName = (typeof FEATURE_SETS)[number];
export const NO_UPGRADE_SETS = new Set<string>(['TechPreviewNoUpgrade', 'DevPreviewNoUpgrade', 'CustomNoUpgrade']);
/** The CRD's FeatureGateName pattern. */
const GATE_NAME = /^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+\.?$/;

export interface FeatureGateSpec {
  featureSet?: string;
  customNoUpgrade?: { enabled?: string[]; disabled?: string[] } | null;
}

export function featureGateOf(hc: HostedCluster): FeatureGateSpec {
  return ((hc.spec.configuration as { featureGate?: FeatureGateSpec } | undefined)?.featureGate ?? {}) as FeatureGateSpec;
}

/** "techpreviewnoupgrade" → "TechPreviewNoUpgrade"; "Default" (or "") is the empty feature set. */
export function canonicalFeatureSet(value: string): FeatureSetName {
  const found = FEATURE_SETS.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!found) throw new UsageError(`feature set "${value}" is not valid: use ${FEATURE_SETS.join(', ')}`);
  return found;
}

export interface CustomGates {
  enabled: string[];
  disabled: string[];
}

/** Validates --enable/--disable: only with CustomNoUpgrade, names as the CRD pattern, no gate both ways. */
export function validateCustomGates(set: FeatureSetName, enable: string[], disable: string[]): CustomGates | undefined {
  if (set !== 'CustomNoUpgrade') {
    if (enable.length || disable.length) throw new UsageError('--enable and --disable apply only to CustomNoUpgrade');
    return undefined;
  }
  for (const [flag, names] of [['--enable', enable], ['--disable', disable]] as const) {
    for (const n of names) if (!GATE_NAME.test(n)) throw new UsageError(`${flag} "${n}" is not a feature gate name (letters, digits, '-' and '.')`);
  }
  const both = enable.filter((n) => disable.includes(n));
  if (both.length) throw new UsageError(`feature gate ${both.join(', ')} is both enabled and disabled`);
  if (!enable.length && !disable.length) throw new UsageError('CustomNoUpgrade needs at least one --enable or --disable');
  return { enabled: [...new Set(enable)], disabled: [...new Set(disable)] };
}

const stored = (set: FeatureSetName) => (set === 'Default' ? '' : set);
const shown = (value: string | undefined) => (value ? value : 'Default');

/**
 * What the CEL rules on featureSet say about going from `current` to `next`: the message the API
 * server would give, or undefined when allowed.
 */
export function celRejection(current: string | undefined, next: string): string | undefined {
  const from = current ?? '';
  if (NO_UPGRADE_SETS.has(from) && next !== from) return `${from} may not be changed`;
  if (from === 'OKD' && next === '') return 'OKD cannot transition to Default';
  return undefined;
}

export interface FeatureSetInputs {
  hc: HostedCluster;
  set: FeatureSetName;
  custom?: CustomGates;
}

export interface FeatureSetPlan extends Plan {
  /** True when this change newly turns on a one-way *NoUpgrade set: the user must confirm by name. */
  irreversible: boolean;
}

export function planFeatureSet({ hc, set, custom }: FeatureSetInputs): FeatureSetPlan {
  const ref: ObjectRef = { resource: Resources.HostedCluster, namespace: hc.metadata.namespace, name: hc.metadata.name };
  const current = featureGateOf(hc);
  const next = stored(set);
  const plan: FeatureSetPlan = { operation: 'featuregate-set', target: describeRef(ref), steps: [], warnings: [], blockers: [], journal: false, irreversible: false };
  const rejected = celRejection(current.featureSet, next);
  if (rejected) {
    plan.blockers.push({ message: `featureSet is ${shown(current.featureSet)} and the API rejects the change to ${set}: "${rejected}" (the *NoUpgrade sets are one-way)` });
    return plan;
  }
  const sameGates = JSON.stringify(current.customNoUpgrade ?? null) === JSON.stringify(custom ?? null);
  const unchanged = (current.featureSet ?? '') === next && sameGates;
  if (NO_UPGRADE_SETS.has(next) && (current.featureSet ?? '') !== next) {
    plan.irreversible = true;
    plan.warnings.push(`${set} cannot be undone and blocks minor version updates of ${hc.metadata.name} for good (spec 5.1): do not use it on production clusters`);
  }
  const featureGate: Record<string, unknown> = { featureSet: next, customNoUpgrade: custom ?? null };
  plan.steps.push({
    id: 'set-feature-set',
    title: `Set featureSet of ${describeRef(ref)}: ${shown(current.featureSet)} => ${set}${custom ? ` (enabled: ${custom.enabled.join(',') || '-'}; disabled: ${custom.disabled.join(',') || '-'})` : ''}`,
    // The resourceVersion makes the API check CEL against the state we checked, not a newer one.
    changes: unchanged
      ? []
      : [{ op: 'patch', ref, patchType: 'merge', patch: { metadata: { resourceVersion: hc.metadata.resourceVersion }, spec: { configuration: { featureGate } } } }],
    isDone: async () => unchanged,
  });
  return plan;
}

export interface GuestFeatureGate extends KubeObject {
  spec?: FeatureGateSpec;
  status?: { featureGates?: { version?: string; enabled?: { name: string }[]; disabled?: { name: string }[] }[] };
}

export interface FeatureGateView {
  hostedCluster: string;
  featureSet: string;
  customNoUpgrade?: CustomGates;
  noUpgrade: boolean;
  guest: { source: string; available: boolean; problem?: string; featureSet?: string; customNoUpgrade?: FeatureGateSpec['customNoUpgrade']; enabled?: number; disabled?: number; versions?: string[]; inSync?: boolean };
}

export function featureGateView(hc: HostedCluster, guest: { source: string; object?: GuestFeatureGate | null; problem?: string }): FeatureGateView {
  const fg = featureGateOf(hc);
  const view: FeatureGateView = {
    hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`,
    featureSet: shown(fg.featureSet),
    customNoUpgrade: fg.customNoUpgrade ? { enabled: fg.customNoUpgrade.enabled ?? [], disabled: fg.customNoUpgrade.disabled ?? [] } : undefined,
    noUpgrade: NO_UPGRADE_SETS.has(fg.featureSet ?? ''),
    guest: { source: guest.source, available: false, problem: guest.problem },
  };
  if (guest.object) {
    const g = guest.object;
    const latest = g.status?.featureGates?.[0];
    view.guest = {
      source: guest.source,
      available: true,
      featureSet: shown(g.spec?.featureSet),
      customNoUpgrade: g.spec?.customNoUpgrade ?? undefined,
      enabled: latest?.enabled?.length,
      disabled: latest?.disabled?.length,
      versions: g.status?.featureGates?.map((f) => f.version ?? '?'),
      inSync: shown(g.spec?.featureSet) === shown(fg.featureSet),
    };
  } else if (guest.object === null && !guest.problem) {
    view.guest.problem = 'featuregate/cluster not found in the guest cluster';
  }
  return view;
}

export function renderFeatureGateView(v: FeatureGateView): string {
  const lines = [
    `HostedCluster:         ${v.hostedCluster}`,
    `featureSet:            ${v.featureSet}${v.noUpgrade ? ' (one-way; blocks minor updates)' : ''}`,
  ];
  if (v.customNoUpgrade) lines.push(`  enabled:             ${v.customNoUpgrade.enabled.join(', ') || '-'}`, `  disabled:            ${v.customNoUpgrade.disabled.join(', ') || '-'}`);
  if (v.guest.available) {
    lines.push(
      `Guest featuregate/cluster (${v.guest.source}):`,
      `  featureSet:          ${v.guest.featureSet}${v.guest.inSync ? '' : ` (the HostedCluster says ${v.featureSet}: not rolled out yet)`}`,
    );
    if (v.guest.enabled !== undefined) lines.push(`  gates:               ${v.guest.enabled} enabled, ${v.guest.disabled ?? 0} disabled (status, ${v.guest.versions?.join(', ')})`);
  } else {
    lines.push(`Guest cluster:         not checked: ${v.guest.problem}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Feature sets of a hosted cluster (spec 5; FACTS "HostedCluster fields").
 *
 * `spec.configuration.featureGate.featureSet` takes "", TechPreviewNoUpgrade, DevPreviewNoUpgrade,
 * CustomNoUpgrade and OKD. CEL forbids leaving any *NoUpgrade set and going from OKD to the
 * default; those sets also block minor updates. Such changes are refused here, before the API would.
 */
import { describeRef, type KubeObject } from '../kube/resources.ts';
import { newPlan, type Plan } from '../plan/plan.ts';
import { hcRef } from '../hostedcluster/lookup.ts';
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
  for (const [flag, names] of [
    ['--enable', enable],
    ['--disable', disable],
  ] as const) {
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
  /** --replace: the given gates become the whole lists; without it they are merged into the current ones. */
  replace?: boolean;
}

export interface FeatureSetPlan extends Plan {
  /** True when this change newly turns on a one-way *NoUpgrade set: the user must confirm by name. */
  irreversible: boolean;
}

export interface MergedGates {
  gates: CustomGates;
  /** Gates of the current lists that are in neither new list. */
  dropped: string[];
  /** Gates of the current lists kept although not named now. */
  kept: string[];
}

/**
 * The CustomNoUpgrade lists after --enable/--disable. The whole featureGate is written, so without
 * a merge every gate not named again would silently drop (issue 13 item 17): by default the
 * current gates stay and the named ones move to the list they are named for; with `replace` the
 * named gates are all there is, and the rest is reported as dropped.
 */
export function mergeCustomGates(current: FeatureGateSpec['customNoUpgrade'], wanted: CustomGates, replace: boolean): MergedGates {
  const before = { enabled: current?.enabled ?? [], disabled: current?.disabled ?? [] };
  const named = new Set([...wanted.enabled, ...wanted.disabled]);
  const previous = [...before.enabled, ...before.disabled].filter((g) => !named.has(g));
  if (replace) return { gates: wanted, dropped: [...new Set(previous)], kept: [] };
  return {
    gates: {
      enabled: [...before.enabled.filter((g) => !named.has(g)), ...wanted.enabled],
      disabled: [...before.disabled.filter((g) => !named.has(g)), ...wanted.disabled],
    },
    dropped: [],
    kept: [...new Set(previous)],
  };
}

export function planFeatureSet({ hc, set, custom, replace = false }: FeatureSetInputs): FeatureSetPlan {
  const ref = hcRef(hc);
  const current = featureGateOf(hc);
  const next = stored(set);
  const plan: FeatureSetPlan = { ...newPlan('featuregate-set', describeRef(ref)), irreversible: false };
  const rejected = celRejection(current.featureSet, next);
  if (rejected) {
    plan.blockers.push({
      message: `featureSet is ${shown(current.featureSet)} and the API rejects the change to ${set}: "${rejected}" (the *NoUpgrade sets are one-way)`,
    });
    return plan;
  }
  // Only lists the operator acts on (featureSet CustomNoUpgrade) are carried over.
  const merged = custom ? mergeCustomGates(current.featureSet === 'CustomNoUpgrade' ? current.customNoUpgrade : undefined, custom, replace) : undefined;
  const gates = merged?.gates;
  if (merged?.dropped.length) plan.warnings.push(`--replace drops feature gate(s) ${merged.dropped.join(', ')} from the CustomNoUpgrade lists`);
  if (merged?.kept.length) plan.warnings.push(`feature gate(s) ${merged.kept.join(', ')} stay as they are (--replace would drop them)`);
  const sameGates = JSON.stringify(normalisedGates(current.customNoUpgrade)) === JSON.stringify(normalisedGates(gates));
  const unchanged = (current.featureSet ?? '') === next && sameGates;
  if (NO_UPGRADE_SETS.has(next) && (current.featureSet ?? '') !== next) {
    plan.irreversible = true;
    plan.warnings.push(
      `${set} cannot be undone and blocks minor version updates of ${hc.metadata.name} for good (spec 5.1): do not use it on production clusters`,
    );
  }
  const featureGate: Record<string, unknown> = gates ? { featureSet: next, customNoUpgrade: gates } : { featureSet: next };
  plan.steps.push({
    id: 'set-feature-set',
    title: `Set featureSet of ${describeRef(ref)}: ${shown(current.featureSet)} => ${set}${gates ? ` (enabled: ${gates.enabled.join(',') || '-'}; disabled: ${gates.disabled.join(',') || '-'}${merged?.dropped.length ? `; dropped: ${merged.dropped.join(',')}` : ''})` : ''}`,
    changes: unchanged ? [] : [{ op: 'patch', ref, patchType: 'json', patch: featureGatePatch(hc, featureGate) }],
    isDone: async () => unchanged,
  });
  return plan;
}

/**
 * A JSON patch guarded by metadata.generation: the API applies it only while the spec is the one we
 * planned against (the CEL one-way rules and our irreversibility warning were checked on it). The
 * generation moves with spec changes only, so the operator's status and finalizer writes, which
 * come every few seconds, no longer turn the write into a 409 (a whole-object resourceVersion did).
 * The featureGate is replaced whole: customNoUpgrade goes when the new set has no gates.
 */
export function featureGatePatch(hc: HostedCluster, featureGate: Record<string, unknown>): unknown[] {
  const guard =
    hc.metadata.generation !== undefined
      ? { op: 'test', path: '/metadata/generation', value: hc.metadata.generation }
      : { op: 'test', path: '/metadata/resourceVersion', value: hc.metadata.resourceVersion };
  const write = hc.spec?.configuration
    ? { op: 'add', path: '/spec/configuration/featureGate', value: featureGate }
    : { op: 'add', path: '/spec/configuration', value: { featureGate } };
  return [guard, write];
}

/** Lists compared as sets: the order of gates means nothing to the operator. */
function normalisedGates(g: FeatureGateSpec['customNoUpgrade'] | undefined): CustomGates | null {
  return g ? { enabled: [...(g.enabled ?? [])].sort(), disabled: [...(g.disabled ?? [])].sort() } : null;
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
  guest: {
    source: string;
    available: boolean;
    problem?: string;
    featureSet?: string;
    customNoUpgrade?: FeatureGateSpec['customNoUpgrade'];
    enabled?: number;
    disabled?: number;
    versions?: string[];
    inSync?: boolean;
  };
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
  const lines = [`HostedCluster:         ${v.hostedCluster}`, `featureSet:            ${v.featureSet}${v.noUpgrade ? ' (one-way; blocks minor updates)' : ''}`];
  if (v.customNoUpgrade)
    lines.push(
      `  enabled:             ${v.customNoUpgrade.enabled.join(', ') || '-'}`,
      `  disabled:            ${v.customNoUpgrade.disabled.join(', ') || '-'}`,
    );
  if (v.guest.available) {
    lines.push(
      `Guest featuregate/cluster (${v.guest.source}):`,
      `  featureSet:          ${v.guest.featureSet}${v.guest.inSync ? '' : ` (the HostedCluster says ${v.featureSet}: not rolled out yet)`}`,
    );
    if (v.guest.enabled !== undefined)
      lines.push(`  gates:               ${v.guest.enabled} enabled, ${v.guest.disabled ?? 0} disabled (status, ${v.guest.versions?.join(', ')})`);
  } else {
    lines.push(`Guest cluster:         not checked: ${v.guest.problem}`);
  }
  return lines.join('\n') + '\n';
}

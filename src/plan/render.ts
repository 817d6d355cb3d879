/**
 * Renders a plan for --dry-run=client: as text, or as data for -o json|yaml. Secret payloads are
 * always shown as <redacted>.
 */
import { PATCH_CONTENT_TYPE } from '../kube/patch.ts';
import { describeRef, qualifiedName } from '../kube/resources.ts';
import type { Change, Plan } from './plan.ts';

export const REDACTED = '<redacted>';

/** Replaces every value under a Secret's data/stringData with <redacted>. */
export function redactChange(change: Change): Change {
  if (change.ref.resource.kind !== 'Secret') return change;
  if (change.op === 'create') return { ...change, body: redactSecretBody(change.body) };
  if (change.op === 'patch' && change.patchType !== 'json') return { ...change, patch: redactSecretBody(change.patch as Record<string, unknown>) };
  if (change.op === 'patch') {
    return {
      ...change,
      patch: (change.patch as { op: string; path: string; value?: unknown }[]).map((p) =>
        p.path.startsWith('/data') || p.path.startsWith('/stringData') ? { ...p, value: REDACTED } : p,
      ),
    };
  }
  return change;
}

function redactSecretBody(body: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...body };
  for (const key of ['data', 'stringData']) {
    const section = copy[key];
    if (section && typeof section === 'object') {
      copy[key] = Object.fromEntries(Object.keys(section).map((k) => [k, REDACTED]));
    }
  }
  return copy;
}

export function changeToData(change: Change): Record<string, unknown> {
  const c = redactChange(change);
  const base = {
    op: c.op,
    resource: qualifiedName(c.ref.resource),
    kind: c.ref.resource.kind,
    namespace: c.ref.namespace,
    name: c.ref.name,
  };
  switch (c.op) {
    case 'patch':
      return { ...base, patchType: PATCH_CONTENT_TYPE[c.patchType], subresource: c.subresource, patch: c.patch };
    case 'create':
      return { ...base, ifExists: c.ifExists ?? 'fail', body: c.body };
    case 'delete':
      return { ...base, propagationPolicy: c.propagationPolicy };
    case 'scale':
      return { ...base, replicas: c.replicas };
  }
}

export function planToData(plan: Plan): Record<string, unknown> {
  return {
    operation: plan.operation,
    target: plan.target,
    warnings: plan.warnings,
    blockers: plan.blockers,
    ...(plan.locks?.length ? { locks: plan.locks.map((l) => ({ title: l.title, cluster: l.cluster })) } : {}),
    steps: plan.steps.map((s) => ({
      id: s.id,
      title: s.title,
      destructive: s.destructive ?? false,
      changes: (s.changes ?? []).map(changeToData),
      details: s.details ?? [],
      undo: s.undo ? { title: s.undo.title, changes: (s.undo.changes ?? []).map(changeToData) } : undefined,
    })),
  };
}

export function describeChange(change: Change): string[] {
  const c = redactChange(change);
  const where = describeRef(c.ref);
  switch (c.op) {
    case 'patch':
      return [`PATCH ${where}${c.subresource ? ` (${c.subresource})` : ''} ${PATCH_CONTENT_TYPE[c.patchType]}`, `  ${JSON.stringify(c.patch)}`];
    case 'create':
      return [`CREATE ${where}${c.ifExists === 'skip' ? ' (unless it exists)' : ''}`, `  ${JSON.stringify(c.body)}`];
    case 'delete':
      return [`DELETE ${where}${c.propagationPolicy ? ` (propagation ${c.propagationPolicy})` : ''}`];
    case 'scale':
      return [`SCALE ${where} to ${c.replicas} replicas`];
  }
}

export function renderPlanText(plan: Plan): string {
  const lines = [`Plan: ${plan.operation} ${plan.target} (dry run: nothing is changed)`];
  plan.steps.forEach((step, i) => {
    lines.push(`  ${i + 1}. ${step.title}${step.destructive ? '  [destructive: asks for confirmation]' : ''}`);
    for (const change of step.changes ?? []) for (const l of describeChange(change)) lines.push(`       ${l}`);
    for (const d of step.details ?? []) lines.push(`       ${d}`);
    if (step.undo) lines.push(`       on a later failure: ${step.undo.title}`);
  });
  if (plan.steps.length === 0) lines.push('  (nothing to do)');
  for (const lock of plan.locks ?? []) lines.push(`holds: ${lock.title}${lock.cluster ? ` on the ${lock.cluster} cluster` : ''} while it runs`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  for (const b of plan.blockers) lines.push(`blocked: ${b.message}${b.override ? ` (use ${b.override} to override)` : ''}`);
  return lines.join('\n') + '\n';
}

/**
 * Strict validation of the `sre-metric-set` config (FACTS "Metrics sets"). The operator parses it
 * non-strictly and silently drops what it does not know, so a typo filters nothing; this module
 * rejects everything the operator would ignore or Prometheus would refuse, with the line and the
 * component of each problem.
 */
import yaml from 'js-yaml';
import { RE2JS } from 're2js';

export const SRE_CONFIGMAP = 'sre-metric-set';
export const SRE_CONFIG_KEY = 'config';

export const SRE_COMPONENTS = [
  'etcd',
  'kubeAPIServer',
  'kubeControllerManager',
  'openshiftAPIServer',
  'openshiftControllerManager',
  'openshiftRouteControllerManager',
  'cvo',
  'olm',
  'catalogOperator',
  'registryOperator',
  'kubeScheduler',
  'kubeSchedulerResourceMetrics',
  'nodeTuningOperator',
  'controlPlaneOperator',
  'hostedClusterConfigOperator',
] as const;

/** Parsed by the operator, then never used (FACTS). */
export const IGNORED_COMPONENTS = new Set(['controlPlaneOperator', 'hostedClusterConfigOperator']);

export const RELABEL_FIELDS = ['sourceLabels', 'separator', 'targetLabel', 'regex', 'modulus', 'replacement', 'action'] as const;

export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
  'keepequal',
  'dropequal',
] as const;

/** Actions that write a label, so Prometheus requires targetLabel (replace is the default action). */
const NEEDS_TARGET = new Set(['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface SreProblem {
  /** 1-based line in the file, when known. */
  line?: number;
  component?: string;
  /** 1-based index of the relabel config within its component. */
  item?: number;
  message: string;
}

export interface SreValidation {
  problems: SreProblem[];
  warnings: string[];
  /** Relabel configs per component, when the file parsed. */
  components: Record<string, number>;
}

/**
 * Compiles a relabel regex the way Prometheus does: Go's RE2 syntax, anchored at both ends with
 * dot-matches-newline (`^(?s:REGEX)$`). Returns the compile error, or undefined when it compiles.
 */
export function re2Error(regex: string): string | undefined {
  try {
    RE2JS.compile(regex);
    RE2JS.compile(`^(?s:${regex})$`);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^error parsing regexp: /, '');
  }
}

export function formatProblem(p: SreProblem, source: string): string {
  const where = [p.line !== undefined ? `${source}:${p.line}` : source, p.component ? `${p.component}${p.item ? `[${p.item}]` : ''}` : undefined]
    .filter(Boolean)
    .join(': ');
  return `${where}: ${p.message}`;
}

/** Validates the text of an sre-metric-set config. Pure. */
export function validateSreConfig(text: string): SreValidation {
  const result: SreValidation = { problems: [], warnings: [], components: {} };
  const starts = new Map<object, number>();
  const open: number[] = [];
  let doc: unknown;
  try {
    doc = yaml.load(text, {
      // Record the 0-based line where each mapping/sequence starts, to point at problems.
      listener(event, state) {
        if (event === 'open') open.push(state.line);
        else {
          const line = open.pop();
          if (state.result && typeof state.result === 'object' && line !== undefined && !starts.has(state.result)) starts.set(state.result, line);
        }
      },
    });
  } catch (err) {
    const e = err as yaml.YAMLException;
    result.problems.push({ line: e.mark ? e.mark.line + 1 : undefined, message: `not valid YAML: ${e.reason ?? e.message.split('\n')[0]}` });
    return result;
  }
  const lines = text.split('\n');
  const lineOf = (obj: unknown): number | undefined => (obj && typeof obj === 'object' && starts.has(obj) ? starts.get(obj)! + 1 : undefined);
  /** The line of `key:` inside an item, searching from the item's first line to the next item. */
  const keyLine = (item: object, key: string): number | undefined => {
    const from = lineOf(item);
    if (from === undefined) return undefined;
    const re = new RegExp(`(^|[\\s{,-])"?${key}"?\\s*:`);
    for (let i = from - 1; i < lines.length; i++) {
      if (i > from - 1 && /^\s*-\s/.test(lines[i])) break;
      if (re.test(lines[i])) return i + 1;
    }
    return from;
  };
  const topLine = (key: string): number | undefined => {
    const i = lines.findIndex((l) => new RegExp(`^"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*:`).test(l));
    return i >= 0 ? i + 1 : undefined;
  };

  if (doc === undefined || doc === null) {
    result.problems.push({ line: 1, message: 'the config is empty: an SRE metrics set without a config filters nothing' });
    return result;
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    result.problems.push({ line: 1, message: 'the config must be a mapping of component to a list of relabel configs' });
    return result;
  }
  for (const [component, list] of Object.entries(doc as Record<string, unknown>)) {
    const at = topLine(component);
    if (!(SRE_COMPONENTS as readonly string[]).includes(component)) {
      const near = SRE_COMPONENTS.find((c) => c.toLowerCase() === component.toLowerCase());
      result.problems.push({
        line: at,
        component,
        message: `unknown component${near ? ` (did you mean ${near}?)` : ''}: the operator silently ignores it; known: ${SRE_COMPONENTS.join(', ')}`,
      });
      continue;
    }
    if (IGNORED_COMPONENTS.has(component)) result.warnings.push(`${component} is parsed but ignored by the operator`);
    if (list === null) {
      result.components[component] = 0;
      continue;
    }
    if (!Array.isArray(list)) {
      result.problems.push({ line: at, component, message: 'must be a list of relabel configs' });
      continue;
    }
    result.components[component] = list.length;
    list.forEach((item, index) => validateRelabel(item, { component, item: index + 1, line: lineOf(item) ?? at, keyLine }, result.problems));
  }
  return result;
}

function validateRelabel(
  item: unknown,
  at: { component: string; item: number; line?: number; keyLine: (item: object, key: string) => number | undefined },
  problems: SreProblem[],
): void {
  const push = (message: string, key?: string) =>
    problems.push({ component: at.component, item: at.item, line: key && item && typeof item === 'object' ? at.keyLine(item, key) : at.line, message });
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    push('each relabel config must be a mapping');
    return;
  }
  const rc = item as Record<string, unknown>;
  for (const key of Object.keys(rc)) {
    if (!(RELABEL_FIELDS as readonly string[]).includes(key)) {
      const snake: Record<string, string> = { source_labels: 'sourceLabels', target_label: 'targetLabel' };
      push(`unknown field "${key}"${snake[key] ? ` (use ${snake[key]})` : ''}: RelabelConfig fields are ${RELABEL_FIELDS.join(', ')}`, key);
    }
  }
  const action = rc.action ?? 'replace';
  if (typeof action !== 'string' || !(RELABEL_ACTIONS as readonly string[]).includes(action)) {
    const lower = typeof action === 'string' ? action.toLowerCase() : '';
    push(
      `action "${String(action)}" is not one of ${RELABEL_ACTIONS.join(', ')}${(RELABEL_ACTIONS as readonly string[]).includes(lower) ? ` (write "${lower}")` : ''}`,
      'action',
    );
  }
  if (rc.sourceLabels !== undefined) {
    if (!Array.isArray(rc.sourceLabels)) push('sourceLabels must be a list, e.g. ["__name__"]', 'sourceLabels');
    else {
      for (const label of rc.sourceLabels) {
        if (typeof label !== 'string' || !LABEL_NAME.test(label)) push(`sourceLabels entry ${JSON.stringify(label)} is not a label name`, 'sourceLabels');
      }
    }
  }
  for (const key of ['separator', 'targetLabel', 'replacement', 'regex'] as const) {
    if (rc[key] !== undefined && typeof rc[key] !== 'string') push(`${key} must be a string (quote it)`, key);
  }
  if (typeof rc.regex === 'string') {
    const err = re2Error(rc.regex);
    if (err) push(`regex ${JSON.stringify(rc.regex)} is not valid RE2 (Prometheus would reject it): ${err}`, 'regex');
  }
  if (rc.modulus !== undefined && (typeof rc.modulus !== 'number' || !Number.isInteger(rc.modulus) || rc.modulus < 0))
    push('modulus must be a non-negative integer', 'modulus');
  if (typeof action === 'string') {
    if (NEEDS_TARGET.has(action) && (typeof rc.targetLabel !== 'string' || rc.targetLabel === '')) {
      push(
        `action ${action}${rc.action === undefined ? ' (the default when action is missing)' : ''} needs targetLabel`,
        rc.action === undefined ? undefined : 'action',
      );
    }
    if (action === 'hashmod' && !(typeof rc.modulus === 'number' && rc.modulus > 0)) push('action hashmod needs a modulus greater than 0', 'action');
  }
}

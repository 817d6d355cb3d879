/**
 * Dependencies point one way (issue 12):
 *   util, output        import nothing of ours
 *   kube                util
 *   aws                 util
 *   plan                kube, aws, util
 *   hostedcluster       plan, kube, util, output
 *   capabilities        (nodepool, oauth, etcd, …) hostedcluster, plan, kube, aws, util, output, each other
 *   cli                 anything
 * Only src/cli may import clipanion or typanion, and there are no import cycles. This reads every
 * import under src/ (static, dynamic and type-only) and fails on any arrow against the order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

const FIXED = new Set(['util', 'output', 'kube', 'aws', 'plan', 'hostedcluster', 'cli', 'version', 'entry', 'fast-help']);
const BASE: Record<string, string[]> = {
  util: [],
  output: [],
  version: [],
  kube: ['util', 'version'],
  aws: ['util'],
  plan: ['kube', 'aws', 'util'],
  hostedcluster: ['plan', 'kube', 'util', 'output'],
  capability: ['hostedcluster', 'plan', 'kube', 'aws', 'util', 'output', 'capability', 'version'],
  entry: ['cli'],
  // The binary's prelude (the top-level help before the bundle is evaluated): the front-end detection.
  'fast-help': ['cli'],
};
const CLI_ONLY_PACKAGES = ['clipanion', 'typanion'];

/** The layer of a file under src/: its top folder, `capability` for any folder not named above. */
export function layerOf(file: string): string {
  const top = relative(SRC, file).split(/[\\/]/)[0].replace(/\.ts$/, '');
  return FIXED.has(top) ? top : 'capability';
}

export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every import of one file's text: relative ones resolved to absolute paths, bare ones as written. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const patterns = [/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm, /^\s*import\s+['"]([^'"]+)['"]/gm, /import\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const [i, re] of patterns.entries()) {
    for (const m of text.matchAll(re)) {
      const spec = i === 0 ? m[3] : m[1];
      const typeOnly = i === 0 && Boolean(m[2]);
      edges.push({ from: file, to: spec.startsWith('.') ? resolve(dirname(file), spec) : spec, typeOnly });
    }
  }
  return edges;
}

/** The arrows against the order, as "from -> to (why)". */
export function violations(edges: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const rel = (p: string) => relative(SRC, p);
    if (!e.to.startsWith('/')) {
      const pkg = e.to.split('/')[0];
      if (CLI_ONLY_PACKAGES.includes(pkg) && from !== 'cli') out.push(`${rel(e.from)} -> ${e.to} (only src/cli may use ${pkg})`);
      continue;
    }
    if (!e.to.startsWith(SRC)) continue;
    const to = layerOf(e.to);
    if (from === 'cli' || from === to) continue;
    if (!BASE[from].includes(to)) out.push(`${rel(e.from)} -> ${rel(e.to)} (${from} may not import ${to})`);
  }
  return out;
}

/** Import cycles among runtime imports (type-only imports vanish at run time). */
export function cycles(edges: ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) if (!e.typeOnly && e.to.startsWith(SRC)) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)).map((p) => relative(SRC, p)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

const allEdges = () => sourceFiles(SRC).flatMap((f) => importsOf(f, readFileSync(f, 'utf8')));

describe('layering of src/', () => {
  it('every import points down the order (cli → capabilities → hostedcluster → plan → kube/aws → util/output)', () => {
    expect(violations(allEdges())).toEqual([]);
  });

  it('clipanion and typanion are imported only under src/cli', () => {
    expect(violations(allEdges()).filter((v) => v.includes('only src/cli'))).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles(allEdges())).toEqual([]);
  });

  // The checker itself, on imports written for the purpose: it must see an upward arrow.
  it.each([
    ['output/output.ts', "import type { HcpContext } from '../cli/context.ts';", 'output may not import cli'],
    ['kube/client.ts', "import { planConfigMapKey } from '../metrics/configmap-key.ts';", 'kube may not import capability'],
    ['plan/render.ts', "const { x } = await import('../hostedcluster/pause.ts');", 'plan may not import hostedcluster'],
    ['hostedcluster/pause.ts', "export { applyChange } from '../nodepool/nodepool.ts';", 'hostedcluster may not import capability'],
    ['nodepool/nodepool.ts', "import { Option } from 'clipanion';", 'only src/cli may use clipanion'],
    ['util/errors.ts', "import type { Plan } from '../plan/plan.ts';", 'util may not import plan'],
  ])('flags an upward import in %s', (file, line, why) => {
    const v = violations(importsOf(join(SRC, file), line));
    expect(v).toHaveLength(1);
    expect(v[0]).toContain(why);
  });

  it('finds a cycle', () => {
    const a = join(SRC, 'kube/a.ts');
    const b = join(SRC, 'kube/b.ts');
    expect(cycles([...importsOf(a, "import { x } from './b.ts';"), ...importsOf(b, "import { y } from './a.ts';")])).toEqual([['kube/a.ts', 'kube/b.ts']]);
  });
});

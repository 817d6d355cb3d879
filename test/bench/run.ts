// `npm run bench [-- NAME…]`: runs the benchmarks in test/bench/ one after the other and prints one
// table (bench, measure, ours, baseline, ratio, target, verdict) and the machine it ran on. These
// are measurements, not tests: a missed target prints FAIL but exits 0; only a benchmark that could
// not run (threw) makes the exit code 1. `--markdown` prints the table as Markdown too (for README).
//
// The interface a benchmark implements is in lib.ts (defineBench). Every test/bench/*.ts except
// lib.ts, run.ts, _*.ts and *.test.ts is a benchmark; EXPECTED lists the ones the issues ask for,
// in table order, so that one not written yet shows as "missing" rather than silently absent.
// `npm run bench -- startup` (or `bench/startup`) runs only that one.
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchContext, BenchResult, Measure } from './lib.ts';

const EXPECTED = ['startup', 'status-all', 'pause-all', 'snapshot-stream', 'dr-objects', 'dump'];
const NOT_BENCHES = new Set(['run', 'lib']);

const benchDir = dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  const found = readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'))
    .map((f) => basename(f, '.ts'))
    .filter((n) => !NOT_BENCHES.has(n));
  return [...EXPECTED.filter((n) => found.includes(n)), ...found.filter((n) => !EXPECTED.includes(n)).sort()];
}

/** The older shape (a function returning { summary, pass } or a string) still runs, as one row. */
type LegacyBench = (ctx: BenchContext) => Promise<{ summary: string; pass?: boolean } | string | undefined>;

async function load(name: string): Promise<Bench> {
  const mod = (await import(pathToFileURL(join(benchDir, `${name}.ts`)).href)) as { default?: Bench | LegacyBench; bench?: Bench | LegacyBench };
  const exported = mod.default ?? mod.bench;
  if (exported && typeof exported === 'object' && typeof exported.run === 'function') return exported;
  if (typeof exported === 'function') {
    const legacy = exported;
    return {
      name,
      title: name,
      run: async (ctx) => {
        const r = await legacy(ctx);
        const summary = typeof r === 'object' && r ? r.summary : r || 'done';
        return { measures: [{ measure: summary, ours: '', target: '', pass: typeof r === 'object' && r ? r.pass : undefined }] };
      },
    };
  }
  throw new Error(`test/bench/${name}.ts exports no benchmark (export default defineBench({...}) from lib.ts)`);
}

interface Row extends Measure {
  bench: string;
  verdict: string;
}

const fmtRatio = (r: number | undefined) => (r === undefined || !Number.isFinite(r) ? '' : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(r < 0.1 ? 3 : 2)}×`);

const COLUMNS: [string, (r: Row) => string][] = [
  ['bench', (r) => r.bench],
  ['measure', (r) => r.measure],
  ['ours', (r) => r.ours],
  ['baseline', (r) => r.baseline ?? ''],
  ['ratio', (r) => fmtRatio(r.ratio)],
  ['target', (r) => r.target],
  ['result', (r) => r.verdict],
];

export function textTable(rows: Row[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, f]) => f(r)));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((s, i) => s.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${COLUMNS.map(([h]) => h).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${COLUMNS.map(([, f]) => esc(f(r))).join(' | ')} |`),
  ].join('\n');
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 16)}Z`;
}

async function main(argv: string[]): Promise<number> {
  const markdown = argv.includes('--markdown');
  const all = available();
  const wanted = argv.filter((a) => !a.startsWith('--')).map((a) => a.replace(/^(test\/)?bench\//, '').replace(/\.ts$/, ''));
  const unknown = wanted.filter((w) => !all.includes(w) && !EXPECTED.includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (available: ${all.join(', ')})\n`);
    return 2;
  }
  const names = wanted.length > 0 ? wanted : [...new Set([...EXPECTED, ...all])];
  const rows: Row[] = [];
  const notes: string[] = [];
  let failedToRun = false;
  for (const name of names) {
    if (!all.includes(name)) {
      rows.push({ bench: name, measure: `test/bench/${name}.ts not written yet`, ours: '', target: '', verdict: 'missing' });
      continue;
    }
    const log = (line: string) => process.stdout.write(`[bench/${name}] ${line}\n`);
    const started = performance.now();
    try {
      const bench = await load(name);
      log(bench.title);
      const result: BenchResult = await bench.run({ log });
      for (const m of result.measures) {
        rows.push({ ...m, bench: name, verdict: m.pass === undefined ? '' : m.pass ? 'PASS' : 'FAIL' });
      }
      if (result.note) notes.push(`${name}: ${result.note}`);
    } catch (err) {
      failedToRun = true;
      log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      rows.push({
        bench: name,
        measure: err instanceof Error ? err.message.split('\n')[0].slice(0, 120) : String(err),
        ours: '',
        target: '',
        verdict: 'ERROR',
      });
    }
    log(`took ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
  const footer = [`machine: ${machine()}`, ...notes.map((n) => `note: ${n}`)].join('\n');
  process.stdout.write(`\n${textTable(rows)}\n\n${footer}\n`);
  if (markdown) process.stdout.write(`\n${markdownTable(rows)}\n\n${footer.replaceAll('\n', '  \n')}\n`);
  return failedToRun ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2));

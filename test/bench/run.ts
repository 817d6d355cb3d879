// `npm run bench [-- NAME…]`: runs the benchmarks in test/bench/ one after the other and prints a
// summary. These are measurements, not tests: a missed target prints FAIL but exits 0; only a
// benchmark that could not run (threw) makes the exit code 1.
//
// A benchmark is a module test/bench/<name>.ts whose default export (or export `bench`) is
//   (ctx: BenchContext) => Promise<BenchResult | string | void>
// Files named _*.ts, *.test.ts and run.ts are not benchmarks.
// `npm run bench -- startup` (or `bench/startup`) runs only that one.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchContext {
  /** Writes a progress or detail line (benchmarks print their own numbers as they go). */
  log: (line: string) => void;
}

export interface BenchResult {
  /** One line for the summary, e.g. "ratio 2.1× (target ≤ 3×)". */
  summary: string;
  /** true/false against the target; undefined when there is no target or it could not be judged. */
  pass?: boolean;
}

export type Bench = (ctx: BenchContext) => Promise<BenchResult | string | void>;

const benchDir = dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !f.startsWith('_') && f !== 'run.ts')
    .map((f) => basename(f, '.ts'))
    .sort();
}

async function main(argv: string[]): Promise<number> {
  const all = available();
  const wanted = argv.map((a) => a.replace(/^(test\/)?bench\//, '').replace(/\.ts$/, ''));
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (available: ${all.join(', ')})\n`);
    return 2;
  }
  const names = wanted.length > 0 ? wanted : all;
  const rows: string[] = [];
  let failedToRun = false;
  for (const name of names) {
    const log = (line: string) => process.stdout.write(`[bench/${name}] ${line}\n`);
    const started = performance.now();
    try {
      const mod = (await import(pathToFileURL(join(benchDir, `${name}.ts`)).href)) as { default?: Bench; bench?: Bench };
      const bench = mod.default ?? mod.bench;
      if (typeof bench !== 'function') throw new Error(`test/bench/${name}.ts exports no benchmark function (default or \`bench\`)`);
      const returned = await bench({ log });
      const result: BenchResult = typeof returned === 'object' && returned ? returned : { summary: returned || 'done' };
      const verdict = result.pass === undefined ? '    ' : result.pass ? 'PASS' : 'FAIL';
      rows.push(`${verdict}  bench/${name}: ${result.summary}`);
    } catch (err) {
      failedToRun = true;
      log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      rows.push(`ERROR bench/${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    log(`took ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
  process.stdout.write(`\nSummary\n${rows.map((r) => `  ${r}`).join('\n')}\n`);
  return failedToRun ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));

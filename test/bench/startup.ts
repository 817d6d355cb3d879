// bench/startup: median wall time of `kubectl hcp --help` against `kubectl version --client`, in
// the same run, interleaved so that both see the same machine load. Target: ≤ 3×.
// Also shows `dist/kubectl-hcp --help` run directly, which splits the plugin's own start-up from
// kubectl's plugin dispatch.
//
// kubectl: $KUBECTL, else the sandbox's cache, else PATH. Without one, only the direct run is
// measured and there is no verdict. HCP_BENCH_RUNS overrides the 15 timed runs of each.
import { spawnSync } from 'node:child_process';
import { dirname, delimiter } from 'node:path';
import type { BenchContext, BenchResult } from './run.ts';
import { binaryPath, distDir, ensureBuilt } from '../../scripts/lib/dist.ts';
import { findKubectl } from '../../scripts/lib/kubectl.ts';

const TARGET_RATIO = 3;
const WARMUP = 3;

interface Subject {
  label: string;
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  times: number[];
}

function runOnce(s: Subject): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(s.file, s.args, { env: s.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`\`${s.label}\` failed (exit ${result.status ?? result.signal}): ${result.stderr?.toString().trim()}`);
  }
  return ms;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function describe(s: Subject): string {
  const sorted = [...s.times].sort((a, b) => a - b);
  return `${s.label.padEnd(28)} median ${median(s.times).toFixed(1).padStart(6)} ms  (min ${sorted[0].toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}, n=${s.times.length})`;
}

export default async function startup({ log }: BenchContext): Promise<BenchResult> {
  const runs = Number(process.env.HCP_BENCH_RUNS ?? 15);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`HCP_BENCH_RUNS=${process.env.HCP_BENCH_RUNS} is not a positive integer`);
  ensureBuilt({ ifMissing: true });
  const kubectl = findKubectl();
  log(kubectl ? `kubectl: ${kubectl}` : 'no kubectl found ($KUBECTL, sandbox cache, PATH): measuring dist/kubectl-hcp directly only');

  const direct: Subject = { label: 'dist/kubectl-hcp --help', file: binaryPath, args: ['--help'], env: process.env, times: [] };
  const subjects: Subject[] = [direct];
  let plugin: Subject | undefined;
  let baseline: Subject | undefined;
  if (kubectl) {
    // dist/ first on PATH, so kubectl's plugin lookup finds this build and not an installed copy.
    const env = { ...process.env, PATH: [distDir, dirname(kubectl), process.env.PATH ?? ''].join(delimiter) };
    baseline = { label: 'kubectl version --client', file: kubectl, args: ['version', '--client'], env, times: [] };
    plugin = { label: 'kubectl hcp --help', file: kubectl, args: ['hcp', '--help'], env, times: [] };
    subjects.unshift(baseline, plugin);
  }

  for (let i = 0; i < WARMUP; i++) for (const s of subjects) runOnce(s);
  for (let i = 0; i < runs; i++) for (const s of subjects) s.times.push(runOnce(s));
  for (const s of subjects) log(describe(s));

  const measured = plugin ?? direct;
  if (!baseline) {
    return { summary: `dist/kubectl-hcp --help median ${median(direct.times).toFixed(1)} ms; no kubectl to compare with` };
  }
  const ratio = median(measured.times) / median(baseline.times);
  const pass = ratio <= TARGET_RATIO;
  log(`ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×): ${pass ? 'PASS' : 'FAIL'}`);
  return {
    summary: `\`${measured.label}\` ${median(measured.times).toFixed(1)} ms vs \`${baseline.label}\` ${median(baseline.times).toFixed(1)} ms: ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×)`,
    pass,
  };
}

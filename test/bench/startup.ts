// bench/startup: median wall time of `kubectl hcp --help` against `kubectl version --client`, in
// the same run, interleaved so that both see the same machine load. Target: ≤ 3×.
// Also the bare binary (`dist/kubectl-hcp --help`, without kubectl's plugin dispatch) against the
// same baseline, the tighter measure of issue 11: target ≤ 1.5×.
//
// kubectl: $KUBECTL, else the sandbox's cache, else PATH. Without one, only the direct run is
// measured and there is no verdict. HCP_BENCH_RUNS overrides the 15 timed runs of each.
import { spawnSync } from 'node:child_process';
import { dirname, delimiter } from 'node:path';
import { binaryPath, distDir, ensureBuilt } from '../../scripts/lib/dist.ts';
import { findKubectl } from '../../scripts/lib/kubectl.ts';
import { defineBench, fmtMs, median, timeRatio } from './lib.ts';

const TARGET_RATIO = 3;
const TARGET_BARE = 1.5;
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

function describe(s: Subject): string {
  const sorted = [...s.times].sort((a, b) => a - b);
  return `${s.label.padEnd(28)} median ${median(s.times).toFixed(1).padStart(6)} ms  (min ${sorted[0].toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}, n=${s.times.length})`;
}

export default defineBench({
  name: 'startup',
  title: 'kubectl hcp --help and the bare binary vs kubectl version --client',
  async run({ log }) {
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

    if (!plugin || !baseline) {
      return {
        measures: [{ measure: 'dist/kubectl-hcp --help', ours: fmtMs(median(direct.times)), target: '' }],
        note: 'no kubectl to compare with',
      };
    }
    const n = `median of ${runs}`;
    return {
      measures: [
        timeRatio({
          measure: `kubectl hcp --help vs kubectl version --client (${n})`,
          ours: median(plugin.times),
          baseline: median(baseline.times),
          atMost: TARGET_RATIO,
        }),
        timeRatio({
          measure: `bare kubectl-hcp --help vs kubectl version --client (${n})`,
          ours: median(direct.times),
          baseline: median(baseline.times),
          atMost: TARGET_BARE,
        }),
      ],
    };
  },
});

// The benchmark interface and the helpers the benchmarks share (issue 11 "Bench report").
//
// A benchmark is a module test/bench/<name>.ts whose default export is `defineBench({...})`:
//
//   export default defineBench({
//     name: 'snapshot-stream',                   // = the file name; the table's first column
//     title: 'etcd snapshot streamed vs kubectl exec + cp',
//     async run({ log }) {
//       ...measure ours and the baseline in this one run...
//       return { measures: [timeRatio({ measure: 'snapshot 1 GiB, wall', ours: ms, baseline: baseMs, atMost: 1.2 })] };
//     },
//   });
//
// `npm run bench` (test/bench/run.ts) imports every such file, runs them one after the other and
// prints one table: bench, measure, ours, baseline, ratio, target, PASS/FAIL. Each row's ratio comes
// from one run (ours and its baseline measured side by side, never a figure from an earlier run).
// A benchmark that throws shows as ERROR; one listed in run.ts's EXPECTED without a file shows as
// missing. Build rows with timeRatio / speedup / limit / same below, or fill a Measure by hand.
import { execFile, execFileSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { ensureSandbox, kubectlEnv } from '../../scripts/sandbox/api.ts';
import type { SandboxInfo } from '../../scripts/sandbox/api.ts';
import { distDir } from '../../scripts/lib/dist.ts';

export interface BenchContext {
  /** Writes a progress or detail line, prefixed with the benchmark's name. */
  log: (line: string) => void;
}

/** One row of the table. */
export interface Measure {
  /** What is measured, short: "status --all wall, 200 clusters vs shell loop". */
  measure: string;
  /** Our figure with its unit: "373 ms", "2 requests", "182 MB". */
  ours: string;
  /** The baseline's figure from the same run; undefined for absolute targets (RSS, request counts). */
  baseline?: string;
  /** ours ÷ baseline for time ratios, baseline ÷ ours for speed-ups (the target says which). */
  ratio?: number;
  /** "≤ 1.3×", "≥ 5× faster", "≤ 200 MB", "= baseline". */
  target: string;
  /** Against the target; undefined when it could not be judged. */
  pass?: boolean;
}

export interface BenchResult {
  measures: Measure[];
  /** One extra line under the table (scaled-down fixture, missing tool, …). */
  note?: string;
}

export interface Bench {
  /** The file's name without .ts, e.g. 'dump'. */
  name: string;
  /** One line: what against what. */
  title: string;
  run: (ctx: BenchContext) => Promise<BenchResult>;
}

export function defineBench(bench: Bench): Bench {
  return bench;
}

// ── Rows ────────────────────────────────────────────────────────────────────

export function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

/** ours ÷ baseline wall time, target ≤ atMost×. */
export function timeRatio(o: { measure: string; ours: number; baseline: number; atMost: number }): Measure {
  const ratio = o.ours / o.baseline;
  return { measure: o.measure, ours: fmtMs(o.ours), baseline: fmtMs(o.baseline), ratio, target: `≤ ${o.atMost}×`, pass: ratio <= o.atMost };
}

/** baseline ÷ ours wall time ("N× faster"), target ≥ atLeast×. */
export function speedup(o: { measure: string; ours: number; baseline: number; atLeast: number }): Measure {
  const ratio = o.baseline / o.ours;
  return {
    measure: o.measure,
    ours: fmtMs(o.ours),
    baseline: fmtMs(o.baseline),
    ratio,
    target: `≥ ${o.atLeast}× faster`,
    pass: ratio >= o.atLeast,
  };
}

/** An absolute figure with an upper bound: requests, MB of RSS. */
export function limit(o: { measure: string; value: number; unit: string; atMost: number; digits?: number }): Measure {
  return {
    measure: o.measure,
    ours: `${o.value.toFixed(o.digits ?? 0)} ${o.unit}`,
    target: `≤ ${o.atMost} ${o.unit}`,
    pass: Number.isFinite(o.value) && o.value <= o.atMost,
  };
}

/** A count that must equal the baseline's (files, objects). */
export function same(o: { measure: string; ours: number; baseline: number; unit: string }): Measure {
  return { measure: o.measure, ours: `${o.ours} ${o.unit}`, baseline: `${o.baseline} ${o.unit}`, target: '= baseline', pass: o.ours === o.baseline };
}

// ── Running things ──────────────────────────────────────────────────────────

export interface Timed {
  ms: number;
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command and times it; rejects with its stderr when it fails, unless allowFail. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { allowFail?: boolean; input?: string } = {}): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env, maxBuffer: 512 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (err && !opts.allowFail) return reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      resolve({ ms: performance.now() - started, stdout, stderr, code });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The API requests in a `-v 6` stderr (one `I GET …` line each). */
export function requestsIn(stderr: string): number {
  return stderr.split('\n').filter((l) => /^I (GET|POST|PUT|PATCH|DELETE) /.test(l)).length;
}

export interface SandboxBench {
  sb: SandboxInfo;
  /** kubectl's environment: the sandbox kubeconfig, dist/ first on PATH (so `kubectl hcp` is this build). */
  env: NodeJS.ProcessEnv;
  /** Synchronous kubectl against the sandbox, returning stdout. */
  kubectl: (args: string[], input?: string) => string;
}

/** The running sandbox (started if needed) and a kubectl bound to it. */
export async function sandboxBench(): Promise<SandboxBench> {
  const sb = await ensureSandbox();
  const env = { ...kubectlEnv(), KUBECONFIG: sb.kubeconfig, PATH: `${distDir}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  const kubectl = (args: string[], input?: string) => execFileSync(sb.kubectl, args, { env, input, encoding: 'utf8', maxBuffer: 512 << 20 });
  return { sb, env, kubectl };
}

/** Server-side applies objects 100 per request. */
export function applyAll(kubectl: SandboxBench['kubectl'], items: object[]): void {
  for (let i = 0; i < items.length; i += 100) {
    kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: items.slice(i, i + 100) }));
  }
}

export interface SampleCopies {
  /** clusters/sample as JSON. */
  sample: { apiVersion: string; spec: Record<string, unknown> & { pullSecret: { name: string } } };
  /** clusters/sample-us-east-1a as JSON. */
  pool: { apiVersion: string; spec: Record<string, unknown> };
  /** The namespace and the pull secret the copies refer to, to apply with them. */
  base: object[];
  /** sample's spec without clusterID and secretEncryption (which a copy must not share). */
  spec: (overrides: Record<string, unknown>) => Record<string, unknown>;
}

/** What copies of the sandbox's sample cluster need in `namespace` (status-all, pause-all). */
export function sampleCopies(kubectl: SandboxBench['kubectl'], namespace: string): SampleCopies {
  const sample = JSON.parse(kubectl(['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
  const pool = JSON.parse(kubectl(['get', 'nodepool', 'sample-us-east-1a', '-n', 'clusters', '-o', 'json']));
  const base = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: sample.spec.pullSecret.name, namespace },
      stringData: { '.dockerconfigjson': '{"auths":{}}' },
      type: 'kubernetes.io/dockerconfigjson',
    },
  ];
  const spec = (overrides: Record<string, unknown>) => {
    const s: Record<string, unknown> = { ...sample.spec, clusterID: undefined, ...overrides };
    delete s.secretEncryption;
    return s;
  };
  return { sample, pool, base, spec };
}

/** The names of `kind` in `namespace` (without the kind/ prefix). */
export function namesIn(kubectl: SandboxBench['kubectl'], kind: string, namespace: string): Set<string> {
  return new Set(
    kubectl(['get', kind, '-n', namespace, '-o', 'name', '--ignore-not-found'])
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((n) => n.split('/')[1]),
  );
}

// bench/pause-all: `kubectl hcp pause --all` then `resume --all` over 200 HostedClusters in the
// sandbox, against the shell loop an SRE would write (`kubectl patch` + `kubectl wait` per
// cluster, both ways), in the same run. Target: ≤ 0.2× the loop's wall time. Also reports the
// API requests the tool makes per cluster (from -v 6).
//
// The clusters carry the sandbox's control-plane-less annotation (scripts/sandbox/README.md), so
// that 200 unpaused clusters cost the simulator only a status update each loop.
// BENCH_PAUSE_CLUSTERS=N runs with fewer clusters (and says so in the summary).
import { execFile, execFileSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { ensureSandbox, kubectlEnv } from '../../scripts/sandbox/api.ts';
import { distDir, ensureBuilt } from '../../scripts/lib/dist.ts';
import type { BenchContext, BenchResult } from './run.ts';

const CLUSTERS = Number(process.env.BENCH_PAUSE_CLUSTERS ?? 200);
const NAMESPACE = 'bench-pause-all';
const NO_CONTROL_PLANE = 'sandbox.kubectl-hcp.dev/no-control-plane';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      resolve({ ms: performance.now() - started, stdout, stderr });
    });
  });
}

const requestsIn = (stderr: string) => stderr.split('\n').filter((l) => /^I (GET|POST|PUT|PATCH|DELETE) /.test(l)).length;

export default async function pauseAll({ log }: BenchContext): Promise<BenchResult> {
  ensureBuilt({ quiet: true });
  const sb = await ensureSandbox();
  const env = { ...kubectlEnv(), KUBECONFIG: sb.kubeconfig, PATH: `${distDir}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  const kubectl = (args: string[], input?: string) => execFileSync(sb.kubectl, args, { env, input, encoding: 'utf8', maxBuffer: 256 << 20 });
  const names = Array.from({ length: CLUSTERS }, (_, i) => `bench-${String(i).padStart(3, '0')}`);

  // Fixture: control-plane-less copies of the sample cluster, unpaused, without NodePools.
  const existing = new Set(
    kubectl(['get', 'hostedclusters', '-n', NAMESPACE, '-o', 'name', '--ignore-not-found'])
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((n) => n.split('/')[1]),
  );
  const missing = names.filter((n) => !existing.has(n));
  if (missing.length) {
    log(`creating ${missing.length} control-plane-less HostedClusters in ${NAMESPACE}`);
    kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }));
    const sample = JSON.parse(kubectl(['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
    const items: object[] = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: sample.spec.pullSecret.name, namespace: NAMESPACE },
        stringData: { '.dockerconfigjson': '{"auths":{}}' },
        type: 'kubernetes.io/dockerconfigjson',
      },
    ];
    for (const name of missing) {
      const spec = { ...sample.spec, clusterID: undefined, pausedUntil: undefined };
      delete spec.secretEncryption;
      items.push({
        apiVersion: sample.apiVersion,
        kind: 'HostedCluster',
        metadata: { name, namespace: NAMESPACE, annotations: { [NO_CONTROL_PLANE]: 'true' } },
        spec,
      });
    }
    for (let i = 0; i < items.length; i += 100) {
      kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: items.slice(i, i + 100) }));
    }
  }
  // Start from unpaused clusters whose operator reports ReconciliationActive=True.
  const settle = async () => {
    await run(sb.kubectl, ['patch', 'hostedclusters', ...names, '-n', NAMESPACE, '--type', 'merge', '-p', '{"spec":{"pausedUntil":null}}'], env);
    await run(sb.kubectl, ['wait', '--for=condition=ReconciliationActive=True', 'hostedclusters', '--all', '-n', NAMESPACE, '--timeout', '300s'], env);
  };
  await settle();

  // The tool: pause every cluster and wait for the operator, then resume them all (-v 6 counts requests).
  const pause = await run(sb.kubectl, ['hcp', 'pause', '--all', '-n', NAMESPACE, '-v', '6'], env);
  const paused = pause.stdout.split('\n').filter((l) => l.includes(' paused until resumed')).length;
  if (paused !== CLUSTERS)
    throw new Error(
      `pause --all reported ${paused} clusters paused, expected ${CLUSTERS}:\n${pause.stderr
        .split('\n')
        .filter((l) => !l.startsWith('I '))
        .slice(0, 20)
        .join('\n')}`,
    );
  const resume = await run(sb.kubectl, ['hcp', 'resume', '--all', '-n', NAMESPACE, '-v', '6'], env);
  const resumed = resume.stdout.split('\n').filter((l) => l.includes(' resumed')).length;
  if (resumed !== CLUSTERS) throw new Error(`resume --all reported ${resumed} clusters resumed, expected ${CLUSTERS}`);
  const toolMs = pause.ms + resume.ms;
  const perCluster = (requestsIn(pause.stderr) + requestsIn(resume.stderr)) / CLUSTERS;
  const warnings = (pause.stderr + resume.stderr).split('\n').filter((l) => l.startsWith('warning:')).length;
  log(
    `kubectl hcp pause --all ${pause.ms.toFixed(0)} ms + resume --all ${resume.ms.toFixed(0)} ms; ${perCluster.toFixed(1)} API requests per cluster (pause + resume); ${warnings} warnings`,
  );

  // What an SRE writes today: patch and wait, cluster by cluster, both ways.
  await settle();
  const loop = `for hc in ${names.join(' ')}; do
    "$KUBECTL" patch hostedcluster "$hc" -n ${NAMESPACE} --type merge -p '{"spec":{"pausedUntil":"true"}}' >/dev/null &&
    "$KUBECTL" wait --for=condition=ReconciliationActive=False hostedcluster/"$hc" -n ${NAMESPACE} --timeout 60s >/dev/null || exit 1
  done
  for hc in ${names.join(' ')}; do
    "$KUBECTL" patch hostedcluster "$hc" -n ${NAMESPACE} --type merge -p '{"spec":{"pausedUntil":null}}' >/dev/null &&
    "$KUBECTL" wait --for=condition=ReconciliationActive=True hostedcluster/"$hc" -n ${NAMESPACE} --timeout 60s >/dev/null || exit 1
  done`;
  const shell = await run('sh', ['-c', loop], { ...env, KUBECTL: sb.kubectl });
  log(`shell loop (kubectl patch + kubectl wait per cluster, both ways) ${shell.ms.toFixed(0)} ms`);

  const ratio = toolMs / shell.ms;
  const fewer = CLUSTERS < 200 ? ` [${CLUSTERS} clusters, not 200]` : '';
  return {
    summary: `pause+resume --all of ${CLUSTERS} clusters ${toolMs.toFixed(0)} ms vs shell loop ${shell.ms.toFixed(0)} ms = ${ratio.toFixed(3)}× (target ≤ 0.2×); ${perCluster.toFixed(1)} API requests per cluster${fewer}`,
    pass: ratio <= 0.2,
  };
}

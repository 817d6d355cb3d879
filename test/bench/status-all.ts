// bench/status-all: `kubectl hcp status --all` over 200 HostedClusters and 400 NodePools in the
// sandbox, against the shell loop an SRE would write (`kubectl get` per cluster). Reports the
// number of API requests the tool made (target ≤ 8, whatever the number of clusters) and the
// wall-time ratio (target ≤ 0.5×), both measured in this run.
import { execFile, execFileSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { ensureSandbox, kubectlEnv } from '../../scripts/sandbox/api.ts';
import { distDir, ensureBuilt } from '../../scripts/lib/dist.ts';
import type { BenchContext, BenchResult } from './run.ts';

const CLUSTERS = 200;
const NAMESPACE = 'bench-status-all';
const RUNS = 3;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      resolve({ ms: performance.now() - started, stdout, stderr });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function statusAll({ log }: BenchContext): Promise<BenchResult> {
  ensureBuilt({ quiet: true });
  const sb = await ensureSandbox();
  const env = { ...kubectlEnv(), KUBECONFIG: sb.kubeconfig, PATH: `${distDir}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  const kubectl = (args: string[], input?: string) => execFileSync(sb.kubectl, args, { env, input, encoding: 'utf8', maxBuffer: 256 << 20 });

  // Fixture: copies of the sample cluster, created paused so that the simulated operator leaves
  // them alone, each with two NodePools. Reused across runs.
  const have = Number(kubectl(['get', 'hostedclusters', '-n', NAMESPACE, '--no-headers', '--ignore-not-found']).trim().split('\n').filter(Boolean).length);
  if (have < CLUSTERS) {
    log(`creating ${CLUSTERS} HostedClusters and ${CLUSTERS * 2} NodePools in ${NAMESPACE}`);
    kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }));
    const sample = JSON.parse(kubectl(['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'json']));
    const pool = JSON.parse(kubectl(['get', 'nodepool', 'sample-us-east-1a', '-n', 'clusters', '-o', 'json']));
    const items: object[] = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: sample.spec.pullSecret.name, namespace: NAMESPACE },
        stringData: { '.dockerconfigjson': '{"auths":{}}' },
        type: 'kubernetes.io/dockerconfigjson',
      },
    ];
    for (let i = 0; i < CLUSTERS; i++) {
      const name = `bench-${String(i).padStart(3, '0')}`;
      const spec = { ...sample.spec, pausedUntil: 'true', clusterID: undefined };
      delete spec.secretEncryption;
      items.push({ apiVersion: sample.apiVersion, kind: 'HostedCluster', metadata: { name, namespace: NAMESPACE }, spec });
      for (const zone of ['a', 'b']) {
        items.push({
          apiVersion: pool.apiVersion,
          kind: 'NodePool',
          metadata: { name: `${name}-${zone}`, namespace: NAMESPACE },
          spec: { ...pool.spec, clusterName: name, replicas: 1, pausedUntil: 'true' },
        });
      }
    }
    for (let i = 0; i < items.length; i += 100) {
      kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: items.slice(i, i + 100) }));
    }
  }

  // Warm both paths once, then measure.
  const tool = ['hcp', 'status', '--all', '-n', NAMESPACE];
  const first = await run(sb.kubectl, [...tool, '-v', '6'], env);
  const requests = first.stderr.split('\n').filter((l) => /^I (GET|POST|PUT|PATCH|DELETE) /.test(l)).length;
  const rows = first.stdout.trim().split('\n').length - 1;
  if (rows !== CLUSTERS) throw new Error(`status --all listed ${rows} clusters, expected ${CLUSTERS}`);
  log(`status --all made ${requests} API requests for ${rows} clusters`);

  // What an SRE writes today: each cluster, then its NodePools.
  const loop = `for hc in $("$KUBECTL" get hostedclusters -n ${NAMESPACE} -o name); do "$KUBECTL" get "$hc" -n ${NAMESPACE}; "$KUBECTL" get nodepools -n ${NAMESPACE} | grep "\${hc##*/}-"; done >/dev/null`;
  const toolMs: number[] = [];
  const loopMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    toolMs.push((await run(sb.kubectl, tool, env)).ms);
    loopMs.push((await run('sh', ['-c', loop], { ...env, KUBECTL: sb.kubectl })).ms);
    log(`run ${i + 1}: kubectl hcp status --all ${toolMs[i].toFixed(0)} ms, shell loop ${loopMs[i].toFixed(0)} ms`);
  }
  const ratio = median(toolMs) / median(loopMs);
  const pass = requests <= 8 && ratio <= 0.5;
  return {
    summary: `${requests} API requests (target ≤ 8); median ${median(toolMs).toFixed(0)} ms vs shell loop ${median(loopMs).toFixed(0)} ms = ${ratio.toFixed(3)}× (target ≤ 0.5×)`,
    pass,
  };
}

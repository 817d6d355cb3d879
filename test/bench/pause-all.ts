// bench/pause-all: `kubectl hcp pause --all` then `resume --all` over 200 HostedClusters in the
// sandbox, against the shell loop an SRE would write (`kubectl patch` + `kubectl wait` per
// cluster, both ways), in the same run. Target: ≤ 0.2× the loop's wall time. Also reports the
// API requests the tool makes per cluster (from -v 6).
//
// The clusters carry the sandbox's control-plane-less annotation (scripts/sandbox/README.md), so
// that 200 unpaused clusters cost the simulator only a status update each loop.
// BENCH_PAUSE_CLUSTERS=N runs with fewer clusters (and says so in the summary).
import { ensureBuilt } from '../../scripts/lib/dist.ts';
import { applyAll, defineBench, namesIn, requestsIn, run, sampleCopies, sandboxBench, timeRatio } from './lib.ts';

const CLUSTERS = Number(process.env.BENCH_PAUSE_CLUSTERS ?? 200);
const NAMESPACE = 'bench-pause-all';
const NO_CONTROL_PLANE = 'sandbox.kubectl-hcp.dev/no-control-plane';

export default defineBench({
  name: 'pause-all',
  title: `pause --all + resume --all over ${CLUSTERS} clusters vs kubectl patch + wait per cluster`,
  async run({ log }) {
    ensureBuilt({ quiet: true });
    const { sb, env, kubectl } = await sandboxBench();
    const names = Array.from({ length: CLUSTERS }, (_, i) => `bench-${String(i).padStart(3, '0')}`);

    // Fixture: control-plane-less copies of the sample cluster, unpaused, without NodePools.
    const existing = namesIn(kubectl, 'hostedclusters', NAMESPACE);
    const missing = names.filter((n) => !existing.has(n));
    if (missing.length) {
      log(`creating ${missing.length} control-plane-less HostedClusters in ${NAMESPACE}`);
      const { sample, base, spec } = sampleCopies(kubectl, NAMESPACE);
      const items: object[] = [...base];
      for (const name of missing) {
        items.push({
          apiVersion: sample.apiVersion,
          kind: 'HostedCluster',
          metadata: { name, namespace: NAMESPACE, annotations: { [NO_CONTROL_PLANE]: 'true' } },
          spec: spec({ pausedUntil: undefined }),
        });
      }
      applyAll(kubectl, items);
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

    const fewer = CLUSTERS < 200 ? ` [${CLUSTERS} clusters, not 200]` : '';
    return {
      measures: [
        timeRatio({ measure: `pause+resume --all, ${CLUSTERS} clusters vs kubectl patch+wait loop`, ours: toolMs, baseline: shell.ms, atMost: 0.2 }),
        { measure: 'pause+resume API requests per cluster', ours: `${perCluster.toFixed(1)} requests`, target: '' },
      ],
      note: fewer ? `pause-all ran with${fewer}` : undefined,
    };
  },
});

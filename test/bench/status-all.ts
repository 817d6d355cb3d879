// bench/status-all: `kubectl hcp status --all` over 200 HostedClusters and 400 NodePools in the
// sandbox, against two baselines measured in the same run:
// - the shell loop an SRE would write (`kubectl get` per cluster): target ≤ 0.5× its wall time;
// - one `kubectl get hostedclusters,nodepools -n NS` (the least a reader can do; the tool also joins
//   conditions and versions): target ≤ 1.3× its wall time.
// Also the number of API requests the tool made (target ≤ 8, whatever the number of clusters).
import { ensureBuilt } from '../../scripts/lib/dist.ts';
import { applyAll, defineBench, limit, median, namesIn, requestsIn, run, sampleCopies, sandboxBench, timeRatio } from './lib.ts';

const CLUSTERS = 200;
const NAMESPACE = 'bench-status-all';
const RUNS = 3;

export default defineBench({
  name: 'status-all',
  title: `status --all over ${CLUSTERS} clusters vs a kubectl loop and one kubectl get`,
  async run({ log }) {
    ensureBuilt({ quiet: true });
    const { sb, env, kubectl } = await sandboxBench();

    // Fixture: copies of the sample cluster, created paused so that the simulated operator leaves
    // them alone, each with two NodePools. Reused across runs.
    if (namesIn(kubectl, 'hostedclusters', NAMESPACE).size < CLUSTERS) {
      log(`creating ${CLUSTERS} HostedClusters and ${CLUSTERS * 2} NodePools in ${NAMESPACE}`);
      const { sample, pool, base, spec } = sampleCopies(kubectl, NAMESPACE);
      const items: object[] = [...base];
      for (let i = 0; i < CLUSTERS; i++) {
        const name = `bench-${String(i).padStart(3, '0')}`;
        items.push({ apiVersion: sample.apiVersion, kind: 'HostedCluster', metadata: { name, namespace: NAMESPACE }, spec: spec({ pausedUntil: 'true' }) });
        for (const zone of ['a', 'b']) {
          items.push({
            apiVersion: pool.apiVersion,
            kind: 'NodePool',
            metadata: { name: `${name}-${zone}`, namespace: NAMESPACE },
            spec: { ...pool.spec, clusterName: name, replicas: 1, pausedUntil: 'true' },
          });
        }
      }
      applyAll(kubectl, items);
    }

    // Warm every path once (and count the tool's requests), then measure interleaved.
    const tool = ['hcp', 'status', '--all', '-n', NAMESPACE];
    const first = await run(sb.kubectl, [...tool, '-v', '6'], env);
    const requests = requestsIn(first.stderr);
    const rows = first.stdout.trim().split('\n').length - 1;
    if (rows !== CLUSTERS) throw new Error(`status --all listed ${rows} clusters, expected ${CLUSTERS}`);
    log(`status --all made ${requests} API requests for ${rows} clusters`);
    const oneGet = ['get', 'hostedclusters,nodepools', '-n', NAMESPACE];
    await run(sb.kubectl, oneGet, env);

    // What an SRE writes today: each cluster, then its NodePools.
    const loop = `for hc in $("$KUBECTL" get hostedclusters -n ${NAMESPACE} -o name); do "$KUBECTL" get "$hc" -n ${NAMESPACE}; "$KUBECTL" get nodepools -n ${NAMESPACE} | grep "\${hc##*/}-"; done >/dev/null`;
    const toolMs: number[] = [];
    const loopMs: number[] = [];
    const getMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      toolMs.push((await run(sb.kubectl, tool, env)).ms);
      getMs.push((await run(sb.kubectl, oneGet, env)).ms);
      loopMs.push((await run('sh', ['-c', loop], { ...env, KUBECTL: sb.kubectl })).ms);
      log(
        `run ${i + 1}: kubectl hcp status --all ${toolMs[i].toFixed(0)} ms, one kubectl get ${getMs[i].toFixed(0)} ms, shell loop ${loopMs[i].toFixed(0)} ms`,
      );
    }
    return {
      measures: [
        limit({ measure: `status --all API requests, ${CLUSTERS} clusters`, value: requests, unit: 'requests', atMost: 8 }),
        timeRatio({ measure: 'status --all vs kubectl get loop (median of 3)', ours: median(toolMs), baseline: median(loopMs), atMost: 0.5 }),
        timeRatio({ measure: 'status --all vs one kubectl get hc,np (median of 3)', ours: median(toolMs), baseline: median(getMs), atMost: 1.3 }),
      ],
    };
  },
});

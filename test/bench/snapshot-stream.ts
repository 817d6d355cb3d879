// bench/snapshot-stream (issue 8): a snapshot-sized file (1 GiB of random bytes by default) streamed
// out of a sandbox etcd pod by the product's streamOut (exec → sha256 on the way → file, verified
// against the pod's sha256sum) against `kubectl exec … -- cat FILE > file` in the same run, rounds
// alternating. Targets: throughput ≥ 0.9× kubectl's, peak RSS ≤ 150 MB (the file is never held
// in memory). HCP_BENCH_SNAPSHOT_MIB sets the size; HCP_BENCH_SNAPSHOT_BASELINE=0 skips kubectl
// (scripts/snapshot-stream-8g.sh streams 8 GiB that way and reports the peak RSS).
import { openSync, closeSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/lib/bundle.ts';
import { defineBench, limit, median, run, sandboxBench, type Measure } from './lib.ts';

const MIB = Number(process.env.HCP_BENCH_SNAPSHOT_MIB ?? 1024);
const BASELINE = process.env.HCP_BENCH_SNAPSHOT_BASELINE !== '0';
const ROUNDS = Number(process.env.HCP_BENCH_SNAPSHOT_ROUNDS ?? 3);
const NS = 'clusters-sample';
const POD = 'etcd-0';
const FILE = '/var/lib/kubectl-hcp-bench-stream.db';

export default defineBench({
  name: 'snapshot-stream',
  title: `a ${MIB} MiB file streamed out of an etcd pod (exec, sha256 on the way) vs kubectl exec … cat > file`,
  async run({ log }) {
    const { sb, env, kubectl } = await sandboxBench();
    const k = ['--context', 'mgmt-1'];
    const inPod = (script: string) => kubectl([...k, 'exec', '-n', NS, POD, '-c', 'etcd', '--', 'sh', '-c', script]);
    const dir = mkdtempSync(join(tmpdir(), 'bench-snapshot-'));
    try {
      log(`writing ${MIB} MiB of random bytes to ${FILE} in ${NS}/${POD}`);
      inPod(`head -c ${MIB * 1048576} /dev/urandom > ${FILE}`);
      const sha = inPod(`sha256sum ${FILE}`).split(/\s/)[0];
      const bytes = MIB * 1048576;

      // The child bundled as the binary is (esbuild, the product's options), not run from TypeScript.
      const child = join(dir, 'child.cjs');
      await build({ ...bundleOptions(child), entryPoints: ['test/bench/_snapshot-stream-child.ts'], write: true });
      const ours = async () => {
        const out = join(dir, 'ours');
        const r = await run(process.execPath, [child, sb.kubeconfig, 'mgmt-1', NS, POD, FILE, out, sha, String(bytes)], env);
        rmSync(out, { recursive: true, force: true });
        return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; bytes: number; maxRssMb: number; peakHeapMb: number };
      };
      const baseline = async () => {
        const out = join(dir, 'kubectl.db');
        const fd = openSync(out, 'w');
        const started = performance.now();
        const code = await new Promise<number | null>((resolve) => {
          const child = spawn(sb.kubectl, [...k, 'exec', '-n', NS, POD, '-c', 'etcd', '--', 'cat', FILE], { env, stdio: ['ignore', fd, 'inherit'] });
          child.on('close', resolve);
        });
        const ms = performance.now() - started;
        closeSync(fd);
        const size = statSync(out).size;
        rmSync(out, { force: true });
        if (code !== 0 || size !== bytes) throw new Error(`kubectl exec cat exited ${code} after ${size} of ${bytes} bytes`);
        return ms;
      };

      const oursMs: number[] = [];
      const baseMs: number[] = [];
      let rss = 0;
      let heap = 0;
      for (let i = 0; i < ROUNDS; i++) {
        if (BASELINE) {
          baseMs.push(await baseline());
          log(`round ${i + 1}: kubectl exec cat ${(baseMs.at(-1)! / 1000).toFixed(1)} s`);
        }
        const o = await ours();
        if (o.bytes !== bytes) throw new Error(`streamOut got ${o.bytes} of ${bytes} bytes`);
        oursMs.push(o.ms);
        rss = Math.max(rss, o.maxRssMb);
        heap = Math.max(heap, o.peakHeapMb);
        log(`round ${i + 1}: streamOut ${(o.ms / 1000).toFixed(1)} s, peak RSS ${o.maxRssMb.toFixed(0)} MB, peak heap ${o.peakHeapMb.toFixed(0)} MB`);
      }
      const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);
      const measures: Measure[] = [];
      if (BASELINE) {
        const ratio = mbps(median(oursMs)) / mbps(median(baseMs));
        measures.push({
          measure: `snapshot stream ${MIB} MiB, throughput vs kubectl exec cat (median of ${ROUNDS})`,
          ours: `${mbps(median(oursMs)).toFixed(0)} MB/s`,
          baseline: `${mbps(median(baseMs)).toFixed(0)} MB/s`,
          ratio,
          target: '≥ 0.9×',
          pass: ratio >= 0.9,
        });
      }
      measures.push(limit({ measure: `snapshot stream ${MIB} MiB, peak RSS`, value: rss, unit: 'MB', atMost: 150 }));
      return { measures, note: MIB === 1024 ? undefined : `${MIB} MiB, not the issue's 1 GiB${BASELINE ? '' : ', no baseline'}` };
    } finally {
      inPod(`rm -f ${FILE}`);
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

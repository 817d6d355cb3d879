// The streaming half of `etcd snapshot`, alone in a process so that its peak RSS is its own: the
// product's streamOut (src/etcd/snapshot.ts: `cat` over exec → sha256 → a .partial file, renamed
// only when the sha256 equals the pod's) through the product's kube client. Used by
// bench/snapshot-stream and scripts/snapshot-stream-8g.sh; prints one JSON line.
//
//   node test/bench/_snapshot-stream-child.ts KUBECONFIG CONTEXT NAMESPACE POD PATH OUT_DIR SHA256 SIZE
//
// The bench bundles it with the product's esbuild options first and runs the bundle, as the
// binary runs its own: Node's TypeScript stripping alone would add tens of MB to the peak RSS.
import { basename } from 'node:path';
import { etcdExec } from '../../src/etcd/observe.ts';
import { fileStore } from '../../src/etcd/sinks.ts';
import { streamOut } from '../../src/etcd/snapshot.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { resolveKubeconfig } from '../../src/kube/kubeconfig.ts';

async function main() {
  const [kubeconfig, context, namespace, pod, path, outDir, sha256, size] = process.argv.slice(2);
  const kube = new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig, context }, process.env), env: process.env });
  let peakHeap = 0;
  const started = performance.now();
  const r = await streamOut(
    etcdExec(kube, namespace),
    pod,
    path,
    fileStore({ kind: 'file', dir: outDir }),
    basename(path),
    {
      progress: () => {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      },
      now: () => new Date(),
    },
    sha256,
    Number(size),
  );
  const ms = performance.now() - started;
  // maxRSS is in kilobytes (getrusage).
  process.stdout.write(
    `${JSON.stringify({ ms, bytes: r.bytes, sha256: r.sha256, maxRssMb: process.resourceUsage().maxRSS / 1024, peakHeapMb: peakHeap / 1048576 })}\n`,
  );
  process.exit(0);
}
void main();

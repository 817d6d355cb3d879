// `npm run sandbox -- pods <namespace> <count> [--log-bytes N] [--prefix NAME] [--cluster mgmt-1|mgmt-2|guest]`
//
// Makes <count> extra Running pods (kwok: no processes) in a namespace, each with a container log
// of about N bytes that `kubectl logs` (current and --previous) returns: for benchmarks such as
// the dump of 5,000 pods across 200 namespaces. Economical: pods are bound to the kwok nodes
// directly (no scheduler), and every pod of one log size shares one CRI-format log file, served
// through a per-pod kwok `Logs` object. Re-running with the same arguments creates what is missing;
// delete the namespace to remove them.
import { mkdirSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../src/kube/client.ts';
import { isAlreadyExists } from '../../src/kube/errors.ts';
import { resolveKubeconfig } from '../../src/kube/kubeconfig.ts';
import { Resources as R, type ResourceType } from '../../src/kube/resources.ts';
import { paths } from './config.ts';

const Logs: ResourceType = { kind: 'Logs', group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'logs', namespaced: true };
export const podsUsage = 'usage: npm run sandbox -- pods <namespace> <count> [--log-bytes N] [--prefix NAME] [--cluster mgmt-1|mgmt-2|guest]';

/** A CRI-format log whose content is about `bytes` bytes (one shared file per size). */
export function bulkLogFile(bytes: number): string {
  mkdirSync(paths.podLogs, { recursive: true });
  const file = join(paths.podLogs, `bulk-${bytes}.log`);
  if (existsSync(file) && statSync(file).size > bytes) return file;
  const lines: string[] = [];
  let size = 0;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; size < bytes || i === 0; i++) {
    // N counts what `kubectl logs` returns (the content, without the CRI prefix).
    const content = `I${String(i).padStart(8, '0')} sandbox bulk pod log line ${'x'.repeat(40)}\n`;
    lines.push(`${new Date(t0 + i * 1000).toISOString()} stdout F ${content}`);
    size += content.length;
  }
  writeFileSync(file, lines.join(''));
  return file;
}

export async function podsCommand(args: string[]): Promise<number> {
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args.splice(i, 2)[1] ?? '') : dflt;
  };
  const bytes = Number(opt('--log-bytes', '4096'));
  const prefix = opt('--prefix', 'bulk');
  const cluster = opt('--cluster', 'mgmt-1');
  const [ns, countArg] = args;
  const count = Number(countArg);
  if (
    !ns ||
    !/^[a-z0-9-]{1,63}$/.test(ns) ||
    !Number.isInteger(count) ||
    count < 0 ||
    !Number.isInteger(bytes) ||
    bytes < 0 ||
    !/^[a-z0-9-]{1,40}$/.test(prefix) ||
    !/^(mgmt-[12]|guest)$/.test(cluster)
  ) {
    process.stderr.write(`${podsUsage}\n`);
    return 2;
  }
  const kubeconfig =
    cluster === 'guest'
      ? resolveKubeconfig({ kubeconfig: paths.guestKubeconfig }, {})
      : resolveKubeconfig({ kubeconfig: paths.kubeconfig, context: cluster }, {});
  const kube = new KubeClient({ kubeconfig, env: {}, timeoutMs: 60_000 });
  const create = async (rt: ResourceType, n: string | undefined, body: object) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await kube.create(rt, n, body);
        return;
      } catch (err) {
        if (isAlreadyExists(err)) return;
        // A new namespace gets its default service account from the controller-manager a moment later.
        if (attempt < 100 && /service ?account/i.test((err as Error).message)) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        throw err;
      }
    }
  };
  await create(R.Namespace, undefined, { metadata: { name: ns } });
  const nodes = (await kube.list<{ metadata: { name: string } }>(R.Node)).items.map((n) => n.metadata.name).sort();
  if (!nodes.length) throw new Error(`no nodes in ${cluster}`);
  const logFile = bulkLogFile(bytes);
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const name = `${prefix}-${i}`;
      await create(R.Pod, ns, {
        metadata: { name, namespace: ns, labels: { app: prefix, 'hcp-sandbox/bulk': 'true' } },
        spec: {
          nodeName: nodes[i % nodes.length],
          automountServiceAccountToken: false,
          containers: [{ name: 'app', image: 'registry.sandbox.example/bulk:1' }],
          terminationGracePeriodSeconds: 0,
        },
      });
      await create(Logs, ns, {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'Logs',
        metadata: { name, namespace: ns },
        spec: { logs: [{ logsFile: logFile, previousLogsFile: logFile }] },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  process.stdout.write(
    `${count} pods ${prefix}-0..${count - 1} in ${cluster}/${ns} with ${bytes}-byte logs (${logFile}) in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`,
  );
  return 0;
}

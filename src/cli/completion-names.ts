/**
 * The names shell completion offers, read from the cluster of the line being completed (its
 * --kubeconfig, --context, -n…): one short list request each, with a short timeout and no retries,
 * since a shell is waiting. Failures reject; completion.ts turns them into no candidates.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { NameSource, Target } from './completion.ts';
import { parseGoDuration } from '../util/duration.ts';

/** One request of a completion: a shell should not wait longer (kubectl's own completions wait on the server the same way). */
export const COMPLETION_REQUEST_TIMEOUT_MS = 3_000;

export function clusterNames(target: Target, env: NodeJS.ProcessEnv): NameSource {
  let client: Promise<import('../kube/client.ts').KubeClient> | undefined;
  const kube = () => {
    client ??= (async () => {
      const { resolveKubeconfig } = await import('../kube/kubeconfig.ts');
      const { KubeClient } = await import('../kube/client.ts');
      const kubeconfig = resolveKubeconfig(
        { kubeconfig: target.kubeconfig, context: target.context, cluster: target.cluster, user: target.user, namespace: target.namespace },
        env,
      );
      const given = target.requestTimeout
        ? parseGoDuration(/^\d+$/.test(target.requestTimeout) ? `${target.requestTimeout}s` : target.requestTimeout, '--request-timeout')
        : 0;
      return new KubeClient({
        kubeconfig,
        env,
        impersonate: target.as || target.asGroups.length ? { user: target.as, groups: target.asGroups } : undefined,
        timeoutMs: given > 0 ? Math.min(given, COMPLETION_REQUEST_TIMEOUT_MS) : COMPLETION_REQUEST_TIMEOUT_MS,
        retryDelaysMs: [],
        // An exec credential plugin must not prompt in the middle of a completion.
        terminal: { stdin: undefined, stdinIsTTY: false, stderr: new PassThrough() },
      });
    })();
    return client;
  };
  const list = async (rt: keyof typeof import('../kube/resources.ts').Resources, opts: { namespace?: string; labelSelector?: string }) => {
    const { Resources } = await import('../kube/resources.ts');
    const items = (await (await kube()).list(Resources[rt], { ...opts, limit: 500 })).items;
    return items.map((o) => o.metadata.name).sort();
  };
  return {
    hostedClusters: (namespace) => list('HostedCluster', { namespace }),
    nodePools: (namespace) => list('NodePool', { namespace }),
    etcdPods: async (namespace, hostedCluster) => {
      const { controlPlaneNamespace } = await import('../hostedcluster/types.ts');
      const { ETCD_LABEL } = await import('../etcd/etcdctl.ts');
      return list('Pod', { namespace: controlPlaneNamespace(namespace, hostedCluster), labelSelector: ETCD_LABEL });
    },
    namespaces: () => list('Namespace', {}),
    contexts: async () => {
      const { kubeconfigPaths, mergeKubeconfigs, parseKubeconfigYaml } = await import('../kube/kubeconfig.ts');
      const docs = kubeconfigPaths(target.kubeconfig, env).flatMap((path) => {
        try {
          return [{ path, doc: parseKubeconfigYaml(readFileSync(path, 'utf8'), path) }];
        } catch {
          return [];
        }
      });
      return mergeKubeconfigs(docs)
        .contexts.map((c) => c.name)
        .sort();
    },
  };
}

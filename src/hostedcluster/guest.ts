/**
 * A client for the hosted (guest) cluster, from the admin kubeconfig HyperShift stores in secret
 * `<hc>-admin-kubeconfig` (key `kubeconfig`), referenced by `HostedCluster.status.kubeconfig`.
 * The kubeconfig is parsed in memory and never written to disk.
 */
import type { Impersonation, KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';
import { mergeKubeconfigs, parseKubeconfigYaml, selectContext, type ResolvedKubeconfig } from '../kube/kubeconfig.ts';
import type { HostedCluster } from './types.ts';
import { readFileSync } from 'node:fs';
import { UsageError } from '../util/errors.ts';

export const GUEST_KUBECONFIG_KEY = 'kubeconfig';

export function guestKubeconfigSecretName(hc: HostedCluster): string {
  return hc.status?.kubeconfig?.name ?? `${hc.metadata.name}-admin-kubeconfig`;
}

/**
 * Parses kubeconfig text from a secret into the form the KubeClient takes. Pure. Errors never quote
 * the text (it holds the cluster's admin credentials).
 */
export function parseGuestKubeconfig(text: string, source: string): ResolvedKubeconfig {
  const raw = mergeKubeconfigs([{ path: source, doc: parseKubeconfigYaml(text, source) }]);
  return selectContext(raw, {}, [source]);
}

/**
 * `--guest-kubeconfig FILE` of the dr commands, read and parsed while the inputs are checked: a file
 * that is missing, unreadable or not a kubeconfig is an input error (exit 2, no request sent), as for
 * any other file flag.
 */
export function readGuestKubeconfigFile(path: string): ResolvedKubeconfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--guest-kubeconfig ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseGuestKubeconfig(text, path);
}

export interface GuestAccess {
  secret: string;
  client?: KubeClient;
  /** Why there is no client: no secret, no key, or an unusable kubeconfig. */
  problem?: string;
}

/** The guest client, or the reason there is none (never throws for a missing secret). */
export async function guestClient(
  kube: KubeClient,
  hc: HostedCluster,
  env: NodeJS.ProcessEnv,
  timeoutMs?: number,
  impersonate?: Impersonation,
): Promise<GuestAccess> {
  const ns = hc.metadata.namespace!;
  const secret = guestKubeconfigSecretName(hc);
  const where = `secret ${ns}/${secret}`;
  const obj = await kube.getOrNull<KubeObject & { data?: Record<string, string> }>(Resources.Secret, ns, secret);
  if (!obj) return { secret: where, problem: `${where} not found` };
  const data = obj.data?.[GUEST_KUBECONFIG_KEY];
  if (!data) return { secret: where, problem: `${where} has no key ${GUEST_KUBECONFIG_KEY}` };
  try {
    const kubeconfig = parseGuestKubeconfig(Buffer.from(data, 'base64').toString('utf8'), where);
    const { KubeClient } = await import('../kube/client.ts');
    return { secret: where, client: new KubeClient({ kubeconfig, env, timeoutMs, impersonate }) };
  } catch (err) {
    // The first line only: whatever the error, nothing after it may quote the kubeconfig.
    return { secret: where, problem: `${where}: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * The etcd writers (kube-apiserver, openshift-apiserver, …) a snapshot, restore or DR fence scales to 0.
 *
 * Pausing a HostedCluster does not stop a reconcile already under way: upstream's controllers read
 * pausedUntil at the start of Reconcile (support/util/pausereconcile.go, hostedcontrolplane_controller.go),
 * so one that began just before the pause can scale a writer back to its desired count after our scale-down.
 * Every wait for the writers to stop therefore scales such a writer to 0 again, so it converges instead of
 * waiting on a count that a controller keeps at 1.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';

type Scalable = KubeObject & { spec?: { replicas?: number }; status?: { replicas?: number } };

/** The writers still running ("name count"); one scaled back up is scaled to 0 again, with a warning. */
export async function runningWriters(kube: KubeClient, ns: string, names: string[], warn: (m: string) => void): Promise<string[]> {
  const left: string[] = [];
  for (const n of names) {
    const d = await kube.getOrNull<Scalable>(Resources.Deployment, ns, n);
    if ((d?.spec?.replicas ?? 0) > 0) {
      warn(`${n} was scaled back to ${d!.spec!.replicas} (a controller had not seen the pause yet): scaling it to 0 again`);
      await kube.scale(Resources.Deployment, ns, n, 0);
    }
    if ((d?.status?.replicas ?? 0) > 0) left.push(`${n} ${d!.status!.replicas}`);
  }
  return left;
}

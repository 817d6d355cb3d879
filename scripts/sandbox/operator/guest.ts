// The guest cluster's DaemonSet controller (the guest API server runs no controller-manager):
// one pod per Node for every DaemonSet in openshift-ovn-kubernetes, so a deleted ovnkube-node
// pod comes back and a new Node gets one, as kube-controller-manager's DaemonSet controller
// (pkg/controller/daemon) would do. Pods whose Node is gone are deleted; matching pods without a
// controller are adopted. Run by one management cluster's simulator only (mgmt-1).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KubeClient } from '../../../src/kube/client.ts';
import { isAlreadyExists, isNotFound } from '../../../src/kube/errors.ts';
import { resolveKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Resources as R, type ResourceType } from '../../../src/kube/resources.ts';
import { type Ctx, log, type Obj } from './shared.ts';

const DaemonSet: ResourceType = { kind: 'DaemonSet', group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true };
const NAMESPACE = 'openshift-ovn-kubernetes';

export class GuestDaemonSets {
  private readonly ctx: Ctx;
  private client?: KubeClient;
  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  async reconcile(): Promise<void> {
    this.client ??= new KubeClient({
      kubeconfig: resolveKubeconfig({ kubeconfig: join(this.ctx.cfg.workDir, 'guest.kubeconfig') }, {}),
      env: {},
      timeoutMs: 30_000,
    });
    const g = this.client;
    const [dss, pods, nodes] = await Promise.all([
      g.list<Obj>(DaemonSet, { namespace: NAMESPACE }),
      g.list<Obj>(R.Pod, { namespace: NAMESPACE }),
      g.list<Obj>(R.Node),
    ]);
    const nodeNames = new Set(nodes.items.map((n) => n.metadata.name));
    for (const ds of dss.items) {
      const sel = (ds.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
      const matches = (p: Obj) => Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v);
      const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true };
      const mine: Obj[] = [];
      for (const p of pods.items) {
        if (!matches(p)) continue;
        // A pod whose Node is gone has no kubelet (kwok) to finish its deletion: remove it at once.
        if (p.metadata.deletionTimestamp) {
          if (!nodeNames.has(p.spec?.nodeName)) await forceDelete(g, p.metadata.name);
          continue;
        }
        const refs = (p.metadata.ownerReferences ?? []) as { uid: string; controller?: boolean }[];
        if (refs.some((r) => r.controller && r.uid !== ds.metadata.uid)) continue;
        if (!refs.some((r) => r.uid === ds.metadata.uid)) {
          await g.patch(R.Pod, NAMESPACE, p.metadata.name, { metadata: { ownerReferences: [...refs, owner] } }, 'merge');
        }
        mine.push(p);
      }
      // Pods on Nodes that are gone go; every Node gets exactly one pod.
      const byNode = new Map<string, Obj>();
      for (const p of mine) {
        const node = p.spec?.nodeName as string | undefined;
        if (!node || !nodeNames.has(node) || byNode.has(node)) {
          if (!node || !nodeNames.has(node)) await forceDelete(g, p.metadata.name);
          else
            try {
              await g.delete(R.Pod, NAMESPACE, p.metadata.name);
            } catch (err) {
              if (!isNotFound(err)) throw err;
            }
          continue;
        }
        byNode.set(node, p);
      }
      for (const node of nodeNames) {
        if (byNode.has(node)) continue;
        const name = `${ds.metadata.name}-${randomBytes(3).toString('hex').slice(0, 5)}`;
        const tpl = ds.spec?.template ?? {};
        try {
          await g.create(R.Pod, NAMESPACE, {
            metadata: { name, namespace: NAMESPACE, labels: tpl.metadata?.labels ?? sel, annotations: tpl.metadata?.annotations, ownerReferences: [owner] },
            spec: { ...tpl.spec, nodeName: node },
          });
          log(`guest: DaemonSet ${NAMESPACE}/${ds.metadata.name} made pod ${name} on ${node}`);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
      }
      const ready = mine.filter((p) =>
        (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      const status = {
        desiredNumberScheduled: nodeNames.size,
        currentNumberScheduled: byNode.size,
        numberReady: ready,
        numberAvailable: ready,
        numberMisscheduled: 0,
        updatedNumberScheduled: byNode.size,
        observedGeneration: ds.metadata.generation,
      };
      if (JSON.stringify(Object.entries(status).map(([k, v]) => ds.status?.[k] === v)) !== JSON.stringify(Object.keys(status).map(() => true))) {
        await g.patch(DaemonSet, NAMESPACE, ds.metadata.name, { status }, 'merge', { subresource: 'status' }).catch(() => undefined);
      }
    }
  }
}

/** kubectl delete --grace-period=0 --force: for pods no kubelet will ever finish deleting. */
async function forceDelete(g: KubeClient, name: string): Promise<void> {
  await g
    .request({
      method: 'DELETE',
      path: `/api/v1/namespaces/${NAMESPACE}/pods/${name}`,
      body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 },
    })
    .catch(() => undefined);
}

/**
 * The deletion steps `kubectl hcp delete` and `dr teardown` share (issue 9; docs 4.2 and 8.4.5).
 *
 * Two ways to make a hosted cluster go:
 * - `planOperatorDeletion`: delete the HostedCluster and let the HyperShift operator tear it down
 *   (hostedcluster_controller.go delete(): NodePools, the HostedControlPlane, the control-plane
 *   namespace, then the finalizer), waiting for each to be gone with the objects left as progress.
 *   This is `delete`: the operator also removes what it made in the cloud for the cluster.
 * - `planForcedDeletion`: the docs' 8.4.5 teardown of a source whose cluster now runs elsewhere.
 *   Every object's finalizers are removed before it is deleted, so that no controller deletes the
 *   cloud resources (instances, DNS records, OIDC documents) the destination now uses. The order is
 *   the docs': NodePools, Machines, MachineSets, the CAPI Cluster, AWSMachines, the
 *   HostedControlPlane and its namespace, the HostedCluster and its namespace.
 *
 * Upstream's HostedCluster and NodePool controllers add their finalizer again before they look at
 * pausedUntil (hostedcluster_controller.go reconcile: AddFinalizer, then IsReconciliationPaused),
 * so one "remove finalizers, then delete" pass can lose a race with them: each forced step loops
 * (remove what finalizers it finds, delete what is not yet deleting) until the list is empty or its
 * time is up. In --dry-run=server each step makes one pass (its writes carry dryRun=All) and returns.
 *
 * Interface:
 *   const inv = await observeInventory(kube, ns, name)                  // src/deletion/observe.ts
 *   const deadline = sharedDeadline(timeoutMs)                          // one budget for every wait
 *   plan.steps.push(...planForcedDeletion(inv, { deadline }))           // dr teardown
 *   plan.steps.push(...planOperatorDeletion(inv, { deadline }))         // delete
 * Step ids: delete-<kind> (forced), delete-hostedcluster and wait-<what>-gone (operator).
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject, type ResourceType } from '../kube/resources.ts';
import { hcRef } from '../hostedcluster/lookup.ts';
import type { Step, StepContext } from '../plan/plan.ts';
import { formatDuration } from '../util/duration.ts';
import { RuntimeError } from '../util/errors.ts';
import { CONTROL_PLANE_KINDS, finalizerNote, nodePoolsOf, type ClusterInventory } from './observe.ts';

/** The time left of one budget shared by every wait of a plan; it starts at the first wait. */
export type Deadline = (ctx: StepContext) => number;

export function sharedDeadline(totalMs: number): Deadline {
  let start: number | undefined;
  return (ctx) => {
    start ??= ctx.clock.now();
    return Math.max(0, totalMs - (ctx.clock.now() - start));
  };
}

const POLL_MS = 2000;

interface Listed {
  resource: ResourceType;
  namespace?: string;
  obj: KubeObject;
}

const finalizersOf = (o: KubeObject): string[] => (o.metadata as { finalizers?: string[] }).finalizers ?? [];
const nameList = (items: Listed[]) =>
  items
    .slice(0, 5)
    .map((i) => `${i.obj.metadata.name}${finalizerNote(i.obj)}`)
    .join(', ') + (items.length > 5 ? `, and ${items.length - 5} more` : '');

/** One pass: strip finalizers (forced only), delete what is not yet deleting. Not-found counts as done. */
async function deletePass(kube: KubeClient, items: Listed[], force: boolean): Promise<void> {
  for (const { resource, namespace, obj } of items) {
    const name = obj.metadata.name;
    try {
      if (force && finalizersOf(obj).length) await kube.patch(resource, namespace, name, { metadata: { finalizers: null } }, 'merge');
      if (!obj.metadata.deletionTimestamp) await kube.delete(resource, namespace, name, { propagationPolicy: 'Background' });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }
}

interface GoneSpec {
  id: string;
  title: string;
  /** Plural noun for messages: "NodePools", "Machines". */
  what: string;
  details: string[];
  list: (kube: KubeClient) => Promise<Listed[]>;
  /** Remove finalizers and delete (forced), or only wait (the operator deletes). */
  mode: 'force' | 'delete' | 'wait';
  deadline: Deadline;
  destructive?: boolean;
  /** What is left when it times out. */
  state: string;
}

/** A step that deletes (or waits for) what `list` returns until nothing is left, within the shared deadline. */
function goneStep(spec: GoneSpec): Step {
  return {
    id: spec.id,
    title: spec.title,
    destructive: spec.destructive,
    details: spec.details,
    serverDryRun: spec.mode === 'wait' ? 'skip' : 'run',
    isDone: async (ctx) => (await spec.list(ctx.kube)).length === 0,
    run: async (ctx) => {
      if (ctx.dryRun === 'server') {
        if (spec.mode !== 'wait') await deletePass(ctx.kube, await spec.list(ctx.kube), spec.mode === 'force');
        return;
      }
      for (;;) {
        const left = await spec.list(ctx.kube);
        if (!left.length) return;
        const remaining = spec.deadline(ctx);
        if (remaining <= 0) {
          throw new RuntimeError(`${left.length} ${spec.what} still there: ${nameList(left)}`, { state: spec.state });
        }
        if (spec.mode !== 'wait') await deletePass(ctx.kube, left, spec.mode === 'force');
        ctx.progress(`${left.length} ${spec.what} left: ${nameList(left)} (${formatDuration(remaining)} left to wait)`);
        await ctx.clock.sleep(Math.min(POLL_MS, remaining));
      }
    },
  };
}

const listIn = (resource: ResourceType, namespace: string, filter: (o: KubeObject) => boolean = () => true) => {
  return async (kube: KubeClient): Promise<Listed[]> =>
    ((await kube.listIfServed(resource, { namespace }))?.items ?? []).filter(filter).map((obj) => ({ resource, namespace, obj }));
};
const nodePoolList = (inv: ClusterInventory) => async (kube: KubeClient) =>
  nodePoolsOf((await kube.list(Resources.NodePool, { namespace: inv.namespace })).items as never, inv.name).map((obj) => ({
    resource: Resources.NodePool,
    namespace: inv.namespace,
    obj: obj as KubeObject,
  }));
const oneObject = (resource: ResourceType, namespace: string | undefined, name: string) => async (kube: KubeClient) => {
  const obj = await kube.getOrNull(resource, namespace, name);
  return obj ? [{ resource, namespace, obj }] : [];
};

/**
 * The docs' 8.4.5 steps 2–7: finalizers removed and everything deleted, kind by kind, each kind
 * gone before the next. The HostedCluster's namespace goes too, as in the docs, but only when no
 * other HostedCluster lives in it (the docs' script would delete them all; a warning says so).
 */
export function planForcedDeletion(inv: ClusterInventory, opts: { deadline: Deadline }): { steps: Step[]; warnings: string[] } {
  const cpns = inv.controlPlaneNamespace;
  const state = 'the hosted cluster is partly deleted on this management cluster; run the same command again to finish';
  const steps: Step[] = [];
  const warnings: string[] = [];
  const base = { mode: 'force' as const, deadline: opts.deadline, state, destructive: true };
  const names = (items: KubeObject[]) => `${items.length}: ${items.map((o) => o.metadata.name).join(', ')}`;
  if (inv.nodePools.length)
    steps.push(
      goneStep({
        ...base,
        id: 'delete-nodepools',
        title: `Remove finalizers and delete the NodePools of ${inv.namespace}/${inv.name} (${names(inv.nodePools)})`,
        what: 'NodePools',
        details: ['the nodes stay: only the NodePool objects go (their controller cannot delete the machines once the finalizers are gone)'],
        list: nodePoolList(inv),
      }),
    );
  for (const kind of CONTROL_PLANE_KINDS) {
    const items = inv.controlPlane[kind.key];
    if (!items.length) continue;
    steps.push(
      goneStep({
        ...base,
        id: `delete-${kind.resource.plural}`,
        title: `Remove finalizers and delete the ${kind.resource.kind}s in ${cpns} (${names(items)})`,
        what: `${kind.resource.kind}s`,
        details:
          kind.resource === Resources.AWSMachine
            ? ['docs 8.4.5 step 5: only the Kubernetes objects go; the EC2 instances are not affected']
            : [`one list call per pass; each object's finalizers removed before it is deleted`],
        list: listIn(kind.resource, cpns),
      }),
    );
  }
  if (inv.controlPlaneNamespaceExists)
    steps.push(
      goneStep({
        ...base,
        id: 'delete-control-plane-namespace',
        title: `Delete the control-plane namespace ${cpns} and wait until it is gone`,
        what: 'namespaces',
        mode: 'delete',
        details: ['every pod, secret and volume claim of the old control plane goes with it'],
        list: oneObject(Resources.Namespace, undefined, cpns),
      }),
    );
  if (inv.hostedCluster)
    steps.push(
      goneStep({
        ...base,
        id: 'delete-hostedcluster',
        title: `Remove finalizers and delete HostedCluster ${inv.namespace}/${inv.name}`,
        what: 'HostedClusters',
        details: ['its finalizer is removed first, so the operator does not tear down what the destination now uses'],
        list: oneObject(Resources.HostedCluster, inv.namespace, inv.name),
      }),
    );
  if (inv.otherHostedClusters.length) {
    warnings.push(
      `namespace ${inv.namespace} is kept: other HostedClusters live in it (${inv.otherHostedClusters.join(', ')}); the docs' script would delete them too`,
    );
  } else {
    steps.push(
      goneStep({
        ...base,
        id: 'delete-hostedcluster-namespace',
        title: `Delete namespace ${inv.namespace} (no other HostedCluster lives in it) and wait until it is gone`,
        what: 'namespaces',
        mode: 'delete',
        details: ["docs 8.4.5 step 7; the cluster's secrets in it go too"],
        list: oneObject(Resources.Namespace, undefined, inv.namespace),
      }),
    );
  }
  return { steps, warnings };
}

/**
 * `delete`: the HostedCluster is deleted and the operator does the rest; the steps wait for its
 * NodePools, its control-plane namespace and its finalizer, within one shared deadline.
 */
export function planOperatorDeletion(inv: ClusterInventory, opts: { deadline: Deadline; timeoutMs: number }): Step[] {
  const { namespace, name, controlPlaneNamespace: cpns } = inv;
  const state = `HostedCluster ${namespace}/${name} is being deleted: the operator goes on in the background; run the same command again to keep waiting`;
  const wait = { mode: 'wait' as const, deadline: opts.deadline, state };
  const hc = inv.hostedCluster;
  const steps: Step[] = [];
  if (hc && !hc.metadata.deletionTimestamp) {
    steps.push({
      id: 'delete-hostedcluster',
      title: `Delete HostedCluster ${namespace}/${name}`,
      destructive: true,
      changes: [{ op: 'delete', ref: hcRef(hc), propagationPolicy: 'Background' }],
      details: [`the operator deletes its ${inv.nodePools.length} NodePools, their machines and the control plane in ${cpns}`],
      isDone: async (ctx) => {
        const now = await ctx.kube.getOrNull(Resources.HostedCluster, namespace, name);
        return !now || Boolean(now.metadata.deletionTimestamp);
      },
    });
  }
  const waitDetails = (what: string) => [`waits for ${what}, sharing one budget of ${formatDuration(opts.timeoutMs)} (--wait-timeout) with the other waits`];
  steps.push(
    goneStep({
      ...wait,
      id: 'wait-nodepools-gone',
      title: `Wait for the NodePools of ${namespace}/${name} to be deleted`,
      what: 'NodePools',
      details: waitDetails('every NodePool with spec.clusterName of this cluster to go'),
      list: nodePoolList(inv),
    }),
    goneStep({
      ...wait,
      id: 'wait-control-plane-namespace-gone',
      title: `Wait for the control-plane namespace ${cpns} to be deleted`,
      what: 'namespaces',
      details: waitDetails('the control plane to go'),
      list: oneObject(Resources.Namespace, undefined, cpns),
    }),
    goneStep({
      ...wait,
      id: 'wait-hostedcluster-gone',
      title: `Wait for HostedCluster ${namespace}/${name} to go (its finalizer removed)`,
      what: 'HostedClusters',
      details: waitDetails('the operator to remove its finalizer'),
      list: oneObject(Resources.HostedCluster, namespace, name),
    }),
  );
  return steps;
}

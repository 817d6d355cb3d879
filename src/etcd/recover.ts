/**
 * `etcd recover NAME etcd-N`: docs 8.1.2 (delete the failing member's PVC and pod, let the
 * statefulset bring it back empty, it rejoins), made safe with the interlocks of upstream's own
 * automatic recovery (etcd-recovery/etcdrecovery.go checkEtcdStatus and isRecoverableMemberHealth;
 * hypershift-operator hostedcluster/etcd_recovery.go) and proven afterwards: every member healthy,
 * member N back with a new ID, and its keyspace hash equal to the others'.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject, type ObjectRef } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import type { Blocker, Plan } from '../plan/plan.ts';
import { controlPlaneNamespace, type HostedCluster } from '../hostedcluster/types.ts';
import { OPERATOR_DEPLOYMENT } from '../hostedcluster/operator.ts';
import { interpretPausedUntil } from '../hostedcluster/paused-until.ts';
import { formatDuration } from '../util/duration.ts';
import { summarizeEtcd, podView, type EtcdHealthView, type Pod } from './health.ts';
import { observeEtcd } from './observe.ts';

export const MEMBER_NAME = /^etcd-(\d+)$/;

export interface RecoverInputs {
  hc: HostedCluster;
  member: string;
  view: EtcdHealthView;
  pvcExists: boolean;
  /** The operator runs with ENABLE_ETCD_RECOVERY=1 (upstream hypershift-operator main.go). */
  autoRecoveryEnabled: boolean;
  force: boolean;
  manual: boolean;
  now: Date;
  waitMs: number;
}

/**
 * Whether upstream's automatic recovery will act on this cluster now: enabled, Managed etcd, HA,
 * reconciliation not paused, no Job yet, at least three pods and exactly one whose etcd container
 * waits after a restart (findFailingEtcdPod).
 */
export function operatorWillRecover(i: Pick<RecoverInputs, 'hc' | 'view' | 'autoRecoveryEnabled' | 'now'>): string | undefined {
  if (!i.autoRecoveryEnabled) return undefined;
  if ((i.hc.spec.etcd?.managementType ?? 'Managed') !== 'Managed' || i.hc.spec.controllerAvailabilityPolicy !== 'HighlyAvailable') return undefined;
  if (interpretPausedUntil(i.hc.spec.pausedUntil, i.now).paused) return undefined;
  const pods = i.view.members.map((m) => m.pod).filter((p) => p !== null);
  if (pods.length < 3) return undefined;
  return pods.find((p) => p.crashLooping)?.name;
}

export function planEtcdRecover(i: RecoverInputs): Plan {
  const { view, member } = i;
  const cpns = view.controlPlaneNamespace;
  const target = `etcd member ${member} of HostedCluster ${i.hc.metadata.namespace}/${i.hc.metadata.name}`;
  const blockers: Blocker[] = [];
  const m = view.members.find((x) => x.name === member);
  const failing = view.members.filter((x) => !x.healthy);
  const others = failing.filter((x) => x.name !== member);

  if (i.hc.spec.controllerAvailabilityPolicy !== 'HighlyAvailable') {
    blockers.push({
      message: `the cluster is ${i.hc.spec.controllerAvailabilityPolicy ?? 'SingleReplica'}, not HighlyAvailable: its only member cannot rejoin a quorum; restore a snapshot instead (kubectl hcp etcd restore)`,
    });
  }
  if (!m) {
    blockers.push({ message: `${member} is not a member of this cluster (members: ${view.members.map((x) => x.name).join(', ') || 'none'})` });
  } else if (m.healthy && !i.force) {
    blockers.push({
      message: `${member} is not failing (pod ${m.pod ? `${m.pod.ready} ${m.pod.status}` : 'missing'}, endpoint healthy, in the member list)`,
      override: '--force',
    });
  }
  if (others.length) {
    blockers.push({
      message: `${others.map((x) => `${x.name} (${x.problems.join(', ')})`).join(' and ')} ${others.length > 1 ? 'are' : 'is'} failing too: with ${failing.length} of ${view.members.length} members down, quorum is lost and no member can rejoin; restore a snapshot instead (kubectl hcp etcd restore)`,
    });
  }
  if (!view.askedPod) blockers.push({ message: `no healthy etcd member answered (${view.errors[0] ?? 'no pod to ask'}): quorum cannot be confirmed` });
  if (view.rollingOut) blockers.push({ message: 'statefulset etcd is mid-rollout (currentRevision differs from updateRevision); wait until it finishes' });
  if (view.recoveryJob?.state === 'running') {
    blockers.push({
      message: `Job ${view.recoveryJob.name} of the operator's automatic recovery is running${view.recoveryJob.startTime ? ` (started ${view.recoveryJob.startTime})` : ''}: wait for it (kubectl hcp etcd status ${i.hc.metadata.name})`,
    });
  }
  const auto = operatorWillRecover(i);
  if (auto && !view.recoveryJob && !i.manual) {
    blockers.push({
      message: `the operator's automatic etcd recovery is enabled (ENABLE_ETCD_RECOVERY=1) and will recover ${auto} itself with Job etcd-recovery: wait for it (watch kubectl hcp etcd status ${i.hc.metadata.name})`,
      override: '--manual',
    });
  }
  if (!i.pvcExists) blockers.push({ message: `PVC ${cpns}/data-${member} does not exist: nothing to recreate; check the statefulset's volumeClaimTemplates` });

  const pvc: ObjectRef = { resource: Resources.PersistentVolumeClaim, namespace: cpns, name: `data-${member}` };
  const pod: ObjectRef = { resource: Resources.Pod, namespace: cpns, name: member };
  const oldId = m?.id;
  const waitText = formatDuration(i.waitMs);
  const plan: Plan = {
    operation: 'etcd recover',
    target,
    blockers,
    warnings: m && m.healthy && i.force ? [`${member} looks healthy; --force recovers it anyway (its data is discarded and copied again from the leader)`] : [],
    journal: false,
    steps: [
      {
        id: 'delete-pvc-and-pod',
        title: `Delete PVC data-${member} and pod ${member} (not waiting for either)`,
        destructive: true,
        details: [`the statefulset recreates ${member} with an empty volume; the member re-registers itself and copies the data from the leader`],
        run: async (ctx) => {
          const current = await ctx.kube.getOrNull<Pod>(Resources.Pod, cpns, member);
          // The PVC first: its protection finalizer holds it until the pod is gone, then both go.
          await ctx.kube.delete(pvc.resource, cpns, pvc.name, { dryRun: ctx.dryRun === 'server' });
          await ctx.kube.delete(pod.resource, cpns, pod.name, { dryRun: ctx.dryRun === 'server' });
          return { deletedPodUid: current?.metadata.uid, startedAt: ctx.now().toISOString() };
        },
        serverDryRun: 'run',
      },
      {
        id: 'wait-pod',
        title: `Wait for a new pod ${member} to be 2/2 Ready`,
        details: [`up to ${waitText}`],
        run: async (ctx) => {
          const oldPodUid = ctx.artifacts.deletedPodUid as string | undefined;
          const r = await waitFor(
            `a new ${member} 2/2 Ready`,
            async () => {
              const p = await ctx.kube.getOrNull<Pod>(Resources.Pod, cpns, member);
              if (!p) return { done: false, message: 'no pod yet' };
              const v = podView(p);
              const fresh = p.metadata.uid !== oldPodUid;
              return {
                done: fresh && v.etcdReady && v.ready.split('/')[0] === v.ready.split('/')[1],
                message: `${fresh ? 'new' : 'old'} pod ${v.ready} ${v.status}`,
              };
            },
            { timeoutMs: i.waitMs, intervalMs: 1000, onProgress: ctx.progress },
          );
          if (r.timedOut) throw new Error(`${member} did not come back within ${waitText} (${r.message})`);
        },
      },
      {
        id: 'verify-members',
        title: `Verify: every member healthy, ${member} back with a new ID, equal keyspace hashes`,
        details: ['etcdctl endpoint health --cluster, member list, endpoint hashkv at one common revision'],
        run: async (ctx) => {
          let last: EtcdHealthView | undefined;
          const r = await waitFor(
            'every member healthy with equal hashes',
            async () => {
              last = summarizeEtcd(await observeEtcd(ctx.kube, i.hc));
              const back = last.members.find((x) => x.name === member);
              const newId = !!back?.id && back.id !== oldId;
              const ok = last.healthyCount === last.members.length && newId && last.diverging.length === 0 && last.hashRevision !== undefined;
              return {
                done: ok,
                message: `${last.healthyCount}/${last.members.length} healthy${newId ? '' : `, ${member} ID not new yet`}${last.diverging.length ? `, hash differs on ${last.diverging.join(', ')}` : ''}`,
              };
            },
            { timeoutMs: i.waitMs, intervalMs: 2000, onProgress: ctx.progress },
          );
          if (r.timedOut) throw new Error(`etcd did not become healthy within ${waitText}: ${r.message}`);
          const back = last!.members.find((x) => x.name === member)!;
          const started = Date.parse(String(ctx.artifacts.startedAt ?? ctx.now().toISOString()));
          return { oldMemberId: oldId ?? null, newMemberId: back.id, hashRevision: last!.hashRevision, hash: back.hash, tookMs: ctx.now().getTime() - started };
        },
      },
    ],
  };
  return plan;
}

type EnvVar = { name: string; value?: string };
interface OperatorPod extends KubeObject {
  spec?: { containers?: { name: string; env?: EnvVar[] }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

interface Deployment extends KubeObject {
  spec?: { template?: { spec?: { containers?: { name: string; env?: { name: string; value?: string }[] }[] } } };
}

export async function observeRecover(kube: KubeClient, hc: HostedCluster, member: string, hypershiftNamespace: string) {
  const cpns = controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name);
  const [observed, pvc, operator, operatorPods] = await Promise.all([
    observeEtcd(kube, hc),
    kube.getOrNull(Resources.PersistentVolumeClaim, cpns, `data-${member}`),
    kube.getOrNull<Deployment>(Resources.Deployment, hypershiftNamespace, OPERATOR_DEPLOYMENT),
    kube.list<OperatorPod>(Resources.Pod, { namespace: hypershiftNamespace, labelSelector: `name=${OPERATOR_DEPLOYMENT}` }).catch(() => ({ items: [] })),
  ]);
  // upstream main.go reads ENABLE_ETCD_RECOVERY at start: the running (oldest ready) operator pod
  // tells what the operator does now; the Deployment, what its next pods will do.
  const running = operatorPods.items
    .filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))[0];
  const containers = running?.spec?.containers ?? operator?.spec?.template?.spec?.containers ?? [];
  const env = containers.flatMap((c) => c.env ?? []);
  return {
    view: summarizeEtcd(observed),
    pvcExists: pvc !== null,
    autoRecoveryEnabled: env.some((e) => e.name === 'ENABLE_ETCD_RECOVERY' && e.value === '1'),
  };
}

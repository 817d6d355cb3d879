// Automatic etcd member recovery, as the HyperShift operator does it:
// - the HostedCluster controller (hypershift-operator/controllers/hostedcluster/etcd_recovery.go
//   reconcileETCDMemberRecovery, called from hostedcluster_controller.go only when the operator
//   runs with ENABLE_ETCD_RECOVERY=1 (main.go), etcd is Managed and the cluster HighlyAvailable,
//   and only in the unpaused part of the reconcile) creates the Job `etcd-recovery` (with its Role,
//   ServiceAccount and RoleBinding) when an etcd pod's `etcd` container is waiting after a restart,
//   and reports condition EtcdRecoveryActive;
// - the Job's pod runs `hypershift-operator recover-etcd run` (etcd-recovery/etcdrecovery.go
//   runRecovery): it checks the member list and health, refuses when more than one member fails or
//   the StatefulSet is mid-update, adds a missing member, deletes the failing member's pod and PVC
//   and waits (30 s polls, at most 5 minutes) for a healthy cluster.
// Here the Job's pod is run by the simulator (kwok leaves annotated pods to it), with the same
// decisions, and its log (JSON lines like upstream's zap logger) is served by kwok.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isAlreadyExists, isNotFound } from '../../../src/kube/errors.ts';
import { Resources as R, type ResourceType } from '../../../src/kube/resources.ts';
import { CriLog, type EtcdCluster } from '../hosted-etcd/etcd.ts';
import type { EtcdController } from './etcd.ts';
import { type Cond, type Ctx, FIELD_MANAGER, log, nowRFC3339, type Obj, STATUS_ANNOTATION } from './shared.ts';
import { pausedState } from './paused.ts';

const Role: ResourceType = { kind: 'Role', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true };
const RoleBinding: ResourceType = { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', namespaced: true };
export const RECOVERY_NAME = 'etcd-recovery';
/** Sandbox only: seconds between the Job's health polls (upstream 30, waitForHealthyCluster). */
export const RECOVERY_POLL_ANNOTATION = 'sandbox.kubectl-hcp.dev/etcd-recovery-poll-seconds';

interface JobRun {
  done?: { code: number; at: string };
  startedAt: string;
}

export class EtcdRecovery {
  private readonly ctx: Ctx;
  private readonly etcd: EtcdController;
  /** EtcdRecoveryActive per HostedCluster key, as last set (setEtcdRecoveryCondition). */
  private readonly conds = new Map<string, Cond>();
  /** Job pods being run, by pod uid. */
  private readonly runs = new Map<string, JobRun>();

  constructor(ctx: Ctx, etcd: EtcdController) {
    this.ctx = ctx;
    this.etcd = etcd;
  }

  conditions(key: string): Cond[] {
    const c = this.conds.get(key);
    return c ? [c] : [];
  }

  isJobPod(pod: Obj): boolean {
    return pod.metadata.labels?.['job-name'] === RECOVERY_NAME && pod.metadata.annotations?.[STATUS_ANNOTATION] !== undefined;
  }

  logDir(pod: Obj): string {
    return join(this.ctx.dir, 'job-logs', pod.metadata.namespace!, pod.metadata.name);
  }

  /**
   * ENABLE_ETCD_RECOVERY is read at process start (hypershift-operator/main.go): the env of the
   * running operator pod that started first (the leader), not the Deployment's current spec.
   */
  private enabled(pods: Obj[]): boolean {
    const ops = pods
      .filter(
        (p) =>
          p.metadata.namespace === this.ctx.cfg.operatorNamespace &&
          p.metadata.labels?.name === 'operator' &&
          !p.metadata.deletionTimestamp &&
          (p.status?.conditions ?? []).some((c: Cond) => c.type === 'Ready' && c.status === 'True'),
      )
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    const c = (ops[0]?.spec?.containers ?? []).find((x: { name: string }) => x.name === 'operator') ?? ops[0]?.spec?.containers?.[0];
    return (c?.env ?? []).some((e: { name: string; value?: string }) => e.name === 'ENABLE_ETCD_RECOVERY' && e.value === '1');
  }

  async reconcile(hcs: Obj[], hcByCpns: Map<string, Obj>, pods: Obj[], jobs: Obj[], stss: Obj[]): Promise<void> {
    // Job pods run wherever they are (the Job outlives a change of the gates).
    for (const pod of pods) {
      if (!this.isJobPod(pod) || pod.metadata.deletionTimestamp) continue;
      await this.jobPod(pod, hcByCpns.get(pod.metadata.namespace!), pods, stss).catch((err: Error) =>
        log(`etcd recovery pod ${pod.metadata.namespace}/${pod.metadata.name}: ${err.message}`),
      );
    }
    const enabled = this.enabled(pods);
    for (const hc of hcs) {
      const key = `${hc.metadata.namespace}/${hc.metadata.name}`;
      const had = (hc.status?.conditions ?? []).find((c: Cond) => c.type === 'EtcdRecoveryActive');
      if (had && !this.conds.has(key)) this.conds.set(key, had);
      const cpns = `${hc.metadata.namespace}-${hc.metadata.name.replace(/\./g, '-')}`;
      if (!enabled || hc.metadata.deletionTimestamp || pausedState(hc.spec?.pausedUntil).paused) continue;
      if ((hc.spec?.etcd?.managementType ?? 'Managed') !== 'Managed' || hc.spec?.controllerAvailabilityPolicy !== 'HighlyAvailable') continue;
      try {
        await this.reconcileCluster(
          hc,
          key,
          cpns,
          pods,
          jobs.find((j) => j.metadata.namespace === cpns && j.metadata.name === RECOVERY_NAME),
          stss.find((s) => s.metadata.namespace === cpns && s.metadata.name === 'etcd'),
        );
      } catch (err) {
        log(`etcd recovery ${key}: ${(err as Error).message}`);
      }
    }
    for (const key of [...this.conds.keys()]) if (!hcs.some((hc) => `${hc.metadata.namespace}/${hc.metadata.name}` === key)) this.conds.delete(key);
  }

  private setCondition(hc: Obj, key: string, status: string, reason: string, message: string): void {
    const old = this.conds.get(key);
    // Updated only when the status or the reason changes (setEtcdRecoveryCondition).
    if (old && old.status === status && old.reason === reason) return;
    this.conds.set(key, {
      type: 'EtcdRecoveryActive',
      status,
      reason,
      message,
      observedGeneration: hc.metadata.generation as number,
      lastTransitionTime: nowRFC3339(),
    });
    log(`etcd recovery ${key}: EtcdRecoveryActive=${status} ${reason}: ${message}`);
  }

  /** reconcileETCDMemberRecovery. */
  private async reconcileCluster(hc: Obj, key: string, cpns: string, pods: Obj[], job: Obj | undefined, sts: Obj | undefined): Promise<void> {
    if (job) {
      const jc = (t: string) => (job.status?.conditions ?? []).some((c: Cond) => c.type === t && c.status === 'True');
      const finished = jc('Complete') || jc('Failed');
      if (!finished) return; // "waiting for etcd recovery job to complete"
      if (!jc('Complete')) {
        if (sts && isEtcdStatefulSetHealthy(sts)) {
          await this.cleanup(cpns);
          this.setCondition(hc, key, 'False', 'AsExpected', 'Etcd recovered despite failed recovery job.');
          return;
        }
        this.setCondition(hc, key, 'False', 'EtcdRecoveryJobFailed', 'Error in Etcd Recovery job: the Etcd cluster requires manual intervention.');
        return; // no requeue: the cluster needs manual intervention
      }
      await this.cleanup(cpns);
      this.setCondition(hc, key, 'False', 'AsExpected', 'Etcd recovery job succeeded.');
      // falls through to detectAndTriggerEtcdRecovery
    }
    if (!sts) return;
    const fullyAvailable = isEtcdStatefulSetHealthy(sts);
    const etcdPods = pods.filter((p) => p.metadata.namespace === cpns && p.metadata.labels?.app === 'etcd');
    // findFailingEtcdPod: needs at least 3 pods; a pod whose etcd container waits after a restart.
    const failing =
      etcdPods.length < 3
        ? undefined
        : etcdPods.find((p) =>
            (p.status?.containerStatuses ?? []).some(
              (s: { name: string; state?: { waiting?: object }; restartCount?: number }) => s.name === 'etcd' && s.state?.waiting && (s.restartCount ?? 0) > 0,
            ),
          );
    if (!failing) {
      if (fullyAvailable && this.conds.get(key)?.reason === 'EtcdRecoveryJobFailed')
        this.setCondition(hc, key, 'False', 'AsExpected', 'Etcd cluster is healthy.');
      return;
    }
    if (job) return; // the finished Job is being deleted (background propagation); a new one comes next pass
    log(`etcd recovery ${key}: ${failing.metadata.name} is failing, triggering recovery job`);
    await this.createResources(hc, cpns);
    this.setCondition(hc, key, 'True', 'AsExpected', 'Etcd recovery job in progress.');
  }

  private async createResources(hc: Obj, cpns: string): Promise<void> {
    const create = async (rt: ResourceType, body: Obj) => {
      try {
        await this.ctx.kube.create(rt, cpns, body, { fieldManager: FIELD_MANAGER });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    };
    const meta = { name: RECOVERY_NAME, namespace: cpns };
    await create(Role, {
      metadata: meta,
      rules: [
        { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims'], verbs: ['get', 'list', 'delete'] },
        { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list'] },
      ],
    } as Obj);
    await create(R.ServiceAccount, { metadata: meta, imagePullSecrets: [{ name: 'pull-secret' }] } as Obj);
    await create(RoleBinding, {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: RECOVERY_NAME },
      subjects: [{ kind: 'ServiceAccount', name: RECOVERY_NAME, namespace: cpns }],
    } as Obj);
    const opDeploy = await this.ctx.kube.getOrNull<Obj>(R.Deployment, this.ctx.cfg.operatorNamespace, 'operator');
    const image = opDeploy?.spec?.template?.spec?.containers?.[0]?.image ?? 'quay.io/hypershift/hypershift-operator:latest';
    await create(R.Job, {
      metadata: {
        ...meta,
        labels: {
          app: RECOVERY_NAME,
          'hypershift.openshift.io/cluster-name': hc.metadata.name,
          'hypershift.openshift.io/cluster-namespace': hc.metadata.namespace!,
        },
      },
      spec: {
        completions: 1,
        backoffLimit: 10,
        template: {
          // The annotation leaves the pod to the simulator, which runs the recovery (kwok would complete it at once).
          metadata: { labels: { 'hypershift.openshift.io/need-management-kas-access': 'true' }, annotations: { [STATUS_ANNOTATION]: 'simulator' } },
          spec: {
            containers: [
              {
                name: RECOVERY_NAME,
                image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/usr/bin/hypershift-operator', 'recover-etcd'],
                args: [
                  'run',
                  '--etcd-ca-cert',
                  '/etc/etcd/tls/etcd-ca/ca.crt',
                  '--etcd-client-cert',
                  '/etc/etcd/tls/client/etcd-client.crt',
                  '--etcd-client-key',
                  '/etc/etcd/tls/client/etcd-client.key',
                  '--namespace',
                  '$(NAMESPACE)',
                ],
                env: [{ name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
                volumeMounts: [
                  { mountPath: '/etc/etcd/tls/client', name: 'client-tls' },
                  { mountPath: '/etc/etcd/tls/etcd-ca', name: 'etcd-ca' },
                ],
              },
            ],
            restartPolicy: 'Never',
            serviceAccountName: RECOVERY_NAME,
            volumes: [
              { name: 'client-tls', secret: { secretName: 'etcd-client-tls', defaultMode: 420 } },
              { name: 'etcd-ca', configMap: { name: 'etcd-ca', defaultMode: 420 } },
            ],
          },
        },
      },
    } as Obj);
  }

  /** cleanupEtcdRecoveryObjects. */
  private async cleanup(cpns: string): Promise<void> {
    for (const rt of [R.Job, R.ServiceAccount, RoleBinding, Role]) {
      try {
        await this.ctx.del(rt, cpns, RECOVERY_NAME);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // ------------------------------------------------------------------ the Job's pod (etcdrecovery.go)

  private async jobPod(pod: Obj, hc: Obj | undefined, pods: Obj[], stss: Obj[]): Promise<void> {
    const uid = pod.metadata.uid!;
    const run = this.runs.get(uid);
    if (!run) {
      if (!pod.spec?.nodeName || ['Succeeded', 'Failed'].includes(pod.status?.phase)) return;
      const r: JobRun = { startedAt: nowRFC3339() };
      this.runs.set(uid, r);
      await this.podStatus(pod, r);
      const key = hc ? `${hc.metadata.namespace}/${hc.metadata.name}` : '';
      const cluster = this.etcd.cluster(key);
      const dir = this.logDir(pod);
      mkdirSync(dir, { recursive: true });
      const logFile = new CriLog(join(dir, `${RECOVERY_NAME}.log`));
      const pollMs = 1000 * Number(hc?.metadata.annotations?.[RECOVERY_POLL_ANNOTATION] ?? 30);
      void this.runRecovery(pod.metadata.namespace!, cluster, logFile, pollMs)
        .then((code) => {
          r.done = { code, at: nowRFC3339() };
        })
        .catch((err: Error) => {
          logFile.line('stderr', zap('error', 'Error occurred', { error: err.message }));
          r.done = { code: 1, at: nowRFC3339() };
        })
        .finally(() => void logFile.end());
      return;
    }
    if (run.done && !['Succeeded', 'Failed'].includes(pod.status?.phase)) {
      await this.podStatus(pod, run);
      setTimeout(() => this.runs.delete(uid), 60_000);
    }
    void pods;
    void stss;
  }

  private async podStatus(pod: Obj, r: JobRun): Promise<void> {
    const c = pod.spec.containers[0];
    const done = r.done;
    const phase = !done ? 'Running' : done.code === 0 ? 'Succeeded' : 'Failed';
    const state = !done
      ? { running: { startedAt: r.startedAt } }
      : { terminated: { exitCode: done.code, reason: done.code === 0 ? 'Completed' : 'Error', startedAt: r.startedAt, finishedAt: done.at } };
    const now = nowRFC3339();
    await this.ctx.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, {
      phase,
      startTime: r.startedAt,
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      conditions: [
        { type: 'PodReadyToStartContainers', status: done ? 'False' : 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: r.startedAt },
        { type: 'Ready', status: done ? 'False' : 'True', lastTransitionTime: now, ...(done ? { reason: 'PodCompleted' } : {}) },
        { type: 'ContainersReady', status: done ? 'False' : 'True', lastTransitionTime: now, ...(done ? { reason: 'PodCompleted' } : {}) },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: r.startedAt },
      ],
      containerStatuses: [{ name: c.name, image: c.image, imageID: '', ready: !done, started: !done, restartCount: 0, state }],
    });
  }

  /** runRecovery; resolves to the process exit code. */
  private async runRecovery(ns: string, cluster: EtcdCluster | undefined, out: CriLog, pollMs: number): Promise<number> {
    const info = (msg: string, kv: Record<string, unknown> = {}) => out.line('stderr', zap('info', msg, kv));
    if (!cluster) throw new Error(`no etcd cluster in namespace ${ns}`);
    const status = await this.status(ns, cluster, info);
    if (!isRecoverable(status)) throw new Error('etcd cluster does not have a recoverable status');
    if (!isUnhealthy(status)) return 0;
    // recoverEtcd
    info('Recovering etcd cluster', { namespace: ns });
    if (status.missingMember) {
      info('Adding missing member back to cluster', { member: status.missingMember });
      const add = await cluster.etcdctl(
        ['member', 'add', status.missingMember, `--peer-urls=https://${status.missingMember}.etcd-discovery.${ns}.svc:2380`],
        this.healthyMembers(cluster),
      );
      if (add.code !== 0) throw new Error(add.stderr.trim());
    }
    const member = memberToRecover(status);
    info('Removing etcd pod and corresponding pvc of broken member', { member });
    info('Deleting pvc', { pvc: `${ns}/data-${member}` });
    await this.ctx.kube.delete(R.PersistentVolumeClaim, ns, `data-${member}`).catch((err: Error) => info('failed to delete pvc', { error: err.message }));
    info('Deleting pod', { pod: `${ns}/${member}` });
    await this.ctx.kube.delete(R.Pod, ns, member).catch((err: Error) => info('failed to delete pod', { error: err.message }));
    info('Etcd recovery actions completed');
    // waitForHealthyCluster: 30 s polls (not immediate), at most 5 minutes; a status error ends it.
    info('Waiting for etcd cluster to become healthy');
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (Date.now() > deadline) throw new Error('context deadline exceeded');
      const s = await this.status(ns, cluster, info);
      if (!isUnhealthy(s)) {
        info('Cluster is healthy');
        info('Successfully completed cluster recovery');
        return 0;
      }
    }
  }

  private healthyMembers(cluster: EtcdCluster): number[] {
    return [0, 1, 2].filter((n) => cluster.phase(n).kind === 'healthy');
  }

  /** checkEtcdStatus (throws where upstream returns an error). */
  private async status(ns: string, cluster: EtcdCluster, info: (m: string, kv?: Record<string, unknown>) => void): Promise<EtcdStatus> {
    info('Checking etcd status');
    const result: EtcdStatus = { recoverable: true };
    info('Fetching etcd member list');
    // The client dials https://etcd-client.<ns>.svc:2379: the ready members.
    const via = this.healthyMembers(cluster);
    if (!via.length) throw new Error('context deadline exceeded');
    const list = await cluster.etcdctl(['member', 'list', '-w', 'json'], via);
    if (list.code !== 0) throw new Error(list.stderr.trim());
    const members = (JSON.parse(list.stdout.replace(/"(ID|cluster_id|member_id)":(\d+)/g, '"$1":"$2"')).members ?? []) as {
      name?: string;
      clientURLs?: string[];
    }[];
    switch (members.length) {
      case 0:
        throw new Error('no members were returned from etcd');
      case 1:
        throw new Error('cluster only has 1 member, cannot be recovered');
      case 2:
        result.missingMember = ['etcd-0', 'etcd-1', 'etcd-2'].find((m) => !members.some((x) => x.name === m));
        info('Etcd cluster only has 2 members', { 'missing member': result.missingMember ?? '' });
        break;
      default:
        info('Etcd cluster has 3 members');
    }
    const health: Record<string, boolean> = {};
    for (const m of members) {
      if ((m.clientURLs ?? []).length !== 1)
        throw new Error(`member ${m.name ?? ''} does not have an expected client URL: [${(m.clientURLs ?? []).join(' ')}]`);
      const n = Number(/etcd-(\d+)\./.exec(m.clientURLs![0])?.[1] ?? -1);
      info('Checking endpoint health', { name: m.name, url: m.clientURLs![0] });
      health[m.name ?? ''] = n >= 0 && (await cluster.health(n, 5000));
    }
    const values = Object.values(health);
    result.recoverable = values.length === 2 ? values.every(Boolean) : values.length === 3 ? values.filter((h) => !h).length <= 1 : false;
    if (!result.recoverable) return result;
    const sts = await this.ctx.kube.getOrNull<Obj>(R.StatefulSet, ns, 'etcd');
    if (!sts) throw new Error('failed to get etcd statefulset');
    if (sts.status?.currentRevision !== sts.status?.updateRevision) throw new Error('etcd statefulset is updating, cannot perform recovery');
    const pods = (await this.ctx.kube.list<Obj>(R.Pod, { namespace: ns, labelSelector: 'app=etcd' })).items;
    const failing = pods.filter((p) =>
      (p.status?.containerStatuses ?? []).some(
        (s: { name: string; state?: { waiting?: object }; restartCount?: number }) => s.name === 'etcd' && s.state?.waiting && (s.restartCount ?? 0) > 0,
      ),
    );
    for (const p of pods) info(failing.includes(p) ? 'pod is unhealthy' : 'pod is healthy', { pod: `${ns}/${p.metadata.name}` });
    if (failing.length === 1) result.failingPod = failing[0].metadata.name;
    else if (failing.length > 1) {
      result.recoverable = false;
      info('More than one failing pod was found. Etcd cluster is not recoverable', { pods: failing.map((p) => p.metadata.name).join(',') });
    }
    return result;
  }
}

interface EtcdStatus {
  failingPod?: string;
  missingMember?: string;
  recoverable: boolean;
}
const isUnhealthy = (s: EtcdStatus) => !!s.missingMember || !!s.failingPod;
function isRecoverable(s: EtcdStatus): boolean {
  if (s.failingPod && s.missingMember && s.failingPod !== s.missingMember) return false;
  return s.recoverable;
}
const memberToRecover = (s: EtcdStatus) => (!isRecoverable(s) ? '' : (s.failingPod ?? s.missingMember ?? ''));

/** isEtcdStatefulSetHealthy (etcd_recovery.go). */
export function isEtcdStatefulSetHealthy(sts: Obj): boolean {
  const want = sts.spec?.replicas;
  return want !== undefined && (sts.status?.readyReplicas ?? 0) === want && (sts.status?.availableReplicas ?? 0) === want;
}

/** A log line as upstream's zap JSON encoder writes it (RFC3339 time, logger etcd-recovery). */
function zap(level: string, msg: string, kv: Record<string, unknown> = {}): string {
  return JSON.stringify({ level, ts: nowRFC3339(), logger: 'etcd-recovery', msg, ...kv });
}

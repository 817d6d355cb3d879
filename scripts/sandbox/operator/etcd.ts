// The hosted etcd of each HostedCluster: the StatefulSet `etcd`, its services, and one real etcd
// member process per `etcd-N` pod (hosted-etcd/etcd.ts), with the kubelet's part for those pods
// (init containers, container status, graceful deletion, logs). Upstream: the control-plane-
// operator's etcd component (control-plane-operator/controllers/hostedcontrolplane/v2/etcd/
// statefulset.go, v2/assets/etcd/statefulset.yaml, v2/etcd/etcd-init.sh) and the HCP controller's
// restore status (hostedcontrolplane_controller.go etcdRestoredCondition). Member recovery (the
// `etcd-recovery` Job) is in etcd-recovery.ts.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlreadyExists, isConflict, isNotFound } from '../../../src/kube/errors.ts';
import { Resources as R, type ResourceType } from '../../../src/kube/resources.ts';
import { EtcdCluster, INIT_CONTAINERS, backoffMs, type MemberPhase } from '../hosted-etcd/etcd.ts';
import { podExecObject, preparePod } from '../hosted-etcd/podfs.ts';
import { EtcdRecovery } from './etcd-recovery.ts';
import {
  type Cond,
  type Ctx,
  Exec,
  type Existing,
  FIELD_MANAGER,
  log,
  MANAGED,
  mergeConditions,
  nowRFC3339,
  type Obj,
  runningPodStatus,
  STATUS_ANNOTATION,
} from './shared.ts';
import type { Storage } from './storage.ts';

export const Logs: ResourceType = { kind: 'Logs', group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'logs', namespaced: true };
const POD_LOGS_LABEL = 'hcp-sandbox/pod-logs';

/** The etcd pod template's containers (names and order kept stable: tools and docs rely on them). */
export const ETCD_CONTAINERS = ['etcd', 'etcd-metrics'];

export class EtcdController {
  private readonly ctx: Ctx;
  private readonly storage: Storage;
  readonly clusters = new Map<string, EtcdCluster>();
  readonly recovery: EtcdRecovery;
  /** Pods whose deletion is in progress (their member process is being stopped). */
  private readonly terminating = new Set<string>();

  constructor(ctx: Ctx, storage: Storage) {
    this.ctx = ctx;
    this.storage = storage;
    this.recovery = new EtcdRecovery(ctx, this);
  }

  cluster(key: string): EtcdCluster | undefined {
    return this.clusters.get(key);
  }

  stopAll(): Promise<void> {
    return Promise.all([...this.clusters.values()].map((c) => c.stopAll())).then(() => undefined);
  }

  /**
   * The hosted etcd (PKI, member processes) exists once the control plane does; a paused
   * HostedCluster that never had one (e.g. the benchmark's 200 paused copies) costs nothing.
   */
  ensureCluster(hc: Obj, cpns: string, size: number, paused: boolean, ex: Existing): EtcdCluster | undefined {
    const key = `${hc.metadata.namespace}/${hc.metadata.name}`;
    let etcd = this.clusters.get(key);
    if (!etcd && (!paused || ex.sts.has(`${cpns}/etcd`))) {
      const idx = this.ctx.allocate('clusters', key);
      etcd = new EtcdCluster(
        {
          key,
          namespace: cpns,
          mgmtIndex: this.ctx.cfg.mgmtIndex,
          clusterIndex: idx,
          size,
          restoreURL: hc.spec?.etcd?.managed?.storage?.restoreSnapshotURL?.[0],
        },
        join(this.ctx.dir, 'clusters', cpns),
        this.ctx.cfg.binDir,
        join(this.ctx.cfg.root, 'enter.sh'),
        log,
      );
      this.clusters.set(key, etcd);
    }
    return etcd;
  }

  /** A HostedCluster's hosted etcd goes: members stopped (awaited), state removed, index released. */
  async removeCluster(key: string): Promise<void> {
    const c = this.clusters.get(key);
    if (!c) return;
    await c.stopAll();
    this.clusters.delete(key);
    rmSync(c.dir, { recursive: true, force: true });
    this.ctx.release('clusters', key);
    log(`HostedCluster ${key}: hosted etcd removed`);
  }

  /** HostedClusters that are gone: their hosted etcd goes with them (and the namespace, if still there). */
  async removeGone(seen: Set<string>): Promise<void> {
    for (const [key, c] of this.clusters) {
      if (seen.has(key)) continue;
      await this.removeCluster(key);
      await this.ctx.del(R.Namespace, undefined, c.spec.namespace);
    }
  }

  /** statefulset.go: the etcd-init container is added while the HCP has no EtcdSnapshotRestored=True. */
  private initContainers(hc: Obj, etcd: EtcdCluster | undefined): string[] {
    const restoreURL = hc.spec?.etcd?.managed?.storage?.restoreSnapshotURL?.[0];
    const restored = !!etcd && existsSync(etcd.snapshotRestoredMarker);
    return [...INIT_CONTAINERS, ...(restoreURL && !restored ? ['etcd-init'] : [])];
  }

  /**
   * Services etcd-discovery / etcd-client and the StatefulSet `etcd`. Upstream
   * (v2/etcd/statefulset.go, reconciled by the control-plane-operator's component framework,
   * support/controlplane-component) sets the replicas on every reconcile of an unpaused control
   * plane, so a scale done by hand is reverted, and re-applies the pod template (the etcd-init
   * container goes once the snapshot is restored, which rolls the pods).
   */
  async reconcileWorkload(hc: Obj, cpns: string, size: number, release: string | undefined, ex: Existing): Promise<void> {
    for (const svc of ['etcd-discovery', 'etcd-client']) await this.ensureService(cpns, svc);
    const spec = hc.spec ?? {};
    const key = `${hc.metadata.namespace}/${hc.metadata.name}`;
    const etcd = this.clusters.get(key);
    const restoreURL = spec.etcd?.managed?.storage?.restoreSnapshotURL?.[0];
    const size8 = spec.etcd?.managed?.storage?.persistentVolume?.size ?? '8Gi';
    const initContainers = this.initContainers(hc, etcd).map((name) => {
      const c: { name: string } & Record<string, unknown> = {
        name,
        image: release,
        imagePullPolicy: 'IfNotPresent',
        volumeMounts: [{ name: 'data', mountPath: '/var/lib' }],
      };
      if (name === 'ensure-dns')
        Object.assign(c, {
          command: ['/bin/bash'],
          args: ['-c', 'exec control-plane-operator resolve-dns --self-register ${HOSTNAME}.etcd-discovery.${NAMESPACE}.svc'],
          volumeMounts: undefined,
        });
      if (name === 'reset-member')
        Object.assign(c, { command: ['/bin/bash'], args: ['-c', '<upstream reset-member script: v2/assets/etcd/statefulset.yaml>'] });
      if (name === 'etcd-init')
        Object.assign(c, {
          command: ['/bin/sh', '-ce', '<upstream etcd-init.sh: v2/etcd/etcd-init.sh>'],
          env: [{ name: 'RESTORE_URL_ETCD', value: restoreURL }],
        });
      return c;
    });
    const template = {
      metadata: { labels: { app: 'etcd', 'hypershift.openshift.io/control-plane-component': 'etcd' }, annotations: { [STATUS_ANNOTATION]: 'simulator' } },
      spec: {
        automountServiceAccountToken: false,
        initContainers,
        containers: [
          {
            name: 'etcd',
            image: release,
            command: ['/bin/sh', '-c', 'ETCD_INITIAL_CLUSTER_STATE=$(cat /etc/etcd/clusterstate/state) /usr/bin/etcd'],
            ports: [
              { name: 'client', containerPort: 2379 },
              { name: 'peer', containerPort: 2380 },
            ],
            volumeMounts: [{ name: 'data', mountPath: '/var/lib' }],
          },
          { name: 'etcd-metrics', image: release, command: ['etcd'], args: ['grpc-proxy', 'start'] },
        ],
      },
    };
    const sts = await this.ctx.ensure(
      R.StatefulSet,
      cpns,
      {
        metadata: { name: 'etcd', namespace: cpns, labels: { ...MANAGED, app: 'etcd' } },
        spec: {
          replicas: size,
          serviceName: 'etcd-discovery',
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: { app: 'etcd' } },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template,
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size8 } } } }],
        },
      },
      ex.sts,
    );
    if (!sts) return;
    // Replicas enforced while not paused (the caller only gets here unpaused), like every
    // control-plane workload: v2/etcd/statefulset.go sets Replicas from the availability policy.
    if (sts.spec?.replicas !== size) {
      await this.ctx.kube.scale(R.StatefulSet, cpns, 'etcd', size);
      log(`etcd StatefulSet ${cpns}/etcd: replicas ${sts.spec?.replicas} reverted to ${size}`);
    }
    const names = (cs: { name: string }[] | undefined) => JSON.stringify((cs ?? []).map((c) => c.name));
    const have = sts.spec?.template?.spec;
    if (
      names(have?.initContainers) !== names(initContainers) ||
      names(have?.containers) !== names(template.spec.containers) ||
      have?.containers?.[0]?.command?.[0] !== '/bin/sh'
    ) {
      await this.ctx.patch(R.StatefulSet, cpns, 'etcd', { spec: { template } });
      log(`etcd StatefulSet ${cpns}/etcd: pod template updated (init containers ${names(initContainers)})`);
    }
    // The HCP's EtcdSnapshotRestored, once recorded (set once by the HCP controller, never recomputed).
    const hcp = ex.hcp.get(`${cpns}/${hc.metadata.name}`);
    if (
      hcp &&
      restoreURL &&
      etcd &&
      existsSync(etcd.snapshotRestoredMarker) &&
      !(hcp.status?.conditions ?? []).some((c: Cond) => c.type === 'EtcdSnapshotRestored')
    ) {
      const conds = mergeConditions(hcp.status?.conditions, [
        { type: 'EtcdSnapshotRestored', status: 'True', reason: 'AsExpected', message: '', observedGeneration: hcp.metadata.generation as number },
      ]);
      await this.ctx.patchStatus(R.HostedControlPlane, cpns, hcp.metadata.name, { conditions: conds });
    }
  }

  private async ensureService(ns: string, name: string): Promise<void> {
    try {
      await this.ctx.kube.create(
        R.Service,
        ns,
        {
          metadata: { name, namespace: ns, labels: MANAGED },
          spec: {
            clusterIP: 'None',
            publishNotReadyAddresses: name === 'etcd-discovery',
            selector: { app: 'etcd' },
            ports: [{ name: name === 'etcd-discovery' ? 'peer' : 'etcd-client', port: name === 'etcd-discovery' ? 2380 : 2379 }],
          },
        },
        { fieldManager: FIELD_MANAGER },
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /** The members' real health. */
  health(etcd: EtcdCluster, size: number): { healthy: number; quorum: boolean } {
    const healthy = etcd.healthyCount();
    return { healthy, quorum: healthy >= Math.floor(size / 2) + 1 };
  }

  /** Conditions the HostedCluster controller owns for etcd (EtcdRecoveryActive), to merge into its status write. */
  hostedClusterConditions(key: string): Cond[] {
    return this.recovery.conditions(key);
  }

  /**
   * The kubelet's part for etcd pods and for other pods that mount our volumes, every loop:
   * member processes, pod status, graceful deletion, the pods' filesystems (kwok Exec objects)
   * and logs (kwok Logs objects). Then etcd member recovery.
   */
  async pods(pods: Obj[], pvcs: Obj[], pvs: Obj[], execs: Obj[]): Promise<void> {
    const [logsObjs, hcs, jobs, stss] = await Promise.all([
      this.ctx.list(Logs, { labelSelector: `${POD_LOGS_LABEL}=true` }),
      this.ctx.list(R.HostedCluster),
      this.ctx.list(R.Job, { labelSelector: 'app=etcd-recovery' }),
      this.ctx.list(R.StatefulSet, { labelSelector: 'app=etcd' }),
    ]);
    const byNs = new Map<string, EtcdCluster>();
    for (const c of this.clusters.values()) byNs.set(c.spec.namespace, c);
    const keepMembers = new Map<EtcdCluster, Set<number>>();
    const wantExec = new Set<string>();
    const wantLogs = new Map<string, object>();
    const execByKey = this.ctx.byKey(execs);
    const logsByKey = this.ctx.byKey(logsObjs);
    const podKeys = new Set(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    for (const c of this.clusters.values()) keepMembers.set(c, new Set());
    await Promise.all([...this.clusters.values()].map((c) => c.checkHealth()));
    const hcByCpns = new Map(hcs.map((hc) => [`${hc.metadata.namespace}-${hc.metadata.name.replace(/\./g, '-')}`, hc]));

    for (const pod of pods) {
      const ns = pod.metadata.namespace!;
      const key = `${ns}/${pod.metadata.name}`;
      const cluster = byNs.get(ns);
      const annotated = pod.metadata.annotations?.[STATUS_ANNOTATION] !== undefined;
      const claims = ((pod.spec?.volumes ?? []) as { name: string; persistentVolumeClaim?: { claimName: string } }[]).filter((v) => v.persistentVolumeClaim);
      const isMember =
        !!cluster && pod.metadata.labels?.app === 'etcd' && pod.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === 'etcd');
      const n = Number(/-(\d+)$/.exec(pod.metadata.name)?.[1] ?? -1);
      if (pod.metadata.deletionTimestamp) {
        // kwok's pod-delete stage leaves annotated pods to us (manifests/kwok/stages.yaml): the
        // kubelet stops the containers, then removes the pod. Until then the pod is there, so a
        // StatefulSet cannot make its successor, and `kubectl delete --wait` sees it go.
        if (annotated) this.terminate(pod, isMember && cluster.hasMember(n, pod.metadata.uid!) ? cluster : undefined, n);
        if (isMember) keepMembers.get(cluster)!.add(n);
        continue;
      }
      if (isMember) {
        const pvc = pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === `data-${pod.metadata.name}`);
        const dataDir = this.storage.volumeDir(pvc, pvs);
        const podDir = join(this.ctx.dir, 'pods', ns, pod.metadata.name);
        wantExec.add(key);
        wantLogs.set(
          key,
          this.podLogsObject(
            ns,
            pod.metadata.name,
            cluster.logDir(n),
            [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c: { name: string }) => c.name),
          ),
        );
        keepMembers.get(cluster)!.add(n);
        if (!pod.spec?.nodeName) {
          // Not scheduled yet: the scheduler owns its status, not a kubelet.
          if (n >= 0 && dataDir) await this.bindLate(pod);
          continue;
        }
        if (n < 0 || !dataDir) {
          await this.memberPodStatus(pod, cluster, n, { kind: 'waiting' });
          continue;
        }
        const execObj = cluster.preparePod(podDir, pod.metadata.name, n, dataDir, this.ctx.cfg.workDir);
        if (!execByKey.has(key)) await this.createObj(Exec, execObj);
        cluster.ensureMember(n, {
          uid: pod.metadata.uid!,
          name: pod.metadata.name,
          podDir,
          dataHostDir: dataDir,
          initContainers: ((pod.spec.initContainers ?? []) as { name: string }[]).map((c) => c.name),
        });
        await this.memberPodStatus(pod, cluster, n, cluster.hasMember(n, pod.metadata.uid!) ? cluster.phase(n) : { kind: 'waiting' });
        continue;
      }
      if (this.recovery.isJobPod(pod)) {
        wantLogs.set(key, this.podLogsObject(ns, pod.metadata.name, this.recovery.logDir(pod), ['etcd-recovery']));
        continue;
      }
      const dirs = claims.map((v) =>
        this.storage.volumeDir(
          pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === v.persistentVolumeClaim!.claimName),
          pvs,
        ),
      );
      if (!claims.length) continue;
      // Any other pod mounting a claim (e.g. the docs' etcd-data deployment): kwok leaves it
      // Pending (stages.yaml); like a kubelet, it runs once its volumes are mounted.
      if (dirs.some((d) => !d) || !pod.spec?.nodeName) continue;
      const podDir = join(this.ctx.dir, 'pods', ns, pod.metadata.name);
      wantExec.add(key);
      const mounts: [string, string][] = [];
      for (const c of (pod.spec?.containers ?? []) as { volumeMounts?: { name: string; mountPath: string }[] }[]) {
        for (const vm of c.volumeMounts ?? []) {
          const i = claims.findIndex((x) => x.name === vm.name);
          if (i >= 0 && !mounts.some((m) => m[1] === vm.mountPath)) mounts.push([dirs[i]!, vm.mountPath]);
        }
      }
      preparePod(podDir, {
        hosts: cluster ? cluster.hosts() : [['127.0.0.1', 'localhost']],
        files: {},
        mounts,
        env: { HOSTNAME: pod.metadata.name },
        programs: Object.fromEntries(['etcd', 'etcdctl', 'etcdutl'].map((p) => [p, join(this.ctx.cfg.binDir, p)])),
      });
      if (!execByKey.has(key)) await this.createObj(Exec, podExecObject(ns, pod.metadata.name, podDir, this.ctx.cfg.workDir, this.ctx.cfg.root));
      // A pod whose volumes are in place: its containers run.
      if (pod.status?.phase !== 'Running') await this.ctx.patchStatus(R.Pod, ns, pod.metadata.name, runningPodStatus(pod));
    }
    for (const [c, keep] of keepMembers) c.retain(keep);
    for (const [key, e] of execByKey) {
      if (!podKeys.has(key) || !wantExec.has(key)) await this.ctx.del(Exec, e.metadata.namespace, e.metadata.name);
    }
    for (const [key, obj] of wantLogs) if (!logsByKey.has(key)) await this.createObj(Logs, obj);
    for (const [key, l] of logsByKey) {
      if (!podKeys.has(key) || !wantLogs.has(key)) await this.ctx.del(Logs, l.metadata.namespace, l.metadata.name);
    }
    await this.recovery.reconcile(hcs, hcByCpns, pods, jobs, stss);
  }

  /**
   * Sandbox infrastructure, no HyperShift counterpart: a pod found unschedulable while its claim
   * was still unbound can stay in kube-scheduler's unschedulable queue for minutes after the
   * claim binds (seen once in the etcd loop: etcd-2 started 3 minutes late). Once its claim is
   * bound and it has waited 10 s, bind it to a node as the scheduler would.
   */
  private async bindLate(pod: Obj): Promise<void> {
    if (Date.now() - Date.parse(pod.metadata.creationTimestamp ?? '') < 10_000) return;
    const nodes = (await this.ctx.list(R.Node)).map((x) => x.metadata.name).sort();
    if (!nodes.length) return;
    const n = Number(/-(\d+)$/.exec(pod.metadata.name)?.[1] ?? 0);
    await this.ctx.kube
      .request({
        method: 'POST',
        path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`,
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: pod.metadata.name, uid: pod.metadata.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: nodes[n % nodes.length] },
        },
      })
      .then(() =>
        log(`pod ${pod.metadata.namespace}/${pod.metadata.name}: unscheduled 10 s after creation with its claim bound; bound to ${nodes[n % nodes.length]}`),
      )
      .catch((err: Error) => {
        if (!isConflict(err) && !isNotFound(err)) log(`bind ${pod.metadata.namespace}/${pod.metadata.name}: ${err.message}`);
      });
  }

  /** Stops the pod's member (if it runs one), then removes the pod object, as the kubelet does after its containers stopped. */
  private terminate(pod: Obj, cluster: EtcdCluster | undefined, n: number): void {
    const uid = pod.metadata.uid!;
    if (this.terminating.has(uid)) return;
    this.terminating.add(uid);
    const stopped = cluster ? cluster.stopMember(n) : Promise.resolve();
    void stopped
      .then(async () => {
        await this.ctx.kube
          .request({
            method: 'DELETE',
            path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`,
            body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid } },
          })
          .catch((err: Error) => {
            if (!isNotFound(err) && !isConflict(err)) log(`delete pod ${pod.metadata.namespace}/${pod.metadata.name}: ${err.message}`);
          });
      })
      .finally(() => setTimeout(() => this.terminating.delete(uid), 5000));
  }

  /** The kwok Logs object serving a pod's container logs from dir/<container>.log (CRI format). */
  private podLogsObject(namespace: string, pod: string, dir: string, containers: string[]): object {
    mkdirSync(dir, { recursive: true });
    for (const c of containers) {
      const f = join(dir, `${c}.log`);
      if (!existsSync(f)) writeFileSync(f, '');
    }
    return {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: pod, namespace, labels: { [POD_LOGS_LABEL]: 'true' } },
      spec: { logs: containers.map((c) => ({ containers: [c], logsFile: join(dir, `${c}.log`), previousLogsFile: join(dir, `${c}.previous.log`) })) },
    };
  }

  /** Creates a kwok Exec/Logs object; a failure (e.g. a namespace being deleted) must not stop the other pods' pass. */
  private async createObj(rt: ResourceType, obj: object): Promise<void> {
    try {
      await this.ctx.kube.create(rt, (obj as Obj).metadata.namespace, obj, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (isAlreadyExists(err)) return;
      if (!/being terminated/.test((err as Error).message))
        log(`create ${rt.kind} ${(obj as Obj).metadata.namespace}/${(obj as Obj).metadata.name}: ${(err as Error).message}`);
    }
  }

  /** The pod status the kubelet would show for the member's real state. */
  private async memberPodStatus(pod: Obj, cluster: EtcdCluster, n: number, phase: MemberPhase): Promise<void> {
    const ts = (ms: number | string) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const created = pod.metadata.creationTimestamp ?? ts(Date.now());
    const containers = pod.spec.containers as { name: string; image: string }[];
    const initContainers = (pod.spec.initContainers ?? []) as { name: string; image: string }[];
    const initialized = !['waiting', 'init', 'init-failed'].includes(phase.kind);
    type C = { name: string; image: string };
    /** One container's status as the kubelet writes it. */
    const cs = (c: C, ready: boolean, started: boolean, restartCount: number, state: object, lastState?: object) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready,
      started,
      restartCount,
      state,
      ...(lastState ? { lastState } : {}),
    });
    const waitingC = (c: C, reason = 'PodInitializing') => cs(c, false, false, 0, { waiting: { reason } });
    const sidecar = (c: C) => cs(c, true, true, 0, { running: { startedAt: created } });
    const backOff = (c: C, restarts: number) => ({
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(backoffMs(restarts) / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      },
    });
    const lastState = (p: { lastExit?: { code: number; at: string; startedAt: string } }) =>
      p.lastExit ? { terminated: { exitCode: p.lastExit.code, reason: 'Error', startedAt: p.lastExit.startedAt, finishedAt: p.lastExit.at } } : {};
    const notInit = initContainers.filter((c) => !(initialized || ('done' in phase && phase.done.includes(c.name)))).map((c) => c.name);
    const cond = (ready: boolean) => [
      { type: 'PodReadyToStartContainers', status: phase.kind === 'waiting' ? 'False' : 'True', lastTransitionTime: created },
      {
        type: 'Initialized',
        status: initialized ? 'True' : 'False',
        lastTransitionTime: created,
        ...(initialized ? {} : { reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${notInit.join(' ')}]` }),
      },
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        lastTransitionTime: created,
        ...(ready
          ? {}
          : { reason: 'ContainersNotReady', message: `containers with unready status: [${initialized ? 'etcd' : containers.map((c) => c.name).join(' ')}]` }),
      },
      {
        type: 'ContainersReady',
        status: ready ? 'True' : 'False',
        lastTransitionTime: created,
        ...(ready
          ? {}
          : { reason: 'ContainersNotReady', message: `containers with unready status: [${initialized ? 'etcd' : containers.map((c) => c.name).join(' ')}]` }),
      },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: created },
    ];
    const base = {
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: cluster.ip(n),
      podIPs: [{ ip: cluster.ip(n) }],
      startTime: created,
      qosClass: 'BestEffort',
    };
    const initDone = (c: C) => cs(c, true, false, 0, { terminated: { exitCode: 0, reason: 'Completed', startedAt: created, finishedAt: created } });
    /** Init containers done, the etcd container in the given state, the sidecar running. */
    const started = (ready: boolean, etcd: (c: C) => object) => ({
      ...base,
      phase: 'Running',
      conditions: cond(ready),
      initContainerStatuses: initContainers.map(initDone),
      containerStatuses: containers.map((c) => (c.name === 'etcd' ? etcd(c) : sidecar(c))),
    });
    let status: Record<string, unknown>;
    switch (phase.kind) {
      case 'waiting':
        status = {
          ...base,
          phase: 'Pending',
          conditions: cond(false),
          initContainerStatuses: initContainers.map((c) => waitingC(c)),
          containerStatuses: containers.map((c) => waitingC(c)),
        };
        break;
      case 'init':
      case 'init-failed':
        status = {
          ...base,
          phase: 'Pending',
          conditions: cond(false),
          initContainerStatuses: initContainers.map((c) => {
            if (phase.done.includes(c.name)) return initDone(c);
            if (c.name !== phase.container) return waitingC(c);
            if (phase.kind === 'init') return cs(c, false, true, 0, { running: { startedAt: ts(phase.since) } });
            // Init:CrashLoopBackOff. Upstream's pod sets no terminationMessagePolicy (File): the
            // message is empty, the output is in the container's log (`kubectl logs -c etcd-init`).
            return cs(c, false, false, phase.restarts + 1, backOff(c, phase.restarts + 1), {
              terminated: { exitCode: phase.exitCode, reason: 'Error', startedAt: phase.startedAt, finishedAt: phase.at },
            });
          }),
          containerStatuses: containers.map((c) => waitingC(c)),
        };
        break;
      case 'starting':
      case 'healthy':
        status = started(phase.kind === 'healthy', (c) =>
          cs(c, phase.kind === 'healthy', true, phase.restarts, { running: { startedAt: ts(phase.since) } }, lastState(phase)),
        );
        break;
      case 'crashloop':
        status = started(false, (c) => cs(c, false, false, phase.restarts, backOff(c, phase.restarts), lastState(phase)));
        break;
    }
    const sig = (s: any) =>
      JSON.stringify([
        s?.phase,
        s?.podIP,
        (s?.conditions ?? []).map((c: Cond) => [c.type, c.status]).sort(),
        (s?.containerStatuses ?? []).map((c: any) => [c.name, c.ready, c.restartCount, Object.keys(c.state ?? {})[0], c.state?.waiting?.reason]),
        (s?.initContainerStatuses ?? []).map((c: any) => [c.name, c.ready, c.restartCount, Object.keys(c.state ?? {})[0], c.state?.waiting?.reason]),
      ]);
    if (sig(status) !== sig(pod.status)) await this.ctx.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, status);
    // hostedcontrolplane_controller.go etcdRestoredCondition: every replica ready and every pod's
    // etcd-init ready → EtcdSnapshotRestored=True, recorded once (reconcileWorkload writes it).
    void this.noteRestored(cluster);
  }

  private async noteRestored(cluster: EtcdCluster): Promise<void> {
    if (!cluster.spec.restoreURL || existsSync(cluster.snapshotRestoredMarker)) return;
    let ok = true;
    for (let n = 0; n < cluster.spec.size; n++) if (cluster.phase(n).kind !== 'healthy') ok = false;
    if (ok) {
      writeFileSync(cluster.snapshotRestoredMarker, nowRFC3339());
      log(`etcd ${cluster.spec.key}: every member restored the snapshot (EtcdSnapshotRestored=True)`);
    }
  }
}

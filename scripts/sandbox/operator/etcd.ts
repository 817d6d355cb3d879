// The hosted etcd of each HostedCluster: the StatefulSet `etcd`, its services, and one real etcd
// member process per `etcd-N` pod (hosted-etcd/etcd.ts). Upstream: the control-plane-operator's
// etcd component (control-plane-operator/controllers/hostedcontrolplane/v2/etcd/statefulset.go,
// v2/etcd/etcd-init.sh) and the HCP controller's etcd status (hostedcontrolplane_controller.go).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAlreadyExists } from '../../../src/kube/errors.ts';
import { Resources as R } from '../../../src/kube/resources.ts';
import { EtcdCluster, type MemberPhase } from '../hosted-etcd/etcd.ts';
import { podExecObject, preparePod } from '../hosted-etcd/podfs.ts';
import { type Cond, type Ctx, Exec, type Existing, FIELD_MANAGER, log, MANAGED, type Obj, STATUS_ANNOTATION } from './shared.ts';
import type { Storage } from './storage.ts';

export class EtcdController {
  private readonly ctx: Ctx;
  private readonly storage: Storage;
  readonly clusters = new Map<string, EtcdCluster>();

  constructor(ctx: Ctx, storage: Storage) {
    this.ctx = ctx;
    this.storage = storage;
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
      etcd = new EtcdCluster({ key, namespace: cpns, mgmtIndex: this.ctx.cfg.mgmtIndex, clusterIndex: idx, size,
        restoreURL: hc.spec?.etcd?.managed?.storage?.restoreSnapshotURL?.[0] }, join(this.ctx.dir, 'clusters', cpns), this.ctx.cfg.binDir, join(this.ctx.cfg.root, 'enter.sh'), log);
      this.clusters.set(key, etcd);
    }
    return etcd;
  }

  /** HostedClusters that are gone: their hosted etcd goes with them (members stopped, state removed). */
  async removeGone(seen: Set<string>): Promise<void> {
    for (const [key, c] of this.clusters) {
      if (seen.has(key)) continue;
      await c.stopAll();
      this.clusters.delete(key);
      await this.ctx.del(R.Namespace, undefined, c.spec.namespace);
      rmSync(c.dir, { recursive: true, force: true });
      this.ctx.release('clusters', key);
      log(`HostedCluster ${key} deleted: removed its control plane`);
    }
  }

  /**
   * Services etcd-discovery / etcd-client and the StatefulSet `etcd`. Upstream
   * (v2/etcd/statefulset.go, reconciled by the control-plane-operator's component framework,
   * support/controlplane-component) sets the replicas on every reconcile of an unpaused control
   * plane, so a scale done by hand is reverted.
   */
  async reconcileWorkload(hc: Obj, cpns: string, size: number, release: string | undefined, ex: Existing): Promise<void> {
    for (const svc of ['etcd-discovery', 'etcd-client']) await this.ensureService(cpns, svc);
    const spec = hc.spec ?? {};
    const restoreURL = spec.etcd?.managed?.storage?.restoreSnapshotURL?.[0];
    const size8 = spec.etcd?.managed?.storage?.persistentVolume?.size ?? '8Gi';
    const sts = await this.ctx.ensure(R.StatefulSet, cpns, {
      metadata: { name: 'etcd', namespace: cpns, labels: { ...MANAGED, app: 'etcd' } },
      spec: {
        replicas: size, serviceName: 'etcd-discovery', podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'etcd' } },
        template: {
          metadata: { labels: { app: 'etcd', 'hypershift.openshift.io/control-plane-component': 'etcd' }, annotations: { [STATUS_ANNOTATION]: 'simulator' } },
          spec: {
            automountServiceAccountToken: false,
            ...(restoreURL ? { initContainers: [{ name: 'etcd-init', image: release, command: ['/bin/sh', '-c', 'curl -fsS -o /tmp/snapshot.db "$RESTORE_URL" && etcdutl snapshot restore ...'], env: [{ name: 'RESTORE_URL', value: restoreURL }] }] } : {}),
            containers: [
              { name: 'etcd', image: release, command: ['/usr/bin/etcd'], ports: [{ name: 'client', containerPort: 2379 }, { name: 'peer', containerPort: 2380 }],
                volumeMounts: [{ name: 'data', mountPath: '/var/lib' }] },
              { name: 'etcd-metrics', image: release, command: ['/usr/bin/etcd', 'grpc-proxy', 'start'] },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size8 } } } }],
      },
    }, ex.sts);
    // Replicas enforced while not paused (the caller only gets here unpaused), like every
    // control-plane workload: v2/etcd/statefulset.go sets Replicas from the availability policy.
    if (sts && sts.spec?.replicas !== size) {
      await this.ctx.kube.scale(R.StatefulSet, cpns, 'etcd', size);
      log(`etcd StatefulSet ${cpns}/etcd: replicas ${sts.spec?.replicas} reverted to ${size}`);
    }
  }

  private async ensureService(ns: string, name: string): Promise<void> {
    try {
      await this.ctx.kube.create(R.Service, ns, {
        metadata: { name, namespace: ns, labels: MANAGED },
        spec: { clusterIP: 'None', publishNotReadyAddresses: name === 'etcd-discovery', selector: { app: 'etcd' },
          ports: [{ name: name === 'etcd-discovery' ? 'peer' : 'etcd-client', port: name === 'etcd-discovery' ? 2380 : 2379 }] },
      }, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /** The members' real health, for the HostedCluster's etcd conditions. */
  health(etcd: EtcdCluster, size: number): { healthy: number; quorum: boolean; problem: string } {
    const healthy = etcd.healthyCount();
    return { healthy, quorum: healthy >= Math.floor(size / 2) + 1, problem: this.etcdProblem(etcd, size) };
  }

  private etcdProblem(etcd: EtcdCluster, size: number): string {
    for (let n = 0; n < size; n++) {
      const p = etcd.phase(n);
      if (p.kind === 'init-failed') return `etcd-${n}: init container etcd-init failed: ${p.message}`;
    }
    return `${etcd.healthyCount()} of ${size} etcd members are healthy`;
  }

  /** Pods of control-plane etcd statefulsets run real members; pods mounting our volumes get a private filesystem. */
  async pods(pods: Obj[], pvcs: Obj[], pvs: Obj[], execs: Obj[]): Promise<void> {
    const byNs = new Map<string, EtcdCluster>();
    for (const c of this.clusters.values()) byNs.set(c.spec.namespace, c);
    const keepMembers = new Map<EtcdCluster, Set<number>>();
    const wantExec = new Set<string>();
    const execByKey = this.ctx.byKey(execs);
    const podKeys = new Set(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    for (const c of this.clusters.values()) keepMembers.set(c, new Set());
    await Promise.all([...this.clusters.values()].map((c) => c.checkHealth()));

    for (const pod of pods) {
      const ns = pod.metadata.namespace!;
      const cluster = byNs.get(ns);
      const claims = ((pod.spec?.volumes ?? []) as { name: string; persistentVolumeClaim?: { claimName: string } }[]).filter((v) => v.persistentVolumeClaim);
      const isMember = !!cluster && pod.metadata.labels?.app === 'etcd' && pod.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === 'etcd');
      if (!isMember && !claims.some((v) => this.storage.volumeDir(pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === v.persistentVolumeClaim!.claimName), pvs))) continue;
      const podDir = join(this.ctx.dir, 'pods', ns, pod.metadata.name);
      const key = `${ns}/${pod.metadata.name}`;
      wantExec.add(key);
      if (pod.metadata.deletionTimestamp) continue;
      if (isMember) {
        const n = Number(/-(\d+)$/.exec(pod.metadata.name)?.[1] ?? -1);
        const pvc = pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === `data-${pod.metadata.name}`);
        const dataDir = this.storage.volumeDir(pvc, pvs);
        if (n < 0 || !dataDir || !pod.spec?.nodeName) continue;
        const execObj = cluster.preparePod(podDir, pod.metadata.name, n, dataDir, this.ctx.cfg.workDir);
        if (!execByKey.has(key)) await this.createExec(execObj);
        keepMembers.get(cluster)!.add(n);
        cluster.ensureMember(n, pod.metadata.uid!, podDir, dataDir);
        await this.memberPodStatus(pod, cluster, n, cluster.phase(n));
      } else {
        // Any other pod mounting our volumes (e.g. the doc's etcd-data deployment).
        const mounts: [string, string][] = [];
        for (const c of (pod.spec?.containers ?? []) as { volumeMounts?: { name: string; mountPath: string }[] }[]) {
          for (const vm of c.volumeMounts ?? []) {
            const v = claims.find((x) => x.name === vm.name);
            const dir = v && this.storage.volumeDir(pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === v.persistentVolumeClaim!.claimName), pvs);
            if (dir && !mounts.some((m) => m[1] === vm.mountPath)) mounts.push([dir, vm.mountPath]);
          }
        }
        preparePod(podDir, {
          hosts: cluster ? cluster.hosts() : [['127.0.0.1', 'localhost']], files: {}, mounts,
          env: { HOSTNAME: pod.metadata.name }, programs: Object.fromEntries(['etcd', 'etcdctl', 'etcdutl'].map((p) => [p, join(this.ctx.cfg.binDir, p)])),
        });
        if (!execByKey.has(key)) await this.createExec(podExecObject(ns, pod.metadata.name, podDir, this.ctx.cfg.workDir));
      }
    }
    for (const [c, keep] of keepMembers) c.retain(keep);
    for (const [key, e] of execByKey) {
      if (!podKeys.has(key) || !wantExec.has(key)) await this.ctx.del(Exec, e.metadata.namespace, e.metadata.name);
    }
  }

  private async createExec(obj: object): Promise<void> {
    try {
      await this.ctx.kube.create(Exec, (obj as Obj).metadata.namespace, obj, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /** The pod status the kubelet would show for the member's real state. */
  private async memberPodStatus(pod: Obj, cluster: EtcdCluster, n: number, phase: MemberPhase): Promise<void> {
    const ts = (ms: number | string) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const created = pod.metadata.creationTimestamp ?? ts(Date.now());
    const containers = (pod.spec.containers as { name: string; image: string }[]);
    const initContainers = (pod.spec.initContainers ?? []) as { name: string; image: string }[];
    const sidecar = (c: { name: string; image: string }, ready: boolean) => ({ name: c.name, image: c.image, imageID: '', ready, started: ready, restartCount: 0, state: ready ? { running: { startedAt: created } } : { waiting: { reason: 'PodInitializing' } } });
    const lastState = (p: { lastExit?: { code: number; at: string; startedAt: string; message: string } }) => (p.lastExit
      ? { terminated: { exitCode: p.lastExit.code, reason: 'Error', message: p.lastExit.message, startedAt: p.lastExit.startedAt, finishedAt: p.lastExit.at } } : {});
    let status: Record<string, unknown>;
    const cond = (ready: boolean, initialized = true) => [
      { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: created },
      { type: 'Initialized', status: initialized ? 'True' : 'False', lastTransitionTime: created, ...(initialized ? {} : { reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [etcd-init]' }) },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: created, ...(ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [etcd]' }) },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: created, ...(ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [etcd]' }) },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: created },
    ];
    const base = { hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }], podIP: cluster.ip(n), podIPs: [{ ip: cluster.ip(n) }], startTime: created, qosClass: 'BestEffort' };
    const initDone = initContainers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: true, restartCount: 0, started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: created, finishedAt: created } } }));
    switch (phase.kind) {
      case 'init-failed':
        status = { ...base, phase: 'Pending', conditions: cond(false, false),
          initContainerStatuses: initContainers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: phase.restarts,
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
            lastState: { terminated: { exitCode: phase.exitCode, reason: 'Error', message: phase.message, startedAt: created, finishedAt: ts(Date.now()) } } })),
          containerStatuses: containers.map((c) => sidecar(c, false)) };
        break;
      case 'waiting':
      case 'starting':
        status = { ...base, phase: 'Running', conditions: cond(false), initContainerStatuses: initDone,
          containerStatuses: containers.map((c) => (c.name === 'etcd'
            ? { name: c.name, image: c.image, imageID: '', ready: false, started: true, restartCount: phase.kind === 'starting' ? phase.restarts : 0,
              state: { running: { startedAt: ts(phase.kind === 'starting' ? phase.since : Date.now()) } }, lastState: phase.kind === 'starting' ? lastState(phase) : {} }
            : sidecar(c, true))) };
        break;
      case 'healthy':
        status = { ...base, phase: 'Running', conditions: cond(true), initContainerStatuses: initDone,
          containerStatuses: containers.map((c) => (c.name === 'etcd'
            ? { name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: phase.restarts, state: { running: { startedAt: ts(phase.since) } }, lastState: lastState(phase) }
            : sidecar(c, true))) };
        break;
      case 'crashloop':
        status = { ...base, phase: 'Running', conditions: cond(false), initContainerStatuses: initDone,
          containerStatuses: containers.map((c) => (c.name === 'etcd'
            ? { name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: phase.restarts,
              state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(Math.min(10 * 2 ** Math.max(0, phase.restarts - 1), 300))}s restarting failed container=etcd pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
              lastState: lastState(phase) }
            : sidecar(c, true))) };
        break;
    }
    const sig = (s: any) => JSON.stringify([s?.phase, s?.podIP, (s?.conditions ?? []).map((c: Cond) => [c.type, c.status]).sort(),
      (s?.containerStatuses ?? []).map((c: any) => [c.name, c.ready, c.restartCount, Object.keys(c.state ?? {})[0], c.state?.waiting?.reason]),
      (s?.initContainerStatuses ?? []).map((c: any) => [c.name, c.ready, c.restartCount, Object.keys(c.state ?? {})[0]])]);
    if (sig(status) !== sig(pod.status)) await this.ctx.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, status);
  }
}

// The simulated HyperShift operator for one management cluster (test infrastructure, not product).
// It reconciles by polling: each loop lists what it needs cluster-wide (a handful of calls) and
// writes only what differs. Names, keys and condition reasons follow ../shared/upstream/FACTS.md.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../../src/kube/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../../src/kube/errors.ts';
import { resolveKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Resources as R, type KubeObject, type ResourceType } from '../../../src/kube/resources.ts';
import { EtcdCluster, memberIP, type MemberPhase } from '../hosted-etcd/etcd.ts';
import { podExecObject, preparePod } from '../hosted-etcd/podfs.ts';
import { pausedState, reconciliationActiveCondition } from './paused.ts';
import { ExternalDns } from './external-dns.ts';

/** Test hook: simulate the leaked HostedControlPlane pause of OCPBUGS-77530 (see FACTS). */
export const LEAK_PAUSES_ANNOTATION = 'sandbox.kubectl-hcp.dev/leak-pauses';

export interface OperatorConfig {
  cluster: string; // mgmt-1
  mgmtIndex: number;
  kubeconfig: string;
  binDir: string;
  /** .sandbox/hosted-etcd (shims, enter.sh); per-cluster state goes to <root>/<cluster>/. */
  root: string;
  /** Working directory for kwok execs (.sandbox). */
  workDir: string;
  awsEnv?: Record<string, string>;
  baseDomain: string;
  operatorNamespace: string;
}

type Obj = KubeObject & { spec?: any; status?: any; data?: Record<string, string> };
const Exec: ResourceType = { kind: 'Exec', group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'execs', namespaced: true };
const PV: ResourceType = { kind: 'PersistentVolume', group: '', version: 'v1', plural: 'persistentvolumes', namespaced: false };

export const STATUS_ANNOTATION = 'hcp-sandbox.kubectl-hcp.io/status';
const MANAGED = { 'hcp-sandbox.kubectl-hcp.io/managed-by': 'simulated-hypershift-operator' };
const FIELD_MANAGER = 'hypershift-operator-sim';
const METRICS_SETS = ['telemetry', 'sre', 'all'];

export const controlPlaneNamespace = (hc: { metadata: { namespace?: string; name: string } }) =>
  `${hc.metadata.namespace}-${hc.metadata.name.replace(/\./g, '-')}`;

/** 4.15.10 from quay.io/openshift-release-dev/ocp-release:4.15.10-x86_64 (undefined for digests). */
export function releaseVersion(image: string | undefined): string | undefined {
  const m = /:(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)(?:-(?:x86_64|aarch64|multi|s390x|ppc64le))?$/.exec(image ?? '');
  return m?.[1]?.replace(/-(x86_64|aarch64|multi|s390x|ppc64le)$/, '');
}
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number(x));
  const pb = b.split(/[.-]/).map((x) => Number(x));
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
}

interface Cond { type: string; status: string; reason: string; message: string; lastTransitionTime?: string; observedGeneration?: number }

function mergeConditions(existing: Cond[] | undefined, wanted: Cond[], generation?: number): Cond[] {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const out = [...(existing ?? [])];
  for (const w of wanted) {
    const i = out.findIndex((c) => c.type === w.type);
    const prev = i >= 0 ? out[i] : undefined;
    const c: Cond = { ...w, lastTransitionTime: prev && prev.status === w.status ? prev.lastTransitionTime : now, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
    if (i >= 0) out[i] = c;
    else out.push(c);
  }
  return out;
}
const condKey = (cs: Cond[] | undefined) => JSON.stringify((cs ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration]).sort());

const hash5 = (s: string) => createHash('sha256').update(s).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 5);
const env = (o: Obj | undefined, name: string, container?: string): string | undefined => {
  const cs = (o?.spec?.template?.spec?.containers ?? o?.spec?.containers ?? []) as { name: string; env?: { name: string; value?: string }[] }[];
  const c = container ? cs.find((x) => x.name === container) : cs[0];
  return c?.env?.find((e) => e.name === name)?.value;
};

interface NpRuntime { updatingUntil?: number; version?: string }

export class Operator {
  readonly cfg: OperatorConfig;
  readonly kube: KubeClient;
  private readonly dir: string;
  private readonly etcd = new Map<string, EtcdCluster>();
  private readonly guests = new Map<string, { rv: string; client: KubeClient }>();
  private readonly npRuntime = new Map<string, NpRuntime>();
  private readonly hcUpdating = new Map<string, number>();
  private readonly externalDns?: ExternalDns;
  private allocations: { clusters: Record<string, number>; pools: Record<string, number> };
  private capiVersion?: string;
  lastLoopError?: string;
  loops = 0;

  constructor(cfg: OperatorConfig) {
    this.cfg = cfg;
    this.kube = new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig: cfg.kubeconfig }, process.env), env: {}, timeoutMs: 30_000 });
    this.dir = join(cfg.root, cfg.cluster);
    mkdirSync(this.dir, { recursive: true });
    const allocFile = join(this.dir, 'allocations.json');
    this.allocations = existsSync(allocFile) ? JSON.parse(readFileSync(allocFile, 'utf8')) : { clusters: {}, pools: {} };
    if (cfg.awsEnv?.AWS_ENDPOINT_URL_ROUTE_53) this.externalDns = new ExternalDns(this.kube, cfg.cluster, cfg.baseDomain, cfg.awsEnv, log);
  }

  private saveAllocations(): void {
    writeFileSync(join(this.dir, 'allocations.json'), JSON.stringify(this.allocations, null, 2));
  }

  private allocate(kind: 'clusters' | 'pools', key: string): number {
    const table = this.allocations[kind];
    if (table[key]) return table[key];
    const used = new Set(Object.values(table));
    let i = 1;
    while (used.has(i)) i++;
    if (i > 250) throw new Error(`no free ${kind} index for ${key}`);
    table[key] = i;
    this.saveAllocations();
    return i;
  }

  private release(kind: 'clusters' | 'pools', key: string): void {
    if (this.allocations[kind][key]) {
      delete this.allocations[kind][key];
      this.saveAllocations();
    }
  }

  etcdCluster(key: string): EtcdCluster | undefined {
    return this.etcd.get(key);
  }

  stopAll(): Promise<void> {
    return Promise.all([...this.etcd.values()].map((c) => c.stopAll())).then(() => undefined);
  }

  // ------------------------------------------------------------------ helpers

  private async ensure(rt: ResourceType, ns: string | undefined, body: Obj, existing: Map<string, Obj>): Promise<Obj | undefined> {
    const key = `${ns ?? ''}/${body.metadata.name}`;
    const have = existing.get(key);
    if (have) return have;
    try {
      const created = await this.kube.create<Obj>(rt, ns, body, { fieldManager: FIELD_MANAGER });
      existing.set(key, created);
      return created;
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      throw err;
    }
  }

  private async patchStatus(rt: ResourceType, ns: string | undefined, name: string, status: object): Promise<void> {
    try {
      await this.kube.patch(rt, ns, name, { status }, 'merge', { subresource: 'status', fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async patch(rt: ResourceType, ns: string | undefined, name: string, patch: object): Promise<void> {
    try {
      await this.kube.patch(rt, ns, name, patch, 'merge', { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async del(rt: ResourceType, ns: string | undefined, name: string): Promise<void> {
    await this.kube.delete(rt, ns, name, { propagationPolicy: 'Background' });
  }

  private byKey(items: Obj[]): Map<string, Obj> {
    return new Map(items.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  }

  private async list(rt: ResourceType, opts: { namespace?: string; labelSelector?: string } = {}): Promise<Obj[]> {
    return (await this.kube.list<Obj>(rt, opts)).items;
  }

  // ------------------------------------------------------------------ the loop

  async loop(): Promise<void> {
    this.loops++;
    const opNs = this.cfg.operatorNamespace;
    const managed = 'hcp-sandbox.kubectl-hcp.io/managed-by=simulated-hypershift-operator';
    const [hcs, nps, opDeploy, opPods, opCms, flagsCm, pvcs, pvs, pods, execs] = await Promise.all([
      this.list(R.HostedCluster), this.list(R.NodePool),
      this.kube.getOrNull<Obj>(R.Deployment, opNs, 'operator'),
      this.list(R.Pod, { namespace: opNs }),
      this.list(R.ConfigMap, { namespace: opNs }),
      this.kube.getOrNull<Obj>(R.ConfigMap, 'local-cluster', 'hypershift-operator-install-flags'),
      this.list(R.PersistentVolumeClaim), this.list(PV),
      this.list(R.Pod), this.list(Exec, { labelSelector: 'hcp-sandbox/pod-fs=true' }),
    ]);

    await this.mceAddon(opDeploy, flagsCm);
    const metricsSet = env(opDeploy ?? undefined, 'METRICS_SET') ?? '';
    const valid = metricsSet === '' || METRICS_SETS.includes(metricsSet.toLowerCase());
    await this.operatorPods(opPods, opDeploy);
    await this.provisionVolumes(pvcs, pvs);

    const byNs = (items: Obj[]) => items;
    void byNs;
    if (valid) {
      const [deploys, stss, routes, hcps, nss, cms] = await Promise.all([
        this.list(R.Deployment, { labelSelector: managed }), this.list(R.StatefulSet, { labelSelector: managed }),
        this.list(R.Route, { labelSelector: managed }), this.list(R.HostedControlPlane), this.list(R.Namespace, { labelSelector: managed }),
        this.list(R.ConfigMap, { labelSelector: managed }),
      ]);
      const capi = await this.capiLists(managed);
      const existing = {
        deploy: this.byKey(deploys), sts: this.byKey(stss), route: this.byKey(routes), hcp: this.byKey(hcps), ns: this.byKey(nss), cm: this.byKey(cms), ...capi,
      };
      const set = metricsSet.toLowerCase() || 'telemetry';
      const dashboards = env(opDeploy ?? undefined, 'MONITORING_DASHBOARDS') === '1';
      const sre = opCms.find((c) => c.metadata.name === 'sre-metric-set');
      const template = opCms.find((c) => c.metadata.name === 'monitoring-dashboard-template');
      const seen = new Set<string>();
      for (const hc of hcs) {
        const key = `${hc.metadata.namespace}/${hc.metadata.name}`;
        seen.add(key);
        if (hc.metadata.deletionTimestamp) continue;
        try {
          await this.reconcileHostedCluster(hc, nps.filter((np) => np.metadata.namespace === hc.metadata.namespace && np.spec?.clusterName === hc.metadata.name), existing, pods, pvcs, pvs,
            { set, sre, dashboards, template });
        } catch (err) {
          log(`reconcile ${key}: ${(err as Error).message}`);
        }
      }
      // HostedClusters that are gone: their control plane goes with them.
      for (const [key, c] of this.etcd) {
        if (seen.has(key)) continue;
        await c.stopAll();
        this.etcd.delete(key);
        await this.del(R.Namespace, undefined, c.spec.namespace);
        rmSync(c.dir, { recursive: true, force: true });
        this.release('clusters', key);
        log(`HostedCluster ${key} deleted: removed its control plane`);
      }
      for (const [key, ns] of existing.ns) {
        const owner = ns.metadata.annotations?.['hypershift.openshift.io/cluster'];
        if (owner && !seen.has(owner) && !ns.metadata.deletionTimestamp) await this.del(R.Namespace, undefined, key.slice(1));
      }
      await this.externalDns?.sync().catch((err: Error) => log(`external-dns: ${err.message}`));
    }
    await this.etcdPods(pods, pvcs, pvs, execs);
  }

  private async capiLists(managed: string): Promise<Record<string, Map<string, Obj>>> {
    const types = { cluster: R.CapiCluster, awscluster: R.AWSCluster, md: R.MachineDeployment, ms: R.MachineSet, machine: R.Machine, amt: R.AWSMachineTemplate, am: R.AWSMachine };
    const lists = await Promise.all(Object.values(types).map((t) => this.list(t, { labelSelector: managed })));
    return Object.fromEntries(Object.keys(types).map((k, i) => [k, this.byKey(lists[i])]));
  }

  private async ref(rt: ResourceType, name: string): Promise<object> {
    this.capiVersion ??= await this.kube.versionOf(R.CapiCluster);
    return this.capiVersion === 'v1beta1' ? { apiVersion: await this.kube.apiVersionOf(rt), kind: rt.kind, name } : { apiGroup: rt.group, kind: rt.kind, name };
  }

  // ------------------------------------------------------------------ MCE addon and operator pods

  /** The hypershift addon: install flags → operator deployment env (only when the configmap changed). */
  private async mceAddon(deploy: Obj | null, cm: Obj | null): Promise<void> {
    if (!deploy || !cm) return;
    const applied = deploy.metadata.annotations?.['hcp-sandbox.kubectl-hcp.io/install-flags-applied'];
    if (applied === cm.metadata.resourceVersion) return;
    const parse = (s: string | undefined) => {
      const out = new Map<string, string>();
      const t = (s ?? '').split(/\s+/).filter(Boolean);
      for (let i = 0; i < t.length; i++) {
        const [flag, inline] = t[i].split('=', 2);
        if (flag === '--monitoring-dashboards') out.set('MONITORING_DASHBOARDS', inline === 'false' ? '' : '1');
        else if (flag === '--metrics-set') out.set('METRICS_SET', inline ?? (t[i + 1] && !t[i + 1].startsWith('--') ? t[++i] : ''));
      }
      return out;
    };
    const add = parse(cm.data?.installFlagsToAdd);
    const remove = parse(cm.data?.installFlagsToRemove);
    await this.kube.update<Obj>(R.Deployment, deploy.metadata.namespace, deploy.metadata.name, (d) => {
      const c = d.spec.template.spec.containers.find((x: { name: string }) => x.name === 'operator') ?? d.spec.template.spec.containers[0];
      let envs = (c.env ?? []) as { name: string; value?: string }[];
      for (const name of remove.keys()) if (!add.has(name)) envs = envs.filter((e) => e.name !== name);
      for (const [name, value] of add) {
        envs = envs.filter((e) => e.name !== name);
        if (value !== '') envs.push({ name, value });
      }
      c.env = envs;
      d.metadata.annotations = { ...d.metadata.annotations, 'hcp-sandbox.kubectl-hcp.io/install-flags-applied': cm.metadata.resourceVersion ?? '' };
    }, { fieldManager: 'hypershift-addon-sim' });
    log(`MCE addon: applied install flags (configmap rv ${cm.metadata.resourceVersion})`);
  }

  /** An operator pod whose METRICS_SET is invalid exits at start: show it in CrashLoopBackOff. */
  private async operatorPods(pods: Obj[], deploy: Obj | null): Promise<void> {
    if (!deploy) return;
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp || !pod.metadata.labels?.name || pod.metadata.labels.name !== 'operator') continue;
      const set = env(pod, 'METRICS_SET', 'operator') ?? '';
      const bad = set !== '' && !METRICS_SETS.includes(set.toLowerCase());
      const cs = (pod.status?.containerStatuses ?? []) as { name: string; state?: { waiting?: { reason?: string } }; restartCount?: number }[];
      const crashing = cs.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff');
      if (!bad || pod.status?.phase !== 'Running') continue;
      const started = Date.parse(pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '') || Date.now();
      const restarts = Math.max(1, Math.floor((Date.now() - started) / 20_000) + 1);
      if (crashing && cs[0]?.restartCount === restarts) continue;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const message = `invalid metrics set "${set}": must be one of Telemetry, SRE, All`;
      await this.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, {
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [operator]', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [operator]', lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
        containerStatuses: pod.spec.containers.map((c: { name: string; image: string }) => ({
          name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: restarts,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.min(10 * 2 ** (restarts - 1), 300)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', message, startedAt: now, finishedAt: now } },
        })),
      });
    }
  }

  // ------------------------------------------------------------------ storage

  /** A minimal local-volume provisioner: every pending PVC gets a PV backed by a directory under .sandbox/. */
  private async provisionVolumes(pvcs: Obj[], pvs: Obj[]): Promise<void> {
    const claimed = new Set(pvs.map((pv) => pv.spec?.claimRef?.uid));
    for (const pvc of pvcs) {
      if (pvc.spec?.volumeName || pvc.metadata.deletionTimestamp || claimed.has(pvc.metadata.uid)) continue;
      const name = `pvc-${pvc.metadata.uid}`;
      const dir = join(this.dir, 'volumes', name);
      mkdirSync(dir, { recursive: true });
      try {
        await this.kube.create(PV, undefined, {
          metadata: { name, labels: { 'hcp-sandbox/provisioned': 'true' } },
          spec: {
            capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
            accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Retain',
            storageClassName: pvc.spec?.storageClassName ?? '',
            volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
            hostPath: { path: dir, type: 'Directory' },
            claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
          },
        }, { fieldManager: FIELD_MANAGER });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    const live = new Set(pvcs.map((p) => p.metadata.uid));
    for (const pv of pvs) {
      if (pv.metadata.labels?.['hcp-sandbox/provisioned'] !== 'true' || live.has(pv.spec?.claimRef?.uid)) continue;
      // The claim is gone: reclaim (delete) the volume and its data, like a Delete reclaim policy.
      await this.del(PV, undefined, pv.metadata.name);
      rmSync(join(this.dir, 'volumes', pv.metadata.name), { recursive: true, force: true });
    }
  }

  /** host directory of a PVC (undefined until bound to one of our PVs). */
  private volumeDir(pvc: Obj | undefined, pvs: Obj[]): string | undefined {
    if (!pvc?.spec?.volumeName || pvc.status?.phase !== 'Bound') return undefined;
    const pv = pvs.find((v) => v.metadata.name === pvc.spec.volumeName);
    return pv?.spec?.hostPath?.path;
  }

  // ------------------------------------------------------------------ HostedCluster

  private async reconcileHostedCluster(
    hc: Obj, nodePools: Obj[], ex: Record<string, Map<string, Obj>>, pods: Obj[], pvcs: Obj[], pvs: Obj[],
    mon: { set: string; sre?: Obj; dashboards: boolean; template?: Obj },
  ): Promise<void> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const key = `${ns}/${name}`;
    const cpns = controlPlaneNamespace(hc);
    const spec = hc.spec ?? {};
    const paused = pausedState(spec.pausedUntil);
    const ra = reconciliationActiveCondition(spec.pausedUntil, paused);
    const infraID = spec.infraID ?? name;
    const ha = spec.controllerAvailabilityPolicy !== 'SingleReplica';
    const size = ha ? 3 : 1;
    const labels = { ...MANAGED };
    const clusterAnno = { 'hypershift.openshift.io/cluster': key };

    // The hosted etcd (PKI, member processes) exists once the control plane does; a paused
    // HostedCluster that never had one (e.g. the benchmark's 200 paused copies) costs nothing.
    let etcd = this.etcd.get(key);
    if (!etcd && (!paused.paused || ex.sts.has(`${cpns}/etcd`))) {
      const idx = this.allocate('clusters', key);
      etcd = new EtcdCluster({ key, namespace: cpns, mgmtIndex: this.cfg.mgmtIndex, clusterIndex: idx, size,
        restoreURL: spec.etcd?.managed?.storage?.restoreSnapshotURL?.[0] }, join(this.dir, 'clusters', cpns), this.cfg.binDir, join(this.cfg.root, 'enter.sh'), log);
      this.etcd.set(key, etcd);
    }

    const capiCluster = ex.cluster.get(`${cpns}/${infraID}`);
    const hcp = ex.hcp.get(`${cpns}/${name}`);
    if (paused.paused) {
      // Paused: copy pausedUntil to the HCP and pause the CAPI Cluster; nothing else.
      if (hcp && hcp.spec?.pausedUntil !== spec.pausedUntil) await this.patch(R.HostedControlPlane, cpns, name, { spec: { pausedUntil: spec.pausedUntil } });
      if (capiCluster && capiCluster.spec?.paused !== true) await this.patch(R.CapiCluster, cpns, infraID, { spec: { paused: true } });
      const conds = mergeConditions(hc.status?.conditions, [
        { type: 'ReconciliationActive', ...ra },
        { type: 'Progressing', status: 'False', reason: 'Blocked', message: 'Reconciliation paused' },
      ], hc.metadata.generation as number);
      void etcd;
      if (condKey(conds) !== condKey(hc.status?.conditions)) await this.patchStatus(R.HostedCluster, ns, name, { conditions: conds });
      await this.reconcileNodePools(hc, nodePools, ex, cpns, true);
      return;
    }

    await this.ensure(R.Namespace, undefined, {
      metadata: { name: cpns, labels: { ...labels, 'hypershift.openshift.io/hosted-control-plane': 'true' }, annotations: clusterAnno },
    }, ex.ns);
    const release = spec.release?.image;
    const hcpSpec = {
      releaseImage: release, pullSecret: spec.pullSecret, sshKey: spec.sshKey ?? { name: '' }, issuerURL: spec.issuerURL ?? 'https://kubernetes.default.svc',
      infraID, clusterID: spec.clusterID, platform: spec.platform, dns: spec.dns, etcd: spec.etcd, services: spec.services, networking: spec.networking,
      controllerAvailabilityPolicy: spec.controllerAvailabilityPolicy, infrastructureAvailabilityPolicy: spec.infrastructureAvailabilityPolicy,
      secretEncryption: spec.secretEncryption, configuration: spec.configuration, ...(spec.pausedUntil ? { pausedUntil: spec.pausedUntil } : {}),
    };
    if (!hcp) {
      await this.ensure(R.HostedControlPlane, cpns, { metadata: { name, namespace: cpns, labels, annotations: clusterAnno }, spec: hcpSpec }, ex.hcp);
    } else {
      // OCPBUGS-77530 on demand: with this annotation a resume leaves the HCP paused, as the real
      // operator sometimes does, so that `kubectl hcp resume` has a leak to find.
      const leak = hc.metadata.annotations?.[LEAK_PAUSES_ANNOTATION] === 'true' && !spec.pausedUntil;
      const wantPaused = leak ? (hcp.spec?.pausedUntil ?? null) : (spec.pausedUntil ?? null);
      if ((hcp.spec?.pausedUntil ?? null) !== wantPaused || hcp.spec?.releaseImage !== release) {
        await this.patch(R.HostedControlPlane, cpns, name, { spec: { pausedUntil: wantPaused, releaseImage: release } });
      }
    }

    // Control-plane workloads.
    const replicas = ha ? 3 : 1;
    const deployment = (dname: string, n: number, containers: string[]) => ({
      metadata: { name: dname, namespace: cpns, labels: { ...labels, app: dname, 'hypershift.openshift.io/control-plane-component': dname } },
      spec: {
        replicas: n, selector: { matchLabels: { app: dname } },
        template: {
          metadata: { labels: { app: dname, 'hypershift.openshift.io/control-plane-component': dname } },
          spec: { automountServiceAccountToken: false, containers: containers.map((c) => ({ name: c, image: release })) },
        },
      },
    });
    const deployments = [
      deployment('kube-apiserver', replicas, ['kube-apiserver', 'konnectivity-server']),
      deployment('openshift-apiserver', replicas, ['openshift-apiserver']),
      deployment('openshift-oauth-apiserver', replicas, ['oauth-apiserver']),
      deployment('control-plane-operator', 1, ['control-plane-operator']),
    ];
    for (const d of deployments) {
      const have = await this.ensure(R.Deployment, cpns, d, ex.deploy);
      if (have && have.spec?.replicas !== d.spec.replicas) await this.kube.scale(R.Deployment, cpns, d.metadata.name, d.spec.replicas);
    }
    for (const svc of ['etcd-discovery', 'etcd-client']) {
      await this.ensureService(cpns, svc);
    }
    const restoreURL = spec.etcd?.managed?.storage?.restoreSnapshotURL?.[0];
    const size8 = spec.etcd?.managed?.storage?.persistentVolume?.size ?? '8Gi';
    const sts = await this.ensure(R.StatefulSet, cpns, {
      metadata: { name: 'etcd', namespace: cpns, labels: { ...labels, app: 'etcd' } },
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
    void sts;

    // Routes (external-dns publishes those with a hostname annotation).
    const routeHost = (svc: string) => `${svc}-${cpns}.apps.${this.cfg.cluster}.${this.cfg.baseDomain}`;
    for (const s of (spec.services ?? []) as { service: string; servicePublishingStrategy: { type: string; route?: { hostname?: string } } }[]) {
      if (s.servicePublishingStrategy?.type !== 'Route') continue;
      const rname = { OAuthServer: 'oauth', Konnectivity: 'konnectivity-server', Ignition: 'ignition-server', OVNSbDb: 'ovnkube-sbdb' }[s.service] ?? s.service.toLowerCase();
      const hostname = s.servicePublishingStrategy.route?.hostname;
      await this.ensure(R.Route, cpns, {
        metadata: { name: rname, namespace: cpns, labels: { ...labels, 'hypershift.openshift.io/hosted-control-plane': cpns },
          annotations: hostname ? { 'external-dns.alpha.kubernetes.io/hostname': hostname } : {} },
        spec: { host: hostname ?? routeHost(rname), to: { kind: 'Service', name: rname }, tls: { termination: 'passthrough' } },
      }, ex.route);
    }

    // CAPI Cluster + AWSCluster.
    await this.ensure(R.AWSCluster, cpns, {
      metadata: { name: infraID, namespace: cpns, labels, annotations: clusterAnno },
      spec: { region: spec.platform?.aws?.region ?? 'us-east-1' },
    }, ex.awscluster);
    if (!capiCluster) {
      await this.ensure(R.CapiCluster, cpns, {
        metadata: { name: infraID, namespace: cpns, labels, annotations: clusterAnno },
        spec: { infrastructureRef: await this.ref(R.AWSCluster, infraID), controlPlaneRef: await this.ref(R.HostedControlPlane, name) },
      }, ex.cluster);
    } else if (capiCluster.spec?.paused) {
      await this.patch(R.CapiCluster, cpns, infraID, { spec: { paused: false } });
    }

    // Monitoring: SRE metrics set copy and the dashboard.
    const sreCopy = ex.cm.get(`${cpns}/sre-metric-set`);
    if (mon.set === 'sre' && mon.sre) {
      const body = { metadata: { name: 'sre-metric-set', namespace: cpns, labels }, data: mon.sre.data ?? {} };
      if (!sreCopy) await this.ensure(R.ConfigMap, cpns, body, ex.cm);
      else if (JSON.stringify(sreCopy.data ?? {}) !== JSON.stringify(body.data)) await this.kube.patch(R.ConfigMap, cpns, 'sre-metric-set', { data: body.data }, 'merge');
    } else if (sreCopy) {
      await this.del(R.ConfigMap, cpns, 'sre-metric-set');
    }
    if (mon.dashboards && mon.template?.data?.template !== undefined) {
      const json = mon.template.data.template.replaceAll('__NAME__', name).replaceAll('__NAMESPACE__', ns)
        .replaceAll('__CONTROL_PLANE_NAMESPACE__', cpns).replaceAll('__CLUSTER_ID__', spec.clusterID ?? '');
      const dname = `hc-${ns}-${name}`;
      const have = ex.cm.get(`openshift-config-managed/${dname}`);
      const body = { metadata: { name: dname, namespace: 'openshift-config-managed', labels: { ...labels, 'console.openshift.io/dashboard': 'true' } }, data: { 'hostedcluster-dashboard.json': json } };
      if (!have) await this.ensure(R.ConfigMap, 'openshift-config-managed', body, ex.cm);
      else if (have.data?.['hostedcluster-dashboard.json'] !== json) await this.kube.patch(R.ConfigMap, 'openshift-config-managed', dname, { data: body.data }, 'merge');
    }

    await this.reconcileNodePools(hc, nodePools, ex, cpns, false);
    await this.hostedClusterStatus(hc, etcd!, pods.filter((p) => p.metadata.namespace === cpns && p.metadata.labels?.app === 'etcd'), ra, size, nodePools);
  }

  private async ensureService(ns: string, name: string): Promise<void> {
    try {
      await this.kube.create(R.Service, ns, {
        metadata: { name, namespace: ns, labels: MANAGED },
        spec: { clusterIP: 'None', publishNotReadyAddresses: name === 'etcd-discovery', selector: { app: 'etcd' },
          ports: [{ name: name === 'etcd-discovery' ? 'peer' : 'etcd-client', port: name === 'etcd-discovery' ? 2380 : 2379 }] },
      }, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  private async hostedClusterStatus(hc: Obj, etcd: EtcdCluster, etcdPods: Obj[], ra: { status: string; reason: string; message: string }, size: number, nodePools: Obj[]): Promise<void> {
    void nodePools;
    const key = `${hc.metadata.namespace}/${hc.metadata.name}`;
    const healthy = etcd.healthyCount();
    const quorum = Math.floor(size / 2) + 1;
    const etcdOk = healthy >= quorum;
    const ready = etcdPods.filter((p) => (p.status?.conditions ?? []).some((c: Cond) => c.type === 'Ready' && c.status === 'True')).length;
    const release = hc.spec?.release?.image;
    const version = releaseVersion(release) ?? '4.15.0';
    const history = (hc.status?.version?.history ?? []) as { image: string; version: string; state: string; startedTime: string; completionTime: string | null; verified: boolean }[];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let newHistory = history;
    let progressing = false;
    if (!history.length || history[0].image !== release) {
      newHistory = [{ image: release, version, state: 'Partial', startedTime: now, completionTime: null, verified: false },
        ...history.map((h) => (h.state === 'Partial' ? { ...h, state: 'Partial' } : h))].slice(0, 10);
      this.hcUpdating.set(key, Date.now() + (history.length ? 5000 : 0));
      progressing = true;
    } else if (history[0].state === 'Partial') {
      if (etcdOk && Date.now() >= (this.hcUpdating.get(key) ?? 0)) newHistory = [{ ...history[0], state: 'Completed', completionTime: now }, ...history.slice(1)];
      else progressing = true;
    }
    const degraded = ready < etcdPods.length || etcdPods.length < size;
    const idp = await this.idpCondition(hc);
    const conds = mergeConditions(hc.status?.conditions, [
      ...(idp ? [idp] : []),
      { type: 'ReconciliationActive', ...ra },
      { type: 'ValidReleaseImage', status: 'True', reason: 'AsExpected', message: 'Release image is valid' },
      { type: 'EtcdAvailable', status: etcdOk ? 'True' : 'False', reason: etcdOk ? 'QuorumAvailable' : 'EtcdWaitingForQuorum',
        message: etcdOk ? 'Etcd has quorum' : this.etcdProblem(etcd, size) },
      { type: 'Available', status: etcdOk ? 'True' : 'False', reason: etcdOk ? 'AsExpected' : 'EtcdQuorumUnavailable',
        message: etcdOk ? 'The hosted control plane is available' : 'etcd does not have quorum' },
      { type: 'Degraded', status: degraded ? 'True' : 'False', reason: degraded ? 'UnavailableReplicas' : 'AsExpected',
        message: degraded ? `etcd statefulset has ${Math.max(size - ready, 0)} unavailable replicas` : 'The hosted cluster is not degraded' },
      { type: 'Progressing', status: progressing ? 'True' : 'False', reason: progressing ? 'Progressing' : 'AsExpected',
        message: progressing ? `HostedCluster is deploying, upgrading, or reconfiguring` : 'HostedCluster is at expected version' },
    ], hc.metadata.generation as number);
    const status: Record<string, unknown> = {};
    if (condKey(conds) !== condKey(hc.status?.conditions)) status.conditions = conds;
    if (Object.keys(status).length) await this.patchStatus(R.HostedCluster, hc.metadata.namespace, hc.metadata.name, status);
    if (newHistory !== history || !hc.status?.version) {
      // completionTime and availableUpdates are required but nullable: a JSON patch keeps the nulls
      // that a merge patch would drop.
      const v = { desired: { image: release, version }, history: newHistory, observedGeneration: hc.metadata.generation, availableUpdates: null };
      try {
        await this.kube.patch(R.HostedCluster, hc.metadata.namespace, hc.metadata.name,
          [...(hc.status ? [] : [{ op: 'add', path: '/status', value: {} }]), { op: 'add', path: '/status/version', value: v }], 'json', { subresource: 'status', fieldManager: FIELD_MANAGER });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }

  /**
   * ValidIDPConfiguration, as far as the management cluster can judge it: every Secret and
   * ConfigMap an identity provider references exists in the HostedCluster namespace with the key
   * the operator reads (FACTS). Not reported while no provider is configured.
   */
  private async idpCondition(hc: Obj): Promise<Cond | undefined> {
    const idps = (hc.spec?.configuration?.oauth?.identityProviders ?? []) as Record<string, any>[];
    if (!idps.length) return undefined;
    const refs: { idp: string; rt: typeof R.Secret | typeof R.ConfigMap; name?: string; key: string }[] = [];
    for (const idp of idps) {
      const body = Object.values(idp).find((v) => v && typeof v === 'object' && !Array.isArray(v)) as Record<string, any> | undefined;
      if (!body) continue;
      if (body.clientSecret) refs.push({ idp: idp.name, rt: R.Secret, name: body.clientSecret.name, key: 'clientSecret' });
      if (body.fileData) refs.push({ idp: idp.name, rt: R.Secret, name: body.fileData.name, key: 'htpasswd' });
      if (body.bindPassword) refs.push({ idp: idp.name, rt: R.Secret, name: body.bindPassword.name, key: 'bindPassword' });
      if (body.ca) refs.push({ idp: idp.name, rt: R.ConfigMap, name: body.ca.name, key: 'ca.crt' });
    }
    for (const ref of refs) {
      const obj = ref.name ? await this.kube.getOrNull<Obj>(ref.rt, hc.metadata.namespace, ref.name) : null;
      if (!obj?.data?.[ref.key]) {
        return { type: 'ValidIDPConfiguration', status: 'False', reason: 'IDPConfigurationError',
          message: `identity provider "${ref.idp}": ${ref.rt.kind} ${ref.name} has no key ${ref.key}` };
      }
    }
    return { type: 'ValidIDPConfiguration', status: 'True', reason: 'AsExpected', message: 'Identity provider configuration is valid' };
  }

  private etcdProblem(etcd: EtcdCluster, size: number): string {
    for (let n = 0; n < size; n++) {
      const p = etcd.phase(n);
      if (p.kind === 'init-failed') return `etcd-${n}: init container etcd-init failed: ${p.message}`;
    }
    return `${etcd.healthyCount()} of ${size} etcd members are healthy`;
  }

  // ------------------------------------------------------------------ NodePools and CAPI

  private async reconcileNodePools(hc: Obj, nodePools: Obj[], ex: Record<string, Map<string, Obj>>, cpns: string, hcPaused: boolean): Promise<void> {
    const hcVersion = releaseVersion(hc.spec?.release?.image);
    const capiCluster = ex.cluster.get(`${cpns}/${hc.spec?.infraID ?? hc.metadata.name}`);
    const capiPaused = hcPaused || capiCluster?.spec?.paused === true;
    const guest = await this.guestClient(hc);
    const guestNodes = guest ? (await guest.list<Obj>(R.Node)).items : [];
    for (const np of nodePools) {
      const npKey = `${np.metadata.namespace}/${np.metadata.name}`;
      const npName = np.metadata.name;
      const npPaused = pausedState(np.spec?.pausedUntil);
      const ra = reconciliationActiveCondition(np.spec?.pausedUntil, npPaused);
      const pausedAnno = npPaused.paused ? { 'cluster.x-k8s.io/paused': 'true' } : {};
      const npAnno = { 'hypershift.openshift.io/nodePool': npKey };
      const replicas = Number(np.spec?.replicas ?? np.spec?.autoScaling?.min ?? 0);
      const image = np.spec?.release?.image;
      const npVersion = releaseVersion(image);
      const tooNew = !!(npVersion && hcVersion && compareVersions(npVersion, hcVersion) > 0);
      const labels = { ...MANAGED, 'cluster.x-k8s.io/cluster-name': hc.spec?.infraID ?? hc.metadata.name };
      const rt = this.npRuntime.get(npKey) ?? {};
      this.npRuntime.set(npKey, rt);

      let md = ex.md.get(`${cpns}/${npName}`);
      const msName = `${npName}-${hash5(`${npKey}/${image}`)}`;
      if (!npPaused.paused && !tooNew) {
        await this.ensure(R.AWSMachineTemplate, cpns, {
          metadata: { name: npName, namespace: cpns, labels, annotations: npAnno },
          spec: { template: { spec: { instanceType: np.spec?.platform?.aws?.instanceType ?? 'm5.large', ami: { id: 'ami-0sandbox' } } } },
        }, ex.amt);
        const template = {
          metadata: { labels: { 'hypershift.openshift.io/nodePool': npName } },
          spec: {
            clusterName: labels['cluster.x-k8s.io/cluster-name'], version: npVersion ? `v${npVersion}` : undefined,
            bootstrap: { dataSecretName: `user-data-${npName}` }, infrastructureRef: await this.ref(R.AWSMachineTemplate, npName),
          },
        };
        if (!md) {
          md = await this.ensure(R.MachineDeployment, cpns, {
            metadata: { name: npName, namespace: cpns, labels, annotations: { ...npAnno } },
            spec: { clusterName: template.spec.clusterName, replicas, selector: { matchLabels: { 'hypershift.openshift.io/nodePool': npName } }, template },
          }, ex.md);
        } else if (md.spec?.replicas !== replicas || md.metadata.annotations?.['cluster.x-k8s.io/paused'] || md.spec?.template?.spec?.version !== template.spec.version) {
          await this.kube.patch(R.MachineDeployment, cpns, npName, { metadata: { annotations: { 'cluster.x-k8s.io/paused': null } }, spec: { replicas, template } }, 'merge');
          md = { ...md, spec: { ...md.spec, replicas, template }, metadata: { ...md.metadata, annotations: { ...md.metadata.annotations, 'cluster.x-k8s.io/paused': undefined as unknown as string } } };
        }
        // A release change rolls the NodePool: UpdatingVersion=True for a few seconds.
        if (rt.version === undefined) rt.version = np.status?.version ?? npVersion;
        if (npVersion && rt.version !== npVersion && !rt.updatingUntil) rt.updatingUntil = Date.now() + 5000;
      } else if (npPaused.paused && md && md.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
        await this.patch(R.MachineDeployment, cpns, npName, { metadata: { annotations: pausedAnno } });
        for (const ms of ex.ms.values()) {
          if (ms.metadata.namespace === cpns && ms.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey) await this.patch(R.MachineSet, cpns, ms.metadata.name, { metadata: { annotations: pausedAnno } });
        }
      }

      // The CAPI controllers: MachineDeployment → MachineSet → Machines/AWSMachines → guest Nodes.
      let machineCount = [...ex.machine.values()].filter((m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName).length;
      if (md && !capiPaused && !npPaused.paused && md.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
        machineCount = await this.capiMachines(hc, np, md, msName, cpns, ex, guest, guestNodes, labels);
      } else if (npPaused.paused) {
        for (const ms of ex.ms.values()) {
          if (ms.metadata.namespace === cpns && ms.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey && ms.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
            await this.patch(R.MachineSet, cpns, ms.metadata.name, { metadata: { annotations: pausedAnno } });
          }
        }
      }

      // Status.
      const updating = !!rt.updatingUntil && Date.now() < rt.updatingUntil;
      if (rt.updatingUntil && !updating) {
        rt.version = npVersion;
        rt.updatingUntil = undefined;
      }
      const statusVersion = tooNew ? np.status?.version : (updating ? rt.version : npVersion ?? rt.version);
      const conds = mergeConditions(np.status?.conditions, [
        { type: 'ReconciliationActive', ...ra },
        { type: 'ValidReleaseImage', status: tooNew ? 'False' : 'True', reason: tooNew ? 'ValidationFailed' : 'AsExpected',
          message: tooNew ? `NodePool version ${npVersion} cannot be higher than the HostedCluster version ${hcVersion}` : `Using release image: ${image}` },
        { type: 'UpdatingVersion', status: updating ? 'True' : 'False', reason: updating ? 'AsExpected' : 'AsExpected',
          message: updating ? `Updating version in progress. Target version: ${npVersion}` : '' },
        { type: 'AllMachinesReady', status: machineCount >= replicas ? 'True' : 'False', reason: machineCount >= replicas ? 'AsExpected' : 'WaitingForMachines',
          message: machineCount >= replicas ? 'All is well' : `${machineCount} of ${replicas} machines are ready` },
        { type: 'Ready', status: !tooNew && machineCount >= replicas ? 'True' : 'False', reason: tooNew ? 'ValidationFailed' : machineCount >= replicas ? 'AsExpected' : 'ScalingUp',
          message: tooNew ? 'NodePool release image is not valid' : machineCount >= replicas ? '' : `Scaling to ${replicas} replicas` },
      ].map((c) => ({ ...c, message: c.message || (c.status === 'True' ? 'All is well' : 'none') })), np.metadata.generation as number);
      const status: Record<string, unknown> = {};
      if (condKey(conds) !== condKey(np.status?.conditions)) status.conditions = conds;
      if ((np.status?.replicas ?? 0) !== machineCount) status.replicas = machineCount;
      if (statusVersion && np.status?.version !== statusVersion) status.version = statusVersion;
      if (Object.keys(status).length) await this.patchStatus(R.NodePool, np.metadata.namespace, npName, status);
    }
  }

  private async capiMachines(hc: Obj, np: Obj, md: Obj, msName: string, cpns: string, ex: Record<string, Map<string, Obj>>,
    guest: KubeClient | undefined, guestNodes: Obj[], labels: Record<string, string>): Promise<number> {
    const npKey = `${np.metadata.namespace}/${np.metadata.name}`;
    const npName = np.metadata.name;
    const replicas = Number(md.spec?.replicas ?? 0);
    const sel = { 'hypershift.openshift.io/nodePool': npName };
    const msSpec = { clusterName: md.spec.clusterName, replicas, selector: { matchLabels: sel }, template: md.spec.template };
    const ms = ex.ms.get(`${cpns}/${msName}`);
    if (!ms) await this.ensure(R.MachineSet, cpns, { metadata: { name: msName, namespace: cpns, labels: { ...labels, ...sel }, annotations: { 'hypershift.openshift.io/nodePool': npKey } }, spec: msSpec }, ex.ms);
    else if (ms.spec?.replicas !== replicas || ms.metadata.annotations?.['cluster.x-k8s.io/paused']) {
      await this.kube.patch(R.MachineSet, cpns, msName, { metadata: { annotations: { 'cluster.x-k8s.io/paused': null } }, spec: { replicas } }, 'merge');
    }
    // Older MachineSets of this pool (a release change rolls them) are removed.
    for (const other of ex.ms.values()) {
      if (other.metadata.namespace === cpns && other.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey && other.metadata.name !== msName) {
        await this.del(R.MachineSet, cpns, other.metadata.name);
        ex.ms.delete(`${cpns}/${other.metadata.name}`);
      }
    }
    const subnet = this.allocate('pools', `${this.cfg.cluster}/${npKey}`);
    const nodeName = (i: number) => `ip-10-0-${subnet}-${10 + i}.ec2.internal`;
    const machines = [...ex.machine.values()].filter((m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName);
    const wanted = new Set(Array.from({ length: replicas }, (_, i) => `${npName}-${i}`));
    for (const m of machines) {
      if (wanted.has(m.metadata.name) && !m.metadata.deletionTimestamp) continue;
      await this.del(R.Machine, cpns, m.metadata.name);
      await this.del(R.AWSMachine, cpns, m.metadata.name);
      ex.machine.delete(`${cpns}/${m.metadata.name}`);
    }
    for (let i = 0; i < replicas; i++) {
      const mname = `${npName}-${i}`;
      if (ex.machine.has(`${cpns}/${mname}`)) continue;
      await this.ensure(R.AWSMachine, cpns, {
        metadata: { name: mname, namespace: cpns, labels: { ...labels, ...sel } },
        spec: { instanceType: np.spec?.platform?.aws?.instanceType ?? 'm5.large', providerID: `aws:///us-east-1a/i-0sandbox${hash5(mname)}${i}` },
      }, ex.am);
      const created = await this.ensure(R.Machine, cpns, {
        metadata: { name: mname, namespace: cpns, labels: { ...labels, ...sel, 'cluster.x-k8s.io/set-name': msName }, annotations: { 'hypershift.openshift.io/nodePool': npKey } },
        spec: { clusterName: md.spec.clusterName, bootstrap: { dataSecretName: `user-data-${npName}` }, infrastructureRef: await this.ref(R.AWSMachine, mname),
          providerID: `aws:///us-east-1a/i-0sandbox${hash5(mname)}${i}`, ...(md.spec.template?.spec?.version ? { version: md.spec.template.spec.version } : {}) },
      }, ex.machine);
      if (created) await this.patchStatus(R.Machine, cpns, mname, { phase: 'Running', nodeRef: this.capiVersion === 'v1beta1' ? { kind: 'Node', name: nodeName(i), apiVersion: 'v1' } : { name: nodeName(i) } });
    }
    // The guest's Nodes follow the Machines.
    if (guest) {
      const mine = guestNodes.filter((n) => n.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName);
      const wantNodes = new Set(Array.from({ length: replicas }, (_, i) => nodeName(i)));
      for (const n of mine) if (!wantNodes.has(n.metadata.name)) await guest.delete(R.Node, undefined, n.metadata.name);
      for (const n of wantNodes) {
        if (guestNodes.some((g) => g.metadata.name === n)) continue;
        try {
          await guest.create(R.Node, undefined, {
            metadata: { name: n, labels: { 'kubernetes.io/hostname': n, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/worker': '',
              'hypershift.openshift.io/nodePool': npName }, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' } },
            spec: { providerID: `aws:///us-east-1a/i-0sandbox${n.replace(/\W/g, '').slice(-8)}` },
          });
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
      }
    }
    void hc;
    return replicas;
  }

  /** The guest cluster's API, from the HostedCluster's admin kubeconfig secret (status.kubeconfig). */
  private async guestClient(hc: Obj): Promise<KubeClient | undefined> {
    const secretName = hc.status?.kubeconfig?.name;
    if (!secretName) return undefined;
    const secret = await this.kube.getOrNull<Obj>(R.Secret, hc.metadata.namespace, secretName);
    const data = secret?.data?.kubeconfig;
    if (!secret || !data) return undefined;
    const key = `${hc.metadata.namespace}/${secretName}`;
    const cached = this.guests.get(key);
    if (cached && cached.rv === secret.metadata.resourceVersion) return cached.client;
    const file = join(this.dir, `guest-${hc.metadata.namespace}-${secretName}.kubeconfig`);
    writeFileSync(file, Buffer.from(data, 'base64'), { mode: 0o600 });
    const client = new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig: file }, {}), env: {}, timeoutMs: 30_000 });
    this.guests.set(key, { rv: secret.metadata.resourceVersion ?? '', client });
    return client;
  }

  // ------------------------------------------------------------------ etcd pods

  /** Pods of control-plane etcd statefulsets run real members; pods mounting our volumes get a private filesystem. */
  private async etcdPods(pods: Obj[], pvcs: Obj[], pvs: Obj[], execs: Obj[]): Promise<void> {
    const byNs = new Map<string, EtcdCluster>();
    for (const c of this.etcd.values()) byNs.set(c.spec.namespace, c);
    const keepMembers = new Map<EtcdCluster, Set<number>>();
    const wantExec = new Set<string>();
    const execByKey = this.byKey(execs);
    const podKeys = new Set(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    for (const c of this.etcd.values()) keepMembers.set(c, new Set());
    await Promise.all([...this.etcd.values()].map((c) => c.checkHealth()));

    for (const pod of pods) {
      const ns = pod.metadata.namespace!;
      const cluster = byNs.get(ns);
      const claims = ((pod.spec?.volumes ?? []) as { name: string; persistentVolumeClaim?: { claimName: string } }[]).filter((v) => v.persistentVolumeClaim);
      const isMember = !!cluster && pod.metadata.labels?.app === 'etcd' && pod.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === 'etcd');
      if (!isMember && !claims.some((v) => this.volumeDir(pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === v.persistentVolumeClaim!.claimName), pvs))) continue;
      const podDir = join(this.dir, 'pods', ns, pod.metadata.name);
      const key = `${ns}/${pod.metadata.name}`;
      wantExec.add(key);
      if (pod.metadata.deletionTimestamp) continue;
      if (isMember) {
        const n = Number(/-(\d+)$/.exec(pod.metadata.name)?.[1] ?? -1);
        const pvc = pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === `data-${pod.metadata.name}`);
        const dataDir = this.volumeDir(pvc, pvs);
        if (n < 0 || !dataDir || !pod.spec?.nodeName) continue;
        const execObj = cluster.preparePod(podDir, pod.metadata.name, n, dataDir, this.cfg.workDir);
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
            const dir = v && this.volumeDir(pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === v.persistentVolumeClaim!.claimName), pvs);
            if (dir && !mounts.some((m) => m[1] === vm.mountPath)) mounts.push([dir, vm.mountPath]);
          }
        }
        preparePod(podDir, {
          hosts: cluster ? cluster.hosts() : [['127.0.0.1', 'localhost']], files: {}, mounts,
          env: { HOSTNAME: pod.metadata.name }, programs: Object.fromEntries(['etcd', 'etcdctl', 'etcdutl'].map((p) => [p, join(this.cfg.binDir, p)])),
        });
        if (!execByKey.has(key)) await this.createExec(podExecObject(ns, pod.metadata.name, podDir, this.cfg.workDir));
      }
    }
    for (const [c, keep] of keepMembers) c.retain(keep);
    for (const [key, e] of execByKey) {
      if (!podKeys.has(key) || !wantExec.has(key)) await this.del(Exec, e.metadata.namespace, e.metadata.name);
    }
  }

  private async createExec(obj: object): Promise<void> {
    try {
      await this.kube.create(Exec, (obj as Obj).metadata.namespace, obj, { fieldManager: FIELD_MANAGER });
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
    if (sig(status) !== sig(pod.status)) await this.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, status);
  }
}

export function log(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
}

export { memberIP };

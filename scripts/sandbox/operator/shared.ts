// Shared helpers of the simulated HyperShift operator (test infrastructure, not product): the
// object type, condition merging, and a small client wrapper every simulated controller uses.
// Names, keys and condition reasons follow ../shared/upstream/FACTS.md and the upstream source.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../../src/kube/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../../src/kube/errors.ts';
import { resolveKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Resources as R, type KubeObject, type ResourceType } from '../../../src/kube/resources.ts';

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = KubeObject & { spec?: any; status?: any; data?: Record<string, string> };
export type Existing = Record<string, Map<string, Obj>>;
export const Exec: ResourceType = { kind: 'Exec', group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'execs', namespaced: true };
export const PV: ResourceType = { kind: 'PersistentVolume', group: '', version: 'v1', plural: 'persistentvolumes', namespaced: false };

export const STATUS_ANNOTATION = 'hcp-sandbox.kubectl-hcp.io/status';
export const MANAGED = { 'hcp-sandbox.kubectl-hcp.io/managed-by': 'simulated-hypershift-operator' };
export const MANAGED_SELECTOR = 'hcp-sandbox.kubectl-hcp.io/managed-by=simulated-hypershift-operator';
export const FIELD_MANAGER = 'hypershift-operator-sim';

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

export interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export const nowRFC3339 = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The status a kubelet writes for a pod whose containers all started and are ready (kubelet
 * status_manager: phase Running, every pod condition True, each container running).
 */
export function runningPodStatus(pod: Obj, now = nowRFC3339()): Record<string, unknown> {
  return {
    phase: 'Running',
    startTime: pod.status?.startTime ?? now,
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
      type,
      status: 'True',
      lastTransitionTime: now,
    })),
    containerStatuses: (pod.spec.containers as { name: string; image: string }[]).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
}

export function mergeConditions(existing: Cond[] | undefined, wanted: Cond[], generation?: number): Cond[] {
  const now = nowRFC3339();
  const out = [...(existing ?? [])];
  for (const w of wanted) {
    const i = out.findIndex((c) => c.type === w.type);
    const prev = i >= 0 ? out[i] : undefined;
    const c: Cond = {
      ...w,
      lastTransitionTime: prev && prev.status === w.status ? prev.lastTransitionTime : now,
      ...(w.observedGeneration === undefined && generation !== undefined ? { observedGeneration: generation } : {}),
    };
    if (i >= 0) out[i] = c;
    else out.push(c);
  }
  return out;
}
export const condKey = (cs: Cond[] | undefined) => JSON.stringify((cs ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration]).sort());

export const hash5 = (s: string) =>
  createHash('sha256')
    .update(s)
    .digest('hex')
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 5);
export const env = (o: Obj | undefined, name: string, container?: string): string | undefined => {
  const cs = (o?.spec?.template?.spec?.containers ?? o?.spec?.containers ?? []) as { name: string; env?: { name: string; value?: string }[] }[];
  const c = container ? cs.find((x) => x.name === container) : cs[0];
  return c?.env?.find((e) => e.name === name)?.value;
};

export const finalizersOf = (o: Obj): string[] => (o.metadata.finalizers as string[] | undefined) ?? [];

export function log(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
}

/** What every simulated controller shares: the management cluster's client and a few write helpers. */
export class Ctx {
  readonly cfg: OperatorConfig;
  readonly kube: KubeClient;
  readonly dir: string;
  private allocations: { clusters: Record<string, number>; pools: Record<string, number> };
  private capiVersion?: string;
  private guestKubeconfigText?: string;
  /** The leading operator pod's settings (env read at its start); undefined while no operator pod runs. */
  operatorSettings?: { pod: string; metricsSet: 'Telemetry' | 'SRE' | 'All'; dashboards: boolean; etcdRecovery: boolean };

  constructor(cfg: OperatorConfig) {
    this.cfg = cfg;
    this.kube = new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig: cfg.kubeconfig }, process.env), env: {}, timeoutMs: 30_000 });
    this.dir = join(cfg.root, cfg.cluster);
    mkdirSync(this.dir, { recursive: true });
    const allocFile = join(this.dir, 'allocations.json');
    this.allocations = existsSync(allocFile) ? JSON.parse(readFileSync(allocFile, 'utf8')) : { clusters: {}, pools: {} };
  }

  private saveAllocations(): void {
    writeFileSync(join(this.dir, 'allocations.json'), JSON.stringify(this.allocations, null, 2));
  }

  allocate(kind: 'clusters' | 'pools', key: string): number {
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

  release(kind: 'clusters' | 'pools', key: string): void {
    if (this.allocations[kind][key]) {
      delete this.allocations[kind][key];
      this.saveAllocations();
    }
  }

  async ensure(rt: ResourceType, ns: string | undefined, body: Obj, existing: Map<string, Obj>): Promise<Obj | undefined> {
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

  async patchStatus(rt: ResourceType, ns: string | undefined, name: string, status: object): Promise<void> {
    try {
      await this.kube.patch(rt, ns, name, { status }, 'merge', { subresource: 'status', fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  async patch(rt: ResourceType, ns: string | undefined, name: string, patch: object): Promise<void> {
    try {
      await this.kube.patch(rt, ns, name, patch, 'merge', { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async del(rt: ResourceType, ns: string | undefined, name: string): Promise<void> {
    await this.kube.delete(rt, ns, name, { propagationPolicy: 'Background' });
  }

  byKey(items: Obj[]): Map<string, Obj> {
    return new Map(items.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  }

  async list(rt: ResourceType, opts: { namespace?: string; labelSelector?: string } = {}): Promise<Obj[]> {
    return (await this.kube.list<Obj>(rt, opts)).items;
  }

  /** A CAPI object reference in the served CAPI version's shape (v1beta1 apiVersion, v1beta2 apiGroup). */
  async ref(rt: ResourceType, name: string): Promise<object> {
    this.capiVersion ??= await this.kube.versionOf(R.CapiCluster);
    return this.capiVersion === 'v1beta1' ? { apiVersion: await this.kube.apiVersionOf(rt), kind: rt.kind, name } : { apiGroup: rt.group, kind: rt.kind, name };
  }

  async capiVersionOf(): Promise<string> {
    this.capiVersion ??= await this.kube.versionOf(R.CapiCluster);
    return this.capiVersion;
  }

  /** The sandbox's one guest API server: every hosted cluster's admin kubeconfig points at it. */
  guestKubeconfig(): string {
    this.guestKubeconfigText ??= readFileSync(join(this.cfg.workDir, 'guest.kubeconfig'), 'utf8');
    return this.guestKubeconfigText;
  }

  /** The served CAPI version, once known (after the first ref()). */
  get capi(): string | undefined {
    return this.capiVersion;
  }
}

/**
 * How long simulated work takes, in seconds: defaults here, overridden for the whole operator by
 * env HCP_SANDBOX_TIMING (e.g. "upgrade=60,machine=10"), then by configmap hcp-sandbox-settings
 * in the operator namespace (key `timing`, same form, read every loop), and per object by the annotation
 * sandbox.kubectl-hcp.dev/timing on the HostedCluster or NodePool (same form), so tests can make
 * a step slow or fast. Upstream has no such knob; the defaults are shorter than real life (an
 * upgrade takes tens of minutes) but long enough that a tool must wait for the change it caused.
 */
export const TIMING_ANNOTATION = 'sandbox.kubectl-hcp.dev/timing';
const DEFAULT_TIMING: Record<string, number> = {
  install: 5, // a new control plane's first version history entry goes Completed (after etcd quorum)
  upgrade: 20, // a release change of a HostedCluster: history Partial → Completed
  machine: 5, // a new Machine: provisioning → Running, its guest Node appears and becomes Ready
  delete: 3, // a HostedCluster's teardown after its NodePools are gone
  addon: 20, // the MCE addon's re-install Job after an install-flags change
  rollout: 5, // a new operator pod takes over from the old one (reads its env at start)
  dns: 60, // external-dns sync interval (upstream --interval=1m, DefaultExternalDNSInterval)
};
function parseTiming(s: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (s ?? '').split(',')) {
    const m = /^\s*(\w+)\s*=\s*(\d+(?:\.\d+)?)s?\s*$/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
const ENV_TIMING = parseTiming(process.env.HCP_SANDBOX_TIMING);
/** Set each loop from configmap hcp-sandbox-settings (operator namespace), key `timing`: a test hook that needs no restart. */
let clusterTiming: Record<string, number> = {};
export const SETTINGS_CONFIGMAP = 'hcp-sandbox-settings';
export function setClusterTiming(s: string | undefined): void {
  clusterTiming = parseTiming(s);
}
/** Milliseconds a simulated step takes for this object. */
export function timing(name: keyof typeof DEFAULT_TIMING | string, ...objs: (Obj | undefined)[]): number {
  for (const o of objs) {
    const v = parseTiming(o?.metadata.annotations?.[TIMING_ANNOTATION])[name];
    if (v !== undefined) return v * 1000;
  }
  return (clusterTiming[name] ?? ENV_TIMING[name] ?? DEFAULT_TIMING[name] ?? 5) * 1000;
}

/** The finalizer the HostedCluster and NodePool controllers put on their objects (hostedcluster_controller.go HostedClusterFinalizer, nodepool_controller.go finalizer). */
export const HYPERSHIFT_FINALIZER = 'hypershift.openshift.io/finalizer';

/** A HostedCluster with this annotation gets status but no control plane (benchmarks: see README). */
export const NO_CONTROL_PLANE_ANNOTATION = 'sandbox.kubectl-hcp.dev/no-control-plane';

// The operator deployment itself and what it configures: the operator pods (each reads its env
// at start, the leader's settings are the ones in force), the MCE hypershift addon's re-install
// from local-cluster/hypershift-operator-install-flags, the SRE metrics-set copy and the
// per-cluster dashboard.
//   hypershift-operator/main.go: setupMetricsSet (METRICS_SET and sre-metric-set read at start;
//     an error makes the process exit), setupHostedClusterController (MONITORING_DASHBOARDS=="1",
//     ENABLE_ETCD_RECOVERY=="1" read at start)
//   hostedcluster_controller.go: effectiveMetricsSet, reconcileSREMetricsConfig (copy made, never
//     deleted), the monitoring dashboard (created while dashboards are on; deleted with the cluster)
//   cmd/install/assets/hypershift_operator.go: the env a `hypershift install` renders from flags
import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import { Resources as R } from '../../../src/kube/resources.ts';
import { type Ctx, type Existing, log, MANAGED, nowRFC3339, type Obj, runningPodStatus, STATUS_ANNOTATION, timing } from './shared.ts';

export type MetricsSet = 'Telemetry' | 'SRE' | 'All';
/** The settings of the operator pod that leads (it read them from its env when it started). */
export interface OperatorSettings {
  pod: string;
  metricsSet: MetricsSet;
  dashboards: boolean;
  etcdRecovery: boolean;
}
export interface MonitoringSettings {
  operator: OperatorSettings;
  sre?: Obj;
  template?: Obj;
}

/** metrics.MetricsSetFromEnv: case-insensitive, empty means Telemetry. */
export function parseMetricsSet(v: string | undefined): MetricsSet | undefined {
  const s = (v ?? '').toLowerCase();
  return s === '' || s === 'telemetry' ? 'Telemetry' : s === 'sre' ? 'SRE' : s === 'all' ? 'All' : undefined;
}

const RELABEL_FIELDS: Record<string, 'string' | 'strings' | 'int'> = {
  sourceLabels: 'strings',
  separator: 'string',
  targetLabel: 'string',
  regex: 'string',
  modulus: 'int',
  replacement: 'string',
  action: 'string',
};
/**
 * metrics.LoadSREMetricsSetConfigurationFromConfigMap: the `config` key as YAML into the
 * component → []RelabelConfig struct, non-strict (unknown keys dropped), type mismatches fail.
 * The error wording approximates sigs.k8s.io/yaml's (not in the upstream copy).
 */
export function sreConfigError(cm: Obj | undefined): string | undefined {
  if (!cm) return undefined;
  let doc: unknown;
  try {
    doc = yaml.load(cm.data?.config ?? '');
  } catch (err) {
    return `error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`;
  }
  if (doc === undefined || doc === null) return undefined;
  const jt = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v);
  const bad = (what: string, v: unknown, into: string) =>
    `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jt(v)} into Go ${what} of type ${into}`;
  if (jt(doc) !== 'object') return bad('value', doc, 'metrics.MetricsSetConfig');
  for (const [component, list] of Object.entries(doc as Record<string, unknown>)) {
    if (list === null) continue;
    if (!Array.isArray(list)) return bad(`struct field MetricsSetConfig.${component}`, list, '[]*v1.RelabelConfig');
    for (const rc of list) {
      if (rc === null) continue;
      if (jt(rc) !== 'object') return bad(`struct field MetricsSetConfig.${component}`, rc, 'v1.RelabelConfig');
      for (const [k, v] of Object.entries(rc as Record<string, unknown>)) {
        const t = RELABEL_FIELDS[k];
        if (!t || v === null) continue;
        const ok = t === 'string' ? typeof v === 'string' : t === 'int' ? Number.isInteger(v) : Array.isArray(v) && v.every((x) => typeof x === 'string');
        if (!ok) return bad(`struct field RelabelConfig.${component}.${k}`, v, t === 'string' ? 'string' : t === 'int' ? 'uint64' : 'model.LabelNames');
      }
    }
  }
  return undefined;
}

const podEnv = (pod: Obj) => {
  const c =
    ((pod.spec?.containers ?? []) as { name: string; env?: { name: string; value?: string }[] }[]).find((x) => x.name === 'operator') ??
    pod.spec?.containers?.[0];
  return Object.fromEntries(((c?.env ?? []) as { name: string; value?: string }[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
};

/** `hypershift install` flags without a value (a subset, as the addon may pass them). */
const BOOL_FLAGS = new Set([
  '--monitoring-dashboards',
  '--enable-uwm-telemetry-remote-write',
  '--enable-etcd-recovery',
  '--enable-conversion-webhook',
  '--enable-validating-webhook',
  '--enable-defaulting-webhook',
  '--limit-crd-install',
  '--enable-ocp-cluster-monitoring',
  '--enable-admin-rbac-generation',
  '--enable-dedicated-request-serving-isolation',
  '--enable-cvo-management-cluster-metrics-access',
  '--wait-until-available',
  '--development',
  '--tech-preview-no-upgrade',
]);
/** `hypershift install` flags the addon may pass (a subset; anything else is an unknown flag). */
const INSTALL_FLAGS = new Set([
  ...BOOL_FLAGS,
  '--metrics-set',
  '--platform-monitoring',
  '--namespace',
  '--hypershift-image',
  '--image-refs',
  '--external-dns-provider',
  '--external-dns-domain-filter',
  '--external-dns-credentials',
  '--external-dns-secret',
  '--external-dns-txt-owner-id',
  '--external-dns-interval',
  '--oidc-storage-provider-s3-bucket-name',
  '--oidc-storage-provider-s3-region',
  '--oidc-storage-provider-s3-credentials',
  '--oidc-storage-provider-s3-secret',
  '--private-platform',
  '--aws-private-region',
  '--aws-private-creds',
  '--aws-private-secret',
]);
/** The two flags the addon adds by default, the only ones installFlagsToRemove can suppress (hypershift-addon-operator buildOtherInstallFlags). */
const ADDON_DEFAULTS = ['--platform-monitoring=OperatorOnly', '--enable-uwm-telemetry-remote-write'];

function parseFlags(s: string | undefined): { flag: string; value?: string }[] {
  const out: { flag: string; value?: string }[] = [];
  const t = (s ?? '').split(/\s+/).filter(Boolean);
  for (let i = 0; i < t.length; i++) {
    const [flag, inline] = t[i].split('=', 2);
    if (inline !== undefined || BOOL_FLAGS.has(flag) || !INSTALL_FLAGS.has(flag)) out.push({ flag, value: inline });
    else out.push({ flag, value: t[i + 1] && !t[i + 1].startsWith('--') ? t[++i] : '' });
  }
  return out;
}

interface AddonRun {
  rv: string;
  job: string;
  until: number;
  error?: string;
  env?: Record<string, string>;
}

export class Monitoring {
  private readonly ctx: Ctx;
  private leader?: string;
  private readonly addon = new Map<string, AddonRun>();
  private sreHash?: string;
  /** Operator pods by uid: what their last start read (an error makes them crash). */
  private readonly started = new Map<string, { error?: string; at: number }>();
  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  // ------------------------------------------------------------------ MCE addon

  /**
   * The hypershift addon: an install-flags change re-runs `hypershift install` (a Job here) that
   * takes the configured time; on success the operator Deployment is re-rendered from the flags
   * (its env replaced), on an unknown flag the Job fails with the installer's message and the
   * Deployment stays as it was.
   */
  async mceAddon(deploy: Obj | null, cm: Obj | null, jobNs: string): Promise<void> {
    if (!deploy || !cm) return;
    const rv = cm.metadata.resourceVersion ?? '';
    if (deploy.metadata.annotations?.['hcp-sandbox.kubectl-hcp.io/install-flags-applied'] === rv) return;
    let run = this.addon.get(rv);
    if (!run) {
      this.addon.clear();
      const remove = new Set(parseFlags(cm.data?.installFlagsToRemove).map((f) => f.flag));
      const flags = [...ADDON_DEFAULTS.map((f) => parseFlags(f)[0]).filter((f) => !remove.has(f.flag)), ...parseFlags(cm.data?.installFlagsToAdd)];
      const unknown = flags.find((f) => !INSTALL_FLAGS.has(f.flag));
      const env: Record<string, string> = {};
      let metricsSet = 'Telemetry';
      for (const f of flags) {
        if (f.flag === '--monitoring-dashboards' && f.value !== 'false') env.MONITORING_DASHBOARDS = '1';
        if (f.flag === '--enable-etcd-recovery' && f.value !== 'false') env.ENABLE_ETCD_RECOVERY = '1';
        if (f.flag === '--metrics-set') metricsSet = f.value ?? '';
      }
      env.METRICS_SET = metricsSet;
      const error = unknown ? `Error: unknown flag: ${unknown.flag}` : undefined;
      const job = `hypershift-install-${createHash('sha256').update(rv).digest('hex').slice(0, 8)}`;
      run = { rv, job, until: Date.now() + timing('addon'), error, env };
      this.addon.set(rv, run);
      await this.ctx.ensure(
        R.Job,
        jobNs,
        {
          metadata: { name: job, namespace: jobNs, labels: { ...MANAGED, app: 'hypershift-addon-install' } },
          spec: {
            backoffLimit: 0,
            ttlSecondsAfterFinished: 3600,
            template: {
              metadata: { labels: { app: 'hypershift-addon-install' }, annotations: { [STATUS_ANNOTATION]: 'simulator' } },
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                containers: [
                  {
                    name: 'install',
                    image: 'quay.io/hypershift/hypershift-operator:4.15',
                    command: [
                      '/usr/bin/hypershift',
                      'install',
                      ...flags.map((f) => (f.value !== undefined && f.value !== '' ? `${f.flag}=${f.value}` : f.flag)),
                    ],
                  },
                ],
              },
            },
          },
        },
        new Map(),
      );
      log(`MCE addon: install flags changed (configmap rv ${rv}): Job ${jobNs}/${job}${error ? ` will fail: ${error}` : ''}`);
    }
    if (Date.now() < run.until) return;
    // Finish the Job's pod; the Job controller turns it into Complete / Failed.
    const pods = (await this.ctx.kube.list<Obj>(R.Pod, { namespace: jobNs, labelSelector: `job-name=${run.job}` })).items;
    const pod = pods[0];
    if (!pod) return; // not created yet
    if (pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') {
      const now = nowRFC3339();
      const ok = !run.error;
      await this.ctx.patchStatus(R.Pod, jobNs, pod.metadata.name, {
        phase: ok ? 'Succeeded' : 'Failed',
        conditions: [
          { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
        containerStatuses: [
          {
            name: 'install',
            image: pod.spec.containers[0].image,
            imageID: '',
            ready: false,
            started: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode: ok ? 0 : 1,
                reason: ok ? 'Completed' : 'Error',
                ...(ok ? {} : { message: run.error }),
                startedAt: pod.metadata.creationTimestamp,
                finishedAt: now,
              },
            },
          },
        ],
      });
    }
    if (run.error) {
      await this.ctx.kube.patch(
        R.Deployment,
        deploy.metadata.namespace,
        deploy.metadata.name,
        { metadata: { annotations: { 'hcp-sandbox.kubectl-hcp.io/install-flags-applied': run.rv } } },
        'merge',
      );
      log(`MCE addon: Job ${run.job} failed: ${run.error}`);
      return;
    }
    await this.ctx.kube.update<Obj>(
      R.Deployment,
      deploy.metadata.namespace,
      deploy.metadata.name,
      (d) => {
        const c = d.spec.template.spec.containers.find((x: { name: string }) => x.name === 'operator') ?? d.spec.template.spec.containers[0];
        const keep = ((c.env ?? []) as { name: string; value?: string; valueFrom?: unknown }[]).filter((e) => e.valueFrom); // MY_NAMESPACE
        c.env = [...keep, ...Object.entries(run.env ?? {}).map(([name, value]) => ({ name, value }))];
        d.metadata.annotations = { ...d.metadata.annotations, 'hcp-sandbox.kubectl-hcp.io/install-flags-applied': run.rv };
      },
      { fieldManager: 'hypershift-addon-sim' },
    );
    log(`MCE addon: Job ${run.job} re-rendered the operator deployment`);
  }

  // ------------------------------------------------------------------ operator pods

  /**
   * Each operator pod reads its env when it starts: a bad METRICS_SET, or SRE with an
   * unparsable sre-metric-set, makes it exit (CrashLoopBackOff); otherwise it runs and becomes
   * Ready after the configured rollout time. The leader keeps leading until it goes; then the
   * oldest Ready pod takes over. Returns the leader's settings (undefined: nothing runs).
   */
  async operatorPods(pods: Obj[], sreCm: Obj | undefined): Promise<OperatorSettings | undefined> {
    const live = pods.filter((p) => p.metadata.labels?.name === 'operator' && !p.metadata.deletionTimestamp);
    const ready: Obj[] = [];
    for (const pod of live) {
      const e = podEnv(pod);
      const set = parseMetricsSet(e.METRICS_SET);
      const isReady = (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
      // Read at start only: a pod that started keeps what it read; a crashing one reads again
      // at each restart (every 20 s here).
      const uid = pod.metadata.uid ?? pod.metadata.name;
      const seen = this.started.get(uid);
      let startErr = seen?.error;
      if (!seen || (seen.error && Date.now() - seen.at >= 20_000)) {
        const sreErr = set === 'SRE' ? sreConfigError(sreCm) : undefined;
        startErr = !set
          ? `invalid metrics set "${e.METRICS_SET}": must be one of Telemetry, SRE, All`
          : sreErr
            ? `unable to load SRE metrics configuration: ${sreErr}`
            : undefined;
        this.started.set(uid, { error: startErr, at: Date.now() });
      }
      if (startErr) {
        await this.crashloop(pod, startErr);
        continue;
      }
      const managed = pod.metadata.annotations?.[STATUS_ANNOTATION] !== undefined;
      if (managed && !isReady) {
        const age = Date.now() - Date.parse(pod.metadata.creationTimestamp ?? '');
        if (age >= timing('rollout')) {
          await this.running(pod);
          ready.push(pod);
        }
      } else if (isReady) {
        ready.push(pod);
      }
    }
    const liveUids = new Set(live.map((p) => p.metadata.uid ?? p.metadata.name));
    for (const uid of this.started.keys()) if (!liveUids.has(uid)) this.started.delete(uid);
    if (!this.leader || !ready.some((p) => p.metadata.name === this.leader)) {
      const next = ready.sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''))[0];
      if (next?.metadata.name !== this.leader) log(`operator: ${next ? `pod ${next.metadata.name} leads` : 'no operator pod runs'}`);
      this.leader = next?.metadata.name;
    }
    const leader = ready.find((p) => p.metadata.name === this.leader);
    if (!leader) return undefined;
    const e = podEnv(leader);
    return {
      pod: leader.metadata.name,
      metricsSet: parseMetricsSet(e.METRICS_SET) ?? 'Telemetry',
      dashboards: e.MONITORING_DASHBOARDS === '1',
      etcdRecovery: e.ENABLE_ETCD_RECOVERY === '1',
    };
  }

  private async running(pod: Obj): Promise<void> {
    await this.ctx.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, runningPodStatus(pod));
  }

  private async crashloop(pod: Obj, message: string): Promise<void> {
    const cs = (pod.status?.containerStatuses ?? []) as { state?: { waiting?: { reason?: string } }; restartCount?: number }[];
    const started = Date.parse(pod.metadata.creationTimestamp ?? '') || Date.now();
    const restarts = Math.max(1, Math.floor((Date.now() - started) / 20_000) + 1);
    if (cs[0]?.state?.waiting?.reason === 'CrashLoopBackOff' && cs[0]?.restartCount === restarts) return;
    const now = nowRFC3339();
    await this.ctx.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [operator]', lastTransitionTime: now },
        {
          type: 'ContainersReady',
          status: 'False',
          reason: 'ContainersNotReady',
          message: 'containers with unready status: [operator]',
          lastTransitionTime: now,
        },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      ],
      containerStatuses: pod.spec.containers.map((c: { name: string; image: string }) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        started: false,
        restartCount: restarts,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${Math.min(10 * 2 ** (restarts - 1), 300)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          },
        },
        lastState: { terminated: { exitCode: 1, reason: 'Error', message, startedAt: now, finishedAt: now } },
      })),
    });
  }

  // ------------------------------------------------------------------ per HostedCluster

  /** reconcileSREMetricsConfig and the monitoring dashboard, for one unpaused HostedCluster. */
  async reconcileCluster(hc: Obj, cpns: string, ex: Existing, mon: MonitoringSettings): Promise<void> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const spec = hc.spec ?? {};
    const labels = { ...MANAGED };
    // effectiveMetricsSet: the cluster's spec.monitoring.metricsSet (case-sensitive enum), else the operator's.
    const effective = (spec.monitoring?.metricsSet as MetricsSet | undefined) || mon.operator.metricsSet;
    if (effective === 'SRE' && mon.sre) {
      const hash = createHash('sha256')
        .update(JSON.stringify(mon.sre.data ?? {}))
        .digest('hex');
      if (hash !== this.sreHash) {
        const err = sreConfigError(mon.sre);
        if (err) throw new Error(`failed to reconcile SRE metrics config: failed to load SRE configuration: ${err}`);
        this.sreHash = hash;
      }
      const sreCopy = ex.cm.get(`${cpns}/sre-metric-set`);
      const body = { metadata: { name: 'sre-metric-set', namespace: cpns, labels }, data: mon.sre.data ?? {} };
      if (!sreCopy) await this.ctx.ensure(R.ConfigMap, cpns, body, ex.cm);
      else if (JSON.stringify(sreCopy.data ?? {}) !== JSON.stringify(body.data))
        await this.ctx.kube.patch(R.ConfigMap, cpns, 'sre-metric-set', { data: body.data }, 'merge');
    }
    // Leaving SRE leaves the copy behind (upstream never deletes it).
    if (mon.operator.dashboards && mon.template?.data?.template !== undefined) {
      const json = mon.template.data.template
        .replaceAll('__NAME__', name)
        .replaceAll('__NAMESPACE__', ns)
        .replaceAll('__CONTROL_PLANE_NAMESPACE__', cpns)
        .replaceAll('__CLUSTER_ID__', spec.clusterID ?? '');
      const dname = `hc-${ns}-${name}`;
      const have = ex.cm.get(`openshift-config-managed/${dname}`);
      const body = {
        metadata: { name: dname, namespace: 'openshift-config-managed', labels: { ...labels, 'console.openshift.io/dashboard': 'true' } },
        data: { 'hostedcluster-dashboard.json': json },
      };
      if (!have) await this.ctx.ensure(R.ConfigMap, 'openshift-config-managed', body, ex.cm);
      else if (have.data?.['hostedcluster-dashboard.json'] !== json)
        await this.ctx.kube.patch(R.ConfigMap, 'openshift-config-managed', dname, { data: body.data }, 'merge');
    }
  }
}

// Monitoring and the operator deployment itself: the MCE hypershift addon that turns
// local-cluster/hypershift-operator-install-flags into the operator's env, the operator pods
// (crashlooping on a bad METRICS_SET), the SRE metrics-set copy and the per-cluster dashboard.
import { Resources as R } from '../../../src/kube/resources.ts';
import { type Ctx, env, log, type Existing, MANAGED, type Obj } from './shared.ts';

export const METRICS_SETS = ['telemetry', 'sre', 'all'];
export interface MonitoringSettings { set: string; sre?: Obj; dashboards: boolean; template?: Obj }

export class Monitoring {
  private readonly ctx: Ctx;
  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  /** The hypershift addon: install flags → operator deployment env (only when the configmap changed). */
  async mceAddon(deploy: Obj | null, cm: Obj | null): Promise<void> {
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
    await this.ctx.kube.update<Obj>(R.Deployment, deploy.metadata.namespace, deploy.metadata.name, (d) => {
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
  async operatorPods(pods: Obj[], deploy: Obj | null): Promise<void> {
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
      await this.ctx.patchStatus(R.Pod, pod.metadata.namespace, pod.metadata.name, {
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

  /** Per HostedCluster: the SRE metrics set copy and the dashboard. */
  async reconcileCluster(hc: Obj, cpns: string, ex: Existing, mon: MonitoringSettings): Promise<void> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const spec = hc.spec ?? {};
    const labels = { ...MANAGED };
    // Monitoring: SRE metrics set copy and the dashboard.
    const sreCopy = ex.cm.get(`${cpns}/sre-metric-set`);
    if (mon.set === 'sre' && mon.sre) {
      const body = { metadata: { name: 'sre-metric-set', namespace: cpns, labels }, data: mon.sre.data ?? {} };
      if (!sreCopy) await this.ctx.ensure(R.ConfigMap, cpns, body, ex.cm);
      else if (JSON.stringify(sreCopy.data ?? {}) !== JSON.stringify(body.data)) await this.ctx.kube.patch(R.ConfigMap, cpns, 'sre-metric-set', { data: body.data }, 'merge');
    } else if (sreCopy) {
      await this.ctx.del(R.ConfigMap, cpns, 'sre-metric-set');
    }
    if (mon.dashboards && mon.template?.data?.template !== undefined) {
      const json = mon.template.data.template.replaceAll('__NAME__', name).replaceAll('__NAMESPACE__', ns)
        .replaceAll('__CONTROL_PLANE_NAMESPACE__', cpns).replaceAll('__CLUSTER_ID__', spec.clusterID ?? '');
      const dname = `hc-${ns}-${name}`;
      const have = ex.cm.get(`openshift-config-managed/${dname}`);
      const body = { metadata: { name: dname, namespace: 'openshift-config-managed', labels: { ...labels, 'console.openshift.io/dashboard': 'true' } }, data: { 'hostedcluster-dashboard.json': json } };
      if (!have) await this.ctx.ensure(R.ConfigMap, 'openshift-config-managed', body, ex.cm);
      else if (have.data?.['hostedcluster-dashboard.json'] !== json) await this.ctx.kube.patch(R.ConfigMap, 'openshift-config-managed', dname, { data: body.data }, 'merge');
    }

  }
}

// HostedClusters: the control-plane namespace, the HostedControlPlane, the control-plane
// workloads and Routes, the CAPI Cluster, and the HostedCluster's status. Upstream:
// hypershift-operator/controllers/hostedcluster/hostedcluster_controller.go and the
// control-plane-operator's hostedcontrolplane_controller.go.
import { Resources as R } from '../../../src/kube/resources.ts';
import type { EtcdCluster } from '../hosted-etcd/etcd.ts';
import type { EtcdController } from './etcd.ts';
import type { Monitoring, MonitoringSettings } from './monitoring.ts';
import type { NodePools } from './nodepool.ts';
import { pausedState, reconciliationActiveCondition } from './paused.ts';
import { type Cond, condKey, controlPlaneNamespace, type Ctx, type Existing, FIELD_MANAGER, MANAGED, mergeConditions, type Obj, releaseVersion } from './shared.ts';
import { isConflict, isNotFound } from '../../../src/kube/errors.ts';

/** Test hook: simulate the leaked HostedControlPlane pause of OCPBUGS-77530 (see FACTS). */
export const LEAK_PAUSES_ANNOTATION = 'sandbox.kubectl-hcp.dev/leak-pauses';

export class HostedClusters {
  private readonly ctx: Ctx;
  private readonly etcd: EtcdController;
  private readonly nodePools: NodePools;
  private readonly monitoring: Monitoring;
  private readonly hcUpdating = new Map<string, number>();

  constructor(ctx: Ctx, etcd: EtcdController, nodePools: NodePools, monitoring: Monitoring) {
    this.ctx = ctx;
    this.etcd = etcd;
    this.nodePools = nodePools;
    this.monitoring = monitoring;
  }

  async reconcile(
    hc: Obj, nodePools: Obj[], ex: Existing, pods: Obj[], pvcs: Obj[], pvs: Obj[],
    mon: MonitoringSettings,
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

    const etcd = this.etcd.ensureCluster(hc, cpns, size, paused.paused, ex);

    const capiCluster = ex.cluster.get(`${cpns}/${infraID}`);
    const hcp = ex.hcp.get(`${cpns}/${name}`);
    if (paused.paused) {
      // Paused: copy pausedUntil to the HCP and pause the CAPI Cluster; nothing else.
      if (hcp && hcp.spec?.pausedUntil !== spec.pausedUntil) await this.ctx.patch(R.HostedControlPlane, cpns, name, { spec: { pausedUntil: spec.pausedUntil } });
      if (capiCluster && capiCluster.spec?.paused !== true) await this.ctx.patch(R.CapiCluster, cpns, infraID, { spec: { paused: true } });
      const conds = mergeConditions(hc.status?.conditions, [
        { type: 'ReconciliationActive', ...ra },
        { type: 'Progressing', status: 'False', reason: 'Blocked', message: 'Reconciliation paused' },
      ], hc.metadata.generation as number);
      if (condKey(conds) !== condKey(hc.status?.conditions)) await this.ctx.patchStatus(R.HostedCluster, ns, name, { conditions: conds });
      await this.nodePools.reconcileNodePools(hc, nodePools, ex, cpns, true);
      return;
    }

    await this.ctx.ensure(R.Namespace, undefined, {
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
      await this.ctx.ensure(R.HostedControlPlane, cpns, { metadata: { name, namespace: cpns, labels, annotations: clusterAnno }, spec: hcpSpec }, ex.hcp);
    } else {
      // OCPBUGS-77530 on demand: with this annotation a resume leaves the HCP paused, as the real
      // operator sometimes does, so that `kubectl hcp resume` has a leak to find.
      const leak = hc.metadata.annotations?.[LEAK_PAUSES_ANNOTATION] === 'true' && !spec.pausedUntil;
      const wantPaused = leak ? (hcp.spec?.pausedUntil ?? null) : (spec.pausedUntil ?? null);
      if ((hcp.spec?.pausedUntil ?? null) !== wantPaused || hcp.spec?.releaseImage !== release) {
        await this.ctx.patch(R.HostedControlPlane, cpns, name, { spec: { pausedUntil: wantPaused, releaseImage: release } });
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
      const have = await this.ctx.ensure(R.Deployment, cpns, d, ex.deploy);
      if (have && have.spec?.replicas !== d.spec.replicas) await this.ctx.kube.scale(R.Deployment, cpns, d.metadata.name, d.spec.replicas);
    }
    await this.etcd.reconcileWorkload(hc, cpns, size, release, ex);

    // Routes (external-dns publishes those with a hostname annotation).
    const routeHost = (svc: string) => `${svc}-${cpns}.apps.${this.ctx.cfg.cluster}.${this.ctx.cfg.baseDomain}`;
    for (const s of (spec.services ?? []) as { service: string; servicePublishingStrategy: { type: string; route?: { hostname?: string } } }[]) {
      if (s.servicePublishingStrategy?.type !== 'Route') continue;
      const rname = { OAuthServer: 'oauth', Konnectivity: 'konnectivity-server', Ignition: 'ignition-server', OVNSbDb: 'ovnkube-sbdb' }[s.service] ?? s.service.toLowerCase();
      const hostname = s.servicePublishingStrategy.route?.hostname;
      await this.ctx.ensure(R.Route, cpns, {
        metadata: { name: rname, namespace: cpns, labels: { ...labels, 'hypershift.openshift.io/hosted-control-plane': cpns },
          annotations: hostname ? { 'external-dns.alpha.kubernetes.io/hostname': hostname } : {} },
        spec: { host: hostname ?? routeHost(rname), to: { kind: 'Service', name: rname }, tls: { termination: 'passthrough' } },
      }, ex.route);
    }

    // CAPI Cluster + AWSCluster.
    await this.ctx.ensure(R.AWSCluster, cpns, {
      metadata: { name: infraID, namespace: cpns, labels, annotations: clusterAnno },
      spec: { region: spec.platform?.aws?.region ?? 'us-east-1' },
    }, ex.awscluster);
    if (!capiCluster) {
      await this.ctx.ensure(R.CapiCluster, cpns, {
        metadata: { name: infraID, namespace: cpns, labels, annotations: clusterAnno },
        spec: { infrastructureRef: await this.ctx.ref(R.AWSCluster, infraID), controlPlaneRef: await this.ctx.ref(R.HostedControlPlane, name) },
      }, ex.cluster);
    } else if (capiCluster.spec?.paused) {
      await this.ctx.patch(R.CapiCluster, cpns, infraID, { spec: { paused: false } });
    }

    await this.monitoring.reconcileCluster(hc, cpns, ex, mon);

    await this.nodePools.reconcileNodePools(hc, nodePools, ex, cpns, false);
    await this.hostedClusterStatus(hc, etcd!, pods.filter((p) => p.metadata.namespace === cpns && p.metadata.labels?.app === 'etcd'), ra, size, nodePools);
  }

  private async hostedClusterStatus(hc: Obj, etcd: EtcdCluster, etcdPods: Obj[], ra: { status: string; reason: string; message: string }, size: number, nodePools: Obj[]): Promise<void> {
    void nodePools;
    const key = `${hc.metadata.namespace}/${hc.metadata.name}`;
    const health = this.etcd.health(etcd, size);
    const etcdOk = health.quorum;
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
        message: etcdOk ? 'Etcd has quorum' : health.problem },
      { type: 'Available', status: etcdOk ? 'True' : 'False', reason: etcdOk ? 'AsExpected' : 'EtcdQuorumUnavailable',
        message: etcdOk ? 'The hosted control plane is available' : 'etcd does not have quorum' },
      { type: 'Degraded', status: degraded ? 'True' : 'False', reason: degraded ? 'UnavailableReplicas' : 'AsExpected',
        message: degraded ? `etcd statefulset has ${Math.max(size - ready, 0)} unavailable replicas` : 'The hosted cluster is not degraded' },
      { type: 'Progressing', status: progressing ? 'True' : 'False', reason: progressing ? 'Progressing' : 'AsExpected',
        message: progressing ? `HostedCluster is deploying, upgrading, or reconfiguring` : 'HostedCluster is at expected version' },
    ], hc.metadata.generation as number);
    const status: Record<string, unknown> = {};
    if (condKey(conds) !== condKey(hc.status?.conditions)) status.conditions = conds;
    if (Object.keys(status).length) await this.ctx.patchStatus(R.HostedCluster, hc.metadata.namespace, hc.metadata.name, status);
    if (newHistory !== history || !hc.status?.version) {
      // completionTime and availableUpdates are required but nullable: a JSON patch keeps the nulls
      // that a merge patch would drop.
      const v = { desired: { image: release, version }, history: newHistory, observedGeneration: hc.metadata.generation, availableUpdates: null };
      try {
        await this.ctx.kube.patch(R.HostedCluster, hc.metadata.namespace, hc.metadata.name,
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
      const obj = ref.name ? await this.ctx.kube.getOrNull<Obj>(ref.rt, hc.metadata.namespace, ref.name) : null;
      if (!obj?.data?.[ref.key]) {
        return { type: 'ValidIDPConfiguration', status: 'False', reason: 'IDPConfigurationError',
          message: `identity provider "${ref.idp}": ${ref.rt.kind} ${ref.name} has no key ${ref.key}` };
      }
    }
    return { type: 'ValidIDPConfiguration', status: 'True', reason: 'AsExpected', message: 'Identity provider configuration is valid' };
  }
}

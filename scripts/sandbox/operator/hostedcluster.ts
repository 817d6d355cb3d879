// HostedClusters: the control-plane namespace, the HostedControlPlane, the control-plane
// workloads, Routes and secrets, the CAPI Cluster, and the status of the HostedControlPlane and
// the HostedCluster. Two upstream controllers are simulated here, in their order:
//   HCP = control-plane-operator/controllers/hostedcontrolplane/hostedcontrolplane_controller.go
//         (Reconcile: status conditions written, then the pause check, then the spec)
//   HC  = hypershift-operator/controllers/hostedcluster/hostedcluster_controller.go
//         (reconcile: "Phase 4" status persisted, then finalizer, then the pause check, then the spec)
import { Resources as R } from '../../../src/kube/resources.ts';
import type { EtcdController } from './etcd.ts';
import { idpCondition } from './idp.ts';
import type { Monitoring, MonitoringSettings } from './monitoring.ts';
import type { NodePools } from './nodepool.ts';
import { pausedState, reconciliationActiveCondition } from './paused.ts';
import {
  finalizersOf,
  type Cond,
  condKey,
  controlPlaneNamespace,
  type Ctx,
  type Existing,
  HYPERSHIFT_FINALIZER,
  log,
  MANAGED,
  mergeConditions,
  NO_CONTROL_PLANE_ANNOTATION,
  nowRFC3339,
  type Obj,
  releaseVersion,
  timing,
} from './shared.ts';

/** Test hook: simulate the leaked HostedControlPlane pause of OCPBUGS-77530 (see FACTS). */
export const LEAK_PAUSES_ANNOTATION = 'sandbox.kubectl-hcp.dev/leak-pauses';

/** manifests/infra.go and the CPO's route names per published service. */
const ROUTE_NAMES: Record<string, string> = {
  APIServer: 'kube-apiserver', // manifests/infra.go kubeAPIServerExternalPublicRouteName
  OAuthServer: 'oauth', // manifests/infra.go oauthExternalRoutePublicName
  Konnectivity: 'konnectivity-server',
  Ignition: 'ignition-server',
  OVNSbDb: 'ovnkube-sbdb',
};
/** support/controlplane-component: deployments the CPO manages carry this label (HCP reconcileDegradedStatus lists them by it). */
const CPO_MANAGED = { 'hypershift.openshift.io/managed-by': 'control-plane-operator' };

type History = { image: string; version: string; state: string; startedTime: string; completionTime: string | null; verified: boolean }[];

export class HostedClusters {
  private readonly ctx: Ctx;
  private readonly etcd: EtcdController;
  private readonly nodePools: NodePools;
  private readonly monitoring: Monitoring;
  /** key → when the version being rolled out completes (simulated CVO). */
  private readonly rollout = new Map<string, { image: string; until: number }>();
  /** key → when the teardown of a deleted HostedCluster may finish. */
  private readonly deleting = new Map<string, number>();

  constructor(ctx: Ctx, etcd: EtcdController, nodePools: NodePools, monitoring: Monitoring) {
    this.ctx = ctx;
    this.etcd = etcd;
    this.nodePools = nodePools;
    this.monitoring = monitoring;
  }

  async reconcile(hc: Obj, nodePools: Obj[], ex: Existing, mon: MonitoringSettings): Promise<void> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const cpns = controlPlaneNamespace(hc);
    const spec = hc.spec ?? {};
    const paused = pausedState(spec.pausedUntil);
    const cpless = hc.metadata.annotations?.[NO_CONTROL_PLANE_ANNOTATION] === 'true';

    if (hc.metadata.deletionTimestamp) {
      await this.delete(hc, nodePools, ex, mon);
      return;
    }
    // Members of an existing control plane run even while paused (e.g. after an operator restart).
    if (!cpless) this.etcd.ensureCluster(hc, cpns, spec.controllerAvailabilityPolicy !== 'SingleReplica' ? 3 : 1, paused.paused, ex);

    // The HCP controller runs first (it is a separate operator, always running), writing the
    // HCP's status before its own pause check; then the HC controller copies it.
    const hcp = ex.hcp.get(`${cpns}/${name}`);
    const hcpStatus = hcp ? await this.hcpStatus(hc, hcp, cpns, ex) : undefined;
    const { blocked } = await this.hostedClusterStatus(hc, hcpStatus, cpns, ex, cpless, paused.paused);

    // HC: "Ensure the cluster has a finalizer for cleanup and update right away."
    if (!finalizersOf(hc).includes(HYPERSHIFT_FINALIZER)) {
      await this.ctx.kube.patch(R.HostedCluster, ns, name, { metadata: { finalizers: [...finalizersOf(hc), HYPERSHIFT_FINALIZER] } }, 'merge');
    }

    // HC: "if paused: ensure associated HostedControlPlane (if it exists) is also paused and stop reconciliation".
    const infraID = spec.infraID ?? name;
    const capiCluster = ex.cluster.get(`${cpns}/${infraID}`);
    if (paused.paused) {
      if (hcp && hcp.spec?.pausedUntil !== spec.pausedUntil)
        await this.ctx.patch(R.HostedControlPlane, cpns, name, { spec: { pausedUntil: spec.pausedUntil } });
      if (capiCluster && capiCluster.spec?.paused !== true) await this.ctx.patch(R.CapiCluster, cpns, infraID, { spec: { paused: true } });
      // NodePools have their own controller and pausedUntil (FACTS): they go on.
      await this.nodePools.reconcileNodePools(hc, nodePools, ex, cpns, { hcPaused: true, cpless });
      return;
    }
    // HC reconcile: "release image is invalid", "reconciliation is blocked" (NodePools have their own controller).
    if (cpless || blocked) {
      await this.nodePools.reconcileNodePools(hc, nodePools, ex, cpns, { hcPaused: false, cpless });
      return;
    }
    await this.reconcileSpec(hc, hcp, cpns, ex, mon);
    await this.nodePools.reconcileNodePools(hc, nodePools, ex, cpns, { hcPaused: false, cpless });
  }

  // ------------------------------------------------------------------ spec (unpaused only)

  private async reconcileSpec(hc: Obj, hcp: Obj | undefined, cpns: string, ex: Existing, mon: MonitoringSettings): Promise<void> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const key = `${ns}/${name}`;
    const spec = hc.spec ?? {};
    const infraID = spec.infraID ?? name;
    const ha = spec.controllerAvailabilityPolicy !== 'SingleReplica';
    const size = ha ? 3 : 1;
    const labels = { ...MANAGED };
    const clusterAnno = { 'hypershift.openshift.io/cluster': key };

    this.etcd.ensureCluster(hc, cpns, size, false, ex);
    await this.ctx.ensure(
      R.Namespace,
      undefined,
      {
        metadata: { name: cpns, labels: { ...labels, 'hypershift.openshift.io/hosted-control-plane': 'true' }, annotations: clusterAnno },
      },
      ex.ns,
    );
    const release = spec.release?.image;
    const hcpSpec = {
      releaseImage: release,
      pullSecret: spec.pullSecret,
      sshKey: spec.sshKey ?? { name: '' },
      issuerURL: spec.issuerURL ?? 'https://kubernetes.default.svc',
      infraID,
      clusterID: spec.clusterID,
      platform: spec.platform,
      dns: spec.dns,
      etcd: spec.etcd,
      services: spec.services,
      networking: spec.networking,
      controllerAvailabilityPolicy: spec.controllerAvailabilityPolicy,
      infrastructureAvailabilityPolicy: spec.infrastructureAvailabilityPolicy,
      secretEncryption: spec.secretEncryption,
      configuration: spec.configuration,
      ...(spec.pausedUntil ? { pausedUntil: spec.pausedUntil } : {}),
    };
    if (!hcp) {
      await this.ctx.ensure(R.HostedControlPlane, cpns, { metadata: { name, namespace: cpns, labels, annotations: clusterAnno }, spec: hcpSpec }, ex.hcp);
    } else {
      // OCPBUGS-77530 on demand: with this annotation a resume leaves the HCP paused, as the real
      // operator sometimes does, so that `kubectl hcp resume` has a leak to find.
      const leak = hc.metadata.annotations?.[LEAK_PAUSES_ANNOTATION] === 'true' && !spec.pausedUntil;
      const wantPaused = leak ? (hcp.spec?.pausedUntil ?? null) : (spec.pausedUntil ?? null);
      const drift =
        JSON.stringify([hcp.spec?.configuration ?? null, hcp.spec?.services ?? null]) !== JSON.stringify([spec.configuration ?? null, spec.services ?? null]);
      if ((hcp.spec?.pausedUntil ?? null) !== wantPaused || hcp.spec?.releaseImage !== release || drift) {
        await this.ctx.patch(R.HostedControlPlane, cpns, name, {
          spec: { pausedUntil: wantPaused, releaseImage: release, configuration: spec.configuration ?? null, services: spec.services },
        });
      }
    }
    // The HCP's own reconciliation (CPO) stops while the HCP is paused (HCP Reconcile: the pause
    // check after the status patch), e.g. when a resume leaked its pausedUntil.
    const hcpPaused = pausedState(hcp?.spec?.pausedUntil).paused;

    if (!hcpPaused) {
      // Control-plane workloads (CPO); replicas enforced like every component.
      const deployment = (dname: string, n: number, containers: string[], extra: Record<string, string> = CPO_MANAGED) => ({
        metadata: { name: dname, namespace: cpns, labels: { ...labels, ...extra, app: dname, 'hypershift.openshift.io/control-plane-component': dname } },
        spec: {
          replicas: n,
          selector: { matchLabels: { app: dname } },
          template: {
            metadata: { labels: { app: dname, 'hypershift.openshift.io/control-plane-component': dname } },
            spec: { automountServiceAccountToken: false, containers: containers.map((c) => ({ name: c, image: release })) },
          },
        },
      });
      const deployments = [
        deployment('kube-apiserver', size, ['kube-apiserver', 'konnectivity-server']),
        deployment('openshift-apiserver', size, ['openshift-apiserver']),
        deployment('openshift-oauth-apiserver', size, ['oauth-apiserver']),
        deployment('oauth-openshift', size, ['oauth-server']),
        deployment('ignition-server', size, ['ignition-server']),
        deployment('control-plane-operator', 1, ['control-plane-operator'], {}),
      ];
      for (const d of deployments) {
        const have = await this.ctx.ensure(R.Deployment, cpns, d, ex.deploy);
        if (have && have.spec?.replicas !== d.spec.replicas) await this.ctx.kube.scale(R.Deployment, cpns, d.metadata.name, d.spec.replicas);
      }
      await this.etcd.reconcileWorkload(hc, cpns, size, release, ex);

      // Routes (external-dns publishes those with a hostname annotation).
      for (const s of (spec.services ?? []) as { service: string; servicePublishingStrategy: { type: string; route?: { hostname?: string } } }[]) {
        if (s.servicePublishingStrategy?.type !== 'Route') continue;
        const rname = ROUTE_NAMES[s.service] ?? s.service.toLowerCase();
        const hostname = s.servicePublishingStrategy.route?.hostname;
        await this.ctx.ensure(
          R.Route,
          cpns,
          {
            metadata: {
              name: rname,
              namespace: cpns,
              labels: { ...labels, 'hypershift.openshift.io/hosted-control-plane': cpns },
              annotations: hostname ? { 'external-dns.alpha.kubernetes.io/hostname': hostname } : {},
            },
            spec: { host: hostname ?? this.routeHost(rname, cpns), to: { kind: 'Service', name: rname }, tls: { termination: 'passthrough' } },
          },
          ex.route,
        );
      }
      await this.secrets(hc, cpns, ex);
    }

    // CAPI Cluster + AWSCluster (HC controller).
    await this.ctx.ensure(
      R.AWSCluster,
      cpns,
      {
        metadata: { name: infraID, namespace: cpns, labels, annotations: clusterAnno },
        spec: { region: spec.platform?.aws?.region ?? 'us-east-1' },
      },
      ex.awscluster,
    );
    const capiCluster = ex.cluster.get(`${cpns}/${infraID}`);
    if (!capiCluster) {
      await this.ctx.ensure(
        R.CapiCluster,
        cpns,
        {
          metadata: { name: infraID, namespace: cpns, labels, annotations: clusterAnno },
          spec: { infrastructureRef: await this.ctx.ref(R.AWSCluster, infraID), controlPlaneRef: await this.ctx.ref(R.HostedControlPlane, name) },
        },
        ex.cluster,
      );
    } else if (capiCluster.spec?.paused) {
      await this.ctx.patch(R.CapiCluster, cpns, infraID, { spec: { paused: false } });
    }
    await this.monitoring.reconcileCluster(hc, cpns, ex, mon);
  }

  private routeHost(rname: string, cpns: string): string {
    return `${rname}-${cpns}.apps.${this.ctx.cfg.cluster}.${this.ctx.cfg.baseDomain}`;
  }

  /**
   * admin-kubeconfig and kubeadmin-password in the control-plane namespace (CPO: KASAdminKubeconfigSecret,
   * common.KubeadminPasswordSecret), copied by the HC controller to <name>-admin-kubeconfig and
   * <name>-kubeadmin-password in the HostedCluster namespace (manifests.KubeConfigSecret,
   * manifests.KubeadminPasswordSecret). All hosted clusters of the sandbox share its one guest API server.
   */
  private async secrets(hc: Obj, cpns: string, ex: Existing): Promise<void> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const kubeconfig = Buffer.from(this.ctx.guestKubeconfig()).toString('base64');
    const owner = [{ apiVersion: 'hypershift.openshift.io/v1beta1', kind: 'HostedCluster', name, uid: hc.metadata.uid!, blockOwnerDeletion: false }];
    const explicitOauth = !!hc.spec?.configuration?.oauth;
    const password = Buffer.from(`sandbox-${name}-kubeadmin`).toString('base64');
    const want: [string, string, Record<string, string>, typeof owner | undefined][] = [
      [cpns, 'admin-kubeconfig', { kubeconfig }, undefined],
      [ns, `${name}-admin-kubeconfig`, { kubeconfig }, owner],
    ];
    if (!explicitOauth) want.push([cpns, 'kubeadmin-password', { password }, undefined], [ns, `${name}-kubeadmin-password`, { password }, owner]);
    for (const [sns, sname, data, ownerReferences] of want) {
      if (ex.secret.has(`${sns}/${sname}`)) continue;
      const made = await this.ctx.ensure(
        R.Secret,
        sns,
        { metadata: { name: sname, namespace: sns, labels: { ...MANAGED }, ...(ownerReferences ? { ownerReferences } : {}) }, type: 'Opaque', data },
        ex.secret,
      );
      // One that exists already (e.g. the seeded sample-admin-kubeconfig) is adopted.
      if (!made) await this.ctx.patch(R.Secret, sns, sname, { metadata: { labels: { ...MANAGED } } });
    }
    // An explicit OAuth configuration removes the kubeadmin password (reconcileKubeadminPassword).
    if (explicitOauth) {
      for (const [sns, sname] of [
        [cpns, 'kubeadmin-password'],
        [ns, `${name}-kubeadmin-password`],
      ]) {
        if (ex.secret.has(`${sns}/${sname}`)) await this.ctx.del(R.Secret, sns, sname);
      }
    }
  }

  // ------------------------------------------------------------------ HostedControlPlane status (CPO)

  /** HCP Reconcile: the conditions and status fields it writes before its pause check. */
  private async hcpStatus(hc: Obj, hcp: Obj, cpns: string, ex: Existing): Promise<Obj['status']> {
    const gen = hcp.metadata.generation as number;
    const conds: Cond[] = [];
    const set = (c: Omit<Cond, 'observedGeneration'>) => conds.push({ ...c, observedGeneration: gen });
    set({ type: 'ValidHostedControlPlaneConfiguration', status: 'True', reason: 'AsExpected', message: 'Configuration passes validation' });

    // reconcileEtcdStatus → etcdStatefulSetCondition: ReadyReplicas >= replicas/2+1.
    const sts = ex.sts.get(`${cpns}/etcd`);
    if (!sts) set({ type: 'EtcdAvailable', status: 'False', reason: 'StatefulSetNotFound', message: '' });
    else if ((sts.status?.readyReplicas ?? 0) >= Math.floor((sts.spec?.replicas ?? 0) / 2) + 1)
      set({ type: 'EtcdAvailable', status: 'True', reason: 'QuorumAvailable', message: '' });
    else set({ type: 'EtcdAvailable', status: 'False', reason: 'EtcdWaitingForQuorum', message: 'Waiting for etcd to reach quorum' });

    // reconcileKASStatus: the kube-apiserver Deployment's Available condition.
    const kas = ex.deploy.get(`${cpns}/kube-apiserver`);
    const kasAvail = (kas?.status?.conditions ?? []).find((c: Cond) => c.type === 'Available');
    if (!kas) set({ type: 'KubeAPIServerAvailable', status: 'False', reason: 'NotFound', message: 'Kube APIServer deployment not found' });
    else if (!kasAvail) set({ type: 'KubeAPIServerAvailable', status: 'False', reason: 'StatusUnknown', message: '' });
    else if (kasAvail.status === 'True')
      set({ type: 'KubeAPIServerAvailable', status: 'True', reason: 'AsExpected', message: 'Kube APIServer deployment is available' });
    else
      set({
        type: 'KubeAPIServerAvailable',
        status: 'False',
        reason: 'WaitingForAvailable',
        message: 'Waiting for Kube APIServer deployment to become available',
      });

    // reconcileDegradedStatus: CPO-managed deployments with unavailable replicas, sorted by name,
    // joined as utilerrors.NewAggregate prints them ("[a, b]" for more than one).
    const errs = [...ex.deploy.values()]
      .filter((d) => d.metadata.namespace === cpns && d.metadata.labels?.['hypershift.openshift.io/managed-by'] === 'control-plane-operator')
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .filter((d) => (d.status?.unavailableReplicas ?? 0) > 0)
      .map((d) => `${d.metadata.name} deployment has ${d.status.unavailableReplicas} unavailable replicas`);
    if (errs.length) set({ type: 'Degraded', status: 'True', reason: 'UnavailableReplicas', message: errs.length === 1 ? errs[0] : `[${errs.join(', ')}]` });
    else set({ type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' });

    // reconcileInfrastructureStatusCondition: ready once the endpoints exist (Routes admitted,
    // LoadBalancer has a hostname: the sandbox has them at once).
    const endpoint = this.apiEndpoint(hc, cpns, ex);
    const oauth = this.oauthEndpoint(hc, cpns, ex);
    if (endpoint) set({ type: 'InfrastructureReady', status: 'True', reason: 'AsExpected', message: 'All is well' });
    else set({ type: 'InfrastructureReady', status: 'False', reason: 'WaitingOnInfrastructureReady', message: 'Cluster infrastructure is still provisioning' });

    // reconcileExternalDNSStatusCondition: the sandbox does not resolve the name (known difference).
    const kasHostname = (
      (hc.spec?.services ?? []) as { service: string; servicePublishingStrategy?: { route?: { hostname?: string }; loadBalancer?: { hostname?: string } } }[]
    ).find((s) => s.service === 'APIServer')?.servicePublishingStrategy;
    if (kasHostname?.route?.hostname || kasHostname?.loadBalancer?.hostname)
      set({ type: 'ExternalDNSReachable', status: 'True', reason: 'AsExpected', message: 'All is well' });
    else set({ type: 'ExternalDNSReachable', status: 'Unknown', reason: 'StatusUnknown', message: 'External DNS is not configured' });

    // The hosted-cluster-config-operator's conditions (not in the upstream copy: known difference).
    set({ type: 'ValidReleaseInfo', status: 'True', reason: 'AsExpected', message: 'All is well' });
    set({ type: 'DataPlaneConnectionAvailable', status: 'True', reason: 'AsExpected', message: 'All is well' });
    set({ type: 'ControlPlaneConnectionAvailable', status: 'True', reason: 'AsExpected', message: 'All is well' });
    set({ type: 'ConfigOperatorReconciliationSucceeded', status: 'True', reason: 'AsExpected', message: 'All is well' });

    // Admin kubeconfig / kubeadmin password status.
    const kubeConfig = ex.secret.has(`${cpns}/admin-kubeconfig`) ? { name: 'admin-kubeconfig', key: 'kubeconfig' } : undefined;
    const explicitOauth = !!hcp.spec?.configuration?.oauth;
    const kubeadminPassword = !explicitOauth && ex.secret.has(`${cpns}/kubeadmin-password`) ? { name: 'kubeadmin-password' } : null;

    // reconcileAvailabilityAndReadyStatus → reconcileAvailabilityStatus (priority order).
    const find = (t: string) => conds.find((c) => c.type === t)!;
    const infra = find('InfrastructureReady');
    const etcdC = find('EtcdAvailable');
    const kasC = find('KubeAPIServerAvailable');
    let avail: Omit<Cond, 'observedGeneration'>;
    if (infra.status === 'False') avail = { type: 'Available', status: 'False', reason: infra.reason, message: infra.message };
    else if (!kubeConfig)
      avail = {
        type: 'Available',
        status: 'False',
        reason: 'KubeconfigWaitingForCreate',
        message: 'Waiting for hosted control plane kubeconfig to be created',
      };
    else if (etcdC.status === 'False') avail = { type: 'Available', status: 'False', reason: etcdC.reason, message: etcdC.message };
    else if (kasC.status === 'False') avail = { type: 'Available', status: 'False', reason: kasC.reason, message: kasC.message };
    else avail = { type: 'Available', status: 'True', reason: 'AsExpected', message: '' };
    set(avail);

    // ValidIDPConfiguration is reconciled in the CPO's update path only, i.e. not while paused
    // (reconcileValidIDPConfigurationCondition, called from update()): a paused HCP keeps its last one.
    const hcpPaused = pausedState(hcp.spec?.pausedUntil).paused;
    if (!hcpPaused) set(await idpCondition(this.ctx, hcp, hc.metadata.namespace!));

    const ra = reconciliationActiveCondition(hcp.spec?.pausedUntil, pausedState(hcp.spec?.pausedUntil));
    set({ type: 'ReconciliationActive', ...ra });

    const merged = mergeConditions(hcp.status?.conditions, conds);
    const status: Record<string, unknown> = {
      ready: avail.status === 'True',
      initialized: true,
      ...(kubeConfig ? { kubeConfig } : {}),
      kubeadminPassword,
      ...(endpoint ? { controlPlaneEndpoint: endpoint } : {}),
      ...(oauth ? { oauthCallbackURLTemplate: `https://${oauth.host}:${oauth.port}/oauth2callback/[identity-provider-name]` } : {}),
    };
    const changed =
      condKey(merged) !== condKey(hcp.status?.conditions) ||
      Object.entries(status).some(([k, v]) => JSON.stringify(hcp.status?.[k] ?? null) !== JSON.stringify(v ?? null));
    if (changed) await this.ctx.patchStatus(R.HostedControlPlane, cpns, hcp.metadata.name, { ...status, conditions: merged });
    return { ...hcp.status, ...status, conditions: merged };
  }

  /** The API server endpoint: Route host:443, or the LoadBalancer's hostname:6443 (HCP reconcileInfrastructureStatus). */
  private apiEndpoint(hc: Obj, cpns: string, ex: Existing): { host: string; port: number } | undefined {
    const s = (
      (hc.spec?.services ?? []) as {
        service: string;
        servicePublishingStrategy?: { type: string; route?: { hostname?: string }; loadBalancer?: { hostname?: string } };
      }[]
    ).find((x) => x.service === 'APIServer')?.servicePublishingStrategy;
    if (s?.type === 'Route') {
      const route = ex.route.get(`${cpns}/kube-apiserver`);
      return route?.spec?.host ? { host: route.spec.host, port: 443 } : undefined;
    }
    const region = hc.spec?.platform?.aws?.region ?? 'us-east-1';
    return { host: s?.loadBalancer?.hostname ?? `a${createHostId(cpns)}-${createHostId(`${cpns}/lb`)}.elb.${region}.amazonaws.com`, port: 6443 };
  }

  private oauthEndpoint(hc: Obj, cpns: string, ex: Existing): { host: string; port: number } | undefined {
    const s = ((hc.spec?.services ?? []) as { service: string; servicePublishingStrategy?: { type: string } }[]).find(
      (x) => x.service === 'OAuthServer',
    )?.servicePublishingStrategy;
    if (s?.type !== 'Route') return undefined;
    const route = ex.route.get(`${cpns}/oauth`);
    return route?.spec?.host ? { host: route.spec.host, port: 443 } : undefined;
  }

  // ------------------------------------------------------------------ HostedCluster status (HC "Phase 4")

  private async hostedClusterStatus(
    hc: Obj,
    hcpStatus: Obj['status'] | undefined,
    cpns: string,
    ex: Existing,
    cpless: boolean,
    paused: boolean,
  ): Promise<{ blocked: boolean }> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const key = `${ns}/${name}`;
    const gen = hc.metadata.generation as number;
    const conds: Cond[] = [];
    const set = (c: Omit<Cond, 'observedGeneration'>) => conds.push({ ...c, observedGeneration: gen });
    const release = hc.spec?.release?.image;
    const version = releaseVersion(release) ?? '4.15.0';

    // A control-plane-less cluster reports what a healthy HCP would (sandbox only, see README).
    const hcpConds: Cond[] | undefined = cpless
      ? [
          'EtcdAvailable',
          'KubeAPIServerAvailable',
          'InfrastructureReady',
          'ValidHostedControlPlaneConfiguration',
          'ValidReleaseInfo',
          'ValidIDPConfiguration',
          'DataPlaneConnectionAvailable',
          'ControlPlaneConnectionAvailable',
          'Available',
        ]
          .map((type) => ({
            type,
            status: 'True',
            message: '',
            reason: type === 'EtcdAvailable' ? 'QuorumAvailable' : type === 'ValidIDPConfiguration' ? 'IDPConfigurationValid' : 'AsExpected',
          }))
          .concat([{ type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' }])
      : hcpStatus?.conditions;
    const hcpFound = cpless || !!hcpStatus;
    const hcpCond = (t: string) => hcpConds?.find((c) => c.type === t);

    // Version history (computeClusterVersionStatus; the simulated CVO completes a rollout after
    // etcd has quorum and the configured time has passed, and only while not paused).
    const history = (hc.status?.version?.history ?? []) as History;
    const now = nowRFC3339();
    let newHistory = history;
    // validateReleaseImage: an invalid release blocks the reconcile, so the rollout never starts.
    const relErr = releaseImageError(hc);
    if (relErr) {
      // keep the history as it is
    } else if (!history.length || history[0].image !== release) {
      newHistory = [{ image: release, version, state: 'Partial', startedTime: now, completionTime: null, verified: false }, ...history].slice(0, 10);
      this.rollout.set(key, { image: release, until: Date.now() + timing(history.length ? 'upgrade' : 'install', hc) });
    } else if (history[0].state === 'Partial' && !paused) {
      const r = this.rollout.get(key);
      if (!r || r.image !== release) this.rollout.set(key, { image: release, until: Date.now() + timing(history.length > 1 ? 'upgrade' : 'install', hc) });
      else if (Date.now() >= r.until && hcpCond('EtcdAvailable')?.status === 'True' && hcpCond('KubeAPIServerAvailable')?.status === 'True') {
        newHistory = [{ ...history[0], state: 'Completed', completionTime: now }, ...history.slice(1)];
      }
    }

    // Copy the Degraded condition on the hostedcontrolplane.
    const deg = hcpCond('Degraded');
    if (!hcpFound) set({ type: 'Degraded', status: 'Unknown', reason: 'StatusUnknown', message: 'The hosted control plane is not found' });
    else if (deg) set({ ...deg, message: deg.status === 'False' ? 'The hosted cluster is not degraded' : deg.message });
    else set({ type: 'Degraded', status: 'Unknown', reason: 'StatusUnknown', message: 'The hosted control plane is not found' });

    // Copy conditions from hostedcontrolplane.
    for (const type of [
      'EtcdAvailable',
      'KubeAPIServerAvailable',
      'InfrastructureReady',
      'ExternalDNSReachable',
      'ValidHostedControlPlaneConfiguration',
      'ValidReleaseInfo',
      'ValidIDPConfiguration',
      'HostedClusterRestoredFromBackup',
      'DataPlaneConnectionAvailable',
      'ControlPlaneConnectionAvailable',
      'EtcdBackupSucceeded',
      'ConfigOperatorReconciliationSucceeded',
    ]) {
      const c = hcpCond(type);
      if (!hcpFound) set({ type, status: 'Unknown', reason: 'StatusUnknown', message: 'The hosted control plane is not found' });
      else if (c) set({ type, status: c.status, reason: c.reason, message: c.message });
      else set({ type, status: 'Unknown', reason: 'StatusUnknown', message: 'Condition not found in the HCP' });
    }

    set({ type: 'ValidConfiguration', status: 'True', reason: 'AsExpected', message: 'Configuration passes validation' });
    set({ type: 'SupportedHostedCluster', status: 'True', reason: 'AsExpected', message: 'HostedCluster is supported by operator configuration' });
    set({ type: 'ValidProxyConfiguration', status: 'True', reason: 'AsExpected', message: 'No proxy CA bundle configured' });

    // Ignition server availability from its deployment.
    const ign = ex.deploy.get(`${cpns}/ignition-server`);
    if (cpless || (ign?.status?.conditions ?? []).some((c: Cond) => c.type === 'Available' && c.status === 'True')) {
      set({ type: 'IgnitionEndpointAvailable', status: 'True', reason: 'AsExpected', message: 'Ignition server deployment is available' });
    } else if (!ign) set({ type: 'IgnitionEndpointAvailable', status: 'False', reason: 'NotFound', message: 'Ignition server deployment not found' });
    else set({ type: 'IgnitionEndpointAvailable', status: 'False', reason: 'WaitingForAvailable', message: 'Ignition server deployment is not yet available' });

    const ra = reconciliationActiveCondition(hc.spec?.pausedUntil, pausedState(hc.spec?.pausedUntil));
    set({ type: 'ReconciliationActive', ...ra });
    if (relErr) set({ type: 'ValidReleaseImage', status: 'False', reason: 'InvalidImage', message: relErr });
    else set({ type: 'ValidReleaseImage', status: 'True', reason: 'AsExpected', message: 'Release image is valid' });
    // EtcdRecoveryActive, as etcd_recovery.go last set it (operator/etcd-recovery.ts).
    for (const c of this.etcd.hostedClusterConditions(key)) conds.push(c);

    // Progressing (isProgressing): a False gate condition blocks; otherwise progressing while the
    // desired release is not the completed one.
    const blocked = conds.find(
      (c) => ['SupportedHostedCluster', 'ValidConfiguration', 'ValidReleaseImage', 'ReconciliationActive'].includes(c.type) && c.status === 'False',
    );
    const progressing = !newHistory.length || newHistory[0].state !== 'Completed';
    if (blocked) set({ type: 'Progressing', status: 'False', reason: 'Blocked', message: `${blocked.type} condition is false: ${blocked.message}` });
    else if (progressing)
      set({ type: 'Progressing', status: 'True', reason: 'Progressing', message: 'HostedCluster is deploying, upgrading, or reconfiguring' });
    else set({ type: 'Progressing', status: 'False', reason: 'AsExpected', message: 'HostedCluster is at expected version' });

    // Available (computeHostedClusterAvailability).
    const hcpAvail = hcpCond('Available');
    if (hcpAvail?.status === 'True') set({ type: 'Available', status: 'True', reason: 'AsExpected', message: 'The hosted control plane is available' });
    else if (hcpAvail) set({ type: 'Available', status: hcpAvail.status, reason: hcpAvail.reason, message: hcpAvail.message });
    else {
      const prog = conds.find((c) => c.type === 'Progressing');
      set({
        type: 'Available',
        status: 'False',
        reason: 'WaitingForAvailable',
        message: prog?.reason === 'Blocked' ? prog.message : 'Waiting for hosted control plane to be healthy',
      });
    }

    const status: Record<string, unknown> = {};
    const merged = mergeConditions(hc.status?.conditions, conds);
    if (condKey(merged) !== condKey(hc.status?.conditions)) status.conditions = merged;
    // kubeconfig / kubeadminPassword / endpoints.
    const kubeconfig = ex.secret.has(`${ns}/${name}-admin-kubeconfig`) ? { name: `${name}-admin-kubeconfig` } : undefined;
    if (kubeconfig && hc.status?.kubeconfig?.name !== kubeconfig.name) status.kubeconfig = kubeconfig;
    const explicitOauth = !!hc.spec?.configuration?.oauth;
    const kubeadminPassword = !explicitOauth && ex.secret.has(`${ns}/${name}-kubeadmin-password`) ? { name: `${name}-kubeadmin-password` } : null;
    if ((hc.status?.kubeadminPassword?.name ?? null) !== (kubeadminPassword?.name ?? null)) status.kubeadminPassword = kubeadminPassword;
    if (hcpStatus?.controlPlaneEndpoint && JSON.stringify(hc.status?.controlPlaneEndpoint) !== JSON.stringify(hcpStatus.controlPlaneEndpoint))
      status.controlPlaneEndpoint = hcpStatus.controlPlaneEndpoint;
    if (hcpStatus?.oauthCallbackURLTemplate && hc.status?.oauthCallbackURLTemplate !== hcpStatus.oauthCallbackURLTemplate)
      status.oauthCallbackURLTemplate = hcpStatus.oauthCallbackURLTemplate;
    if (Object.keys(status).length) await this.ctx.patchStatus(R.HostedCluster, ns, name, status);
    if (newHistory !== history || !hc.status?.version) {
      // completionTime and availableUpdates are required but nullable: a JSON patch keeps the nulls
      // that a merge patch would drop.
      const v = { desired: { image: release, version }, history: newHistory, observedGeneration: gen, availableUpdates: null };
      try {
        await this.ctx.kube.patch(
          R.HostedCluster,
          ns,
          name,
          [...(hc.status || Object.keys(status).length ? [] : [{ op: 'add', path: '/status', value: {} }]), { op: 'add', path: '/status/version', value: v }],
          'json',
          { subresource: 'status' },
        );
      } catch (err) {
        log(`HostedCluster ${key}: version status: ${(err as Error).message}`);
      }
    }
    return { blocked: !!relErr };
  }

  // ------------------------------------------------------------------ deletion

  /**
   * HC delete(): unpause CAPI, delete the NodePools and wait for them, delete the HCP and the
   * control-plane namespace, the dashboard (only when the operator runs with dashboards on), and
   * only then remove the finalizer. The teardown takes the configured time.
   */
  private async delete(hc: Obj, nodePools: Obj[], ex: Existing, mon: MonitoringSettings): Promise<void> {
    const ns = hc.metadata.namespace!;
    const name = hc.metadata.name;
    const key = `${ns}/${name}`;
    const cpns = controlPlaneNamespace(hc);
    if (!finalizersOf(hc).includes(HYPERSHIFT_FINALIZER)) return;
    if (!this.deleting.has(key)) {
      this.deleting.set(key, Date.now() + timing('delete', hc));
      log(`HostedCluster ${key}: deleting (NodePools, control plane, namespace ${cpns})`);
    }
    for (const np of nodePools) {
      if (np.metadata.deletionTimestamp) continue;
      await this.ctx.del(R.NodePool, np.metadata.namespace, np.metadata.name);
      np.metadata.deletionTimestamp = nowRFC3339(); // this loop's copy: tear it down, don't reconcile it
    }
    await this.nodePools.reconcileNodePools(hc, nodePools, ex, cpns, {
      hcPaused: false,
      cpless: hc.metadata.annotations?.[NO_CONTROL_PLANE_ANNOTATION] === 'true',
    });
    if (nodePools.length) return;
    if (mon.operator.dashboards && ex.cm.has(`openshift-config-managed/hc-${ns}-${name}`))
      await this.ctx.del(R.ConfigMap, 'openshift-config-managed', `hc-${ns}-${name}`);
    if (Date.now() < (this.deleting.get(key) ?? 0)) return;
    // The hosted etcd goes with the control plane (its members stopped, its state removed).
    await this.etcd.removeGone(new Set([...this.etcd.clusters.keys()].filter((k) => k !== key)));
    if (ex.ns.has(`/${cpns}`)) {
      await this.ctx.del(R.Namespace, undefined, cpns);
      ex.ns.delete(`/${cpns}`);
      return; // the namespace goes over the next loops
    }
    const nsObj = await this.ctx.kube.getOrNull<Obj>(R.Namespace, undefined, cpns);
    if (nsObj) return;
    await this.ctx.kube.patch(
      R.HostedCluster,
      ns,
      name,
      { metadata: { finalizers: finalizersOf(hc).filter((f) => f !== HYPERSHIFT_FINALIZER), resourceVersion: hc.metadata.resourceVersion } },
      'merge',
    );
    this.deleting.delete(key);
    this.rollout.delete(key);
    log(`HostedCluster ${key}: deleted`);
  }
}

/**
 * hostedcluster_controller.go validateReleaseImage → supportedversion.IsValidReleaseVersion with
 * LatestSupportedVersion 5.1.0 and MinSupportedVersion 4.14.0 (support/supportedversion/version.go):
 * the release's minor against the minimum, and no y-stream downgrade from the desired version
 * while a change is pending. Skipped with the hypershift.openshift.io/skip-release-image-validation
 * annotation. The error text, or undefined.
 */
export function releaseImageError(hc: Obj): string | undefined {
  if (hc.metadata.annotations?.['hypershift.openshift.io/skip-release-image-validation'] !== undefined) return undefined;
  const version = releaseVersion(hc.spec?.release?.image);
  if (!version) return undefined;
  const [major, minor] = version.split('.').map(Number);
  const desired = hc.status?.version?.desired?.image as string | undefined;
  const current = desired && desired !== hc.spec?.release?.image ? releaseVersion(desired) : undefined;
  if (major === 4 && minor < 8) return `releases before 4.8 are not supported. Attempting to use: "${version}"`;
  if (current && Number(current.split('.')[1]) > minor && Number(current.split('.')[0]) === major)
    return `y-stream downgrade from "${current}" to "${version}" is not supported`;
  if (major === 4 && minor < 14)
    return `the minimum version supported for platform ${hc.spec?.platform?.type ?? 'AWS'} is: "4.14". Attempting to use: "${version}"`;
  return undefined;
}

function createHostId(s: string): string {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

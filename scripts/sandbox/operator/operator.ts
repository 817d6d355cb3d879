// The simulated HyperShift operator for one management cluster (test infrastructure, not product).
// It reconciles by polling: each loop lists what it needs cluster-wide (a handful of calls) and
// writes only what differs. One file per simulated controller:
//   hostedcluster.ts  HostedCluster → control-plane namespace, HCP, workloads, Routes, CAPI Cluster, status
//   nodepool.ts       NodePools and the CAPI controllers down to the guest's Nodes
//   etcd.ts           the etcd StatefulSet and its real member processes
//   storage.ts        the volume provisioner
//   monitoring.ts     MCE install-flags addon, operator pods, metrics set copy, dashboards
//   external-dns.ts   Route → Route 53 records
//   shared.ts         object helpers shared by all of them
import { Resources as R } from '../../../src/kube/resources.ts';
import type { EtcdCluster } from '../hosted-etcd/etcd.ts';
import { EtcdController } from './etcd.ts';
import { ExternalDns } from './external-dns.ts';
import { GuestDaemonSets } from './guest.ts';
import { HostedClusters } from './hostedcluster.ts';
import { Monitoring } from './monitoring.ts';
import { NodePools } from './nodepool.ts';
import { Ctx, Exec, log, MANAGED_SELECTOR, type Obj, type OperatorConfig, PV, setClusterTiming, SETTINGS_CONFIGMAP } from './shared.ts';
import { Storage } from './storage.ts';

export { memberIP } from '../hosted-etcd/etcd.ts';
export { LEAK_PAUSES_ANNOTATION } from './hostedcluster.ts';
export { compareVersions, controlPlaneNamespace, log, releaseVersion, STATUS_ANNOTATION, type OperatorConfig } from './shared.ts';

export class Operator {
  readonly cfg: OperatorConfig;
  private readonly ctx: Ctx;
  private readonly storage: Storage;
  private readonly etcd: EtcdController;
  private readonly nodePools: NodePools;
  private readonly monitoring: Monitoring;
  private readonly hostedClusters: HostedClusters;
  private readonly externalDns?: ExternalDns;
  private readonly guestDaemonSets?: GuestDaemonSets;
  lastLoopError?: string;
  loops = 0;

  constructor(cfg: OperatorConfig) {
    this.cfg = cfg;
    this.ctx = new Ctx(cfg);
    this.storage = new Storage(this.ctx);
    this.etcd = new EtcdController(this.ctx, this.storage);
    this.nodePools = new NodePools(this.ctx);
    this.monitoring = new Monitoring(this.ctx);
    this.hostedClusters = new HostedClusters(this.ctx, this.etcd, this.nodePools, this.monitoring);
    // The guest API server is shared: one simulator runs its DaemonSets.
    if (cfg.cluster === 'mgmt-1') this.guestDaemonSets = new GuestDaemonSets(this.ctx);
    if (cfg.awsEnv?.AWS_ENDPOINT_URL_ROUTE_53) this.externalDns = new ExternalDns(this.ctx.kube, cfg.cluster, cfg.baseDomain, cfg.awsEnv, log, this.ctx.dir);
  }

  etcdCluster(key: string): EtcdCluster | undefined {
    return this.etcd.cluster(key);
  }

  stopAll(): Promise<void> {
    return this.etcd.stopAll();
  }

  async loop(): Promise<void> {
    this.loops++;
    const ctx = this.ctx;
    const opNs = this.cfg.operatorNamespace;
    const managed = MANAGED_SELECTOR;
    const [hcs, nps, opDeploy, opPods, opCms, flagsCm, pvcs, pvs, pods, execs] = await Promise.all([
      ctx.list(R.HostedCluster),
      ctx.list(R.NodePool),
      ctx.kube.getOrNull<Obj>(R.Deployment, opNs, 'operator'),
      ctx.list(R.Pod, { namespace: opNs }),
      ctx.list(R.ConfigMap, { namespace: opNs }),
      ctx.kube.getOrNull<Obj>(R.ConfigMap, 'local-cluster', 'hypershift-operator-install-flags'),
      ctx.list(R.PersistentVolumeClaim),
      ctx.list(PV),
      ctx.list(R.Pod),
      ctx.list(Exec, { labelSelector: 'hcp-sandbox/pod-fs=true' }),
    ]);

    setClusterTiming(opCms.find((c) => c.metadata.name === SETTINGS_CONFIGMAP)?.data?.timing);
    const sre = opCms.find((c) => c.metadata.name === 'sre-metric-set');
    const template = opCms.find((c) => c.metadata.name === 'monitoring-dashboard-template');
    // Only a running operator pod reconciles, with the settings it read at its start.
    const settings = await this.monitoring.operatorPods(opPods, sre);
    ctx.operatorSettings = settings;
    await this.monitoring.mceAddon(opDeploy, flagsCm, 'local-cluster');
    await this.storage.provisionVolumes(pvcs, pvs);

    if (settings) {
      const [deploys, stss, routes, hcps, nss, cms, secrets] = await Promise.all([
        ctx.list(R.Deployment, { labelSelector: managed }),
        ctx.list(R.StatefulSet, { labelSelector: managed }),
        ctx.list(R.Route, { labelSelector: managed }),
        ctx.list(R.HostedControlPlane),
        ctx.list(R.Namespace, { labelSelector: managed }),
        ctx.list(R.ConfigMap, { labelSelector: managed }),
        ctx.list(R.Secret, { labelSelector: managed }),
      ]);
      const capi = await this.capiLists(managed);
      const existing = {
        deploy: ctx.byKey(deploys),
        sts: ctx.byKey(stss),
        route: ctx.byKey(routes),
        hcp: ctx.byKey(hcps),
        ns: ctx.byKey(nss),
        cm: ctx.byKey(cms),
        secret: ctx.byKey(secrets),
        ...capi,
      };
      const seen = new Set<string>();
      for (const hc of hcs) {
        const key = `${hc.metadata.namespace}/${hc.metadata.name}`;
        seen.add(key);
        try {
          await this.hostedClusters.reconcile(
            hc,
            nps.filter((np) => np.metadata.namespace === hc.metadata.namespace && np.spec?.clusterName === hc.metadata.name),
            existing,
            { operator: settings, sre, template },
          );
        } catch (err) {
          log(`reconcile ${key}: ${(err as Error).message}`);
        }
      }
      // HostedClusters that are gone: their control plane goes with them.
      await this.etcd.removeGone(seen);
      await this.nodePools.orphans(nps, seen);
      for (const [key, ns] of existing.ns) {
        const owner = ns.metadata.annotations?.['hypershift.openshift.io/cluster'];
        if (owner && !seen.has(owner) && !ns.metadata.deletionTimestamp) await ctx.del(R.Namespace, undefined, key.slice(1));
      }
      await this.externalDns?.sync().catch((err: Error) => log(`external-dns: ${err.message}`));
    }
    await this.etcd.pods(pods, pvcs, pvs, execs);
    if (this.loops % 2 === 0) await this.guestDaemonSets?.reconcile().catch((err: Error) => log(`guest DaemonSets: ${err.message}`));
  }

  private async capiLists(managed: string): Promise<Record<string, Map<string, Obj>>> {
    const types = {
      cluster: R.CapiCluster,
      awscluster: R.AWSCluster,
      md: R.MachineDeployment,
      ms: R.MachineSet,
      machine: R.Machine,
      amt: R.AWSMachineTemplate,
      am: R.AWSMachine,
    };
    const lists = await Promise.all(Object.values(types).map((t) => this.ctx.list(t, { labelSelector: managed })));
    return Object.fromEntries(Object.keys(types).map((k, i) => [k, this.ctx.byKey(lists[i])]));
  }
}

// NodePools and the CAPI controllers: NodePool → MachineDeployment → MachineSet → Machines and
// AWSMachines → the guest's Nodes. Upstream: hypershift-operator/controllers/nodepool/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../../src/kube/client.ts';
import { isAlreadyExists } from '../../../src/kube/errors.ts';
import { resolveKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Resources as R } from '../../../src/kube/resources.ts';
import { pausedState, reconciliationActiveCondition } from './paused.ts';
import { compareVersions, condKey, type Ctx, hash5, MANAGED, mergeConditions, type Obj, releaseVersion } from './shared.ts';

interface NpRuntime { updatingUntil?: number; version?: string }

export class NodePools {
  private readonly ctx: Ctx;
  private readonly guests = new Map<string, { rv: string; client: KubeClient }>();
  private readonly npRuntime = new Map<string, NpRuntime>();
  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  async reconcileNodePools(hc: Obj, nodePools: Obj[], ex: Record<string, Map<string, Obj>>, cpns: string, hcPaused: boolean): Promise<void> {
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
        await this.ctx.ensure(R.AWSMachineTemplate, cpns, {
          metadata: { name: npName, namespace: cpns, labels, annotations: npAnno },
          spec: { template: { spec: { instanceType: np.spec?.platform?.aws?.instanceType ?? 'm5.large', ami: { id: 'ami-0sandbox' } } } },
        }, ex.amt);
        const template = {
          metadata: { labels: { 'hypershift.openshift.io/nodePool': npName } },
          spec: {
            clusterName: labels['cluster.x-k8s.io/cluster-name'], version: npVersion ? `v${npVersion}` : undefined,
            bootstrap: { dataSecretName: `user-data-${npName}` }, infrastructureRef: await this.ctx.ref(R.AWSMachineTemplate, npName),
          },
        };
        if (!md) {
          md = await this.ctx.ensure(R.MachineDeployment, cpns, {
            metadata: { name: npName, namespace: cpns, labels, annotations: { ...npAnno } },
            spec: { clusterName: template.spec.clusterName, replicas, selector: { matchLabels: { 'hypershift.openshift.io/nodePool': npName } }, template },
          }, ex.md);
        } else if (md.spec?.replicas !== replicas || md.metadata.annotations?.['cluster.x-k8s.io/paused'] || md.spec?.template?.spec?.version !== template.spec.version) {
          await this.ctx.kube.patch(R.MachineDeployment, cpns, npName, { metadata: { annotations: { 'cluster.x-k8s.io/paused': null } }, spec: { replicas, template } }, 'merge');
          md = { ...md, spec: { ...md.spec, replicas, template }, metadata: { ...md.metadata, annotations: { ...md.metadata.annotations, 'cluster.x-k8s.io/paused': undefined as unknown as string } } };
        }
        // A release change rolls the NodePool: UpdatingVersion=True for a few seconds.
        if (rt.version === undefined) rt.version = np.status?.version ?? npVersion;
        if (npVersion && rt.version !== npVersion && !rt.updatingUntil) rt.updatingUntil = Date.now() + 5000;
      } else if (npPaused.paused && md && md.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
        await this.ctx.patch(R.MachineDeployment, cpns, npName, { metadata: { annotations: pausedAnno } });
        for (const ms of ex.ms.values()) {
          if (ms.metadata.namespace === cpns && ms.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey) await this.ctx.patch(R.MachineSet, cpns, ms.metadata.name, { metadata: { annotations: pausedAnno } });
        }
      }

      // The CAPI controllers: MachineDeployment → MachineSet → Machines/AWSMachines → guest Nodes.
      let machineCount = [...ex.machine.values()].filter((m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName).length;
      if (md && !capiPaused && !npPaused.paused && md.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
        machineCount = await this.capiMachines(hc, np, md, msName, cpns, ex, guest, guestNodes, labels);
      } else if (npPaused.paused) {
        for (const ms of ex.ms.values()) {
          if (ms.metadata.namespace === cpns && ms.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey && ms.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
            await this.ctx.patch(R.MachineSet, cpns, ms.metadata.name, { metadata: { annotations: pausedAnno } });
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
      if (Object.keys(status).length) await this.ctx.patchStatus(R.NodePool, np.metadata.namespace, npName, status);
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
    if (!ms) await this.ctx.ensure(R.MachineSet, cpns, { metadata: { name: msName, namespace: cpns, labels: { ...labels, ...sel }, annotations: { 'hypershift.openshift.io/nodePool': npKey } }, spec: msSpec }, ex.ms);
    else if (ms.spec?.replicas !== replicas || ms.metadata.annotations?.['cluster.x-k8s.io/paused']) {
      await this.ctx.kube.patch(R.MachineSet, cpns, msName, { metadata: { annotations: { 'cluster.x-k8s.io/paused': null } }, spec: { replicas } }, 'merge');
    }
    // Older MachineSets of this pool (a release change rolls them) are removed.
    for (const other of ex.ms.values()) {
      if (other.metadata.namespace === cpns && other.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey && other.metadata.name !== msName) {
        await this.ctx.del(R.MachineSet, cpns, other.metadata.name);
        ex.ms.delete(`${cpns}/${other.metadata.name}`);
      }
    }
    const subnet = this.ctx.allocate('pools', `${this.ctx.cfg.cluster}/${npKey}`);
    const nodeName = (i: number) => `ip-10-0-${subnet}-${10 + i}.ec2.internal`;
    const machines = [...ex.machine.values()].filter((m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName);
    const wanted = new Set(Array.from({ length: replicas }, (_, i) => `${npName}-${i}`));
    for (const m of machines) {
      if (wanted.has(m.metadata.name) && !m.metadata.deletionTimestamp) continue;
      await this.ctx.del(R.Machine, cpns, m.metadata.name);
      await this.ctx.del(R.AWSMachine, cpns, m.metadata.name);
      ex.machine.delete(`${cpns}/${m.metadata.name}`);
    }
    for (let i = 0; i < replicas; i++) {
      const mname = `${npName}-${i}`;
      if (ex.machine.has(`${cpns}/${mname}`)) continue;
      await this.ctx.ensure(R.AWSMachine, cpns, {
        metadata: { name: mname, namespace: cpns, labels: { ...labels, ...sel } },
        spec: { instanceType: np.spec?.platform?.aws?.instanceType ?? 'm5.large', providerID: `aws:///us-east-1a/i-0sandbox${hash5(mname)}${i}` },
      }, ex.am);
      const created = await this.ctx.ensure(R.Machine, cpns, {
        metadata: { name: mname, namespace: cpns, labels: { ...labels, ...sel, 'cluster.x-k8s.io/set-name': msName }, annotations: { 'hypershift.openshift.io/nodePool': npKey } },
        spec: { clusterName: md.spec.clusterName, bootstrap: { dataSecretName: `user-data-${npName}` }, infrastructureRef: await this.ctx.ref(R.AWSMachine, mname),
          providerID: `aws:///us-east-1a/i-0sandbox${hash5(mname)}${i}`, ...(md.spec.template?.spec?.version ? { version: md.spec.template.spec.version } : {}) },
      }, ex.machine);
      if (created) await this.ctx.patchStatus(R.Machine, cpns, mname, { phase: 'Running', nodeRef: this.ctx.capi === 'v1beta1' ? { kind: 'Node', name: nodeName(i), apiVersion: 'v1' } : { name: nodeName(i) } });
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
    const secret = await this.ctx.kube.getOrNull<Obj>(R.Secret, hc.metadata.namespace, secretName);
    const data = secret?.data?.kubeconfig;
    if (!secret || !data) return undefined;
    const key = `${hc.metadata.namespace}/${secretName}`;
    const cached = this.guests.get(key);
    if (cached && cached.rv === secret.metadata.resourceVersion) return cached.client;
    const file = join(this.ctx.dir, `guest-${hc.metadata.namespace}-${secretName}.kubeconfig`);
    writeFileSync(file, Buffer.from(data, 'base64'), { mode: 0o600 });
    const client = new KubeClient({ kubeconfig: resolveKubeconfig({ kubeconfig: file }, {}), env: {}, timeoutMs: 30_000 });
    this.guests.set(key, { rv: secret.metadata.resourceVersion ?? '', client });
    return client;
  }
}

// NodePools and the CAPI controllers: NodePool → MachineDeployment → MachineSet → Machines and
// AWSMachines → the guest's Nodes. Upstream: hypershift-operator/controllers/nodepool/
// (nodepool_controller.go, conditions.go, capi.go) and support/supportedversion/version.go.
// The CAPI/CAPA controllers themselves are simulated minimally: Machines take the configured
// time to provision, then run and get a guest Node; the MachineDeployment's status counts them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../../src/kube/client.ts';
import { isAlreadyExists, isNotFound } from '../../../src/kube/errors.ts';
import { resolveKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Resources as R } from '../../../src/kube/resources.ts';
import { pausedState, reconciliationActiveCondition } from './paused.ts';
import {
  finalizersOf,
  type Cond,
  condKey,
  type Ctx,
  type Existing,
  hash5,
  HYPERSHIFT_FINALIZER,
  log,
  MANAGED,
  mergeConditions,
  nowRFC3339,
  type Obj,
  releaseVersion,
  timing,
} from './shared.ts';

/** Which NodePool (namespace/name) a guest Node belongs to, and which management cluster runs it. */
export const NODE_POOL_ANNOTATION = 'hcp-sandbox.kubectl-hcp.io/nodepool';
export const NODE_OWNER_ANNOTATION = 'hcp-sandbox.kubectl-hcp.io/management-cluster';
const HEARTBEAT_ANNOTATION = 'hcp-sandbox.kubectl-hcp.io/heartbeat';
const NOT_READY_ANNOTATION = 'hcp-sandbox.kubectl-hcp.io/not-ready';
const HEARTBEAT_EVERY_MS = 10_000;
const HEARTBEAT_STALE_MS = 30_000;
const NOT_READY_MS = 10_000;

const minor = (v: string) => Number(v.split('.')[1] ?? 0);
const trimVersion = (v: string) => v.replace(/\.0$/, '');

/**
 * nodepool_controller.go getReleaseImage → supportedversion.IsValidReleaseVersion, for the
 * checks that matter here: minor versions only, against the HostedCluster's first completed
 * history entry (getHostedClusterVersion; its spec release while none is completed), and no
 * y-stream downgrade from the NodePool's status.version. The error text, or undefined.
 */
export function releaseError(hc: Obj, np: Obj): string | undefined {
  const wanted = releaseVersion(np.spec?.release?.image);
  if (!wanted) return undefined;
  const history = (hc.status?.version?.history ?? []) as { version: string; completionTime?: string | null }[];
  const hcVersion = history.find((h) => h.completionTime)?.version ?? releaseVersion(hc.spec?.release?.image);
  const current = np.status?.version as string | undefined;
  if (current && minor(current) > minor(wanted)) return `y-stream downgrade from "${current}" to "${wanted}" is not supported`;
  if (hcVersion && minor(wanted) > minor(hcVersion)) return `the latest version supported is: "${trimVersion(hcVersion)}". Attempting to use: "${wanted}"`;
  return undefined;
}

export class NodePools {
  private readonly ctx: Ctx;
  private readonly guests = new Map<string, { rv: string; client: KubeClient }>();
  private readonly subnets = new Map<string, number>();
  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  async reconcileNodePools(hc: Obj, nodePools: Obj[], ex: Existing, cpns: string, o: { hcPaused: boolean; cpless: boolean }): Promise<void> {
    if (!nodePools.length) return;
    const capiCluster = ex.cluster.get(`${cpns}/${hc.spec?.infraID ?? hc.metadata.name}`);
    const capiPaused = o.hcPaused || capiCluster?.spec?.paused === true;
    const guest = o.cpless ? undefined : await this.guestClient(hc);
    const guestNodes = guest ? (await guest.list<Obj>(R.Node)).items : [];
    for (const np of nodePools) {
      try {
        await this.reconcileNodePool(hc, np, ex, cpns, capiPaused, o.cpless, guest, guestNodes);
      } catch (err) {
        log(`NodePool ${np.metadata.namespace}/${np.metadata.name}: ${(err as Error).message}`);
      }
    }
  }

  private async reconcileNodePool(
    hc: Obj,
    np: Obj,
    ex: Existing,
    cpns: string,
    capiPaused: boolean,
    cpless: boolean,
    guest: KubeClient | undefined,
    guestNodes: Obj[],
  ): Promise<void> {
    const npKey = `${np.metadata.namespace}/${np.metadata.name}`;
    const npName = np.metadata.name;
    const gen = np.metadata.generation as number;
    if (np.metadata.deletionTimestamp) {
      await this.deleteNodePool(np, ex, cpns, guest, guestNodes);
      return;
    }
    if (!finalizersOf(np).includes(HYPERSHIFT_FINALIZER)) {
      await this.ctx.kube.patch(R.NodePool, np.metadata.namespace, npName, { metadata: { finalizers: [...finalizersOf(np), HYPERSHIFT_FINALIZER] } }, 'merge');
    }
    const npPaused = pausedState(np.spec?.pausedUntil);
    const ra = reconciliationActiveCondition(np.spec?.pausedUntil, npPaused);
    const pausedAnno = npPaused.paused ? { 'cluster.x-k8s.io/paused': 'true' } : {};
    const npAnno = { 'hypershift.openshift.io/nodePool': npKey };
    const replicas = Number(np.spec?.replicas ?? np.spec?.autoScaling?.min ?? 0);
    const image = np.spec?.release?.image;
    const wanted = releaseVersion(image);
    const relErr = releaseError(hc, np);
    const conds: Cond[] = [];
    const set = (c: Omit<Cond, 'observedGeneration'>) => conds.push({ ...c, observedGeneration: gen });
    set({ type: 'ReconciliationActive', ...ra });
    // conditions.go releaseImageCondition.
    if (relErr) set({ type: 'ValidReleaseImage', status: 'False', reason: 'ValidationFailed', message: `Failed to get release image: ${relErr}` });
    else set({ type: 'ValidReleaseImage', status: 'True', reason: 'AsExpected', message: `Using release image: ${image}` });

    const status: Record<string, unknown> = {};
    if (cpless) {
      // Control-plane-less (sandbox only): a healthy pool at its spec.
      set({ type: 'UpdatingVersion', status: 'False', reason: 'AsExpected', message: '' });
      set({ type: 'AllMachinesReady', status: 'True', reason: 'AsExpected', message: 'All is well' });
      set({ type: 'AllNodesHealthy', status: 'True', reason: 'AsExpected', message: 'All is well' });
      set({ type: 'Ready', status: 'True', reason: 'AsExpected', message: '' });
      if (np.status?.replicas !== replicas) status.replicas = replicas;
      if (wanted && !relErr && np.status?.version !== wanted) status.version = wanted;
      return this.writeStatus(np, conds, status);
    }
    // An invalid release stops the reconcile right there (releaseImageCondition returns an error).
    if (relErr) return this.writeStatus(np, conds, status);

    const labels = { ...MANAGED, 'cluster.x-k8s.io/cluster-name': hc.spec?.infraID ?? hc.metadata.name };
    let md = ex.md.get(`${cpns}/${npName}`);
    const msName = `${npName}-${hash5(`${npKey}/${image}`)}`;
    if (!npPaused.paused) {
      await this.ctx.ensure(
        R.AWSMachineTemplate,
        cpns,
        {
          metadata: { name: npName, namespace: cpns, labels, annotations: npAnno },
          spec: { template: { spec: { instanceType: np.spec?.platform?.aws?.instanceType ?? 'm5.large', ami: { id: 'ami-0sandbox' } } } },
        },
        ex.amt,
      );
      const template = {
        metadata: { labels: { 'hypershift.openshift.io/nodePool': npName } },
        spec: {
          clusterName: labels['cluster.x-k8s.io/cluster-name'],
          version: wanted ? `v${wanted}` : undefined,
          bootstrap: { dataSecretName: `user-data-${npName}` },
          infrastructureRef: await this.ctx.ref(R.AWSMachineTemplate, npName),
        },
      };
      if (!md) {
        md = await this.ctx.ensure(
          R.MachineDeployment,
          cpns,
          {
            metadata: { name: npName, namespace: cpns, labels, annotations: { ...npAnno } },
            spec: { clusterName: template.spec.clusterName, replicas, selector: { matchLabels: { 'hypershift.openshift.io/nodePool': npName } }, template },
          },
          ex.md,
        );
      } else if (
        md.spec?.replicas !== replicas ||
        md.metadata.annotations?.['cluster.x-k8s.io/paused'] ||
        md.spec?.template?.spec?.version !== template.spec.version
      ) {
        await this.ctx.kube.patch(
          R.MachineDeployment,
          cpns,
          npName,
          { metadata: { annotations: { 'cluster.x-k8s.io/paused': null } }, spec: { replicas, template } },
          'merge',
        );
        md = {
          ...md,
          spec: { ...md.spec, replicas, template },
          metadata: { ...md.metadata, annotations: { ...md.metadata.annotations, 'cluster.x-k8s.io/paused': undefined as unknown as string } },
        };
      }
    } else if (md && md.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
      await this.ctx.patch(R.MachineDeployment, cpns, npName, { metadata: { annotations: pausedAnno } });
    }
    if (npPaused.paused) {
      for (const ms of ex.ms.values()) {
        if (
          ms.metadata.namespace === cpns &&
          ms.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey &&
          ms.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true'
        ) {
          await this.ctx.patch(R.MachineSet, cpns, ms.metadata.name, { metadata: { annotations: pausedAnno } });
        }
      }
    }

    // The CAPI controllers (not while the CAPI Cluster or the MachineDeployment is paused).
    if (md && !capiPaused && !npPaused.paused && md.metadata.annotations?.['cluster.x-k8s.io/paused'] !== 'true') {
      await this.capiMachines(hc, np, md, msName, cpns, ex, guest, guestNodes, labels);
    }
    const machines = [...ex.machine.values()].filter(
      (m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName && !m.metadata.deletionTimestamp,
    );
    const mdNow = md ? (ex.md.get(`${cpns}/${npName}`) ?? md) : undefined;

    // capi.go: NodePool status.replicas = MachineDeployment status.availableReplicas; Ready copies the MD's Ready condition.
    const available = Number(mdNow?.status?.availableReplicas ?? 0);
    if (mdNow && np.status?.replicas !== available) status.replicas = available;
    const mdReady = ((mdNow?.status?.conditions ?? []) as Cond[]).find((c) => c.type === 'Ready');

    // status.version: set once the MachineDeployment runs the wanted version on all replicas.
    const rolledOut =
      !!mdNow &&
      machines.length === replicas &&
      available >= replicas &&
      machines.every((m) => m.metadata.labels?.['cluster.x-k8s.io/set-name'] === msName && m.status?.phase === 'Running');
    if (wanted && rolledOut && np.status?.version !== wanted) status.version = wanted;
    const statusVersion = (status.version as string | undefined) ?? np.status?.version;
    // conditions.go updatingVersionCondition / isUpdatingVersion: target != status.version.
    if (wanted && wanted !== statusVersion)
      set({ type: 'UpdatingVersion', status: 'True', reason: 'AsExpected', message: `Updating version in progress. Target version: ${wanted}` });
    else set({ type: 'UpdatingVersion', status: 'False', reason: 'AsExpected', message: '' });
    // conditions.go setAllMachinesReadyCondition / setAllNodesHealthyCondition from the Machines' conditions.
    set(this.machinesCondition('AllMachinesReady', 'Ready', 'WaitingForInfrastructure', machines, np));
    set(this.machinesCondition('AllNodesHealthy', 'NodeHealthy', 'WaitingForNodeRef', machines, np));
    if (mdReady) set({ type: 'Ready', status: mdReady.status, reason: mdReady.reason || 'AsExpected', message: mdReady.message ?? '' });
    return this.writeStatus(np, conds, status);
  }

  private machinesCondition(type: string, machineCond: string, missingReason: string, machines: Obj[], np: Obj): Omit<Cond, 'observedGeneration'> {
    if (!machines.length) {
      const none = np.spec?.replicas === 0;
      return { type, status: 'False', reason: none ? 'AsExpected' : 'NotFound', message: none ? 'NodePool set to no replicas' : 'No Machines are created' };
    }
    const bad: [string, string][] = [];
    for (const m of machines) {
      const c = ((m.status?.conditions ?? []) as Cond[]).find((x) => x.type === machineCond);
      if (!c) bad.push([missingReason, `Machine ${m.metadata.name}: ${missingReason}\n`]);
      else if (c.status !== 'True')
        bad.push([c.reason, c.message ? `Machine ${m.metadata.name}: ${c.reason}: ${c.message}\n` : `Machine ${m.metadata.name}: ${c.reason}\n`]);
    }
    if (!bad.length) return { type, status: 'True', reason: 'AsExpected', message: 'All is well' };
    // aggregateMachineReasonsAndMessages is not in the upstream copy: its shape is approximated.
    const reasons = [...new Set(bad.map((b) => b[0]))];
    const what = type === 'AllMachinesReady' ? 'ready' : 'healthy';
    return {
      type,
      status: 'False',
      reason: reasons.length === 1 ? reasons[0] : reasons.join(','),
      message: `${bad.length} of ${machines.length} machines are not ${what}\n${bad.map((b) => b[1]).join('')}`.trimEnd(),
    };
  }

  private async writeStatus(np: Obj, conds: Cond[], status: Record<string, unknown>): Promise<void> {
    const merged = mergeConditions(np.status?.conditions, conds);
    if (condKey(merged) !== condKey(np.status?.conditions)) status.conditions = merged;
    if (Object.keys(status).length) await this.ctx.patchStatus(R.NodePool, np.metadata.namespace, np.metadata.name, status);
  }

  /**
   * A deleted NodePool (nodepool_controller.go delete): its MachineDeployment, MachineSets,
   * Machines, templates and the guest's Nodes go, then the finalizer.
   */
  private async deleteNodePool(np: Obj, ex: Existing, cpns: string, guest: KubeClient | undefined, guestNodes: Obj[]): Promise<void> {
    const npKey = `${np.metadata.namespace}/${np.metadata.name}`;
    const npName = np.metadata.name;
    const mine = (o: Obj) =>
      o.metadata.namespace === cpns &&
      (o.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName || o.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey);
    const tolerate = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    };
    for (const [rt, m] of [
      [R.Machine, ex.machine],
      [R.AWSMachine, ex.am],
      [R.MachineSet, ex.ms],
      [R.MachineDeployment, ex.md],
      [R.AWSMachineTemplate, ex.amt],
    ] as const) {
      for (const o of m.values())
        if (mine(o) || (rt === R.MachineDeployment && o.metadata.namespace === cpns && o.metadata.name === npName))
          await tolerate(this.ctx.del(rt, cpns, o.metadata.name));
    }
    if (guest) {
      for (const n of guestNodes) {
        if (this.nodePoolOf(n) === npKey && this.mayTouch(n)) await tolerate(guest.delete(R.Node, undefined, n.metadata.name));
      }
    }
    if (finalizersOf(np).includes(HYPERSHIFT_FINALIZER)) {
      await this.ctx.kube.patch(
        R.NodePool,
        np.metadata.namespace,
        npName,
        { metadata: { finalizers: finalizersOf(np).filter((f) => f !== HYPERSHIFT_FINALIZER), resourceVersion: np.metadata.resourceVersion } },
        'merge',
      );
      log(`NodePool ${npKey} deleted: machines and guest nodes removed`);
    }
  }

  /** NodePools whose HostedCluster is gone: nothing else will remove their finalizer. */
  async orphans(nodePools: Obj[], hcKeys: Set<string>): Promise<void> {
    for (const np of nodePools) {
      if (!np.metadata.deletionTimestamp || hcKeys.has(`${np.metadata.namespace}/${np.spec?.clusterName}`)) continue;
      if (finalizersOf(np).includes(HYPERSHIFT_FINALIZER)) {
        await this.ctx.kube
          .patch(
            R.NodePool,
            np.metadata.namespace,
            np.metadata.name,
            { metadata: { finalizers: finalizersOf(np).filter((f) => f !== HYPERSHIFT_FINALIZER) } },
            'merge',
          )
          .catch(() => undefined);
      }
    }
  }

  private nodePoolOf(n: Obj): string | undefined {
    return n.metadata.annotations?.[NODE_POOL_ANNOTATION];
  }

  /** A management cluster touches only guest Nodes it runs, or nobody runs. */
  private mayTouch(n: Obj): boolean {
    const owner = n.metadata.annotations?.[NODE_OWNER_ANNOTATION];
    return !owner || owner === this.ctx.cfg.cluster;
  }

  /**
   * The subnet of a pool's nodes (ip-10-0-<subnet>-<10+i>): the one its nodes already use in the
   * guest (so a pool keeps its node names on any management cluster), else the one picked for it
   * before, else the lowest one no node and no other pool uses.
   */
  private subnetOf(npKey: string, guestNodes: Obj[]): number {
    const re = /^ip-10-0-(\d+)-\d+\.ec2\.internal$/;
    for (const n of guestNodes) {
      if (this.nodePoolOf(n) === npKey) {
        const s = Number(re.exec(n.metadata.name)?.[1] ?? 0);
        this.subnets.set(npKey, s);
        return s;
      }
    }
    const picked = this.subnets.get(npKey);
    if (picked !== undefined) return picked;
    const used = new Set([...guestNodes.map((n) => Number(re.exec(n.metadata.name)?.[1] ?? -1)), ...this.subnets.values()]);
    let s = 1;
    while (used.has(s)) s++;
    this.subnets.set(npKey, s);
    return s;
  }

  private async capiMachines(
    hc: Obj,
    np: Obj,
    md: Obj,
    msName: string,
    cpns: string,
    ex: Existing,
    guest: KubeClient | undefined,
    guestNodes: Obj[],
    labels: Record<string, string>,
  ): Promise<void> {
    const npKey = `${np.metadata.namespace}/${np.metadata.name}`;
    const npName = np.metadata.name;
    const replicas = Number(md.spec?.replicas ?? 0);
    const sel = { 'hypershift.openshift.io/nodePool': npName };
    const msSpec = { clusterName: md.spec.clusterName, replicas, selector: { matchLabels: sel }, template: md.spec.template };
    const ms = ex.ms.get(`${cpns}/${msName}`);
    if (!ms)
      await this.ctx.ensure(
        R.MachineSet,
        cpns,
        {
          metadata: { name: msName, namespace: cpns, labels: { ...labels, ...sel }, annotations: { 'hypershift.openshift.io/nodePool': npKey } },
          spec: msSpec,
        },
        ex.ms,
      );
    else if (ms.spec?.replicas !== replicas || ms.metadata.annotations?.['cluster.x-k8s.io/paused']) {
      await this.ctx.kube.patch(R.MachineSet, cpns, msName, { metadata: { annotations: { 'cluster.x-k8s.io/paused': null } }, spec: { replicas } }, 'merge');
    }
    // Older MachineSets of this pool (a release change rolls them) are removed with their Machines.
    for (const other of [...ex.ms.values()]) {
      if (other.metadata.namespace === cpns && other.metadata.annotations?.['hypershift.openshift.io/nodePool'] === npKey && other.metadata.name !== msName) {
        await this.ctx.del(R.MachineSet, cpns, other.metadata.name);
        ex.ms.delete(`${cpns}/${other.metadata.name}`);
      }
    }
    const subnet = guest ? this.subnetOf(npKey, guestNodes) : 0;
    const nodeName = (i: number) => `ip-10-0-${subnet}-${10 + i}.ec2.internal`;
    const machines = [...ex.machine.values()].filter(
      (m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName,
    );
    const wanted = new Set(Array.from({ length: replicas }, (_, i) => `${msName}-${i}`));
    for (const m of machines) {
      if (wanted.has(m.metadata.name) && !m.metadata.deletionTimestamp) continue;
      if (m.metadata.deletionTimestamp) continue;
      await this.ctx.del(R.Machine, cpns, m.metadata.name);
      await this.ctx.del(R.AWSMachine, cpns, m.metadata.name);
      ex.machine.delete(`${cpns}/${m.metadata.name}`);
    }
    const v1beta1 = (await this.ctx.capiVersionOf()) === 'v1beta1';
    const machineTime = timing('machine', np, hc);
    for (let i = 0; i < replicas; i++) {
      const mname = `${msName}-${i}`;
      const have = ex.machine.get(`${cpns}/${mname}`);
      const providerID = `aws:///us-east-1a/i-0sandbox${hash5(mname)}${i}`;
      if (!have) {
        await this.ctx.ensure(
          R.AWSMachine,
          cpns,
          {
            metadata: { name: mname, namespace: cpns, labels: { ...labels, ...sel } },
            spec: { instanceType: np.spec?.platform?.aws?.instanceType ?? 'm5.large', providerID },
          },
          ex.am,
        );
        const created = await this.ctx.ensure(
          R.Machine,
          cpns,
          {
            metadata: {
              name: mname,
              namespace: cpns,
              labels: { ...labels, ...sel, 'cluster.x-k8s.io/set-name': msName },
              annotations: { 'hypershift.openshift.io/nodePool': npKey },
            },
            spec: {
              clusterName: md.spec.clusterName,
              bootstrap: { dataSecretName: `user-data-${npName}` },
              infrastructureRef: await this.ctx.ref(R.AWSMachine, mname),
              providerID,
              ...(md.spec.template?.spec?.version ? { version: md.spec.template.spec.version } : {}),
            },
          },
          ex.machine,
        );
        if (created)
          await this.ctx.patchStatus(R.Machine, cpns, mname, {
            phase: 'Provisioning',
            conditions: [this.mcond('Ready', 'False', 'WaitingForInfrastructure', '')],
          });
        continue;
      }
      // Provisioned after the configured time: Running, nodeRef, and a Ready guest Node. A
      // running Machine's Node that went away registers again (its kubelet still runs).
      const age = Date.now() - Date.parse(have.metadata.creationTimestamp ?? '');
      if (have.status?.phase === 'Running') {
        if (guest && have.status?.nodeRef?.name) await this.ensureGuestNode(guest, guestNodes, have.status.nodeRef.name, npKey, npName, providerID);
        continue;
      }
      if (age < machineTime) continue;
      const node = nodeName(i);
      if (guest) await this.ensureGuestNode(guest, guestNodes, node, npKey, npName, providerID);
      await this.ctx.patchStatus(R.Machine, cpns, mname, {
        phase: 'Running',
        nodeRef: v1beta1 ? { kind: 'Node', name: node, apiVersion: 'v1' } : { name: node },
        conditions: [
          this.mcond('Ready', 'True', 'Ready', ''),
          this.mcond('NodeHealthy', 'True', 'NodeHealthy', ''),
          this.mcond('InfrastructureReady', 'True', 'Ready', ''),
        ],
      });
      ex.machine.set(`${cpns}/${mname}`, {
        ...have,
        status: {
          ...have.status,
          phase: 'Running',
          conditions: [this.mcond('Ready', 'True', 'Ready', ''), this.mcond('NodeHealthy', 'True', 'NodeHealthy', '')],
        },
      });
    }
    // The guest's Nodes follow the Machines: nodes of no Machine of this pool go (only our own).
    if (guest) {
      const wantNodes = new Set(
        [...ex.machine.values()]
          .filter((m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName)
          .map((m) => m.status?.nodeRef?.name ?? '')
          .filter(Boolean),
      );
      for (let i = 0; i < replicas; i++) wantNodes.add(nodeName(i));
      for (const n of guestNodes) {
        if (this.nodePoolOf(n) === npKey && !wantNodes.has(n.metadata.name) && this.mayTouch(n)) {
          try {
            await guest.delete(R.Node, undefined, n.metadata.name);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      }
    }
    // The MachineDeployment's status (CAPI's MachineDeployment controller).
    const mine = [...ex.machine.values()].filter(
      (m) => m.metadata.namespace === cpns && m.metadata.labels?.['hypershift.openshift.io/nodePool'] === npName && !m.metadata.deletionTimestamp,
    );
    const running = mine.filter((m) => m.status?.phase === 'Running').length;
    const ready = running >= replicas;
    const mdStatus = {
      replicas: mine.length,
      readyReplicas: running,
      availableReplicas: running,
      updatedReplicas: mine.filter((m) => m.metadata.labels?.['cluster.x-k8s.io/set-name'] === msName).length,
      observedGeneration: md.metadata.generation,
      conditions: [
        this.mcond(
          'Ready',
          ready ? 'True' : 'False',
          ready ? 'Ready' : 'WaitingForAvailableMachines',
          ready ? '' : `Minimum availability requires ${replicas} replicas, current ${running} available`,
        ),
        this.mcond(
          'Available',
          ready ? 'True' : 'False',
          ready ? 'Available' : 'WaitingForAvailableMachines',
          ready ? '' : `Minimum availability requires ${replicas} replicas, current ${running} available`,
        ),
      ],
    };
    const sig = (s: any) =>
      JSON.stringify([
        s?.replicas,
        s?.readyReplicas,
        s?.availableReplicas,
        s?.updatedReplicas,
        ((s?.conditions ?? []) as Cond[]).map((c) => [c.type, c.status, c.reason, c.message ?? '']),
      ]);
    if (sig(mdStatus) !== sig(md.status)) {
      const prev = (md.status?.conditions ?? []) as Cond[];
      mdStatus.conditions = mdStatus.conditions.map((c) => ({
        ...c,
        lastTransitionTime: prev.find((p) => p.type === c.type && p.status === c.status)?.lastTransitionTime ?? c.lastTransitionTime,
      }));
      await this.ctx.patchStatus(R.MachineDeployment, cpns, md.metadata.name, mdStatus);
      ex.md.set(`${cpns}/${md.metadata.name}`, { ...md, status: mdStatus });
    }
  }

  private mcond(type: string, status: string, reason: string, message: string): Cond & { lastTransitionTime: string } {
    return { type, status, reason, message, lastTransitionTime: nowRFC3339() };
  }

  /**
   * A Machine's guest Node: made if missing; its running management cluster refreshes a
   * heartbeat on it. A Node another management cluster runs is left alone while that one's
   * heartbeat is fresh; once it is stale (that control plane stopped, e.g. paused for a
   * migration) this one takes the Node over: NotReady (reason NodeStatusUnknown, as the node
   * lifecycle controller says when a kubelet stops posting) for a few seconds, then Ready again
   * (kwok's node-initialize stage, which skips Nodes annotated not-ready).
   */
  private async ensureGuestNode(guest: KubeClient, guestNodes: Obj[], n: string, npKey: string, npName: string, providerID: string): Promise<void> {
    const me = this.ctx.cfg.cluster;
    const have = guestNodes.find((g) => g.metadata.name === n);
    const now = Date.now();
    if (have) {
      const a = have.metadata.annotations ?? {};
      const owner = a[NODE_OWNER_ANNOTATION];
      const beat = Date.parse(a[HEARTBEAT_ANNOTATION] ?? '') || 0;
      if (owner && owner !== me && now - beat < HEARTBEAT_STALE_MS) return; // another management cluster runs it
      const takeover = !!owner && owner !== me;
      const notReadyUntil = Date.parse(a[NOT_READY_ANNOTATION] ?? '') || 0;
      const patch: Record<string, string | null> = {};
      if (a[NODE_POOL_ANNOTATION] !== npKey) patch[NODE_POOL_ANNOTATION] = npKey;
      if (owner !== me) patch[NODE_OWNER_ANNOTATION] = me;
      if (now - beat >= HEARTBEAT_EVERY_MS) patch[HEARTBEAT_ANNOTATION] = new Date(now).toISOString();
      if (takeover) patch[NOT_READY_ANNOTATION] = new Date(now + NOT_READY_MS).toISOString();
      else if (notReadyUntil && now >= notReadyUntil) patch[NOT_READY_ANNOTATION] = null;
      if (!Object.keys(patch).length) return;
      if (takeover) {
        // Not-ready first (so kwok leaves the status alone), then the status, then the new owner.
        await guest.patch(R.Node, undefined, n, { metadata: { annotations: { [NOT_READY_ANNOTATION]: patch[NOT_READY_ANNOTATION] } } }, 'merge');
        const t = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
        const conds = ((have.status?.conditions ?? []) as Cond[]).map((c) =>
          c.type === 'Ready'
            ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: t }
            : c,
        );
        await guest
          .patch(R.Node, undefined, n, { status: { conditions: conds } }, 'strategic', { subresource: 'status' })
          .catch((err: Error) => log(`guest node ${n}: ${err.message}`));
        log(`guest node ${n}: taken over from ${owner} (NotReady for ${NOT_READY_MS / 1000}s)`);
      }
      await guest.patch(R.Node, undefined, n, { metadata: { annotations: patch } }, 'merge');
      return;
    }
    guestNodes.push({ metadata: { name: n, annotations: { [NODE_POOL_ANNOTATION]: npKey, [NODE_OWNER_ANNOTATION]: me } } });
    try {
      await guest.create(R.Node, undefined, {
        metadata: {
          name: n,
          labels: {
            'kubernetes.io/hostname': n,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'node-role.kubernetes.io/worker': '',
            'hypershift.openshift.io/nodePool': npName,
          },
          annotations: {
            'node.alpha.kubernetes.io/ttl': '0',
            'kwok.x-k8s.io/node': 'fake',
            [NODE_POOL_ANNOTATION]: npKey,
            [NODE_OWNER_ANNOTATION]: me,
            [HEARTBEAT_ANNOTATION]: new Date(now).toISOString(),
          },
        },
        spec: { providerID },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
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

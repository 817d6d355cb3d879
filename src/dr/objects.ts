/**
 * The object half of a DR backup (docs 8.4.3 step 4): the HostedCluster and **every** NodePool
 * (the docs and upstream's migrate-hcp.sh take one), the HC-namespace secrets of the cluster, the
 * HostedControlPlane, the CAPI Cluster, AWSCluster, AWSMachineTemplates, AWSMachines,
 * MachineDeployments, MachineSets, Machines and the control-plane secrets the docs keep.
 *
 * Read with one list call per type (13 requests, in parallel), not one `oc get -o yaml` process per
 * object; the versions are those discovery prefers (src/kube resolves CAPI/CAPA at run time).
 * Each object is cleaned of what the destination must not receive (uid, resourceVersion,
 * creationTimestamp, managedFields, ownerReferences, status…) and written as YAML under
 * `namespaces/<ns>/`, with `manifest.json` listing every object and the sha256 of its file. The
 * restore applies them in the docs' order (RESTORE_ORDER).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject, type ResourceType } from '../kube/resources.ts';
import { controlPlaneNamespace, type HostedCluster, type NodePool } from '../hostedcluster/types.ts';
import type { PrivateWriter } from '../util/private-writer.ts';

export const OBJECTS_MANIFEST = 'manifest.json';
export const OBJECTS_MANIFEST_KIND = 'kubectl-hcp/dr-objects';

/** What each file holds; also the order in which `dr restore` applies them (docs 8.4.4 steps 3-7). */
export type ObjectGroup =
  | 'hc-secret'
  | 'cp-secret'
  | 'hostedcontrolplane'
  | 'cluster'
  | 'awscluster'
  | 'awsmachinetemplate'
  | 'awsmachine'
  | 'machinedeployment'
  | 'machineset'
  | 'machine'
  | 'hostedcluster'
  | 'nodepool';

export const RESTORE_ORDER: ObjectGroup[] = [
  'hc-secret',
  'cp-secret',
  'hostedcontrolplane',
  'cluster',
  'awscluster',
  'awsmachinetemplate',
  'awsmachine',
  'machinedeployment',
  'machineset',
  'machine',
  'hostedcluster',
  'nodepool',
];

/** The groups that only matter when the nodes are reused (docs 8.4.4 step 5, `--reuse-nodes`). */
export const NODE_GROUPS: ObjectGroup[] = ['awscluster', 'awsmachinetemplate', 'awsmachine', 'machinedeployment', 'machineset', 'machine'];

interface Source {
  group: ObjectGroup;
  resource: ResourceType;
  where: 'hc' | 'cp';
  /** The docs' file prefix (hc-, np-, secret-, hcp-, cl-, awscl-, awsmt-, awsm-, machinedeployment-, …). */
  prefix: string;
}

const SOURCES: Source[] = [
  { group: 'hostedcluster', resource: Resources.HostedCluster, where: 'hc', prefix: 'hc' },
  { group: 'nodepool', resource: Resources.NodePool, where: 'hc', prefix: 'np' },
  { group: 'hc-secret', resource: Resources.Secret, where: 'hc', prefix: 'secret' },
  { group: 'hostedcontrolplane', resource: Resources.HostedControlPlane, where: 'cp', prefix: 'hcp' },
  { group: 'cluster', resource: Resources.CapiCluster, where: 'cp', prefix: 'cl' },
  { group: 'awscluster', resource: Resources.AWSCluster, where: 'cp', prefix: 'awscl' },
  { group: 'awsmachinetemplate', resource: Resources.AWSMachineTemplate, where: 'cp', prefix: 'awsmt' },
  { group: 'awsmachine', resource: Resources.AWSMachine, where: 'cp', prefix: 'awsm' },
  { group: 'machinedeployment', resource: Resources.MachineDeployment, where: 'cp', prefix: 'machinedeployment' },
  { group: 'machineset', resource: Resources.MachineSet, where: 'cp', prefix: 'machineset' },
  { group: 'machine', resource: Resources.Machine, where: 'cp', prefix: 'machine' },
  { group: 'cp-secret', resource: Resources.Secret, where: 'cp', prefix: 'secret' },
];

export interface BackupObject {
  group: ObjectGroup;
  resource: ResourceType;
  object: KubeObject;
}

/** `Kind namespace/name`, one line per object, for the --dry-run=client plan. */
export const describeObjects = (objects: Pick<BackupObject, 'object'>[]): string[] =>
  objects.map((o) => `${o.object.kind} ${o.object.metadata.namespace ? `${o.object.metadata.namespace}/` : ''}${o.object.metadata.name}`);

export interface ManifestEntry {
  group: ObjectGroup;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Relative to the backup dir. */
  file: string;
  sha256: string;
}

export interface ObjectsManifest {
  kind: typeof OBJECTS_MANIFEST_KIND;
  version: 1;
  hostedCluster: { namespace: string; name: string };
  controlPlaneNamespace: string;
  takenAt: string;
  counts: Partial<Record<ObjectGroup, number>>;
  objects: ManifestEntry[];
}

/**
 * Control-plane secrets the docs leave out: `oc get secret | egrep -v "docker|service-account-token|
 * oauth-openshift|NAME|token-<name>"` matches the NAME and TYPE columns, so a dockercfg or
 * service-account-token type is left out as well as those names. The destination makes them again.
 */
export function keepControlPlaneSecret(secret: KubeObject & { type?: string }, hcName: string): boolean {
  const line = `${secret.metadata.name} ${secret.type ?? ''}`;
  return !/docker|service-account-token|oauth-openshift/.test(line) && !line.includes(`token-${hcName}`);
}

/**
 * HC-namespace secrets of the cluster: those the docs take (`grep "^<name>"`), and those the
 * HostedCluster or its NodePools reference by name (pull secret, SSH key, encryption keys…), which
 * need not start with the cluster's name.
 */
export function clusterSecretNames(hc: HostedCluster, nodePools: NodePool[], all: string[]): string[] {
  const referenced = new Set<string>();
  const walk = (v: unknown, key?: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // {name: …} objects under a key that names a secret: pullSecret, sshKey, activeKey, backupKey, *Secret*, *Ref.
      if (typeof o.name === 'string' && key && /secret|key|credentials/i.test(key)) referenced.add(o.name);
      for (const [k, x] of Object.entries(o)) walk(x, k);
    }
  };
  walk(hc.spec);
  for (const np of nodePools) walk(np.spec);
  return all.filter((n) => n.startsWith(hc.metadata.name) || referenced.has(n)).sort();
}

/** What the destination must not receive (issue 9): server-set metadata, owner links and status. */
export function cleanObject<T extends KubeObject>(obj: T, apiVersion: string, kind: string): T {
  const { status: _status, ...rest } = obj as T & { status?: unknown };
  const {
    uid: _u,
    resourceVersion: _r,
    creationTimestamp: _c,
    managedFields: _m,
    ownerReferences: _o,
    generation: _g,
    selfLink: _s,
    ...metadata
  } = obj.metadata;
  const annotations = { ...(metadata.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const cleaned = { ...rest, apiVersion, kind, metadata: { ...metadata, annotations } } as T;
  if (!Object.keys(annotations).length) delete (cleaned.metadata as { annotations?: unknown }).annotations;
  return cleaned;
}

/**
 * Lists every type once (in parallel) and keeps what belongs to the cluster. CAPI/CAPA objects and
 * control-plane secrets are taken whole from the control-plane namespace, which holds one cluster.
 */
export async function readClusterObjects(kube: KubeClient, hc: HostedCluster): Promise<BackupObject[]> {
  const ns = hc.metadata.namespace!;
  const name = hc.metadata.name;
  const cpns = controlPlaneNamespace(ns, name);
  const lists = await Promise.all(
    SOURCES.map(async (s) => {
      const list = await kube.listIfServed<KubeObject>(s.resource, { namespace: s.where === 'hc' ? ns : cpns });
      const apiVersion = await kube.apiVersionOf(s.resource).catch(() => `${s.resource.group}/${s.resource.version ?? 'v1beta1'}`);
      return { s, items: list?.items ?? [], apiVersion };
    }),
  );
  const nodePools = (lists.find((l) => l.s.group === 'nodepool')?.items ?? []).filter((np) => (np as NodePool).spec?.clusterName === name) as NodePool[];
  const hcSecretNames = new Set(
    clusterSecretNames(
      hc,
      nodePools,
      (lists.find((l) => l.s.group === 'hc-secret')?.items ?? []).map((x) => x.metadata.name),
    ),
  );
  const out: BackupObject[] = [];
  for (const { s, items, apiVersion } of lists) {
    const keep = items.filter((o) => {
      switch (s.group) {
        case 'hostedcluster':
          return o.metadata.name === name;
        case 'nodepool':
          return (o as NodePool).spec?.clusterName === name;
        case 'hc-secret':
          return hcSecretNames.has(o.metadata.name);
        case 'cp-secret':
          return keepControlPlaneSecret(o as KubeObject & { type?: string }, name);
        default:
          return true;
      }
    });
    for (const o of keep) out.push({ group: s.group, resource: s.resource, object: cleanObject(o, apiVersion, s.resource.kind) });
  }
  return out.sort((a, b) => RESTORE_ORDER.indexOf(a.group) - RESTORE_ORDER.indexOf(b.group) || a.object.metadata.name.localeCompare(b.object.metadata.name));
}

/** `namespaces/<ns>/<prefix>-<name>.yaml`, the docs' layout. */
export function objectFile(o: BackupObject): string {
  const prefix = SOURCES.find((s) => s.group === o.group)!.prefix;
  return join('namespaces', o.object.metadata.namespace!, `${prefix}-${o.object.metadata.name}.yaml`);
}

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** Writes every object and the manifest through the private, never-overwriting writer. */
export function writeObjects(writer: PrivateWriter, objects: BackupObject[], hc: HostedCluster, now: Date): ObjectsManifest {
  const entries: ManifestEntry[] = [];
  const counts: Partial<Record<ObjectGroup, number>> = {};
  for (const o of objects) {
    const file = objectFile(o);
    const text = yaml.dump(o.object, { lineWidth: -1, noRefs: true, sortKeys: false });
    writer.write(file, text);
    counts[o.group] = (counts[o.group] ?? 0) + 1;
    entries.push({
      group: o.group,
      apiVersion: o.object.apiVersion!,
      kind: o.object.kind!,
      namespace: o.object.metadata.namespace!,
      name: o.object.metadata.name,
      file,
      sha256: sha256(text),
    });
  }
  const manifest: ObjectsManifest = {
    kind: OBJECTS_MANIFEST_KIND,
    version: 1,
    hostedCluster: { namespace: hc.metadata.namespace!, name: hc.metadata.name },
    controlPlaneNamespace: controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name),
    takenAt: now.toISOString(),
    counts,
    objects: entries,
  };
  writer.write(OBJECTS_MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

export interface VerifiedObjects {
  manifest: ObjectsManifest;
  /** Parsed objects in restore order. */
  objects: (ManifestEntry & { object: KubeObject })[];
  problems: string[];
}

/** Reads the manifest and checks every file against its checksum; `problems` lists each mismatch or missing file. */
export function verifyObjects(dir: string): VerifiedObjects {
  const path = join(dir, OBJECTS_MANIFEST);
  if (!existsSync(path)) throw new Error(`${path} not found: not a dr backup directory`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ObjectsManifest;
  if (manifest.kind !== OBJECTS_MANIFEST_KIND) throw new Error(`${path} is not a kubectl-hcp dr backup manifest`);
  const problems: string[] = [];
  const objects: VerifiedObjects['objects'] = [];
  for (const e of manifest.objects) {
    const file = join(dir, e.file);
    if (!existsSync(file)) {
      problems.push(`${e.file} is missing`);
      continue;
    }
    const text = readFileSync(file);
    if (sha256(text) !== e.sha256) {
      problems.push(`${e.file} does not match its checksum`);
      continue;
    }
    objects.push({ ...e, object: yaml.load(text.toString('utf8')) as KubeObject });
  }
  objects.sort((a, b) => RESTORE_ORDER.indexOf(a.group) - RESTORE_ORDER.indexOf(b.group));
  return { manifest, objects, problems };
}

import { mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../../src/kube/client.ts';
import type { KubeObject, ResourceType } from '../../../src/kube/resources.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import {
  cleanObject,
  clusterSecretNames,
  keepControlPlaneSecret,
  readClusterObjects,
  verifyObjects,
  writeObjects,
  OBJECTS_MANIFEST,
} from '../../../src/dr/objects.ts';
import { PrivateWriter } from '../../../src/util/private-writer.ts';

const meta = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace,
  uid: 'u-1',
  resourceVersion: '42',
  creationTimestamp: '2026-01-01T00:00:00Z',
  managedFields: [{ manager: 'x' }],
  ownerReferences: [{ kind: 'MachineSet', name: 'ms', uid: 'u-2' }],
  generation: 3,
  ...extra,
});

const hc: HostedCluster = {
  apiVersion: 'hypershift.openshift.io/v1beta1',
  kind: 'HostedCluster',
  metadata: meta('sample', 'clusters') as HostedCluster['metadata'],
  spec: { pullSecret: { name: 'pull' }, sshKey: { name: 'ssh' }, secretEncryption: { aescbc: { activeKey: { name: 'sample-etcd-encryption-key' } } } },
  status: { conditions: [] },
};

/** A list-only stand-in that counts requests: the backup must make one per type, whatever the object count. */
function listingKube(byType: Record<string, KubeObject[]>): KubeClient & { requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    async listIfServed(rt: ResourceType, opts: { namespace?: string }) {
      requests.push(`${rt.plural} ${opts.namespace}`);
      return { items: (byType[rt.plural] ?? []).filter((o) => o.metadata.namespace === opts.namespace).map((o) => structuredClone(o)), metadata: {} };
    },
    async apiVersionOf(rt: ResourceType) {
      return rt.group ? `${rt.group}/${rt.version ?? 'v1beta2'}` : 'v1';
    },
  } as unknown as KubeClient & { requests: string[] };
}

describe('dr objects', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('cleans server-set metadata, owner links and status, keeps spec, labels and finalizers', () => {
    const obj = { metadata: { ...meta('m', 'ns'), labels: { a: 'b' }, finalizers: ['f'] }, spec: { x: 1 }, status: { y: 2 } } as KubeObject;
    const c = cleanObject(obj, 'cluster.x-k8s.io/v1beta1', 'Machine');
    expect(c).toEqual({
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Machine',
      metadata: { name: 'm', namespace: 'ns', labels: { a: 'b' }, finalizers: ['f'] },
      spec: { x: 1 },
    });
    expect(obj.metadata.uid).toBe('u-1'); // the input is not changed
  });

  it.each([
    ['admin-kubeconfig', 'Opaque', true],
    ['builder-dockercfg-x', 'kubernetes.io/dockercfg', false],
    ['default-token-abc', 'kubernetes.io/service-account-token', false],
    ['oauth-openshift-x', 'Opaque', false],
    ['token-sample-abc', 'Opaque', false],
    ['etcd-client-tls', 'kubernetes.io/tls', true],
  ])('control-plane secret %s (%s) kept: %s (the docs egrep -v over name and type)', (name, type, kept) => {
    expect(keepControlPlaneSecret({ metadata: { name }, type } as KubeObject & { type: string }, 'sample')).toBe(kept);
  });

  it('takes HC-namespace secrets named after the cluster and those the cluster or its NodePools reference', () => {
    const np = {
      metadata: { name: 'np' },
      spec: { clusterName: 'sample', config: [{ name: 'cfg' }], platform: { aws: { credentialsSecret: { name: 'np-creds' } } } },
    };
    const names = clusterSecretNames(
      hc,
      [np as never],
      ['pull', 'ssh', 'sample-admin-kubeconfig', 'other-cluster-x', 'np-creds', 'cfg', 'sample-etcd-encryption-key'],
    );
    expect(names).toEqual(['np-creds', 'pull', 'sample-admin-kubeconfig', 'sample-etcd-encryption-key', 'ssh']);
  });

  it('reads every type with one list call, keeps only this cluster, every NodePool, writes 0600 files and a verifiable manifest', async () => {
    const cp = 'clusters-sample';
    const kube = listingKube({
      hostedclusters: [hc as KubeObject, { metadata: meta('other', 'clusters'), spec: {} }],
      nodepools: ['a', 'b', 'c']
        .map((z) => ({ metadata: meta(`sample-${z}`, 'clusters'), spec: { clusterName: 'sample', replicas: 1 }, status: {} }))
        .concat([{ metadata: meta('other-a', 'clusters'), spec: { clusterName: 'other', replicas: 1 }, status: {} }]),
      secrets: [
        { metadata: meta('pull', 'clusters') },
        { metadata: meta('other-pull', 'clusters') },
        { metadata: meta('admin-kubeconfig', cp), type: 'Opaque' },
        { metadata: meta('x-dockercfg', cp), type: 'kubernetes.io/dockercfg' },
      ],
      hostedcontrolplanes: [{ metadata: meta('sample', cp) }],
      clusters: [{ metadata: meta('sample-xyz', cp) }],
      machines: Array.from({ length: 30 }, (_, i) => ({ metadata: meta(`m-${i}`, cp), spec: {}, status: { phase: 'Running' } })),
    });
    const objects = await readClusterObjects(kube, hc);
    expect(kube.requests).toHaveLength(12);
    const names = (g: string) => objects.filter((o) => o.group === g).map((o) => o.object.metadata.name);
    expect(names('nodepool')).toEqual(['sample-a', 'sample-b', 'sample-c']);
    expect(names('hostedcluster')).toEqual(['sample']);
    expect(names('hc-secret')).toEqual(['pull']);
    expect(names('cp-secret')).toEqual(['admin-kubeconfig']);
    expect(names('machine')).toHaveLength(30);
    expect(objects[0].group).toBe('hc-secret'); // restore order
    expect(objects.at(-1)!.group).toBe('nodepool');

    const dir = mkdtempSync(join(tmpdir(), 'dr-obj-'));
    dirs.push(dir);
    const root = join(dir, 'backup');
    const manifest = writeObjects(PrivateWriter.create(root), objects, hc, new Date('2026-11-25T19:00:00Z'));
    expect(manifest.counts).toMatchObject({ nodepool: 3, machine: 30, hostedcluster: 1 });
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'namespaces/clusters/np-sample-a.yaml')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(root, 'namespaces/clusters/hc-sample.yaml'), 'utf8')).not.toMatch(/status:|resourceVersion|uid:/);
    const ok = verifyObjects(root);
    expect(ok.problems).toEqual([]);
    expect(ok.objects).toHaveLength(objects.length);
    // One changed byte is found.
    const f = join(root, 'namespaces/clusters-sample/machine-m-7.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('m-7', 'm-8'));
    expect(verifyObjects(root).problems).toEqual(['namespaces/clusters-sample/machine-m-7.yaml does not match its checksum']);
    expect(JSON.parse(readFileSync(join(root, OBJECTS_MANIFEST), 'utf8')).objects).toHaveLength(objects.length);
  });
});

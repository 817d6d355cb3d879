// The docs' chapter 8.3 ("Backing up and restoring etcd on a hosted cluster in an on-premise
// environment"), step by step with real kubectl, exactly as an SRE types it today: it proves that
// the sandbox's etcd pods, PVC-backed data dirs, statefulset scaling and pod exec behave like the
// real thing, which is what `kubectl hcp etcd snapshot|restore` will be built and tested on.
//
// What upstream then does (and this test asserts): when etcd scales back up, members 1 and 2 have
// empty volumes and run upstream's reset-member init container
// (control-plane-operator/controllers/hostedcontrolplane/v2/assets/etcd/statefulset.yaml). The
// cluster has no quorum yet (member 0 alone), so `etcdctl member list` fails and they start as
// "new" members of the same initial cluster. The restored member 0 has the same cluster and member
// IDs and the same raft log (index 3, term 1) as a freshly bootstrapped member, so no snapshot is
// ever sent: the cluster is healthy, but a member that started "new" has an empty keyspace.
// (Verified with plain etcd 3.6.16 processes outside the sandbox.) The docs' procedure therefore
// loses the data on at least one of members 1 and 2; a restore must restore every member.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostedCluster, ETCD_TLS, etcdPods, getKey, putKey, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

describe('docs 8.3: snapshot, wipe, restore and scale up an HA hosted etcd with kubectl', () => {
  const name = 'onprem';
  let ns = '';
  let cpns = '';
  const local = join(mkdtempSync(join(tmpdir(), 'hcp-83-')), 'etcd.snapshot.db');
  const k = (...args: string[]) => kubectlOk('mgmt-1', args);
  beforeAll(async () => {
    ns = await uniqueNamespace('onprem');
    cpns = await createHostedCluster(ns, name, { highlyAvailable: true });
  });
  afterAll(async () => {
    // The hosted cluster (three live etcd members) goes with the test, not with the next run.
    if (ns) await kubectl('mgmt-1', ['delete', 'hostedcluster', name, '-n', ns, '--wait=false']);
  });

  it('restores the snapshot into member 0; members 1 and 2 start as new members (reset-member) and at least one of them comes back empty', async () => {
    await waitForEtcdPods(cpns, 3);
    await putKey(cpns, '/e2e/in-snapshot', 'yes');

    // 1b-c. Pause reconciliation, scale down the API servers.
    await k('patch', '-n', ns, `hostedclusters/${name}`, '-p', '{"spec":{"pausedUntil":"true"}}', '--type=merge');
    for (const d of ['kube-apiserver', 'openshift-apiserver', 'openshift-oauth-apiserver']) await k('scale', '-n', cpns, `deployment/${d}`, '--replicas=0');

    // 2b. Snapshot from etcd-0 with the docs' exact command line, check it, copy it out.
    await k(
      'exec',
      '-n',
      cpns,
      '-c',
      'etcd',
      'etcd-0',
      '--',
      'env',
      'ETCDCTL_API=3',
      '/usr/bin/etcdctl',
      ...ETCD_TLS,
      'snapshot',
      'save',
      '/var/lib/snapshot.db',
    );
    // etcd 3.6 moved `snapshot status` from etcdctl to etcdutl (the 4.15 docs predate that).
    const status = await k('exec', '-n', cpns, '-c', 'etcd', 'etcd-0', '--', 'etcdutl', '-w', 'table', 'snapshot', 'status', '/var/lib/snapshot.db');
    expect(status).toMatch(/HASH\s+\|\s+REVISION\s+\|\s+TOTAL KEYS/);
    await k('cp', '-c', 'etcd', `${cpns}/etcd-0:/var/lib/snapshot.db`, local);

    // Written after the snapshot: a restore must not bring it back.
    await putKey(cpns, '/e2e/after-snapshot', 'lost');

    // 3. Scale etcd down, delete the volumes of members 1 and 2.
    await k('scale', '-n', cpns, 'statefulset/etcd', '--replicas=0');
    await waitFor(async () => Object.keys(await etcdPods(cpns)).length === 0, 60_000, 'etcd pods gone');
    await k('delete', '-n', cpns, 'pvc/data-etcd-1', 'pvc/data-etcd-2');

    // 3b. A pod on member 0's volume, with its data at /var/lib.
    const image = await k('get', '-n', cpns, 'statefulset/etcd', '-o', 'jsonpath={ .spec.template.spec.containers[0].image }');
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'etcd-data' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'etcd-data' } },
        template: {
          metadata: { labels: { app: 'etcd-data' } },
          spec: {
            containers: [
              {
                name: 'access',
                image,
                volumeMounts: [{ name: 'data', mountPath: '/var/lib' }],
                command: ['/usr/bin/bash'],
                args: ['-c', 'while true; do\n  sleep 1000\ndone'],
              },
            ],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-etcd-0' } }],
          },
        },
      },
    };
    await kubectlOk('mgmt-1', ['apply', '-n', cpns, '-f', '-'], JSON.stringify(deployment));
    await waitFor(
      async () => (await kubectl('mgmt-1', ['get', '-n', cpns, 'pods', '-l', 'app=etcd-data', '-o', 'jsonpath={.items[0].status.phase}'])).stdout === 'Running',
      60_000,
      'etcd-data Running',
    );
    const dataPod = (await k('get', '-n', cpns, 'pods', '--no-headers', '-l', 'app=etcd-data', '-o', 'name')).trim().split('/')[1];
    // Running means the volume is mounted, as with a kubelet: exec sees member 0's data at once.
    expect(await k('exec', '-n', cpns, dataPod, '--', 'ls', '/var/lib/data/member')).toContain('snap');

    // 3c-f. Copy the snapshot in, wipe, restore with the docs' flags, clean up.
    await k('cp', local, `${cpns}/${dataPod}:/var/lib/restored.snap.db`);
    await k('exec', '-n', cpns, dataPod, '--', 'rm', '-rf', '/var/lib/data');
    await k('exec', '-n', cpns, dataPod, '--', 'mkdir', '-p', '/var/lib/data');
    const peer = (i: number) => `etcd-${i}=https://etcd-${i}.etcd-discovery.${cpns}.svc:2380`;
    await k(
      'exec',
      '-n',
      cpns,
      dataPod,
      '--',
      'etcdutl',
      'snapshot',
      'restore',
      '/var/lib/restored.snap.db',
      '--data-dir=/var/lib/data',
      '--skip-hash-check',
      '--name',
      'etcd-0',
      '--initial-cluster-token=etcd-cluster',
      '--initial-cluster',
      [0, 1, 2].map(peer).join(','),
      '--initial-advertise-peer-urls',
      `https://etcd-0.etcd-discovery.${cpns}.svc:2380`,
    );
    await k('exec', '-n', cpns, dataPod, '--', 'rm', '/var/lib/restored.snap.db');
    await k('delete', '-n', cpns, 'deployment/etcd-data');

    // 3h-j. Scale etcd and the writers back up; 4. resume.
    await k('scale', '-n', cpns, 'statefulset/etcd', '--replicas=3');
    await waitForEtcdPods(cpns, 3, 'mgmt-1', 180_000);
    await k('scale', 'deployment', '-n', cpns, '--replicas=3', 'kube-apiserver', 'openshift-apiserver', 'openshift-oauth-apiserver');
    await k('patch', '-n', ns, `hostedclusters/${name}`, '-p', '{"spec":{"pausedUntil":null}}', '--type=merge');

    // Member 0 serves the restored data and nothing written after the snapshot.
    expect(await getKey(cpns, '/e2e/in-snapshot', 'etcd-0')).toBe('yes');
    for (const pod of ['etcd-0', 'etcd-1', 'etcd-2']) expect(await getKey(cpns, '/e2e/after-snapshot', pod)).toBeUndefined();
    // Members 1 and 2: whoever ran reset-member while the cluster had no quorum started "new"
    // ("Cannot list members in cluster") and serves an empty keyspace.
    const values: (string | undefined)[] = [];
    for (const pod of ['etcd-1', 'etcd-2']) {
      const reset = await k('logs', pod, '-n', cpns, '-c', 'reset-member');
      const v = await getKey(cpns, '/e2e/in-snapshot', pod);
      if (reset.includes('Cannot list members in cluster, so likely not up yet')) expect(v).toBeUndefined();
      values.push(v);
    }
    expect(values).toContain(undefined);
    // ... while the cluster reports itself healthy: one cluster, three started members.
    const health = await k('exec', '-n', cpns, 'etcd-1', '-c', 'etcd', '--', 'etcdctl', ...ETCD_TLS, 'endpoint', 'health', '--cluster', '-w', 'table');
    expect(health.match(/\|\s+true\s+\|/g)).toHaveLength(3);
    const list = await k('exec', '-n', cpns, 'etcd-0', '-c', 'etcd', '--', 'etcdctl', ...ETCD_TLS, 'member', 'list', '-w', 'table');
    expect(list.match(/\| started \|/g)).toHaveLength(3);
  });
});

// dump (issue 10) against the sandbox, through the built binary, compared with kubectl:
//   - the files per type are the objects kubectl lists; logs equal `kubectl logs`; the archive lists
//     exactly the tree's files; index.json matches the tree (size and sha256 of every file);
//   - 50 planted canary values (plain, base64, double base64; in Secrets, env vars, ConfigMaps,
//     annotations and a log): zero matches anywhere in the tree or the archive;
//   - a user who may read only namespace `clusters` gets a partial dump, a summary naming what was
//     skipped, and exit 0 with a warning;
//   - with 10% of API calls failing (test/e2e/helpers/fault-proxy.ts), the dump completes and
//     index.json names exactly the items whose requests always failed.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';
import { hcp } from './helpers/hcp.ts';
import { proxyKubeconfig, startFaultProxy } from './helpers/fault-proxy.ts';

const work = mkdtempSync(join(tmpdir(), 'hcp-e2e-dump-'));
const b64 = (s: string) => Buffer.from(s).toString('base64');

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

const names = async (args: string[], cluster: 'mgmt-1' | 'guest' = 'mgmt-1') =>
  (await kubectlOk(cluster, [...args, '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean).sort();
const filesIn = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];

/** A kwok pod whose log is `content`: kwok serves the CRI-format file named by a Logs object (scripts/sandbox/pods.ts). */
async function podWithLog(ns: string, name: string, content: string, env: { name: string; value: string }[] = []): Promise<void> {
  const file = join(work, `${ns}-${name}.log`);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  writeFileSync(
    file,
    content
      .split('\n')
      .filter(Boolean)
      .map((l, i) => `${new Date(t0 + i * 1000).toISOString()} stdout F ${l}\n`)
      .join(''),
  );
  const node = (await names(['get', 'nodes']))[0];
  await kubectlOk(
    'mgmt-1',
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: ns },
          spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'registry.sandbox.example/app:1', env }] },
        },
        { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name, namespace: ns }, spec: { logs: [{ logsFile: file }] } },
      ],
    }),
  );
}

/** Waits until `count` pods of the namespace have every container running (kwok sets the status). */
async function waitRunning(namespace: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const states = (
        await kubectlOk('mgmt-1', [
          'get',
          'pods',
          '-n',
          namespace,
          '-o',
          'jsonpath={range .items[*]}{.status.containerStatuses[*].state.running.startedAt}{"\\n"}{end}',
        ])
      )
        .split('\n')
        .filter(Boolean);
      return states.length >= count;
    },
    120_000,
    `${count} running pods in ${namespace}`,
  );
}

let ns: string;
const canaries: string[] = [];
const plainLog = 'first line of the plain pod\nsecond line\n';

describe('dump', () => {
  beforeAll(async () => {
    ns = await uniqueNamespace('dump');
    // 50 canaries, each the value of a Secret key, and planted elsewhere in one of three forms.
    for (let i = 0; i < 50; i++) canaries.push(`canary-${i}-${randomBytes(9).toString('hex')}`);
    const form = (i: number) => [canaries[i], b64(canaries[i]), b64(b64(canaries[i]))][i % 3];
    const secrets = [0, 1, 2, 3, 4].map((s) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `canary-${s}`, namespace: ns },
      data: Object.fromEntries(canaries.slice(s * 10, s * 10 + 10).map((c, k) => [`key-${k}`, b64(c)])),
    }));
    const at = (where: number) => canaries.map((_, i) => i).filter((i) => i % 4 === where);
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'canary-config', namespace: ns, annotations: Object.fromEntries(at(2).map((i) => [`example.com/c${i}`, form(i)])) },
      data: Object.fromEntries(at(1).map((i) => [`c${i}`, `prefix ${form(i)} suffix`])),
    };
    await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...secrets, cm] }));
    await podWithLog(
      ns,
      'canary-pod',
      at(3)
        .map((i) => `log line with ${form(i)} in it`)
        .join('\n'),
      at(0).map((i) => ({ name: `C${i}`, value: form(i) })),
    );
    await podWithLog(ns, 'plain-pod', plainLog);
    await waitRunning(ns, 2);
    await waitFor(async () => (await kubectl('mgmt-1', ['logs', 'plain-pod', '-n', ns])).stdout === plainLog, 60_000, 'plain-pod logs');
    await waitFor(async () => (await kubectl('mgmt-1', ['logs', 'canary-pod', '-n', ns])).stdout.includes('log line'), 60_000, 'canary-pod logs');
  });

  describe('sample with the guest', () => {
    const dir = join(work, 'full');
    let r: Awaited<ReturnType<typeof hcp>>;
    beforeAll(async () => {
      r = await hcp(['dump', 'sample', '--dump-guest-cluster', '--include-namespace', ns, '--artifact-dir', dir]);
    }, 180_000);

    it('exits 0 with a final summary line', () => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Dumped \d+ objects and \d+ logs .* skipped 0 \(forbidden\), 0 errors; archive /m);
    });

    it('writes one file per object kubectl lists, in the oc adm inspect layout', async () => {
      const cases: [string[], string, 'mgmt-1' | 'guest'][] = [
        [['get', 'nodes'], 'cluster-scoped-resources/core/nodes', 'mgmt-1'],
        [['get', 'deployments', '-n', 'hypershift'], 'namespaces/hypershift/apps/deployments', 'mgmt-1'],
        [['get', 'configmaps', '-n', 'hypershift'], 'namespaces/hypershift/core/configmaps', 'mgmt-1'],
        [['get', 'deployments', '-n', 'clusters-sample'], 'namespaces/clusters-sample/apps/deployments', 'mgmt-1'],
        [['get', 'statefulsets', '-n', 'clusters-sample'], 'namespaces/clusters-sample/apps/statefulsets', 'mgmt-1'],
        [
          ['get', 'hostedcontrolplanes.hypershift.openshift.io', '-n', 'clusters-sample'],
          'namespaces/clusters-sample/hypershift.openshift.io/hostedcontrolplanes',
          'mgmt-1',
        ],
        [['get', 'clusters.cluster.x-k8s.io', '-n', 'clusters-sample'], 'namespaces/clusters-sample/cluster.x-k8s.io/clusters', 'mgmt-1'],
        [['get', 'secrets', '-n', 'clusters'], 'namespaces/clusters/core/secrets', 'mgmt-1'],
        [['get', 'pods', '-n', ns], `namespaces/${ns}/core/pods`, 'mgmt-1'],
        [['get', 'configmaps', '-n', ns], `namespaces/${ns}/core/configmaps`, 'mgmt-1'],
        [['get', 'nodes'], 'hostedcluster-sample/cluster-scoped-resources/core/nodes', 'guest'],
        [['get', 'namespaces'], 'hostedcluster-sample/cluster-scoped-resources/core/namespaces', 'guest'],
        [['get', 'customresourcedefinitions'], 'hostedcluster-sample/cluster-scoped-resources/apiextensions.k8s.io/customresourcedefinitions', 'guest'],
        [['get', 'daemonsets', '-n', 'openshift-ovn-kubernetes'], 'hostedcluster-sample/namespaces/openshift-ovn-kubernetes/apps/daemonsets', 'guest'],
      ];
      for (const [args, path, cluster] of cases) {
        const expected = await names(args, cluster);
        expect(expected.length, args.join(' ')).toBeGreaterThan(0);
        expect(filesIn(join(dir, path)), path).toEqual(expected);
      }
      expect(filesIn(join(dir, 'namespaces/clusters/hypershift.openshift.io/hostedclusters'))).toEqual(['sample']);
      const pools = (
        await kubectlOk('mgmt-1', [
          'get',
          'nodepools',
          '-n',
          'clusters',
          '-o',
          'jsonpath={range .items[?(@.spec.clusterName=="sample")]}{.metadata.name} {end}',
        ])
      )
        .split(' ')
        .filter(Boolean)
        .sort();
      expect(filesIn(join(dir, 'namespaces/clusters/hypershift.openshift.io/nodepools'))).toEqual(pools);
      // Secrets as oc adm inspect writes them: lengths, not values.
      const pull = readFileSync(join(dir, 'namespaces/clusters/core/secrets/sample-pull-secret.yaml'), 'utf8');
      expect(pull).toMatch(/\.dockerconfigjson: \d+ bytes long/);
    });

    it('writes logs equal to kubectl logs, for init and regular containers', async () => {
      expect(readFileSync(join(dir, `namespaces/${ns}/pods/plain-pod/app/app/logs/current.log`), 'utf8')).toBe(plainLog);
      const pods = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pods', '-n', 'clusters-sample', '-l', 'app=etcd', '-o', 'json'])) as {
        items: { metadata: { name: string }; spec: { initContainers?: { name: string }[]; containers: { name: string }[] } }[];
      };
      let compared = 0;
      for (const p of pods.items) {
        for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
          const file = join(dir, `namespaces/clusters-sample/pods/${p.metadata.name}/${c.name}/${c.name}/logs/current.log`);
          if (!existsSync(file)) continue;
          const ours = readFileSync(file, 'utf8');
          const theirs = (await kubectlOk('mgmt-1', ['logs', p.metadata.name, '-n', 'clusters-sample', '-c', c.name])).toString();
          // A running container's log may have grown since the dump read it: ours is its beginning.
          expect(theirs.startsWith(ours), `${p.metadata.name}/${c.name}`).toBe(true);
          if (ours.length) compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
      const initLogs = tree(dir).filter(
        (f) => /^namespaces\/clusters-sample\/pods\/etcd-0\/etcd-init\//.test(f) || /\/pods\/etcd-0\/(ensure-dns|reset-member)\//.test(f),
      );
      expect(initLogs.length, 'an init container log of etcd-0').toBeGreaterThan(0);
    });

    it('archives exactly the tree, and index.json matches the tree', () => {
      const files = tree(dir).filter((f) => f !== 'hypershift-dump.tar.gz');
      const listed = execFileSync('tar', ['-tzf', join(dir, 'hypershift-dump.tar.gz')], { encoding: 'utf8', maxBuffer: 256 << 20 })
        .trim()
        .split('\n')
        .sort();
      expect(listed).toEqual(files);
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { items: { path: string; status: string; size?: number; sha256?: string }[] };
      const ok = index.items.filter((i) => i.status === 'ok');
      expect(index.items.filter((i) => i.status !== 'ok')).toEqual([]);
      expect([...ok.map((i) => i.path), 'index.json'].sort()).toEqual(files);
      for (const i of ok) {
        const content = readFileSync(join(dir, i.path));
        expect(content.length, i.path).toBe(i.size);
        expect(createHash('sha256').update(content).digest('hex'), i.path).toBe(i.sha256);
      }
    });

    it('writes the extras: summary.md, event-filter.html, etcd-status.json, network_logs, timestamp', () => {
      const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
      expect(summary).toContain('# Dump of HostedCluster clusters/sample');
      expect(summary).toContain('## Version history');
      expect(summary).toContain('Nothing was skipped');
      const etcd = JSON.parse(readFileSync(join(dir, 'etcd-status.json'), 'utf8')) as { members: { name: string }[] };
      expect(etcd.members.map((m) => m.name).sort()).toEqual(['etcd-0', 'etcd-1', 'etcd-2']);
      expect(readFileSync(join(dir, 'event-filter.html'), 'utf8')).toMatch(/<table>[\s\S]*<\/table>/);
      expect(readFileSync(join(dir, 'network_logs/README.txt'), 'utf8')).toMatch(/No OVN pods/);
      expect(readFileSync(join(dir, 'timestamp'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('leaves none of the 50 canaries, in any form, in the tree or the archive', () => {
      const forms = canaries.flatMap((c) => [c, b64(c), b64(b64(c))]);
      const leaks = (text: string) => forms.filter((f) => text.includes(f));
      for (const f of tree(dir).filter((x) => x !== 'hypershift-dump.tar.gz')) expect(leaks(readFileSync(join(dir, f), 'latin1')), f).toEqual([]);
      const rawTar = gunzipSync(readFileSync(join(dir, 'hypershift-dump.tar.gz'))).toString('latin1');
      expect(leaks(rawTar)).toEqual([]);
      // …and each planted place shows a marker instead.
      const cm = readFileSync(join(dir, `namespaces/${ns}/core/configmaps/canary-config.yaml`), 'utf8');
      expect(cm).toMatch(/<scrubbed: secret [^ ]+\/canary-0 key key-1 \(base64\)>/);
      expect(cm).toContain('(base64 of base64)');
      const log = readFileSync(join(dir, `namespaces/${ns}/pods/canary-pod/app/app/logs/current.log`), 'utf8');
      expect(log.match(/<scrubbed: secret /g)?.length).toBe(canaries.filter((_, i) => i % 4 === 3).length);
      const pod = readFileSync(join(dir, `namespaces/${ns}/core/pods/canary-pod.yaml`), 'utf8');
      expect(pod.match(/<scrubbed: secret /g)?.length).toBeGreaterThanOrEqual(canaries.filter((_, i) => i % 4 === 0).length);
      expect(readFileSync(join(dir, `namespaces/${ns}/core/secrets/canary-0.yaml`), 'utf8')).toMatch(/key-0: '?\d+ bytes long/);
    });

    it('refuses the non-empty artifact dir (exit 2, no API call) unless --overwrite replaces the previous dump', async () => {
      const again = await hcp(['dump', 'sample', '--artifact-dir', dir]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/is not empty/);
      const other = join(work, 'not-a-dump');
      mkdirSync(other);
      writeFileSync(join(other, 'keep.txt'), 'mine');
      const refused = await hcp(['dump', 'sample', '--artifact-dir', other, '--overwrite']);
      expect(refused.code).toBe(2);
      expect(readFileSync(join(other, 'keep.txt'), 'utf8')).toBe('mine');
    });
  });

  describe('as a user who may read only namespace clusters', () => {
    const dir = join(work, 'rbac');
    let role: string;
    beforeAll(async () => {
      role = `${ns}-dump-reader`;
      await kubectlOk('mgmt-1', ['create', 'serviceaccount', 'reader', '-n', ns]);
      await kubectlOk(
        'mgmt-1',
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'Role',
              metadata: { name: role, namespace: 'clusters' },
              rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
            },
            {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'RoleBinding',
              metadata: { name: role, namespace: 'clusters' },
              roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
              subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
            },
          ],
        }),
      );
      const can = await kubectl('mgmt-1', ['auth', 'can-i', 'list', 'pods', '-n', 'clusters-sample', `--as=system:serviceaccount:${ns}:reader`]);
      expect(can.stdout.trim()).toBe('no');
    });
    afterAll(async () => {
      await kubectl('mgmt-1', ['delete', 'rolebinding,role', role, '-n', 'clusters']);
    });

    it('dumps what it may, names what was skipped, and exits 0 with a warning', async () => {
      const r = await hcp(['dump', 'sample', '--as', `system:serviceaccount:${ns}:reader`, '--artifact-dir', dir, '--no-archive']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: \d+ items were skipped because RBAC forbids them/);
      expect(existsSync(join(dir, 'namespaces/clusters/hypershift.openshift.io/hostedclusters/sample.yaml'))).toBe(true);
      expect(filesIn(join(dir, 'namespaces/clusters/core/configmaps'))).toEqual(await names(['get', 'configmaps', '-n', 'clusters']));
      expect(existsSync(join(dir, 'namespaces/clusters-sample'))).toBe(false);
      expect(existsSync(join(dir, 'hypershift-dump.tar.gz'))).toBe(false);
      const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
      expect(summary).toMatch(/Forbidden by RBAC \(\d+\):/);
      expect(summary).toMatch(/- pods in clusters-sample: .*forbidden/);
      expect(summary).toMatch(/- nodes: .*forbidden/);
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { items: { item: string; status: string }[] };
      expect(index.items.filter((i) => i.status === 'error')).toEqual([]);
      expect(index.items.find((i) => i.item === 'pods in hypershift')?.status).toBe('forbidden');
    });
  });

  describe('with 10% of API calls failing', () => {
    const dir = join(work, 'faults');
    it('completes, and index.json names exactly the items whose requests always failed', async () => {
      execFileSync(process.execPath, ['scripts/sandbox/cli.ts', 'pods', ns, '30', '--log-bytes', '2000'], { stdio: 'ignore' });
      await waitRunning(ns, 32);
      const alwaysFailing = new RegExp(`^/api/v1/namespaces/${ns}/(pods/bulk-(0|10|20)/log|configmaps)$`);
      const proxy = await startFaultProxy(sandbox().kubeconfig, 'mgmt-1', { persistent: (p) => alwaysFailing.test(p), transientRate: 0.1, seed: 7 });
      try {
        const kubeconfig = join(work, 'proxy.kubeconfig');
        writeFileSync(kubeconfig, proxyKubeconfig(proxy.url), { mode: 0o600 });
        const r = await hcp(['dump', 'sample', '--include-namespace', ns, '--artifact-dir', dir, '--kubeconfig', kubeconfig]);
        expect(proxy.transientHits, 'transient faults injected').toBeGreaterThan(proxy.requests * 0.05);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/4 items could not be read after retries/);
        const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { items: { path: string; status: string; error?: string }[] };
        const failed = index.items
          .filter((i) => i.status !== 'ok')
          .map((i) => i.path)
          .sort();
        expect(failed).toEqual(
          [`namespaces/${ns}/core/configmaps`, ...[0, 10, 20].map((i) => `namespaces/${ns}/pods/bulk-${i}/app/app/logs/current.log`)].sort(),
        );
        expect([...proxy.persistentHits.keys()].length).toBe(4);
        expect(existsSync(join(dir, `namespaces/${ns}/pods/bulk-1/app/app/logs/current.log`))).toBe(true);
        expect(existsSync(join(dir, `namespaces/${ns}/pods/bulk-0/app/app/logs/current.log`))).toBe(false);
      } finally {
        await proxy.close();
      }
    }, 240_000);
  });
});

// runDump against an in-memory API (no cluster): which items it reads, what it writes where, the
// scrub across objects and logs, and how forbidden and failing items end up in index.json.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { podLogs, runDump, type DumpOptions } from '../../../src/dump/dump.ts';
import { DumpSink } from '../../../src/dump/sink.ts';
import { ApiError } from '../../../src/kube/errors.ts';
import type { KubeClient, ListOptions } from '../../../src/kube/client.ts';
import type { KubeObject, ResourceType } from '../../../src/kube/resources.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';

const SECRET = 'the-secret-password-123';
const b64 = (s: string) => Buffer.from(s).toString('base64');

const running = (name: string) => ({ name, state: { running: {} }, restartCount: 0 });
const hc: HostedCluster = {
  apiVersion: 'hypershift.openshift.io/v1beta1',
  kind: 'HostedCluster',
  metadata: { name: 'sample', namespace: 'clusters' },
  spec: {},
  status: { conditions: [{ type: 'Available', status: 'False', reason: 'Nope' }] },
};

class FakeApi {
  requests: string[] = [];
  objects: Record<string, KubeObject[]> = {
    'secrets/clusters': [{ metadata: { name: 'pull', namespace: 'clusters' }, data: { token: b64(SECRET), 'ca.crt': b64('PUBLIC CERT') } } as KubeObject],
    'secrets/clusters-sample': [],
    'configmaps/clusters-sample': [
      { metadata: { name: 'cm', namespace: 'clusters-sample', annotations: { a: b64(b64(SECRET)) } }, data: { x: `pw=${SECRET}` } } as KubeObject,
    ],
    'pods/clusters-sample': [
      {
        metadata: { name: 'p1', namespace: 'clusters-sample' },
        spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'app', env: [{ name: 'PW', value: SECRET }] }, { name: 'never-started' }] },
        status: {
          initContainerStatuses: [{ name: 'init', state: { terminated: {} } }],
          containerStatuses: [
            { ...running('app'), restartCount: 2, lastState: { terminated: {} } },
            { name: 'never-started', state: { waiting: {} } },
          ],
        },
      } as KubeObject,
    ],
    'nodes/': [{ metadata: { name: 'n1' } }],
    'nodepools/clusters': [
      { metadata: { name: 'np1', namespace: 'clusters' }, spec: { clusterName: 'sample' } } as KubeObject,
      { metadata: { name: 'other', namespace: 'clusters' }, spec: { clusterName: 'x' } } as KubeObject,
    ],
  };
  forbidden = new Set(['pods/hypershift', 'secrets/hypershift', 'configmaps/hypershift']);
  failingLogs = new Set(['p1/init']);
  goneLogs = new Set<string>();

  async request<T>(spec: { path: string }): Promise<T> {
    this.requests.push(spec.path);
    const lists: Record<string, unknown> = {
      '/apis': {
        groups: [
          { name: 'apps', preferredVersion: { groupVersion: 'apps/v1', version: 'v1' }, versions: [] },
          { name: 'hypershift.openshift.io', preferredVersion: { groupVersion: 'hypershift.openshift.io/v1beta1', version: 'v1beta1' }, versions: [] },
        ],
      },
      '/api/v1': {
        groupVersion: 'v1',
        resources: [
          { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list'] },
          { name: 'pods/log', kind: 'Pod', namespaced: true, verbs: ['get'] },
          { name: 'secrets', kind: 'Secret', namespaced: true, verbs: ['list'] },
          { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list'] },
          { name: 'nodes', kind: 'Node', namespaced: false, verbs: ['list'] },
          { name: 'bindings', kind: 'Binding', namespaced: true, verbs: ['create'] },
        ],
      },
      '/apis/apps/v1': { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['list'] }] },
      '/apis/hypershift.openshift.io/v1beta1': {
        groupVersion: 'hypershift.openshift.io/v1beta1',
        resources: [
          { name: 'hostedclusters', kind: 'HostedCluster', namespaced: true, verbs: ['list'] },
          { name: 'nodepools', kind: 'NodePool', namespaced: true, verbs: ['list'] },
        ],
      },
    };
    if (!(spec.path in lists)) throw new ApiError(404, undefined, 'not found');
    return lists[spec.path] as T;
  }

  async list(rt: ResourceType, opts: ListOptions = {}) {
    const key = `${rt.plural}/${opts.namespace ?? ''}`;
    this.requests.push(`list ${key}${opts.labelSelector ? `?${opts.labelSelector}` : ''}`);
    if (this.forbidden.has(key))
      throw new ApiError(403, { message: `${rt.plural} is forbidden: User "u" cannot list resource "${rt.plural}"`, reason: 'Forbidden' }, 'forbidden');
    const items = opts.labelSelector ? [] : (this.objects[key] ?? []);
    return { items, metadata: {} };
  }

  /** As KubeClient.listPages: `limit` objects a page (the dump writes each page before it reads the next). */
  async *listPages(rt: ResourceType, opts: ListOptions = {}) {
    const { items } = await this.list(rt, opts);
    const size = opts.limit ?? Math.max(1, items.length);
    for (let i = 0; i === 0 || i < items.length; i += size) yield { items: items.slice(i, i + size), metadata: {} };
  }

  async logStream(ns: string, pod: string, opts: { container?: string; previous?: boolean }): Promise<Readable> {
    this.requests.push(`log ${ns}/${pod}/${opts.container}${opts.previous ? ' previous' : ''}`);
    if (this.failingLogs.has(`${pod}/${opts.container}`)) throw new ApiError(500, { message: 'boom' }, 'boom');
    if (this.goneLogs.has(`${pod}/${opts.container} (pod gone)`)) throw new ApiError(404, { message: `pods "${pod}" not found` }, 'not found');
    if (this.goneLogs.has(`${pod}/${opts.container}${opts.previous ? ' previous' : ''}`))
      throw new ApiError(400, { message: `previous terminated container "${opts.container}" in pod "${pod}" not found` }, 'bad');
    // The secret split across two chunks.
    const half = Math.floor(SECRET.length / 2);
    return Readable.from([
      Buffer.from(`${opts.container} ${opts.previous ? 'old' : 'new'} ${SECRET.slice(0, half)}`),
      Buffer.from(`${SECRET.slice(half)} done\n`),
    ]);
  }
}

function options(dir: string, over: Partial<DumpOptions> = {}): DumpOptions {
  return {
    artifactDir: dir,
    archive: true,
    concurrency: 4,
    kinds: {},
    extraNamespaces: [],
    guest: false,
    hypershiftNamespace: 'hypershift',
    now: () => new Date('2026-01-01T00:00:00Z'),
    retryDelaysMs: [1, 1],
    ...over,
  };
}

describe('podLogs', () => {
  it('asks for current logs of started containers (init too) and previous ones of restarted containers only', () => {
    const fake = new FakeApi();
    expect(podLogs(fake.objects['pods/clusters-sample'][0] as never).map((l) => `${l.container}${l.previous ? ' previous' : ''}`)).toEqual([
      'init',
      'app',
      'app previous',
    ]);
  });
});

describe('runDump', () => {
  it('dumps, scrubs, and records forbidden and failed items without stopping', async () => {
    const fake = new FakeApi();
    const dir = join(mkdtempSync(join(tmpdir(), 'run-dump-')), 'out');
    const result = await runDump(fake as unknown as KubeClient, hc, options(dir));
    const files = DumpSink.treeFiles(dir);
    expect(files).toEqual(
      [
        'cluster-scoped-resources/core/nodes/n1.yaml',
        'event-filter.html',
        'index.json',
        'namespaces/clusters-sample/core/configmaps/cm.yaml',
        'namespaces/clusters-sample/core/pods/p1.yaml',
        'namespaces/clusters-sample/pods/p1/app/app/logs/current.log',
        'namespaces/clusters-sample/pods/p1/app/app/logs/previous.log',
        'namespaces/clusters/core/secrets/pull.yaml',
        'namespaces/clusters/hypershift.openshift.io/hostedclusters/sample.yaml',
        'namespaces/clusters/hypershift.openshift.io/nodepools/np1.yaml',
        'network_logs/README.txt',
        'summary.md',
        'timestamp',
      ].sort(),
    );
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const form of [SECRET, b64(SECRET), b64(b64(SECRET))]) expect(text.includes(form), `${f} holds ${form}`).toBe(false);
    }
    expect(readFileSync(join(dir, 'namespaces/clusters-sample/pods/p1/app/app/logs/previous.log'), 'utf8')).toBe(
      'app old <scrubbed: secret clusters/pull key token> done\n',
    );
    const secret = readFileSync(join(dir, 'namespaces/clusters/core/secrets/pull.yaml'), 'utf8');
    expect(secret).toContain('token: 23 bytes long');
    expect(secret).toContain(`ca.crt: ${b64('PUBLIC CERT')}`);
    expect(readFileSync(join(dir, 'namespaces/clusters-sample/core/configmaps/cm.yaml'), 'utf8')).toContain(
      "a: '<scrubbed: secret clusters/pull key token (base64 of base64)>'",
    );

    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { items: { path: string; item: string; status: string; error?: string }[] };
    const notOk = index.items
      .filter((i) => i.status !== 'ok')
      .map((i) => `${i.status} ${i.item}`)
      .sort();
    expect(notOk).toEqual(
      ['error log clusters-sample/p1 init', 'forbidden configmaps in hypershift', 'forbidden pods in hypershift', 'forbidden secrets in hypershift'].sort(),
    );
    expect(result.forbidden).toHaveLength(3);
    expect(result.errors).toHaveLength(1);
    // The failing log was tried three times (two retries), the others once.
    expect(fake.requests.filter((r) => r === 'log clusters-sample/p1/init')).toHaveLength(3);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('- pods in hypershift: pods is forbidden');
    expect(summary).toContain('| Available | False | Nope |');
    expect(summary).toMatch(/Secrets that could not be read cannot be scrubbed.*hypershift/);
    // Never asked for: a container that never started, a type that cannot be listed, the other cluster's NodePool.
    expect(fake.requests.some((r) => r.includes('never-started') || r.includes('bindings'))).toBe(false);
  });

  it('treats a previous log the kubelet no longer has (oc filterContainerLogsErrors), or a pod deleted since the list, as no log, not an error', async () => {
    const fake = new FakeApi();
    fake.forbidden.clear();
    fake.failingLogs.clear();
    fake.goneLogs.add('p1/app previous');
    fake.goneLogs.add('p1/init (pod gone)');
    const dir = join(mkdtempSync(join(tmpdir(), 'run-dump-')), 'out');
    const result = await runDump(fake as unknown as KubeClient, hc, options(dir, { archive: false }));
    expect(result.errors).toEqual([]);
    expect(DumpSink.treeFiles(dir).filter((f) => f.includes('/logs/'))).toEqual(['namespaces/clusters-sample/pods/p1/app/app/logs/current.log']);
  });

  it('honours --include-kind / --exclude-kind but still reads Secrets for the scrub', async () => {
    const fake = new FakeApi();
    fake.forbidden.clear();
    const dir = join(mkdtempSync(join(tmpdir(), 'run-dump-')), 'out');
    await runDump(fake as unknown as KubeClient, hc, options(dir, { kinds: { include: ['configmaps'] }, archive: false }));
    const files = DumpSink.treeFiles(dir).filter((f) => f.startsWith('namespaces/') || f.startsWith('cluster-scoped'));
    expect(files).toEqual([
      'namespaces/clusters-sample/core/configmaps/cm.yaml',
      'namespaces/clusters/hypershift.openshift.io/hostedclusters/sample.yaml',
      'namespaces/clusters/hypershift.openshift.io/nodepools/np1.yaml',
    ]);
    expect(readFileSync(join(dir, 'namespaces/clusters-sample/core/configmaps/cm.yaml'), 'utf8')).not.toContain(SECRET);
  });

  it('writes a list page by page without managedFields, and streams index.json from its spool', async () => {
    const fake = new FakeApi();
    fake.forbidden.clear();
    fake.failingLogs.clear();
    fake.objects['configmaps/clusters-sample'] = Array.from(
      { length: 600 },
      (_, i) =>
        ({ metadata: { name: `cm-${i}`, namespace: 'clusters-sample', managedFields: [{ manager: 'kubectl' }] }, data: { i: String(i) } }) as KubeObject,
    );
    const pages: number[] = [];
    const listPages = fake.listPages.bind(fake);
    fake.listPages = async function* (rt, opts) {
      for await (const page of listPages(rt, opts)) {
        if (rt.plural === 'configmaps') pages.push(page.items.length);
        yield page;
      }
    };
    const dir = join(mkdtempSync(join(tmpdir(), 'run-dump-')), 'out');
    const result = await runDump(fake as unknown as KubeClient, hc, options(dir));
    expect(pages.sort((a, b) => b - a)).toEqual([250, 250, 100, 0, 0]); // clusters-sample in three pages; clusters and hypershift empty
    expect(readFileSync(join(dir, 'namespaces/clusters-sample/core/configmaps/cm-599.yaml'), 'utf8')).not.toContain('managedFields');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { generator: string; counts: { objects: number }; items: { path: string }[] };
    expect(index.generator).toBe('kubectl-hcp dump');
    expect(index.counts.objects).toBe(result.objects);
    expect([...index.items.map((i) => i.path), 'index.json'].sort()).toEqual(DumpSink.treeFiles(dir));
    expect(DumpSink.treeFiles(dir)).not.toContain('.index.ndjson');
  });

  it('fails with exit 1 and writes nothing when discovery cannot be read', async () => {
    const fake = new FakeApi();
    fake.request = async () => {
      throw new ApiError(503, undefined, 'unavailable');
    };
    const dir = join(mkdtempSync(join(tmpdir(), 'run-dump-')), 'out');
    await expect(runDump(fake as unknown as KubeClient, hc, options(dir))).rejects.toMatchObject({ exitCode: 1 });
    expect(() => readFileSync(join(dir, 'index.json'))).toThrow();
  });
});

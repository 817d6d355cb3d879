/**
 * `dump`: everything needed to troubleshoot a hosted cluster, read through the API in parallel
 * with bounds, streamed to disk and to the archive, with every secret value the dump reads
 * scrubbed. Upstream (cmd/cluster/core/dump.go DumpCluster) shells out to `oc adm inspect` once per
 * namespace, reads each log whole into memory, and retries the whole dump every 5 s on any error;
 * here each item is retried a bounded number of times and its failure is recorded in index.json.
 *
 * Phases: secrets first (management, then guest), so that the scrubber knows every value before
 * anything else is written; then objects; then logs; then the guest's objects; then the extras
 * (etcd-status.json, network_logs/, summary.md, event-filter.html, timestamp) and index.json.
 */
import yaml from 'js-yaml';
import type { Readable } from 'node:stream';
import type { KubeClient } from '../kube/client.ts';
import { ApiError, isForbidden, isRetryable, ConnectionError } from '../kube/errors.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';
import { collect, type ItemResult } from '../plan/collect.ts';
import { RuntimeError } from '../util/errors.ts';
import { controlPlaneNamespace, type HostedCluster, type NodePool } from '../hostedcluster/types.ts';
import {
  discoverTypes,
  selectTypes,
  GUEST,
  MANAGEMENT_CLUSTER_SCOPED,
  MANAGEMENT_NAMESPACED,
  findType,
  type KindFilter,
  type ServedType,
} from './discovery.ts';
import { guestPrefix, logPath, objectPath } from './layout.ts';
import { elideSecret, Scrubber, type SecretObject } from './scrub.ts';
import { DumpSink, type IndexEntry } from './sink.ts';
import { eventFilterHtml, summaryMarkdown, type EventRow, type SkippedItem } from './summary.ts';

export interface DumpOptions {
  artifactDir: string;
  archive: boolean;
  concurrency: number;
  /** --since / --since-time for logs. */
  since?: { sinceSeconds?: number; sinceTime?: string };
  kinds: KindFilter;
  /** --include-namespace: more namespaces of the management cluster, dumped like the three upstream ones. */
  extraNamespaces: string[];
  guest: boolean;
  hypershiftNamespace: string;
  /** Makes the guest client (with the same impersonation as the management one). */
  guestClient?: (hc: HostedCluster) => Promise<{ client?: KubeClient; problem?: string; secret: string }>;
  /** etcd-status.json: the `etcd status` data, or why it could not be had. */
  etcdStatus?: (hc: HostedCluster) => Promise<unknown>;
  now: () => Date;
  onEvent?: (e: DumpEvent) => void;
  /** Backoff between attempts of one item (logs; lists retry inside the kube client). */
  retryDelaysMs?: number[];
}

export type DumpEvent =
  | { type: 'phase'; phase: string; items: number }
  | { type: 'progress'; objects: number; logs: number; bytes: number; forbidden: number; errors: number }
  | { type: 'item-failed'; item: string; status: 'forbidden' | 'error'; error: string };

export interface DumpResult {
  dir: string;
  archive?: string;
  objects: number;
  logs: number;
  bytes: number;
  forbidden: IndexEntry[];
  errors: IndexEntry[];
  ms: number;
  scrubbed: { values: number; tooShort: number; replacements: number };
}

interface Target {
  client: KubeClient;
  prefix: string;
  served: ServedType[];
  /** undefined: across all namespaces (the guest). */
  namespaces?: string[];
  label: string;
}

interface ContainerLog {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
}

interface PodLike extends KubeObject {
  spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}
interface ContainerStatusLike {
  name: string;
  restartCount?: number;
  state?: { running?: unknown; terminated?: unknown; waiting?: unknown };
  lastState?: { terminated?: unknown };
}

/** Objects per list request: one page is in memory at a time. */
const PAGE = 250;

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Which logs a pod has: current for every container that started, previous for one that restarted. */
export function podLogs(pod: PodLike): ContainerLog[] {
  const out: ContainerLog[] = [];
  const ns = pod.metadata.namespace ?? '';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  for (const name of names) {
    const s = statuses.find((x) => x.name === name);
    if (!s) continue;
    if (s.state?.running || s.state?.terminated) out.push({ namespace: ns, pod: pod.metadata.name, container: name, previous: false });
    if (s.lastState?.terminated || (s.restartCount ?? 0) > 0) out.push({ namespace: ns, pod: pod.metadata.name, container: name, previous: true });
  }
  return out;
}

function toYaml(obj: unknown): string {
  return yaml.dump(obj, { noRefs: true, lineWidth: -1, sortKeys: false });
}

async function withRetries<T>(fn: () => Promise<T>, delays: number[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const retry = isRetryable(err) || (err instanceof ConnectionError && !/--request-timeout/.test(err.message));
      if (!retry || attempt >= delays.length) throw err;
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}

/** The dump of one HostedCluster. The caller has looked it up (a failure there is exit 1 before anything is written). */
export async function runDump(kube: KubeClient, hc: HostedCluster, opts: DumpOptions): Promise<DumpResult> {
  const started = Date.now();
  const hcNs = hc.metadata.namespace!;
  const name = hc.metadata.name;
  const cpNs = controlPlaneNamespace(hcNs, name);
  const delays = opts.retryDelaysMs ?? [500, 1500, 4000];
  const emit = (e: DumpEvent) => opts.onEvent?.(e);
  const forbiddenOrError = { forbidden: 0, errors: 0 };
  let lastProgress = 0;
  const progress = (force = false) => {
    const now = Date.now();
    if (!force && now - lastProgress < 250) return;
    lastProgress = now;
    emit({ type: 'progress', objects: sink.objects, logs: sink.logs, bytes: sink.bytes, ...forbiddenOrError });
  };

  // Discovery is the one read without which nothing else makes sense: its failure is exit 1.
  let served: ServedType[];
  try {
    served = await discoverTypes(kube, opts.concurrency);
  } catch (err) {
    throw new RuntimeError(`cannot read the management cluster's API discovery: ${firstLine(err)}`, { cause: err, state: 'nothing was written' });
  }
  const sink = new DumpSink(opts.artifactDir, { archive: opts.archive, onChange: () => progress() });
  const scrubber = new Scrubber();
  const events: EventRow[] = [];
  const skipped: SkippedItem[] = [];

  const record = <T>(r: ItemResult<T>, path: string, kind: IndexEntry['kind']) => {
    if (r.status === 'ok') return;
    sink.failed(path, r.name, kind, r.status, r.reason);
    skipped.push({ item: r.name, status: r.status, reason: r.reason });
    if (r.status === 'forbidden') forbiddenOrError.forbidden++;
    else forbiddenOrError.errors++;
    emit({ type: 'item-failed', item: r.name, status: r.status, error: r.reason });
  };

  const namespaces = [...new Set([cpNs, hcNs, opts.hypershiftNamespace, ...opts.extraNamespaces])];
  const mgmt: Target = { client: kube, prefix: '', served, namespaces, label: '' };

  /** Writes one object (scrubbed; a Secret elided first). */
  const writeObject = (t: Target, type: ServedType, obj: KubeObject) => {
    // As `kubectl get -o yaml` (--show-managed-fields=false): the field managers are noise for a reader, and most of an object's size.
    delete obj.metadata.managedFields;
    const full: KubeObject = { apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind, ...obj };
    const shown = type.kind === 'Secret' && type.group === '' ? elideSecret(full as SecretObject) : full;
    const ns = type.namespaced ? obj.metadata.namespace : undefined;
    const path = objectPath(t.prefix, type, ns, obj.metadata.name);
    sink.writeFile(path, toYaml(scrubber.scrubObject(shown)), `${t.label}${type.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name}`, 'object');
  };

  const listItems = (t: Target, types: ServedType[]) =>
    types.flatMap((type) => {
      const scopes = type.namespaced ? (t.namespaces ?? [undefined]) : [undefined];
      return scopes.map((ns) => ({
        type,
        ns,
        name: `${t.label}${type.plural}${type.group ? `.${type.group}` : ''}${ns ? ` in ${ns}` : type.namespaced ? ' in all namespaces' : ''}`,
        dir: objectPath(t.prefix, type, ns, '_').replace(/\/_\.yaml$/, ''),
      }));
    });

  const resourceOf = (type: ServedType) => ({ kind: type.kind, group: type.group, version: type.version, plural: type.plural, namespaced: type.namespaced });
  const listOf = (t: Target, type: ServedType, ns?: string) => t.client.list(resourceOf(type), { namespace: ns, limit: PAGE });

  // ---------------------------------------------------------------- secrets (read first: the scrub needs every value)
  const secretType = findType(served, '', 'Secret');
  const writeSecrets =
    !(opts.kinds.exclude ?? []).some((k) => ['secret', 'secrets'].includes(k.toLowerCase())) &&
    (!opts.kinds.include?.length || opts.kinds.include.some((k) => ['secret', 'secrets'].includes(k.toLowerCase())));
  const heldSecrets: { target: Target; type: ServedType; secret: SecretObject }[] = [];
  const readSecrets = async (t: Target, type: ServedType | undefined) => {
    if (!type) return;
    const items = listItems(t, [type]);
    emit({ type: 'phase', phase: `${t.label}secrets`, items: items.length });
    const c = await collect(
      items.map((it) => ({ name: it.name, read: () => listOf(t, it.type, it.ns) })),
      { concurrency: opts.concurrency },
    );
    c.results.forEach((r, i) => {
      record(r, items[i].dir, 'list');
      if (r.status !== 'ok') return;
      for (const secret of r.value.items as SecretObject[]) {
        scrubber.addSecret(secret, t.label);
        heldSecrets.push({ target: t, type, secret });
      }
    });
  };
  await readSecrets(mgmt, secretType);

  let guest: Target | undefined;
  if (opts.guest && opts.guestClient) {
    const status = (e: unknown) => (isForbidden(e) ? 'forbidden' : 'error') as 'forbidden' | 'error';
    const access = await opts
      .guestClient(hc)
      .catch((err: unknown) => ({ client: undefined, problem: firstLine(err), secret: 'its admin kubeconfig', failure: status(err) }));
    if (!access.client) {
      const failure = 'failure' in access ? access.failure : 'error';
      record({ name: `guest cluster (${access.secret})`, status: failure, reason: access.problem ?? 'no client' }, guestPrefix(name), 'list');
    } else {
      try {
        const guestServed = await discoverTypes(access.client, opts.concurrency);
        guest = { client: access.client, prefix: guestPrefix(name), served: guestServed, namespaces: undefined, label: 'guest ' };
        // The guest's secrets too: a value from there must not leak through the management side's logs either.
        await readSecrets(guest, findType(guestServed, '', 'Secret'));
      } catch (err) {
        record({ name: 'guest cluster API discovery', status: status(err), reason: firstLine(err) }, guestPrefix(name), 'list');
      }
    }
  }
  if (writeSecrets) for (const h of heldSecrets) writeObject(h.target, h.type, h.secret);
  heldSecrets.length = 0;

  // ---------------------------------------------------------------- the HostedCluster and its NodePools
  const hcType = findType(served, 'hypershift.openshift.io', 'HostedCluster');
  const npType = findType(served, 'hypershift.openshift.io', 'NodePool');
  let nodePools: NodePool[] = [];
  if (hcType) writeObject(mgmt, hcType, hc);
  if (npType) {
    const [r] = (await collect([{ name: `nodepools of ${hcNs}/${name}`, read: () => listOf(mgmt, npType, hcNs) }], { concurrency: 1 })).results;
    record(r, objectPath('', npType, hcNs, '_').replace(/\/_\.yaml$/, ''), 'list');
    if (r.status === 'ok') {
      nodePools = (r.value.items as NodePool[]).filter((np) => np.spec?.clusterName === name);
      for (const np of nodePools) writeObject(mgmt, npType, np);
    }
  }

  // ---------------------------------------------------------------- objects
  const logs: ContainerLog[] = [];
  const hcps: KubeObject[] = [];
  const dumpObjects = async (t: Target, namespacedWanted: typeof MANAGEMENT_NAMESPACED, clusterWanted: typeof MANAGEMENT_CLUSTER_SCOPED, wantLogs: boolean) => {
    const types = [...selectTypes(t.served, namespacedWanted, opts.kinds), ...selectTypes(t.served, clusterWanted, opts.kinds)].filter(
      (x) => !(x.kind === 'Secret' && x.group === ''),
    );
    const items = listItems(t, types);
    emit({ type: 'phase', phase: `${t.label}objects`, items: items.length });
    await collect(
      items.map((it) => ({
        name: it.name,
        // Page by page, each written and let go before the next is read, waiting while the archive catches up.
        read: async () => {
          let n = 0;
          for await (const page of t.client.listPages(resourceOf(it.type), { namespace: it.ns, limit: PAGE })) {
            for (const obj of page.items) {
              writeObject(t, it.type, obj);
              if (it.type.kind === 'Pod' && it.type.group === '' && wantLogs) logs.push(...podLogs(obj as PodLike));
              if (it.type.kind === 'Event' && it.type.group === '') events.push(eventRow(obj, t.label));
              if (it.type.kind === 'HostedControlPlane' && t === mgmt) hcps.push(obj);
            }
            n += page.items.length;
            await sink.ready();
          }
          return n;
        },
      })),
      { concurrency: opts.concurrency },
    ).then((c) => c.results.forEach((r, i) => record(r, items[i].dir, 'list')));
  };
  await dumpObjects(mgmt, MANAGEMENT_NAMESPACED, MANAGEMENT_CLUSTER_SCOPED, true);

  // ---------------------------------------------------------------- logs
  if (logs.length) {
    emit({ type: 'phase', phase: 'logs', items: logs.length });
    const c = await collect(
      logs.map((l) => ({
        name: `log ${l.namespace}/${l.pod} ${l.container}${l.previous ? ' (previous)' : ''}`,
        read: () =>
          withRetries(async () => {
            let stream: Readable;
            try {
              stream = await kube.logStream(l.namespace, l.pod, { container: l.container, previous: l.previous, ...opts.since });
            } catch (err) {
              // oc adm inspect (pod.go filterContainerLogsErrors) treats a previous instance the kubelet no longer has as none.
              if (l.previous && err instanceof ApiError && err.statusCode === 400 && /previous terminated container/.test(err.message)) return undefined;
              // The pod went away between the list and this read: nothing to dump, nothing failed.
              if (err instanceof ApiError && err.statusCode === 404) return undefined;
              throw err;
            }
            await sink.writeStream(
              logPath('', l.namespace, l.pod, l.container, l.previous),
              stream,
              [scrubber.transform()],
              `log ${l.namespace}/${l.pod} ${l.container}${l.previous ? ' (previous)' : ''}`,
              'log',
            );
            await sink.ready();
            return undefined; // the entry is in the index spool; nothing held here
          }, delays),
      })),
      { concurrency: opts.concurrency },
    );
    c.results.forEach((r, i) => record(r, logPath('', logs[i].namespace, logs[i].pod, logs[i].container, logs[i].previous), 'log'));
  }

  // ---------------------------------------------------------------- guest objects
  if (guest) await dumpObjects(guest, GUEST, [], false);

  // ---------------------------------------------------------------- extras
  emit({ type: 'phase', phase: 'extras', items: 4 });
  const extra = async (path: string, item: string, make: () => Promise<string | Buffer | undefined>) => {
    const [r] = (await collect([{ name: item, read: make }], { concurrency: 1 })).results;
    if (r.status === 'ok') {
      if (r.value !== undefined)
        sink.writeFile(path, typeof r.value === 'string' ? scrubber.scrubString(r.value) : scrubber.scrubBuffer(r.value), item, 'extra');
    } else record(r, path, 'extra');
  };
  if (opts.etcdStatus) await extra('etcd-status.json', 'etcd status', async () => JSON.stringify(await opts.etcdStatus!(hc), null, 2) + '\n');
  await extra('network_logs/README.txt', 'network logs', () => networkLogs(kube, cpNs, sink, scrubber));
  sink.writeFile('event-filter.html', eventFilterHtml(events, `${hcNs}/${name}`), 'event-filter.html', 'extra');
  sink.writeFile('timestamp', `${new Date(started).toISOString()} ${opts.now().toISOString()}\n`, 'timestamp', 'extra');
  sink.writeFile(
    'summary.md',
    scrubber.scrubString(summaryMarkdown({ hc, hcps, nodePools, skipped, scrubbed: scrubber.stats, generated: opts.now() })),
    'summary.md',
    'extra',
  );

  const forbidden = sink.problems.filter((e) => e.status === 'forbidden');
  const errors = sink.problems.filter((e) => e.status === 'error');
  const ms = Date.now() - started;
  await sink.close({
    hostedCluster: `${hcNs}/${name}`,
    started: new Date(started).toISOString(),
    durationMs: ms,
    counts: { objects: sink.objects, logs: sink.logs, bytes: sink.bytes, forbidden: forbidden.length, errors: errors.length },
  });
  progress(true);
  return {
    dir: sink.root,
    archive: opts.archive ? `${sink.root}/hypershift-dump.tar.gz` : undefined,
    objects: sink.objects,
    logs: sink.logs,
    bytes: sink.bytes,
    forbidden,
    errors,
    ms,
    scrubbed: { ...scrubber.stats, replacements: scrubber.replacements },
  };
}

function eventRow(obj: KubeObject, label: string): EventRow {
  const e = obj as KubeObject & {
    involvedObject?: { kind?: string; name?: string; namespace?: string };
    regarding?: { kind?: string; name?: string };
    reason?: string;
    message?: string;
    note?: string;
    type?: string;
    count?: number;
    lastTimestamp?: string;
    eventTime?: string;
    firstTimestamp?: string;
  };
  const involved = e.involvedObject ?? e.regarding ?? {};
  return {
    cluster: label ? 'guest' : 'management',
    namespace: obj.metadata.namespace ?? '',
    object: `${involved.kind ?? ''}/${involved.name ?? ''}`,
    reason: e.reason ?? '',
    message: e.message ?? e.note ?? '',
    type: e.type ?? '',
    count: e.count ?? 1,
    time: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? obj.metadata.creationTimestamp ?? '',
  };
}

/**
 * network_logs/: upstream (gatherNetworkLogs) copies the OVN northbound and southbound databases
 * and `ovn-appctl cluster/status` of each ovnkube-master pod of the control-plane namespace, best
 * effort. Here: the status over exec, the databases over exec `cat`; with no such pod, a note.
 */
async function networkLogs(kube: KubeClient, cpNs: string, sink: DumpSink, scrubber: Scrubber): Promise<string> {
  const pods = await kube.list(Resources.Pod, { namespace: cpNs, labelSelector: 'app=ovnkube-master' });
  if (!pods.items.length) return `No OVN pods (label app=ovnkube-master) in namespace ${cpNs}: nothing to collect.\n`;
  const notes: string[] = [];
  for (const pod of pods.items) {
    for (const [db, dbName] of [
      ['n', 'OVN_Northbound'],
      ['s', 'OVN_Southbound'],
    ] as const) {
      const container = `${db}bdb`;
      const run = async (command: string[], file: string) => {
        const chunks: Buffer[] = [];
        const { Writable } = await import('node:stream');
        const out = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
        try {
          const r = await kube.exec(cpNs, pod.metadata.name, container, command, { stdout: out, stderr: out, timeoutMs: 60_000 });
          sink.writeFile(`network_logs/${file}`, scrubber.scrubBuffer(Buffer.concat(chunks)), `network ${pod.metadata.name} ${file}`, 'extra');
          if (r.exitCode !== 0) notes.push(`${pod.metadata.name} ${command.join(' ')}: exit ${r.exitCode}`);
        } catch (err) {
          notes.push(`${pod.metadata.name} ${container}: ${firstLine(err)}`);
        }
      };
      await run(['ovn-appctl', '-t', `/var/run/ovn/ovn${db}b_db.ctl`, 'cluster/status', dbName], `${pod.metadata.name}_${dbName}_status`);
      await run(['cat', `/etc/ovn/ovn${db}b_db.db`], `${pod.metadata.name}_ovn${db}b_db.db`);
    }
  }
  return notes.length ? `Best effort; what failed:\n${notes.join('\n')}\n` : (undefined as unknown as string);
}

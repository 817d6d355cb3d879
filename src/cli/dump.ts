import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { resolve } from 'node:path';
import { HostedClusterViewCommand } from './view.ts';
import { assertDnsLabel } from './base.ts';
import type { KubeClient } from '../kube/client.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import type { OutputFormat } from '../output/output.ts';
import type { DumpEvent, DumpResult } from '../dump/dump.ts';
import { parseGoDuration } from '../util/duration.ts';
import { RuntimeError, UsageError } from '../util/errors.ts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export class DumpCommand extends HostedClusterViewCommand {
  static override paths = [['dump']];
  static override usage = Command.Usage({
    category: 'Information',
    description: 'Collect everything needed to troubleshoot a hosted cluster, safe to share',
    details: `
      Docs 9.1 (\`hypershift dump cluster\`), through the API instead of \`oc adm inspect\`, in parallel (\`--concurrency\`), streamed to disk and to \`hypershift-dump.tar.gz\` as it goes.

      Collects the HostedCluster and its NodePools, the Nodes, and the HostedCluster, control-plane and operator namespaces (plus \`--include-namespace\`) with every type upstream collects that the server serves (workloads, ConfigMaps, Endpoints, Events, PVCs, Pods, Services, PDBs, NetworkPolicies, Routes, HostedControlPlane, CAPI and provider objects…), the current and previous logs of every init and regular container, \`etcd-status.json\` (the \`etcd status\` data), \`network_logs/\`, \`summary.md\` (every condition that is not healthy, the version history, what was skipped) and \`event-filter.html\`. With \`--dump-guest-cluster\`, the hosted cluster's own objects under \`hostedcluster-NAME/\`, through its admin kubeconfig.

      The layout is \`oc adm inspect\`'s. Secret objects show each value's length only (except tls.crt, ca.crt, service-ca.crt); every value read from a Secret is also replaced wherever else it appears (env vars, ConfigMaps, annotations, logs), in plain, base64 and double-base64 form, by a marker naming the secret and key.

      \`--as\`/\`--as-group\` apply to every request. What RBAC forbids is skipped and listed in \`summary.md\` and \`index.json\`; the dump still completes (exit 0 with a warning). Exit 1 when the cluster cannot be read at all, or when items failed after retries (\`index.json\` names them).

      The artifact directory must be new or empty; \`--overwrite\` replaces a previous dump (never a directory that is not one).
    `,
    examples: [
      ['Dump cluster sample with its guest cluster', '$0 dump sample --dump-guest-cluster --artifact-dir ./dump-sample'],
      ['Only the last hour of logs, as a service account', '$0 dump sample --since 1h --as system:serviceaccount:default:samplesa --artifact-dir ./dump'],
    ],
  });

  artifactDir = Option.String('--artifact-dir', { description: 'Directory for the dump (new or empty; required)' });
  dumpGuest = Option.Boolean('--dump-guest-cluster', false, { description: 'Also dump the hosted cluster itself, through its admin kubeconfig' });
  since = Option.String('--since', { description: 'Only logs newer than this (Go duration, e.g. 24h)' });
  sinceTime = Option.String('--since-time', { description: 'Only logs after this RFC3339 time' });
  archive = Option.Boolean('--archive', true, { description: 'Write hypershift-dump.tar.gz in the artifact dir (--no-archive: only the tree)' });
  concurrency = Option.String('--concurrency', '8', {
    description: 'How many reads run at once (default 8)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 64)]),
  });
  overwrite = Option.Boolean('--overwrite', false, { description: 'Replace a previous dump in the artifact dir' });
  includeKind = Option.Array('--include-kind', {
    description: 'Only these types (kind or plural, repeatable or comma-separated); the HostedCluster and its NodePools are always dumped',
  });
  excludeKind = Option.Array('--exclude-kind', { description: 'Not these types (kind or plural, repeatable or comma-separated)' });
  includeNamespace = Option.Array('--include-namespace', { description: 'Also dump this management-cluster namespace (repeatable or comma-separated)' });

  private sinceOpts?: { sinceSeconds?: number; sinceTime?: string };

  override async run(): Promise<void> {
    // Every input checked before the first API call (exit 2, nothing written).
    if (this.since !== undefined && this.sinceTime !== undefined) throw new UsageError('give --since or --since-time, not both');
    if (this.since !== undefined) {
      const ms = parseGoDuration(this.since, '--since');
      if (ms <= 0) throw new UsageError(`--since ${this.since} must be positive`);
      this.sinceOpts = { sinceSeconds: Math.max(1, Math.ceil(ms / 1000)) };
    }
    if (this.sinceTime !== undefined) {
      if (!RFC3339.test(this.sinceTime) || Number.isNaN(Date.parse(this.sinceTime)))
        throw new UsageError(`--since-time "${this.sinceTime}" is not an RFC3339 time with a zone (e.g. 2026-01-02T15:04:05Z)`);
      this.sinceOpts = { sinceTime: this.sinceTime };
    }
    for (const ns of this.namespaces()) assertDnsLabel(ns, '--include-namespace');
    const { unknownKind } = await import('../dump/discovery.ts');
    for (const [flag, values] of [
      ['--include-kind', this.split(this.includeKind)],
      ['--exclude-kind', this.split(this.excludeKind)],
    ] as const) {
      const bad = unknownKind(values);
      if (bad !== undefined)
        throw new UsageError(`${flag} "${bad}" is not a type the dump reads (give a kind or plural, e.g. Pod, pods, machines.cluster.x-k8s.io; see --help)`);
    }
    if (!this.artifactDir?.trim()) throw new UsageError('--artifact-dir DIR is required: the directory for the dump (new or empty)');
    const { prepareArtifactDir } = await import('../dump/sink.ts');
    // Refuses a non-empty directory now; with --overwrite the previous dump is removed only after the cluster answered.
    if (!this.overwrite) prepareArtifactDir(resolve(this.artifactDir), false);
    await super.run();
  }

  private split(values: string[] | undefined): string[] {
    return (values ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  }

  private namespaces(): string[] {
    return this.split(this.includeNamespace);
  }

  protected async show(kube: KubeClient, hc: HostedCluster, opts: { format: OutputFormat; timeoutMs?: number }): Promise<void> {
    const { runDump } = await import('../dump/dump.ts');
    const { prepareArtifactDir } = await import('../dump/sink.ts');
    const dir = resolve(this.artifactDir!);
    prepareArtifactDir(dir, this.overwrite);
    const impersonate = this.as || this.asGroup?.length ? { user: this.as, groups: this.asGroup } : undefined;
    const progress = this.progressSink(opts.format);
    let result: DumpResult;
    try {
      result = await runDump(kube, hc, {
        artifactDir: dir,
        archive: this.archive,
        concurrency: Number(this.concurrency),
        since: this.sinceOpts,
        kinds: { include: this.split(this.includeKind), exclude: this.split(this.excludeKind) },
        extraNamespaces: this.namespaces(),
        guest: this.dumpGuest,
        hypershiftNamespace: this.hypershiftNamespace,
        guestClient: async (h) => {
          const { guestClient } = await import('../hostedcluster/guest.ts');
          return guestClient(kube, h, this.context.env, opts.timeoutMs, impersonate);
        },
        etcdStatus: async (h) => {
          const { observeEtcd } = await import('../etcd/observe.ts');
          const { summarizeEtcd } = await import('../etcd/health.ts');
          return summarizeEtcd(await observeEtcd(kube, h));
        },
        now: this.context.now,
        onEvent: progress.event,
      });
    } finally {
      progress.stop();
    }
    this.report(result, opts.format);
  }

  private progressSink(format: OutputFormat): { event: (e: DumpEvent) => void; stop: () => void } {
    if (format === 'json') return { event: (e) => this.out.ndjson('DumpEvent', e), stop: () => undefined };
    const tty = this.context.stderrIsTTY;
    let line = '';
    return {
      event: (e) => {
        if (e.type === 'phase') {
          if (tty && line) this.context.stderr.write('\r\u001b[2K');
          this.out.note(`${e.phase}: ${e.items} item${e.items === 1 ? '' : 's'}`);
        } else if (e.type === 'progress' && tty) {
          line = `objects ${e.objects}, logs ${e.logs}, ${formatBytes(e.bytes)}${e.forbidden ? `, forbidden ${e.forbidden}` : ''}${e.errors ? `, errors ${e.errors}` : ''}`;
          this.context.stderr.write(`\r\u001b[2K${line}`);
        }
      },
      stop: () => {
        if (tty && line) this.context.stderr.write('\r\u001b[2K');
      },
    };
  }

  private report(r: DumpResult, format: OutputFormat): void {
    const summary = {
      type: 'done',
      dir: r.dir,
      archive: r.archive,
      objects: r.objects,
      logs: r.logs,
      bytes: r.bytes,
      forbidden: r.forbidden.length,
      errors: r.errors.length,
      durationMs: r.ms,
      scrubbed: r.scrubbed,
    };
    if (format === 'json') this.out.ndjson('DumpResult', summary);
    else if (format === 'yaml') this.out.data('yaml', summary, () => '', 'DumpResult');
    else {
      this.out.print(
        `Dumped ${r.objects} objects and ${r.logs} logs (${formatBytes(r.bytes)}) to ${r.dir} in ${(r.ms / 1000).toFixed(1)}s; ` +
          `skipped ${r.forbidden.length} (forbidden), ${r.errors.length} errors${r.archive ? `; archive ${r.archive}` : ''}`,
      );
    }
    if (r.forbidden.length)
      this.out.warn(`${r.forbidden.length} items were skipped because RBAC forbids them (see summary.md and index.json), e.g. ${r.forbidden[0].item}`);
    if (r.errors.length) {
      throw new RuntimeError(`${r.errors.length} items could not be read after retries, e.g. ${r.errors[0].item}: ${r.errors[0].error}`, {
        state: `the dump in ${r.dir} is complete otherwise; index.json lists every failed item`,
      });
    }
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The base of every command: kubectl's global flags, declared once; error-to-exit-code mapping;
 * and the lazily created kube client. Heavy modules (@kubernetes/client-node, the AWS SDK) are
 * imported inside methods so that `--help` and `version --client` never load them.
 */
import { Command, Option, UsageError as ClipanionUsageError } from 'clipanion';
import * as t from 'typanion';
import type { HcpContext } from './context.ts';
import type { KubeClient } from '../kube/client.ts';
import { ExitCode, HcpError, RuntimeError, UsageError } from '../util/errors.ts';
import { parseGoDuration } from '../util/duration.ts';
import { Output, kindOfPath } from '../output/output.ts';

export const DEFAULT_HC_NAMESPACE = 'clusters';
export const DEFAULT_HYPERSHIFT_NAMESPACE = 'hypershift';

export abstract class HcpCommand extends Command<HcpContext> {
  kubeconfig = Option.String('--kubeconfig', { hidden: true, description: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' });
  contextName = Option.String('--context', { hidden: true, description: 'The kubeconfig context to use' });
  clusterName = Option.String('--cluster', { hidden: true, description: 'The kubeconfig cluster to use' });
  userName = Option.String('--user', { hidden: true, description: 'The kubeconfig user to use' });
  namespace = Option.String('-n,--namespace', { hidden: true, description: `Namespace of the HostedCluster (default: ${DEFAULT_HC_NAMESPACE})` });
  as = Option.String('--as', { hidden: true, description: 'Username to impersonate for the operation' });
  asGroup = Option.Array('--as-group', { hidden: true, description: 'Group to impersonate (repeatable)' });
  requestTimeout = Option.String('--request-timeout', { hidden: true, description: 'Timeout for a single API request, e.g. 30s (0 = none)' });
  verbosity = Option.String('-v,--v', '0', {
    hidden: true,
    description: 'Log level: 1 shows stack traces, 6 shows every API request',
    validator: t.isNumber(),
  });
  hypershiftNamespace = Option.String('--hypershift-namespace', DEFAULT_HYPERSHIFT_NAMESPACE, {
    hidden: true,
    description: 'Namespace of the HyperShift operator',
  });

  /** False while a mutating command's validate() runs: no client may exist before every input is checked. */
  protected kubeAllowed = true;
  private kubeClient?: Promise<KubeClient>;
  private outputHelper?: Output;

  /** The command body. Throw HcpError subclasses for failures; return an exit code or nothing. */
  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    return (await this.run()) ?? ExitCode.Ok;
  }

  /** Maps every failure, including clipanion's own validation errors, to one line and an exit code. */
  override async validateAndExecute(): Promise<number> {
    try {
      return await super.validateAndExecute();
    } catch (err) {
      return this.fail(err);
    }
  }

  protected fail(err: unknown): number {
    const out = this.out;
    const verbose = Number(this.verbosity) >= 1;
    if (err instanceof ClipanionUsageError) {
      // A `static schema` flag rule reads "Invalid option schema: give only one of …": keep the rule.
      const message = err.message.split('\n')[0].replace(/^Invalid option schema: /, '');
      out.error(`${message} (see '${this.cli.binaryName} ${this.path.join(' ')} --help')`);
      return ExitCode.Usage;
    }
    if (err instanceof HcpError) {
      out.error(err.message);
      if (err instanceof RuntimeError && err.state) out.note(`state: ${err.state}`);
      if (err.hint) out.note(`hint: ${err.hint}`);
      if (verbose && err.stack) out.note(err.stack);
      if (verbose && err.cause instanceof Error && err.cause.stack) out.note(`caused by: ${err.cause.stack}`);
      return err.exitCode;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    out.error(e.message);
    if (verbose && e.stack) out.note(e.stack);
    return ExitCode.Runtime;
  }

  /** Output helpers bound to this command's streams (colour only on a TTY and never with NO_COLOR). */
  protected get out(): Output {
    this.outputHelper ??= new Output(this.context, kindOfPath(this.path ?? []));
    return this.outputHelper;
  }

  /** The HostedCluster namespace: -n, else the docs' default `clusters`. */
  protected get hcNamespace(): string {
    return this.namespace ?? DEFAULT_HC_NAMESPACE;
  }

  /** The one HostedCluster lookup: NAME in -n (default clusters); not found names the namespace and near names (exit 1). */
  protected async getHostedCluster(kube: KubeClient, name: string): Promise<import('../hostedcluster/types.ts').HostedCluster> {
    const { getHostedCluster } = await import('../hostedcluster/lookup.ts');
    return getHostedCluster(kube, this.hcNamespace, name, { explicitNamespace: this.namespace !== undefined });
  }

  /** Validates the global flags that need it; called before any API call. */
  protected validateGlobals(): { timeoutMs?: number } {
    let timeoutMs: number | undefined;
    if (this.requestTimeout !== undefined) {
      const raw = /^\d+$/.test(this.requestTimeout) ? `${this.requestTimeout}s` : this.requestTimeout;
      timeoutMs = parseGoDuration(raw, '--request-timeout');
      // kubectl refuses a negative timeout too; 0 means none.
      if (timeoutMs < 0) throw new UsageError(`--request-timeout ${this.requestTimeout} is negative`);
    }
    for (const [flag, value] of [
      ['--namespace', this.namespace],
      ['--hypershift-namespace', this.hypershiftNamespace],
    ] as const) {
      if (value !== undefined) assertDnsLabel(value, flag);
    }
    return { timeoutMs };
  }

  /** The management-cluster client, created once per command run. */
  protected kube(): Promise<KubeClient> {
    if (!this.kubeAllowed) throw new Error('internal: a kube client was requested during validate(), before every input was checked');
    this.kubeClient ??= this.createKube();
    return this.kubeClient;
  }

  /**
   * A client for another kubeconfig context of the same kubeconfig files (e.g. the destination
   * management cluster of a DR migration), with the same impersonation and timeouts.
   */
  protected kubeForContext(contextName: string | undefined, kubeconfigPath?: string): Promise<KubeClient> {
    if (!this.kubeAllowed) throw new Error('internal: a kube client was requested during validate(), before every input was checked');
    return this.createKube(contextName, kubeconfigPath);
  }

  private async createKube(contextName = this.contextName, kubeconfigPath = this.kubeconfig): Promise<KubeClient> {
    const { timeoutMs } = this.validateGlobals();
    const { resolveKubeconfig } = await import('../kube/kubeconfig.ts');
    const { KubeClient } = await import('../kube/client.ts');
    const otherContext = contextName !== this.contextName || kubeconfigPath !== this.kubeconfig;
    const kubeconfig = resolveKubeconfig(
      {
        kubeconfig: kubeconfigPath,
        context: contextName,
        cluster: otherContext ? undefined : this.clusterName,
        user: otherContext ? undefined : this.userName,
        namespace: this.namespace,
      },
      this.context.env,
    );
    const impersonate = this.as || this.asGroup?.length ? { user: this.as, groups: this.asGroup } : undefined;
    return new KubeClient({
      kubeconfig,
      env: this.context.env,
      impersonate,
      timeoutMs,
      // An exec credential plugin may prompt (interactiveMode) on the user's terminal.
      terminal: { stdin: this.context.stdin, stdinIsTTY: this.context.stdinIsTTY, stderr: this.context.stderr },
      onRequest: Number(this.verbosity) >= 6 ? (line) => this.out.note(`I ${line}`) : undefined,
    });
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function assertDnsLabel(value: string, what: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new UsageError(`${what} "${value}" is not a valid name: lower-case letters, digits and '-', at most 63 characters`);
  }
}

/** HostedCluster names are DNS subdomains (they may contain dots). */
export function assertObjectName(value: string, what: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new UsageError(`${what} "${value}" is not a valid name: lower-case letters, digits, '-' and '.', at most 253 characters`);
  }
}

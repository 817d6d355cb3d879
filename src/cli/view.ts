/**
 * The base of read commands about one HostedCluster (`oauth list NAME`, `featuregate show NAME`…):
 * NAME and -o declared once, the name and global flags checked before any API call, then the
 * one lookup (not found names the namespace and near names), then show().
 */
import { HcpCommand, assertObjectName } from './base.ts';
import { hostedClusterArg, outputOption } from './flags.ts';
import type { KubeClient } from '../kube/client.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import type { OutputFormat } from '../output/output.ts';

export abstract class HostedClusterViewCommand extends HcpCommand {
  name = hostedClusterArg();
  output = outputOption();

  /** Prints the view of `hc`; `timeoutMs` is --request-timeout, if given. */
  protected abstract show(kube: KubeClient, hc: HostedCluster, opts: { format: OutputFormat; timeoutMs?: number }): Promise<void>;

  async run(): Promise<void> {
    assertObjectName(this.name, 'HostedCluster');
    const { timeoutMs } = this.validateGlobals();
    const kube = await this.kube();
    const hc = await this.getHostedCluster(kube, this.name);
    await this.show(kube, hc, { format: this.output as OutputFormat, timeoutMs });
  }
}

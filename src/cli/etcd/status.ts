import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from '../base.ts';
import { outputOption } from '../flags.ts';
import type { OutputFormat } from '../../output/output.ts';

export class EtcdStatusCommand extends HcpCommand {
  static override paths = [['etcd', 'status']];
  static override usage = Command.Usage({
    category: 'etcd',
    description: "Show the health of a hosted cluster's etcd: pods, members, leader, sizes and keyspace hashes",
    details: `
      Docs 8.1.1, without \`oc rsh\`: lists the etcd pods (ready, status, restarts, node), then asks etcd itself, with \`etcdctl\` run over exec in a healthy pod it picks by itself: per member its ID, health, whether it leads, raft term and index, database size and the part in use (a warning when more than half is free: defragmentation would help), and any errors or alarms.

      The keyspace hash of every member (\`endpoint hashkv\`) is taken at one common revision, so that a member whose data diverges is named.

      Also shows the \`EtcdAvailable\` and \`EtcdRecoveryActive\` conditions and any \`etcd-recovery\` Job of the operator's automatic member recovery.

      The etcdctl TLS files are the docs' (\`/etc/etcd/tls/etcd-ca/ca.crt\`), or \`/etc/etcd/tls/client/etcd-client-ca.crt\` on releases before 4.12.
    `,
    examples: [
      ['The etcd of cluster sample', '$0 etcd status sample'],
      ['As JSON', '$0 etcd status sample -o json'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  output = outputOption();

  async run(): Promise<void> {
    assertObjectName(this.name, 'HostedCluster');
    this.validateGlobals();
    const { observeEtcd } = await import('../../etcd/observe.ts');
    const { summarizeEtcd } = await import('../../etcd/health.ts');
    const { renderEtcdStatus } = await import('../../etcd/render.ts');
    const kube = await this.kube();
    const hc = await this.getHostedCluster(kube, this.name);
    const view = summarizeEtcd(await observeEtcd(kube, hc));
    const format = this.output as OutputFormat;
    this.out.data(format, { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, ...view }, () => renderEtcdStatus(view), 'EtcdStatus');
  }
}

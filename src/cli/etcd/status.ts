import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from '../base.ts';
import { outputOption, profileOption, regionOption, s3EndpointOption, s3PathStyleOption } from '../flags.ts';
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

      Last, the newest snapshot \`kubectl hcp etcd snapshot\` made of the cluster: with \`--bucket s3://BUCKET/PREFIX\` (or \`file://DIR\`), the newest manifest of this cluster there, with its \`.sha256\` and the object's size checked against it; without, the last snapshot run recorded in this machine's journal. Its age, revision, size and sha256, and whether it is verified.

      The etcdctl TLS files are the docs' (\`/etc/etcd/tls/etcd-ca/ca.crt\`), or \`/etc/etcd/tls/client/etcd-client-ca.crt\` on releases before 4.12.
    `,
    examples: [
      ['The etcd of cluster sample', '$0 etcd status sample'],
      ['As JSON', '$0 etcd status sample -o json'],
      ['With the newest snapshot in a bucket', '$0 etcd status sample --bucket s3://my-bucket/etcd'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  output = outputOption();
  bucket = Option.String('--bucket', { description: 'Where snapshots are kept (s3://BUCKET/PREFIX or file://DIR), to show the newest one' });
  profile = profileOption();
  region = regionOption();
  s3Endpoint = s3EndpointOption();
  s3PathStyle = s3PathStyleOption();

  async run(): Promise<void> {
    assertObjectName(this.name, 'HostedCluster');
    this.validateGlobals();
    const { parseLocation, storeFor, describeLocation } = await import('../../etcd/sinks.ts');
    const bucket = this.bucket === undefined ? undefined : parseLocation(this.bucket, '--bucket');
    const { observeEtcd } = await import('../../etcd/observe.ts');
    const { summarizeEtcd } = await import('../../etcd/health.ts');
    const { renderEtcdStatus } = await import('../../etcd/render.ts');
    const kube = await this.kube();
    const hc = await this.getHostedCluster(kube, this.name);
    const view = summarizeEtcd(await observeEtcd(kube, hc));
    const { newestInStore, newestInJournal, describeNewest } = await import('../../etcd/newest.ts');
    const who = { namespace: hc.metadata.namespace!, name: hc.metadata.name };
    let newestSnapshot: Awaited<ReturnType<typeof newestInStore>> = null;
    let searched = "this machine's journal (--bucket searches a destination)";
    if (bucket) {
      const { s3Settings, lazyS3Client } = await import('../../aws/s3.ts');
      const s3 = lazyS3Client(
        s3Settings({ profile: this.profile, region: this.region, endpoint: this.s3Endpoint, forcePathStyle: this.s3PathStyle }, this.context.env),
      );
      searched = describeLocation(bucket);
      newestSnapshot = await newestInStore(storeFor(bucket, s3), who, this.context.now());
    } else {
      newestSnapshot = newestInJournal(this.context.env, kube.server, who, this.context.now());
    }
    const format = this.output as OutputFormat;
    this.out.data(
      format,
      { hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`, ...view, newestSnapshot },
      () => renderEtcdStatus(view, { snapshot: describeNewest(newestSnapshot, searched) }),
      'EtcdStatus',
    );
  }
}

import { Command, Option } from 'clipanion';
import { HcpCommand, assertObjectName } from '../base.ts';
import { profileOption, regionOption, s3EndpointOption, s3PathStyleOption } from '../flags.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';

export class EtcdRestoreUrlCommand extends HcpCommand {
  static override paths = [['etcd', 'restore-url']];
  static override usage = Command.Usage({
    category: 'etcd',
    description: 'Presign a verified S3 snapshot for restoreSnapshotURL, to create a hosted cluster from it (docs 8.2.2)',
    details: `
      Checks the object's sha256 against the manifest \`kubectl hcp etcd snapshot\` wrote next to it, then presigns a GET URL (SigV4, at most 7 days; temporary credentials make it stop working when they expire, which it warns about) and prints the \`spec.etcd.managed.storage.restoreSnapshotURL\` fragment.

      With \`--render-from FILE\` (the output of \`hcp create cluster --render\`) it prints that manifest with exactly one URL (FACTS: the field takes one; every member restores from it, and for a HighlyAvailable render it warns that upstream's etcd-init then makes each of the three members a cluster of its own, which \`etcd restore\` mends once the cluster is up) and no \`pausedUntil\`, and checks that the encryption-key Secret the HostedCluster references is in the render, exists on the cluster, or was stored with the snapshot.

      The field is read only when a HostedCluster is created and is immutable: it refuses (exit 3) when NAME already exists.
    `,
    examples: [
      ['The fragment, valid for 6 hours', '$0 etcd restore-url new-cluster --from s3://my-bucket/etcd/sample-etcd-0-20261125T160412Z-snapshot.db'],
      [
        'A rendered manifest with the URL',
        '$0 etcd restore-url new-cluster --from s3://my-bucket/etcd/x-snapshot.db --render-from rendered.yaml --expires 24h > hc.yaml',
      ],
    ],
  });

  name = Option.String({ name: 'NAME' });
  from = Option.String('--from', { description: 's3://BUCKET/KEY of the snapshot', required: true });
  expires = Option.String('--expires', '6h', { description: 'How long the URL is valid (Go duration, at most 168h)' });
  renderFrom = Option.String('--render-from', { description: 'A rendered HostedCluster manifest to put the URL into' });
  profile = profileOption();
  region = regionOption();
  s3Endpoint = s3EndpointOption();
  s3PathStyle = s3PathStyleOption();

  async run(): Promise<void> {
    assertObjectName(this.name, 'HostedCluster');
    const { parseSource, verifySnapshot } = await import('../../etcd/restore.ts');
    const { presignSeconds, presignGet, restoreFragment, renderWithRestoreUrl, refuseExisting } = await import('../../etcd/restore-url.ts');
    const { storeFor } = await import('../../etcd/sinks.ts');
    const { s3Settings, lazyS3Client } = await import('../../aws/s3.ts');
    if (!this.from.startsWith('s3://')) throw new UsageError(`--from ${this.from} must be an s3:// object: restoreSnapshotURL needs a URL etcd can download`);
    const source = parseSource(this.from);
    if (source.location.kind !== 's3') throw new UsageError('--from must be an s3:// object');
    const seconds = presignSeconds(parseGoDuration(this.expires, '--expires'));
    let render: string | undefined;
    if (this.renderFrom !== undefined) {
      const { readFileSync } = await import('node:fs');
      try {
        render = readFileSync(this.renderFrom, 'utf8');
      } catch (err) {
        throw new UsageError(`--render-from ${this.renderFrom}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    // Every problem of the render is bad input: find it now, before S3 and the cluster are asked.
    if (render !== undefined) renderWithRestoreUrl(render, 'https://validation.invalid/', this.name);
    const s3 = lazyS3Client(
      s3Settings({ profile: this.profile, region: this.region, endpoint: this.s3Endpoint, forcePathStyle: this.s3PathStyle }, this.context.env),
    );
    this.validateGlobals();

    const kube = await this.kube();
    const { Resources } = await import('../../kube/resources.ts');
    refuseExisting((await kube.getOrNull(Resources.HostedCluster, this.hcNamespace, this.name)) !== null, this.hcNamespace, this.name);
    const verified = await verifySnapshot(storeFor(source.location, s3), source.name);
    const key = source.location.prefix ? `${source.location.prefix}/${source.name}` : source.name;
    const { url, warning } = await presignGet(await s3(), source.location.bucket, key, seconds, this.context.now());
    if (warning) this.out.warn(warning);
    this.out.note(`verified ${this.from}: sha256 ${verified.sha256}, revision ${verified.manifest.snapshot.revision}; the URL is valid for ${this.expires}`);
    if (render === undefined) {
      this.out.print(restoreFragment(url));
      return;
    }
    const r = renderWithRestoreUrl(render, url, this.name);
    if (r.haWarning) this.out.warn(r.haWarning);
    if (r.keySecret && !r.keyInRender) {
      const onCluster = await kube.getOrNull(Resources.Secret, r.hcNamespace ?? this.hcNamespace, r.keySecret);
      const stored = verified.manifest.encryptionKey?.stored;
      if (!onCluster) {
        if (stored)
          this.out.warn(
            `secret ${r.keySecret} is neither in the render nor on the cluster: create it from ${stored} (stored with the snapshot) before applying`,
          );
        else
          this.out.warn(
            `secret ${r.keySecret} (spec.secretEncryption.aescbc.activeKey) is neither in the render nor on the cluster, and was not stored with the snapshot: etcd data encrypted with another key cannot be read`,
          );
      }
    }
    this.out.print(r.output);
  }
}

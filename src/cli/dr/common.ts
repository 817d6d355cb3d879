/**
 * What every dr command shares: the source, destination and guest clients, the S3 and Route 53
 * clients, and the run's journal options. The plans run against the source management cluster
 * (the journal is keyed by it and by the destination), with the others as ExecuteOptions.clusters.
 */
import { Option } from 'clipanion';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { MutatingCommand } from '../mutating.ts';
import { profileOption, regionOption, resumeOption, s3EndpointOption, s3PathStyleOption } from '../flags.ts';
import { bucketOption, fromContextOption, fromKubeconfigOption, guestKubeconfigOption, prefixOption } from './flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { ResolvedKubeconfig } from '../../kube/kubeconfig.ts';
import { UsageError } from '../../util/errors.ts';

export interface DrClients {
  s3: () => Promise<S3Client>;
  route53: () => Promise<Route53Client>;
}

export abstract class DrCommand<Input extends DrClients, Observed> extends MutatingCommand<Input, Observed> {
  fromContext = fromContextOption();
  fromKubeconfig = fromKubeconfigOption();
  guestKubeconfig = guestKubeconfigOption();
  bucket = bucketOption();
  prefix = prefixOption();
  profile = profileOption();
  region = regionOption();
  s3Endpoint = s3EndpointOption();
  s3PathStyle = s3PathStyleOption();
  resume = resumeOption();
  waitTimeout = Option.String('--wait-timeout', '10m', { description: 'How long each wait may take (pods gone, members healthy, Available)' });

  protected source?: KubeClient;
  protected target?: KubeClient;
  protected guest?: KubeClient;

  /** The pure checks every dr command makes; returns the AWS client factories. */
  protected drClients(): DrClients {
    if (this.bucket === undefined) throw new UsageError('give --bucket: the S3 bucket for the etcd snapshots and the ownership claim');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(this.bucket)) throw new UsageError(`--bucket "${this.bucket}" is not a valid S3 bucket name`);
    if (this.prefix.startsWith('/') || this.prefix.includes('..')) throw new UsageError(`--prefix "${this.prefix}" must be a relative key prefix`);
    return this.awsClients();
  }

  protected awsClients(): DrClients {
    const aws = awsModules;
    const settings = aws.s3.s3Settings(
      { profile: this.profile, region: this.region, endpoint: this.s3Endpoint, forcePathStyle: this.s3PathStyle },
      this.context.env,
    );
    return { s3: aws.s3.lazyS3Client(settings), route53: aws.route53.lazyRoute53Client(settings, this.context.env) };
  }

  /** --guest-kubeconfig, read and parsed with the other inputs (an unusable file is exit 2). */
  protected guestKubeconfigFile?: ResolvedKubeconfig;

  protected override async load(): Promise<void> {
    const [s3, route53, lease, guest] = await Promise.all([
      import('../../aws/s3.ts'),
      import('../../aws/route53.ts'),
      import('../../hostedcluster/lease.ts'),
      import('../../hostedcluster/guest.ts'),
    ]);
    awsModules = { s3, route53 };
    leaseLib = lease;
    guestLib = guest;
  }

  protected override validateAll(): Input {
    const input = super.validateAll();
    if (this.guestKubeconfig !== undefined) this.guestKubeconfigFile = guestLib.readGuestKubeconfigFile(this.guestKubeconfig);
    return input;
  }

  protected async sourceClient(kube: KubeClient): Promise<KubeClient> {
    this.source ??=
      this.fromContext !== undefined || this.fromKubeconfig !== undefined ? await this.kubeForContext(this.fromContext, this.fromKubeconfig) : kube;
    return this.source;
  }

  /** The guest's client: --guest-kubeconfig, else the HostedCluster's admin-kubeconfig secret; or the reason there is none. */
  protected async guestClient(mgmt: KubeClient, hc: HostedCluster): Promise<{ client?: KubeClient; problem?: string }> {
    if (this.guestKubeconfigFile) {
      const { KubeClient } = await import('../../kube/client.ts');
      return { client: new KubeClient({ kubeconfig: this.guestKubeconfigFile, env: this.context.env }) };
    }
    const { guestClient } = await import('../../hostedcluster/guest.ts');
    const g = await guestClient(mgmt, hc, this.context.env);
    return g.client ? { client: g.client } : { problem: `no guest access: ${g.problem}` };
  }

  /** The bucket answers (HeadBucket), or why not. */
  protected async bucketProblem(s3: () => Promise<S3Client>): Promise<string | undefined> {
    const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
    try {
      await (await s3()).send(new HeadBucketCommand({ Bucket: this.bucket }));
      return undefined;
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      return `bucket ${this.bucket} is not reachable: ${e.$metadata?.httpStatusCode ?? ''} ${e.name ?? ''} ${e.message ?? ''}`.replace(/\s+/g, ' ').trim();
    }
  }

  /** A name for a management cluster in messages and the parent configmap: its context, else its server's host. */
  protected clusterLabel(context: string | undefined, kube: KubeClient): string {
    return context ?? this.contextName ?? new URL(kube.server).hostname;
  }
}

/**
 * The ownership Lease (src/hostedcluster/lease.ts) of group dr on one management cluster, held by the
 * executor for the run. On the destination the HostedCluster's namespace may not exist yet: the Lease
 * creates it (the restore would create it anyway), so that both ends are owned from the first step.
 */
export function addLease(
  plan: import('../../plan/plan.ts').Plan,
  hc: { namespace: string; name: string },
  operation: string,
  cluster: 'source' | 'target',
): void {
  const spec = { namespace: hc.namespace, name: hc.name, group: 'dr', operation, cluster, createNamespace: cluster === 'target' };
  plan.locks = [...(plan.locks ?? []), leaseLib.ownershipLease(spec)];
}

/** The live holder of the dr Lease on `kube`, described for a blocker, or undefined. */
export async function leaseHolderProblem(kube: KubeClient, namespace: string, name: string, now: Date, where: string): Promise<string | undefined> {
  const holder = await leaseLib.readLeaseHolder(kube, namespace, name, 'dr', now);
  return holder ? `${leaseLib.describeHolder(holder)} on ${where}` : undefined;
}

let leaseLib: typeof import('../../hostedcluster/lease.ts');
let guestLib: typeof import('../../hostedcluster/guest.ts');
let awsModules: { s3: typeof import('../../aws/s3.ts'); route53: typeof import('../../aws/route53.ts') };

/** Where the dr Lease of a HostedCluster lives (not an ObjectRef: see hcRef in src/hostedcluster/lookup.ts). */
export const leaseKeyOf = (hc: HostedCluster) => ({ namespace: hc.metadata.namespace!, name: hc.metadata.name });

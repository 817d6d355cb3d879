/**
 * The one S3 client factory (etcd snapshots, DR backups). The AWS SDK is imported only when a
 * client is first needed, so commands that never touch S3 (and `--help`) do not pay for loading it.
 *
 * Resolution, as the AWS CLI does it:
 * - credentials and region: the SDK's default chain (environment, shared config and credentials
 *   files, SSO, web identity, container and instance metadata), read for `--profile` when given;
 * - `--region` wins over AWS_REGION / AWS_DEFAULT_REGION and the profile's region;
 * - endpoint: `--s3-endpoint`, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS's own;
 * - path-style addressing (`https://host/bucket/key`) only when asked (`--s3-path-style`), which
 *   MinIO, Ceph and most other S3-compatible stores need.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../util/errors.ts';

/** What steps see: the SDK's client (type only, so this file loads without the SDK). */
export type S3ClientLike = S3Client;

export interface S3Options {
  profile?: string;
  region?: string;
  /** --s3-endpoint */
  endpoint?: string;
  /** --s3-path-style */
  forcePathStyle?: boolean;
}

export interface S3Settings {
  profile?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
}

/** Pure: the settings a client is built with. Throws UsageError for an endpoint that is not an http(s) URL. */
export function s3Settings(opts: S3Options, env: NodeJS.ProcessEnv): S3Settings {
  const endpoint = opts.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    const source = opts.endpoint !== undefined ? '--s3-endpoint' : env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL';
    if (!url || !['http:', 'https:'].includes(url.protocol)) throw new UsageError(`${source} "${endpoint}" is not an http(s) URL`);
  }
  if (opts.profile !== undefined && !/^[A-Za-z0-9_.@+-]+$/.test(opts.profile)) throw new UsageError(`--profile "${opts.profile}" is not a profile name`);
  if (opts.region !== undefined && !/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(opts.region))
    throw new UsageError(`--region "${opts.region}" is not an AWS region (e.g. us-east-1)`);
  return { profile: opts.profile, region: opts.region, endpoint, forcePathStyle: opts.forcePathStyle ?? false };
}

/** Builds a client, loading the SDK now. */
export async function createS3Client(settings: S3Settings): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    // `profile` makes the SDK read credentials and region from that profile, as `aws --profile` does.
    ...(settings.profile !== undefined ? { profile: settings.profile } : {}),
    ...(settings.region !== undefined ? { region: settings.region } : {}),
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
  });
}

/** A factory that creates the client on first call and returns the same one afterwards. */
export function lazyS3Client(settings: S3Settings): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () => (client ??= createS3Client(settings));
}

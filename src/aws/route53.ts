/**
 * The Route 53 client, built like the S3 one (src/aws/s3.ts): the SDK is imported on first use;
 * credentials and region from the default chain or --profile/--region; the endpoint from
 * AWS_ENDPOINT_URL_ROUTE_53, else AWS_ENDPOINT_URL, else AWS's own (as the AWS CLI resolves it).
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Settings } from './s3.ts';

export function lazyRoute53Client(settings: Pick<S3Settings, 'profile' | 'region'>, env: NodeJS.ProcessEnv): () => Promise<Route53Client> {
  let client: Promise<Route53Client> | undefined;
  const endpoint = env.AWS_ENDPOINT_URL_ROUTE_53 || env.AWS_ENDPOINT_URL || undefined;
  return () =>
    (client ??= import('@aws-sdk/client-route-53').then(
      ({ Route53Client }) =>
        new Route53Client({
          ...(settings.profile !== undefined ? { profile: settings.profile } : {}),
          region: settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
          ...(endpoint ? { endpoint } : {}),
        }),
    ));
}

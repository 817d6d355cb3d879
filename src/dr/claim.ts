/**
 * The migration's claim in the bucket (issue 9, "Exactly one owner"): `<prefix>/<ns>/<name>/owner.json`,
 * written with a conditional put (`If-None-Match: *`, S3's and MinIO's create-only write), so that of
 * two runs started against different management clusters, or from two machines, exactly one gets it.
 * The Leases on the management clusters (src/hostedcluster/lease.ts) stop two runs on one cluster;
 * the claim is the one place both ends of a migration share. It holds no secret: who, where, when.
 *
 * A migration keeps its claim from `dr backup` to the end of `dr restore` (or `dr rollback`), and a
 * resumed run recognises its own claim by the run id in its journal.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { InterlockError } from '../util/errors.ts';

export interface Claim {
  kind: 'kubectl-hcp/dr-claim';
  runId: string;
  operation: string;
  hostedCluster: string;
  from: string;
  to?: string;
  holder: string;
  claimedAt: string;
}

export const claimKey = (prefix: string, namespace: string, name: string) => `${prefix ? `${prefix}/` : ''}${namespace}/${name}/owner.json`;

const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

export async function readClaim(client: S3Client, bucket: string, key: string): Promise<Claim | null> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await r.Body?.transformToString('utf8')) ?? '{}') as Claim;
  } catch (err) {
    if (status(err) === 404 || (err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

export function describeClaim(c: Claim): string {
  return `run ${c.runId} (${c.operation} of ${c.hostedCluster} from ${c.from}${c.to ? ` to ${c.to}` : ''}) by ${c.holder} since ${c.claimedAt}`;
}

/**
 * Takes the claim, or confirms this run already holds it. Another run's claim is an InterlockError
 * (exit 3) naming it; `takeOver` (a later phase of the same migration, e.g. restore after backup)
 * accepts a claim whose run id it was given.
 */
export async function acquireClaim(client: S3Client, bucket: string, key: string, claim: Claim, accept: string[] = []): Promise<'acquired' | 'held'> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(claim, null, 2) + '\n', ContentType: 'application/json', IfNoneMatch: '*' }),
    );
    return 'acquired';
  } catch (err) {
    if (status(err) !== 412 && (err as { name?: string }).name !== 'PreconditionFailed') throw err;
  }
  const existing = await readClaim(client, bucket, key);
  if (existing && (existing.runId === claim.runId || accept.includes(existing.runId))) return 'held';
  throw new InterlockError(
    `another DR run owns ${claim.hostedCluster}: s3://${bucket}/${key} is claimed by ${existing ? describeClaim(existing) : 'a run whose claim just went'}`,
    {
      hint: `let that run finish (or --resume it); if it is abandoned, roll it back with kubectl hcp dr rollback, or delete s3://${bucket}/${key} after checking no control plane runs on both clusters`,
    },
  );
}

/** Deletes the claim if it is this run's (or one of `accept`); another run's claim is left alone. */
export async function releaseClaim(client: S3Client, bucket: string, key: string, runIds: string[]): Promise<boolean> {
  const existing = await readClaim(client, bucket, key);
  if (!existing || !runIds.includes(existing.runId)) return false;
  const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  return true;
}

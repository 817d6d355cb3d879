/**
 * `etcd restore-url`: docs 8.2.2 (restore at creation from `restoreSnapshotURL`), verified.
 *
 * FACTS: the field takes at most one URL, is immutable and is read only when the HostedCluster is
 * created; in practice it must be a presigned https URL still valid when etcd starts. So: verify
 * the object against its manifest, presign a SigV4 GET (at most 7 days), and either print the spec
 * fragment or render a HostedCluster manifest with exactly one URL and no pausedUntil.
 */
import yaml from 'js-yaml';
import type { S3Client } from '@aws-sdk/client-s3';
import { formatDuration } from '../util/duration.ts';
import { InterlockError, UsageError } from '../util/errors.ts';

export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export function presignSeconds(ms: number): number {
  const s = Math.round(ms / 1000);
  if (s < 60) throw new UsageError(`--expires ${formatDuration(ms)} is too short: it must be at least 1m`);
  if (s > MAX_PRESIGN_SECONDS)
    throw new UsageError(`--expires ${formatDuration(ms)} is too long: it must be at most 168h (7 days), SigV4 presigned URLs cannot live longer`);
  return s;
}

/** A presigned GET for the object; warns when the credentials expire before the URL does. */
export async function presignGet(client: S3Client, bucket: string, key: string, seconds: number, now: Date): Promise<{ url: string; warning?: string }> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds });
  const creds = await client.config.credentials();
  let warning: string | undefined;
  if (creds.sessionToken || creds.expiration) {
    const left = creds.expiration ? Math.round((creds.expiration.getTime() - now.getTime()) / 1000) : undefined;
    if (left === undefined || left < seconds) {
      warning = `the AWS credentials are temporary${left !== undefined ? ` (they expire in ${Math.max(0, Math.round(left / 60))}m)` : ''}: the URL stops working when they expire, before its ${Math.round(seconds / 3600)}h`;
    }
  }
  return { url, warning };
}

/** The spec fragment of docs 8.2.2, with exactly one URL. */
export function restoreFragment(url: string): string {
  return yaml.dump({ spec: { etcd: { managed: { storage: { restoreSnapshotURL: [url] } } } } }, { lineWidth: -1 });
}

interface Doc {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, unknown> & { pausedUntil?: string; etcd?: Record<string, unknown>; secretEncryption?: { aescbc?: { activeKey?: { name?: string } } } };
  [key: string]: unknown;
}

/**
 * Puts the URL into the HostedCluster of a rendered manifest (`hcp create cluster --render`
 * output: YAML or JSON, one or many documents): exactly one URL, Managed etcd, no pausedUntil.
 * Returns the documents and the encryption-key secret the HostedCluster references, and whether
 * the render contains that Secret.
 */
export function renderWithRestoreUrl(
  text: string,
  url: string,
  name: string,
): { output: string; keySecret?: string; keyInRender: boolean; hcNamespace?: string; haWarning?: string } {
  let docs: Doc[];
  try {
    docs = (yaml.loadAll(text) as unknown[]).filter((d): d is Doc => !!d && typeof d === 'object');
  } catch (err) {
    throw new UsageError(`--render-from: not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const expanded = docs.flatMap((d) => (d.kind === 'List' && Array.isArray(d.items) ? (d.items as Doc[]) : [d]));
  const hcs = expanded.filter((d) => d.kind === 'HostedCluster');
  if (hcs.length !== 1) throw new UsageError(`--render-from: expected one HostedCluster, found ${hcs.length}`);
  const hc = hcs[0];
  if (hc.metadata?.name !== name) throw new UsageError(`--render-from: the HostedCluster is named "${hc.metadata?.name}", not "${name}"`);
  hc.spec ??= {};
  delete hc.spec.pausedUntil;
  const etcd = (hc.spec.etcd ??= { managementType: 'Managed' }) as { managementType?: string; managed?: { storage?: Record<string, unknown> } };
  if (etcd.managementType && etcd.managementType !== 'Managed') throw new UsageError('--render-from: restoreSnapshotURL needs etcd managementType Managed');
  etcd.managementType = 'Managed';
  etcd.managed ??= {};
  etcd.managed.storage ??= { type: 'PersistentVolume' };
  etcd.managed.storage.restoreSnapshotURL = [url];
  const keySecret = hc.spec.secretEncryption?.aescbc?.activeKey?.name;
  const keyInRender = !!keySecret && expanded.some((d) => d.kind === 'Secret' && d.metadata?.name === keySecret);
  return {
    output: expanded.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true })).join('---\n'),
    keySecret,
    keyInRender,
    hcNamespace: hc.metadata?.namespace,
    haWarning: hc.spec.controllerAvailabilityPolicy === 'HighlyAvailable' ? haRestoreUrlWarning(name) : undefined,
  };
}

/**
 * Upstream's etcd-init (v2/etcd/etcd-init.sh) restores restoreSnapshotURL in every member's pod
 * without --name or --initial-cluster, so each member of an HA cluster comes up as a one-member
 * cluster of its own (the same data, three leaders, then diverging). `etcd restore` afterwards
 * restores every member under its own name; dr restore seeds the volumes before creation instead.
 */
export function haRestoreUrlWarning(name: string): string {
  return (
    `${name} is HighlyAvailable: upstream's etcd-init restores the URL into each of its 3 etcd members without --initial-cluster, so each comes up as a cluster of its own; ` +
    `once it is up, run 'kubectl hcp etcd restore ${name} --from <this snapshot>' (with --from-other-cluster for another cluster's snapshot; it restores every member under its own name), or create it SingleReplica`
  );
}

export function refuseExisting(exists: boolean, ns: string, name: string): void {
  if (exists) {
    throw new InterlockError(`HostedCluster ${ns}/${name} already exists: restoreSnapshotURL is read only when a HostedCluster is created (and is immutable)`, {
      hint: 'restore an existing cluster with kubectl hcp etcd restore',
    });
  }
}

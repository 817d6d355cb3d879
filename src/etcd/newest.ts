/**
 * The newest snapshot `kubectl hcp etcd snapshot` made of a cluster, for `etcd status` (issue 8):
 * from a destination (`--bucket s3://…` or `file://DIR`, the newest manifest of this cluster found
 * there, its `.sha256` and the object's size checked against it), else from this machine's journal
 * of the last snapshot run against this management cluster.
 */
import { formatDuration } from '../util/duration.ts';
import { journalPath, Journal } from '../plan/journal.ts';
import { parseSha256sum } from './etcdctl.ts';
import { describeLocation, type SnapshotStore } from './sinks.ts';
import { sha256FileName, type SnapshotManifest } from './snapshot.ts';

export interface NewestSnapshot {
  /** Where it was found: a destination, or the journal of the last `etcd snapshot` run. */
  source: 'bucket' | 'journal';
  location: string;
  takenAt: string;
  ageSeconds: number;
  revision?: number;
  size?: number;
  sha256?: string;
  /**
   * True when the bytes stored were proven equal to the pod's (every manifest and finished journal
   * records that) and what is stored now still agrees: `.sha256` = manifest, object size = manifest.
   */
  verified: boolean;
  /** Why it is not verified, or what the check covered. */
  note: string;
}

const STAMP = /-(\d{8}T\d{6}Z)-snapshot\.db\.manifest\.json$/;

/** The newest manifest of this HostedCluster at a destination, checked against what is stored. */
export async function newestInStore(store: SnapshotStore, hc: { namespace: string; name: string }, now: Date): Promise<NewestSnapshot | null> {
  const manifests = (await store.list(`${hc.name}-`))
    .filter((n) => STAMP.test(n))
    .sort((a, b) => STAMP.exec(b)![1].localeCompare(STAMP.exec(a)![1]) || b.localeCompare(a));
  for (const name of manifests.slice(0, 20)) {
    let m: SnapshotManifest;
    try {
      m = JSON.parse((await store.getSmall(name)) ?? '') as SnapshotManifest;
    } catch {
      continue;
    }
    // A cluster of the same name in another namespace may share the bucket.
    if (m?.hostedCluster?.namespace !== hc.namespace || m.hostedCluster.name !== hc.name || !m.snapshot) continue;
    const db = name.slice(0, -'.manifest.json'.length);
    const [line, size] = await Promise.all([store.getSmall(sha256FileName(db)), store.size(db)]);
    let listed: string | undefined;
    try {
      listed = line === null ? undefined : parseSha256sum(line);
    } catch {
      listed = undefined;
    }
    const problems = [
      size === null ? 'the snapshot object is missing' : size !== m.snapshot.size ? `the object has ${size} bytes, the manifest ${m.snapshot.size}` : '',
      line === null ? `no ${sha256FileName(db)}` : listed !== m.snapshot.sha256 ? `${sha256FileName(db)} disagrees with the manifest` : '',
    ].filter(Boolean);
    return {
      source: 'bucket',
      location: describeLocation(store.location, db),
      takenAt: m.takenAt,
      ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(m.takenAt)) / 1000)),
      revision: m.snapshot.revision,
      size: m.snapshot.size,
      sha256: m.snapshot.sha256,
      verified: problems.length === 0,
      note: problems.length
        ? problems.join('; ')
        : 'sha256 matched the pod when taken; .sha256 and size agree with the manifest (restore re-hashes every byte)',
    };
  }
  return null;
}

/** The last `etcd snapshot` run of this cluster recorded in this machine's journal. */
export function newestInJournal(env: NodeJS.ProcessEnv, server: string, hc: { namespace: string; name: string }, now: Date): NewestSnapshot | null {
  const j = Journal.read(journalPath(env, 'etcd snapshot', [server], `HostedCluster ${hc.namespace}/${hc.name}`));
  if (!j) return null;
  const artifacts: Record<string, unknown> = Object.assign({}, ...j.steps.map((s) => s.artifacts ?? {}));
  const pods = Object.keys(artifacts)
    .filter((k) => k.endsWith('.stored'))
    .map((k) => k.slice(0, -'.stored'.length))
    .sort();
  const stamp = String(j.memo?.stamp ?? j.startedAt);
  const age = Math.max(0, Math.round((now.getTime() - Date.parse(stamp)) / 1000));
  if (!pods.length) {
    return {
      source: 'journal',
      location: '-',
      takenAt: stamp,
      ageSeconds: age,
      verified: false,
      note: j.finishedAt ? 'the last run stored nothing' : `the last run (started ${j.startedAt}) stopped before storing a snapshot: --resume continues it`,
    };
  }
  const pod = pods[0];
  return {
    source: 'journal',
    location: String(artifacts[`${pod}.stored`]),
    takenAt: stamp,
    ageSeconds: age,
    revision: artifacts[`${pod}.revision`] as number | undefined,
    size: artifacts[`${pod}.size`] as number | undefined,
    sha256: artifacts[`${pod}.sha256`] as string | undefined,
    verified: true,
    note: `sha256 matched the pod when taken (from this machine's journal${j.finishedAt ? '' : '; the run did not finish: --resume continues it'}); --bucket checks the stored copy`,
  };
}

export function describeNewest(s: NewestSnapshot | null, searched: string): string {
  if (!s) return `none found (${searched})`;
  if (s.location === '-') return `none stored: ${s.note}`;
  const bits = [
    `${formatDuration(s.ageSeconds * 1000)} ago`,
    s.revision === undefined ? undefined : `revision ${s.revision}`,
    s.size === undefined ? undefined : `${s.size} bytes`,
    s.sha256 ? `sha256 ${s.sha256.slice(0, 12)}…` : undefined,
    s.verified ? 'verified' : 'NOT VERIFIED',
  ].filter(Boolean);
  return `${s.location} (${bits.join(', ')}): ${s.note}`;
}

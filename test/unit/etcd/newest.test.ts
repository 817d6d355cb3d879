import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeNewest, newestInJournal, newestInStore } from '../../../src/etcd/newest.ts';
import { fileStore } from '../../../src/etcd/sinks.ts';
import { MANIFEST_KIND, type SnapshotManifest } from '../../../src/etcd/snapshot.ts';
import { Journal, journalPath } from '../../../src/plan/journal.ts';

const now = new Date('2026-11-25T18:00:00Z');
const hc = { namespace: 'clusters', name: 'c1' };

function put(dir: string, file: string, o: { ns?: string; takenAt: string; data?: Buffer; sha256Line?: string | null; revision?: number }) {
  const data = o.data ?? Buffer.from(file);
  const sha = createHash('sha256').update(data).digest('hex');
  const m: SnapshotManifest = {
    kind: MANIFEST_KIND,
    version: 1,
    hostedCluster: { namespace: o.ns ?? 'clusters', name: 'c1' },
    controlPlaneNamespace: 'clusters-c1',
    member: { pod: 'etcd-0' },
    memberIds: {},
    snapshot: { file, size: data.length, sha256: sha, revision: o.revision ?? 10, etcdutlHash: 1, totalKey: 1 },
    keyspaceHash: null,
    takenAt: o.takenAt,
    online: false,
    encryptionKey: null,
    tool: 'test',
  };
  writeFileSync(join(dir, file), data);
  writeFileSync(join(dir, `${file}.manifest.json`), JSON.stringify(m));
  if (o.sha256Line !== null) writeFileSync(join(dir, `${file}.sha256`), o.sha256Line ?? `${sha}  ${file}\n`);
  return sha;
}

describe('newest snapshot at a destination', () => {
  it("picks this cluster's newest manifest (not another namespace's, not an older one) and checks the stored copy", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-newest-'));
    put(dir, 'c1-etcd-0-20261125T100000Z-snapshot.db', { takenAt: '2026-11-25T10:00:00Z', revision: 5 });
    const sha = put(dir, 'c1-etcd-2-20261125T160000Z-snapshot.db', { takenAt: '2026-11-25T16:00:00Z', revision: 42 });
    put(dir, 'c1-etcd-1-20261125T170000Z-snapshot.db', { ns: 'other', takenAt: '2026-11-25T17:00:00Z' });
    put(dir, 'c10-etcd-0-20261125T175900Z-snapshot.db', { takenAt: '2026-11-25T17:59:00Z' });
    const n = await newestInStore(fileStore({ kind: 'file', dir }), hc, now);
    expect(n).toMatchObject({
      source: 'bucket',
      location: `file://${dir}/c1-etcd-2-20261125T160000Z-snapshot.db`,
      revision: 42,
      sha256: sha,
      ageSeconds: 7200,
      verified: true,
    });
    expect(describeNewest(n, 'x')).toMatch(
      /^file:\/\/.*c1-etcd-2-20261125T160000Z-snapshot\.db \(2h ago, revision 42, \d+ bytes, sha256 [0-9a-f]{12}…, verified\)/,
    );
  });

  it('a stored copy whose size or .sha256 disagrees is not verified, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-newest-'));
    put(dir, 'c1-etcd-0-20261125T160000Z-snapshot.db', { takenAt: '2026-11-25T16:00:00Z', sha256Line: null });
    writeFileSync(join(dir, 'c1-etcd-0-20261125T160000Z-snapshot.db'), 'cut');
    const n = await newestInStore(fileStore({ kind: 'file', dir }), hc, now);
    expect(n?.verified).toBe(false);
    expect(n?.note).toMatch(/the object has 3 bytes, the manifest \d+; no c1-etcd-0-20261125T160000Z-snapshot\.db\.sha256/);
    expect(describeNewest(n, 'x')).toContain('NOT VERIFIED');
  });

  it('none at an empty or missing destination', async () => {
    expect(await newestInStore(fileStore({ kind: 'file', dir: '/nonexistent/hcp' }), hc, now)).toBeNull();
    expect(describeNewest(null, 's3://b/etcd')).toBe('none found (s3://b/etcd)');
  });
});

describe('newest snapshot from the journal', () => {
  it('the last run of this cluster against this server', () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'hcp-newest-j-')) };
    const path = journalPath(env, 'etcd snapshot', ['https://api:6443'], 'HostedCluster clusters/c1');
    const j = Journal.start(
      path,
      { operation: 'etcd snapshot', target: 'HostedCluster clusters/c1', server: 'https://api:6443', memo: { stamp: '2026-11-25T17:30:00.000Z' } },
      now,
    );
    j.recordStep({
      id: 'stream-etcd-1',
      title: 's',
      finishedAt: '2026-11-25T17:31:00Z',
      artifacts: { 'etcd-1.stored': 's3://b/etcd/c1-etcd-1-x-snapshot.db', 'etcd-1.sha256': 'ab'.repeat(32), 'etcd-1.size': 1234, 'etcd-1.revision': 99 },
    });
    expect(newestInJournal(env, 'https://api:6443', hc, now)).toMatchObject({
      source: 'journal',
      location: 's3://b/etcd/c1-etcd-1-x-snapshot.db',
      revision: 99,
      size: 1234,
      ageSeconds: 1800,
      verified: true,
    });
    expect(newestInJournal(env, 'https://api:6443', hc, now)?.note).toMatch(/the run did not finish: --resume continues it/);
    j.finish(now);
    expect(newestInJournal(env, 'https://api:6443', hc, now)?.note).not.toMatch(/did not finish/);
    // Another management cluster, or another HostedCluster: nothing.
    expect(newestInJournal(env, 'https://other:6443', hc, now)).toBeNull();
    expect(newestInJournal(env, 'https://api:6443', { namespace: 'clusters', name: 'c2' }, now)).toBeNull();
  });
});

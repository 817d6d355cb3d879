// Fault injection (issue 11) for etcd snapshot and restore: through the fault proxy
// (test/e2e/helpers/fault-proxy.ts: 10% 500/503/429, responses cut mid-body, jitter) with one exec
// stream dropped. Each run either succeeds, or exits 1 saying what it left and how to go on (the
// flow goes on with --resume when the hint says so); no write is applied twice, judged per request
// (test/e2e/helpers/applied-twice.ts, asserted by runFlow: a clean and a faulted run cannot be
// compared by their counts, since a reconcile the operator began before the pause may scale a writer
// back up in one run and not the other); every snapshot kept verifies (sha256 of the file = .sha256 =
// manifest) and no partial file is left; the restore brings back the snapshot's data.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, faultFlows, waitForControlPlane } from './helpers/fault-flows.ts';
import { createHostedCluster, getKey, putKey, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectl, uniqueNamespace } from './helpers/sandbox.ts';

const work = mkdtempSync(join(tmpdir(), 'hcp-e2e-faults-etcd-'));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('etcd snapshot and restore through the fault proxy', () => {
  let ns = '';
  const name = 'fe';
  let cpns = '';
  const { runFlow, summary, counters } = faultFlows(
    () => ns,
    () => cpns,
  );

  beforeAll(async () => {
    ns = await uniqueNamespace('faults-etcd');
    cpns = await createHostedCluster(ns, name);
    await waitForEtcdPods(cpns, 1);
    await waitForControlPlane(cpns);
  }, 300_000);

  afterAll(async () => {
    console.log(`fault injection summary:\n${summary.join('\n')}`);
    if (ns) await kubectl('mgmt-1', ['delete', 'hostedcluster', name, '-n', ns, '--wait=false']);
  });

  let snapshot = '';
  it('etcd snapshot, with one exec stream dropped: the snapshot that is kept verifies', async () => {
    const dir = join(work, 'snapshots');
    const args = ['etcd', 'snapshot', name, '-n', ns, '--to', `file://${dir}`, '-y'];
    await putKey(cpns, '/e2e/faults/k', 'in-snapshot');
    const faulted = await runFlow(args, { faults: { ...FAULTS, seed: 601, dropExecStream: 2, dropExecAfterBytes: 100 } });
    expect(counters.execDropped, 'an exec stream was dropped').toBe(1);
    expect(faulted.twice).toEqual([]);
    const dbs = readdirSync(dir).filter((f) => f.endsWith('.db'));
    expect(dbs.length).toBeGreaterThanOrEqual(1);
    for (const db of dbs) {
      const sum = sha256(readFileSync(join(dir, db)));
      expect(readFileSync(join(dir, `${db}.sha256`), 'utf8').split(/\s+/)[0], db).toBe(sum);
      const manifest = JSON.parse(readFileSync(join(dir, `${db}.manifest.json`), 'utf8'));
      expect(manifest.snapshot.sha256, db).toBe(sum);
    }
    snapshot = join(dir, dbs.sort().at(-1)!);
    // Nothing left half-written: every file belongs to a complete snapshot.
    for (const f of readdirSync(dir)) expect(f, 'no partial file').toMatch(/\.(db|db\.sha256|db\.manifest\.json)$/);
  }, 600_000);

  it("etcd restore brings back the snapshot's data", async () => {
    expect(snapshot).not.toBe('');
    await putKey(cpns, '/e2e/faults/k', 'after-snapshot');
    const args = ['etcd', 'restore', name, '-n', ns, '--from', snapshot, '-y'];
    const faulted = await runFlow(args, { faults: { ...FAULTS, seed: 701 } });
    expect(faulted.twice).toEqual([]);
    await waitForEtcdPods(cpns, 1);
    expect(await getKey(cpns, '/e2e/faults/k')).toBe('in-snapshot');
  }, 900_000);
});

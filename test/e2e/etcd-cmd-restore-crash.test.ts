// Crash matrix of `kubectl hcp etcd restore` (issue 8): the run is SIGKILLed right after a step is
// journaled (HCP_TEST_CRASH_AFTER, src/plan/executor.ts), then `--resume` must converge to the
// state of an uncrashed run (every member healthy with the manifest's keyspace hash, the snapshot's
// keys and only those, the writers at their recorded counts, reconciliation resumed, no etcd-data
// left) and no step may run twice.
//
// `npm test` runs a few representative steps (below, about 30 s each). HCP_ETCD_CRASH_STEPS=all (or
// a comma list) runs others; scripts/etcd-crash-matrix.sh runs every step of the plan in chunks.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHostedCluster, getKey, putKey, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';
import { kubectl, kubectlOk, uniqueNamespace } from './helpers/sandbox.ts';

const WRITERS = ['kube-apiserver', 'openshift-apiserver', 'openshift-oauth-apiserver'];
/** Before anything destructive, mid-way through the members, and with etcd back but the writers still down. */
const REPRESENTATIVE = ['scale-down-etcd', 'restore-etcd-1', 'scale-up-etcd'];

type Event = { type: string; id?: string; skipped?: string; [k: string]: unknown };
const events = (stdout: string): Event[] =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);
/** Steps that did their work in this run (not skipped as journaled or already done). */
const worked = (ev: Event[]) => ev.filter((e) => e.type === 'step-done' && !e.skipped).map((e) => e.id!);

describe('etcd restore crash matrix: SIGKILL after a step, then --resume', async () => {
  const ns = await uniqueNamespace('etcd-crash');
  const name = 'rc';
  const cpns = await createHostedCluster(ns, name, { highlyAvailable: true });
  afterAll(async () => {
    await kubectl('mgmt-1', ['delete', 'hostedcluster', name, '-n', ns, '--wait=false']);
  });
  const replicas = async () => {
    const out: Record<string, number> = {};
    for (const w of WRITERS) out[w] = Number(await kubectlOk('mgmt-1', ['get', 'deployment', w, '-n', cpns, '-o', 'jsonpath={.spec.replicas}']));
    return out;
  };
  const pausedUntil = async () => (await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.spec.pausedUntil}'])).trim();

  await waitForEtcdPods(cpns, 3, 'mgmt-1', 300_000);
  await putKey(cpns, '/e2e/in-snapshot', 'yes');
  const dir = join(mkdtempSync(join(tmpdir(), 'hcp-crash-')), 'backups');
  const snapshotRun = events(await hcpOk(['etcd', 'snapshot', name, '-n', ns, '--to', `file://${dir}`, '--online', '-o', 'json']));
  const snapshot = join(dir, readdirSync(dir).find((f) => f.endsWith('-snapshot.db'))!);
  const writersBefore = await replicas();
  const restore = ['etcd', 'restore', name, '-n', ns, '--from', snapshot, '-y', '-o', 'json'];

  // The plan's step ids, from the planner itself.
  const plan = JSON.parse(await hcpOk(['etcd', 'restore', name, '-n', ns, '--from', snapshot, '--dry-run=client', '-o', 'json'])) as {
    steps: { id: string }[];
  };
  const ids = plan.steps.map((s) => s.id);
  const wanted = process.env.HCP_ETCD_CRASH_STEPS;
  const listed = !wanted ? REPRESENTATIVE : wanted === 'all' ? ids : wanted.split(',').filter(Boolean);
  // HCP_ETCD_CRASH_CHUNK=i/n keeps every n-th step from the i-th, so that a matrix splits into e2e runs of a few minutes.
  const [chunk, chunks] = (process.env.HCP_ETCD_CRASH_CHUNK ?? '0/1').split('/').map(Number);
  const steps = listed.filter((_, k) => k % chunks === chunk);

  it('the steps to crash after are steps of the plan', () => {
    expect(ids).toEqual(expect.arrayContaining(steps));
    expect(ids.filter((id) => id.startsWith('restore-etcd-'))).toEqual(['restore-etcd-0', 'restore-etcd-1', 'restore-etcd-2']);
  });

  it('the snapshot run reported the transfer with its counters (NDJSON; a TTY draws them as a bar)', () => {
    const transfers = snapshotRun.filter((e) => e.type === 'step-progress' && e.transfer).map((e) => e.transfer as { bytes: number; total: number });
    expect(transfers.length).toBeGreaterThan(0);
    const size = JSON.parse(readFileSync(`${snapshot}.manifest.json`, 'utf8')).snapshot.size;
    for (const t of transfers) expect(t.total).toBe(size);
  });

  it('etcd status shows that snapshot as the newest, from the destination and from the journal', async () => {
    const manifest = JSON.parse(readFileSync(`${snapshot}.manifest.json`, 'utf8'));
    const fromDir = JSON.parse(await hcpOk(['etcd', 'status', name, '-n', ns, '--bucket', `file://${dir}`, '-o', 'json'])).newestSnapshot;
    expect(fromDir).toMatchObject({
      source: 'bucket',
      location: `file://${snapshot}`,
      sha256: manifest.snapshot.sha256,
      revision: manifest.snapshot.revision,
      verified: true,
    });
    const fromJournal = JSON.parse(await hcpOk(['etcd', 'status', name, '-n', ns, '-o', 'json'])).newestSnapshot;
    expect(fromJournal).toMatchObject({ source: 'journal', location: `file://${snapshot}`, sha256: manifest.snapshot.sha256, verified: true });
    const text = await hcpOk(['etcd', 'status', name, '-n', ns, '--bucket', `file://${dir}`]);
    expect(text).toMatch(
      new RegExp(
        `^Newest snapshot: +file://${snapshot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+\\w* ago, revision \\d+, \\d+ bytes, sha256 [0-9a-f]{12}…, verified\\)`,
        'm',
      ),
    );
  });

  it.each(steps)(
    'killed after %s, --resume converges to the uncrashed result and runs nothing twice',
    async (step) => {
      // Written after the snapshot: every converged restore must drop it again.
      await putKey(cpns, '/e2e/after-snapshot', `lost-${step}`);
      const crashed = await hcp(restore, { env: { HCP_TEST_CRASH_AFTER: step } });
      expect(crashed.code, crashed.stderr).not.toBe(0);
      const first = events(crashed.stdout);
      expect(first.some((e) => e.type === 'result')).toBe(false);
      const ran1 = worked(first);
      expect(ran1.at(-1)).toBe(step);

      const resumed = await hcp([...restore, '--resume']);
      expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
      const second = events(resumed.stdout);
      const ran2 = worked(second);
      // Everything the killed run finished is taken from the journal, never done again.
      for (const id of ran1) expect(second.find((e) => e.type === 'step-done' && e.id === id)?.skipped, id).toBe('journal');
      expect(ran2.filter((id) => ran1.includes(id))).toEqual([]);
      // Every step of the plan finished in one run or the other; each member restored exactly once.
      const doneIds = second.filter((e) => e.type === 'step-done').map((e) => e.id);
      expect(doneIds).toEqual(ids);
      for (const m of ['etcd-0', 'etcd-1', 'etcd-2']) expect([...ran1, ...ran2].filter((id) => id === `restore-${m}`)).toHaveLength(1);

      const result = second.at(-1)!;
      expect(result).toMatchObject({ type: 'result', verified: 'keyspace-hash', members: 3 });
      await waitForEtcdPods(cpns, 3);
      for (const pod of ['etcd-0', 'etcd-1', 'etcd-2']) {
        expect(await getKey(cpns, '/e2e/in-snapshot', pod)).toBe('yes');
        expect(await getKey(cpns, '/e2e/after-snapshot', pod)).toBeUndefined();
      }
      const status = JSON.parse(await hcpOk(['etcd', 'status', name, '-n', ns, '-o', 'json']));
      expect(status.healthyCount).toBe(3);
      expect(await replicas()).toEqual(writersBefore);
      expect(await pausedUntil()).toBe('');
      expect(await kubectlOk('mgmt-1', ['get', 'deployment', '-n', cpns, '-o', 'name'])).not.toContain('etcd-data');
    },
    400_000,
  );
});

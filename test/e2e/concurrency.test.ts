// Concurrency (issue 11): etcd snapshot, restore and recover hold the HostedCluster's ownership
// Lease `hcp-etcd-<name>` (src/hostedcluster/lease.ts) while they run. Two snapshots of one cluster
// started together: exactly one proceeds, the other exits 3 naming the holder and its start time. A
// live Lease of another host refuses snapshot and restore (exit 3; recover of a SingleReplica cluster is refused by its own interlock first) and changes nothing; a
// stale one (not renewed past its duration) is taken over with a warning and released at the end.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, auditMark, MUTATING_VERBS } from './helpers/audit.ts';
import { waitForControlPlane } from './helpers/fault-flows.ts';
import { hcp } from './helpers/hcp.ts';
import { createHostedCluster, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectl, kubectlOk, uniqueNamespace } from './helpers/sandbox.ts';

const work = mkdtempSync(join(tmpdir(), 'hcp-e2e-concurrency-'));
const OTHER = 'alice@elsewhere.example:4242 run r-other';
const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

describe('one etcd run per hosted cluster', () => {
  let ns = '';
  const name = 'cc';
  const lease = `hcp-etcd-${name}`;

  beforeAll(async () => {
    ns = await uniqueNamespace('concurrency');
    const cpns = await createHostedCluster(ns, name);
    await waitForEtcdPods(cpns, 1);
    await waitForControlPlane(cpns);
  }, 300_000);
  afterAll(async () => {
    if (ns) await kubectl('mgmt-1', ['delete', 'hostedcluster', name, '-n', ns, '--wait=false']);
  });

  const plantLease = async (renewedAgo: number, durationSeconds: number) => {
    const at = new Date(Date.now() - renewedAgo * 1000);
    await kubectl('mgmt-1', ['delete', 'lease', lease, '-n', ns, '--ignore-not-found']);
    await kubectlOk(
      'mgmt-1',
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: lease, namespace: ns, annotations: { 'kubectl-hcp.openshift.io/operation': 'etcd snapshot' } },
        spec: { holderIdentity: OTHER, leaseDurationSeconds: durationSeconds, acquireTime: microTime(at), renewTime: microTime(at) },
      }),
    );
    return microTime(at);
  };
  const leaseExists = async () => (await kubectl('mgmt-1', ['get', 'lease', lease, '-n', ns])).code === 0;
  const pausedUntil = async () => (await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.spec.pausedUntil}'])).trim();

  it('two snapshots at once: exactly one proceeds, the other exits 3 naming the holder and its start', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((d) =>
        hcp(['etcd', 'snapshot', name, '-n', ns, '--to', `file://${join(work, d)}`, '-y'], { env: { HCP_TEST_USER_AGENT_SUFFIX: `cc-${d}` } }),
      ),
    );
    const codes = [a.code, b.code].sort();
    expect(codes, `${a.stderr}\n---\n${b.stderr}`).toEqual([0, 3]);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    expect(loser.stderr).toMatch(
      new RegExp(
        `^error: another run owns this hosted cluster: Lease ${ns}/${lease} is held by \\S+@\\S+:\\d+ run \\S+ \\(etcd snapshot\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z`,
        'm',
      ),
    );
    expect(winner.stderr).not.toMatch(/another run owns/);
    // The loser wrote nothing but its attempt at the Lease; the winner's snapshot is complete and the lease is gone.
    const loserDir = join(work, a.code === 0 ? 'b' : 'a');
    expect(existsSync(loserDir) ? readdirSync(loserDir) : []).toEqual([]);
    expect(readdirSync(join(work, a.code === 0 ? 'a' : 'b')).filter((f) => f.endsWith('.db'))).toHaveLength(1);
    expect(await leaseExists()).toBe(false);
    expect(await pausedUntil()).toBe('');
  }, 600_000);

  it('a live Lease of another host refuses snapshot and restore with exit 3, and nothing is written', async () => {
    const since = await plantLease(5, 600);
    // The winner of the first test wrote its snapshot to a or b; the loser's dir may not exist at all.
    const dir = existsSync(join(work, 'a')) && readdirSync(join(work, 'a')).some((f) => f.endsWith('.db')) ? join(work, 'a') : join(work, 'b');
    const db = join(dir, readdirSync(dir).find((f) => f.endsWith('.db'))!);
    const mark = await auditMark(['mgmt-1']);
    for (const args of [
      ['etcd', 'snapshot', name, '-n', ns, '--to', `file://${join(work, 'c')}`, '-y'],
      ['etcd', 'restore', name, '-n', ns, '--from', db, '-y'],
    ]) {
      const r = await hcp(args, { env: { HCP_TEST_USER_AGENT_SUFFIX: 'cc-live' } });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(`is held by ${OTHER} (etcd snapshot) since ${since}`);
    }
    expect(await auditEvents(mark, { userAgent: 'cc-live', verbs: MUTATING_VERBS })).toEqual([]);
    expect(await pausedUntil()).toBe('');
    await kubectlOk('mgmt-1', ['delete', 'lease', lease, '-n', ns]);
  }, 300_000);

  it('a stale Lease is taken over with a warning and released at the end', async () => {
    await plantLease(600, 60);
    const r = await hcp(['etcd', 'snapshot', name, '-n', ns, '--to', `file://${join(work, 'd')}`, '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`warning: taking over Lease ${ns}/${lease} from ${OTHER.replace(/\./g, '\\.')}: not renewed since \\S+ \\(lease 60s\\)`),
    );
    expect(readdirSync(join(work, 'd')).filter((f) => f.endsWith('.db'))).toHaveLength(1);
    expect(await leaseExists()).toBe(false);
  }, 600_000);
});

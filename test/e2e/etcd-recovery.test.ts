// Automatic etcd member recovery (simulator self-test), asserted against upstream:
// - hypershift-operator/controllers/hostedcluster/etcd_recovery.go (reconcileETCDMemberRecovery):
//   the Job `etcd-recovery`, condition EtcdRecoveryActive and its messages, the gates (operator env
//   ENABLE_ETCD_RECOVERY=1 read at start, hypershift-operator/main.go; HighlyAvailable only);
// - etcd-recovery/etcdrecovery.go (runRecovery): one failing member is replaced (pod and PVC
//   deleted); more than one failing member is refused.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, createHostedCluster, etcdPods, getKey, putKey, waitForCondition, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const npmSandbox = (args: string[]) =>
  new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, ['scripts/sandbox/cli.ts', ...args], (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
    );
  });

const POLL = 'sandbox.kubectl-hcp.dev/etcd-recovery-poll-seconds';

/** Sets (or removes, with undefined) ENABLE_ETCD_RECOVERY on the operator and waits until a pod started with it runs. */
async function setRecovery(value: string | undefined): Promise<void> {
  await kubectlOk('mgmt-1', ['set', 'env', 'deployment/operator', '-n', 'hypershift', value ? `ENABLE_ETCD_RECOVERY=${value}` : 'ENABLE_ETCD_RECOVERY-']);
  await kubectlOk('mgmt-1', ['rollout', 'status', 'deployment/operator', '-n', 'hypershift', '--timeout=120s']);
}

describe('automatic etcd member recovery (etcd_recovery.go)', () => {
  let ns = '';
  let before: string | undefined;
  beforeAll(async () => {
    ns = await uniqueNamespace('etcd-rcv');
    const dep = JSON.parse(await kubectlOk('mgmt-1', ['get', 'deployment', 'operator', '-n', 'hypershift', '-o', 'json']));
    before = dep.spec.template.spec.containers[0].env?.find((e: { name: string }) => e.name === 'ENABLE_ETCD_RECOVERY')?.value;
    await setRecovery('1');
  });
  afterAll(async () => {
    await setRecovery(before);
  });

  it('one failing member of an HA cluster: the Job replaces it, EtcdRecoveryActive reports it, the Job goes', async () => {
    const cpns = await createHostedCluster(ns, 'ha', { highlyAvailable: true });
    await kubectlOk('mgmt-1', ['annotate', 'hostedcluster', 'ha', '-n', ns, `${POLL}=2`]);
    await waitForEtcdPods(cpns, 3, 'mgmt-1', 180_000);
    await putKey(cpns, '/e2e/recovery', 'kept');
    const r = await npmSandbox(['break', 'etcd-member', `${ns}/ha`, '1']);
    expect(r.code, r.out).toBe(0);
    await waitFor(async () => (await kubectl('mgmt-1', ['get', 'job', 'etcd-recovery', '-n', cpns])).code === 0, 90_000, 'Job etcd-recovery');
    const job = JSON.parse(await kubectlOk('mgmt-1', ['get', 'job', 'etcd-recovery', '-n', cpns, '-o', 'json']));
    expect(job.spec.template.spec.containers[0].command).toEqual(['/usr/bin/hypershift-operator', 'recover-etcd']);
    expect(job.spec.template.spec.serviceAccountName).toBe('etcd-recovery');
    expect(job.metadata.labels).toMatchObject({ 'hypershift.openshift.io/cluster-name': 'ha', 'hypershift.openshift.io/cluster-namespace': ns });
    await waitForCondition(
      ['hostedcluster', ns, 'ha'],
      'EtcdRecoveryActive',
      { status: 'True', reason: 'AsExpected', message: 'Etcd recovery job in progress.' },
      30_000,
    );

    // The Job deletes etcd-1's pod and PVC; the new member rejoins; the Job succeeds and is cleaned up.
    await waitFor(
      async () => (await condition('hostedcluster', ns, 'ha', 'EtcdRecoveryActive')).message === 'Etcd recovery job succeeded.',
      240_000,
      'EtcdRecoveryActive: Etcd recovery job succeeded.',
    );
    expect(await condition('hostedcluster', ns, 'ha', 'EtcdRecoveryActive')).toMatchObject({ status: 'False', reason: 'AsExpected' });
    expect((await kubectl('mgmt-1', ['get', 'job', 'etcd-recovery', '-n', cpns])).code).not.toBe(0);
    await waitForEtcdPods(cpns, 3, 'mgmt-1', 120_000);
    expect(await getKey(cpns, '/e2e/recovery', 'etcd-1')).toBe('kept');
  });

  it('gates: a SingleReplica cluster is never recovered; two failing members are refused by the Job', async () => {
    const single = await createHostedCluster(ns, 'single');
    await waitForEtcdPods(single, 1);
    expect((await npmSandbox(['break', 'etcd-member', `${ns}/single`, '0'])).code).toBe(0);
    await waitFor(async () => (await etcdPods(single))['etcd-0'] === '1/2 CrashLoopBackOff', 60_000, 'etcd-0 CrashLoopBackOff');
    await new Promise((r) => setTimeout(r, 5000));
    expect((await kubectl('mgmt-1', ['get', 'job', 'etcd-recovery', '-n', single])).code).not.toBe(0);
    expect((await condition('hostedcluster', ns, 'single', 'EtcdRecoveryActive')).status).toBeUndefined();

    const two = await createHostedCluster(ns, 'two', { highlyAvailable: true });
    await kubectlOk('mgmt-1', ['annotate', 'hostedcluster', 'two', '-n', ns, `${POLL}=2`]);
    await waitForEtcdPods(two, 3, 'mgmt-1', 180_000);
    // Both members fail before the HostedCluster controller looks: recovery runs only in the
    // unpaused part of its reconcile, so the cluster is paused meanwhile (else a Job started
    // between the two breaks could replace the first member before the second fails).
    const pause = (v: string | null) =>
      kubectlOk('mgmt-1', ['patch', 'hc', 'two', '-n', ns, '--type=merge', '-p', JSON.stringify({ spec: { pausedUntil: v } })]);
    await pause('true');
    await waitForCondition(['hostedcluster', ns, 'two'], 'ReconciliationActive', { status: 'False' }, 30_000);
    for (const m of ['1', '2']) expect((await npmSandbox(['break', 'etcd-member', `${ns}/two`, m])).code).toBe(0);
    const seen = new Set<string>();
    await waitFor(
      async () => {
        for (const [p, s] of Object.entries(await etcdPods(two))) if (s === '1/2 CrashLoopBackOff') seen.add(p);
        return seen.has('etcd-1') && seen.has('etcd-2');
      },
      60_000,
      'etcd-1 and etcd-2 in CrashLoopBackOff',
    );
    expect((await kubectl('mgmt-1', ['get', 'job', 'etcd-recovery', '-n', two])).code).not.toBe(0);
    const uids = async () => (await kubectlOk('mgmt-1', ['get', 'pods', 'etcd-1', 'etcd-2', '-n', two, '-o', 'jsonpath={.items[*].metadata.uid}'])).trim();
    const broken = await uids();
    await pause(null);
    // The HC controller starts the Job on a failing pod; the Job's run finds two and refuses.
    await waitFor(
      async () => {
        const pods = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pods', '-n', two, '-l', 'job-name=etcd-recovery', '-o', 'json'])).items;
        return pods.some((p: { status: { phase: string } }) => p.status.phase === 'Failed');
      },
      120_000,
      'a failed etcd-recovery pod',
    );
    const pod = JSON.parse(await kubectlOk('mgmt-1', ['get', 'pods', '-n', two, '-l', 'job-name=etcd-recovery', '-o', 'json'])).items.find(
      (p: { status: { phase: string } }) => p.status.phase === 'Failed',
    );
    const log = await kubectlOk('mgmt-1', ['logs', pod.metadata.name, '-n', two]);
    expect(log).toMatch(
      /etcd cluster is not recoverable, more than one unhealthy member|More than one failing pod was found|etcd cluster does not have a recoverable status|context deadline exceeded/,
    );
    // Refused: both broken members are still the same pods, neither ready. (A crash-looping
    // member shows Running between back-offs, CrashLoopBackOff during them: the READY count is
    // what holds throughout.)
    expect(await uids()).toBe(broken);
    const pods = await etcdPods(two);
    expect([pods['etcd-1'], pods['etcd-2']].map((s) => s?.split(' ')[0])).toEqual(['1/2', '1/2']);
  });
});

import { mkdtempSync, statSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { executePlan, type ExecuteOptions } from '../../src/plan/executor.ts';
import { journalPath } from '../../src/plan/journal.ts';
import type { Plan, Step } from '../../src/plan/plan.ts';
import type { ProgressEvent } from '../../src/plan/progress.ts';
import { planToData, renderPlanText } from '../../src/plan/render.ts';
import { Resources, type ObjectRef } from '../../src/kube/resources.ts';
import { ExitCode, HcpError, InterlockError, RuntimeError, UsageError } from '../../src/util/errors.ts';
import { ApiError } from '../../src/kube/errors.ts';
import { FakeKube } from './fake-kube.ts';

const dep = (name: string): ObjectRef => ({ resource: Resources.Deployment, namespace: 'cp', name });
const scaleStep = (name: string, replicas: number, restore?: number): Step => ({
  id: `scale-${name}`,
  title: `Scale ${name} to ${replicas}`,
  changes: [{ op: 'scale', ref: dep(name), replicas }],
  undo: restore === undefined ? undefined : { title: `scale ${name} back to ${restore}`, changes: [{ op: 'scale', ref: dep(name), replicas: restore }] },
});
const plan = (steps: Step[], extra: Partial<Plan> = {}): Plan => ({
  operation: 'test-op',
  target: 'HostedCluster clusters/sample',
  steps,
  warnings: [],
  blockers: [],
  journal: true,
  ...extra,
});

let kube: FakeKube;
let events: ProgressEvent[];
let env: NodeJS.ProcessEnv;
let printed: Plan[];
const opts = (over: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  kube: kube.asClient(),
  dryRun: 'none',
  yes: false,
  resume: false,
  env,
  now: () => new Date('2026-11-21T10:00:00Z'),
  progress: (e) => events.push(e),
  printPlan: (p) => printed.push(p),
  ...over,
});

beforeEach(() => {
  kube = new FakeKube();
  for (const n of ['kube-apiserver', 'openshift-apiserver']) kube.put(Resources.Deployment, { metadata: { name: n, namespace: 'cp' }, spec: { replicas: 3 } });
  events = [];
  printed = [];
  env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'hcp-state-')) };
});

const replicas = (name: string) =>
  (kube.objects.get(FakeKube.key(Resources.Deployment, 'cp', name)) as unknown as { spec: { replicas: number } }).spec.replicas;

describe('executePlan', () => {
  it('refuses a plan with blockers, naming the override flag, and writes nothing', async () => {
    const p = plan([scaleStep('kube-apiserver', 0)], { blockers: [{ message: 'etcd is mid-update', override: '--force' }] });
    const err = await executePlan(p, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(InterlockError);
    expect(err.exitCode).toBe(ExitCode.Interlock);
    expect(err.hint).toContain('--force');
    expect(kube.writes()).toEqual([]);
  });

  it('--dry-run=client prints the plan and touches nothing', async () => {
    const p = plan([scaleStep('kube-apiserver', 0)]);
    const res = await executePlan(p, opts({ dryRun: 'client' }));
    expect(res.status).toBe('planned');
    expect(printed).toEqual([p]);
    expect(kube.writes()).toEqual([]);
  });

  it('--dry-run=server sends every write as a dry run and changes nothing', async () => {
    await executePlan(plan([scaleStep('kube-apiserver', 0), scaleStep('openshift-apiserver', 0)]), opts({ dryRun: 'server' }));
    expect(kube.writes().map((c) => c.dryRun)).toEqual([true, true]);
    expect(replicas('kube-apiserver')).toBe(3);
  });

  it('refuses destructive steps without a TTY and without -y (exit 3)', async () => {
    const p = plan([{ ...scaleStep('kube-apiserver', 0), destructive: true }]);
    const err = await executePlan(p, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(InterlockError);
    expect(err.hint).toContain('--yes');
    expect(kube.writes()).toEqual([]);
    await executePlan(p, opts({ yes: true }));
    expect(replicas('kube-apiserver')).toBe(0);
  });

  it('asks on a TTY and stops when the answer is no', async () => {
    const p = plan([{ ...scaleStep('kube-apiserver', 0), destructive: true }]);
    const questions: string[] = [];
    const err = await executePlan(p, opts({ confirm: async (q) => (questions.push(q), false) })).catch((e) => e);
    expect(questions[0]).toMatch(/Scale kube-apiserver to 0.*Continue\? \[y\/N\]/);
    expect(err).toBeInstanceOf(InterlockError);
    expect(kube.writes()).toEqual([]);
  });

  it('skips steps whose goal already holds', async () => {
    const step: Step = { ...scaleStep('kube-apiserver', 3), isDone: async () => true };
    await executePlan(plan([step]), opts());
    expect(kube.writes()).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'step-done', skipped: 'already-done' }));
  });

  it('undoes completed steps in reverse order when a later step fails, and reports the state', async () => {
    const failing: Step = { id: 'boom', title: 'Take snapshot', run: async () => Promise.reject(new Error('etcdctl exited 1')) };
    const p = plan([scaleStep('kube-apiserver', 0, 3), scaleStep('openshift-apiserver', 0, 3), failing]);
    const err = await executePlan(p, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toBe('test-op HostedCluster clusters/sample failed at step "Take snapshot": etcdctl exited 1');
    expect(err.state).toBe('everything done before the failure was undone (scale openshift-apiserver back to 3; scale kube-apiserver back to 3)');
    expect(replicas('kube-apiserver')).toBe(3);
    expect(replicas('openshift-apiserver')).toBe(3);
    // Fully restored: no journal is left to resume.
    expect(existsSync(journalPath(env, 'test-op', kube.server, 'HostedCluster clusters/sample'))).toBe(false);
  });

  it('keeps no journal unless the plan asks for one', async () => {
    const p = plan([scaleStep('kube-apiserver', 0), { id: 'boom', title: 'Fail', run: async () => Promise.reject(new Error('x')) }], { journal: false });
    const err = await executePlan(p, opts()).catch((e) => e);
    expect(err.hint).toBe('fix the cause and run the command again');
    expect(existsSync(journalPath(env, 'test-op', kube.server, 'HostedCluster clusters/sample'))).toBe(false);
    await expect(executePlan(p, opts({ resume: true }))).rejects.toThrow('test-op keeps no journal: run it again without --resume, it converges');
  });

  it('journals finished steps (0600, no secrets) and --resume continues after them with the first run’s memo', async () => {
    let calls = 0;
    const flaky: Step = {
      id: 'snapshot',
      title: 'Take snapshot',
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('connection lost');
        return { snapshotKey: 's3://bucket/snap.db' };
      },
    };
    const first = plan([scaleStep('kube-apiserver', 0), flaky], { memo: { originalReplicas: 3 } });
    const err = await executePlan(first, opts()).catch((e) => e);
    expect(err.hint).toContain('--resume');
    const path = journalPath(env, 'test-op', kube.server, 'HostedCluster clusters/sample');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);

    // A plain re-run refuses: it would lose the memo of the first run.
    const again = await executePlan(plan([scaleStep('kube-apiserver', 0), flaky]), opts()).catch((e) => e);
    expect(again).toBeInstanceOf(InterlockError);
    expect(again.hint).toContain('--resume');

    kube.calls = [];
    const resumed = plan([scaleStep('kube-apiserver', 0), flaky], { memo: { originalReplicas: 0 } });
    const res = await executePlan(resumed, opts({ resume: true }));
    expect(resumed.memo).toEqual({ originalReplicas: 3 });
    expect(res.ran).toEqual(['snapshot']);
    expect(kube.writes()).toEqual([]); // the scale step was not repeated
    expect(events).toContainEqual(expect.objectContaining({ type: 'step-done', id: 'scale-kube-apiserver', skipped: 'journal' }));
    const journal = JSON.parse(readFileSync(path, 'utf8'));
    expect(journal.finishedAt).toBe('2026-11-21T10:00:00.000Z');
    expect(journal.steps.map((s: { id: string }) => s.id)).toEqual(['scale-kube-apiserver', 'snapshot']);
    expect(journal.steps[1].artifacts).toEqual({ snapshotKey: 's3://bucket/snap.db' });

    // --resume refuses a finished run; --resume with nothing to resume is a usage error.
    await expect(executePlan(resumed, opts({ resume: true }))).rejects.toBeInstanceOf(InterlockError);
    await expect(executePlan(plan([scaleStep('a', 0), scaleStep('b', 0)], { target: 'other' }), opts({ resume: true }))).rejects.toBeInstanceOf(UsageError);
  });
});

describe('plan rendering', () => {
  const p = plan(
    [
      { ...scaleStep('kube-apiserver', 0, 3), destructive: true },
      {
        id: 'secret',
        title: 'Save the encryption key',
        changes: [
          {
            op: 'create',
            ref: { resource: Resources.Secret, namespace: 'clusters', name: 'key' },
            body: { metadata: { name: 'key' }, data: { key: 'c2VjcmV0' } },
          },
        ],
      },
      {
        id: 'patch',
        title: 'Pause',
        changes: [
          {
            op: 'patch',
            ref: { resource: Resources.HostedCluster, namespace: 'clusters', name: 'sample' },
            patchType: 'merge',
            patch: { spec: { pausedUntil: 'true' } },
          },
        ],
      },
    ],
    { warnings: ['etcd has 2 of 3 members'] },
  );

  it('shows each step, the exact patch and content type, and redacts secret data', () => {
    const text = renderPlanText(p);
    expect(text).toContain('1. Scale kube-apiserver to 0  [destructive: asks for confirmation]');
    expect(text).toContain('SCALE Deployment cp/kube-apiserver to 0 replicas');
    expect(text).toContain('PATCH HostedCluster clusters/sample application/merge-patch+json');
    expect(text).toContain('{"spec":{"pausedUntil":"true"}}');
    expect(text).toContain('"data":{"key":"<redacted>"}');
    expect(text).not.toContain('c2VjcmV0');
    expect(text).toContain('warning: etcd has 2 of 3 members');
  });

  it('renders as data for -o json|yaml, with the same redaction', () => {
    const data = planToData(p) as { steps: { changes: Record<string, unknown>[] }[] };
    expect(data.steps[2].changes[0]).toEqual({
      op: 'patch',
      resource: 'hostedclusters.hypershift.openshift.io',
      kind: 'HostedCluster',
      namespace: 'clusters',
      name: 'sample',
      patchType: 'application/merge-patch+json',
      subresource: undefined,
      patch: { spec: { pausedUntil: 'true' } },
    });
    expect(JSON.stringify(data)).not.toContain('c2VjcmV0');
  });
});

describe('error types map to exit codes', () => {
  it.each([
    [new UsageError('x'), 2],
    [new InterlockError('x'), 3],
    [new RuntimeError('x'), 1],
  ])('%s', (err: HcpError, code) => expect(err.exitCode).toBe(code));
});

describe('executePlan: a step is run again after a transient API failure', () => {
  const flaky = (failures: unknown[], calls: { n: number }): Step => ({
    id: 'create-thing',
    title: 'Create the thing',
    run: async () => {
      calls.n += 1;
      const err = failures.shift();
      if (err) throw err;
      return { created: true };
    },
  });
  const status500 = () => new ApiError(500, { message: 'etcdserver: request timed out', code: 500 }, 'HTTP 500');
  const sleeps: number[] = [];
  const clock = { now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
  beforeEach(() => void sleeps.splice(0));

  it('runs it again after 1 s and 3 s, says so as a warning, and finishes', async () => {
    const calls = { n: 0 };
    const result = await executePlan(plan([flaky([status500(), status500()], calls)]), opts({ clock }));
    expect(result.status).toBe('completed');
    expect(calls.n).toBe(3);
    expect(sleeps).toEqual([1_000, 3_000]);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings).toEqual([
      'step "Create the thing": etcdserver: request timed out (transient); running it again in 1s (retry 1 of 3)',
      'step "Create the thing": etcdserver: request timed out (transient); running it again in 3s (retry 2 of 3)',
    ]);
  });

  it('gives up after three retries, and the failure undoes the earlier steps as before', async () => {
    const calls = { n: 0 };
    const steps = [scaleStep('kube-apiserver', 0, 3), flaky([status500(), status500(), status500(), status500()], calls)];
    const err = await executePlan(plan(steps), opts({ clock, yes: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe('test-op HostedCluster clusters/sample failed at step "Create the thing": etcdserver: request timed out');
    expect(calls.n).toBe(4);
    expect(replicas('kube-apiserver')).toBe(3);
  });

  it.each([
    ['a refusal (403)', () => new ApiError(403, { message: 'forbidden', code: 403 }, 'HTTP 403')],
    ['a conflict (409)', () => new ApiError(409, { message: 'conflict', code: 409, reason: 'Conflict' }, 'HTTP 409')],
    ['an error of the step itself', () => new Error('etcd member etcd-1 is not healthy')],
  ])('does not run it again after %s', async (_label, make) => {
    const calls = { n: 0 };
    const err = await executePlan(plan([flaky([make()], calls)]), opts({ clock })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(calls.n).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('executePlan: Step.noUndoPast', () => {
  it('a failure after such a step undoes only what came after it, and says why the rest stays', async () => {
    const steps: Step[] = [
      scaleStep('kube-apiserver', 0, 3),
      { id: 'create-copy', title: 'Create the copy elsewhere', noUndoPast: 'the copy serves now, so the original stays down', run: async () => {} },
      scaleStep('openshift-apiserver', 1, 3),
      {
        id: 'verify',
        title: 'Verify the copy',
        run: async () => {
          throw new Error('the copy is not healthy');
        },
      },
    ];
    const err = await executePlan(plan(steps), opts({ yes: true, stepRetryDelaysMs: [] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(replicas('kube-apiserver')).toBe(0);
    expect(replicas('openshift-apiserver')).toBe(3);
    expect((err as RuntimeError).state).toBe(
      'done and kept: Scale kube-apiserver to 0; Create the copy elsewhere. undone: scale openshift-apiserver back to 3. nothing before "Create the copy elsewhere" was undone: the copy serves now, so the original stays down',
    );
    expect((err as RuntimeError & { hint?: string }).hint).toMatch(/--resume to continue from "Verify the copy"/);
  });
});

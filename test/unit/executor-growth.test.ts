/**
 * What the executor grew for etcd, DR and dump (issue 12): named clusters with server dry-run,
 * the journal keyed by every cluster, no secrets in journals, waits on the step's clock, Ctrl-C
 * as exit 130 through the normal error path, the S3 client factory, fleet helpers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { executePlan, type ExecuteOptions } from '../../src/plan/executor.ts';
import { journalPath } from '../../src/plan/journal.ts';
import { newPlan, type Plan, type Step } from '../../src/plan/plan.ts';
import { waitConditionStep } from '../../src/plan/wait-step.ts';
import type { ProgressEvent } from '../../src/plan/progress.ts';
import { Resources } from '../../src/kube/resources.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { Clock } from '../../src/util/clock.ts';
import { mapBounded } from '../../src/util/concurrency.ts';
import { ExitCode, InterruptedError, RuntimeError, UsageError } from '../../src/util/errors.ts';
import { s3Settings, createS3Client } from '../../src/aws/s3.ts';
import { getHostedCluster, isNear } from '../../src/hostedcluster/lookup.ts';
import { buildCli, runCli } from '../../src/cli/main.ts';
import type { HcpContext } from '../../src/cli/context.ts';
import { FakeKube } from './fake-kube.ts';

/** A clock whose sleep advances time at once: a ten-minute wait takes no real time. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

function options(kube: FakeKube, over: Partial<ExecuteOptions> = {}): ExecuteOptions & { events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return {
    events,
    kube: kube.asClient(),
    dryRun: 'none',
    yes: true,
    resume: false,
    env: { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'hcp-state-')) },
    now: () => new Date('2026-11-21T10:00:00Z'),
    progress: (e) => events.push(e),
    printPlan: () => {},
    ...over,
  };
}

const hc = (conditions: unknown[] = []) => ({ metadata: { name: 'sample', namespace: 'clusters', generation: 2 }, spec: {}, status: { conditions } });

describe('waits run on the step clock', () => {
  it('a 10-minute condition wait times out on a fake clock without real waiting, polling at its interval', async () => {
    const kube = new FakeKube().put(Resources.HostedCluster, hc([{ type: 'Available', status: 'False' }]));
    const clock = fakeClock();
    const plan = newPlan('t', 'HostedCluster clusters/sample', {
      steps: [
        waitConditionStep({
          id: 'w',
          ref: { resource: Resources.HostedCluster, namespace: 'clusters', name: 'sample' },
          type: 'Available',
          status: 'True',
          timeoutMs: 600_000,
          intervalMs: 10_000,
        }),
      ],
    });
    const started = performance.now();
    const err = await executePlan(plan, options(kube, { clock })).catch((e) => e);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toContain('did not report Available=True within 10m (now False)');
    expect(clock.slept).toHaveLength(60);
    expect(clock.slept.every((ms) => ms === 10_000)).toBe(true);
  });

  it('a condition for an older generation is not the answer', async () => {
    const kube = new FakeKube().put(Resources.HostedCluster, hc([{ type: 'Valid', status: 'True', observedGeneration: 1 }]));
    const step = waitConditionStep({
      id: 'w',
      ref: { resource: Resources.HostedCluster, namespace: 'clusters', name: 'sample' },
      type: 'Valid',
      status: 'True',
      minGeneration: () => 2,
      timeoutMs: 5000,
      onTimeout: 'warn',
    });
    const o = options(kube, { clock: fakeClock() });
    await executePlan(newPlan('t', 'x', { steps: [step] }), o);
    expect(o.events).toContainEqual({ type: 'warning', message: expect.stringContaining('(now True (for an older generation))') });
  });
});

describe('named clusters', () => {
  it('each named cluster gets dryRun=All in --dry-run=server, and the journal is keyed by every server', async () => {
    const mgmt = new FakeKube();
    const target = Object.assign(new FakeKube(), { server: 'https://target.example:6443' }) as FakeKube;
    target.put(Resources.ConfigMap, { metadata: { name: 'c', namespace: 'n' } });
    const step: Step = {
      id: 's',
      title: 'write on target',
      run: async (ctx) => void (await ctx.clusters.target!.patch(Resources.ConfigMap, 'n', 'c', { data: { a: 'b' } }, 'merge')),
    };
    step.serverDryRun = 'run';
    await executePlan(newPlan('t', 'x', { steps: [step] }), options(mgmt, { dryRun: 'server', clusters: { target: target.asClient() } }));
    expect(target.writes().map((w) => w.dryRun)).toEqual([true]);

    const o = options(mgmt, { clusters: { target: target.asClient() } });
    await executePlan(newPlan('dr-migrate', 'HostedCluster clusters/sample', { journal: true, steps: [{ ...step, id: 's2' }] }), o);
    const path = journalPath(o.env, 'dr-migrate', [mgmt.server, `target=${target.server}`], 'HostedCluster clusters/sample');
    expect(path).toContain('fake.example_6443+target_target.example_6443');
    expect(JSON.parse(readFileSync(path, 'utf8')).clusters).toEqual({ target: 'https://target.example:6443' });
  });

  it('a journal never takes a secret-looking artifact', async () => {
    const step: Step = { id: 's', title: 'leaks', run: async () => ({ clientSecret: 'hunter2' }) };
    const err = await executePlan(newPlan('t', 'x', { journal: true, steps: [step] }), options(new FakeKube())).catch((e) => e);
    expect(String(err.message)).toContain('journals never hold secret values');
  });
});

describe('interrupts', () => {
  it('an aborted signal stops the running step at once and becomes InterruptedError (exit 130) naming the step', async () => {
    const controller = new AbortController();
    const step: Step = { id: 'w', title: 'Wait forever', run: () => new Promise(() => {}) };
    const o = options(new FakeKube(), { signal: controller.signal });
    const running = executePlan(newPlan('op', 'HostedCluster clusters/sample', { steps: [step] }), o);
    setTimeout(() => controller.abort('SIGINT'), 10);
    const err = await running.catch((e) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.exitCode).toBe(ExitCode.Interrupted);
    expect(err.message).toBe('op HostedCluster clusters/sample interrupted by SIGINT during step "Wait forever"; that step may be half done');
    expect(err.hint).toContain('run the same command again');
  });

  it('Ctrl-C in a command comes back from runCli as exit 130 with the message, in-process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-int-'));
    const kc = join(dir, 'kubeconfig');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    writeFileSync(
      kc,
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    mkdirSync(join(dir, 'traces'));
    let handler: ((signal: string) => void) | undefined;
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const context: HcpContext = {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      env: { KUBECONFIG: kc, HOME: dir, XDG_STATE_HOME: join(dir, 'state') },
      colorDepth: 1,
      now: () => new Date(),
      stdinIsTTY: false,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      prompt: async () => '',
      onInterrupt: (h) => {
        handler = h;
        return () => (handler = undefined);
      },
    };
    // Step 2 sleeps on the run's clock until interrupted.
    const argv = ['debug', 'journal-test', 'sample', '--dir', join(dir, 'traces'), '--steps', '3', '--hang-at-step', '2'];
    const running = runCli(buildCli(argv), argv, context);
    for (let i = 0; i < 1000 && !err.includes('Step 2 of 3'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(handler, err).toBeDefined();
    handler!('SIGINT');
    expect(await running).toBe(130);
    expect(err).toContain('error: debug-journal-test journal-test/sample interrupted by SIGINT during step "Step 2 of 3"; that step may be half done');
    expect(err).toContain('hint: run the same command again with --resume');
    expect(handler).toBeUndefined(); // the listener is removed on the way out
  });
});

describe('S3 client factory', () => {
  it.each([
    [{}, {}, { forcePathStyle: false }],
    [{ endpoint: 'http://minio:9000', forcePathStyle: true }, {}, { endpoint: 'http://minio:9000', forcePathStyle: true }],
    [{}, { AWS_ENDPOINT_URL_S3: 'https://s3.local' }, { endpoint: 'https://s3.local', forcePathStyle: false }],
    [{ endpoint: 'https://flag' }, { AWS_ENDPOINT_URL_S3: 'https://env' }, { endpoint: 'https://flag', forcePathStyle: false }],
    [{ profile: 'dr', region: 'eu-west-1' }, {}, { profile: 'dr', region: 'eu-west-1', forcePathStyle: false }],
  ])('%j with env %j → %j', (opts, env, want) => {
    expect(s3Settings(opts, env)).toEqual(want);
  });

  it.each([[{ endpoint: 'minio:9000' }], [{ region: 'Europe' }], [{ profile: 'a b' }]])('%j is a usage error', (opts) => {
    expect(() => s3Settings(opts, {})).toThrow(UsageError);
  });

  it('builds a client with the endpoint and path style, loading the SDK only then', async () => {
    const client = await createS3Client(s3Settings({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, region: 'us-east-1' }, {}));
    expect(client.config.forcePathStyle).toBe(true);
    const endpoint = await client.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:9000');
    client.destroy();
  });
});

describe('HostedCluster lookup', () => {
  const list = (items: { name: string; namespace: string }[]) =>
    ({
      getOrNull: async () => null,
      list: async (_rt: unknown, { namespace }: { namespace?: string }) => ({
        items: items.filter((i) => !namespace || i.namespace === namespace).map((i) => ({ metadata: i, spec: {} })),
      }),
    }) as unknown as KubeClient;

  it('not found names the namespace and the near names, here and elsewhere', async () => {
    const kube = list([
      { name: 'sample', namespace: 'clusters' },
      { name: 'prod', namespace: 'clusters' },
      { name: 'sampel', namespace: 'team-a' },
    ]);
    const err = await getHostedCluster(kube, 'clusters', 'sampel').catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toBe('HostedCluster clusters/sampel not found');
    expect(err.hint).toContain('did you mean team-a/sampel (-n team-a), clusters/sample?');
    expect(err.hint).toContain('looked up in namespace "clusters"');
  });

  it.each([
    ['sample', 'sampel', true],
    ['sample', 'sample-1', true],
    ['prod', 'sample', false],
    ['a', 'b', true],
    ['db', 'web', false],
  ])('isNear(%s, %s) = %s', (a, b, want) => {
    expect(isNear(a, b)).toBe(want);
  });
});

describe('mapBounded', () => {
  it('never runs more than the limit at once, keeps the order and collects failures', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (n === 4) throw new Error('four');
      return n * 2;
    });
    expect(peak).toBe(3);
    expect(out.map((o) => (o.ok ? o.value : (o.error as Error).message))).toEqual([2, 4, 6, 'four', 10, 12, 14]);
  });
});

export type { Plan };

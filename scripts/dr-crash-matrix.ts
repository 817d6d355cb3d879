// The DR crash matrix (issue 9 "Proof"): for each step of `dr migrate`, migrate a fresh two-NodePool
// cluster from mgmt-1 to mgmt-2 with HCP_TEST_CRASH_AFTER=<step> (the executor SIGKILLs the run
// right after the step is journaled), then run the same command with --resume, and check that the
// final state equals an uncrashed run's: the cluster Available on mgmt-2 with both NodePools, one
// restore URL, every key written before the migration; nothing of it on mgmt-1; the bucket claim
// released. Too slow for npm test (about 2 minutes per step): run by hand, under the heavy lock:
//
//   flock /tmp/hcp-heavy.lock node scripts/dr-crash-matrix.ts [--steps claim,fence,...|all]
//   flock /tmp/hcp-heavy.lock node scripts/dr-crash-matrix.ts --steps all --chain [--ha]
//
// --chain kills ONE migration after every step in turn (see chain() below): the whole plan in
// the time of one migration, for the proof of every step. --ha migrates a three-member cluster
// with an encryption key (its plan has the steps of etcd-1, etcd-2 and the key too).
//
// It uses the built binary (`npm run build` first) through the sandbox's kubectl, or with
// --from-source the TypeScript sources (no build).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ensureSandbox, kubectlEnv } from './sandbox/api.ts';
import { distDir } from './lib/dist.ts';
import { createDrCluster, ETCDCTL } from './dr-crash-matrix.fixture.ts';

/** One step of each phase and kind: claim, quiesce, snapshot, fence, objects, DNS, restore, verify, teardown. */
const DEFAULT_STEPS = [
  'claim',
  'pause',
  'scale-down',
  'snapshot-stream-etcd-0',
  'fence',
  'objects',
  'routes',
  'record',
  'restore-hc-secret',
  'restore-hostedcluster',
  'verify-available',
  'teardown-delete-nodepools',
  'teardown-delete-machines',
  'teardown-ovn-restart',
];

const sb = await ensureSandbox();
// --from-source: `kubectl hcp` runs src/entry.ts through a kubectl-hcp wrapper instead of dist/ (no build needed).
let binDir = distDir;
if (process.argv.includes('--from-source')) {
  binDir = mkdtempSync(join(tmpdir(), 'dr-matrix-bin-'));
  writeFileSync(join(binDir, 'kubectl-hcp'), `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dirname, '..', 'src', 'entry.ts')}" "$@"\n`, {
    mode: 0o755,
  });
}
const env: NodeJS.ProcessEnv = {
  ...kubectlEnv(),
  ...sb.awsEnv,
  KUBECONFIG: sb.kubeconfig,
  PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
};

function exec(cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: { ...env, ...extra }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : err.signal === 'SIGKILL' ? 137 : 1) : 0, stdout, stderr }),
    );
    child.stdin?.on('error', () => {}); // a child that exits (or is SIGKILLed) before reading
    child.stdin?.end(input ?? '');
  });
}
const kubectl = async (context: 'mgmt-1' | 'mgmt-2', args: string[], input?: string) => {
  const r = await exec(sb.kubectl, ['--context', context, ...args], {}, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const until = async (what: string, check: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
};

const arg = process.argv.indexOf('--steps');
let steps = arg > 0 ? process.argv[arg + 1].split(',') : DEFAULT_STEPS;
const migrateArgs = (ns: string, name: string) => [
  'hcp',
  'dr',
  'migrate',
  name,
  '-n',
  ns,
  '--from-context',
  'mgmt-1',
  '--to-context',
  'mgmt-2',
  '--bucket',
  sb.awsEnv.HCP_SANDBOX_BUCKET,
  '--prefix',
  `crash-${ns}`,
  '--s3-path-style',
  '--restore-url-endpoint',
  sb.awsEnv.AWS_ENDPOINT_URL_S3.replace(/^http:/, 'https:'),
  '--wait-timeout',
  '4m',
  '--nodes-timeout',
  '3m',
  '--dns-timeout',
  '2m',
  '-y',
];

const members = process.argv.includes('--ha') ? ['etcd-0', 'etcd-1', 'etcd-2'] : ['etcd-0'];

/** A fresh two-NodePool cluster on mgmt-1, Available, with keys /crash/k0..4 in its etcd. */
async function sourceCluster(ns: string, name: string): Promise<void> {
  const cpns = `${ns}-${name}`;
  await createDrCluster(kubectl, ns, name, { ha: process.argv.includes('--ha') });
  await until(
    `${name} Available`,
    async () => (await kubectl('mgmt-1', ['get', 'hc', name, '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}'])) === 'True',
    180_000,
  );
  for (const pod of members)
    await until(
      `${pod} Ready`,
      async () => (await kubectl('mgmt-1', ['get', 'pod', pod, '-n', cpns, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True',
      180_000,
    );
  for (let k = 0; k < 5; k++) await kubectl('mgmt-1', ['exec', '-n', cpns, 'etcd-0', '-c', 'etcd', '--', ...ETCDCTL, 'put', `/crash/k${k}`, `v${k}`]);
}

/** Throws unless the state is an uncrashed run's (the claim is checked by the run's own release-claim step). */
async function checkFinalState(ns: string, name: string): Promise<void> {
  const cpns = `${ns}-${name}`;
  const hc = JSON.parse(await kubectl('mgmt-2', ['get', 'hc', name, '-n', ns, '-o', 'json']));
  const urls = hc.spec.etcd.managed.storage.restoreSnapshotURL ?? [];
  if (urls.length !== 1) throw new Error(`${urls.length} restore URLs`);
  if (hc.spec.pausedUntil !== undefined) throw new Error(`pausedUntil ${hc.spec.pausedUntil} on mgmt-2`);
  if (hc.status.conditions.find((c: { type: string }) => c.type === 'Available')?.status !== 'True') throw new Error('not Available on mgmt-2');
  const pools = (await kubectl('mgmt-2', ['get', 'np', '-n', ns, '-o', 'name'])).trim().split('\n').sort();
  if (pools.join() !== `nodepool.hypershift.openshift.io/${name}-pool-a,nodepool.hypershift.openshift.io/${name}-pool-b`)
    throw new Error(`NodePools on mgmt-2: ${pools.join(', ')}`);
  // Every member answers with every key (HA: all restored from the one snapshot).
  for (const pod of members) {
    await until(
      `${pod} Ready on mgmt-2`,
      async () => (await kubectl('mgmt-2', ['get', 'pod', pod, '-n', cpns, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True',
      180_000,
    );
    for (let k = 0; k < 5; k++) {
      const v = (
        await kubectl('mgmt-2', ['exec', '-n', cpns, pod, '-c', 'etcd', '--', ...ETCDCTL, 'get', `/crash/k${k}`, '--print-value-only', '--consistency=s'])
      ).trim();
      if (v !== `v${k}`) throw new Error(`/crash/k${k} is "${v}" on ${pod} on mgmt-2`);
    }
  }
  if (members.length > 1) {
    // One cluster, not members that each restored a cluster of their own: every member lists the
    // same cluster ID and all members, and a write through etcd-0 is read linearizably on each.
    const ids = new Set<string>();
    for (const pod of members) {
      const list = JSON.parse(await kubectl('mgmt-2', ['exec', '-n', cpns, pod, '-c', 'etcd', '--', ...ETCDCTL, 'member', 'list', '-w', 'json']));
      ids.add(String(list.header.cluster_id));
      const names = (list.members as { name?: string }[]).map((m) => m.name).sort();
      if (names.join() !== members.join()) throw new Error(`${pod} on mgmt-2 lists members ${names.join(', ')}`);
    }
    if (ids.size !== 1) throw new Error(`the members on mgmt-2 report ${ids.size} cluster IDs: ${[...ids].join(', ')}`);
    await kubectl('mgmt-2', ['exec', '-n', cpns, 'etcd-0', '-c', 'etcd', '--', ...ETCDCTL, 'put', '/crash/joined', 'yes']);
    for (const pod of members) {
      const v = (await kubectl('mgmt-2', ['exec', '-n', cpns, pod, '-c', 'etcd', '--', ...ETCDCTL, 'get', '/crash/joined', '--print-value-only'])).trim();
      if (v !== 'yes') throw new Error(`a write through etcd-0 reads "${v}" on ${pod}`);
    }
  }
  if ((await exec(sb.kubectl, ['--context', 'mgmt-1', 'get', 'ns', ns, cpns])).code === 0) throw new Error('namespaces left on mgmt-1');
}

async function cleanUp(ns: string, name: string): Promise<void> {
  const cpns = `${ns}-${name}`;
  await exec(sb.kubectl, ['--context', 'mgmt-2', 'delete', 'hc', name, '-n', ns, '--wait=true', '--timeout=120s']);
  await exec(sb.kubectl, ['--context', 'mgmt-2', 'delete', 'ns', ns, cpns, '--wait=false']);
  await exec(sb.kubectl, ['--context', 'mgmt-1', 'delete', 'ns', ns, cpns, '--wait=false']);
}

/** The step ids of the migration plan of ns/name (a --dry-run=client plan; exit 3 names why not). */
async function planSteps(ns: string, name: string): Promise<string[]> {
  const plan = await exec(sb.kubectl, [...migrateArgs(ns, name), '--dry-run=client', '-o', 'json']);
  if (plan.code !== 0) throw new Error(`dr migrate --dry-run=client exited ${plan.code}: ${plan.stderr.trim()}`);
  return (JSON.parse(plan.stdout).steps as { id: string }[]).map((s) => s.id);
}

// Unique per run: the Route hostnames (api-<name>.…) must not be another run's, or their records never go.
const fresh = (tag: string) => ({ ns: `dr-crash-${tag}-${randomBytes(2).toString('hex')}`, name: `dcx${randomBytes(2).toString('hex')}` });

/**
 * --chain: ONE migration with HCP_TEST_CRASH_AFTER naming every step, so each process runs one step
 * (or finds it already done), is SIGKILLed right after journaling it, and the next is `--resume`;
 * the last run exits 0. Every step of the plan is followed by a SIGKILL and a resume, in about the
 * time of one migration (the per-step matrix below takes ~2 minutes a step).
 */
async function chain(): Promise<boolean> {
  const t0 = Date.now();
  const { ns, name } = fresh('chain');
  const crashedAfter: string[] = [];
  // Steps the resumed runs planned: one planned only for the state before the first kill (e.g.
  // teardown-pause-source, only while the source is not paused) cannot be reached by the chain.
  const inResumedPlans = new Set<string>();
  let planned: string[] = [];
  let problem: string | undefined;
  try {
    await sourceCluster(ns, name);
    // The steps of THIS cluster's plan (one etcd member, no encryption key: fewer than sample's).
    planned = await planSteps(ns, name);
    const crashEnv = { HCP_TEST_CRASH_AFTER: planned.join(',') };
    for (let run = 0; ; run++) {
      if (run > planned.length + 2) throw new Error(`still not finished after ${run} runs`);
      const r = await exec(sb.kubectl, [...migrateArgs(ns, name), '-o', 'json', ...(run ? ['--resume'] : [])], crashEnv);
      const events = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type?: string; id?: string });
      const done = events.filter((e) => e.type === 'step-done').map((e) => e.id!);
      if (run > 0) for (const e of events) if (e.type === 'step-start') inResumedPlans.add(e.id!);
      if (r.code === 0) break;
      // SIGKILL (137) right after one step was journaled: the last step-done event names it.
      if (r.code !== 137 || !done.length)
        throw new Error(`run ${run + 1} exited ${r.code} after ${done.length} steps: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      crashedAfter.push(done.at(-1)!);
      process.stdout.write(`  run ${run + 1}: killed after ${done.at(-1)}\n`);
    }
    await checkFinalState(ns, name);
  } catch (err) {
    problem = (err as Error).message;
  } finally {
    await cleanUp(ns, name);
  }
  const notKilled = planned.filter((s) => !crashedAfter.includes(s));
  const missed = notKilled.filter((s) => inResumedPlans.has(s));
  const unreachable = notKilled.filter((s) => !inResumedPlans.has(s));
  const ok = !problem && planned.length > 0 && missed.length === 0;
  console.log(
    `${ok ? 'PASS' : 'FAIL'} chain: ${crashedAfter.length} SIGKILLs (one after each of ${planned.length - notKilled.length} of the plan's ${planned.length} steps, then --resume), ` +
      `${Math.round((Date.now() - t0) / 1000)}s${missed.length ? `; never killed after: ${missed.join(', ')}` : ''}` +
      `${unreachable.length ? `; not in the resumed plans (run the per-step matrix for them: --steps ${unreachable.join(',')}): ${unreachable.join(', ')}` : ''}` +
      `${problem ? ` — ${problem}` : ''}`,
  );
  return ok;
}

if (process.argv.includes('--chain')) process.exit((await chain()) ? 0 : 1);

// --steps all: the plan of a cluster like the ones migrated below (with --ha, like sample's).
if (steps[0] === 'all') {
  const { ns, name } = fresh('plan');
  try {
    await sourceCluster(ns, name);
    steps = await planSteps(ns, name);
  } finally {
    await cleanUp(ns, name);
  }
}

const results: { step: string; crash: number; resume: number; ok: boolean; seconds: number; problem?: string }[] = [];
for (const [i, step] of steps.entries()) {
  const t0 = Date.now();
  const { ns, name } = fresh(String(i));
  let crash = -1;
  let resume = -1;
  let problem: string | undefined;
  try {
    await sourceCluster(ns, name);
    const first = await exec(sb.kubectl, migrateArgs(ns, name), { HCP_TEST_CRASH_AFTER: step });
    crash = first.code;
    // Not SIGKILLed after the step: the run failed (or the plan has no such step); say how.
    if (crash !== 137) console.log(`  ${step}: the crashing run exited ${crash}: ${first.stderr.trim().split('\n').slice(0, 3).join(' | ').slice(0, 600)}`);
    const r = await exec(sb.kubectl, [...migrateArgs(ns, name), '--resume']);
    resume = r.code;
    if (resume !== 0) throw new Error(`--resume exited ${resume}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    await checkFinalState(ns, name);
  } catch (err) {
    problem = (err as Error).message;
  } finally {
    await cleanUp(ns, name);
  }
  const row = { step, crash, resume, ok: !problem, seconds: Math.round((Date.now() - t0) / 1000), problem };
  results.push(row);
  console.log(`${row.ok ? 'PASS' : 'FAIL'} ${step}: crash exit ${crash}, resume exit ${resume}, ${row.seconds}s${problem ? ` — ${problem}` : ''}`);
}
console.log(`\n${results.filter((r) => r.ok).length} of ${results.length} steps: SIGKILL after the step, then --resume, converged to the uncrashed result`);
process.exit(results.every((r) => r.ok) ? 0 : 1);

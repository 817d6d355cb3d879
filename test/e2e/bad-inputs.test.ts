// The bad-input corpus (issue 11; rows in test/bad-inputs/cases.ts) against the reachable sandbox,
// with the BUILT binary through `kubectl hcp`. Every row runs once, four at a time, each with its
// own user-agent suffix (HCP_TEST_USER_AGENT_SUFFIX) so that the one read of the audit log at the
// end tells which requests each row made. Then one test per row checks its exit code, its one
// error line, the absence of a stack trace and its requests.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BadInputCase, cases, fixtures, type Item } from '../bad-inputs/cases.ts';
import { type AuditEvent, auditEvents, auditMark, describeEvents, MUTATING_VERBS } from './helpers/audit.ts';
import { commands } from '../../src/cli/commands.ts';
import { hcp } from './helpers/hcp.ts';
import type { RunResult } from './helpers/sandbox.ts';

const POOL = 4;
const run = randomBytes(3).toString('hex');
const suffix = (c: BadInputCase) => `bad-input/${run}/${c.id}`;

const runnable = cases.filter((c) => !c.pending);
const results = new Map<string, RunResult>();
const requests = new Map<string, AuditEvent[]>();

beforeAll(async () => {
  const f = fixtures();
  const mark = await auditMark();
  let next = 0;
  await Promise.all(
    Array.from({ length: POOL }, async () => {
      while (next < runnable.length) {
        const c = runnable[next++];
        results.set(c.id, await hcp(c.argv(f), { env: { HCP_TEST_USER_AGENT_SUFFIX: suffix(c) } }));
      }
    }),
  );
  for (const e of await auditEvents(mark, { userAgent: `bad-input/${run}/` })) {
    const id = /bad-input\/[0-9a-f]+\/(\S+)/.exec(e.userAgent ?? '')![1];
    requests.set(id, [...(requests.get(id) ?? []), e]);
  }
}, 300_000);

// Paths in assertion messages: the real fixture directory is made in beforeAll.
const fixturesForDisplay = new Proxy({} as ReturnType<typeof fixtures>, { get: (_t, k) => `<${String(k)}>` });

/** Lines of stderr that are not progress notes ("verifying … against its manifest..."). */
const messageLines = (stderr: string) =>
  stderr
    .trimEnd()
    .split('\n')
    .filter((l) => l && !/\.\.\.$/.test(l));

describe('bad inputs: exit code, one line naming the value, no stack trace, no write', () => {
  it.each(runnable.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const r = results.get(c.id)!;
    const shown = `kubectl hcp ${c.argv(fixturesForDisplay).join(' ')}\nexit ${r.code}\nstderr:\n${r.stderr}stdout:\n${r.stdout}`;
    expect(r.code, shown).toBe(c.exit);
    expect(r.stdout, shown).toBe('');
    expect(r.stderr, shown).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
    expect(r.stderr, shown).not.toMatch(/\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/);
    const [first, ...rest] = messageLines(r.stderr);
    expect(first, shown).toMatch(/^error: /);
    if (typeof c.names === 'string') expect(first, shown).toContain(c.names);
    else expect(first, shown).toMatch(c.names);
    // Input errors are one line; a missing object or server may add hints (`hint: …`).
    if (c.exit === 2) expect(rest, shown).toEqual([]);
    else for (const line of rest) expect(line, shown).toMatch(/^hint: /);

    const made = requests.get(c.id) ?? [];
    const writes = made.filter((e) => (MUTATING_VERBS as readonly string[]).includes(e.verb));
    expect(describeEvents(writes), `${c.id} wrote`).toBe('');
    if (c.api === 'none') expect(describeEvents(made), `${c.id} made API requests before its input was checked`).toBe('');
  });
});

// Rows that cannot pass yet, each with its reason, listed so that they are not forgotten.
describe('bad inputs not handled yet', () => {
  for (const c of cases.filter((x) => x.pending)) it.todo(`${c.id}: ${c.pending}`);
});

describe('the corpus', () => {
  it('has at least 80 rows with unique ids', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(80);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('has a row for every command of the binary', () => {
    const paths = commands.flatMap((c) => (c as { paths?: string[][] }).paths ?? []).filter((p) => p.length && !p[0].startsWith('-') && p[0] !== 'debug');
    const argvs = runnable.map((c) => c.argv(fixturesForDisplay));
    const starts = (argv: string[], p: string[]) => p.every((w, i) => argv[i] === w);
    // A row of `oauth add openid` is not one of `oauth add`: the longest path a row starts with is its command.
    const commandOf = (argv: string[]) =>
      paths
        .filter((p) => starts(argv, p))
        .sort((a, b) => b.length - a.length)[0]
        ?.join(' ');
    const covered = new Set(argvs.map(commandOf));
    expect(paths.map((p) => p.join(' ')).filter((p) => !covered.has(p))).toEqual([]);
  });

  it('covers every kind of bad input the issue lists', () => {
    const items: Item[] = [
      'timestamp',
      'duration',
      'metrics-set',
      'sre-config',
      'dashboard-template',
      'issuer',
      'file',
      'name',
      'nonexistent',
      's3-url',
      'conflict',
      'output',
      'kubeconfig',
      'unreachable',
      'snapshot-file',
      'env-file',
    ];
    for (const item of items) expect(runnable.filter((c) => c.item === item).length, item).toBeGreaterThanOrEqual(1);
  });

  it('proves the audit log attributes requests: a row that must read did', () => {
    // Without this, an audit log that lost our events would make every "no request" check pass.
    expect(describeEvents(requests.get('status-missing-cluster') ?? [])).toMatch(
      /get \/apis\/hypershift\.openshift\.io\/v1beta1\/namespaces\/clusters\/hostedclusters\/no-such-cluster/,
    );
  });
});

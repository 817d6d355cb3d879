import { describe, expect, it } from 'vitest';
import { runInProcess } from './cli-harness.ts';
import { expectRejected } from './bad-input.ts';

describe('CLI conventions', () => {
  it('prints help with global flags and exit codes', async () => {
    const r = await runInProcess(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kubectl hcp pause');
    expect(r.stdout).toContain('Global flags');
    expect(r.stdout).toContain('3  refused by a safety interlock');
  });

  it.each([[['--context', 'mgmt-1', '--help']], [['--help', '-v', '1']], [['-n=x']]])(
    'prints the same top-level help with global flags around it: %j',
    async (argv) => {
      const r = await runInProcess(argv);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe((await runInProcess(['--help'])).stdout);
    },
  );

  it('version --client needs no cluster', async () => {
    const r = await runInProcess(['version', '--client', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).client.version).toMatch(/\d+\.\d+\.\d+/);
  });

  // Every bad input: exit 2, exactly the validator's one line on stderr, nothing on stdout, and no
  // API call, run against a reachable stand-in API server that counts requests (bad-input.ts).
  const GO_DURATION = 'is not a Go duration (examples: 30s, 5m, 1h30m; units ns, us, ms, s, m, h)';
  it.each([
    [['bogus'], `unknown command "bogus" for "kubectl hcp" (see 'kubectl hcp --help')`],
    [['pause'], 'name a HostedCluster, or pass --all or -l SELECTOR'],
    [['pause', 'Bad_Name'], `HostedCluster "Bad_Name" is not a valid name: lower-case letters, digits, '-' and '.', at most 253 characters`],
    [['pause', 'sample', '--all'], 'give only one of NAME, --all and -l SELECTOR'],
    [
      ['pause', 'sample', '--until', '2026-11-22T00:00:00'],
      '--until "2026-11-22T00:00:00" is not an RFC3339 time with a zone (it has no zone: the operator would not pause; add Z or an offset like +02:00)',
    ],
    [['pause', 'sample', '--until', 'tomorrow'], '--until "tomorrow" is not an RFC3339 time with a zone (example: 2026-03-03T03:28:48Z)'],
    [['pause', 'sample', '--until', '2020-01-01T00:00:00Z'], '--until 2020-01-01T00:00:00Z is in the past (now is 2026-11-21T10:00:00Z)'],
    [['pause', 'sample', '--for', '2d'], `--for "2d" ${GO_DURATION}`],
    [['pause', 'sample', '--for', '3000000h'], '--for "3000000h" is out of range: a Go duration is at most 2562047h47m16.854775807s'],
    [['pause', 'sample', '--for', '1h', '--until', '2026-11-22T00:00:00Z'], '--until and --for cannot be used together'],
    [['pause', 'sample', '--dry-run=maybe'], '--dry-run=maybe is not valid: use none, client or server'],
    [['pause', 'sample', '--wait-timeout', 'soon'], `--wait-timeout "soon" ${GO_DURATION}`],
    [['pause', '-l', 'a in (b'], `-l "a in (b" is not a valid label selector: found '', expected: ',' or ')'`],
    [['pause', '-l', '!env=prod'], `-l "!env=prod" is not a valid label selector: found '=', expected: ',' or 'end of string'`],
    [
      ['pause', 'sample', '-n', 'Not_A_Namespace'],
      `--namespace "Not_A_Namespace" is not a valid name: lower-case letters, digits and '-', at most 63 characters`,
    ],
    [['pause', 'sample', '--request-timeout', 'forever'], `--request-timeout "forever" ${GO_DURATION}`],
    [['resume'], 'name a HostedCluster, or pass --all or -l SELECTOR'],
    [['status'], 'name a HostedCluster or pass --all'],
    [['status', 'sample', '--all'], 'give either NAME or --all, not both'],
    // clipanion's own wording around the value may change; the rule must be there.
    [['status', 'sample', '-o', 'xml'], /^Invalid value for -o: expected one of "table", "json", or "yaml" \(got "xml"\)/],
    [['version', '--bogus'], `unknown flag: --bogus for "kubectl hcp version" (see 'kubectl hcp version --help')`],
  ])("%j exits 2 with its validator's line and no API call", async (argv, message) => {
    await expectRejected(argv, message);
  });

  it('no kubeconfig at all gives a friendly message, not a TLS error about localhost:8080', async () => {
    const r = await runInProcess(['status', 'sample'], { env: { HOME: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no kubeconfig found: set KUBECONFIG or pass --kubeconfig (kubectl hcp never guesses a cluster)\n');
  });

  it('an unreachable API server is a runtime error (exit 1) naming the server, without a stack trace', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hcp-cli-'));
    const kc = join(dir, 'kubeconfig');
    writeFileSync(
      kc,
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const r = await runInProcess(['status', 'sample'], { env: { KUBECONFIG: kc, HOME: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: cannot reach the API server at https://127.0.0.1:1: ECONNREFUSED\n');
  });
});

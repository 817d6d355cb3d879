import { describe, expect, it } from 'vitest';
import { runInProcess } from './cli-harness.ts';

describe('CLI conventions', () => {
  it('prints help with global flags and exit codes', async () => {
    const r = await runInProcess(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kubectl hcp pause');
    expect(r.stdout).toContain('Global flags');
    expect(r.stdout).toContain('3  refused by a safety interlock');
  });

  it('version --client needs no cluster', async () => {
    const r = await runInProcess(['version', '--client', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).client.version).toMatch(/\d+\.\d+\.\d+/);
  });

  // Every bad input: exit 2, exactly one line on stderr, nothing on stdout, no API call
  // (KUBECONFIG points nowhere, so reaching the API would fail differently).
  it.each([
    [['bogus']],
    [['pause']],
    [['pause', 'Bad_Name']],
    [['pause', 'sample', '--all']],
    [['pause', 'sample', '--until', '2026-11-22T00:00:00']],
    [['pause', 'sample', '--until', 'tomorrow']],
    [['pause', 'sample', '--until', '2020-01-01T00:00:00Z']],
    [['pause', 'sample', '--for', '2d']],
    [['pause', 'sample', '--for', '1h', '--until', '2026-11-22T00:00:00Z']],
    [['pause', 'sample', '--dry-run=maybe']],
    [['pause', 'sample', '--wait-timeout', 'soon']],
    [['pause', '-l', 'a in (b']],
    [['pause', 'sample', '-n', 'Not_A_Namespace']],
    [['pause', 'sample', '--request-timeout', 'forever']],
    [['resume']],
    [['status']],
    [['status', 'sample', '--all']],
    [['status', 'sample', '-o', 'xml']],
    [['version', '--bogus']],
  ])('%j exits 2 with one line', async (argv) => {
    const r = await runInProcess(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: /);
  });

  it('no kubeconfig at all gives a friendly message, not a TLS error about localhost:8080', async () => {
    const r = await runInProcess(['status', 'sample'], { env: { HOME: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: no kubeconfig found: set KUBECONFIG or pass --kubeconfig (kubectl hcp never guesses a cluster)\n");
  });

  it('an unreachable API server is a runtime error (exit 1) naming the server, without a stack trace', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hcp-cli-'));
    const kc = join(dir, 'kubeconfig');
    writeFileSync(kc, JSON.stringify({ clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
    const r = await runInProcess(['status', 'sample'], { env: { KUBECONFIG: kc, HOME: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: cannot reach the API server at https://127.0.0.1:1: ECONNREFUSED\n');
  });
});

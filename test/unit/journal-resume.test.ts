/**
 * --resume end to end: `kubectl hcp debug journal-test` is killed with SIGKILL after step K and
 * resumed, for every K. Every step must run exactly once over the two runs, the artifact of step
 * 1 must reach the last step across the kill, and a finished run must refuse --resume.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENTRY = new URL('../../src/entry.ts', import.meta.url).pathname;
const STEPS = 4;

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'hcp-resume-'));
  const kubeconfig = join(home, 'kubeconfig');
  // No request is ever made: the server only names the journal.
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  const dir = join(home, 'traces');
  const run = (...extra: string[]) =>
    spawnSync(process.execPath, [ENTRY, 'debug', 'journal-test', 'sample', '--dir', dir, '--steps', String(STEPS), ...extra], {
      env: { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: join(home, 'state'), KUBECONFIG: kubeconfig, NO_COLOR: '1' },
      encoding: 'utf8',
    });
  return { home, dir, run, ran: () => (existsSync(join(dir, 'ran')) ? readFileSync(join(dir, 'ran'), 'utf8').trim().split('\n') : []) };
}

// Each case starts the CLI three or four times: give it room on a loaded machine.
describe('--resume after SIGKILL', { timeout: 60_000 }, () => {
  it.each(Array.from({ length: STEPS }, (_, k) => k + 1))('killed after step %i of 4: the resumed run does the rest, each step once', (k) => {
    const s = setup();
    makeDir(s.dir);
    const first = s.run('--kill-after-step', String(k));
    expect(first.signal).toBe('SIGKILL');
    expect(s.ran()).toEqual(Array.from({ length: k }, (_, i) => `step-${i + 1}`));
    if (k < STEPS) {
      const again = s.run();
      expect(again.status, again.stderr).toBe(3); // an unfinished run is not started over silently
      expect(again.stderr).toContain('re-run with --resume');
      const resumed = s.run('--resume');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain('done in an earlier run');
      expect(s.ran()).toEqual(Array.from({ length: STEPS }, (_, i) => `step-${i + 1}`));
      const result = JSON.parse(readFileSync(join(s.dir, 'result.json'), 'utf8'));
      const journal = findJournal(join(s.home, 'state'));
      expect(result.seedSha256).toBe(journal.steps[0].artifacts?.seedSha256); // the first run's artifact, across the kill
      expect(journal.finishedAt).toBeDefined();
    }
    const finished = s.run('--resume');
    expect(finished.status).toBe(3);
    expect(finished.stderr).toContain('already finished');
  });

  it('killed before any step finished: nothing was journaled, so --resume has nothing to continue', () => {
    const s = setup();
    makeDir(s.dir);
    const first = s.run('--kill-after-step', '0');
    expect(first.signal).toBe('SIGKILL');
    expect(s.ran()).toEqual([]);
    const resumed = s.run('--resume');
    expect(resumed.status).toBe(2);
    expect(resumed.stderr).toContain('no interrupted debug-journal-test');
  });
});

function makeDir(dir: string) {
  mkdirSync(dir, { recursive: true });
}

function findJournal(state: string): { steps: { artifacts?: Record<string, unknown> }[]; finishedAt?: string } {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  const [file] = walk(state).filter((f) => f.endsWith('.json'));
  return JSON.parse(readFileSync(file, 'utf8'));
}

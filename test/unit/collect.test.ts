import { lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, describeCollection } from '../../src/plan/collect.ts';
import { ApiError } from '../../src/kube/errors.ts';
import { PrivateWriter } from '../../src/util/private-writer.ts';
import { UsageError } from '../../src/util/errors.ts';

describe('collect', () => {
  it('reads every item with bounded concurrency and keeps ok, forbidden and errors apart', async () => {
    let running = 0;
    let peak = 0;
    const item = (name: string, outcome: () => unknown) => ({
      name,
      read: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return outcome();
      },
    });
    const c = await collect(
      [
        item('pods in a', () => ['p1']),
        item('secrets in a', () => {
          throw new ApiError(403, { message: 'secrets is forbidden: User "x" cannot list resource "secrets"', reason: 'Forbidden' }, 'forbidden');
        }),
        item('events in a', () => {
          throw new Error('connection reset\nwith a second line that must not show');
        }),
        item('pods in b', () => ['p2']),
        item('pods in c', () => ['p3']),
      ],
      { concurrency: 2 },
    );
    expect(peak).toBe(2);
    expect(c.summary).toEqual({ ok: 3, forbidden: 1, error: 1, total: 5 });
    expect(c.results.map((r) => r.status)).toEqual(['ok', 'forbidden', 'error', 'ok', 'ok']);
    expect(describeCollection(c)).toBe(
      '3 of 5 collected; forbidden: secrets in a (secrets is forbidden: User "x" cannot list resource "secrets"); failed: events in a (connection reset)',
    );
  });
});

describe('PrivateWriter', () => {
  const base = () => mkdtempSync(join(tmpdir(), 'hcp-writer-'));
  const mode = (p: string) => lstatSync(p).mode & 0o777;

  it('writes 0600 files in 0700 directories, whatever the umask', () => {
    const old = process.umask(0o000);
    try {
      const w = PrivateWriter.create(join(base(), 'dump'));
      const file = w.write('clusters/sample/hostedcluster.yaml', 'kind: HostedCluster\n');
      expect(readFileSync(file, 'utf8')).toBe('kind: HostedCluster\n');
      expect(mode(file)).toBe(0o600);
      expect(mode(join(w.root, 'clusters'))).toBe(0o700);
      expect(mode(join(w.root, 'clusters/sample'))).toBe(0o700);
      expect(mode(w.root)).toBe(0o700);
    } finally {
      process.umask(old);
    }
  });

  it('refuses an existing root, an existing file, a planted symlink and paths outside the root', () => {
    const dir = base();
    expect(() => PrivateWriter.create(dir)).toThrow(UsageError);
    const w = PrivateWriter.create(join(dir, 'dump'));
    w.write('a.txt', 'one');
    expect(() => w.write('a.txt', 'two')).toThrow(/EEXIST/);
    expect(readFileSync(join(w.root, 'a.txt'), 'utf8')).toBe('one');
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'keep');
    symlinkSync(outside, join(w.root, 'link.txt'));
    expect(() => w.write('link.txt', 'pwned')).toThrow(/EEXIST/);
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    expect(() => w.write('../escape.txt', 'x')).toThrow(/outside/);
    expect(() => w.write('/etc/passwd', 'x')).toThrow(/outside/);
  });
});

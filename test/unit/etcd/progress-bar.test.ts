/** The snapshot transfer through the one progress sink (issue 8): a bar on a TTY, plain lines in a pipe (NDJSON carries the event's counters as they are). */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineProgress, transferBar } from '../../../src/plan/progress.ts';

const MiB = 1024 * 1024;
function capture() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  return { s, text: () => text };
}

describe('transfer progress', () => {
  it('a bar with percentage, bytes, rate and ETA when the size is known; bytes and rate when not', () => {
    expect(transferBar({ bytes: 512 * MiB, total: 1024 * MiB, bytesPerSecond: 128 * MiB }, 10)).toBe('[█████░░░░░] 50% 512.0 MiB/1.0 GiB 128.0 MiB/s ETA 4s');
    expect(transferBar({ bytes: 1024 * MiB, total: 1024 * MiB, bytesPerSecond: 128 * MiB }, 10)).toBe('[██████████] 100% 1.0 GiB/1.0 GiB 128.0 MiB/s');
    expect(transferBar({ bytes: 300, bytesPerSecond: 100 })).toBe('300 B 100 B/s');
  });

  it('a TTY redraws the step line with the bar', () => {
    const out = capture();
    let t = 0;
    const sink = lineProgress(out.s, { tty: true, colour: (x) => x, now: () => t });
    sink({ type: 'step-start', index: 4, total: 8, id: 'stream-etcd-0', title: 'Stream x to file:///b' });
    t = 2000;
    sink({
      type: 'step-progress',
      id: 'stream-etcd-0',
      message: '256 MiB of 1 GiB at 128 MiB/s',
      transfer: { bytes: 256 * MiB, total: 1024 * MiB, bytesPerSecond: 128 * MiB },
    });
    sink({ type: 'step-done', id: 'stream-etcd-0', title: 'Stream x to file:///b', ms: 8000 });
    const frames = out.text().split('\r\u001b[2K');
    expect(frames.some((f) => f.includes('[5/8] Stream x to file:///b — [█████░░░░░░░░░░░░░░░] 25% 256.0 MiB/1.0 GiB 128.0 MiB/s ETA 6s 2s'))).toBe(true);
    expect(out.text()).toContain('✓ [5/8] Stream x to file:///b: done (8s)\n');
  });

  it('a pipe gets the plain message, not the bar', () => {
    const out = capture();
    const sink = lineProgress(out.s, { tty: false, colour: (x) => x, now: () => 0 });
    sink({ type: 'step-start', index: 0, total: 1, id: 's', title: 'Stream' });
    sink({ type: 'step-progress', id: 's', message: '256 MiB of 1 GiB at 128 MiB/s', transfer: { bytes: 1, total: 2, bytesPerSecond: 1 } });
    expect(out.text()).toBe('[1/1] Stream ...\n    256 MiB of 1 GiB at 128 MiB/s\n');
  });
});

import { describe, expect, it } from 'vitest';
import { interpretPausedUntil, pausedUntilValue } from '../../src/hostedcluster/paused-until.ts';
import { UsageError } from '../../src/util/errors.ts';

const now = new Date('2026-11-21T10:00:00Z');

describe('pausedUntilValue', () => {
  it.each([
    [{}, 'true'],
    [{ until: '2026-11-22T00:00:00Z' }, '2026-11-22T00:00:00Z'],
    [{ until: '2026-11-22T02:00:00+02:00' }, '2026-11-22T00:00:00Z'],
    [{ until: '2026-11-21T10:00:00.5Z' }, '2026-11-21T10:00:01Z'],
    [{ until: '2026-11-21T05:30:00-05:00' }, '2026-11-21T10:30:00Z'],
    [{ for: '2h' }, '2026-11-21T12:00:00Z'],
    [{ for: '1h30m' }, '2026-11-21T11:30:00Z'],
    [{ for: '90s' }, '2026-11-21T10:01:30Z'],
  ])('accepts %j as %s', (flags, expected) => {
    expect(pausedUntilValue(flags, now)).toBe(expected);
  });

  it.each([
    [{ until: '2026-11-22T00:00:00' }, /has no zone/],
    [{ until: 'tomorrow' }, /not an RFC3339 time/],
    [{ until: '2026-11-22 00:00:00Z' }, /not an RFC3339 time/],
    [{ until: '2026-11-22' }, /not an RFC3339 time/],
    [{ until: '2026-02-30T00:00:00Z' }, /not a valid date/],
    [{ until: '2026-13-01T00:00:00Z' }, /not a valid date/],
    [{ until: '2026-11-22T24:00:00Z' }, /not a valid date/],
    [{ until: '2026-11-22T00:00:00+25:00' }, /not a valid date/],
    [{ until: '2026-11-20T00:00:00Z' }, /in the past/],
    [{ until: '2026-11-21T10:00:00Z' }, /in the past/],
    [{ for: '2d' }, /not a Go duration/],
    [{ for: '0s' }, /positive/],
    [{ for: '-1h' }, /positive/],
    [{ for: '10' }, /not a Go duration/],
    [{ until: '2026-11-22T00:00:00Z', for: '1h' }, /cannot be used together/],
  ])('rejects %j', (flags, message) => {
    expect(() => pausedUntilValue(flags, now)).toThrow(UsageError);
    expect(() => pausedUntilValue(flags, now)).toThrow(message);
  });
});

describe('interpretPausedUntil (the operator reading, FACTS)', () => {
  it.each([
    [undefined, { paused: false }],
    ['true', { paused: true }],
    ['True', { paused: true }],
    ['1', { paused: true }],
    ['t', { paused: true }],
    ['false', { paused: false }],
    ['2026-11-22T00:00:00Z', { paused: true, until: new Date('2026-11-22T00:00:00Z') }],
    ['2026-11-20T00:00:00Z', { paused: false }],
    ['2026-11-22T00:00:00', { paused: false, invalid: true }],
    ['tomorrow', { paused: false, invalid: true }],
  ])('%s', (value, expected) => {
    expect(interpretPausedUntil(value, now)).toEqual(expected);
  });
});

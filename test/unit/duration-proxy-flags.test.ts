import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../src/util/duration.ts';
import { proxyForUrl } from '../../src/kube/proxy.ts';
import { hoistGlobalFlags } from '../../src/cli/global-flags.ts';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['-2s', -2000],
  ])('%s = %d ms', (input, ms) => expect(parseGoDuration(input)).toBe(ms));
  it.each(['', '1d', '10', ' 1s', '1 s', 's', '1.s5', '1h-30m'])('rejects %j', (input) => expect(() => parseGoDuration(input)).toThrow(/not a Go duration/));
});

describe('proxyForUrl', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.internal,10.0.0.0/8,api.example.com:6443' };
  it.each([
    ['https://api.cluster.example:6443', 'http://proxy:3128'],
    ['https://api.internal:6443', undefined],
    ['https://internal:6443', undefined],
    ['https://10.1.2.3:6443', undefined],
    ['https://11.1.2.3:6443', 'http://proxy:3128'],
    ['https://api.example.com:6443', undefined],
    ['https://api.example.com:443', 'http://proxy:3128'],
    ['https://127.0.0.1:6443', undefined],
    ['https://localhost:6443', undefined],
  ])('%s -> %s', (url, expected) => expect(proxyForUrl(url, env)).toBe(expected));
  it('honours lower-case variables and NO_PROXY=*', () => {
    expect(proxyForUrl('https://x:1', { https_proxy: 'proxy:8080' })).toBe('http://proxy:8080');
    expect(proxyForUrl('https://x:1', { https_proxy: 'proxy:8080', no_proxy: '*' })).toBeUndefined();
  });
});

describe('hoistGlobalFlags', () => {
  it.each([
    [
      ['-n', 'foo', 'status', 'x'],
      ['status', 'x', '-n', 'foo'],
    ],
    [
      ['--context=mgmt-2', '--as-group', 'a', 'pause', 'x'],
      ['pause', 'x', '--context=mgmt-2', '--as-group', 'a'],
    ],
    [
      ['status', '-n', 'foo'],
      ['status', '-n', 'foo'],
    ],
    [['--help'], ['--help']],
  ])('%j', (argv, expected) => expect(hoistGlobalFlags(argv)).toEqual(expected));
});

describe('parseGoDuration range (time.ParseDuration rejects what overflows int64 nanoseconds)', () => {
  it.each(['3000000h', '2562048h', '9223372036854775808ns', '2562047h47m16.854775808s', '-2562047h47m16.854775809s'])('rejects %j as out of range', (input) =>
    expect(() => parseGoDuration(input)).toThrow(/out of range/),
  );
  it.each([
    ['2562047h47m16.854775807s', 9223372036854.775],
    ['-2562047h47m16.854775808s', -9223372036854.775],
    ['9223372036854775807ns', 9223372036854.775],
    ['.5s', 500],
    ['1.s', 1000],
  ])('accepts %j (%d ms)', (input, ms) => expect(parseGoDuration(input)).toBeCloseTo(ms, 0));
});

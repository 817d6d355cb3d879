// kubectl's own examples, from k8s.io/apimachinery/pkg/labels/selector_test.go (TestSelectorParse,
// TestSetSelectorParser, TestLexerSequence): what kubectl accepts, -l accepts; what it refuses, -l
// refuses before any API call.
import { describe, expect, it } from 'vitest';
import { parseLabelSelector, SelectorSyntaxError } from '../../../src/kube/label-selector.ts';
import { validateSelection } from '../../../src/hostedcluster/targets.ts';
import { UsageError } from '../../../src/util/errors.ts';

const sorted = (s: string) => parseLabelSelector(s).map((r) => ({ ...r, values: [...r.values].sort() }));

describe('parseLabelSelector: TestSelectorParse', () => {
  it.each(['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5'])('accepts %j', (s) => {
    expect(() => parseLabelSelector(s)).not.toThrow();
  });
  it.each(['x=a||y=b', 'x==a==b', '!x=a', 'x<a'])('refuses %j', (s) => {
    expect(() => parseLabelSelector(s)).toThrow(SelectorSyntaxError);
  });
});

describe('parseLabelSelector: TestSetSelectorParser', () => {
  it.each([
    ['', []],
    ['\rx', [{ key: 'x', operator: 'exists', values: [] }]],
    ['this-is-a-dns.domain.com/key-with-dash', [{ key: 'this-is-a-dns.domain.com/key-with-dash', operator: 'exists', values: [] }]],
    [
      'this-is-another-dns.domain.com/key-with-dash in (so,what)',
      [{ key: 'this-is-another-dns.domain.com/key-with-dash', operator: 'in', values: ['so', 'what'] }],
    ],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', [{ key: '0.1.2.domain/99', operator: 'notin', values: ['10.10.100.1', 'tick.tack.clock'] }]],
    ['foo  in\t (abc)', [{ key: 'foo', operator: 'in', values: ['abc'] }]],
    ['x notin\n (abc)', [{ key: 'x', operator: 'notin', values: ['abc'] }]],
    ['x  notin\t\t\t(abc,def)', [{ key: 'x', operator: 'notin', values: ['abc', 'def'] }]],
    ['x in (abc,def)', [{ key: 'x', operator: 'in', values: ['abc', 'def'] }]],
    ['x in (abc,)', [{ key: 'x', operator: 'in', values: ['', 'abc'] }]],
    ['x in ()', [{ key: 'x', operator: 'in', values: [''] }]],
    [
      'x notin (abc,,def),bar,z in (),w',
      [
        { key: 'x', operator: 'notin', values: ['', 'abc', 'def'] },
        { key: 'bar', operator: 'exists', values: [] },
        { key: 'z', operator: 'in', values: [''] },
        { key: 'w', operator: 'exists', values: [] },
      ],
    ],
    [
      'x,y in (a)',
      [
        { key: 'x', operator: 'exists', values: [] },
        { key: 'y', operator: 'in', values: ['a'] },
      ],
    ],
    ['x=a', [{ key: 'x', operator: '=', values: ['a'] }]],
    ['x>1', [{ key: 'x', operator: '>', values: ['1'] }]],
    ['x<7', [{ key: 'x', operator: '<', values: ['7'] }]],
    [
      'x=a,y!=b',
      [
        { key: 'x', operator: '=', values: ['a'] },
        { key: 'y', operator: '!=', values: ['b'] },
      ],
    ],
    [
      'x=a,y!=b,z in (h,i,j)',
      [
        { key: 'x', operator: '=', values: ['a'] },
        { key: 'y', operator: '!=', values: ['b'] },
        { key: 'z', operator: 'in', values: ['h', 'i', 'j'] },
      ],
    ],
    ['x notin ( )', [{ key: 'x', operator: 'notin', values: [''] }]],
    ['x notin (, a)', [{ key: 'x', operator: 'notin', values: ['', 'a'] }]],
    ['a ', [{ key: 'a', operator: 'exists', values: [] }]],
    ['a in (x,y,notin, z,in)', [{ key: 'a', operator: 'in', values: ['in', 'notin', 'x', 'y', 'z'] }]],
    // TestSelectorMatches: the keywords are ordinary names where a key or value is expected.
    ['notin=in', [{ key: 'notin', operator: '=', values: ['in'] }]],
    ['!x', [{ key: 'x', operator: '!', values: [] }]],
    ['x==y', [{ key: 'x', operator: '==', values: ['y'] }]],
  ])('%j', (s, expected) => expect(sorted(s)).toEqual(expected));

  it.each(['x=a||y=b', 'x,,y', ',x,y', 'x nott in (y)', 'a in (xyz),', 'a in (xyz)b notin ()', 'a in (xyz abc)', 'a notin(', 'a (', '('])('refuses %j', (s) => {
    expect(() => parseLabelSelector(s)).toThrow(SelectorSyntaxError);
  });

  it('checks keys and values as NewRequirement does', () => {
    expect(() => parseLabelSelector('a'.repeat(64))).toThrow(/invalid label key/);
    expect(() => parseLabelSelector(`x=${'v'.repeat(64)}`)).toThrow(/invalid label value/);
    expect(() => parseLabelSelector('a/b/c')).toThrow(/invalid label key/);
    expect(() => parseLabelSelector('Upper.Case/x')).toThrow(/invalid label key/);
    expect(() => parseLabelSelector('x>9223372036854775808')).toThrow(/integer/);
    expect(parseLabelSelector('x>9223372036854775807')).toHaveLength(1);
    expect(() => parseLabelSelector('x>-1')).toThrow(/invalid label value/); // a label value cannot start with '-'
  });
});

describe('-l on hosted-cluster commands', () => {
  const sel = (selector: string) => () => validateSelection({ all: false, selector, defaultNamespace: 'clusters' });
  it.each(['!env', 'env notin (prod,stage)', 'env!=prod', 'tier in (a,b),!canary', 'env', 'a=b,c==d'])('accepts %j', (s) => expect(sel(s)).not.toThrow());
  it.each(['a in (b', '!env=x', 'env=a=b', ','])('refuses %j with a usage error naming the selector', (s) => {
    expect(sel(s)).toThrow(UsageError);
    expect(sel(s)).toThrow(`-l "${s}" is not a valid label selector`);
  });
});

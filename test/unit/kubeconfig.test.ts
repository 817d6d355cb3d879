import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeconfigPaths, mergeKubeconfigs, resolveKubeconfig } from '../../src/kube/kubeconfig.ts';
import { UsageError } from '../../src/util/errors.ts';

const cfg = (name: string, server: string, current = '') => ({
  clusters: [{ name, cluster: { server, 'certificate-authority': 'ca.crt' } }],
  users: [{ name, user: { token: `token-${name}`, 'client-certificate': '/abs/cert.pem' } }],
  contexts: [{ name, context: { cluster: name, user: name, namespace: `ns-${name}` } }],
  'current-context': current,
});

describe('mergeKubeconfigs', () => {
  it('keeps the first occurrence of a name and the first non-empty current-context', () => {
    const merged = mergeKubeconfigs([
      { path: '/a/config', doc: { ...cfg('shared', 'https://first'), 'current-context': '' } },
      { path: '/b/config', doc: cfg('shared', 'https://second', 'shared') },
      { path: '/c/config', doc: cfg('other', 'https://third', 'other') },
    ]);
    expect(merged.clusters.map((c) => [c.name, (c.cluster as { server: string }).server])).toEqual([
      ['shared', 'https://first'],
      ['other', 'https://third'],
    ]);
    expect(merged['current-context']).toBe('shared');
  });

  it('resolves relative file paths against the file that names them', () => {
    const merged = mergeKubeconfigs([{ path: '/etc/kube/a.yaml', doc: cfg('a', 'https://a') }]);
    expect((merged.clusters[0].cluster as Record<string, string>)['certificate-authority']).toBe('/etc/kube/ca.crt');
    expect((merged.users[0].user as Record<string, string>)['client-certificate']).toBe('/abs/cert.pem');
  });

  it('skips empty documents and rejects malformed lists', () => {
    expect(mergeKubeconfigs([{ path: 'x', doc: null }]).clusters).toEqual([]);
    expect(() => mergeKubeconfigs([{ path: 'x', doc: { clusters: 'nope' } }])).toThrow(UsageError);
  });
});

describe('kubeconfigPaths', () => {
  it('prefers --kubeconfig, then KUBECONFIG (split, empty entries dropped), then ~/.kube/config', () => {
    expect(kubeconfigPaths('/x', { KUBECONFIG: '/a:/b' })).toEqual(['/x']);
    expect(kubeconfigPaths(undefined, { KUBECONFIG: '/a::/b' })).toEqual(['/a', '/b']);
    expect(kubeconfigPaths(undefined, { HOME: '/home/u' })).toEqual(['/home/u/.kube/config']);
  });
});

describe('resolveKubeconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-kc-'));
  const write = (name: string, body: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(body));
    return p;
  };
  const a = write('a', cfg('a', 'https://a.example:6443', 'a'));
  const b = write('b', {
    ...cfg('a', 'https://dup.example'),
    ...{
      clusters: [
        { name: 'b', cluster: { server: 'https://b.example' } },
        { name: 'a', cluster: { server: 'https://dup.example' } },
      ],
    },
  });
  const missing = join(dir, 'missing');

  it('merges several files, skipping missing ones (where client-node throws)', () => {
    const r = resolveKubeconfig({}, { KUBECONFIG: [missing, a, b].join(':') });
    expect(r.server).toBe('https://a.example:6443');
    expect(r.contextName).toBe('a');
    expect(r.namespace).toBe('ns-a');
    expect(r.files).toEqual([a, b]);
  });

  it('applies --context, --cluster, --user and --namespace overrides', () => {
    const r = resolveKubeconfig({ cluster: 'b', namespace: 'mine' }, { KUBECONFIG: [a, b].join(':') });
    expect(r.server).toBe('https://b.example');
    expect(r.namespace).toBe('mine');
    expect(() => resolveKubeconfig({ context: 'nope' }, { KUBECONFIG: a })).toThrow('context "nope" not found');
  });

  it('gives a friendly message when there is no kubeconfig at all', () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    expect(() => resolveKubeconfig({}, { HOME: home })).toThrow(/no kubeconfig found/);
  });

  it('fails on an explicit --kubeconfig that does not exist', () => {
    expect(() => resolveKubeconfig({ kubeconfig: missing }, {})).toThrow(/cannot read kubeconfig/);
  });

  it('picks up impersonation from the user entry', () => {
    const p = write('imp', {
      ...cfg('i', 'https://i'),
      'current-context': 'i',
      users: [{ name: 'i', user: { token: 't', as: 'alice', 'as-groups': ['g1', 'g2'] } }],
    });
    expect(resolveKubeconfig({}, { KUBECONFIG: p }).impersonate).toEqual({ user: 'alice', groups: ['g1', 'g2'] });
  });
});

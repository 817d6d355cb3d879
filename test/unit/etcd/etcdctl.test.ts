import { describe, expect, it } from 'vitest';
import {
  LEGACY_CA_PATH,
  TLS_PATHS,
  etcdctl,
  hexId,
  memberNameOfUrl,
  parseEndpointHealth,
  parseEndpointStatus,
  parseEtcdJson,
  parseHashKv,
  parseMemberList,
  parseSha256sum,
  parseSnapshotStatus,
  tlsPathsFor,
} from '../../../src/etcd/etcdctl.ts';

// Shapes as etcdctl/etcdutl 3.6 print them with -w json (uint64 IDs as bare numbers).
const NS = 'clusters-b1';
const url = (n: number) => `https://etcd-${n}.etcd-client.${NS}.svc:2379`;
const MEMBER_LIST = `{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"raft_term":3},"members":[{"ID":10276657743932975437,"name":"etcd-0","peerURLs":["https://etcd-0.etcd-discovery.${NS}.svc:2380"],"clientURLs":["${url(0)}"]},{"ID":12367044257153208915,"name":"etcd-1","peerURLs":["https://etcd-1.etcd-discovery.${NS}.svc:2380"],"clientURLs":["${url(1)}"]},{"ID":1,"peerURLs":["https://etcd-2.etcd-discovery.${NS}.svc:2380"],"isLearner":true}]}`;
const STATUS = `[{"Endpoint":"${url(0)}","Status":{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":42,"raft_term":3},"version":"3.6.16","dbSize":4194304,"leader":10276657743932975437,"raftIndex":120,"raftTerm":3,"raftAppliedIndex":120,"dbSizeInUse":1048576,"storageVersion":"3.6.0","dbSizeQuota":2147483648}},{"Endpoint":"${url(1)}","Status":{"header":{"cluster_id":14841639068965178418,"member_id":12367044257153208915,"revision":43,"raft_term":3},"version":"3.6.16","dbSize":4194304,"leader":10276657743932975437,"raftIndex":121,"raftTerm":3,"raftAppliedIndex":121,"dbSizeInUse":4000000,"errors":["memberID:1 alarm:NOSPACE "]}}]`;
const HEALTH = `[{"endpoint":"${url(0)}","health":true,"took":"3.1ms"},{"endpoint":"${url(2)}","health":false,"took":"3.0s","error":"context deadline exceeded"}]`;
const HASHKV = `[{"Endpoint":"${url(0)}","HashKV":{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":43,"raft_term":3},"hash":3282755291,"compact_revision":-1,"hash_revision":42}}]`;

describe('parseEtcdJson', () => {
  it('keeps uint64 IDs exact as strings and leaves digits in strings alone', () => {
    const doc = parseEtcdJson('{"a":14841639068965178418,"b":42,"c":"x:12345678901234567890","d":[18446744073709551615,-1],"e":1.5e3}') as Record<
      string,
      unknown
    >;
    expect(doc).toEqual({ a: '14841639068965178418', b: 42, c: 'x:12345678901234567890', d: ['18446744073709551615', -1], e: 1500 });
  });
  it('handles escaped quotes inside strings', () => {
    expect(parseEtcdJson('{"s":"a\\"12345678901234567\\"","n":12345678901234567}')).toEqual({ s: 'a"12345678901234567"', n: '12345678901234567' });
  });
  it.each([
    [10276657743932975437n.toString(), '8e9e05c52164694d'],
    [1, '1'],
    [undefined, undefined],
  ])('hexId(%s) = %s', (input, hex) => expect(hexId(input)).toBe(hex));
});

describe('etcdctl output parsers', () => {
  it('member list: hex IDs, names, URLs, learner and unstarted members', () => {
    const { clusterId, members } = parseMemberList(MEMBER_LIST);
    expect(clusterId).toBe(14841639068965178418n.toString(16));
    expect(members.map((m) => [m.id, m.name, m.isLearner])).toEqual([
      ['8e9e05c52164694d', 'etcd-0', false],
      [12367044257153208915n.toString(16), 'etcd-1', false],
      ['1', '', true],
    ]);
    expect(members[0].clientURLs).toEqual([url(0)]);
  });
  it('endpoint status: revision, leader, raft, sizes, errors', () => {
    const [a, b] = parseEndpointStatus(STATUS);
    expect(a).toMatchObject({
      endpoint: url(0),
      memberId: '8e9e05c52164694d',
      leaderId: '8e9e05c52164694d',
      revision: 42,
      raftTerm: 3,
      raftIndex: 120,
      dbSize: 4194304,
      dbSizeInUse: 1048576,
      version: '3.6.16',
      errors: [],
    });
    expect(b.errors).toEqual(['memberID:1 alarm:NOSPACE ']);
    expect(parseEndpointStatus('')).toEqual([]);
  });
  it('endpoint health: healthy and unhealthy endpoints', () => {
    expect(parseEndpointHealth(HEALTH)).toEqual([
      { endpoint: url(0), health: true, took: '3.1ms', error: undefined },
      { endpoint: url(2), health: false, took: '3.0s', error: 'context deadline exceeded' },
    ]);
  });
  it('endpoint hashkv', () => {
    expect(parseHashKv(HASHKV)).toEqual([{ endpoint: url(0), memberId: '8e9e05c52164694d', hash: 3282755291, hashRevision: 42, compactRevision: -1 }]);
  });
  it('etcdutl snapshot status and sha256sum', () => {
    expect(parseSnapshotStatus('{"hash":2545433431,"revision":42,"totalKey":7,"totalSize":20480,"version":"3.6.0"}')).toEqual({
      hash: 2545433431,
      revision: 42,
      totalKey: 7,
      totalSize: 20480,
      version: '3.6.0',
    });
    expect(() => parseSnapshotStatus('Error: snapshot file integrity check failed')).toThrow();
    const digest = 'a'.repeat(64);
    expect(parseSha256sum(`${digest}  /var/lib/x.db\n`)).toBe(digest);
    expect(() => parseSha256sum('sha256sum: /var/lib/x.db: No such file or directory')).toThrow(/unexpected sha256sum/);
  });
  it('member names from URLs', () => {
    expect(memberNameOfUrl(url(2))).toBe('etcd-2');
    expect(memberNameOfUrl('https://localhost:2379')).toBeUndefined();
  });
});

describe('TLS paths (docs 8.1.1; FACTS: the CA moved in 4.12)', () => {
  it.each([
    ['4.15.3', TLS_PATHS.ca],
    ['4.12.0', TLS_PATHS.ca],
    ['4.11.9', LEGACY_CA_PATH],
    ['4.9.0', LEGACY_CA_PATH],
    [undefined, TLS_PATHS.ca],
  ])('release %s uses CA %s', (release, ca) => expect(tlsPathsFor(release).ca).toBe(ca));
  it('a probe result wins over the release', () => {
    expect(tlsPathsFor(undefined, { legacyCa: true }).ca).toBe(LEGACY_CA_PATH);
  });
  it('etcdctl argv: the client certificate, the local endpoint, short timeouts, no shell', () => {
    expect(etcdctl(TLS_PATHS, ['member', 'list'])).toEqual([
      'etcdctl',
      '--cacert',
      '/etc/etcd/tls/etcd-ca/ca.crt',
      '--cert',
      '/etc/etcd/tls/client/etcd-client.crt',
      '--key',
      '/etc/etcd/tls/client/etcd-client.key',
      '--endpoints',
      'https://localhost:2379',
      '--dial-timeout=3s',
      '--command-timeout=5s',
      'member',
      'list',
    ]);
  });
});

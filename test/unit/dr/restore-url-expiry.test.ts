// A restoreSnapshotURL that expired before etcd came up from it: verify-available stops at once
// with what happened and what to do, instead of waiting out --wait-timeout (src/dr/restore.ts).
import { describe, expect, it } from 'vitest';
import { expiredBeforeEtcd } from '../../../src/dr/restore.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';

const hc = (etcd?: { status: string; reason?: string }): HostedCluster =>
  ({
    apiVersion: 'hypershift.openshift.io/v1beta1',
    kind: 'HostedCluster',
    metadata: { namespace: 'clusters', name: 'sample' },
    spec: {},
    status: { conditions: etcd ? [{ type: 'EtcdAvailable', lastTransitionTime: '2026-11-26T00:00:00Z', message: '', ...etcd }] : [] },
  }) as unknown as HostedCluster;
const now = new Date('2026-11-26T10:00:00Z');

describe('expiredBeforeEtcd', () => {
  it('stops when the URL expired and etcd is not available, naming the expiry and the remedy', () => {
    expect(() => expiredBeforeEtcd(hc({ status: 'False', reason: 'EtcdWaitingForQuorum' }), '2026-11-26T09:00:00Z', now)).toThrow(
      'the restoreSnapshotURL of clusters/sample expired at 2026-11-26T09:00:00Z and etcd on the destination has not come up from it (EtcdAvailable=False EtcdWaitingForQuorum); the field is immutable and read only when the HostedCluster is created, so this copy, which never served, must be deleted from the destination and restored again with a --restore-url-expires long enough for etcd to start',
    );
    expect(() => expiredBeforeEtcd(hc(), '2026-11-26T09:00:00Z', now)).toThrow(/EtcdAvailable=unknown\)/);
  });

  it.each([
    ['the URL is still valid', hc({ status: 'False' }), '2026-11-26T11:00:00Z'],
    ['etcd came up from it before it expired', hc({ status: 'True', reason: 'QuorumAvailable' }), '2026-11-26T09:00:00Z'],
    ['no expiry was journaled (a dry run)', hc({ status: 'False' }), undefined],
  ])('lets the wait go on when %s', (_label, cluster, expiresAt) => {
    expect(() => expiredBeforeEtcd(cluster, expiresAt, now)).not.toThrow();
  });
});

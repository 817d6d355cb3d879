// An HA cluster is refused by dr restore/migrate before anything changes (src/dr/restore.ts
// haRestoreProblem): upstream's etcd-init would make each member a one-member cluster of its own.
import { describe, expect, it } from 'vitest';
import { haRestoreProblem, restoreBlockers, type RestoreInputs } from '../../../src/dr/restore.ts';

const inputs = (over: Partial<RestoreInputs>): RestoreInputs =>
  ({ name: 'sample', hcNamespace: 'clusters', targetName: 'mgmt-2', namespacesLeft: [], backupProblems: [], resume: false, ...over }) as RestoreInputs;

describe('haRestoreProblem', () => {
  it('refuses three members, naming why and that nothing changed', () => {
    expect(haRestoreProblem(3)).toBe(
      "the cluster runs 3 etcd members: restored through restoreSnapshotURL, upstream's etcd-init makes each member a one-member cluster of its own (no --initial-cluster), and joining them again is not built yet; nothing was changed here (after a dr backup, dr rollback brings the source back)",
    );
    expect(restoreBlockers(inputs({ etcdMembers: 3 })).map((b) => b.message)).toEqual([haRestoreProblem(3)]);
  });

  it('lets one member, an unknown count and a resumed run through', () => {
    expect(haRestoreProblem(1)).toBeUndefined();
    expect(haRestoreProblem(undefined)).toBeUndefined();
    expect(restoreBlockers(inputs({ etcdMembers: 1 }))).toEqual([]);
    expect(restoreBlockers(inputs({ etcdMembers: 3, resume: true }))).toEqual([]);
  });
});

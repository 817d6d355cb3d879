import { describe, expect, it } from 'vitest';
import { parseAutoScaling, parseReplicas, parseTimeout, planNodePoolScale, planNodePoolSet, planNodePoolUpdate } from '../../../src/nodepool/nodepool.ts';
import { assertReleaseImage, compareVersions, parseVersion, versionOfImage } from '../../../src/nodepool/release.ts';
import { planUpgrade } from '../../../src/nodepool/upgrade.ts';
import type { HostedCluster, NodePool } from '../../../src/hostedcluster/types.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { expectRejected } from '../bad-input.ts';
import { FakeKube } from '../fake-kube.ts';
import { Resources } from '../../../src/kube/resources.ts';
import type { StepContext } from '../../../src/plan/plan.ts';

const stepCtx = (kube: FakeKube) =>
  ({
    kube: kube.asClient(),
    clusters: {},
    dryRun: 'none',
    artifacts: {},
    progress: () => {},
    warn: () => {},
    now: () => new Date(),
    sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)),
    clock: { now: () => performance.now(), sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) },
  }) as unknown as StepContext;

const IMG = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;
const np = (spec: Partial<NodePool['spec']> = {}, status: NodePool['status'] = { replicas: 2 }): NodePool => ({
  metadata: { name: 'np1', namespace: 'clusters' },
  spec: { clusterName: 'sample', replicas: 2, platform: { type: 'AWS' }, management: { upgradeType: 'Replace' }, release: { image: IMG('4.15.10') }, ...spec },
  status,
});
const hc = (image = IMG('4.15.10'), featureSet?: string): HostedCluster => ({
  metadata: { name: 'sample', namespace: 'clusters' },
  spec: { release: { image }, configuration: featureSet ? { featureGate: { featureSet } } : undefined },
});

describe('validators', () => {
  it.each(['-1', '1.5', 'two', '', '99999999999'])('--replicas %j is rejected', (v) => expect(() => parseReplicas(v)).toThrow(UsageError));
  it.each([
    ['1:5', { min: 1, max: 5 }],
    ['0:3', { min: 0, max: 3 }],
  ])('--autoscaling %s', (v, want) => expect(parseAutoScaling(v)).toEqual(want));
  it.each([
    ['5:1', /max must be equal or greater than min/],
    ['0:0', /max must be at least 1/],
    ['1-5', /not MIN:MAX/],
    ['1:', /not MIN:MAX/],
  ])('--autoscaling %s is rejected: %s', (v, msg) => expect(() => parseAutoScaling(v)).toThrow(msg));
  it.each(['1d', '5 m', '-1m', 'soon', ''])('timeout %j is rejected', (v) => expect(() => parseTimeout(v, '--drain-timeout')).toThrow(UsageError));
  it.each(['30s', '1h30m', '0', '1.5h'])('timeout %j is accepted as written', (v) => expect(parseTimeout(v, '--drain-timeout').text).toBe(v));
  it.each(['has space:1', ' quay.io/x:1', 'quay.io/ocp-release', '-x:1', `a:${'b'.repeat(253)}`])('release image %j is rejected', (v) =>
    expect(() => assertReleaseImage(v)).toThrow(UsageError),
  );
  it.each([
    [IMG('4.15.10'), '4.15.10'],
    ['quay.io/openshift-release-dev/ocp-release:4.16.0-rc.1-multi', '4.16.0-rc.1'],
    ['registry:5000/ocp/release:4.14.3', '4.14.3'],
    ['quay.io/ocp@sha256:abc', undefined],
    ['quay.io/ocp:latest', undefined],
  ])('version of %s is %s', (image, v) => expect(versionOfImage(image)?.text).toBe(v));
  it('orders pre-releases before the release', () => {
    expect(compareVersions(parseVersion('4.16.0-rc.1')!, parseVersion('4.16.0')!)).toBeLessThan(0);
    expect(compareVersions(parseVersion('4.15.10')!, parseVersion('4.15.9')!)).toBeGreaterThan(0);
  });
});

describe('arch suffixes (issue 13 item 8)', () => {
  it.each([
    ['4.15.10-multi', '4.15.10', 'multi'],
    ['4.15.10-aarch64', '4.15.10', 'aarch64'],
    ['4.15.10-ppc64le', '4.15.10', 'ppc64le'],
    ['4.15.10-s390x', '4.15.10', 's390x'],
    ['4.15.10-arm64', '4.15.10', 'aarch64'],
    ['4.16.0-rc.1-aarch64', '4.16.0-rc.1', 'aarch64'],
    ['4.16.0-ec.2', '4.16.0-ec.2', undefined],
  ])('tag %s is version %s for arch %s, not a pre-release', (tag, text, arch) => {
    const v = versionOfImage(`quay.io/openshift-release-dev/ocp-release:${tag}`)!;
    expect(v.text).toBe(text);
    expect(v.arch).toBe(arch);
    if (!text.includes('-')) expect(v.pre).toBeUndefined();
  });

  it('compares versions without the arch', () => {
    expect(compareVersions(versionOfImage(IMG('4.15.10'))!, parseVersion('4.15.10-multi')!)).toBe(0);
    expect(compareVersions(parseVersion('4.15.10-aarch64')!, parseVersion('4.15.9-multi')!)).toBeGreaterThan(0);
  });

  it('allows the x86_64 => multi migration of the same version, saying so', () => {
    const plan = planUpgrade({ hc: hc(IMG('4.15.10')), image: 'quay.io/openshift-release-dev/ocp-release:4.15.10-multi', force: false });
    expect(plan.blockers).toEqual([]);
    expect(plan.warnings.join('\n')).toMatch(/4.15.10-x86_64 => 4.15.10-multi migrates sample to the multi-arch payload/);
  });

  it.each([
    ['4.15.12-aarch64', /only the migration to a -multi payload/],
    ['4.15.12-x86_64', /going back from multi-arch is not supported/],
  ])('refuses other arch changes (%s) unless --force', (tag, msg) => {
    const from = tag.endsWith('x86_64') ? 'quay.io/openshift-release-dev/ocp-release:4.15.10-multi' : IMG('4.15.10');
    const plan = planUpgrade({ hc: hc(from), image: `quay.io/openshift-release-dev/ocp-release:${tag}`, force: false });
    expect(plan.blockers.map((b) => b.message).join()).toMatch(msg);
    expect(plan.blockers[0].override).toBe('--force');
    expect(planUpgrade({ hc: hc(from), image: `quay.io/openshift-release-dev/ocp-release:${tag}`, force: true }).blockers).toEqual([]);
  });

  it('nodepool update --wait ends when status.version (no suffix) reaches an -aarch64 release', async () => {
    const image = 'quay.io/openshift-release-dev/ocp-release:4.15.10-aarch64';
    const pool = np({ release: { image } }, { replicas: 2, version: '4.15.10', conditions: [{ type: 'UpdatingVersion', status: 'False' }] });
    const kube = new FakeKube().put(Resources.NodePool, pool).put(Resources.HostedCluster, hc());
    const plan = planNodePoolUpdate({ np: pool, hc: hc(), image, waitMs: 2000 });
    await expect(plan.steps[0].isDone!(stepCtx(kube))).resolves.toBe(true);
    await expect(plan.steps[1].run!(stepCtx(kube))).resolves.toEqual({ version: '4.15.10' });
  });

  it('upgrade --wait does not take the old x86_64 entry of the same version for the multi one', async () => {
    const multi = 'quay.io/openshift-release-dev/ocp-release:4.15.10-multi';
    const old = { image: IMG('4.15.10'), version: '4.15.10', state: 'Completed', startedTime: '2026-01-01T00:00:00Z' };
    const cluster: HostedCluster = { ...hc(IMG('4.15.10')), status: { version: { history: [old] } } };
    const kube = new FakeKube().put(Resources.HostedCluster, { ...cluster, spec: { ...cluster.spec, release: { image: multi } } });
    const plan = planUpgrade({ hc: cluster, image: multi, force: false, waitMs: 1500 });
    await expect(plan.steps[1].run!(stepCtx(kube))).rejects.toThrow(/did not complete 4.15.10 in time/);
    kube.put(Resources.HostedCluster, {
      ...cluster,
      status: { version: { history: [{ image: multi, version: '4.15.10', state: 'Completed', startedTime: '2026-01-02T00:00:00Z' }, old] } },
    });
    await expect(plan.steps[1].run!(stepCtx(kube))).resolves.toEqual({ version: '4.15.10' });
  });
});

describe('planNodePoolScale', () => {
  it('sets replicas and nulls autoScaling in one merge patch', () => {
    const plan = planNodePoolScale({ np: np({ replicas: undefined, autoScaling: { min: 1, max: 3 } }), replicas: 3, force: false });
    expect(plan.steps[0].changes).toEqual([expect.objectContaining({ patchType: 'merge', patch: { spec: { replicas: 3, autoScaling: null } } })]);
    expect(plan.blockers).toEqual([]);
  });

  it('sets autoScaling and nulls replicas in one merge patch', () => {
    const plan = planNodePoolScale({ np: np(), autoscaling: { min: 1, max: 4 }, force: false });
    expect(plan.steps[0].changes?.[0]).toMatchObject({ patch: { spec: { autoScaling: { min: 1, max: 4 }, replicas: null } } });
  });

  it.each([
    [undefined, undefined, false, true],
    ['0s', undefined, false, true],
    ['0', undefined, false, true],
    ['0s', '1m', false, false],
    [undefined, undefined, true, false],
    ['30s', undefined, false, false],
  ])('to zero with nodeDrainTimeout %s, --drain-timeout %s, --force %s: blocked %s', (current, flag, force, blocked) => {
    const plan = planNodePoolScale({ np: np({ nodeDrainTimeout: current }), replicas: 0, drainTimeout: flag, force });
    expect(plan.blockers.length > 0).toBe(blocked);
    if (blocked) expect(plan.blockers[0].override).toMatch(/--drain-timeout/);
    expect(plan.warnings[0]).toMatch(/removes its 2 node\(s\): the workloads running on them will be gone/);
    expect(plan.steps[0].destructive).toBe(true);
  });

  it('sets the drain timeout in the same patch', () => {
    const plan = planNodePoolScale({ np: np(), replicas: 0, drainTimeout: '1m', force: false });
    expect(plan.steps[0].changes?.[0]).toMatchObject({ patch: { spec: { replicas: 0, autoScaling: null, nodeDrainTimeout: '1m' } } });
  });

  it('refuses scale-from-zero where CEL does', () => {
    expect(() => planNodePoolScale({ np: np({ platform: { type: 'KubeVirt' } }), autoscaling: { min: 0, max: 2 }, force: false })).toThrow(
      /only supported on AWS and Azure/,
    );
    expect(planNodePoolScale({ np: np(), autoscaling: { min: 0, max: 2 }, force: false }).blockers).toEqual([]);
  });

  it('adds a wait step with --wait', () => {
    expect(planNodePoolScale({ np: np(), replicas: 1, force: false, waitMs: 1000 }).steps.map((s) => s.id)).toEqual(['scale', 'wait-scaled']);
  });
});

describe('planNodePoolSet and planNodePoolUpdate', () => {
  it('patches only the given timeouts', () => {
    expect(planNodePoolSet({ np: np(), volumeDetachTimeout: '5m' }).steps[0].changes?.[0]).toMatchObject({
      patch: { spec: { nodeVolumeDetachTimeout: '5m' } },
    });
  });

  it.each([
    ['4.15.12', '4.15.10', false],
    ['4.16.0', '4.15.10', true],
    ['5.0.1', '4.23.4', false],
    ['4.15.10', '4.15.10', false],
    ['4.14.20', '4.15.10', false],
  ])('NodePool release %s with control plane %s: refused %s', (npv, cpv, refused) => {
    const plan = planNodePoolUpdate({ np: np({}, { replicas: 2 }), hc: hc(IMG(cpv)), image: IMG(npv) });
    expect(plan.blockers.length > 0).toBe(refused);
    if (refused) expect(plan.blockers[0].message).toContain(`NodePool release ${npv} is a newer minor version than the HostedCluster's ${cpv}`);
  });

  it.each([
    ['Replace', /re-provisioned/],
    ['InPlace', /nodes are kept/],
  ])('explains upgradeType %s', (upgradeType, text) => {
    expect(planNodePoolUpdate({ np: np({ management: { upgradeType } }), hc: hc(), image: IMG('4.15.10') }).warnings[0]).toMatch(text);
  });
});

describe('NodePool skew as upstream decides it (issue 13 item 9)', () => {
  const completed = (v: string, at = '2026-01-01T00:00:00Z') => ({ image: IMG(v), version: v, state: 'Completed', startedTime: at, completionTime: at });
  const partial = (v: string) => ({ image: IMG(v), version: v, state: 'Partial', startedTime: '2026-02-01T00:00:00Z' });
  const upgrading = (to: string, from: string): HostedCluster => ({
    ...hc(IMG(to)),
    status: { version: { desired: { image: IMG(to), version: to }, history: [partial(to), completed(from)] } },
  });

  it('accepts a NodePool one patch ahead of the control plane, warning about SupportedVersionSkew', () => {
    const plan = planNodePoolUpdate({ np: np(), hc: hc(IMG('4.15.10')), image: IMG('4.15.12') });
    expect(plan.blockers).toEqual([]);
    expect(plan.warnings.join('\n')).toMatch(/4.15.12 is a patch ahead of the control plane's 4.15.10: the operator accepts it/);
  });

  it('compares minors with the first completed history entry, not spec.release', () => {
    // The control plane still runs 4.15 and is on its way to 4.17: a 4.16 NodePool waits for it.
    const plan = planNodePoolUpdate({ np: np(), hc: upgrading('4.17.1', '4.15.10'), image: IMG('4.16.3') });
    expect(plan.blockers).toEqual([]);
    expect(plan.warnings.join('\n')).toMatch(
      /still updating to 4.17.1 \(last completed 4.15.10\): the operator reports ValidReleaseImage=False on the NodePool until that completes/,
    );
    // A completed 4.16 with a newer Partial on top: the NodePool may go to 4.16.
    const done: HostedCluster = { ...hc(IMG('4.16.5')), status: { version: { history: [partial('4.16.5'), completed('4.16.1')] } } };
    expect(planNodePoolUpdate({ np: np(), hc: done, image: IMG('4.16.4') }).warnings.join()).not.toMatch(/ValidReleaseImage/);
  });

  it('refuses a y-stream downgrade of the NodePool', () => {
    const plan = planNodePoolUpdate({ np: np({}, { replicas: 2, version: '4.15.10' }), hc: hc(IMG('4.15.10')), image: IMG('4.14.20') });
    expect(plan.blockers[0].message).toMatch(/y-stream downgrade from 4.15.10 to 4.14.20 is not supported/);
  });

  it('warns beyond the n-3 skew', () => {
    expect(planNodePoolUpdate({ np: np({}, { replicas: 2 }), hc: hc(IMG('4.19.2')), image: IMG('4.15.10') }).warnings.join()).toMatch(
      /more than 3 minor versions behind/,
    );
  });

  const invalidPool = (generation = 3, observedGeneration = 3): NodePool => ({
    ...np(
      { release: { image: IMG('4.16.3') } },
      {
        replicas: 2,
        version: '4.15.10',
        conditions: [
          { type: 'ValidReleaseImage', status: 'False', reason: 'ValidationFailed', message: 'the latest version supported is: "4.15"', observedGeneration },
        ],
      },
    ),
    metadata: { name: 'np1', namespace: 'clusters', generation },
  });

  it('nodepool update --wait keeps waiting through the ValidReleaseImage=False of a control-plane update', async () => {
    const cluster = upgrading('4.16.3', '4.15.10');
    const kube = new FakeKube().put(Resources.NodePool, invalidPool()).put(Resources.HostedCluster, cluster);
    const plan = planNodePoolUpdate({ np: invalidPool(), hc: cluster, image: IMG('4.16.3'), waitMs: 1200 });
    await expect(plan.steps[1].run!(stepCtx(kube))).rejects.toThrow(
      /did not finish updating in time \(ValidReleaseImage=False until the control plane completes its update/,
    );
  });

  it('nodepool update --wait gives the operator time to re-judge after the control plane completed', async () => {
    const done: HostedCluster = { ...hc(IMG('4.16.3')), status: { version: { history: [completed('4.16.3', '2026-02-02T00:00:00Z'), completed('4.15.10')] } } };
    const kube = new FakeKube().put(Resources.NodePool, invalidPool()).put(Resources.HostedCluster, done);
    const plan = planNodePoolUpdate({ np: invalidPool(), hc: done, image: IMG('4.16.3'), waitMs: 1200 });
    await expect(plan.steps[1].run!(stepCtx(kube))).rejects.toThrow(
      /did not finish updating in time \(ValidReleaseImage=False from before the control plane completed 4.16.3/,
    );
  });

  it('nodepool update --wait ignores a ValidReleaseImage=False older than the NodePool generation', async () => {
    const kube = new FakeKube().put(Resources.NodePool, invalidPool(4, 3)).put(Resources.HostedCluster, hc(IMG('4.16.3')));
    const plan = planNodePoolUpdate({ np: invalidPool(4, 3), hc: hc(IMG('4.16.3')), image: IMG('4.16.3'), waitMs: 1200 });
    await expect(plan.steps[1].run!(stepCtx(kube))).rejects.toThrow(/did not finish updating in time \(ValidReleaseImage=False is from generation 3/);
  });

  it('nodepool update --wait stops on a ValidReleaseImage=False that will not clear', async () => {
    const kube = new FakeKube().put(Resources.NodePool, invalidPool()).put(Resources.HostedCluster, hc(IMG('4.15.10')));
    const plan = planNodePoolUpdate({ np: invalidPool(), hc: hc(IMG('4.15.10')), image: IMG('4.16.3'), waitMs: 5000 });
    await expect(plan.steps[1].run!(stepCtx(kube))).rejects.toThrow(/reports ValidReleaseImage=False: the latest version supported/);
  });
});

describe('release images whose version cannot be read (issue 13 item 22)', () => {
  const DIGEST = 'quay.io/openshift-release-dev/ocp-release@sha256:1234abcd';
  const withHistory = (spec = IMG('4.15.10')): HostedCluster => ({
    ...hc(spec),
    status: {
      version: {
        desired: { image: spec, version: '4.15.10' },
        history: [
          { image: IMG('4.15.10'), version: '4.15.10', state: 'Completed', completionTime: 't' },
          { image: DIGEST, version: '4.15.1', state: 'Completed', completionTime: 't' },
        ],
      },
    },
  });

  it('refuses an unreadable release as an interlock that --force overrides, naming the skipped checks', () => {
    const plan = planUpgrade({ hc: hc(), image: 'quay.io/x:notaversion', force: false });
    expect(plan.blockers).toHaveLength(1);
    expect(plan.blockers[0].message).toMatch(
      /cannot read the release version of quay.io\/x:notaversion: .* so the downgrade, architecture, \*NoUpgrade minor-update and supported-versions checks cannot be made/,
    );
    expect(plan.blockers[0].override).toMatch(/--force/);
    const forced = planUpgrade({ hc: hc(), image: 'quay.io/x:notaversion', force: true });
    expect(forced.blockers).toEqual([]);
    expect(forced.warnings.join()).toMatch(/--force: the release version of quay.io\/x:notaversion cannot be read.*are skipped/);
  });

  it('reads a digest-pinned release from status.version.history, so the downgrade check still holds', () => {
    const plan = planUpgrade({ hc: withHistory(), image: DIGEST, force: false });
    expect(plan.blockers.map((b) => b.message)).toEqual(['4.15.1 is older than the current 4.15.10: downgrades are not supported']);
    expect(plan.warnings.join()).toMatch(/is 4.15.1, as the cluster's status.version history records it/);
  });

  it('reads the current version of a digest-pinned cluster from status.version.desired', () => {
    const cluster = withHistory(DIGEST.replace('1234abcd', 'ffff'));
    cluster.status!.version!.desired = { image: DIGEST.replace('1234abcd', 'ffff'), version: '4.15.11' };
    expect(planUpgrade({ hc: cluster, image: IMG('4.15.12'), force: false }).blockers).toEqual([]);
    expect(planUpgrade({ hc: cluster, image: IMG('4.15.10'), force: false }).blockers[0].message).toMatch(/older than the current 4.15.11/);
  });

  it('refuses nodepool update to an unreadable release unless --force', () => {
    expect(planNodePoolUpdate({ np: np(), hc: hc(), image: 'quay.io/x:notaversion' }).blockers[0]).toMatchObject({
      message: expect.stringMatching(/skew checks .* cannot be made/),
      override: expect.stringMatching(/--force/),
    });
    const forced = planNodePoolUpdate({ np: np(), hc: hc(), image: 'quay.io/x:notaversion', force: true });
    expect(forced.blockers).toEqual([]);
    expect(forced.warnings.join()).toMatch(/--force: cannot read the release version/);
    expect(planNodePoolUpdate({ np: np(), hc: withHistory(), image: DIGEST }).blockers).toEqual([]);
  });
});

describe('planUpgrade', () => {
  it.each([
    [IMG('4.15.12'), undefined, false, 0],
    [IMG('4.15.9'), undefined, false, 1],
    [IMG('4.15.9'), undefined, true, 0],
    [IMG('4.16.1'), 'TechPreviewNoUpgrade', false, 1],
    [IMG('4.15.11'), 'TechPreviewNoUpgrade', false, 0],
  ])('%s with feature set %s (--force %s): %i blockers', (image, featureSet, force, blockers) => {
    const plan = planUpgrade({ hc: hc(IMG('4.15.10'), featureSet), image, force, supportedVersions: ['4.15', '4.14'] });
    expect(plan.blockers).toHaveLength(blockers);
    expect(plan.steps[0].changes?.[0]).toMatchObject({ patchType: 'merge', patch: { spec: { release: { image } } } });
  });

  it('warns about a minor the operator does not list', () => {
    expect(planUpgrade({ hc: hc(), image: IMG('4.16.1'), force: false, supportedVersions: ['4.15'] }).warnings.join()).toMatch(/4.16 is not among them/);
  });
});

describe('nodepool/upgrade commands: bad input exits 2 with one line and no API call', () => {
  it.each([
    [['nodepool', 'list', 'Bad_Name']],
    [['nodepool', 'list', '-o', 'wide']],
    [['nodepool', 'scale', 'np1']],
    [['nodepool', 'scale', 'np1', '--replicas', '1', '--autoscaling', '1:2']],
    [['nodepool', 'scale', 'np1', '--replicas', '-1']],
    [['nodepool', 'scale', 'np1', '--replicas', 'many']],
    [['nodepool', 'scale', 'np1', '--autoscaling', '3:1']],
    [['nodepool', 'scale', 'np1', '--autoscaling', '0:0']],
    [['nodepool', 'scale', 'np1', '--replicas', '0', '--drain-timeout', '1d']],
    [['nodepool', 'scale', 'np1', '--replicas', '1', '--wait', '--wait-timeout', 'later']],
    [['nodepool', 'scale', 'NP_1', '--replicas', '1']],
    [['nodepool', 'set', 'np1']],
    [['nodepool', 'set', 'np1', '--drain-timeout', '2d']],
    [['nodepool', 'set', 'np1', '--volume-detach-timeout', '5 m']],
    [['nodepool', 'set', 'np1', '--drain-timeout', '-1m']],
    [['nodepool', 'update', 'np1']],
    [['nodepool', 'update', 'np1', '--release-image', 'not an image']],
    [['nodepool', 'update', 'np1', '--release-image', 'quay.io/ocp-release']],
    [['upgrade', 'sample']],
    [['upgrade', 'Sample', '--release-image', IMG('4.15.12')]],
    [['upgrade', 'sample', '--release-image', IMG('4.15.12'), '--wait', '--wait-timeout', '1d']],
    [['upgrade', 'sample', '--release-image', IMG('4.15.12'), '--dry-run=yes']],
  ])('%j', async (argv) => {
    await expectRejected(argv);
  });
});

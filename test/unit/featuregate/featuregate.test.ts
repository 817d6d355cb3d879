import { describe, expect, it } from 'vitest';
import {
  canonicalFeatureSet,
  celRejection,
  featureGatePatch,
  featureGateView,
  planFeatureSet,
  validateCustomGates,
} from '../../../src/featuregate/featuregate.ts';
import { parseGuestKubeconfig } from '../../../src/hostedcluster/guest.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { expectRejected } from '../bad-input.ts';
import { runInProcess } from '../cli-harness.ts';

const hc = (featureSet?: string): HostedCluster => ({
  metadata: { name: 'sample', namespace: 'clusters', resourceVersion: '7' },
  spec: { configuration: featureSet === undefined ? undefined : { featureGate: { featureSet } } },
});

describe('featuregate validators', () => {
  it.each([
    ['techpreviewnoupgrade', 'TechPreviewNoUpgrade'],
    ['default', 'Default'],
    ['CustomNoUpgrade', 'CustomNoUpgrade'],
  ])('%s → %s', (v, want) => expect(canonicalFeatureSet(v)).toBe(want));
  it.each(['OKD', 'TechPreview', '', 'LatencySensitive'])('rejects feature set %j', (v) => expect(() => canonicalFeatureSet(v)).toThrow(UsageError));
  it.each([
    ['TechPreviewNoUpgrade', ['A'], [], /only to CustomNoUpgrade/],
    ['CustomNoUpgrade', [], [], /at least one/],
    ['CustomNoUpgrade', ['bad gate'], [], /not a feature gate name/],
    ['CustomNoUpgrade', ['A'], ['A'], /both enabled and disabled/],
  ] as const)('rejects %s --enable %j --disable %j', (set, enable, disable, msg) => {
    expect(() => validateCustomGates(set, [...enable], [...disable])).toThrow(msg);
  });
});

describe('CEL transitions of featureSet', () => {
  it.each([
    ['', 'TechPreviewNoUpgrade', undefined],
    [undefined, 'CustomNoUpgrade', undefined],
    ['TechPreviewNoUpgrade', '', 'TechPreviewNoUpgrade may not be changed'],
    ['TechPreviewNoUpgrade', 'DevPreviewNoUpgrade', 'TechPreviewNoUpgrade may not be changed'],
    ['DevPreviewNoUpgrade', 'DevPreviewNoUpgrade', undefined],
    ['CustomNoUpgrade', '', 'CustomNoUpgrade may not be changed'],
    ['OKD', '', 'OKD cannot transition to Default'],
    ['OKD', 'TechPreviewNoUpgrade', undefined],
  ])('%j → %j: %s', (from, to, message) => expect(celRejection(from, to)).toBe(message));

  it('blocks a change CEL would reject, with the CEL message', () => {
    const plan = planFeatureSet({ hc: hc('TechPreviewNoUpgrade'), set: 'Default' });
    expect(plan.blockers[0].message).toContain('"TechPreviewNoUpgrade may not be changed"');
    expect(plan.steps).toEqual([]);
  });

  it('marks a new *NoUpgrade set as irreversible and guards the patch with the resourceVersion when there is no generation', () => {
    const plan = planFeatureSet({ hc: hc(), set: 'TechPreviewNoUpgrade' });
    expect(plan.irreversible).toBe(true);
    expect(plan.warnings[0]).toMatch(/cannot be undone and blocks minor version updates/);
    expect(plan.steps[0].changes?.[0]).toMatchObject({
      patchType: 'json',
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/spec/configuration', value: { featureGate: { featureSet: 'TechPreviewNoUpgrade' } } },
      ],
    });
  });

  it('guards with the generation, which status writes do not move (a resourceVersion guard got a 409 from every operator status write)', () => {
    const withGen: HostedCluster = { ...hc(), metadata: { ...hc().metadata, generation: 3 } };
    expect(featureGatePatch(withGen, { featureSet: 'TechPreviewNoUpgrade' })[0]).toEqual({ op: 'test', path: '/metadata/generation', value: 3 });
    const bare: HostedCluster = { metadata: { name: 'sample', namespace: 'clusters', generation: 3 }, spec: {} };
    expect(featureGatePatch(bare, { featureSet: '' })[1]).toEqual({ op: 'add', path: '/spec/configuration', value: { featureGate: { featureSet: '' } } });
  });

  it('changes CustomNoUpgrade gates without asking again', () => {
    const plan = planFeatureSet({ hc: hc('CustomNoUpgrade'), set: 'CustomNoUpgrade', custom: { enabled: ['A'], disabled: [] } });
    expect(plan.irreversible).toBe(false);
    expect(plan.blockers).toEqual([]);
    expect(plan.steps[0].changes?.[0]).toMatchObject({ patch: [{}, { value: { featureSet: 'CustomNoUpgrade', customNoUpgrade: { enabled: ['A'] } } }] });
  });

  describe('existing CustomNoUpgrade gates (issue 13 item 17)', () => {
    const custom = (enabled: string[], disabled: string[]): HostedCluster => ({
      metadata: { name: 'sample', namespace: 'clusters', resourceVersion: '7' },
      spec: { configuration: { featureGate: { featureSet: 'CustomNoUpgrade', customNoUpgrade: { enabled, disabled } } } },
    });
    const written = (plan: ReturnType<typeof planFeatureSet>) =>
      ((plan.steps[0].changes ?? [])[0] as { patch: [unknown, { value: { customNoUpgrade: unknown } }] }).patch[1].value.customNoUpgrade;

    it('keeps the gates not named again, moves the named ones, and says which stay', () => {
      const plan = planFeatureSet({ hc: custom(['A', 'B'], ['C']), set: 'CustomNoUpgrade', custom: { enabled: ['D'], disabled: ['B'] } });
      expect(written(plan)).toEqual({ enabled: ['A', 'D'], disabled: ['C', 'B'] });
      expect(plan.warnings).toContain('feature gate(s) A, C stay as they are (--replace would drop them)');
      expect(plan.steps[0].title).toContain('(enabled: A,D; disabled: C,B)');
    });

    it('--replace writes only the named gates and shows the dropped ones in the plan', () => {
      const plan = planFeatureSet({ hc: custom(['A', 'B'], ['C']), set: 'CustomNoUpgrade', custom: { enabled: ['D'], disabled: ['B'] }, replace: true });
      expect(written(plan)).toEqual({ enabled: ['D'], disabled: ['B'] });
      expect(plan.warnings).toContain('--replace drops feature gate(s) A, C from the CustomNoUpgrade lists');
      expect(plan.steps[0].title).toContain('dropped: A,C');
    });

    it('sends nothing when the merge changes nothing', () => {
      expect(planFeatureSet({ hc: custom(['A', 'B'], ['C']), set: 'CustomNoUpgrade', custom: { enabled: ['B'], disabled: [] } }).steps[0].changes).toEqual([]);
    });
  });

  it('does nothing when already set', () => {
    expect(planFeatureSet({ hc: hc('TechPreviewNoUpgrade'), set: 'TechPreviewNoUpgrade' }).steps[0].changes).toEqual([]);
  });

  it('shows whether the guest caught up', () => {
    const v = featureGateView(hc('TechPreviewNoUpgrade'), { source: 's', object: { metadata: { name: 'cluster' }, spec: {} } });
    expect(v.guest).toMatchObject({ available: true, featureSet: 'Default', inSync: false });
  });
});

describe('guest kubeconfig', () => {
  it('parses the admin kubeconfig from text, without files', () => {
    const text = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:6443'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;
    expect(parseGuestKubeconfig(text, 'secret clusters/sample-admin-kubeconfig')).toMatchObject({
      server: 'https://127.0.0.1:6443',
      clusterName: 'c',
      userName: 'u',
    });
  });
});

describe('featuregate commands', () => {
  it.each([
    [['featuregate', 'show']],
    [['featuregate', 'show', 'Bad_Name']],
    [['featuregate', 'set', 'sample']],
    [['featuregate', 'set', 'sample', 'OKD']],
    [['featuregate', 'set', 'sample', 'TechPreview']],
    [['featuregate', 'set', 'sample', 'TechPreviewNoUpgrade', '--enable', 'A']],
    [['featuregate', 'set', 'sample', 'CustomNoUpgrade']],
    [['featuregate', 'set', 'sample', 'CustomNoUpgrade', '--enable', 'a b']],
    [['featuregate', 'set', 'sample', 'Default', '--dry-run=full']],
    [['featuregate', 'set', 'sample', 'TechPreviewNoUpgrade', '--replace']],
  ])('%j exits 2 with one line and no API call', async (argv) => {
    await expectRejected(argv);
  });

  it('a valid request goes on to the cluster', async () => {
    const r = await runInProcess(['featuregate', 'set', 'sample', 'TechPreviewNoUpgrade']);
    expect(r.stderr).toMatch(/kubeconfig/);
  });
});

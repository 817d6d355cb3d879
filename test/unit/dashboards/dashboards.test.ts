import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkTemplate,
  dashboardName,
  dashboardsFlagState,
  operatorDashboardsWaitStep,
  planDashboardsToggle,
  renderTemplate,
  toggledFlags,
  type ConfigMap,
} from '../../../src/dashboards/dashboards.ts';
import { defaultTemplate } from '../../../src/dashboards/default-template.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { runInProcess } from '../cli-harness.ts';
import { expectRejected } from '../bad-input.ts';

const cm = (data?: Record<string, string>): ConfigMap => ({
  metadata: { name: 'hypershift-operator-install-flags', namespace: 'local-cluster', resourceVersion: '42' },
  data,
});

describe('install flags', () => {
  it.each([
    [true, {}, '--monitoring-dashboards', ''],
    [
      true,
      { installFlagsToAdd: '--metrics-set SRE', installFlagsToRemove: '--monitoring-dashboards --foo' },
      '--metrics-set SRE --monitoring-dashboards',
      '--foo',
    ],
    [true, { installFlagsToAdd: '--monitoring-dashboards  --x' }, '--x --monitoring-dashboards', ''],
    [false, { installFlagsToAdd: '--metrics-set SRE --monitoring-dashboards', installFlagsToRemove: '' }, '--metrics-set SRE', '--monitoring-dashboards'],
    [false, { installFlagsToAdd: '--monitoring-dashboards=true' }, '', '--monitoring-dashboards'],
    [false, { installFlagsToRemove: '--a' }, '', '--a --monitoring-dashboards'],
  ])('enable=%s of %j keeps other flags', (enable, data, add, remove) => {
    expect(toggledFlags(data, enable)).toEqual({ add, remove });
  });

  it.each([
    [null, 'absent'],
    [cm({ installFlagsToAdd: '--monitoring-dashboards' }), 'enabled'],
    [cm({ installFlagsToAdd: '--monitoring-dashboards', installFlagsToRemove: '--monitoring-dashboards' }), 'disabled'],
    [cm({ installFlagsToAdd: '--metrics-set SRE' }), 'absent'],
  ])('state of %j is %s', (c, state) => expect(dashboardsFlagState(c)).toBe(state));

  it('creates the configmap when absent', () => {
    const plan = planDashboardsToggle({ enable: true, existing: null, prune: [] });
    expect(plan.steps[0].changes).toEqual([
      expect.objectContaining({
        op: 'create',
        body: {
          metadata: { name: 'hypershift-operator-install-flags', namespace: 'local-cluster' },
          data: { installFlagsToAdd: '--monitoring-dashboards', installFlagsToRemove: '' },
        },
      }),
    ]);
  });

  it('patches with the resourceVersion read, so a concurrent edit conflicts', () => {
    const plan = planDashboardsToggle({ enable: true, existing: cm({ installFlagsToAdd: '--metrics-set SRE' }), prune: [] });
    expect(plan.steps[0].changes?.[0]).toMatchObject({
      op: 'patch',
      patchType: 'merge',
      patch: { metadata: { resourceVersion: '42' }, data: { installFlagsToAdd: '--metrics-set SRE --monitoring-dashboards' } },
    });
  });

  it('changes nothing when already enabled', () => {
    const plan = planDashboardsToggle({ enable: true, existing: cm({ installFlagsToAdd: '--monitoring-dashboards', installFlagsToRemove: '' }), prune: [] });
    expect(plan.steps[0].changes).toEqual([]);
  });

  it('warns on disable that dashboards stay, and prunes them destructively with --prune', () => {
    expect(planDashboardsToggle({ enable: false, existing: null, prune: [] }).warnings[0]).toMatch(/leaves the existing hc-\* dashboards.*--prune/);
    const plan = planDashboardsToggle({ enable: false, existing: null, prune: [{ metadata: { name: 'hc-clusters-sample' } }] });
    expect(plan.warnings).toEqual([]);
    expect(plan.steps[1]).toMatchObject({
      destructive: true,
      changes: [{ op: 'delete', ref: { namespace: 'openshift-config-managed', name: 'hc-clusters-sample' } }],
    });
  });
});

describe('template', () => {
  const hc = { metadata: { name: 'my.cluster', namespace: 'clusters' }, spec: { clusterID: 'abc-123' } } as HostedCluster;

  it('renders every placeholder as the operator does', () => {
    const out = renderTemplate('{"t":"__NAME__ __NAMESPACE__ __CONTROL_PLANE_NAMESPACE__ __CLUSTER_ID__ __NAME__"}', hc);
    expect(out).toBe('{"t":"my.cluster clusters clusters-my-cluster abc-123 my.cluster"}');
    expect(dashboardName('clusters', 'sample')).toBe('hc-clusters-sample');
  });

  it("upstream's default template uses the control-plane namespace", () => {
    expect(checkTemplate(defaultTemplate(), 'default').unused).not.toContain('__CONTROL_PLANE_NAMESPACE__');
  });

  it('reports unused and unknown placeholders', () => {
    expect(checkTemplate('{"a":"__NAME__ __CLUSTER__"}', 'f')).toEqual({
      unused: ['__NAMESPACE__', '__CONTROL_PLANE_NAMESPACE__', '__CLUSTER_ID__'],
      unknown: ['__CLUSTER__'],
    });
  });

  it.each(['', '{', '[1,2]', '"text"', '{"a":1,}'])('rejects %j as a template', (text) => {
    expect(() => checkTemplate(text, 'f.json')).toThrow(UsageError);
  });
});

describe('dashboards commands: bad input exits 2 with one line and no API call', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-dash-'));
  const notJson = join(dir, 'bad.json');
  writeFileSync(notJson, '{"a":\n');
  it.each([
    [['dashboards', 'enable', '--wait', '--wait-timeout', 'forever']],
    [['dashboards', 'enable', '--prune']],
    [['dashboards', 'disable', '--dry-run=sometimes']],
    [['dashboards', 'status', '-o', 'xml']],
    [['dashboards', 'template', 'set']],
    [['dashboards', 'template', 'set', '-f', '/nonexistent.json']],
    [['dashboards', 'template', 'set', '-f', notJson]],
    [['dashboards', 'template', 'render']],
    [['dashboards', 'template', 'render', 'Bad_Name']],
    [['dashboards', 'template', 'render', 'sample', '-f', notJson]],
  ])('%j', async (argv) => {
    await expectRejected(argv);
  });

  it('template get --default needs no cluster', async () => {
    const r = await runInProcess(['dashboards', 'template', 'get', '--default']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).refresh).toBe('10s');
  });
});

describe('disable --prune waits for the old operator pod to be gone (issue 13 item 19)', () => {
  const env = (on: boolean) => (on ? [{ name: 'MONITORING_DASHBOARDS', value: '1' }] : []);
  const deployment = (on: boolean, rolledOut: boolean) => ({
    metadata: { name: 'operator', namespace: 'hypershift', generation: 4 },
    spec: { replicas: 1, selector: { matchLabels: { app: 'operator' } }, template: { spec: { containers: [{ name: 'operator', env: env(on) }] } } },
    status: rolledOut
      ? { observedGeneration: 4, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }
      : { observedGeneration: 4, replicas: 2, updatedReplicas: 1, availableReplicas: 1 },
  });
  const pod = (name: string, on: boolean, terminating = false) => ({
    metadata: { name, namespace: 'hypershift', ...(terminating ? { deletionTimestamp: '2026-11-25T00:00:00Z' } : {}) },
    spec: { containers: [{ name: 'operator', env: env(on) }] },
  });
  /** Each probe sees the next state; the last one stays. */
  const states = (...list: { d: object; pods: object[] }[]) => {
    let i = -1;
    const at = () => list[Math.min(i, list.length - 1)];
    return {
      getOrNull: async () => (i++, structuredClone(at().d)),
      list: async (_rt: unknown, opts: { labelSelector?: string }) => {
        expect(opts.labelSelector).toBe('app=operator');
        return { items: structuredClone(at().pods) };
      },
    };
  };
  const ctx = (kube: object) =>
    ({ kube, progress: () => {}, clock: { now: () => performance.now(), sleep: (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 5))) } }) as never;

  it('is not done while a pod that still has MONITORING_DASHBOARDS=1 runs, even a terminating one', async () => {
    const kube = states(
      { d: deployment(false, false), pods: [pod('operator-old', true), pod('operator-new', false)] },
      { d: deployment(false, true), pods: [pod('operator-old', true, true), pod('operator-new', false)] },
    );
    await expect(operatorDashboardsWaitStep(false, 'hypershift', 300).run!(ctx(kube))).rejects.toThrow(
      /pod\(s\) still running with the old value: operator-old \(terminating\)/,
    );
  });

  it('is done once the rollout finished and the old pod is gone', async () => {
    const kube = states(
      { d: deployment(false, true), pods: [pod('operator-old', true, true), pod('operator-new', false)] },
      { d: deployment(false, true), pods: [pod('operator-new', false)] },
    );
    await expect(operatorDashboardsWaitStep(false, 'hypershift', 5000).run!(ctx(kube))).resolves.toEqual({
      operatorEnv: 'MONITORING_DASHBOARDS unset, rolled out',
    });
  });

  it('comes before the prune in the plan', () => {
    const plan = planDashboardsToggle({
      enable: false,
      existing: null,
      prune: [{ metadata: { name: 'hc-clusters-sample' } }],
      waitMs: 1000,
      operatorNamespace: 'hypershift',
    });
    expect(plan.steps.map((s) => s.id)).toEqual(['install-flags', 'wait-operator', 'prune-dashboards']);
  });
});

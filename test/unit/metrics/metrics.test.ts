import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canonicalMetricsSet,
  envPatch,
  interpretOperatorMetricsSet,
  planClusterMetricsSet,
  planGlobalMetricsSet,
  type Deployment,
} from '../../../src/metrics/metrics-set.ts';
import { formatProblem, re2Error, validateSreConfig } from '../../../src/metrics/sre-config.ts';
import { DEFAULT_SRE_CONFIG } from '../../../src/metrics/default-sre-config.ts';
import { observeMetrics, planSreConfigApply, renderMetricsView } from '../../../src/metrics/observe.ts';
import { flagValue, withoutFlag } from '../../../src/metrics/install-flags.ts';
import { UsageError } from '../../../src/util/errors.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { runInProcess } from '../cli-harness.ts';
import { expectRejected } from '../bad-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'hcp-metrics-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const deployment = (env?: { name: string; value?: string }[]): Deployment => ({
  metadata: { name: 'operator', namespace: 'hypershift' },
  spec: { template: { spec: { containers: [{ name: 'operator', image: 'hypershift:1', env }] } } },
});

describe('canonicalMetricsSet', () => {
  it.each([
    ['sre', 'SRE'],
    ['SRE', 'SRE'],
    ['telemetry', 'Telemetry'],
    ['ALL', 'All'],
  ])('%s → %s', (input, want) => expect(canonicalMetricsSet(input)).toBe(want));

  it.each(['', 'Sre2', 'none', ' SRE', 'Telemetry,SRE'])('rejects %j with a UsageError', (input) => {
    expect(() => canonicalMetricsSet(input)).toThrow(UsageError);
  });

  it.each([
    [undefined, 'Telemetry', false],
    ['', 'Telemetry', false],
    ['sRe', 'SRE', false],
    ['bogus', undefined, true],
  ])('the operator reads METRICS_SET=%j as %s (invalid: %s)', (raw, set, invalid) => {
    expect(interpretOperatorMetricsSet(raw)).toMatchObject({ set, invalid });
  });
});

describe('planGlobalMetricsSet', () => {
  it('patches only METRICS_SET of the operator container with a strategic merge patch', () => {
    const plan = planGlobalMetricsSet({ namespace: 'hypershift', deployment: deployment([{ name: 'OTHER', value: 'x' }]), set: 'All', sreConfig: 'missing' });
    expect(plan.steps[0].changes).toEqual([
      {
        op: 'patch',
        ref: expect.objectContaining({ name: 'operator', namespace: 'hypershift' }),
        patchType: 'strategic',
        patch: envPatch('operator', 'METRICS_SET', 'All'),
      },
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it.each([
    ['missing', /filters nothing.*sre-config apply/],
    ['invalid', /not valid/],
  ] as const)('warns when SRE is chosen and the config is %s', (state, warning) => {
    const plan = planGlobalMetricsSet({ namespace: 'hypershift', deployment: deployment(), set: 'SRE', sreConfig: state });
    expect(plan.warnings.join('\n')).toMatch(warning);
  });

  it('says that the current value crashloops the operator', () => {
    const plan = planGlobalMetricsSet({
      namespace: 'hypershift',
      deployment: deployment([{ name: 'METRICS_SET', value: 'bogus' }]),
      set: 'SRE',
      sreConfig: 'valid',
    });
    expect(plan.warnings.join('\n')).toMatch(/crashloops/);
  });

  it('sets the per-cluster override with a merge patch', () => {
    const hc = { metadata: { name: 'sample', namespace: 'clusters' }, spec: {} } as HostedCluster;
    expect(planClusterMetricsSet({ hc, set: 'SRE' }).steps[0].changes?.[0]).toMatchObject({
      patchType: 'merge',
      patch: { spec: { monitoring: { metricsSet: 'SRE' } } },
    });
  });

  describe('--unset --hosted-cluster (issue 13 item 20)', () => {
    /** A HostedCluster store that PUTs with a resourceVersion check; `racer` changes it once between a read and the write. */
    const store = (spec: HostedCluster['spec'], racer?: (o: HostedCluster) => void) => {
      let obj: HostedCluster = { metadata: { name: 'sample', namespace: 'clusters', resourceVersion: '1' }, spec };
      let reads = 0;
      const kube = {
        get: async () => structuredClone(obj),
        update: async (_rt: unknown, _ns: unknown, _n: unknown, mutate: (o: HostedCluster) => boolean | void) => {
          for (;;) {
            const copy = structuredClone(obj);
            if (mutate(copy) === false) return { object: obj, changed: false };
            if (racer && reads++ === 0) {
              racer(obj);
              obj = { ...obj, metadata: { ...obj.metadata, resourceVersion: '2' } };
            }
            if (copy.metadata.resourceVersion !== obj.metadata.resourceVersion) continue; // 409: read again
            obj = { ...copy, metadata: { ...copy.metadata, resourceVersion: String(Number(copy.metadata.resourceVersion) + 1) } };
            return { object: obj, changed: true };
          }
        },
      };
      return { kube, current: () => obj };
    };
    const run = async (s: ReturnType<typeof store>) => {
      const plan = planClusterMetricsSet({ hc: await s.kube.get(), set: null });
      expect(plan.steps[0].changes ?? []).toEqual([]);
      await plan.steps[0].run!({ kube: s.kube } as never);
    };

    it('removes spec.monitoring whole when metricsSet is all it holds', async () => {
      const s = store({ monitoring: { metricsSet: 'SRE' } });
      await run(s);
      expect(s.current().spec.monitoring).toBeUndefined();
    });

    it('removes only metricsSet next to other settings', async () => {
      const s = store({ monitoring: { metricsSet: 'SRE', metricsForwarding: { mode: 'None' } } as never });
      await run(s);
      expect(s.current().spec.monitoring).toEqual({ metricsForwarding: { mode: 'None' } });
    });

    it('keeps a metricsForwarding added between the read and the write', async () => {
      const s = store({ monitoring: { metricsSet: 'SRE' } }, (o) => {
        (o.spec.monitoring as Record<string, unknown>).metricsForwarding = { mode: 'Forward' };
      });
      await run(s);
      expect(s.current().spec.monitoring).toEqual({ metricsForwarding: { mode: 'Forward' } });
    });
  });
});

describe('validateSreConfig', () => {
  it("accepts the docs' example", () => {
    const v = validateSreConfig(DEFAULT_SRE_CONFIG);
    expect(v.problems).toEqual([]);
    expect(v.components).toMatchObject({ kubeAPIServer: 11, cvo: 1 });
  });

  it.each([
    ['(?=lookahead)', /not valid RE2/],
    ['(a)\\1', /not valid RE2/],
    ['[', /missing closing ]/],
    ['a{1001}', /invalid repeat count/],
  ])('rejects the regex %s, which Go RE2 rejects', (regex, message) => {
    expect(re2Error(regex)).toBeDefined();
    const v = validateSreConfig(`etcd:\n  - action: drop\n    sourceLabels: ["__name__"]\n    regex: ${JSON.stringify(regex)}\n`);
    expect(v.problems).toHaveLength(1);
    expect(formatProblem(v.problems[0], 'f.yaml')).toMatch(/^f\.yaml:4: etcd\[1\]: /);
    expect(v.problems[0].message).toMatch(message);
  });

  // Each case: the text, the line and component named, and the message.
  it.each([
    ['kubeApiServer:\n  - action: drop\n    regex: x\n', 1, 'kubeApiServer', /unknown component \(did you mean kubeAPIServer\?\)/],
    ['etcd:\n  - action: drop\n    regex: x\n    source_labels: [a]\n', 4, 'etcd', /unknown field "source_labels" \(use sourceLabels\)/],
    ['etcd:\n  - action: Drop\n    regex: x\n', 2, 'etcd', /action "Drop" is not one of .* \(write "drop"\)/],
    ['etcd:\n  - action: delete\n', 2, 'etcd', /action "delete"/],
    ['etcd:\n  - action: drop\n    sourceLabels: __name__\n', 3, 'etcd', /sourceLabels must be a list/],
    ['etcd:\n  - action: drop\n    sourceLabels: ["bad-label"]\n', 3, 'etcd', /not a label name/],
    ['etcd:\n  - action: drop\n    regex: 12\n', 3, 'etcd', /regex must be a string/],
    ['etcd:\n  - action: hashmod\n    targetLabel: t\n', 2, 'etcd', /modulus greater than 0/],
    ['etcd:\n  - regex: x\n    sourceLabels: [a]\n', 2, 'etcd', /action replace \(the default when action is missing\) needs targetLabel/],
    ['etcd:\n  action: drop\n', 1, 'etcd', /must be a list/],
    ['cvo:\n  - action: drop\n    regex: a\netcd:\n  - action: drop\n    regex: "("\n', 6, 'etcd', /not valid RE2/],
  ])('rejects %j at line %i of %s', (text, line, component, message) => {
    const v = validateSreConfig(text);
    expect(v.problems[0]).toMatchObject({ line, component });
    expect(v.problems[0].message).toMatch(message);
  });

  it.each([
    ['', /empty/],
    ['- a\n- b\n', /must be a mapping/],
    ['etcd: [\n', /not valid YAML/],
    ['etcd: []\netcd: []\n', /not valid YAML: duplicated mapping key/],
  ])('rejects the document %j', (text, message) => {
    expect(validateSreConfig(text).problems[0].message).toMatch(message);
  });

  it('warns about components the operator ignores', () => {
    expect(validateSreConfig('controlPlaneOperator: []\n').warnings).toEqual(['controlPlaneOperator is parsed but ignored by the operator']);
  });

  it('creates or patches configmap sre-metric-set key config', () => {
    expect(planSreConfigApply({ namespace: 'hypershift', existing: null, text: 'etcd: []\n' }).steps[0].changes?.[0]).toMatchObject({
      op: 'create',
      body: { metadata: { name: 'sre-metric-set', namespace: 'hypershift' }, data: { config: 'etcd: []\n' } },
    });
    expect(
      planSreConfigApply({ namespace: 'hypershift', existing: { metadata: { name: 'sre-metric-set' } }, text: 'etcd: []\n' }).steps[0].changes?.[0],
    ).toMatchObject({ op: 'patch', patchType: 'merge', patch: { data: { config: 'etcd: []\n' } } });
  });
});

describe('metrics commands: bad input exits 2 with one line and no API call', () => {
  const bad = file('bad.yaml', 'etcd:\n  - action: drop\n    regex: "(?=x)"\n');
  const notYaml = file('not.yaml', 'etcd: [\n');
  it.each([
    [['metrics', 'set']],
    [['metrics', 'set', 'Sre2']],
    [['metrics', 'set', 'SRE', '--unset', '--hosted-cluster', 'sample']],
    [['metrics', 'set', '--unset']],
    [['metrics', 'set', 'SRE', '--hosted-cluster', 'Bad_Name']],
    [['metrics', 'set', 'SRE', '--hosted-cluster', 'sample', '--wait']],
    [['metrics', 'set', 'SRE', '--wait', '--wait-timeout', '2d']],
    [['metrics', 'set', 'SRE', '--dry-run=maybe']],
    [['metrics', 'show', '-o', 'xml']],
    [['metrics', 'sre-config', 'apply']],
    [['metrics', 'sre-config', 'apply', '-f', '/nonexistent/sre.yaml']],
    [['metrics', 'sre-config', 'apply', '-f', bad]],
    [['metrics', 'sre-config', 'apply', '-f', notYaml]],
    [['metrics', 'sre-config', 'apply', '-f', dir]],
  ])('%j', async (argv) => {
    await expectRejected(argv);
  });

  it('apply names the file, line and component', async () => {
    const r = await runInProcess(['metrics', 'sre-config', 'apply', '-f', bad]);
    expect(r.stderr).toBe(
      `error: ${bad}:3: etcd[1]: regex "(?=x)" is not valid RE2 (Prometheus would reject it): invalid or unsupported Perl syntax: \`(?=\`\n`,
    );
  });

  it('validate lists every problem and exits 2; default passes validate', async () => {
    const two = file('two.yaml', 'etcd:\n  - action: Drop\n    regex: "["\n');
    const r = await runInProcess(['metrics', 'sre-config', 'validate', '-f', two]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
    const d = await runInProcess(['metrics', 'sre-config', 'default']);
    expect(d.code).toBe(0);
    const ok = await runInProcess(['metrics', 'sre-config', 'validate', '-f', file('default.yaml', d.stdout)]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid \(kubeAPIServer: 11/);
  });
});

describe('metrics set on an MCE/ACM hub (issue 13 item 18)', () => {
  const operator = (value?: string): Deployment => ({
    metadata: { name: 'operator', namespace: 'hypershift' },
    spec: { template: { spec: { containers: [{ name: 'operator', env: value === undefined ? [] : [{ name: 'METRICS_SET', value }] }] } } },
  });
  const flagsCm = (add: string, remove = '') => ({
    metadata: { name: 'hypershift-operator-install-flags', namespace: 'local-cluster', resourceVersion: '12' },
    data: { installFlagsToAdd: add, installFlagsToRemove: remove },
  });

  it.each([
    ['--metrics-set SRE', 'SRE'],
    ['--monitoring-dashboards --metrics-set=All --platform-monitoring=OperatorOnly', 'All'],
    ['--metrics-set', ''],
    ['--monitoring-dashboards', undefined],
    ['--metrics-set SRE --metrics-set All', 'All'],
  ])('reads %j as metrics set %j', (list, want) => expect(flagValue(list, '--metrics-set')).toBe(want));

  it('drops --metrics-set with its value and keeps every other flag in place', () => {
    expect(withoutFlag('--a --metrics-set SRE --b=1 --metrics-set=All --c', '--metrics-set')).toEqual(['--a', '--b=1', '--c']);
  });

  it('writes --metrics-set into the install flags with the resourceVersion, and never patches the deployment', () => {
    const cm = flagsCm('--monitoring-dashboards --metrics-set=Telemetry --enable-etcd-recovery', '--metrics-set --platform-monitoring');
    const plan = planGlobalMetricsSet({
      namespace: 'hypershift',
      deployment: operator('Telemetry'),
      set: 'SRE',
      sreConfig: 'valid',
      installFlags: { managed: true, configmap: cm },
    });
    expect(plan.steps.map((s) => s.id)).toEqual(['install-flags-metrics-set']);
    expect(plan.steps[0].changes).toEqual([
      {
        op: 'patch',
        ref: expect.objectContaining({ namespace: 'local-cluster', name: 'hypershift-operator-install-flags' }),
        patchType: 'merge',
        patch: {
          metadata: { resourceVersion: '12' },
          data: { installFlagsToAdd: '--monitoring-dashboards --enable-etcd-recovery --metrics-set SRE', installFlagsToRemove: '--platform-monitoring' },
        },
      },
    ]);
    expect(plan.warnings.join('\n')).toMatch(/the hypershift addon deploys the operator on this MCE\/ACM hub: METRICS_SET is set as --metrics-set SRE/);
    expect(plan.warnings.join('\n')).toMatch(/runs with METRICS_SET=Telemetry until the addon redeploys it/);
  });

  it('creates the configmap on a hub that has none, and waits for the pods with --wait', () => {
    const plan = planGlobalMetricsSet({
      namespace: 'hypershift',
      deployment: operator(),
      set: 'All',
      sreConfig: 'valid',
      installFlags: { managed: true, configmap: null },
      waitMs: 1000,
    });
    expect(plan.steps[0].changes?.[0]).toMatchObject({ op: 'create', body: { data: { installFlagsToAdd: '--metrics-set All', installFlagsToRemove: '' } } });
    expect(plan.steps.map((s) => s.id)).toEqual(['install-flags-metrics-set', 'wait-operator-env']);
  });

  it('patches the deployment where no addon manages the operator', () => {
    const plan = planGlobalMetricsSet({
      namespace: 'hypershift',
      deployment: operator(),
      set: 'All',
      sreConfig: 'valid',
      installFlags: { managed: false, configmap: null },
    });
    expect(plan.steps[0]).toMatchObject({ id: 'set-metrics-set', changes: [{ patchType: 'strategic' }] });
  });

  it('metrics show reads both the deployment and the install flags', async () => {
    const kube = {
      getOrNull: async (rt: { kind: string }, ns: string | undefined, name: string) => {
        if (rt.kind === 'Deployment') return operator('Telemetry');
        if (rt.kind === 'ConfigMap' && ns === 'local-cluster' && name === 'hypershift-operator-install-flags')
          return flagsCm('--monitoring-dashboards --metrics-set sre');
        return null;
      },
      list: async () => ({ items: [] }),
    };
    const view = await observeMetrics(kube as never, 'hypershift');
    expect(view.installFlags).toEqual({
      configmap: 'ConfigMap local-cluster/hypershift-operator-install-flags',
      exists: true,
      metricsSet: 'SRE',
      removed: false,
      applied: false,
    });
    expect(renderMetricsView(view)).toMatch(
      /Install flags \(MCE\):   --metrics-set SRE in ConfigMap local-cluster\/hypershift-operator-install-flags: not what the operator runs/,
    );
  });
});

// The simulated operator's pure rules against upstream's values (no sandbox needed). Each case
// names the upstream file under ../shared/upstream/src/ whose behaviour it pins down.
import { describe, expect, it } from 'vitest';
import { txtName } from '../../scripts/sandbox/operator/external-dns.ts';
import { releaseImageError } from '../../scripts/sandbox/operator/hostedcluster.ts';
import { parseMetricsSet, sreConfigError } from '../../scripts/sandbox/operator/monitoring.ts';
import { releaseError } from '../../scripts/sandbox/operator/nodepool.ts';
import { pausedState, reconciliationActiveCondition } from '../../scripts/sandbox/operator/paused.ts';
import type { Obj } from '../../scripts/sandbox/operator/shared.ts';

const IMG = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;

describe('support/util/pausereconcile.go GenerateReconciliationActiveCondition', () => {
  const cond = (v: string | undefined) => reconciliationActiveCondition(v, pausedState(v, new Date('2026-01-01T00:00:00Z')));
  it('a bool pauses "until field removed"', () => {
    for (const v of ['true', 'True', '1', 't'])
      expect(cond(v)).toEqual({ status: 'False', reason: 'ReconciliationPaused', message: 'Reconciliation paused until field removed' });
  });
  it('a time prints the raw field value', () => {
    expect(cond('2099-01-01T00:00:00+02:00')).toEqual({
      status: 'False',
      reason: 'ReconciliationPaused',
      message: 'Reconciliation paused until: 2099-01-01T00:00:00+02:00',
    });
  });
  it('an invalid value is not paused and its message has no value', () => {
    expect(cond('2099-01-01T00:00:00')).toEqual({ status: 'True', reason: 'InvalidPausedUntilValue', message: 'Invalid value provided for PausedUntil field' });
  });
  it('false, a past time and nothing are active', () => {
    for (const v of ['false', '2020-01-01T00:00:00Z', undefined])
      expect(cond(v)).toEqual({ status: 'True', reason: 'AsExpected', message: 'Reconciliation active on resource' });
  });
});

describe('nodepool_controller.go getReleaseImage + support/supportedversion/version.go IsValidReleaseVersion', () => {
  const hc = (spec: string, history: { version: string; completionTime: string | null }[] = []): Obj => ({
    metadata: { name: 'h', namespace: 'n' },
    spec: { release: { image: IMG(spec) } },
    status: { version: { history } },
  });
  const np = (v: string, status?: string): Obj => ({
    metadata: { name: 'p', namespace: 'n' },
    spec: { release: { image: IMG(v) } },
    status: status ? { version: status } : {},
  });

  it('a patch ahead of the cluster is valid: only minor versions count', () => {
    expect(releaseError(hc('4.15.10', [{ version: '4.15.10', completionTime: '2026-01-01T00:00:00Z' }]), np('4.15.12'))).toBeUndefined();
  });
  it('a newer minor is invalid, against the first completed history entry, with the version trimmed only of ".0"', () => {
    const cluster = hc('4.16.2', [
      { version: '4.16.2', completionTime: null },
      { version: '4.15.10', completionTime: '2026-01-01T00:00:00Z' },
    ]);
    expect(releaseError(cluster, np('4.16.2'))).toBe('the latest version supported is: "4.15.10". Attempting to use: "4.16.2"');
    expect(releaseError(hc('4.15.0', [{ version: '4.15.0', completionTime: 'x' }]), np('4.16.0'))).toBe(
      'the latest version supported is: "4.15". Attempting to use: "4.16.0"',
    );
  });
  it('without a completed entry the spec release counts', () => {
    expect(releaseError(hc('4.16.2'), np('4.16.0'))).toBeUndefined();
  });
  it("a y-stream downgrade from the NodePool's version is refused", () => {
    expect(releaseError(hc('4.15.10'), np('4.14.3', '4.15.10'))).toBe('y-stream downgrade from "4.15.10" to "4.14.3" is not supported');
  });
});

describe('hypershift-operator/main.go setupMetricsSet', () => {
  it('METRICS_SET is case-insensitive, empty is Telemetry, anything else is invalid', () => {
    expect(parseMetricsSet('')).toBe('Telemetry');
    expect(parseMetricsSet('sre')).toBe('SRE');
    expect(parseMetricsSet('ALL')).toBe('All');
    expect(parseMetricsSet('Everything')).toBeUndefined();
  });
  it('sre-metric-set parses non-strictly (unknown keys dropped) but fails on a type mismatch', () => {
    const cm = (config: string): Obj => ({ metadata: { name: 'sre-metric-set' }, data: { config } });
    expect(sreConfigError(cm('kubeAPIServer:\n  - action: drop\n    regex: x\n    whatever: 1\nunknownComponent: []\n'))).toBeUndefined();
    expect(sreConfigError(cm('kubeAPIServer: not-a-list\n'))).toMatch(/cannot unmarshal string into Go struct field MetricsSetConfig\.kubeAPIServer/);
    expect(sreConfigError(cm('etcd:\n  - modulus: "x"\n'))).toMatch(/cannot unmarshal string/);
    expect(sreConfigError(cm('etcd: [\n'))).toMatch(/^error converting YAML to JSON/);
  });
});

describe('cmd/install/assets/hypershift_operator.go external-dns --txt-suffix=-external-dns', () => {
  it('names the TXT record of a CNAME cname-<first label>-external-dns.<rest>', () => {
    expect(txtName('api.c1.sandbox.example.com.')).toBe('cname-api-external-dns.c1.sandbox.example.com.');
  });
});

describe('hostedcluster_controller.go validateReleaseImage (LatestSupportedVersion 5.1.0, MinSupportedVersion 4.14.0)', () => {
  const hc = (spec: string, desired?: string, annotations?: Record<string, string>): Obj => ({
    metadata: { name: 'h', namespace: 'n', annotations },
    spec: { release: { image: IMG(spec) }, platform: { type: 'AWS' } },
    status: desired ? { version: { desired: { image: IMG(desired) } } } : {},
  });
  it('accepts a newer minor and a z-stream downgrade', () => {
    expect(releaseImageError(hc('4.16.2', '4.15.10'))).toBeUndefined();
    expect(releaseImageError(hc('4.15.1', '4.15.10'))).toBeUndefined();
  });
  it('refuses a y-stream downgrade from the desired version while the change is pending', () => {
    expect(releaseImageError(hc('4.14.3', '4.15.10'))).toBe('y-stream downgrade from "4.15.10" to "4.14.3" is not supported');
  });
  it('refuses a minor below the minimum, unless validation is skipped', () => {
    expect(releaseImageError(hc('4.13.0'))).toBe('the minimum version supported for platform AWS is: "4.14". Attempting to use: "4.13.0"');
    expect(releaseImageError(hc('4.13.0', undefined, { 'hypershift.openshift.io/skip-release-image-validation': 'true' }))).toBeUndefined();
  });
});

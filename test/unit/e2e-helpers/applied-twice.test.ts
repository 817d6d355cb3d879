// The fault-injection e2e's "no write applied twice" check (test/e2e/helpers/applied-twice.ts) on
// synthetic audit lines: it must fail on a duplicate, and leave alone the repeats that are needed.
import { describe, expect, it } from 'vitest';
import { appliedTwice, bodyIntent } from '../../e2e/helpers/applied-twice.ts';
import type { AuditEvent } from '../../e2e/helpers/audit.ts';

let n = 0;
const ev = (verb: string, resource: string, name: string, opts: { sub?: string; code?: number; ua?: string; uri?: string } = {}): AuditEvent => ({
  auditID: `id-${++n}`,
  stage: 'ResponseComplete',
  requestURI: opts.uri ?? `/apis/apps/v1/namespaces/cp/${resource}/${name}${opts.sub ? `/${opts.sub}` : ''}`,
  verb,
  user: { username: 'admin' },
  userAgent: opts.ua ?? 'kubectl-hcp/0.1 faults-abc',
  objectRef: { resource, namespace: 'cp', name, apiGroup: 'apps', subresource: opts.sub },
  responseStatus: { code: opts.code ?? 200 },
  requestReceivedTimestamp: `t${n}`,
  stageTimestamp: `t${n}`,
  cluster: 'mgmt-1',
});
const ours = (e: AuditEvent) => (e.userAgent ?? '').includes('faults-abc');
const scale = (replicas: number, rv: string) =>
  JSON.stringify({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'kas', namespace: 'cp', resourceVersion: rv },
    spec: { replicas },
    status: { replicas: 1 },
  });

describe('appliedTwice', () => {
  it('finds a scale applied twice, even when the second was re-read (another resourceVersion)', () => {
    const a = ev('update', 'deployments', 'kas', { sub: 'scale' });
    const b = ev('update', 'deployments', 'kas', { sub: 'scale' });
    const found = appliedTwice(
      [a, b],
      new Map([
        [a.auditID, scale(0, '10')],
        [b.auditID, scale(0, '11')],
      ]),
      ours,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`update .*/deployments/kas/scale applied twice \\(audit IDs ${a.auditID} .* and ${b.auditID}`));
  });

  it('finds a merge patch with the same content applied twice, keys in another order', () => {
    const a = ev('patch', 'hostedclusters', 'hc');
    const b = ev('patch', 'hostedclusters', 'hc');
    const bodies = new Map([
      [a.auditID, '{"spec":{"pausedUntil":"true","x":1}}'],
      [b.auditID, '{"spec":{"x":1,"pausedUntil":"true"}}'],
    ]);
    expect(appliedTwice([a, b], bodies, ours)).toHaveLength(1);
  });

  it('a JSON patch guarded by a different test op is still the same intent', () => {
    const a = ev('patch', 'featuregates', 'c');
    const b = ev('patch', 'featuregates', 'c');
    const body = (gen: number) =>
      JSON.stringify([
        { op: 'test', path: '/metadata/generation', value: gen },
        { op: 'add', path: '/spec/x', value: 'y' },
      ]);
    expect(
      appliedTwice(
        [a, b],
        new Map([
          [a.auditID, body(3)],
          [b.auditID, body(4)],
        ]),
        ours,
      ),
    ).toHaveLength(1);
  });

  it('leaves alone: a controller write in between, a different body, a failed or dry-run attempt, a status write, exec, other objects', () => {
    const s1 = ev('update', 'deployments', 'kas', { sub: 'scale' });
    const op = ev('update', 'deployments', 'kas', { ua: 'hypershift-operator/v0' }); // scaled back up
    const s2 = ev('update', 'deployments', 'kas', { sub: 'scale' });
    const st = ev('update', 'deployments', 'kas', { sub: 'status', ua: 'kube-controller-manager' });
    const p1 = ev('patch', 'hostedclusters', 'hc');
    const p2 = ev('patch', 'hostedclusters', 'hc');
    const p3 = ev('patch', 'hostedclusters', 'hc', { code: 409 });
    const p4 = ev('patch', 'hostedclusters', 'hc', { uri: '/apis/x/v1/namespaces/cp/hostedclusters/hc?dryRun=All' });
    const p5 = ev('patch', 'hostedclusters', 'other');
    const x1 = ev('create', 'pods', 'etcd-0', { sub: 'exec' });
    const x2 = ev('create', 'pods', 'etcd-0', { sub: 'exec' });
    const bodies = new Map([
      [s1.auditID, scale(0, '1')],
      [s2.auditID, scale(0, '3')],
      [p1.auditID, '{"spec":{"pausedUntil":"true"}}'],
      [p2.auditID, '{"spec":{"pausedUntil":null}}'],
      [p3.auditID, '{"spec":{"pausedUntil":null}}'],
      [p4.auditID, '{"spec":{"pausedUntil":null}}'],
      [p5.auditID, '{"spec":{"pausedUntil":null}}'],
    ]);
    expect(appliedTwice([s1, op, st, s2, p1, p2, p3, p4, p5, x1, x2], bodies, ours)).toEqual([]);
  });

  it('a controller status write between two identical spec writes does not excuse the second', () => {
    const a = ev('update', 'deployments', 'kas', { sub: 'scale' });
    const st = ev('update', 'deployments', 'kas', { sub: 'status', ua: 'kube-controller-manager' });
    const b = ev('update', 'deployments', 'kas', { sub: 'scale' });
    const bodies = new Map([
      [a.auditID, scale(0, '1')],
      [b.auditID, scale(0, '2')],
    ]);
    expect(appliedTwice([a, st, b], bodies, ours)).toHaveLength(1);
  });

  it('bodyIntent keeps status for a status write and drops it otherwise', () => {
    const o = (r: number) => JSON.stringify({ metadata: { name: 'a', resourceVersion: String(r) }, spec: { a: 1 }, status: { r } });
    expect(bodyIntent(o(1))).toBe(bodyIntent(o(2)));
    expect(bodyIntent(o(1), 'status')).not.toBe(bodyIntent(o(2), 'status'));
    expect(bodyIntent('not json')).toBe(bodyIntent('not json'));
  });
});

import { describe, expect, it } from 'vitest';
import { GUEST, MANAGEMENT_CLUSTER_SCOPED, MANAGEMENT_NAMESPACED, unknownKind } from '../../../src/dump/discovery.ts';

describe('--include-kind / --exclude-kind names, known before any API call', () => {
  it.each([
    'Pod',
    'pods',
    'Endpoints',
    'endpoints',
    'NetworkPolicy',
    'networkpolicies',
    'networkpolicies.networking.k8s.io',
    'machines.cluster.x-k8s.io',
    'Machine.cluster.x-k8s.io',
    'hostedclusters',
    'NODEPOOL',
  ])('accepts %s', (name) => {
    expect(unknownKind([name])).toBeUndefined();
  });

  it.each(['Bogus', 'podz', 'pods.apps', 'machines.cluster', ''])('names %j as unknown', (name) => {
    expect(unknownKind(['pods', name])).toBe(name);
  });

  it('accepts every kind of every list, by kind and by the plural discovery serves for the sandbox types', () => {
    for (const [, kind] of [...MANAGEMENT_NAMESPACED, ...MANAGEMENT_CLUSTER_SCOPED, ...GUEST]) expect(unknownKind([kind])).toBeUndefined();
    for (const plural of [
      'deployments',
      'statefulsets',
      'cronjobs',
      'persistentvolumeclaims',
      'hostedcontrolplanes',
      'awsmachinetemplates',
      'securitycontextconstraints',
      'storageclasses',
      'poddisruptionbudgets',
    ])
      expect(unknownKind([plural])).toBeUndefined();
  });
});

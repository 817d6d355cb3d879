// A guarded JSON patch refused because its `test` no longer holds: the API server's 422 names
// nothing ("the server rejected our request due to an error in our request"); applyChange says
// what it means (src/plan/apply.ts).
import { describe, expect, it } from 'vitest';
import { applyChange } from '../../src/plan/apply.ts';
import { ApiError } from '../../src/kube/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { Resources } from '../../src/kube/resources.ts';
import { RuntimeError } from '../../src/util/errors.ts';

const refusing = (err: unknown) => ({ patch: async () => Promise.reject(err) }) as unknown as KubeClient;
const rejected = () => new ApiError(422, { message: 'the server rejected our request due to an error in our request', code: 422 }, 'HTTP 422');
const ref = { resource: Resources.HostedCluster, namespace: 'clusters', name: 'sample' };
const guarded = {
  op: 'patch' as const,
  ref,
  patchType: 'json' as const,
  patch: [
    { op: 'test', path: '/metadata/generation', value: 7 },
    { op: 'add', path: '/spec/configuration/featureGate', value: { featureSet: 'TechPreviewNoUpgrade' } },
  ],
};

describe('applyChange: a guarded JSON patch whose guard no longer holds', () => {
  it('says the object changed since it was read and that nothing was written', async () => {
    const err = await applyChange(refusing(rejected()), guarded).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe(
      'HostedCluster clusters/sample changed since it was read (the patch is guarded by /metadata/generation == 7, which no longer holds): nothing was written; run the command again to plan against the object as it is now',
    );
  });

  it('leaves other refusals as the server said them (a CEL rule, a patch without a guard)', async () => {
    const cel = new ApiError(422, { message: 'HostedCluster.hypershift.openshift.io "sample" is invalid: spec: Invalid value', code: 422 }, 'HTTP 422');
    expect(await applyChange(refusing(cel), guarded).catch((e: unknown) => e)).toBe(cel);
    const plain = rejected();
    expect(await applyChange(refusing(plain), { ...guarded, patch: [guarded.patch[1]] }).catch((e: unknown) => e)).toBe(plain);
  });
});

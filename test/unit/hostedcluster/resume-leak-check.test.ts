// resume's leak check when the user may not read the control-plane namespace (issue 13 item 16).
import { describe, expect, it } from 'vitest';
import { planResume } from '../../../src/hostedcluster/pause.ts';
import { ApiError } from '../../../src/kube/errors.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import type { ResourceType } from '../../../src/kube/resources.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import type { StepContext } from '../../../src/plan/plan.ts';

const hc: HostedCluster = { metadata: { name: 'sample', namespace: 'clusters' }, spec: {} };

/** Reads in the HostedCluster namespace work; the control-plane namespace answers `cpStatus`. */
function kubeWith(cpStatus: number): KubeClient {
  const refuse = (rt: ResourceType, ns: string | undefined) => {
    if (ns === 'clusters-sample')
      throw new ApiError(
        cpStatus,
        {
          message: `${rt.plural} is forbidden: User "system:serviceaccount:x:y" cannot list resource "${rt.plural}" in the namespace "clusters-sample"`,
          code: cpStatus,
        },
        'forbidden',
      );
  };
  return {
    get: async (rt: ResourceType, ns: string | undefined) => (refuse(rt, ns), structuredClone(hc)),
    getOrNull: async (rt: ResourceType, ns: string | undefined) => (refuse(rt, ns), null),
    list: async (rt: ResourceType, opts: { namespace?: string }) => (refuse(rt, opts.namespace), { items: [], metadata: {} }),
    listIfServed: async (rt: ResourceType, opts: { namespace?: string }) => (refuse(rt, opts.namespace), { items: [], metadata: {} }),
  } as unknown as KubeClient;
}

const ctx = (kube: KubeClient, warnings: string[]) =>
  ({
    kube,
    clusters: {},
    dryRun: 'none',
    artifacts: {},
    progress: () => {},
    warn: (m: string) => warnings.push(m),
    now: () => new Date(),
    sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)),
    clock: { now: () => performance.now(), sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) },
  }) as unknown as StepContext;

describe('resume leak check without access to the control-plane namespace', () => {
  it('is skipped with a warning that says why, and the step succeeds', async () => {
    const step = planResume({ hc, nodePools: [], otherNodePools: 0, fixLeaks: false, waitMs: 1000 }).steps.at(-1)!;
    const warnings: string[] = [];
    const result = await step.run!(ctx(kubeWith(403), warnings));
    expect(result).toMatchObject({
      leakedPauses: [],
      leakCheckSkipped: expect.stringMatching(/^cannot read the control-plane namespace clusters-sample \(.*is forbidden/),
    });
    expect(warnings).toEqual([expect.stringMatching(/^leaked-pause check skipped: cannot read the control-plane namespace clusters-sample .*--fix-leaks/)]);
  });

  it('still fails on other errors', async () => {
    const step = planResume({ hc, nodePools: [], otherNodePools: 0, fixLeaks: false, waitMs: 1000 }).steps.at(-1)!;
    await expect(step.run!(ctx(kubeWith(500), []))).rejects.toThrow(/forbidden/);
  });
});

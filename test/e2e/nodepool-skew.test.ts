// The NodePool skew rule as upstream applies it (issue 13 item 9), on a running copy of the seeded
// HostedCluster in a namespace of its own: a NodePool asked for the minor its control plane is
// still updating to reports ValidReleaseImage=False until the control plane completes
// (nodepool_controller.go getReleaseImage uses the first completed history entry), and
// `nodepool update --wait` waits through that instead of giving up.
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk, uniqueNamespace, waitFor } from './helpers/sandbox.ts';
import { hcp } from './helpers/hcp.ts';
import { runningHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';

const IMG = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;
const NAME = 'skew';
let ns: string;
const getJson = async (kind: string, name: string) => JSON.parse(await kubectlOk('mgmt-1', ['get', kind, name, '-n', ns, '-o', 'json']));

describe('nodepool update during a control-plane update', () => {
  beforeAll(async () => {
    ns = await uniqueNamespace('np-skew');
    await runningHostedClusterCopy(ns, NAME);
    // Preconditions: the copy's first release is Completed and its NodePool runs it.
    await waitFor(
      async () => (await getJson('hostedcluster', NAME)).status?.version?.history?.[0]?.state === 'Completed',
      150_000,
      'the copy to complete its first release',
    );
    await waitFor(async () => Boolean((await getJson('nodepool', `${NAME}-pool`)).status?.version), 60_000, 'the copy NodePool to report its version');
  });

  it('waits through ValidReleaseImage=False until the control plane completes the new minor', async () => {
    const from = (await getJson('hostedcluster', NAME)).status.version.history[0].version;
    expect(from).toBe('4.15.10');
    const upgrade = await hcp(['upgrade', NAME, '-n', ns, '--release-image', IMG('4.16.2'), '-y']);
    expect(upgrade.code, upgrade.stderr).toBe(0);
    const r = await hcp(['nodepool', 'update', `${NAME}-pool`, '-n', ns, '--release-image', IMG('4.16.2'), '--wait', '--wait-timeout', '150s']);
    expect(r.code, r.stderr).toBe(0);
    const hc = await getJson('hostedcluster', NAME);
    expect(hc.status.version.history[0]).toMatchObject({ version: '4.16.2', state: 'Completed' });
    const np = await getJson('nodepool', `${NAME}-pool`);
    expect(np.status.version).toBe('4.16.2');
    expect(np.status.conditions.find((c: { type: string }) => c.type === 'ValidReleaseImage').status).toBe('True');
  });
});

// nodepool list/scale/set/update through the built binary, on a NodePool of its own (for cluster
// sample, deleted afterwards), asserting the spec and the simulated operator's replica counts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';

const NP = `e2e-np-${randomBytes(3).toString('hex')}`;
const IMG = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;
const get = async () => JSON.parse(await kubectlOk('mgmt-1', ['get', 'nodepool', NP, '-n', 'clusters', '-o', 'json']));

describe('nodepool', () => {
  beforeAll(async () => {
    const seed = JSON.parse(await kubectlOk('mgmt-1', ['get', 'nodepool', 'sample-us-east-1b', '-n', 'clusters', '-o', 'json']));
    const spec = { ...seed.spec, replicas: 1, nodeDrainTimeout: undefined, autoScaling: undefined };
    await kubectlOk(
      'mgmt-1',
      ['create', '-f', '-'],
      JSON.stringify({ apiVersion: seed.apiVersion, kind: 'NodePool', metadata: { name: NP, namespace: 'clusters' }, spec }),
    );
  });
  afterAll(async () => {
    await kubectl('mgmt-1', ['delete', 'nodepool', NP, '-n', 'clusters', '--wait=false']);
  });

  it('lists the NodePools of a cluster', async () => {
    const data = JSON.parse(await hcpOk(['nodepool', 'list', 'sample', '-o', 'json']));
    expect(data.items.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['sample-us-east-1a', 'sample-us-east-1b', NP]));
    const table = await hcpOk(['nodepool', 'list', 'sample']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+CLUSTER\s+REPLICAS\s+READY\s+READY COND\s+VERSION\s+UPGRADE\s+DRAIN TIMEOUT\s+UPDATING$/);
  });

  it('refuses to scale to zero while nodeDrainTimeout is unset (exit 3), and changes nothing', async () => {
    const r = await hcp(['nodepool', 'scale', NP, '--replicas', '0', '-y']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nodeDrainTimeout is not set/);
    expect(r.stderr).toMatch(/--drain-timeout/);
    expect((await get()).spec.replicas).toBe(1);
  });

  it('scales to zero with --drain-timeout in the same patch, and the operator removes the nodes', async () => {
    const r = await hcp(['nodepool', 'scale', NP, '--replicas', '0', '--drain-timeout', '1m', '-y', '--wait', '--wait-timeout', '90s']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the workloads running on them will be gone/);
    const np = await get();
    expect(np.spec).toMatchObject({ replicas: 0, nodeDrainTimeout: '1m' });
    // status.replicas is the MachineDeployment's availableReplicas (capi.go): written, not absent.
    expect(np.status.replicas).toBe(0);
  });

  it('scales back up and waits for Ready and the replica count', async () => {
    await hcpOk(['nodepool', 'scale', NP, '--replicas', '2', '--wait', '--wait-timeout', '90s']);
    const np = await get();
    expect(np.spec.replicas).toBe(2);
    expect(np.status.replicas).toBe(2);
    expect(np.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
  });

  it('switches to autoscaling and back in one patch each (the CRD forbids both)', async () => {
    await hcpOk(['nodepool', 'scale', NP, '--autoscaling', '1:3']);
    let np = await get();
    expect(np.spec.autoScaling).toEqual({ min: 1, max: 3 });
    expect(np.spec.replicas).toBeUndefined();
    await hcpOk(['nodepool', 'scale', NP, '--replicas', '1']);
    np = await get();
    expect(np.spec.autoScaling).toBeUndefined();
    expect(np.spec.replicas).toBe(1);
  });

  it('sets the timeouts, refusing a duration Go would not parse', async () => {
    expect((await hcp(['nodepool', 'set', NP, '--drain-timeout', '1d'])).code).toBe(2);
    await hcpOk(['nodepool', 'set', NP, '--drain-timeout', '1h30m', '--volume-detach-timeout', '5m']);
    expect((await get()).spec).toMatchObject({ nodeDrainTimeout: '1h30m', nodeVolumeDetachTimeout: '5m' });
  });

  it('refuses a release newer than the control plane (exit 3, versions shown)', async () => {
    const before = (await get()).spec.release.image;
    const r = await hcp(['nodepool', 'update', NP, '--release-image', IMG('4.16.2')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("NodePool release 4.16.2 is a newer minor version than the HostedCluster's 4.15.10");
    expect((await get()).spec.release.image).toBe(before);
  });

  it('refuses a release whose version cannot be read unless --force (issue 13 item 22)', async () => {
    const before = (await get()).spec.release.image;
    const r = await hcp(['nodepool', 'update', NP, '--release-image', 'quay.io/x:notaversion']);
    expect(r.code).toBe(3);
    // The registry lookup of its metadata fails too (no internet in the sandbox), and says so.
    expect(r.stderr).toMatch(/cannot read the release version of quay.io\/x:notaversion \(its metadata: cannot read .*\): .*skew checks/);
    expect(r.stderr).toMatch(/--force/);
    const forced = await hcp(['nodepool', 'update', NP, '--release-image', 'quay.io/x:notaversion', '--force', '--dry-run=server']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/--force: cannot read the release version .* are skipped/);
    expect((await get()).spec.release.image).toBe(before);
  });

  it('updates to an allowed release, says what upgradeType implies, and waits for the version', async () => {
    const r = await hcp(['nodepool', 'update', NP, '--release-image', IMG('4.15.9'), '--wait', '--wait-timeout', '90s']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/upgradeType Replace: .*re-provisioned/);
    const np = await get();
    expect(np.spec.release.image).toBe(IMG('4.15.9'));
    expect(np.status.version).toBe('4.15.9');
    expect(np.status.conditions.find((c: { type: string }) => c.type === 'UpdatingVersion').status).toBe('False');
  });

  // Upstream compares minor versions only (supportedversion.IsValidReleaseVersion): a NodePool one
  // patch ahead of the control plane is valid and rolls out.
  it('updates a NodePool one patch ahead of the control plane (issue 13 item 9)', async () => {
    const r = await hcp(['nodepool', 'update', NP, '--release-image', IMG('4.15.11'), '--wait', '--wait-timeout', '90s']);
    expect(r.stderr).toMatch(/4.15.11 is a patch ahead of the control plane's 4.15.10/);
    expect(r.code).toBe(0);
    const np = await get();
    expect(np.spec.release.image).toBe(IMG('4.15.11'));
    expect(np.status.version).toBe('4.15.11');
  });

  // status.version carries no arch suffix: the wait must end on "4.15.10" for a -multi payload.
  it('waits for an arch-suffixed release by its version (issue 13 item 8)', async () => {
    const image = 'quay.io/openshift-release-dev/ocp-release:4.15.10-multi';
    const r = await hcp(['nodepool', 'update', NP, '--release-image', image, '--wait', '--wait-timeout', '90s']);
    expect(r.code).toBe(0);
    const np = await get();
    expect(np.spec.release.image).toBe(image);
    expect(np.status.version).toBe('4.15.10');
  });
});

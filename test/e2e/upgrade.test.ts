// upgrade through the built binary on clusters/sample; the release is put back afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';

const IMG = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;
const release = () => kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.spec.release.image}']);

describe('upgrade', () => {
  let original: string;
  beforeAll(async () => {
    original = await release();
  });
  afterAll(async () => {
    await kubectl('mgmt-1', [
      'patch',
      'hostedcluster',
      'sample',
      '-n',
      'clusters',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { release: { image: original } } }),
    ]);
  });

  it('refuses a downgrade unless --force (exit 3)', async () => {
    const r = await hcp(['upgrade', 'sample', '--release-image', IMG('4.15.1')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/older than the current 4.15.10/);
    expect(r.stderr).toMatch(/--force/);
    expect(await release()).toBe(original);
  });

  it('accepts the x86_64 => multi migration of the same version (issue 13 item 8)', async () => {
    const multi = 'quay.io/openshift-release-dev/ocp-release:4.15.10-multi';
    const r = await hcp(['upgrade', 'sample', '--release-image', multi, '--dry-run=server']);
    expect(r.stderr).toMatch(/migrates sample to the multi-arch payload/);
    expect(r.code).toBe(0);
    expect(await release()).toBe(original);
  });

  it('refuses a release whose version cannot be read (exit 3), --force names the skipped checks (issue 13 item 22)', async () => {
    const r = await hcp(['upgrade', 'sample', '--release-image', 'quay.io/x:notaversion', '-y']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read the release version of quay.io\/x:notaversion/);
    expect(r.stderr).toMatch(/--force/);
    expect(await release()).toBe(original);
    const forced = await hcp(['upgrade', 'sample', '--release-image', 'quay.io/x:notaversion', '--force', '--dry-run=server']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/the downgrade, architecture, \*NoUpgrade minor-update and supported-versions checks are skipped/);
    expect(await release()).toBe(original);
  });

  it('--dry-run=server sends the patch and changes nothing', async () => {
    expect(await hcpOk(['upgrade', 'sample', '--release-image', IMG('4.15.11'), '--dry-run=server'])).toContain('(server dry run)');
    expect(await release()).toBe(original);
  });

  it('sets spec.release and follows status.version.history to Completed', async () => {
    const out = await hcpOk(['upgrade', 'sample', '--release-image', IMG('4.15.11'), '--wait', '--wait-timeout', '120s']);
    expect(out).toContain('version 4.15.11 Completed');
    expect(await release()).toBe(IMG('4.15.11'));
    const history = JSON.parse(await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'sample', '-n', 'clusters', '-o', 'jsonpath={.status.version.history}']));
    expect(history[0]).toMatchObject({ version: '4.15.11', state: 'Completed' });
  });
});

// A guest kubeconfig that does not parse must never be quoted: js-yaml's message carries a
// snippet of the source, and the source is the hosted cluster's admin credentials.
import { describe, expect, it } from 'vitest';
import { guestClient, parseGuestKubeconfig } from '../../../src/hostedcluster/guest.ts';
import { resolveKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Resources } from '../../../src/kube/resources.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { FakeKube } from '../fake-kube.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const BROKEN = 'users:\n- name: u\n  user:\n    client-key-data: TOPSECRET\n  x: [\n';

describe('guest kubeconfig errors', () => {
  it('parseGuestKubeconfig names the line, never the content', () => {
    let message = '';
    try {
      parseGuestKubeconfig(BROKEN, 'secret clusters/sample-admin-kubeconfig');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^kubeconfig secret clusters\/sample-admin-kubeconfig is not valid YAML: .* at line \d+, column \d+$/);
    expect(message).not.toContain('TOPSECRET');
  });

  it('guestClient reports the problem in one line without the secret', async () => {
    const kube = new FakeKube().put(Resources.Secret, {
      metadata: { name: 'sample-admin-kubeconfig', namespace: 'clusters' },
      data: { kubeconfig: Buffer.from(BROKEN).toString('base64') },
    } as never);
    const hc = { metadata: { name: 'sample', namespace: 'clusters' }, spec: {}, status: {} } as unknown as HostedCluster;
    const access = await guestClient(kube.asClient(), hc, {});
    expect(access.client).toBeUndefined();
    expect(access.problem).not.toContain('TOPSECRET');
    expect(access.problem!.split('\n')).toHaveLength(1);
  });

  it('a management kubeconfig file that does not parse is named by line too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-kc-yaml-'));
    const file = join(dir, 'config');
    writeFileSync(file, BROKEN);
    expect(() => resolveKubeconfig({ kubeconfig: file }, {})).toThrow(/is not valid YAML: .* at line \d+, column \d+$/);
    expect(() => resolveKubeconfig({ kubeconfig: file }, {})).not.toThrow(/TOPSECRET/);
  });
});

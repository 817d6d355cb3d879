// Reading a release image's own version from its registry (issue 13 item 22), against a fake
// registry that speaks the distribution API with the Bearer token flow.
import { describe, expect, it } from 'vitest';
import { parseImageRef, registryCredentials, releaseVersionFromRegistry } from '../../../src/nodepool/release-metadata.ts';
import { planUpgrade } from '../../../src/nodepool/upgrade.ts';
import { planNodePoolUpdate } from '../../../src/nodepool/nodepool.ts';
import type { HostedCluster, NodePool } from '../../../src/hostedcluster/types.ts';

const DIGEST = 'quay.io/openshift-release-dev/ocp-release@sha256:aaaa';
const basic = Buffer.from('robot:pw').toString('base64');

/** A registry for one repository; `requests` records what was asked, with which credentials. */
function fakeRegistry(label: string | undefined, opts: { index?: boolean; needAuth?: boolean } = {}) {
  const requests: string[] = [];
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
    requests.push(`${url.pathname}${url.search} ${auth ?? ''}`.trim());
    if (url.pathname === '/token') {
      return auth === `Basic ${basic}` && url.searchParams.get('scope') === 'repository:openshift-release-dev/ocp-release:pull'
        ? json({ token: 'tok' })
        : json({}, 401);
    }
    if (opts.needAuth !== false && auth !== 'Bearer tok') {
      return json({ errors: [] }, 401, {
        'www-authenticate': 'Bearer realm="https://quay.io/token",service="quay.io",scope="repository:openshift-release-dev/ocp-release:pull"',
      });
    }
    if (url.pathname === '/v2/openshift-release-dev/ocp-release/manifests/sha256:aaaa') {
      return opts.index
        ? json({
            manifests: [
              { digest: 'sha256:arm', platform: { os: 'linux', architecture: 'arm64' } },
              { digest: 'sha256:amd', platform: { os: 'linux', architecture: 'amd64' } },
            ],
          })
        : json({ config: { digest: 'sha256:cfg' } });
    }
    if (url.pathname === '/v2/openshift-release-dev/ocp-release/manifests/sha256:amd') return json({ config: { digest: 'sha256:cfg' } });
    if (url.pathname === '/v2/openshift-release-dev/ocp-release/blobs/sha256:cfg')
      return json({ config: { Labels: label ? { 'io.openshift.release': label } : {} } });
    return json({}, 404);
  }) as typeof fetch;
  return { fetchImpl, requests };
}

describe('release metadata', () => {
  it.each([
    [DIGEST, { registry: 'quay.io', repository: 'openshift-release-dev/ocp-release', reference: 'sha256:aaaa' }],
    ['registry.local:5000/ocp/release:4.15.3', { registry: 'registry.local:5000', repository: 'ocp/release', reference: '4.15.3' }],
    ['busybox:1', { registry: 'registry-1.docker.io', repository: 'library/busybox', reference: '1' }],
  ])('parses %s', (image, want) => expect(parseImageRef(image)).toEqual(want));

  it('takes the credentials of the pull secret per registry', () => {
    expect(registryCredentials(JSON.stringify({ auths: { 'quay.io': { auth: basic }, 'https://r.example/v1/': { username: 'u', password: 'p' } } }))).toEqual(
      new Map([
        ['quay.io', basic],
        ['r.example', Buffer.from('u:p').toString('base64')],
      ]),
    );
  });

  it('reads io.openshift.release through the Bearer flow with the pull secret, following an index to linux/amd64', async () => {
    const reg = fakeRegistry('4.15.13', { index: true });
    const r = await releaseVersionFromRegistry(DIGEST, { fetch: reg.fetchImpl, credentials: new Map([['quay.io', basic]]) });
    expect(r).toEqual({ version: '4.15.13' });
    expect(reg.requests).toContain(`/token?service=quay.io&scope=repository%3Aopenshift-release-dev%2Focp-release%3Apull Basic ${basic}`);
    expect(reg.requests.at(-1)).toBe('/v2/openshift-release-dev/ocp-release/blobs/sha256:cfg Bearer tok');
  });

  it('says why it could not read it', async () => {
    expect((await releaseVersionFromRegistry(DIGEST, { fetch: fakeRegistry('4.15.13').fetchImpl })).problem).toBe(
      'quay.io answered 401 for the manifest of quay.io/openshift-release-dev/ocp-release@sha256:aaaa',
    );
    expect((await releaseVersionFromRegistry(DIGEST, { fetch: fakeRegistry(undefined, { needAuth: false }).fetchImpl })).problem).toMatch(
      /has no io.openshift.release label/,
    );
    const down = (async () => {
      throw new Error('getaddrinfo ENOTFOUND quay.io');
    }) as typeof fetch;
    expect((await releaseVersionFromRegistry(DIGEST, { fetch: down })).problem).toBe(
      'cannot read quay.io/openshift-release-dev/ocp-release@sha256:aaaa from quay.io: getaddrinfo ENOTFOUND quay.io',
    );
  });

  const hc: HostedCluster = {
    metadata: { name: 'sample', namespace: 'clusters' },
    spec: { release: { image: 'quay.io/openshift-release-dev/ocp-release:4.15.10-x86_64' } },
  };
  it('lets upgrade check a digest-pinned release the cluster never ran by its declared version', () => {
    expect(planUpgrade({ hc, image: DIGEST, force: false, metadata: { version: '4.15.2' } }).blockers.map((b) => b.message)).toEqual([
      '4.15.2 is older than the current 4.15.10: downgrades are not supported',
    ]);
    const plan = planUpgrade({ hc, image: DIGEST, force: false, metadata: { version: '4.15.13' } });
    expect(plan.blockers).toEqual([]);
    expect(plan.warnings.join()).toMatch(/declares version 4.15.13 \(its io.openshift.release label\)/);
    expect(planUpgrade({ hc, image: DIGEST, force: false, metadata: { problem: 'quay.io answered 401' } }).blockers[0].message).toMatch(
      /and its metadata: quay.io answered 401/,
    );
  });

  it('lets nodepool update check the skew of a digest-pinned release by its declared version', () => {
    const np: NodePool = {
      metadata: { name: 'np1', namespace: 'clusters' },
      spec: { clusterName: 'sample', release: { image: hc.spec.release!.image } },
      status: { version: '4.15.10' },
    };
    expect(planNodePoolUpdate({ np, hc, image: DIGEST, metadata: { version: '4.16.1' } }).blockers[0].message).toMatch(
      /NodePool release 4.16.1 is a newer minor version/,
    );
    expect(planNodePoolUpdate({ np, hc, image: DIGEST, metadata: { version: '4.15.9' } }).blockers).toEqual([]);
  });
});

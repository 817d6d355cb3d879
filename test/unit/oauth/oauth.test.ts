import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertHtpasswd, assertIdpName, assertIssuer } from '../../../src/oauth/validate.ts';
import { buildIdentityProvider, objectName } from '../../../src/oauth/build.ts';
import { callbackNote, callbackUrl, idpRows } from '../../../src/oauth/read.ts';
import { planIdpAdd, planIdpRemove } from '../../../src/oauth/plan.ts';
import { dataDigest, type IdentityProvider } from '../../../src/oauth/types.ts';
import { planToData, renderPlanText } from '../../../src/plan/render.ts';
import type { HostedCluster } from '../../../src/hostedcluster/types.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { expectRejected } from '../bad-input.ts';
import { runInProcess } from '../cli-harness.ts';

const SECRET = 's3cr3t-value-never-shown';
const hc = (idps: IdentityProvider[] = []): HostedCluster => ({
  metadata: { name: 'sample', namespace: 'clusters', resourceVersion: '5' },
  spec: { dns: { baseDomain: 'example.com' }, configuration: { oauth: { identityProviders: idps } } },
});
const openid = () =>
  buildIdentityProvider({
    hcName: 'sample',
    type: 'openid',
    name: 'IAM',
    clientId: 'ocp',
    secretValue: SECRET,
    issuer: 'https://idp.example.com/realms/x',
    mappingMethod: 'lookup',
  });

describe('validators', () => {
  it.each(['http://idp.example.com', 'https://idp.example.com/?a=b', 'https://idp.example.com/#frag', 'not a url', 'https://'])(
    'issuer %j is rejected',
    (v) => {
      expect(() => assertIssuer(v)).toThrow(UsageError);
    },
  );
  it.each(['', '.', '..', 'a/b', 'a%b', 'a:b', 'has space', 'x'.repeat(64)])('idp name %j is rejected', (v) =>
    expect(() => assertIdpName(v)).toThrow(UsageError),
  );
  it.each(['', 'no-colon\n', 'user:hash\nbad line\n'])('htpasswd %j is rejected', (v) =>
    expect(() => assertHtpasswd(v, '--htpasswd-file')).toThrow(UsageError),
  );
  it('derives DNS-safe object names from any provider name', () => {
    expect(objectName('sample', 'IAM', 'client-secret')).toMatch(/^sample-idp-iam-[0-9a-f]{8}-client-secret$/);
    expect(objectName('sample', 'My IdP!', 'ca')).toMatch(/^sample-idp-my-idp-[0-9a-f]{8}-ca$/);
    expect(objectName('sample', 'x'.repeat(63), 'client-secret').length).toBeLessThanOrEqual(253);
  });

  // Issue 13 item 6: IdP names are case-sensitive and free-form, object names are not.
  it.each([
    ['local', 'Local'],
    ['corp ldap', 'corp-ldap'],
    ['a.b', 'a_b'],
  ])('gives providers %j and %j different objects', (a, b) => {
    expect(objectName('sample', a, 'htpasswd')).not.toBe(objectName('sample', b, 'htpasswd'));
  });
});

describe('buildIdentityProvider', () => {
  it('builds the OpenID entry of the docs with a clientSecret secret', () => {
    const { idp, objects } = openid();
    expect(idp).toEqual({
      name: 'IAM',
      type: 'OpenID',
      mappingMethod: 'lookup',
      openID: {
        issuer: 'https://idp.example.com/realms/x',
        clientID: 'ocp',
        clientSecret: { name: objectName('sample', 'IAM', 'client-secret') },
        claims: { email: ['email'], name: ['name'], preferredUsername: ['preferred_username'] },
      },
    });
    expect(objects).toEqual([{ kind: 'Secret', name: objectName('sample', 'IAM', 'client-secret'), data: { clientSecret: SECRET } }]);
  });

  it.each([
    ['htpasswd', { htpasswd: 'u:h' }, 'htpasswd', { fileData: { name: objectName('sample', 'x', 'htpasswd') } }, ['htpasswd']],
    [
      'ldap',
      { url: 'ldaps://l/ou=x?uid', bindDN: 'cn=r', secretValue: 'pw' },
      'ldap',
      { bindPassword: { name: objectName('sample', 'x', 'bind-password') } },
      ['bindPassword'],
    ],
    [
      'keystone',
      { url: 'https://k', domainName: 'd', tlsCert: 'c', tlsKey: 'k' },
      'keystone',
      { tlsClientCert: { name: objectName('sample', 'x', 'tls') } },
      ['tls.crt', 'tls.key'],
    ],
    ['request-header', { ca: 'pem', headers: ['X-Remote-User'] }, 'requestHeader', { ca: { name: objectName('sample', 'x', 'ca') } }, ['ca.crt']],
    ['github', { clientId: 'c', secretValue: 's', organizations: ['o'] }, 'github', { organizations: ['o'] }, ['clientSecret']],
    ['gitlab', { url: 'https://gitlab.com', clientId: 'c', secretValue: 's' }, 'gitlab', { url: 'https://gitlab.com' }, ['clientSecret']],
    ['google', { clientId: 'c', secretValue: 's', hostedDomain: 'example.com' }, 'google', { hostedDomain: 'example.com' }, ['clientSecret']],
  ] as const)('%s uses the keys the operator reads', (type, req, field, body, keys) => {
    const { idp, objects } = buildIdentityProvider({ hcName: 'sample', type, name: 'x', ...req } as never);
    expect(idp[field]).toMatchObject(body);
    expect(objects.flatMap((o) => Object.keys(o.data))).toEqual(keys);
  });

  it.each([
    ['openid', {}, /--issuer/],
    ['htpasswd', {}, /--htpasswd-file/],
    ['ldap', { url: 'ldap://x', bindDN: 'cn=a' }, /go together/],
    ['keystone', { url: 'https://k' }, /--domain-name/],
    ['keystone', { url: 'https://k', domainName: 'd', tlsCert: 'c' }, /go together/],
    ['github', { clientId: 'c', secretValue: 's' }, /--organization or --team/],
    ['request-header', { ca: 'pem' }, /--header/],
  ] as const)('%s without %j is rejected', (type, req, msg) => {
    expect(() => buildIdentityProvider({ hcName: 'sample', type, name: 'x', ...req } as never)).toThrow(msg);
  });

  // Issue 13 item 21: what the OAuth server's config validation would reject later.
  it.each([
    ['github', { clientId: 'c', secretValue: 's', organizations: ['o'], teams: ['o/t'] }, /--organization and --team cannot be combined/],
    ['github', { clientId: 'c', secretValue: 's', organizations: ['o'], ca: 'pem' }, /--ca-file needs --hostname/],
    ['github', { clientId: 'c', secretValue: 's', teams: ['just-a-team'] }, /--team "just-a-team" must be in the format <org>\/<team>/],
    ['github', { clientId: 'c', secretValue: 's', organizations: ['o/t'] }, /without '\/'/],
    ['github', { clientId: 'c', secretValue: 's', hostname: 'api.github.com' }, /cannot be \[\*\.\]github.com/],
    ['ldap', { url: 'ldap://l/ou=x?uid', insecure: true, ca: 'pem' }, /--insecure cannot be combined with --ca-file/],
    ['google', { clientId: 'c', secretValue: 's' }, /needs --hosted-domain unless --mapping-method lookup/],
    ['google', { clientId: 'c', secretValue: 's', mappingMethod: 'claim' }, /needs --hosted-domain unless --mapping-method lookup/],
  ] as const)('%s %j is refused with the rule', (type, req, msg) => {
    expect(() => buildIdentityProvider({ hcName: 'sample', type, name: 'x', ...req } as never)).toThrow(msg);
  });

  it.each([
    ['github', { clientId: 'c', secretValue: 's', hostname: 'ghe.example.com', ca: 'pem', teams: ['o/t'] }],
    ['ldap', { url: 'ldap://l/ou=x?uid', insecure: true }],
    ['google', { clientId: 'c', secretValue: 's', mappingMethod: 'lookup' }],
  ] as const)('%s %j is accepted', (type, req) => {
    expect(() => buildIdentityProvider({ hcName: 'sample', type, name: 'x', ...req } as never)).not.toThrow();
  });
});

describe('planIdpAdd / planIdpRemove', () => {
  it('warns that the first provider removes kubeadmin, and redacts the secret in dry-run output', () => {
    const { idp, objects } = openid();
    const plan = planIdpAdd({ hc: hc(), idp, objects, existing: new Map() });
    expect(plan.warnings[0]).toMatch(/removes the kubeadmin login/);
    const text = renderPlanText(plan) + JSON.stringify(planToData(plan));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(text).toContain('<redacted>');
    expect(text).toContain(`"clientSecret":{"name":"${objectName('sample', 'IAM', 'client-secret')}"}`);
  });

  it('rejects a duplicate name', () => {
    const { idp, objects } = openid();
    expect(planIdpAdd({ hc: hc([idp]), idp, objects, existing: new Map() }).blockers[0].message).toMatch(/already exists/);
  });

  it('converges when exactly this provider and its objects are already there (a re-run after a lost answer, issue 11)', () => {
    const { idp, objects } = openid();
    const secret = objects[0];
    const stored = Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    const mine = new Map([[`Secret/${secret.name}`, { owner: 'sample/IAM', resourceVersion: '7', dataDigest: dataDigest(stored) }]]);
    const plan = planIdpAdd({ hc: hc([{ ...idp, extra: 'defaulted' } as never]), idp, objects, existing: mine });
    expect(plan.blockers).toEqual([]);
    expect(plan.steps).toEqual([]);
    expect(plan.warnings.join()).toMatch(/already in sample's list as given/);
    // With --wait, only the wait.
    expect(planIdpAdd({ hc: hc([idp]), idp, objects, existing: mine, waitMs: 1000 }).steps.map((s) => s.id)).toEqual(['wait-valid-idp']);
    // Another secret value, or another provider under the name: still refused.
    const changed = new Map([[`Secret/${secret.name}`, { owner: 'sample/IAM', resourceVersion: '7', dataDigest: dataDigest({ x: 'eQ==' }) }]]);
    expect(planIdpAdd({ hc: hc([idp]), idp, objects, existing: changed }).blockers[0].message).toMatch(/already exists/);
    expect(planIdpAdd({ hc: hc([{ ...idp, type: 'GitHub' }]), idp, objects, existing: mine }).blockers[0].message).toMatch(/already exists/);
  });

  it('a list write run again after its answer was lost writes nothing', async () => {
    const { idp, objects } = openid();
    // update() as the kube layer does it: no write when mutate returns false.
    const kube = (list: IdentityProvider[], writes: string[]) => ({
      update: async (_rt: unknown, _ns: unknown, _n: unknown, mutate: (o: HostedCluster) => boolean | void) => {
        const o = hc(list);
        if (mutate(o) !== false) writes.push(JSON.stringify(idpRows(o).map((r) => r.name)));
        return { object: { ...o, metadata: { ...o.metadata, generation: 2 } }, changed: true };
      },
    });
    const writes: string[] = [];
    const add = planIdpAdd({ hc: hc(), idp, objects, existing: new Map() }).steps.find((s) => s.id === 'add-idp')!;
    await add.run!({ kube: kube([idp], writes) } as never);
    const remove = planIdpRemove({ hc: hc([idp]), name: 'IAM', deleteSecrets: false }).steps[0];
    await remove.run!({ kube: kube([], writes) } as never);
    expect(writes).toEqual([]);
    await remove.run!({ kube: kube([idp], writes) } as never);
    expect(writes).toEqual(['[]']);
  });

  it('writes the whole list through a read-modify-write step', async () => {
    const { idp, objects } = openid();
    const other = { name: 'local', type: 'HTPasswd', htpasswd: { fileData: { name: 'h' } } };
    const leftover = new Map([[`Secret/${objectName('sample', 'IAM', 'client-secret')}`, { owner: 'sample/IAM', resourceVersion: '41' }]]);
    const plan = planIdpAdd({ hc: hc([other]), idp, objects, existing: leftover });
    expect(plan.warnings.join()).toMatch(/is left from an earlier add of IAM and is updated/);
    expect(plan.steps[0].changes?.[0]).toMatchObject({ op: 'patch', patchType: 'merge', patch: { metadata: { resourceVersion: '41' } } });
    const stored: HostedCluster = hc([other]);
    const kube = {
      update: async (_rt: unknown, _ns: unknown, _n: unknown, mutate: (o: HostedCluster) => void) => {
        mutate(stored);
        return { object: { ...stored, metadata: { ...stored.metadata, generation: 3 } }, changed: true };
      },
    };
    const out = await plan.steps[1].run!({ kube } as never);
    expect(out).toEqual({ generation: 3 });
    expect(idpRows(stored).map((r) => r.name)).toEqual(['local', 'IAM']);
  });

  it.each([
    [{ owner: 'sample/Local', resourceVersion: '1' }, /belongs to identity provider sample\/Local/],
    [{ owner: 'other-cluster/local', resourceVersion: '1' }, /belongs to identity provider other-cluster\/local/],
    [{ resourceVersion: '1' }, /was not created by kubectl-hcp for sample\/local/],
  ])('never overwrites an object of another provider (%j): exit 3 (issue 13 item 6)', (found, msg) => {
    const { idp, objects } = buildIdentityProvider({ hcName: 'sample', type: 'htpasswd', name: 'local', htpasswd: 'u:h' });
    const plan = planIdpAdd({ hc: hc(), idp, objects, existing: new Map([[`Secret/${objects[0].name}`, found]]) });
    expect(plan.blockers.map((b) => b.message)).toEqual([expect.stringMatching(msg)]);
    expect(plan.blockers[0].message).toMatch(/it is not overwritten/);
    expect(plan.steps).toEqual([]);
  });

  it('--delete-secrets deletes only objects annotated for this cluster and provider, and names the others (issue 13 item 7)', () => {
    const gh = { name: 'gh', type: 'GitHub', github: { clientSecret: { name: 'shared-gh' }, ca: { name: 'sample-idp-gh-ca' } } };
    const objects = new Map([
      ['Secret/shared-gh', { resourceVersion: '3' }],
      ['ConfigMap/sample-idp-gh-ca', { owner: 'sample/gh', resourceVersion: '4' }],
    ]);
    const plan = planIdpRemove({ hc: hc([gh]), name: 'gh', deleteSecrets: true, objects });
    expect(plan.steps.map((s) => s.id)).toEqual(['remove-idp', 'delete-objects']);
    expect(plan.steps[1].changes).toEqual([expect.objectContaining({ op: 'delete', ref: expect.objectContaining({ name: 'sample-idp-gh-ca' }) })]);
    expect(plan.warnings.join()).toMatch(/left in place: Secret shared-gh \(not created by kubectl-hcp\)/);
    const foreign = planIdpRemove({ hc: hc([gh]), name: 'gh', deleteSecrets: true, objects: new Map([['Secret/shared-gh', { owner: 'other/gh' }]]) });
    expect(foreign.steps.map((s) => s.id)).toEqual(['remove-idp']);
    expect(foreign.warnings.join()).toMatch(/left in place: Secret shared-gh \(annotated for other\/gh\)/);
  });

  it('removes one provider and deletes only the secrets nobody else uses', () => {
    const shared = { name: 'a', type: 'GitHub', github: { clientSecret: { name: 'shared' }, ca: { name: 'ca-a' } } };
    const other = { name: 'b', type: 'GitLab', gitlab: { clientSecret: { name: 'shared' } } };
    const ours = new Map([
      ['Secret/shared', { owner: 'sample/a' }],
      ['ConfigMap/ca-a', { owner: 'sample/a' }],
    ]);
    const plan = planIdpRemove({ hc: hc([shared, other]), name: 'a', deleteSecrets: true, objects: ours });
    expect(plan.steps.map((s) => s.id)).toEqual(['remove-idp', 'delete-objects']);
    expect(plan.steps[1].changes).toEqual([expect.objectContaining({ op: 'delete', ref: expect.objectContaining({ name: 'ca-a' }) })]);
    expect(planIdpRemove({ hc: hc([shared]), name: 'zzz', deleteSecrets: false }).blockers[0].message).toMatch(/no identity provider named "zzz"/);
  });

  it('takes the callback URL from status.oauthCallbackURLTemplate, the docs form only as a fallback that says so (issue 13 item 10)', () => {
    const reported = {
      ...hc(),
      status: { oauthCallbackURLTemplate: 'https://oauth-clusters-sample.apps.mgmt.example.org:443/oauth2callback/[identity-provider-name]' },
    };
    expect(callbackUrl(reported, 'a b')).toEqual({ url: 'https://oauth-clusters-sample.apps.mgmt.example.org:443/oauth2callback/a%20b', source: 'status' });
    expect(callbackNote(callbackUrl(reported, 'IAM')!)).toBe(
      'register this redirect URL with the provider: https://oauth-clusters-sample.apps.mgmt.example.org:443/oauth2callback/IAM',
    );
    const docs = callbackUrl(hc(), 'IAM')!;
    expect(docs).toEqual({ url: 'https://oauth-openshift.apps.sample.example.com/oauth2callback/IAM', source: 'docs' });
    expect(callbackNote(docs)).toMatch(/from the docs' form .*does not report status.oauthCallbackURLTemplate yet/);
    const routed = {
      ...hc(),
      spec: { ...hc().spec, services: [{ service: 'OAuthServer', servicePublishingStrategy: { type: 'Route', route: { hostname: 'oauth.example.net' } } }] },
    };
    expect(callbackUrl(routed, 'a b')).toEqual({ url: 'https://oauth.example.net/oauth2callback/a%20b', source: 'route' });
  });

  describe('--wait for ValidIDPConfiguration (issue 13 item 11)', () => {
    type Cond = { status: string; reason?: string; message?: string; observedGeneration?: number };
    /** Each poll sees the next [HostedCluster condition, HostedControlPlane state]; the last one stays. */
    const reporting = (...polls: [Cond | undefined, { names: string[]; generation: number; cond?: Cond } | null][]) => {
      let i = -1;
      const at = () => polls[Math.min(i, polls.length - 1)];
      const idps = (names: string[]) => names.map((name) => ({ name, type: 'OpenID' }));
      return {
        get: async () => {
          i++;
          const c = at()[0];
          return {
            ...hc(idps(['IAM'])),
            metadata: { ...hc().metadata, generation: 7 },
            status: { conditions: c ? [{ type: 'ValidIDPConfiguration', ...c }] : [] },
          };
        },
        getOrNull: async (rt: { kind: string }, ns: string, name: string) => {
          expect([rt.kind, ns, name]).toEqual(['HostedControlPlane', 'clusters-sample', 'sample']);
          const h = at()[1];
          if (!h) return null;
          return {
            metadata: { name, namespace: ns, generation: h.generation },
            spec: { configuration: { oauth: { identityProviders: idps(h.names) } } },
            status: { conditions: h.cond ? [{ type: 'ValidIDPConfiguration', ...h.cond }] : [] },
          };
        },
      };
    };
    const waitStep = (settleMs = 0) => {
      const { idp, objects } = openid();
      return planIdpAdd({ hc: hc(), idp, objects, existing: new Map(), waitMs: 3000, settleMs }).steps.at(-1)!;
    };
    const warnings: string[] = [];
    const ctx = (kube: object) =>
      ({
        kube,
        artifacts: { generation: 7 },
        progress: () => {},
        warn: (m: string) => warnings.push(m),
        clock: { now: () => performance.now(), sleep: (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 5))) },
      }) as never;
    const VALID: Cond = { status: 'True', reason: 'IDPConfigurationValid', message: 'Identity provider configuration is valid' };
    const INVALID: Cond = { status: 'False', reason: 'IDPConfigurationError', message: 'failed to initialize identity providers: x' };

    it('treats Unknown and older or missing observedGeneration as "not yet"', async () => {
      const kube = reporting(
        [{ ...INVALID, message: 'old config', observedGeneration: 6 }, null],
        [{ status: 'Unknown', reason: 'StatusUnknown', message: 'The hosted control plane is not found', observedGeneration: 7 }, null],
        [{ ...INVALID, message: 'no generation' }, null],
        [{ ...VALID, observedGeneration: 7 }, null],
      );
      await expect(waitStep().run!(ctx(kube))).resolves.toEqual({
        validIDPConfiguration: 'True/IDPConfigurationValid: Identity provider configuration is valid',
      });
      expect(warnings.join()).toMatch(/cannot read HostedControlPlane clusters-sample\/sample/);
    });

    it("does not take the previous list's verdict that the HostedCluster copied with the new generation", async () => {
      const kube = reporting(
        // The HostedCluster controller stamped the old True with generation 7: the HCP has not the new list yet…
        [
          { ...VALID, observedGeneration: 7 },
          { names: [], generation: 3, cond: { ...VALID, observedGeneration: 3 } },
        ],
        // …then has it, but judged the older HCP generation…
        [
          { ...VALID, observedGeneration: 7 },
          { names: ['IAM'], generation: 4, cond: { ...VALID, observedGeneration: 3 } },
        ],
        // …then judges it, and the HostedCluster has not copied that yet…
        [
          { ...VALID, observedGeneration: 7 },
          { names: ['IAM'], generation: 4, cond: { ...INVALID, observedGeneration: 4 } },
        ],
        // …and then it has.
        [
          { ...INVALID, observedGeneration: 7 },
          { names: ['IAM'], generation: 4, cond: { ...INVALID, observedGeneration: 4 } },
        ],
      );
      await expect(waitStep().run!(ctx(kube))).rejects.toThrow(
        /ValidIDPConfiguration is False \(IDPConfigurationError\): failed to initialize identity providers: x/,
      );
    });

    it('takes a verdict only once it has held for the settle time', async () => {
      const kube = reporting(
        [
          { ...VALID, observedGeneration: 7 },
          { names: ['IAM'], generation: 4, cond: VALID },
        ],
        [
          { ...INVALID, observedGeneration: 7 },
          { names: ['IAM'], generation: 4, cond: INVALID },
        ],
      );
      await expect(waitStep(50).run!(ctx(kube))).rejects.toThrow(/ValidIDPConfiguration is False/);
    });

    it('fails on False for the written generation', async () => {
      const kube = reporting([
        { ...INVALID, observedGeneration: 8 },
        { names: ['IAM'], generation: 4, cond: INVALID },
      ]);
      await expect(waitStep().run!(ctx(kube))).rejects.toThrow(/ValidIDPConfiguration is False \(IDPConfigurationError\): failed to initialize/);
    });
  });

  it("a failed --wait keeps the provider's Secret: the list already references it", async () => {
    const { idp, objects } = openid();
    const plan = planIdpAdd({ hc: hc(), idp, objects, existing: new Map(), waitMs: 1000 });
    const deleted: string[] = [];
    const kube = (inList: boolean) => ({
      get: async () => hc(inList ? [idp] : []),
      delete: async (_rt: unknown, _ns: unknown, name: string) => (deleted.push(name), true),
    });
    await plan.steps[0].undo!.run!({ kube: kube(true) } as never);
    expect(deleted).toEqual([]);
    await plan.steps[0].undo!.run!({ kube: kube(false) } as never);
    expect(deleted).toEqual([objectName('sample', 'IAM', 'client-secret')]);
  });
});

describe('oauth commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-oauth-'));
  const f = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const secret = f('secret', `${SECRET}\n`);
  const empty = f('empty', '');
  const htpasswd = f('users', 'not-a-user-line\n');
  const notPem = f('ca.crt', 'hello');
  const base = ['oauth', 'add', 'sample', '--type', 'openid', '--idp-name', 'IAM', '--client-id', 'ocp'];
  it.each([
    [['oauth', 'list']],
    [['oauth', 'list', 'Bad_Name']],
    [['oauth', 'add', 'sample', '--idp-name', 'x']],
    [['oauth', 'add', 'sample', '--type', 'saml', '--idp-name', 'x']],
    [['oauth', 'add', 'sample', '--type', 'openid', '--idp-name', 'a/b']],
    [[...base, '--issuer', 'http://idp.example.com', '--client-secret-file', secret]],
    [[...base, '--issuer', 'https://idp.example.com?x=1', '--client-secret-file', secret]],
    [[...base, '--issuer', 'https://idp.example.com#f', '--client-secret-file', secret]],
    [[...base, '--issuer', 'https://idp.example.com', '--client-secret-file', '/nonexistent/secret']],
    [[...base, '--issuer', 'https://idp.example.com', '--client-secret-file', empty]],
    [[...base, '--issuer', 'https://idp.example.com', '--client-secret-env', 'UNSET_VAR_X']],
    [[...base, '--issuer', 'https://idp.example.com', '--client-secret-file', secret, '--client-secret-env', 'X']],
    [[...base, '--issuer', 'https://idp.example.com', '--client-secret-file', secret, '--mapping-method', 'merge']],
    [[...base, '--issuer', 'https://idp.example.com', '--client-secret-file', secret, '--ca-file', notPem]],
    [[...base, '--issuer', 'https://idp.example.com', '--client-secret-file', secret, '--htpasswd-file', htpasswd]],
    [[...base, '--client-secret-file', secret]],
    [['oauth', 'add', 'sample', '--type', 'htpasswd', '--idp-name', 'local', '--htpasswd-file', htpasswd]],
    [['oauth', 'add', 'sample', '--type', 'ldap', '--idp-name', 'corp', '--url', 'https://ldap.example.com']],
    [['oauth', 'add', 'sample', '--type', 'ldap', '--idp-name', 'corp', '--url', 'ldaps://ldap.example.com', '--insecure']],
    [['oauth', 'add', 'sample', '--type', 'gitlab', '--idp-name', 'gl', '--url', 'not a url', '--client-id', 'c', '--client-secret-file', secret]],
    [
      [
        'oauth',
        'add',
        'sample',
        '--type',
        'openid',
        '--idp-name',
        'IAM',
        '--issuer',
        'https://i',
        '--client-id',
        'c',
        '--client-secret-file',
        secret,
        '--wait',
        '--wait-timeout',
        '1d',
      ],
    ],
    // Issue 13 item 15: a prototype key is not a type.
    [['oauth', 'add', 'sample', '--type', 'constructor', '--idp-name', 'x', '--client-id', 'y']],
    [['oauth', 'add', 'sample', '--type', 'toString', '--idp-name', 'x']],
    [['oauth', 'remove', 'sample']],
    [['oauth', 'remove', 'sample', '--idp-name', 'a:b']],
  ])('%j exits 2 with one line and no API call', async (argv) => {
    const line = await expectRejected(argv);
    expect(line).not.toContain(SECRET);
  });

  it('a valid add goes on to the cluster without echoing the secret', async () => {
    const r = await runInProcess([...base, '--issuer', 'https://idp.example.com', '--client-secret-file', secret]);
    expect(r.stderr).toMatch(/kubeconfig/);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  // Issue 13 item 21: refused before any API call, with the rule.
  const github = (...extra: string[]) => [
    'oauth',
    'add',
    'sample',
    '--type',
    'github',
    '--idp-name',
    'gh',
    '--client-id',
    'c',
    '--client-secret-file',
    secret,
    ...extra,
  ];
  const pem = f('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  it.each([
    [github('--organization', 'o', '--team', 'o/t'), /--organization and --team cannot be combined/],
    [github('--organization', 'o', '--ca-file', pem), /--ca-file needs --hostname/],
    [
      ['oauth', 'add', 'sample', '--type', 'ldap', '--idp-name', 'corp', '--url', 'ldap://ldap.example.com/ou=u?uid', '--insecure', '--ca-file', pem],
      /--insecure cannot be combined with --ca-file/,
    ],
    [
      ['oauth', 'add', 'sample', '--type', 'google', '--idp-name', 'g', '--client-id', 'c', '--client-secret-file', secret],
      /needs --hosted-domain unless --mapping-method lookup/,
    ],
  ] as [string[], RegExp][])('%j is refused with the rule (exit 2)', async (argv, rule) => {
    expect(await expectRejected(argv)).toMatch(rule);
  });
});

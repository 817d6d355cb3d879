import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertHtpasswd, assertIdpName, assertIssuer } from '../../../src/oauth/validate.ts';
import { buildIdentityProvider, objectName } from '../../../src/oauth/build.ts';
import { callbackUrl, idpRows } from '../../../src/oauth/read.ts';
import { planIdpAdd, planIdpRemove } from '../../../src/oauth/plan.ts';
import type { IdentityProvider } from '../../../src/oauth/types.ts';
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
  buildIdentityProvider({ hcName: 'sample', type: 'openid', name: 'IAM', clientId: 'ocp', secretValue: SECRET, issuer: 'https://idp.example.com/realms/x', mappingMethod: 'lookup' });

describe('validators', () => {
  it.each(['http://idp.example.com', 'https://idp.example.com/?a=b', 'https://idp.example.com/#frag', 'not a url', 'https://'])('issuer %j is rejected', (v) => {
    expect(() => assertIssuer(v)).toThrow(UsageError);
  });
  it.each(['', '.', '..', 'a/b', 'a%b', 'a:b', 'has space', 'x'.repeat(64)])('idp name %j is rejected', (v) => expect(() => assertIdpName(v)).toThrow(UsageError));
  it.each(['', 'no-colon\n', 'user:hash\nbad line\n'])('htpasswd %j is rejected', (v) => expect(() => assertHtpasswd(v, '--htpasswd-file')).toThrow(UsageError));
  it('derives DNS-safe object names from any provider name', () => {
    expect(objectName('sample', 'IAM', 'client-secret')).toBe('sample-idp-iam-client-secret');
    expect(objectName('sample', 'My IdP!', 'ca')).toBe('sample-idp-my-idp-ca');
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
        clientSecret: { name: 'sample-idp-iam-client-secret' },
        claims: { email: ['email'], name: ['name'], preferredUsername: ['preferred_username'] },
      },
    });
    expect(objects).toEqual([{ kind: 'Secret', name: 'sample-idp-iam-client-secret', data: { clientSecret: SECRET } }]);
  });

  it.each([
    ['htpasswd', { htpasswd: 'u:h' }, 'htpasswd', { fileData: { name: 'sample-idp-x-htpasswd' } }, ['htpasswd']],
    ['ldap', { url: 'ldaps://l/ou=x?uid', bindDN: 'cn=r', secretValue: 'pw' }, 'ldap', { bindPassword: { name: 'sample-idp-x-bind-password' } }, ['bindPassword']],
    ['keystone', { url: 'https://k', domainName: 'd', tlsCert: 'c', tlsKey: 'k' }, 'keystone', { tlsClientCert: { name: 'sample-idp-x-tls' } }, ['tls.crt', 'tls.key']],
    ['request-header', { ca: 'pem', headers: ['X-Remote-User'] }, 'requestHeader', { ca: { name: 'sample-idp-x-ca' } }, ['ca.crt']],
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
});

describe('planIdpAdd / planIdpRemove', () => {
  it('warns that the first provider removes kubeadmin, and redacts the secret in dry-run output', () => {
    const { idp, objects } = openid();
    const plan = planIdpAdd({ hc: hc(), idp, objects, existing: new Set() });
    expect(plan.warnings[0]).toMatch(/removes the kubeadmin login/);
    const text = renderPlanText(plan) + JSON.stringify(planToData(plan));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(text).toContain('<redacted>');
    expect(text).toContain('"clientSecret":{"name":"sample-idp-iam-client-secret"}');
  });

  it('rejects a duplicate name', () => {
    const { idp, objects } = openid();
    expect(planIdpAdd({ hc: hc([idp]), idp, objects, existing: new Set() }).blockers[0].message).toMatch(/already exists/);
  });

  it('writes the whole list through a read-modify-write step', async () => {
    const { idp, objects } = openid();
    const other = { name: 'local', type: 'HTPasswd', htpasswd: { fileData: { name: 'h' } } };
    const plan = planIdpAdd({ hc: hc([other]), idp, objects, existing: new Set(['Secret/sample-idp-iam-client-secret']) });
    expect(plan.warnings.join()).toMatch(/exists and is updated/);
    expect(plan.steps[0].changes?.[0]).toMatchObject({ op: 'patch', patchType: 'merge' });
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

  it('removes one provider and deletes only the secrets nobody else uses', () => {
    const shared = { name: 'a', type: 'GitHub', github: { clientSecret: { name: 'shared' }, ca: { name: 'ca-a' } } };
    const other = { name: 'b', type: 'GitLab', gitlab: { clientSecret: { name: 'shared' } } };
    const plan = planIdpRemove({ hc: hc([shared, other]), name: 'a', deleteSecrets: true });
    expect(plan.steps.map((s) => s.id)).toEqual(['remove-idp', 'delete-objects']);
    expect(plan.steps[1].changes).toEqual([expect.objectContaining({ op: 'delete', ref: expect.objectContaining({ name: 'ca-a' }) })]);
    expect(planIdpRemove({ hc: hc([shared]), name: 'zzz', deleteSecrets: false }).blockers[0].message).toMatch(/no identity provider named "zzz"/);
  });

  it('derives the callback URL from the cluster', () => {
    expect(callbackUrl(hc(), 'IAM')).toBe('https://oauth-openshift.apps.sample.example.com/oauth2callback/IAM');
    const routed = { ...hc(), spec: { ...hc().spec, services: [{ service: 'OAuthServer', servicePublishingStrategy: { type: 'Route', route: { hostname: 'oauth.example.net' } } }] } };
    expect(callbackUrl(routed, 'a b')).toBe('https://oauth.example.net/oauth2callback/a%20b');
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
    [['oauth', 'add', 'sample', '--type', 'openid', '--idp-name', 'IAM', '--issuer', 'https://i', '--client-id', 'c', '--client-secret-file', secret, '--wait', '--wait-timeout', '1d']],
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
});

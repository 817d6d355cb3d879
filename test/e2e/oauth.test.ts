// oauth list/add/remove through the built binary on a paused HostedCluster copy in this file's own
// namespace: the list, the Secrets with the operator's keys, and that secret values never show.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';
import { pausedHostedClusterCopy, runningHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';
import { objectName } from '../../src/oauth/build.ts';

const SECRET = 'e2e-client-secret-must-not-leak';

describe('oauth', () => {
  let ns: string;
  const dir = mkdtempSync(join(tmpdir(), 'hcp-e2e-oauth-'));
  const secretFile = join(dir, 'secret');
  const htpasswd = join(dir, 'users');
  const idps = async () =>
    JSON.parse((await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'idp', '-n', ns, '-o', 'jsonpath={.spec.configuration.oauth.identityProviders}'])) || '[]');
  const openid = () => [
    'oauth',
    'add',
    'idp',
    '-n',
    ns,
    '--type',
    'openid',
    '--idp-name',
    'IAM',
    '--issuer',
    'https://idp.example.com/realms/ocp',
    '--client-id',
    'ocp',
    '--client-secret-file',
    secretFile,
    '--mapping-method',
    'lookup',
  ];
  beforeAll(async () => {
    ns = await uniqueNamespace('oauth');
    await pausedHostedClusterCopy(ns, 'idp');
    writeFileSync(secretFile, `${SECRET}\n`);
    writeFileSync(htpasswd, 'alice:$2y$05$abcdefghijklmnopqrstuv\n');
  });

  it('--dry-run=client shows the plan with the secret redacted and writes nothing', async () => {
    const r = await hcp([...openid(), '--dry-run=client']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"clientSecret":"<redacted>"');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(await idps()).toEqual([]);
  });

  it('adds an OpenID provider: the list entry, the secret under clientSecret, the callback URL and the kubeadmin warning', async () => {
    const r = await hcp(openid());
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/removes the kubeadmin login/);
    // A paused copy never gets status.oauthCallbackURLTemplate: the docs' form, saying so.
    expect(r.stdout).toContain(
      "callback URL: https://oauth-openshift.apps.idp.sandbox.example.com/oauth2callback/IAM (the docs' form: not yet reported by the cluster)",
    );
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(await idps()).toEqual([
      {
        name: 'IAM',
        type: 'OpenID',
        mappingMethod: 'lookup',
        openID: {
          issuer: 'https://idp.example.com/realms/ocp',
          clientID: 'ocp',
          clientSecret: { name: objectName('idp', 'IAM', 'client-secret') },
          claims: { email: ['email'], name: ['name'], preferredUsername: ['preferred_username'] },
        },
      },
    ]);
    const data = await kubectlOk('mgmt-1', ['get', 'secret', objectName('idp', 'IAM', 'client-secret'), '-n', ns, '-o', 'jsonpath={.data.clientSecret}']);
    expect(Buffer.from(data, 'base64').toString()).toBe(SECRET);
  });

  it('run again exactly, converges writing nothing; another provider (or secret) under the name is rejected (exit 3); the list is kept', async () => {
    // The spec's generation (the operator's status writes change the resourceVersion, not this).
    const rv = async () => kubectlOk('mgmt-1', ['get', 'hostedcluster', 'idp', '-n', ns, '-o', 'jsonpath={.metadata.generation}']);
    const before = await rv();
    // The same add again (a re-run after a failure that came after the write): nothing to do.
    const again = await hcp(openid());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/identity provider IAM is already in idp's list as given, with its objects: nothing to write/);
    expect(await rv()).toBe(before);
    const other = await hcp(openid().map((a) => (a === 'https://idp.example.com/realms/ocp' ? 'https://other.example.com/realms/ocp' : a)));
    expect(other.code, other.stderr).toBe(3);
    expect(other.stderr).toMatch(/already exists/);
    const otherSecret = join(dir, 'other-secret');
    writeFileSync(otherSecret, 'another-client-secret\n');
    const rotated = await hcp(openid().map((a) => (a === secretFile ? otherSecret : a)));
    expect(rotated.code, rotated.stderr).toBe(3);
    expect(rotated.stderr).toMatch(/already exists/);
    expect(await idps()).toHaveLength(1);
    expect(await rv()).toBe(before);
  });

  it('adds htpasswd next to it and lists both, with referenced names only', async () => {
    await hcpOk(['oauth', 'add', 'idp', '-n', ns, '--type', 'htpasswd', '--idp-name', 'local', '--htpasswd-file', htpasswd]);
    const data = await kubectlOk('mgmt-1', ['get', 'secret', objectName('idp', 'local', 'htpasswd'), '-n', ns, '-o', 'jsonpath={.data.htpasswd}']);
    expect(Buffer.from(data, 'base64').toString()).toContain('alice:');
    const list = JSON.parse(await hcpOk(['oauth', 'list', 'idp', '-n', ns, '-o', 'json']));
    expect(list.identityProviders).toEqual([
      { name: 'IAM', type: 'OpenID', mappingMethod: 'lookup', secrets: [objectName('idp', 'IAM', 'client-secret')], configMaps: [] },
      { name: 'local', type: 'HTPasswd', mappingMethod: 'claim', secrets: [objectName('idp', 'local', 'htpasswd')], configMaps: [] },
    ]);
    const table = await hcpOk(['oauth', 'list', 'idp', '-n', ns]);
    expect(table).not.toContain('alice');
  });

  it("a provider whose name differs only in case gets its own Secret, and local's stays as it was (issue 13 item 6)", async () => {
    const other = join(dir, 'other-users');
    writeFileSync(other, 'bob:$2y$05$zyxwvutsrqponmlkjihgfe\n');
    await hcpOk(['oauth', 'add', 'idp', '-n', ns, '--type', 'htpasswd', '--idp-name', 'Local', '--htpasswd-file', other]);
    const read = async (idpName: string) =>
      Buffer.from(
        await kubectlOk('mgmt-1', ['get', 'secret', objectName('idp', idpName, 'htpasswd'), '-n', ns, '-o', 'jsonpath={.data.htpasswd}']),
        'base64',
      ).toString();
    expect(objectName('idp', 'Local', 'htpasswd')).not.toBe(objectName('idp', 'local', 'htpasswd'));
    expect(await read('local')).toContain('alice:');
    expect(await read('Local')).toContain('bob:');
    const list = await idps();
    expect(list.find((p: { name: string }) => p.name === 'local').htpasswd.fileData.name).toBe(objectName('idp', 'local', 'htpasswd'));
    await hcpOk(['oauth', 'remove', 'idp', '-n', ns, '--idp-name', 'Local', '--delete-secrets', '-y']);
  });

  it('refuses (exit 3) to overwrite an existing object it did not create for this provider', async () => {
    const name = objectName('idp', 'hand', 'htpasswd');
    await kubectlOk('mgmt-1', ['create', 'secret', 'generic', name, '-n', ns, '--from-literal=htpasswd=carol:hash']);
    const r = await hcp(['oauth', 'add', 'idp', '-n', ns, '--type', 'htpasswd', '--idp-name', 'hand', '--htpasswd-file', htpasswd]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Secret ${ns}/${name} already exists and was not created by kubectl-hcp for idp/hand: it is not overwritten`);
    expect(Buffer.from(await kubectlOk('mgmt-1', ['get', 'secret', name, '-n', ns, '-o', 'jsonpath={.data.htpasswd}']), 'base64').toString()).toBe(
      'carol:hash',
    );
    expect((await idps()).map((p: { name: string }) => p.name)).not.toContain('hand');
  });

  it('--delete-secrets leaves a Secret it did not create in place and says so (issue 13 item 7)', async () => {
    await kubectlOk('mgmt-1', ['create', 'secret', 'generic', 'shared-gh', '-n', ns, '--from-literal=clientSecret=x']);
    const list = await idps();
    const withShared = [
      ...list,
      { name: 'ghshared', type: 'GitHub', mappingMethod: 'claim', github: { clientID: 'c', clientSecret: { name: 'shared-gh' }, organizations: ['o'] } },
    ];
    await kubectlOk('mgmt-1', [
      'patch',
      'hostedcluster',
      'idp',
      '-n',
      ns,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { configuration: { oauth: { identityProviders: withShared } } } }),
    ]);
    const r = await hcp(['oauth', 'remove', 'idp', '-n', ns, '--idp-name', 'ghshared', '--delete-secrets', '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/left in place: Secret shared-gh \(not created by kubectl-hcp\)/);
    expect((await kubectl('mgmt-1', ['get', 'secret', 'shared-gh', '-n', ns])).code).toBe(0);
    expect((await idps()).map((p: { name: string }) => p.name)).toEqual(list.map((p: { name: string }) => p.name));
  });

  it('--wait reports when the operator gives no ValidIDPConfiguration', async () => {
    const r = await hcp(
      [
        'oauth',
        'add',
        'idp',
        '-n',
        ns,
        '--type',
        'google',
        '--idp-name',
        'g',
        '--client-id',
        'c',
        '--client-secret-env',
        'E2E_SECRET',
        '--hosted-domain',
        'example.com',
        '--wait',
        '--wait-timeout',
        '2s',
      ],
      { env: { E2E_SECRET: SECRET } },
    );
    expect(r.code).toBe(1);
    // A paused copy is never judged: whatever the cluster shows (nothing, or Unknown) is "not yet".
    expect(r.stderr).toMatch(/did not report ValidIDPConfiguration within 2s \((not reported|Unknown\/StatusUnknown.*)\)/);
    // The provider is in the list, so its Secret stays (undoing it would leave the list pointing at nothing).
    expect((await idps()).map((p: { name: string }) => p.name)).toContain('g');
    expect((await kubectl('mgmt-1', ['get', 'secret', objectName('idp', 'g', 'client-secret'), '-n', ns])).code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('removes a provider and, with --delete-secrets, its secret', async () => {
    expect((await hcp(['oauth', 'remove', 'idp', '-n', ns, '--idp-name', 'IAM'])).code).toBe(3); // asks first
    await hcpOk(['oauth', 'remove', 'idp', '-n', ns, '--idp-name', 'IAM', '--delete-secrets', '-y']);
    expect((await idps()).map((p: { name: string }) => p.name)).toEqual(['local', 'g']);
    expect((await kubectl('mgmt-1', ['get', 'secret', objectName('idp', 'IAM', 'client-secret'), '-n', ns])).code).not.toBe(0);
  });
});

describe('oauth --wait on a running cluster', () => {
  let ns: string;
  const name = 'idp-live';
  const condition = async () =>
    JSON.parse(
      (await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="ValidIDPConfiguration")]}'])) ||
        'null',
    );
  let template: string;
  beforeAll(async () => {
    ns = await uniqueNamespace('oauth-live');
    await runningHostedClusterCopy(ns, name);
    // The operator reports where its OAuth server really is once the control plane is up.
    await waitFor(
      async () => {
        template = (await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.status.oauthCallbackURLTemplate}'])).trim();
        return template.includes('[identity-provider-name]');
      },
      150_000,
      'status.oauthCallbackURLTemplate',
    );
  });

  it('waits for the operator to accept the provider, reports the condition and the callback URL it reports (issue 13 items 10, 11)', async () => {
    const generation = Number(await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.metadata.generation}']));
    const r = await hcp(
      [
        'oauth',
        'add',
        name,
        '-n',
        ns,
        '--type',
        'github',
        '--idp-name',
        'gh',
        '--client-id',
        'c',
        '--client-secret-env',
        'E2E_SECRET',
        '--organization',
        'openshift',
        '--wait',
        '--wait-timeout',
        '60s',
      ],
      { env: { E2E_SECRET: SECRET } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ValidIDPConfiguration: True');
    expect(r.stdout).toContain(`callback URL: ${template.replace('[identity-provider-name]', 'gh')}\n`);
    const c = await condition();
    expect(c.status).toBe('True');
    expect(c.observedGeneration).toBeGreaterThan(generation);
  });

  it('fails with exit 1 and the operator message when the provider is invalid', async () => {
    // An issuer the OAuth server cannot reach: the control-plane operator's discovery fails.
    const r = await hcp(
      [
        'oauth',
        'add',
        name,
        '-n',
        ns,
        '--type',
        'openid',
        '--idp-name',
        'broken',
        '--issuer',
        'https://idp.invalid/realms/x',
        '--client-id',
        'c',
        '--client-secret-env',
        'E2E_SECRET',
        '--wait',
        '--wait-timeout',
        '60s',
      ],
      { env: { E2E_SECRET: SECRET } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ValidIDPConfiguration is False \(IDPConfigurationError\): failed to initialize identity providers: .*idp\.invalid/);
    expect(r.stderr).not.toContain(SECRET);
  });
});

// oauth list/add/remove through the built binary on a paused HostedCluster copy in this file's own
// namespace: the list, the Secrets with the operator's keys, and that secret values never show.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, uniqueNamespace } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';
import { pausedHostedClusterCopy, runningHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';

const SECRET = 'e2e-client-secret-must-not-leak';

describe('oauth', () => {
  let ns: string;
  const dir = mkdtempSync(join(tmpdir(), 'hcp-e2e-oauth-'));
  const secretFile = join(dir, 'secret');
  const htpasswd = join(dir, 'users');
  const idps = async () => JSON.parse((await kubectlOk('mgmt-1', ['get', 'hostedcluster', 'idp', '-n', ns, '-o', 'jsonpath={.spec.configuration.oauth.identityProviders}'])) || '[]');
  const openid = () => ['oauth', 'add', 'idp', '-n', ns, '--type', 'openid', '--idp-name', 'IAM', '--issuer', 'https://idp.example.com/realms/ocp', '--client-id', 'ocp', '--client-secret-file', secretFile, '--mapping-method', 'lookup'];
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
    expect(r.stdout).toContain('callback URL: https://oauth-openshift.apps.idp.sandbox.example.com/oauth2callback/IAM');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(await idps()).toEqual([
      {
        name: 'IAM', type: 'OpenID', mappingMethod: 'lookup',
        openID: { issuer: 'https://idp.example.com/realms/ocp', clientID: 'ocp', clientSecret: { name: 'idp-idp-iam-client-secret' }, claims: { email: ['email'], name: ['name'], preferredUsername: ['preferred_username'] } },
      },
    ]);
    const data = await kubectlOk('mgmt-1', ['get', 'secret', 'idp-idp-iam-client-secret', '-n', ns, '-o', 'jsonpath={.data.clientSecret}']);
    expect(Buffer.from(data, 'base64').toString()).toBe(SECRET);
  });

  it('rejects a duplicate name (exit 3) and keeps the list', async () => {
    const r = await hcp(openid());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/already exists/);
    expect(await idps()).toHaveLength(1);
  });

  it('adds htpasswd next to it and lists both, with referenced names only', async () => {
    await hcpOk(['oauth', 'add', 'idp', '-n', ns, '--type', 'htpasswd', '--idp-name', 'local', '--htpasswd-file', htpasswd]);
    const data = await kubectlOk('mgmt-1', ['get', 'secret', 'idp-idp-local-htpasswd', '-n', ns, '-o', 'jsonpath={.data.htpasswd}']);
    expect(Buffer.from(data, 'base64').toString()).toContain('alice:');
    const list = JSON.parse(await hcpOk(['oauth', 'list', 'idp', '-n', ns, '-o', 'json']));
    expect(list.identityProviders).toEqual([
      { name: 'IAM', type: 'OpenID', mappingMethod: 'lookup', secrets: ['idp-idp-iam-client-secret'], configMaps: [] },
      { name: 'local', type: 'HTPasswd', mappingMethod: 'claim', secrets: ['idp-idp-local-htpasswd'], configMaps: [] },
    ]);
    const table = await hcpOk(['oauth', 'list', 'idp', '-n', ns]);
    expect(table).not.toContain('alice');
  });

  it('--wait reports when the operator gives no ValidIDPConfiguration', async () => {
    const r = await hcp(['oauth', 'add', 'idp', '-n', ns, '--type', 'google', '--idp-name', 'g', '--client-id', 'c', '--client-secret-env', 'E2E_SECRET', '--wait', '--wait-timeout', '2s'], { env: { E2E_SECRET: SECRET } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not report ValidIDPConfiguration within 2s \(not reported\)/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('removes a provider and, with --delete-secrets, its secret', async () => {
    expect((await hcp(['oauth', 'remove', 'idp', '-n', ns, '--idp-name', 'IAM'])).code).toBe(3); // asks first
    await hcpOk(['oauth', 'remove', 'idp', '-n', ns, '--idp-name', 'IAM', '--delete-secrets', '-y']);
    expect((await idps()).map((p: { name: string }) => p.name)).toEqual(['local', 'g']);
    expect((await kubectl('mgmt-1', ['get', 'secret', 'idp-idp-iam-client-secret', '-n', ns])).code).not.toBe(0);
  });
});

describe('oauth --wait on a running cluster', () => {
  let ns: string;
  const name = 'idp-live';
  const condition = async () =>
    JSON.parse((await kubectlOk('mgmt-1', ['get', 'hostedcluster', name, '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="ValidIDPConfiguration")]}'])) || 'null');
  beforeAll(async () => {
    ns = await uniqueNamespace('oauth-live');
    await runningHostedClusterCopy(ns, name);
  });

  it('waits for the operator to accept the provider and reports the condition', async () => {
    const r = await hcp(['oauth', 'add', name, '-n', ns, '--type', 'github', '--idp-name', 'gh', '--client-id', 'c', '--client-secret-env', 'E2E_SECRET', '--organization', 'openshift', '--wait', '--wait-timeout', '60s'], { env: { E2E_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ValidIDPConfiguration: True');
    expect((await condition()).status).toBe('True');
  });

  it('fails with exit 1 and the operator message when the provider is invalid', async () => {
    // Someone deletes the client secret the provider needs: the operator rejects the configuration.
    const secrets = JSON.parse(await kubectlOk('mgmt-1', ['get', 'secrets', '-n', ns, '-o', 'json'])).items.map((s: { metadata: { name: string } }) => s.metadata.name);
    for (const s of secrets.filter((n: string) => n.includes('-gh-'))) await kubectlOk('mgmt-1', ['delete', 'secret', s, '-n', ns]);
    const r = await hcp(['oauth', 'add', name, '-n', ns, '--type', 'google', '--idp-name', 'g', '--client-id', 'c', '--client-secret-env', 'E2E_SECRET', '--wait', '--wait-timeout', '60s'], { env: { E2E_SECRET: SECRET } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ValidIDPConfiguration is False \(IDPConfigurationError\): identity provider "gh": Secret \S+ has no key clientSecret/);
    expect(r.stderr).not.toContain(SECRET);
  });
});


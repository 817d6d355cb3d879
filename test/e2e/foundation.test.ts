// The foundation commands (version, status, pause, resume) and the CLI conventions, run as the
// built binary through real `kubectl hcp` against the sandbox, asserting the cluster with kubectl.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawn } from 'node:child_process';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';
import { hcp, hcpOk } from './helpers/hcp.ts';
import { pausedHostedClusterCopy, runningHostedClusterCopy } from './helpers/hosted-cluster-copy.ts';
import { distDir } from '../../scripts/lib/dist.ts';

type Obj = { metadata: Record<string, any>; spec: Record<string, any>; status?: Record<string, any> };
const getJson = async (args: string[]): Promise<Obj> => JSON.parse(await kubectlOk('mgmt-1', [...args, '-o', 'json']));
const conditionOf = (o: Obj, type: string) => (o.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

describe('version', () => {
  it('reports the client, the operator image and the supported versions from the cluster', async () => {
    const out = JSON.parse(await hcpOk(['version', '-o', 'json']));
    const deploy = await getJson(['get', 'deployment', 'operator', '-n', 'hypershift']);
    const cm = await getJson(['get', 'configmap', 'supported-versions', '-n', 'hypershift']);
    expect(out.client.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(out.operator.image).toBe(deploy.spec.template.spec.containers[0].image);
    expect(out.operator.supportedVersions).toEqual(JSON.parse((cm as any).data['supported-versions']).versions);
    expect(out.operator.serverVersion).toBe((cm as any).data['server-version']);
  });

  it('fails with exit 1 and a hint when the operator namespace is wrong', async () => {
    const r = await hcp(['version', '--hypershift-namespace', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: no HyperShift operator found: deployment nope/operator not found');
    expect(r.stderr).toContain('hint: pass --hypershift-namespace');
  });
});

describe('status', () => {
  it('shows one cluster with the values the API holds', async () => {
    const view = JSON.parse(await hcpOk(['status', 'sample', '-o', 'json']));
    const hc = await getJson(['get', 'hostedcluster', 'sample', '-n', 'clusters']);
    expect(view.name).toBe('sample');
    expect(view.controlPlaneNamespace).toBe('clusters-sample');
    expect(view.available.status).toBe(conditionOf(hc, 'Available')?.status ?? 'Unknown');
    expect(view.etcd.status).toBe(conditionOf(hc, 'EtcdAvailable')?.status ?? 'Unknown');
    expect(view.nodePools.map((p: { name: string; replicas: number }) => [p.name, p.replicas])).toEqual([
      ['sample-us-east-1a', 2],
      ['sample-us-east-1b', 1],
    ]);
    const table = await hcpOk(['status', 'sample']);
    expect(table).toContain('HostedCluster:         clusters/sample');
    expect(table).toMatch(/NODEPOOL\s+REPLICAS\s+READY\s+VERSION\s+UPDATING\s+PAUSED/);
  });

  it('--all lists every cluster, as table and yaml', async () => {
    const table = await hcpOk(['status', '--all']);
    expect(table.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+VERSION\s+AVAILABLE\s+PROGRESSING\s+DEGRADED\s+ETCD\s+PAUSED\s+NODEPOOLS$/);
    expect(table).toMatch(/\nclusters\s+sample\s/);
    const data = yaml.load(await hcpOk(['status', '--all', '-o', 'yaml'])) as { items: { namespace: string; name: string }[] };
    expect(data.items.map((i) => `${i.namespace}/${i.name}`)).toContain('clusters/sample');
  });

  it('a missing cluster is exit 1 with the namespace it looked in', async () => {
    const r = await hcp(['status', 'does-not-exist']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('error: HostedCluster clusters/does-not-exist not found');
  });

  it('survives `| head -1` (EPIPE) without an error', async () => {
    const r = await new Promise<{ code: number; stderr: string; stdout: string }>((resolve) => {
      const s = sandbox();
      execFile(
        'sh',
        ['-c', `"${s.kubectl}" hcp status --all | head -1`],
        { env: { ...process.env, PATH: `${distDir}:${process.env.PATH}`, KUBECONFIG: s.kubeconfig } },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
  });
});

describe('pause and resume', () => {
  let ns: string;
  const name = 'e2e-pause';
  const hcGet = () => getJson(['get', 'hostedcluster', name, '-n', ns]);
  const npGet = () => getJson(['get', 'nodepool', `${name}-pool`, '-n', ns]);

  beforeAll(async () => {
    ns = await uniqueNamespace('pause');
    await runningHostedClusterCopy(ns, name);
    // The simulated operator reports ReconciliationActive once it has reconciled the new cluster.
    await waitFor(async () => conditionOf(await hcGet(), 'ReconciliationActive')?.status === 'True', 60_000, 'ReconciliationActive=True on the new cluster');
  });

  it('--dry-run=client prints the exact patches and changes nothing', async () => {
    const r = await hcp(['pause', name, '-n', ns, '--nodepools', '--dry-run=client']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`PATCH HostedCluster ${ns}/${name} application/merge-patch+json`);
    expect(r.stdout).toContain(`PATCH NodePool ${ns}/${name}-pool application/merge-patch+json`);
    expect(r.stdout).toContain('{"spec":{"pausedUntil":"true"}}');
    expect((await hcGet()).spec.pausedUntil).toBeUndefined();
  });

  it('--dry-run=server sends the writes for validation only', async () => {
    const r = await hcp(['pause', name, '-n', ns, '--nodepools', '--dry-run=server']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(server dry run)');
    expect((await hcGet()).spec.pausedUntil).toBeUndefined();
    expect((await npGet()).spec.pausedUntil).toBeUndefined();
  });

  it('pause --for 2h --nodepools writes an RFC3339 UTC time on both and the operator stops reconciling', async () => {
    const before = Date.now();
    const r = await hcp(['pause', name, '-n', ns, '--for', '2h', '--nodepools']);
    expect(r.code, r.stderr).toBe(0);
    const hc = await hcGet();
    expect(hc.spec.pausedUntil).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const until = Date.parse(hc.spec.pausedUntil);
    expect(until).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2 * 3600_000 + 1000);
    expect((await npGet()).spec.pausedUntil).toBe(hc.spec.pausedUntil);
    const cond = conditionOf(await hcGet(), 'ReconciliationActive');
    expect([cond?.status, cond?.reason]).toEqual(['False', 'ReconciliationPaused']);
    expect(r.stdout.trim()).toBe(`hostedcluster/${name} paused until ${hc.spec.pausedUntil} (with 1 NodePools)`);
  });

  it('pausing again with the same value is idempotent', async () => {
    const value = (await hcGet()).spec.pausedUntil;
    const until = value as string;
    const r = await hcp(['pause', name, '-n', ns, '--until', until, '--nodepools', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'step-done' && e.skipped === 'already-done').map((e) => e.id)).toEqual([
      'pause-hostedcluster',
      `pause-nodepool-${name}-pool`,
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'result', pausedUntil: until });
  });

  it('resume --nodepools removes pausedUntil everywhere, reconciliation resumes and no pause leaks', async () => {
    const r = await hcp(['resume', name, '-n', ns, '--nodepools']);
    expect(r.code, r.stderr).toBe(0);
    expect((await hcGet()).spec.pausedUntil).toBeUndefined();
    expect((await npGet()).spec.pausedUntil).toBeUndefined();
    expect(conditionOf(await hcGet(), 'ReconciliationActive')?.status).toBe('True');
    expect(r.stdout.trim()).toBe(`hostedcluster/${name} resumed; no leaked pauses`);
    const hcp_ = await getJson(['get', 'hostedcontrolplane', name, '-n', `${ns}-${name}`]);
    expect(hcp_.spec.pausedUntil).toBeUndefined();
  });

  it('pause without flags writes "true"; a zone-less --until is refused before any write', async () => {
    const bad = await hcp(['pause', name, '-n', ns, '--until', '2030-01-01T00:00:00']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('has no zone');
    expect((await hcGet()).spec.pausedUntil).toBeUndefined();
    await hcpOk(['pause', name, '-n', ns]);
    expect((await hcGet()).spec.pausedUntil).toBe('true');
    await hcpOk(['resume', name, '-n', ns]);
  });

  it('resume reports a leaked pause and --fix-leaks clears it (OCPBUGS-77530)', async () => {
    // Make the simulated operator leave the HostedControlPlane paused after a resume, as the bug does.
    await kubectlOk('mgmt-1', ['annotate', 'hostedcluster', name, '-n', ns, 'sandbox.kubectl-hcp.dev/leak-pauses=true', '--overwrite']);
    await hcpOk(['pause', name, '-n', ns]);
    await waitFor(async () => (await getJson(['get', 'hostedcontrolplane', name, '-n', `${ns}-${name}`])).spec.pausedUntil === 'true', 30_000, 'HCP paused');
    const report = await hcp(['resume', name, '-n', ns, '--wait-timeout', '3s']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).toContain(`leaked pause: HostedControlPlane ${ns}-${name}/${name}: spec.pausedUntil is still "true" (--fix-leaks clears it)`);
    expect((await getJson(['get', 'hostedcontrolplane', name, '-n', `${ns}-${name}`])).spec.pausedUntil).toBe('true');
    const fixed = await hcp(['resume', name, '-n', ns, '--fix-leaks', '--wait-timeout', '3s', '-o', 'json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const result = JSON.parse(fixed.stdout.trim().split('\n').at(-1)!);
    expect(result.leakedPauses).toEqual([{ object: `HostedControlPlane ${ns}-${name}/${name}`, problem: 'spec.pausedUntil is still "true"', fixed: true }]);
    expect((await getJson(['get', 'hostedcontrolplane', name, '-n', `${ns}-${name}`])).spec.pausedUntil).toBeUndefined();
    await kubectlOk('mgmt-1', ['annotate', 'hostedcluster', name, '-n', ns, 'sandbox.kubectl-hcp.dev/leak-pauses-']);
  });

  it('-l selects clusters by label and --all in a namespace takes them all', async () => {
    await kubectlOk('mgmt-1', ['label', 'hostedcluster', name, '-n', ns, 'e2e-group=pausable', '--overwrite']);
    await hcpOk(['pause', '-l', 'e2e-group=pausable', '-n', ns]);
    expect((await hcGet()).spec.pausedUntil).toBe('true');
    await hcpOk(['resume', '--all', '-n', ns]);
    expect((await hcGet()).spec.pausedUntil).toBeUndefined();
  });
});

describe('kubectl conventions', () => {
  it('--as-group sends each group separately: only the second one is authorized', async () => {
    const ns = await uniqueNamespace('rbac');
    await kubectlOk('mgmt-1', [
      'create',
      'role',
      'hc-reader',
      '-n',
      'clusters',
      '--verb=get,list',
      '--resource=hostedclusters.hypershift.openshift.io,nodepools.hypershift.openshift.io',
    ]);
    await kubectlOk('mgmt-1', ['create', 'rolebinding', `hc-reader-${ns}`, '-n', 'clusters', '--role=hc-reader', '--group=e2e-readers']);
    try {
      const denied = await hcp(['status', 'sample', '--as', 'e2e-user', '--as-group', 'e2e-others']);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('"e2e-user" cannot get resource "hostedclusters"');
      const allowed = await hcp(['status', 'sample', '--as', 'e2e-user', '--as-group', 'e2e-others', '--as-group', 'e2e-readers', '-o', 'json']);
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(JSON.parse(allowed.stdout).name).toBe('sample');
    } finally {
      await kubectl('mgmt-1', ['delete', 'rolebinding', `hc-reader-${ns}`, '-n', 'clusters']);
      await kubectl('mgmt-1', ['delete', 'role', 'hc-reader', '-n', 'clusters']);
    }
  });

  it('merges a KUBECONFIG list like kubectl: missing files skipped, first name wins, --context selects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-kc-'));
    const real = yaml.load(readFileSync(sandbox().kubeconfig, 'utf8')) as Record<string, any>;
    // A first file that shadows cluster "mgmt-1" with a dead server must win over the real one.
    const shadow = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: real.contexts[0].context.cluster, cluster: { server: 'https://127.0.0.1:1' } }],
      users: [],
      contexts: [],
      'current-context': '',
    };
    writeFileSync(join(dir, 'shadow'), yaml.dump(shadow));
    const list = [join(dir, 'missing'), join(dir, 'shadow'), sandbox().kubeconfig].join(':');
    const viaShadow = await hcp(['status', 'sample', '--context', real.contexts[0].name], { env: { KUBECONFIG: list } });
    expect(viaShadow.code).toBe(1);
    expect(viaShadow.stderr).toContain('cannot reach the API server at https://127.0.0.1:1');
    const other = real.contexts.find((c: { name: string }) => c.name === 'mgmt-2');
    const viaReal = await hcp(['version', '--context', 'mgmt-2', '-o', 'json'], { env: { KUBECONFIG: list } });
    expect(other).toBeDefined();
    expect(viaReal.code, viaReal.stderr).toBe(0);
  });

  describe('HTTPS_PROXY', () => {
    let proxy: Server;
    let tunnels = 0;
    const sockets = new Set<{ destroy: () => void }>();
    beforeAll(async () => {
      proxy = createServer();
      // A CONNECT proxy that sends every tunnel to the sandbox apiserver, whatever host was asked.
      proxy.on('connect', (req, socket, head) => {
        tunnels++;
        sockets.add(socket);
        const port = Number(req.url!.split(':')[1]);
        const upstream = connect(port, '127.0.0.1', () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(socket).pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on('error', () => socket.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    });
    // Tunnels are not the server's connections: close() would wait for them forever.
    afterAll(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => proxy.close(() => r()));
    });

    it('goes through the proxy for a non-local server, and not when NO_PROXY names it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hcp-proxy-'));
      const real = yaml.load(readFileSync(sandbox().kubeconfig, 'utf8')) as Record<string, any>;
      const current = real.contexts.find((c: { name: string }) => c.name === real['current-context']);
      const cluster = real.clusters.find((c: { name: string }) => c.name === current.context.cluster);
      const port = new URL(cluster.cluster.server).port;
      cluster.cluster.server = `https://apiserver.sandbox.invalid:${port}`;
      cluster.cluster['tls-server-name'] = 'localhost';
      const kc = join(dir, 'kubeconfig');
      writeFileSync(kc, yaml.dump(real));
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
      const viaProxy = await hcp(['status', 'sample', '-o', 'json'], { env: { KUBECONFIG: kc, HTTPS_PROXY: proxyUrl, NO_PROXY: '' } });
      expect(viaProxy.code, viaProxy.stderr).toBe(0);
      expect(tunnels).toBeGreaterThan(0);
      const before = tunnels;
      const bypass = await hcp(['status', 'sample'], { env: { KUBECONFIG: kc, HTTPS_PROXY: proxyUrl, NO_PROXY: '.sandbox.invalid' } });
      expect(bypass.code).toBe(1); // the name does not resolve without the proxy
      expect(tunnels).toBe(before);
    });
  });
});

describe('interrupting a plan', () => {
  it('Ctrl-C during a step says where it stopped and how to go on, exit 130', async () => {
    const ns = await uniqueNamespace('sigint');
    // A paused cluster: the operator never reports ValidIDPConfiguration, so --wait waits.
    await pausedHostedClusterCopy(ns, 'waits');
    const s = sandbox();
    const child = spawn(
      s.kubectl,
      [
        'hcp',
        'oauth',
        'add',
        'waits',
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
        '2m',
      ],
      {
        env: { ...process.env, PATH: `${distDir}:${process.env.PATH}`, KUBECONFIG: s.kubeconfig, E2E_SECRET: 'not-shown', NO_COLOR: '1' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(async () => stderr.includes('Wait for condition ValidIDPConfiguration'), 60_000, 'the wait step to start');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain(
      `error: oauth-add HostedCluster ${ns}/waits interrupted by SIGINT during step "Wait for condition ValidIDPConfiguration"; that step may be half done`,
    );
    expect(stderr).toMatch(/hint: run the same command again( with --resume)?: finished steps are skipped/);
  });
});

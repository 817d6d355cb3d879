// Helpers for e2e tests: the sandbox's coordinates (from the global setup), real kubectl, and a
// namespace of its own for each test file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { kubectlEnv } from '../../../scripts/sandbox/api.ts';

export interface SandboxContext {
  dir: string;
  /** Contexts mgmt-1 (current) and mgmt-2. */
  kubeconfig: string;
  guestKubeconfig: string;
  /** The kubectl the sandbox built (same version as the clusters). */
  kubectl: string;
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_ROUTE_53, HCP_SANDBOX_BUCKET. */
  awsEnv: Record<string, string>;
  ports: Record<string, number>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: SandboxContext;
  }
}

export function sandbox(): SandboxContext {
  return inject('sandbox');
}

export type Cluster = 'mgmt-1' | 'mgmt-2' | 'guest';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the sandbox's kubectl against a cluster; never throws on a non-zero exit code. */
export function kubectl(cluster: Cluster, args: string[], input?: string): Promise<RunResult> {
  const s = sandbox();
  const target = cluster === 'guest' ? ['--kubeconfig', s.guestKubeconfig] : ['--kubeconfig', s.kubeconfig, '--context', cluster];
  return new Promise((resolve) => {
    const child = execFile(s.kubectl, [...target, ...args], { env: kubectlEnv(), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Like kubectl(), but fails the test with kubectl's stderr unless it exits 0; resolves to stdout. */
export async function kubectlOk(cluster: Cluster, args: string[], input?: string): Promise<string> {
  const r = await kubectl(cluster, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const created: { cluster: Cluster; name: string }[] = [];

// Registered when a test file imports this module, so it runs after that file's tests, wherever
// in the file uniqueNamespace() was called.
afterAll(async () => {
  await Promise.all(created.splice(0).map(({ cluster, name }) => kubectl(cluster, ['delete', 'namespace', name, '--wait=false'])));
});

/**
 * Creates a namespace unique to its caller (e.g. `e2e-smoke-3f9a1c`), waits until pods can be
 * created in it (its default service account exists), and deletes it after the test file.
 */
export async function uniqueNamespace(prefix: string, cluster: Cluster = 'mgmt-1'): Promise<string> {
  const name = `e2e-${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase().slice(0, 63);
  await kubectlOk(cluster, ['create', 'namespace', name]);
  created.push({ cluster, name });
  await kubectlOk(cluster, ['label', 'namespace', name, 'kubectl-hcp.e2e=true']);
  // The controller-manager creates the default service account in the management clusters; the
  // guest runs none, so create it there.
  if (cluster === 'guest') await kubectlOk(cluster, ['create', 'serviceaccount', 'default', '-n', name]);
  else
    await waitFor(
      async () => (await kubectl(cluster, ['get', 'serviceaccount', 'default', '-n', name])).code === 0,
      30_000,
      `serviceaccount default in ${name}`,
    );
  return name;
}

/** Polls until check() resolves true; fails after timeoutMs with what it waited for. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

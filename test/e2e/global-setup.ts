// Brings the sandbox up once per test run (reusing a running one) and hands its coordinates to the
// test files through vitest's provide/inject. The sandbox is left running for the next run;
// `npm run sandbox -- down` stops it.
import type { TestProject } from 'vitest/node';
import { ensureSandbox } from '../../scripts/sandbox/api.ts';
import { resetSharedState } from '../../scripts/sandbox/reset.ts';
import type { SandboxContext } from './helpers/sandbox.ts';

export default async function setup(project: TestProject): Promise<void> {
  const info = await ensureSandbox();
  // A used sandbox: put back the shared objects earlier runs or README commands changed
  // (operator env, install flags, metrics configmaps, dashboards) and set the test timings.
  const reset = await resetSharedState(['mgmt-1', 'mgmt-2'].map((context) => ({ kubectl: info.kubectl, kubeconfig: info.kubeconfig, context })));
  for (const line of reset) process.stderr.write(`[e2e setup] ${line}\n`);
  const sandbox: SandboxContext = {
    dir: info.dir,
    kubeconfig: info.kubeconfig,
    guestKubeconfig: info.guestKubeconfig,
    kubectl: info.kubectl,
    awsEnv: info.awsEnv,
    ports: info.ports,
  };
  project.provide('sandbox', sandbox);
}

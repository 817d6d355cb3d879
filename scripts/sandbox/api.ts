// The sandbox's API for tests and benchmarks: bring it up (or reuse a running one) and get the
// paths and environment to reach it. Per-pod exec/logs behaviour comes from kwok.ts.
import { up, type SandboxInfo } from './sandbox.ts';

export type { SandboxInfo } from './sandbox.ts';
export { down, status } from './sandbox.ts';
export { criLogLines, podExec, podLogs, writePodLog } from './kwok.ts';
export { kubectlEnv } from './kube.ts';
export { BASE_DOMAIN, BUCKET } from './config.ts';
export { ZONE_ID as PUBLIC_ZONE_ID, RELEASE_IMAGE } from './seed.ts';

/** Starts the sandbox unless a complete, healthy one is already running; resolves to where it is. */
export function ensureSandbox(): Promise<SandboxInfo> {
  return up();
}

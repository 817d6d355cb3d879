// Runs the built binary the way users do: `kubectl hcp …` through the sandbox's real kubectl,
// with dist/ on PATH, against the sandbox's kubeconfig, and a state dir of its own.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { distDir, ensureBuilt } from '../../../scripts/lib/dist.ts';
import { kubectlEnv } from '../../../scripts/sandbox/api.ts';
import { sandbox, type RunResult } from './sandbox.ts';

let built = false;
const stateHome = mkdtempSync(join(tmpdir(), 'hcp-e2e-state-'));

export interface HcpOptions {
  context?: 'mgmt-1' | 'mgmt-2';
  env?: Record<string, string>;
  input?: string;
}

/** `kubectl hcp ARGS` against mgmt-1 (or opts.context); never throws on a non-zero exit. */
export function hcp(args: string[], opts: HcpOptions = {}): Promise<RunResult> {
  if (!built) {
    ensureBuilt({ quiet: true });
    built = true;
  }
  const s = sandbox();
  const base = kubectlEnv();
  const env: NodeJS.ProcessEnv = {
    ...base,
    PATH: `${distDir}${delimiter}${base.PATH ?? process.env.PATH ?? ''}`,
    KUBECONFIG: s.kubeconfig,
    XDG_STATE_HOME: stateHome,
    NO_COLOR: '1',
    ...opts.env,
  };
  const ctx = opts.context && opts.context !== 'mgmt-1' ? ['--context', opts.context] : [];
  return new Promise((resolve) => {
    const child = execFile(s.kubectl, ['hcp', ...args, ...ctx], { env, maxBuffer: 64 << 20, timeout: 170_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** Like hcp(), but fails with its stderr unless it exits 0; resolves to stdout. */
export async function hcpOk(args: string[], opts: HcpOptions = {}): Promise<string> {
  const r = await hcp(args, opts);
  if (r.code !== 0) throw new Error(`kubectl hcp ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

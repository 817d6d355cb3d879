// The end of `npm run quickstart`: runs a first `kubectl hcp` command against the sandbox the way a
// user would, through the sandbox's real kubectl with dist/ on PATH.
import { spawnSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { ensureSandbox, kubectlEnv } from './sandbox/api.ts';
import { distDir } from './lib/dist.ts';

const sb = await ensureSandbox();
const env = { ...kubectlEnv(), KUBECONFIG: sb.kubeconfig, PATH: `${distDir}${delimiter}${process.env.PATH ?? ''}` };
process.stdout.write(`$ kubectl hcp status sample\n`);
const r = spawnSync(sb.kubectl, ['hcp', 'status', 'sample'], { env, stdio: 'inherit' });
process.stdout.write(`\nNext:\n  export KUBECONFIG=${sb.kubeconfig} PATH=${distDir}:$PATH\n  kubectl hcp --help\n`);
process.exitCode = r.status ?? 1;

// Finding a real kubectl for the plugin checks (test/e2e/binary.test.ts) and the start-up bench:
// $KUBECTL, else the one the sandbox builds into its cache, else the first on PATH.
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** ${XDG_CACHE_HOME:-~/.cache}/kubectl-hcp-sandbox/<versions>/bin/kubectl, the newest if several. */
export function sandboxKubectl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cache = join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'kubectl-hcp-sandbox');
  if (!existsSync(cache)) return undefined;
  return readdirSync(cache)
    .map((dir) => join(cache, dir, 'bin', 'kubectl'))
    .filter(isExecutable)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

export function findKubectl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KUBECTL) {
    if (!isExecutable(env.KUBECTL)) throw new Error(`$KUBECTL=${env.KUBECTL} is not an executable file`);
    return env.KUBECTL;
  }
  return sandboxKubectl(env) ?? findOnPath('kubectl', env.PATH);
}

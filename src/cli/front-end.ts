/**
 * Which front end ran the plugin, so that usage and examples say `oc hcp …` to oc users.
 *
 * kubectl and oc start a plugin with execve in place of themselves (k8s.io/kubectl pkg/cmd/cmd.go,
 * DefaultPluginHandler.Execute: syscall.Exec), so the plugin's parent is usually the user's shell,
 * not oc. Two traces remain:
 * - the parent process, when the front end did not exec in place: kubectl and oc run a plugin's
 *   completion helper (kubectl_complete-hcp, oc_complete-hcp) as a child (pkg/cmd/plugin/
 *   plugin_completion.go, getPluginCompletions), and other wrappers may fork too;
 * - `$_`, which bash and zsh set in the environment of every command they run to the path of that
 *   command (`/usr/bin/oc`), and which oc passes on unchanged to the plugin it execs.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export type FrontEnd = 'kubectl' | 'oc';

export interface ProcessFacts {
  platform: NodeJS.Platform;
  ppid: number;
  env: NodeJS.ProcessEnv;
  /** Reads a /proc file, or undefined when it cannot. */
  readProc: (path: string) => string | undefined;
}

function frontEndNamed(name: string | undefined): FrontEnd | undefined {
  const base = name ? basename(name.trim()) : '';
  return base === 'oc' || base === 'oc.exe' ? 'oc' : base === 'kubectl' || base === 'kubectl.exe' ? 'kubectl' : undefined;
}

export function detectFrontEnd(facts: ProcessFacts): FrontEnd {
  if (facts.platform === 'linux' && facts.ppid > 1) {
    const parent = frontEndNamed(facts.readProc(`/proc/${facts.ppid}/comm`)) ?? frontEndNamed(facts.readProc(`/proc/${facts.ppid}/cmdline`)?.split('\0')[0]);
    if (parent) return parent;
  }
  return frontEndNamed(facts.env._) ?? 'kubectl';
}

/** The facts of this process. */
export function processFacts(): ProcessFacts {
  return {
    platform: process.platform,
    ppid: process.ppid,
    env: process.env,
    readProc: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

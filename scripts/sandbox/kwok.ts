// kwok's configuration: the lifecycle stages plus what `kubectl exec` and `kubectl logs` do for
// sandbox pods. All exec/logs behaviour is decided here.
//
// - Cluster-wide defaults live in the config file (ClusterExec, ClusterLogs): exec runs the
//   requested command as a local process in .sandbox/ (its exit code reaches kubectl), and logs
//   come from .sandbox/pod-logs/<cluster>.log.
// - Per-pod behaviour is dynamic: kwok runs with --enable-crds=Exec,Logs, so creating a
//   kwok.x-k8s.io/v1alpha1 Exec or Logs object named after a pod (same namespace) overrides the
//   defaults for that pod without restarting kwok. See podExec()/podLogs().
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { paths, type ClusterSpec } from './config.ts';

export const KWOK_CRDS = join(paths.manifests, 'kwok/crds.yaml');

export function defaultPodLogFile(cluster: string): string {
  return join(paths.podLogs, `${cluster}.log`);
}

/** Formats lines the way the container runtime stores logs (CRI format), which kwok reads back. */
export function criLogLines(lines: string[], at = new Date()): string {
  return lines.map((l) => `${at.toISOString()} stdout F ${l}\n`).join('');
}

/** Writes a log file in CRI format for a pod; point a Logs object at it (see podLogs). */
export function writePodLog(file: string, lines: string[]): string {
  writeFileSync(file, criLogLines(lines));
  return file;
}

export interface LocalExec {
  workDir?: string;
  env?: Record<string, string>;
}

const envList = (env: Record<string, string> = {}) => Object.entries(env).map(([name, value]) => ({ name, value }));

/** A per-pod Exec object: `kubectl exec` into that pod (optionally one container) runs locally with this setup. */
export function podExec(namespace: string, pod: string, local: LocalExec, containers?: string[]): object {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Exec',
    metadata: { name: pod, namespace },
    spec: { execs: [{ ...(containers ? { containers } : {}), local: { workDir: local.workDir ?? paths.dir, envs: envList(local.env) } }] },
  };
}

/** A per-pod Logs object: `kubectl logs` for that pod reads logsFile (CRI format, see writePodLog). */
export function podLogs(namespace: string, pod: string, logsFile: string, previousLogsFile?: string, containers?: string[]): object {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Logs',
    metadata: { name: pod, namespace },
    spec: { logs: [{ ...(containers ? { containers } : {}), logsFile, ...(previousLogsFile ? { previousLogsFile } : {}) }] },
  };
}

export function defaultPodLogLines(cluster: string): string[] {
  return [`kubectl-hcp sandbox: pod log served by kwok for cluster ${cluster}`, 'second line'];
}

/** Writes .sandbox/kwok/<cluster>.yaml and returns kwok's command-line arguments. */
export function kwokArgs(c: ClusterSpec, kubeconfig: string, tls: { cert: string; key: string }): string[] {
  mkdirSync(paths.kwok, { recursive: true });
  mkdirSync(paths.podLogs, { recursive: true });
  const logFile = writePodLog(defaultPodLogFile(c.name), defaultPodLogLines(c.name));
  const defaults = [
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterExec',
      metadata: { name: 'sandbox-local' },
      spec: { execs: [{ local: { workDir: paths.dir, envs: envList({ HCP_SANDBOX_CLUSTER: c.name }) } }] },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterLogs',
      metadata: { name: 'sandbox-logs' },
      spec: { logs: [{ logsFile: logFile, previousLogsFile: logFile }] },
    },
  ];
  const stages = readFileSync(join(paths.manifests, 'kwok/stages.yaml'), 'utf8');
  const config = `${stages}\n---\n${defaults.map((d) => yaml.dump(d)).join('---\n')}`;
  // The file name carries the content's hash, so a change of the stages changes kwok's arguments
  // and `up` restarts it.
  const file = join(paths.kwok, `${c.name}-${createHash('sha256').update(config).digest('hex').slice(0, 8)}.yaml`);
  writeFileSync(file, config);
  const addr = `127.0.0.1:${c.ports.kwok}`;
  return [
    `--config=${file}`,
    `--kubeconfig=${kubeconfig}`,
    '--manage-all-nodes=true',
    '--node-ip=127.0.0.1',
    `--node-port=${c.ports.kwok}`,
    `--server-address=${addr}`,
    `--tls-cert-file=${tls.cert}`,
    `--tls-private-key-file=${tls.key}`,
    '--node-lease-duration-seconds=40',
    '--enable-crds=Exec,Logs',
  ];
}

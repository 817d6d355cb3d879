// Kubeconfigs and the one way the sandbox talks to its clusters: the real kubectl it built.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { paths } from './config.ts';
import type { CertPair } from './pki.ts';

export interface KubeconfigEntry {
  name: string;
  server: string;
  user: CertPair;
}

const b64 = (file: string) => readFileSync(file).toString('base64');

/** A self-contained kubeconfig (certificates embedded) with one context per entry. */
export function kubeconfigYaml(ca: string, entries: KubeconfigEntry[], current = entries[0].name): string {
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map((e) => ({ name: e.name, cluster: { server: e.server, 'certificate-authority-data': b64(ca) } })),
    users: entries.map((e) => ({ name: e.name, user: { 'client-certificate-data': b64(e.user.cert), 'client-key-data': b64(e.user.key) } })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: e.name, user: e.name } })),
    'current-context': current,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, ca: string, entries: KubeconfigEntry[], current?: string): string {
  writeFileSync(file, kubeconfigYaml(ca, entries, current), { mode: 0o600 });
  return file;
}

/** Environment for kubectl that keeps its discovery cache inside .sandbox/ instead of ~/.kube. */
export function kubectlEnv(): NodeJS.ProcessEnv {
  const cache = join(paths.dir, 'kube-cache');
  mkdirSync(cache, { recursive: true });
  return { ...process.env, KUBECACHEDIR: cache };
}

export interface Target {
  kubectl: string;
  kubeconfig: string;
  context?: string;
}

export class KubectlError extends Error {
  readonly code: number;
  readonly stderr: string;
  constructor(args: string[], code: number, stderr: string) {
    super(`kubectl ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
    this.code = code;
    this.stderr = stderr;
  }
}

/** Runs kubectl against a target; resolves to stdout, rejects with KubectlError. */
export function kubectl(t: Target, args: string[], input?: string): Promise<string> {
  const full = ['--kubeconfig', t.kubeconfig, ...(t.context ? ['--context', t.context] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(t.kubectl, full, { env: kubectlEnv(), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new KubectlError(args, typeof err.code === 'number' ? err.code : 1, stderr || err.message));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Server-side applies manifests: objects (serialised here) and/or YAML files. */
export async function apply(t: Target, objects: object[], files: string[] = []): Promise<void> {
  if (objects.length) {
    const docs = objects.map((o) => yaml.dump(o, { lineWidth: -1 })).join('---\n');
    await kubectl(t, ['apply', '--server-side', '--force-conflicts', '--field-manager=hcp-sandbox', '-f', '-'], docs);
  }
  if (files.length) {
    await kubectl(t, ['apply', '--server-side', '--force-conflicts', '--field-manager=hcp-sandbox', ...files.flatMap((f) => ['-f', f])]);
  }
}

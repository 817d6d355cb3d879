/**
 * Loads kubeconfig the way kubectl does, which @kubernetes/client-node does not:
 * - KUBECONFIG may list several files; missing ones are skipped;
 * - for clusters, users and contexts the first occurrence of a name wins (no duplicate error);
 * - the first non-empty current-context wins;
 * - relative file paths inside a file (certificates, tokenFile, an exec command with a '/') are
 *   resolved against that file's directory;
 * - --context, --cluster, --user and --namespace override what the files say.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import yaml from 'js-yaml';
import { UsageError } from '../util/errors.ts';

type Named = { name: string; [key: string]: unknown };
export interface RawKubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  'current-context': string;
}

export interface KubeconfigSelection {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
}

export interface ResolvedKubeconfig {
  raw: RawKubeconfig;
  contextName: string;
  clusterName: string;
  userName: string;
  server: string;
  /** The namespace from --namespace, else the context's, else undefined (callers pick a default). */
  namespace?: string;
  /** Impersonation from the kubeconfig user entry (`as`, `as-groups`), if any. */
  impersonate?: { user?: string; groups?: string[] };
  files: string[];
}

const PATH_KEYS: Record<'clusters' | 'users', { section: string; keys: string[] }> = {
  clusters: { section: 'cluster', keys: ['certificate-authority'] },
  users: { section: 'user', keys: ['client-certificate', 'client-key', 'tokenFile'] },
};

/** The files kubectl would read, in precedence order. */
export function kubeconfigPaths(explicit: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (explicit) return [explicit];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((p) => p !== '');
  return [join(env.HOME ?? homedir(), '.kube', 'config')];
}

/** Merges parsed kubeconfig documents with kubectl's rules. Pure. */
export function mergeKubeconfigs(docs: { path: string; doc: unknown }[]): RawKubeconfig {
  const merged: RawKubeconfig = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], 'current-context': '' };
  for (const { path, doc } of docs) {
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object') throw new UsageError(`kubeconfig ${path} is not a YAML mapping`);
    const d = doc as Record<string, unknown>;
    for (const listName of ['clusters', 'users', 'contexts'] as const) {
      const entries = d[listName];
      if (entries === undefined || entries === null) continue;
      if (!Array.isArray(entries)) throw new UsageError(`kubeconfig ${path}: ${listName} must be a list`);
      for (const entry of entries as Named[]) {
        if (!entry || typeof entry.name !== 'string') throw new UsageError(`kubeconfig ${path}: an entry in ${listName} has no name`);
        if (merged[listName].some((e) => e.name === entry.name)) continue;
        merged[listName].push(listName === 'contexts' ? entry : absolutize(entry, PATH_KEYS[listName], dirname(path)));
      }
    }
    const current = d['current-context'];
    if (!merged['current-context'] && typeof current === 'string' && current !== '') merged['current-context'] = current;
  }
  return merged;
}

function absolutize(entry: Named, spec: { section: string; keys: string[] }, dir: string): Named {
  const section = entry[spec.section];
  if (!section || typeof section !== 'object') return entry;
  const copy: Record<string, unknown> = { ...(section as Record<string, unknown>) };
  for (const key of spec.keys) {
    const value = copy[key];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) copy[key] = resolve(dir, value);
  }
  // An exec plugin's command is a path only when it contains a separator; a bare name is looked up
  // on PATH (clientcmd's GetAuthInfoFileReferences).
  const exec = copy.exec as Record<string, unknown> | undefined;
  if (exec && typeof exec === 'object' && typeof exec.command === 'string' && exec.command.includes(sep) && !isAbsolute(exec.command)) {
    copy.exec = { ...exec, command: resolve(dir, exec.command) };
  }
  return { ...entry, [spec.section]: copy };
}

/**
 * Parses kubeconfig text. A YAML error names the line and column only: js-yaml's message goes on
 * with a snippet of the source, which can hold client-key-data or a token.
 */
export function parseKubeconfigYaml(text: string, source: string): unknown {
  try {
    return yaml.load(text);
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number }; message?: string };
    const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    throw new UsageError(`kubeconfig ${source} is not valid YAML: ${e.reason ?? 'parse error'}${where}`);
  }
}

/** Reads the files (skipping missing ones, as kubectl does) and applies the selection flags. */
export function resolveKubeconfig(sel: KubeconfigSelection, env: NodeJS.ProcessEnv): ResolvedKubeconfig {
  const paths = kubeconfigPaths(sel.kubeconfig, env);
  const docs: { path: string; doc: unknown }[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // An explicit --kubeconfig must exist; KUBECONFIG entries and the default may be missing.
      if (sel.kubeconfig) throw new UsageError(`cannot read kubeconfig ${path}: ${code ?? String(err)}`);
      continue;
    }
    docs.push({ path, doc: parseKubeconfigYaml(text, path) });
  }
  return selectContext(
    mergeKubeconfigs(docs),
    sel,
    docs.map((d) => d.path),
  );
}

export function selectContext(raw: RawKubeconfig, sel: KubeconfigSelection, files: string[]): ResolvedKubeconfig {
  const contextName = sel.context ?? raw['current-context'];
  if (!contextName && !(sel.cluster && sel.user)) {
    throw new UsageError(
      files.length === 0
        ? 'no kubeconfig found: set KUBECONFIG or pass --kubeconfig (kubectl hcp never guesses a cluster)'
        : `no current context in ${files.join(', ')}: pass --context`,
    );
  }
  const ctx = raw.contexts.find((c) => c.name === contextName);
  if (contextName && !ctx && !(sel.cluster && sel.user)) throw new UsageError(`context "${contextName}" not found in kubeconfig`);
  const ctxBody = (ctx?.context ?? {}) as Record<string, string | undefined>;
  const clusterName = sel.cluster ?? ctxBody.cluster ?? '';
  const userName = sel.user ?? ctxBody.user ?? '';
  const cluster = raw.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new UsageError(`cluster "${clusterName}" not found in kubeconfig`);
  const user = raw.users.find((u) => u.name === userName);
  if (userName && !user) throw new UsageError(`user "${userName}" not found in kubeconfig`);
  const server = String((cluster.cluster as Record<string, unknown> | undefined)?.server ?? '');
  if (!server) throw new UsageError(`cluster "${clusterName}" has no server in kubeconfig`);

  // Exactly one context, built from the selection, so that nothing downstream can pick another.
  const effectiveName = '__kubectl-hcp__';
  const effective: RawKubeconfig = {
    ...raw,
    contexts: [{ name: effectiveName, context: { cluster: clusterName, user: userName || '__anonymous__' } }],
    users: user ? raw.users : [...raw.users, { name: '__anonymous__', user: {} }],
    'current-context': effectiveName,
  };
  const userBody = (user?.user ?? {}) as Record<string, unknown>;
  const asUser = typeof userBody.as === 'string' ? userBody.as : undefined;
  const asGroups = Array.isArray(userBody['as-groups']) ? (userBody['as-groups'] as string[]) : undefined;
  return {
    raw: effective,
    contextName: contextName || effectiveName,
    clusterName,
    userName,
    server,
    namespace: sel.namespace ?? ctxBody.namespace,
    impersonate: asUser || asGroups ? { user: asUser, groups: asGroups } : undefined,
    files,
  };
}

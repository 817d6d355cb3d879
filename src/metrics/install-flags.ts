/**
 * The MCE/ACM hypershift addon's install flags (FACTS "Monitoring dashboards"): configmap
 * `local-cluster/hypershift-operator-install-flags`, keys `installFlagsToAdd` and
 * `installFlagsToRemove`, each a space-separated list of `hypershift install` flags
 * (`--monitoring-dashboards --metrics-set SRE`). When they change, the addon re-runs the install and
 * redeploys the operator from them, so on such a hub the operator's settings live here: a change
 * made to the Deployment alone is undone at the next re-install.
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, describeRef, type ObjectRef } from '../kube/resources.ts';
import type { Change } from '../plan/plan.ts';
import type { ConfigMap } from './configmap-key.ts';

export const INSTALL_FLAGS_NAMESPACE = 'local-cluster';
export const INSTALL_FLAGS_CONFIGMAP = 'hypershift-operator-install-flags';
export const FLAGS_TO_ADD = 'installFlagsToAdd';
export const FLAGS_TO_REMOVE = 'installFlagsToRemove';
export const METRICS_SET_FLAG = '--metrics-set';

export const installFlagsRef: ObjectRef = { resource: Resources.ConfigMap, namespace: INSTALL_FLAGS_NAMESPACE, name: INSTALL_FLAGS_CONFIGMAP };

export function splitFlags(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean);
}

/**
 * The value of a flag that takes one (`--metrics-set SRE` or `--metrics-set=SRE`) in a flag list;
 * undefined when absent, '' when given without a value. The last one wins, as in Go's flag package.
 */
export function flagValue(list: string | undefined, flag: string): string | undefined {
  const tokens = splitFlags(list);
  let value: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].startsWith(`${flag}=`)) value = tokens[i].slice(flag.length + 1);
    else if (tokens[i] === flag) value = tokens[i + 1] && !tokens[i + 1].startsWith('--') ? tokens[++i] : '';
  }
  return value;
}

/** The list without a value-taking flag (both spellings, with its value); every other token keeps its place. */
export function withoutFlag(list: string | undefined, flag: string): string[] {
  const tokens = splitFlags(list);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].startsWith(`${flag}=`)) continue;
    if (tokens[i] === flag) {
      if (tokens[i + 1] && !tokens[i + 1].startsWith('--')) i++;
      continue;
    }
    out.push(tokens[i]);
  }
  return out;
}

export interface InstallFlagsState {
  /** The operator is deployed by the addon: this is an MCE/ACM hub (namespace local-cluster exists). */
  managed: boolean;
  configmap: ConfigMap | null;
}

/** Whether the addon deploys the operator, and its flags. A missing namespace means not an MCE/ACM hub. */
export async function observeInstallFlags(kube: KubeClient): Promise<InstallFlagsState> {
  const configmap = await kube.getOrNull<ConfigMap>(Resources.ConfigMap, INSTALL_FLAGS_NAMESPACE, INSTALL_FLAGS_CONFIGMAP);
  if (configmap) return { managed: true, configmap };
  return { managed: (await kube.getOrNull(Resources.Namespace, undefined, INSTALL_FLAGS_NAMESPACE)) !== null, configmap: null };
}

/**
 * The write that makes the flag lists `add` and `remove`: a merge patch carrying the resourceVersion
 * read (a flag someone added since makes it conflict instead of being lost), or a create.
 */
export function installFlagsChange(existing: ConfigMap | null, add: string, remove: string): Change {
  return existing
    ? {
        op: 'patch',
        ref: installFlagsRef,
        patchType: 'merge',
        patch: { metadata: { resourceVersion: existing.metadata.resourceVersion }, data: { [FLAGS_TO_ADD]: add, [FLAGS_TO_REMOVE]: remove } },
      }
    : {
        op: 'create',
        ref: installFlagsRef,
        body: { metadata: { name: INSTALL_FLAGS_CONFIGMAP, namespace: INSTALL_FLAGS_NAMESPACE }, data: { [FLAGS_TO_ADD]: add, [FLAGS_TO_REMOVE]: remove } },
      };
}

export const describeInstallFlags = () => describeRef(installFlagsRef);

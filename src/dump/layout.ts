/**
 * Where each thing goes in the dump: the layout `oc adm inspect` writes (openshift/oc
 * pkg/cli/admin/inspect/util.go dirPathForInfo, pod.go gatherContainerLogs), so that habits and
 * tools (omc, must-gather readers) keep working:
 *   cluster-scoped-resources/<group>/<resource>/<name>.yaml
 *   namespaces/<ns>/<group>/<resource>/<name>.yaml            (group "core" for the core API)
 *   namespaces/<ns>/pods/<pod>/<container>/<container>/logs/{current,previous}.log
 * The guest cluster goes under hostedcluster-<name>/ with the same layout (upstream DumpGuestCluster).
 */
import { posix } from 'node:path';

export interface TypeRef {
  group: string;
  plural: string;
  namespaced: boolean;
}

export const groupDir = (group: string): string => group || 'core';

/** A path segment from a name the API gave us: never '..' or a separator. */
export function safeSegment(name: string): string {
  const s = name.replace(/[/\\\0]/g, '_');
  return s === '.' || s === '..' || s === '' ? `_${s}` : s;
}

export function objectPath(prefix: string, type: TypeRef, namespace: string | undefined, name: string): string {
  const file = `${safeSegment(name)}.yaml`;
  const where = type.namespaced && namespace ? ['namespaces', safeSegment(namespace)] : ['cluster-scoped-resources'];
  return posix.join(prefix, ...where, groupDir(type.group), safeSegment(type.plural), file);
}

export function logPath(prefix: string, namespace: string, pod: string, container: string, previous: boolean): string {
  const c = safeSegment(container);
  return posix.join(prefix, 'namespaces', safeSegment(namespace), 'pods', safeSegment(pod), c, c, 'logs', previous ? 'previous.log' : 'current.log');
}

export const guestPrefix = (hcName: string): string => `hostedcluster-${safeSegment(hcName)}`;

export const ARCHIVE_NAME = 'hypershift-dump.tar.gz';
export const INDEX_NAME = 'index.json';

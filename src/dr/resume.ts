/**
 * What a resumed dr run needs before its journal is opened: the first run's memo (backup dir, run
 * id), found by operation and target among the unfinished journals. After a crash late in a
 * migration the source may hold nothing of the cluster any more; the plan is then rebuilt from
 * the backup the first run wrote (its HostedCluster and NodePools).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir, type JournalData } from '../plan/journal.ts';
import type { HostedCluster, NodePool } from '../hostedcluster/types.ts';
import { verifyObjects } from './objects.ts';

export function unfinishedMemo(env: NodeJS.ProcessEnv, operation: string, target: string): Record<string, unknown> | undefined {
  const safe = (s: string) => s.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  const dir = join(stateDir(env), 'journal', safe(operation));
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(`__${safe(target)}.json`));
  } catch {
    return undefined;
  }
  const journals = names
    .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as JournalData)
    .filter((j) => !j.finishedAt)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return journals[0]?.memo;
}

/** The HostedCluster and NodePools as backed up in `dir`. */
export function clusterFromBackup(dir: string): { hc: HostedCluster; nodePools: NodePool[] } | undefined {
  try {
    const v = verifyObjects(dir);
    const hc = v.objects.find((o) => o.group === 'hostedcluster')?.object as HostedCluster | undefined;
    return hc ? { hc, nodePools: v.objects.filter((o) => o.group === 'nodepool').map((o) => o.object as NodePool) } : undefined;
  } catch {
    return undefined;
  }
}

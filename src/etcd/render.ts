/** Text rendering of `etcd status`: the pods and members table, then conditions, job and warnings. */
import { renderTable } from '../output/output.ts';
import { etcdSummaryLine, formatBytes, type EtcdHealthView } from './health.ts';
import type { Condition } from '../hostedcluster/types.ts';

const cond = (c: Condition | undefined) =>
  c ? `${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message && c.status !== 'True' ? `: ${c.message}` : ''}` : 'not reported';

export function renderEtcdStatus(v: EtcdHealthView, extra: { snapshot?: string } = {}): string {
  const table = renderTable(
    ['member', 'ready', 'status', 'restarts', 'node', 'id', 'health', 'leader', 'term', 'index', 'db size', 'in use', 'hash'],
    v.members.map((m) => [
      m.name,
      m.pod?.ready ?? '-',
      m.pod?.status ?? 'no pod',
      m.pod?.restarts ?? '-',
      m.pod?.node ?? '-',
      m.id ?? '-',
      m.healthy ? 'healthy' : 'UNHEALTHY',
      m.leader ? 'yes' : 'no',
      m.raftTerm ?? '-',
      m.raftIndex ?? '-',
      formatBytes(m.dbSize) || '-',
      formatBytes(m.dbSizeInUse) || '-',
      m.hash === undefined ? '-' : `${m.hash}${v.diverging.includes(m.name) ? ' DIFFERS' : ''}`,
    ]),
  );
  const lines = [
    `Control plane:         namespace ${v.controlPlaneNamespace}`,
    `Members:               ${etcdSummaryLine(v)}`,
    `Leader:                ${v.leader ?? 'none reported'}`,
    `Keyspace hash:         ${v.hashRevision === undefined || v.members.every((m) => m.hash === undefined) ? 'not computed' : v.diverging.length ? `DIFFERS on ${v.diverging.join(', ')} at revision ${v.hashRevision}` : `equal on every member at revision ${v.hashRevision}`}`,
    `Asked:                 ${v.askedPod ? `etcdctl in ${v.askedPod}` : 'no etcd pod could be asked'}`,
    `EtcdAvailable:         ${cond(v.conditions.etcdAvailable)}`,
    `EtcdRecoveryActive:    ${cond(v.conditions.etcdRecoveryActive)}`,
    `Recovery job:          ${v.recoveryJob ? `${v.recoveryJob.name} ${v.recoveryJob.state}${v.recoveryJob.startTime ? ` (started ${v.recoveryJob.startTime})` : ''}` : 'none'}`,
  ];
  if (extra.snapshot) lines.push(`Newest snapshot:       ${extra.snapshot}`);
  const notes = [...v.warnings.map((w) => `warning: ${w}`), ...v.errors.map((e) => `error: ${e}`)];
  return `${lines.join('\n')}\n\n${table}${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
}

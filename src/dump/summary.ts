/**
 * The dump's two human entry points: summary.md (every HostedCluster, HostedControlPlane and
 * NodePool condition that is not healthy, the version history, and what the dump skipped and why)
 * and event-filter.html (a standalone page listing every event with a filter box, as
 * `oc adm inspect` writes one: openshift/oc pkg/cli/admin/inspect/event_filter_html.go).
 */
import type { KubeObject } from '../kube/resources.ts';
import type { Condition, HostedCluster, NodePool } from '../hostedcluster/types.ts';
import type { ScrubStats } from './scrub.ts';

export interface EventRow {
  cluster: 'management' | 'guest';
  namespace: string;
  object: string;
  reason: string;
  message: string;
  type: string;
  count: number;
  time: string;
}

export interface SkippedItem {
  item: string;
  status: 'forbidden' | 'error';
  reason: string;
}

/**
 * Conditions whose healthy value is False (HyperShift's api/hypershift/v1beta1 condition types:
 * Degraded, the *Failing and Updating* ones, Progressing); every other type is healthy when True.
 */
const HEALTHY_WHEN_FALSE = /^(Degraded|Progressing|ClusterVersionFailing|ClusterVersionProgressing|Updating.*|.*Degraded|.*Failing|EtcdRecoveryActive)$/;
/** Informational conditions whose value says nothing about health. */
const INFORMATIONAL = /^(AutorepairEnabled|AutoscalingEnabled|ClusterVersionRetrievedUpdates|ClusterVersionUpgradeable|ReconciliationActive)$/;

export function unhealthy(conditions: Condition[] | undefined): Condition[] {
  return (conditions ?? []).filter((c) => {
    if (INFORMATIONAL.test(c.type)) return false;
    if (c.status === 'Unknown') return true;
    return HEALTHY_WHEN_FALSE.test(c.type) ? c.status === 'True' : c.status === 'False';
  });
}

const cell = (s: string | undefined): string => (s ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function conditionTable(title: string, conditions: Condition[] | undefined): string[] {
  const bad = unhealthy(conditions);
  if (!bad.length) return [`### ${title}`, '', `All ${conditions?.length ?? 0} conditions healthy.`, ''];
  return [
    `### ${title}`,
    '',
    '| condition | status | reason | message | since |',
    '| --- | --- | --- | --- | --- |',
    ...bad.map((c) => `| ${cell(c.type)} | ${c.status} | ${cell(c.reason)} | ${cell(c.message)} | ${cell(c.lastTransitionTime)} |`),
    '',
  ];
}

export function summaryMarkdown(i: {
  hc: HostedCluster;
  hcps: KubeObject[];
  nodePools: NodePool[];
  skipped: SkippedItem[];
  scrubbed: ScrubStats;
  generated: Date;
}): string {
  const hc = i.hc;
  const lines = [
    `# Dump of HostedCluster ${hc.metadata.namespace}/${hc.metadata.name}`,
    '',
    `Generated ${i.generated.toISOString()} by kubectl hcp dump.`,
    '',
    '## Conditions that are not healthy',
    '',
  ];
  lines.push(...conditionTable(`HostedCluster ${hc.metadata.name}`, hc.status?.conditions));
  for (const hcp of i.hcps)
    lines.push(
      ...conditionTable(
        `HostedControlPlane ${hcp.metadata.namespace}/${hcp.metadata.name}`,
        (hcp as { status?: { conditions?: Condition[] } }).status?.conditions,
      ),
    );
  if (!i.hcps.length) lines.push('No HostedControlPlane was read.', '');
  for (const np of i.nodePools) lines.push(...conditionTable(`NodePool ${np.metadata.name}`, np.status?.conditions));
  lines.push('## Version history', '');
  const history = hc.status?.version?.history ?? [];
  if (!history.length) lines.push('No version history.', '');
  else {
    lines.push(
      `Desired: ${hc.status?.version?.desired?.version ?? '?'} (${hc.status?.version?.desired?.image ?? '?'})`,
      '',
      '| version | state | started | completed | image |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const h of history) lines.push(`| ${cell(h.version)} | ${cell(h.state)} | ${cell(h.startedTime)} | ${cell(h.completionTime)} | ${cell(h.image)} |`);
    lines.push('');
  }
  lines.push('## Skipped', '');
  if (!i.skipped.length) lines.push('Nothing was skipped: every item was read.', '');
  else {
    const forbidden = i.skipped.filter((s) => s.status === 'forbidden');
    const errors = i.skipped.filter((s) => s.status === 'error');
    if (forbidden.length) lines.push(`Forbidden by RBAC (${forbidden.length}):`, '', ...forbidden.map((s) => `- ${s.item}: ${s.reason}`), '');
    if (errors.length) lines.push(`Failed after retries (${errors.length}):`, '', ...errors.map((s) => `- ${s.item}: ${s.reason}`), '');
    const unread = i.skipped.filter((s) => /^(guest )?secrets /.test(s.item));
    if (unread.length)
      lines.push(
        `**Secrets that could not be read cannot be scrubbed**: values of the Secrets in ${unread.map((s) => s.item.replace(/^(guest )?secrets in /, '')).join(', ')} may appear elsewhere in this dump. Check before sharing it.`,
        '',
      );
  }
  lines.push(
    '## Secrets',
    '',
    `Secret objects show each value's length only (public certificates tls.crt, ca.crt and service-ca.crt are kept). ` +
      `${i.scrubbed.values} secret values were also searched for everywhere else in the dump (plain, base64, double base64, JSON-escaped) and replaced by a marker naming the secret and key; ` +
      `${i.scrubbed.tooShort} values shorter than 8 bytes were not searched for.`,
    '',
  );
  return lines.join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A standalone page (no network, no external script): the events, newest last, and a filter box. */
export function eventFilterHtml(events: EventRow[], title: string): string {
  const rows = [...events]
    .sort((a, b) => a.time.localeCompare(b.time))
    .map(
      (e) =>
        `<tr class="${e.type === 'Warning' ? 'warn' : ''}"><td>${esc(e.time)}</td><td>${esc(e.cluster)}</td><td>${esc(e.namespace)}</td><td>${esc(e.object)}</td><td>${esc(e.type)}</td><td>${esc(e.reason)}</td><td>${e.count}</td><td>${esc(e.message)}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Events: ${esc(title)}</title>
<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top;font-size:13px}tr.warn td{background:#fff4e5}input{width:40em;padding:4px}</style>
</head><body>
<h1>Events of ${esc(title)}</h1>
<p><input id="q" placeholder="filter: words that must all appear (namespace, object, reason, message…)" autofocus> <label><input type="checkbox" id="w"> warnings only</label> <span id="n"></span></p>
<table><thead><tr><th>last seen</th><th>cluster</th><th>namespace</th><th>object</th><th>type</th><th>reason</th><th>count</th><th>message</th></tr></thead>
<tbody id="rows">
${rows}
</tbody></table>
<script>
const q=document.getElementById('q'),w=document.getElementById('w'),n=document.getElementById('n'),rows=[...document.querySelectorAll('#rows tr')];
function apply(){const words=q.value.toLowerCase().split(/\\s+/).filter(Boolean);let shown=0;for(const r of rows){const t=r.textContent.toLowerCase();const ok=words.every(x=>t.includes(x))&&(!w.checked||r.classList.contains('warn'));r.style.display=ok?'':'none';if(ok)shown++}n.textContent=shown+' of '+rows.length+' events'}
q.addEventListener('input',apply);w.addEventListener('change',apply);apply();
</script>
</body></html>
`;
}

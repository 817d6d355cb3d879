// bench/dump: `kubectl hcp dump sample` over the sandbox's hosted cluster plus PODS pods with logs
// across NAMESPACES namespaces (the sandbox's many-pods command, `--include-namespace`), against a
// sequential script of `kubectl get -o json` (one per namespace and type, split into one YAML file
// per object) and `kubectl logs` (one per container log) that produces the same object and log
// files. Targets (issue 10): ≥ 5× faster, the same file count, peak RSS ≤ 200 MB.
//
// Defaults are the 5,000 pods / 200 namespaces; HCP_BENCH_DUMP_PODS and
// HCP_BENCH_DUMP_NAMESPACES scale it down on a small machine (the table says which ran).
// The bench deletes its namespaces at the end (5,000 pods slow the simulator, which lists every pod
// each second, and with it everybody's e2e tests); HCP_BENCH_KEEP=1 keeps them for the next run.
// Both dumps are removed too (they are a few hundred MB).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { binaryPath, ensureBuilt } from '../../scripts/lib/dist.ts';
import { defineBench, limit, run, same, sandboxBench, speedup } from './lib.ts';

const PODS = Number(process.env.HCP_BENCH_DUMP_PODS ?? 5000);
const NAMESPACES = Number(process.env.HCP_BENCH_DUMP_NAMESPACES ?? 200);
const LOG_BYTES = 4096;
const PREFIX = 'bench-dump';

interface IndexItem {
  path: string;
  item: string;
  kind: string;
  status: string;
}

async function dumpBench({ log }: { log: (line: string) => void }) {
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `${PREFIX}-${String(i).padStart(3, '0')}`);
  const out = mkdtempSync(join(tmpdir(), 'bench-dump-'));
  try {
    return await measure(log, namespaces, out);
  } finally {
    rmSync(out, { recursive: true, force: true });
    if (!process.env.HCP_BENCH_KEEP) {
      log(`deleting ${NAMESPACES} namespaces ${PREFIX}-* (HCP_BENCH_KEEP=1 keeps them)`);
      const { kubectl } = await sandboxBench();
      kubectl(['delete', 'namespace', '--ignore-not-found', '--wait=false', ...namespaces]);
    }
  }
}

async function measure(log: (line: string) => void, namespaces: string[], out: string) {
  ensureBuilt({ quiet: true });
  const { env, kubectl } = await sandboxBench();

  // Fixture: PODS pods over NAMESPACES namespaces, reused across runs.
  const perNs = Math.ceil(PODS / NAMESPACES);
  const running = () =>
    kubectl(['get', 'pods', '-A', '-l', 'hcp-sandbox/bulk=true', '-o', 'jsonpath={range .items[*]}{.metadata.namespace} {.status.phase}{"\\n"}{end}'])
      .split('\n')
      .filter((l) => l.startsWith(`${PREFIX}-`) && namespaces.includes(l.split(' ')[0]) && l.endsWith(' Running')).length;
  if (running() < perNs * NAMESPACES) {
    log(`creating ${perNs * NAMESPACES} pods with ${LOG_BYTES}-byte logs in ${NAMESPACES} namespaces`);
    for (let i = 0; i < namespaces.length; i += 4) {
      await Promise.all(
        namespaces
          .slice(i, i + 4)
          .map((ns) => run(process.execPath, ['scripts/sandbox/cli.ts', 'pods', ns, String(perNs), '--log-bytes', String(LOG_BYTES)], process.env)),
      );
    }
    const deadline = Date.now() + 600_000;
    while (running() < perNs * NAMESPACES) {
      if (Date.now() > deadline) throw new Error('pods did not become Running in 10 minutes');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  // Ours, with /usr/bin/time for the peak RSS.
  const ours = join(out, 'ours');
  const r = await run(
    '/usr/bin/time',
    ['-f', 'maxrss_kb=%M', binaryPath, 'dump', 'sample', '--include-namespace', namespaces.join(','), '--artifact-dir', ours],
    env,
    { allowFail: true },
  );
  if (r.code !== 0) throw new Error(`dump failed (${r.code}): ${r.stderr}`);
  const rssMb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  const index = JSON.parse(readFileSync(join(ours, 'index.json'), 'utf8')) as { items: IndexItem[] };
  const wanted = index.items.filter((i) => i.status === 'ok' && (i.kind === 'object' || i.kind === 'log'));
  log(`ours: ${(r.ms / 1000).toFixed(1)} s, ${wanted.length} object and log files, peak RSS ${rssMb.toFixed(0)} MB`);

  // The sequential script: the same (namespace, type) lists and the same container logs.
  const script = join(out, 'script');
  const started = performance.now();
  const lists = new Map<string, { ns?: string; resource: string }>();
  for (const i of wanted.filter((x) => x.kind === 'object')) {
    const parts = i.path.split('/');
    const nsd = parts[0] === 'namespaces';
    const group = nsd ? parts[2] : parts[1];
    const plural = nsd ? parts[3] : parts[2];
    const resource = group === 'core' ? plural : `${plural}.${group}`;
    lists.set(`${nsd ? parts[1] : ''}/${resource}`, { ns: nsd ? parts[1] : undefined, resource });
  }
  let files = 0;
  const write = (rel: string, text: string) => {
    const p = join(script, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    files++;
  };
  const wantedPaths = new Set(wanted.map((w) => w.path));
  /** Listed by the script but not in ours: created after ours ran, or missed by it (named below). */
  const newer: string[] = [];
  for (const { ns, resource } of lists.values()) {
    const list = JSON.parse(kubectl(['get', resource, ...(ns ? ['-n', ns] : []), '-o', 'json'])) as { items: { metadata: { name: string } }[] };
    const [plural, ...g] = resource.split('.');
    const group = g.length ? g.join('.') : 'core';
    for (const item of list.items) {
      const rel = ns
        ? `namespaces/${ns}/${group}/${plural}/${item.metadata.name}.yaml`
        : `cluster-scoped-resources/${group}/${plural}/${item.metadata.name}.yaml`;
      if (wantedPaths.has(rel)) write(rel, yaml.dump(item));
      else newer.push(rel);
    }
  }
  for (const i of wanted.filter((x) => x.kind === 'log')) {
    const [, ns, , pod, container, , , file] = i.path.split('/');
    write(i.path, kubectl(['logs', pod, '-n', ns, '-c', container, ...(file === 'previous.log' ? ['--previous'] : [])]));
  }
  const scriptMs = performance.now() - started;
  log(`script: ${(scriptMs / 1000).toFixed(1)} s, ${files} files`);
  // The script runs minutes after ours on a live cluster: an object ours wrote that is no longer in
  // its list (an Event past its TTL, a test's pod) cannot be written by it. Those are named, and
  // left out of the comparison; a file the script could write and ours did not would still differ.
  const gone = wanted.filter((w) => w.kind === 'object' && !existsSync(join(script, w.path))).map((w) => w.path);
  if (newer.length)
    log(
      `${newer.length} object(s) listed by the script are not in ours (created since, or missed): ${newer.slice(0, 5).join(', ')}${newer.length > 5 ? ', …' : ''}`,
    );
  if (gone.length)
    log(
      `${gone.length} object(s) ours wrote were deleted from the cluster before the script listed them: ${gone.slice(0, 5).join(', ')}${gone.length > 5 ? ', …' : ''}`,
    );
  const scale = PODS === 5000 && NAMESPACES === 200 ? undefined : `scaled down: ${perNs * NAMESPACES} pods / ${NAMESPACES} namespaces, not 5,000 / 200`;
  const size = `${perNs * NAMESPACES} pods / ${NAMESPACES} ns`;
  return {
    measures: [
      speedup({ measure: `dump, ${size} vs sequential kubectl get/logs`, ours: r.ms, baseline: scriptMs, atLeast: 5 }),
      same({
        measure: gone.length ? `dump object + log files (less ${gone.length} deleted in between)` : 'dump object + log files',
        ours: wanted.length - gone.length,
        baseline: files,
        unit: 'files',
      }),
      limit({ measure: 'dump peak RSS', value: rssMb, unit: 'MB', atMost: 200 }),
    ],
    note: scale,
  };
}

export default defineBench({
  name: 'dump',
  title: 'dump of the sample cluster plus bulk pods vs sequential kubectl get -o yaml / kubectl logs',
  run: dumpBench,
});

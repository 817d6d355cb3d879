/**
 * Golden files pin the shape of every -o json|yaml document and NDJSON line (issue 11, "Stable
 * output for scripts"): each carries apiVersion hcp.kubectl.io/v1alpha1 and its kind, and any
 * change to a field shows up here as a diff. The commands run in-process against a fixture API
 * server (fixture-apiserver.ts, objects from fixtures/cluster.json, taken from the sandbox).
 *
 * After an intended change, regenerate and review the diff:
 *   UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/golden
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../../../src/output/output.ts';
import { runInProcess } from '../cli-harness.ts';
import { type FixtureServer, startFixtureServer } from './fixture-apiserver.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Values that differ between machines and runs (durations; the binary's own version, node and platform) become 0 or placeholders. */
function normalise(text: string, machine = false): string {
  const timed = text.replace(/("(?:ms|durationMs)": ?)\d+/g, (_m, key: string) => `${key}0`).replace(/^(\s*(?:ms|durationMs)): \d+$/gm, '$1: 0');
  if (!machine) return timed;
  return timed.replace(/^(\s*"?(?:version|commit|node|platform)"?: )"?[^",\n]*"?(,?)$/gm, (_m, k: string, comma: string) =>
    k.includes('"') ? `${k}"<${k.trim().replace(/[":]/g, '')}>"${comma}` : `${k}<${k.trim().replace(/:/g, '')}>`,
  );
}

function golden(name: string, actual: string): void {
  const file = join(HERE, 'files', name);
  if (UPDATE || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`${name} did not exist; written: review it and run again`);
    return;
  }
  expect(actual, `${name} differs; after an intended change run UPDATE_GOLDEN=1`).toBe(readFileSync(file, 'utf8'));
}

/** Every JSON document (one pretty-printed object, or NDJSON lines) in stdout. */
function jsonDocs(stdout: string): Record<string, unknown>[] {
  const t = stdout.trim();
  if (t.startsWith('{\n')) return [JSON.parse(t)];
  return t.split('\n').map((l) => JSON.parse(l));
}

let api: FixtureServer;
beforeAll(async () => {
  api = await startFixtureServer(join(HERE, 'fixtures', 'cluster.json'));
});
afterAll(() => api.close());

const env = () => ({ KUBECONFIG: api.kubeconfig, HOME: '/nonexistent' });

// [golden file stem, argv, kinds in order]
const CASES: [string, string[], string[]][] = [
  ['version-client', ['version', '--client'], ['Version']],
  ['status', ['status', 'sample'], ['HostedClusterStatus']],
  ['status-list', ['status', '--all'], ['HostedClusterStatusList']],
  ['nodepool-list', ['nodepool', 'list', 'sample'], ['NodePoolList']],
  ['oauth-list', ['oauth', 'list', 'sample'], ['IdentityProviderList']],
  ['metrics-show', ['metrics', 'show'], ['MetricsConfiguration']],
  ['dashboards-status', ['dashboards', 'status'], ['DashboardsStatus']],
  ['sre-config-show', ['metrics', 'sre-config', 'show'], ['SREConfig']],
  ['featuregate-show', ['featuregate', 'show', 'sample'], ['FeatureGateStatus']],
  ['pause-plan', ['pause', 'sample', '--dry-run=client'], ['Plan']],
];

describe('golden -o json|yaml', () => {
  it.each(CASES)('%s', async (stem, argv, kinds) => {
    for (const format of ['json', 'yaml'] as const) {
      const r = await runInProcess([...argv, '-o', format], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      const docs = format === 'json' ? jsonDocs(r.stdout) : [yaml.load(r.stdout) as Record<string, unknown>];
      expect(docs.map((d) => d.apiVersion)).toEqual(kinds.map(() => API_VERSION));
      expect(docs.map((d) => d.kind)).toEqual(kinds);
      golden(`${stem}.${format}`, normalise(r.stdout, stem === 'version-client'));
    }
  });

  it('a mutating run: NDJSON PlanEvents, then the PauseResult line', async () => {
    const r = await runInProcess(['pause', 'sample', '--dry-run=server', '-o', 'json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const docs = jsonDocs(r.stdout);
    expect(new Set(docs.map((d) => d.apiVersion))).toEqual(new Set([API_VERSION]));
    expect(docs.slice(0, -1).every((d) => d.kind === 'PlanEvent' && typeof d.type === 'string')).toBe(true);
    expect(docs.at(-1)).toMatchObject({ kind: 'PauseResult', type: 'result', dryRun: 'server' });
    golden('pause-run.ndjson', normalise(r.stdout));
    const y = await runInProcess(['pause', 'sample', '--dry-run=server', '-o', 'yaml'], { env: env() });
    expect(y.code, y.stderr).toBe(0);
    expect(yaml.load(y.stdout)).toMatchObject({ apiVersion: API_VERSION, kind: 'PauseResult' });
    golden('pause-run.yaml', normalise(y.stdout));
  });
});

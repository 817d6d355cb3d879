// Puts back the shared objects tests and README commands change on a used sandbox, so that a test
// run starts from the seeded state whatever ran before (the e2e global setup calls it):
//   - on both management clusters: the operator Deployment's env as seeded (a rollout when it
//     differs), the MCE install-flags configmap gone, sre-metric-set and the dashboard template
//     gone, the copies of sre-metric-set in control-plane namespaces gone, generated dashboards gone,
//     the addon's install Jobs of earlier runs gone (a test waits for the Job its own change makes);
//   - the simulator's test timings (configmap hypershift/hcp-sandbox-settings).
import { kubectl, type Target } from './kube.ts';
import { operatorObjects } from './seed.ts';

/** Timings for test runs: external-dns syncs every 2 s instead of upstream's minute, the addon's re-install takes 8 s instead of 20; the rest as default. */
export const TEST_TIMING = 'dns=2,addon=8';

type Obj = { metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

export async function resetSharedState(targets: Target[]): Promise<string[]> {
  const done: string[] = [];
  const seeded = (operatorObjects() as Obj[]).find((o) => (o as { kind?: string }).kind === 'Deployment')!;
  const seededEnv = seeded.spec.template.spec.containers[0].env;
  for (const t of targets) {
    const ctx = t.context ?? 'default';
    const get = async (args: string[]) => {
      try {
        return JSON.parse(await kubectl(t, [...args, '-o', 'json']));
      } catch {
        return undefined;
      }
    };
    // Operator env and the addon's bookkeeping.
    const d = (await get(['get', 'deployment', 'operator', '-n', 'hypershift'])) as Obj | undefined;
    if (d) {
      const c = d.spec.template.spec.containers.find((x: { name: string }) => x.name === 'operator') ?? d.spec.template.spec.containers[0];
      const applied = d.metadata.annotations?.['hcp-sandbox.kubectl-hcp.io/install-flags-applied'];
      // Compared by name and value (the API server defaults fieldRef.apiVersion).
      const norm = (env: { name: string; value?: string; valueFrom?: unknown }[]) =>
        JSON.stringify((env ?? []).map((e) => [e.name, e.value ?? null, !!e.valueFrom]));
      if (norm(c.env) !== norm(seededEnv) || applied !== undefined) {
        const patch = [
          { op: 'replace', path: `/spec/template/spec/containers/${d.spec.template.spec.containers.indexOf(c)}/env`, value: seededEnv },
          ...(applied !== undefined ? [{ op: 'remove', path: '/metadata/annotations/hcp-sandbox.kubectl-hcp.io~1install-flags-applied' }] : []),
        ];
        await kubectl(t, ['patch', 'deployment', 'operator', '-n', 'hypershift', '--type=json', '-p', JSON.stringify(patch)]);
        done.push(`${ctx}: operator env reset to the seeded one`);
      }
    }
    for (const [ns, name] of [
      ['local-cluster', 'hypershift-operator-install-flags'],
      ['hypershift', 'sre-metric-set'],
      ['hypershift', 'monitoring-dashboard-template'],
    ]) {
      const r = await get(['get', 'configmap', name, '-n', ns]);
      if (r) {
        await kubectl(t, ['delete', 'configmap', name, '-n', ns, '--ignore-not-found']);
        done.push(`${ctx}: deleted configmap ${ns}/${name}`);
      }
    }
    const installJobs = (await get(['get', 'jobs', '-n', 'local-cluster', '-l', 'app=hypershift-addon-install'])) as { items: Obj[] } | undefined;
    if (installJobs?.items.length) {
      await kubectl(t, ['delete', 'jobs', '-n', 'local-cluster', '-l', 'app=hypershift-addon-install', '--ignore-not-found', '--wait=false']);
      done.push(`${ctx}: deleted ${installJobs.items.length} install Job(s) in local-cluster`);
    }
    const copies = (await get(['get', 'configmaps', '-A', '--field-selector', 'metadata.name=sre-metric-set'])) as { items: Obj[] } | undefined;
    for (const cm of copies?.items ?? []) {
      await kubectl(t, ['delete', 'configmap', 'sre-metric-set', '-n', cm.metadata.namespace!, '--ignore-not-found']);
      done.push(`${ctx}: deleted configmap ${cm.metadata.namespace}/sre-metric-set`);
    }
    const dashboards = (await get(['get', 'configmaps', '-n', 'openshift-config-managed', '-l', 'console.openshift.io/dashboard=true'])) as
      | { items: Obj[] }
      | undefined;
    for (const cm of dashboards?.items ?? []) {
      if (!cm.metadata.name.startsWith('hc-')) continue;
      await kubectl(t, ['delete', 'configmap', cm.metadata.name, '-n', 'openshift-config-managed', '--ignore-not-found']);
      done.push(`${ctx}: deleted dashboard ${cm.metadata.name}`);
    }
    await kubectl(
      t,
      ['apply', '--server-side', '--force-conflicts', '--field-manager=hcp-sandbox-reset', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hcp-sandbox-settings', namespace: 'hypershift' },
        data: { timing: TEST_TIMING },
      }),
    );
    if (d) await kubectl(t, ['rollout', 'status', 'deployment/operator', '-n', 'hypershift', '--timeout=120s']);
  }
  return done;
}

// bench/dr-objects: the object backup of `dr backup` (src/dr/objects.ts: one list call per type,
// cleaned, YAML, sha256 manifest) for a cluster with 3 NodePools and 30 Machines, against the docs'
// 8.4.3 step 4 sequence of `kubectl get … -o yaml` processes (one per object, loops over names), in
// the same run. Target: ≥ 10× faster, the same object set.
//
// Fixture: a paused copy of clusters/sample (paused, so the simulator leaves its spec and
// namespaces alone) with 3 paused NodePools, and in its control-plane namespace the objects of
// clusters-sample (HostedControlPlane, Cluster with spec.paused, AWSCluster, AWSMachineTemplates,
// MachineDeployments, MachineSets, Machines, AWSMachines) replicated to 3 pools × 10 machines.
// Ours runs as its own Node process, so it pays the process start-up the docs' commands pay too.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAll, defineBench, namesIn, run, same, sampleCopies, sandboxBench, speedup } from './lib.ts';

const NS = 'bench-dr-objects';
const NAME = 'bdr';
const CPNS = `${NS}-${NAME}`;
const POOLS = 3;
const MACHINES_PER_POOL = 10;

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name: string }; spec?: Record<string, unknown> };

const clean = (o: Obj, name: string, extra: Record<string, unknown> = {}): Obj => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: { name, namespace: CPNS, labels: o.metadata.labels ?? {}, annotations: { 'cluster.x-k8s.io/paused': 'true' } },
  spec: { ...(o.spec ?? {}), ...extra },
});

export default defineBench({
  name: 'dr-objects',
  title: `dr backup's objects (${POOLS} NodePools, ${POOLS * MACHINES_PER_POOL} Machines) vs the docs' kubectl get -o yaml sequence`,
  async run({ log }) {
    const { sb, env, kubectl } = await sandboxBench();
    if (!namesIn(kubectl, 'machines.cluster.x-k8s.io', CPNS).has(`${NAME}-pool-2-9`)) {
      log(`creating the fixture in ${NS} and ${CPNS}`);
      const { sample, pool, base, spec } = sampleCopies(kubectl, NS);
      const list = (kind: string) => JSON.parse(kubectl(['get', kind, '-n', 'clusters-sample', '-o', 'json'])).items as Obj[];
      const [hcp] = list('hostedcontrolplanes.hypershift.openshift.io');
      const [cl] = list('clusters.cluster.x-k8s.io');
      const [awscl] = list('awsclusters.infrastructure.cluster.x-k8s.io');
      const [mt] = list('awsmachinetemplates.infrastructure.cluster.x-k8s.io');
      const [md] = list('machinedeployments.cluster.x-k8s.io');
      const [ms] = list('machinesets.cluster.x-k8s.io');
      const [m] = list('machines.cluster.x-k8s.io');
      const [am] = list('awsmachines.infrastructure.cluster.x-k8s.io');
      const items: object[] = [
        ...base,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CPNS } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${NAME}-ssh-key`, namespace: NS }, stringData: { 'id_rsa.pub': 'ssh-ed25519 AAAA bench' } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'admin-kubeconfig', namespace: CPNS }, stringData: { kubeconfig: 'bench' } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'etcd-client-tls', namespace: CPNS }, stringData: { 'tls.crt': 'bench' } },
        {
          apiVersion: sample.apiVersion,
          kind: 'HostedCluster',
          metadata: { name: NAME, namespace: NS },
          spec: spec({ pausedUntil: 'true', infraID: `${NAME}-infra`, sshKey: { name: `${NAME}-ssh-key` } }),
        },
        clean(hcp, NAME),
        clean(cl, NAME, { paused: true }),
        clean(awscl, NAME),
      ];
      for (let p = 0; p < POOLS; p++) {
        const np = `${NAME}-pool-${p}`;
        items.push({
          apiVersion: pool.apiVersion,
          kind: 'NodePool',
          metadata: { name: np, namespace: NS },
          spec: { ...pool.spec, clusterName: NAME, replicas: MACHINES_PER_POOL, pausedUntil: 'true' },
        });
        items.push(clean(mt, np), clean(md, np, { replicas: MACHINES_PER_POOL }), clean(ms, np, { replicas: MACHINES_PER_POOL }));
        for (let i = 0; i < MACHINES_PER_POOL; i++) items.push(clean(m, `${np}-${i}`), clean(am, `${np}-${i}`));
      }
      // The HostedCluster's pull secret is named after sample; the docs take HC-namespace secrets by the cluster's name only.
      items.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `${NAME}-pull-secret`, namespace: NS },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': '{"auths":{}}' },
      });
      applyAll(kubectl, items);
      kubectl(['patch', 'hostedcluster', NAME, '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec: { pullSecret: { name: `${NAME}-pull-secret` } } })]);
      kubectl(['delete', 'secret', sample.spec.pullSecret.name, '-n', NS, '--ignore-not-found']);
    }

    const dir = mkdtempSync(join(tmpdir(), 'bench-dr-objects-'));
    try {
      // Ours: a Node process that reads with the project's kube client and writes through the DR module.
      const script = `
        import { resolveKubeconfig } from './src/kube/kubeconfig.ts';
        import { KubeClient } from './src/kube/client.ts';
        import { readClusterObjects, writeObjects } from './src/dr/objects.ts';
        import { PrivateWriter } from './src/util/private-writer.ts';
        const kube = new KubeClient({ kubeconfig: resolveKubeconfig({ context: 'mgmt-1' }, process.env), env: process.env });
        const hc = await kube.get({ kind: 'HostedCluster', group: 'hypershift.openshift.io', version: 'v1beta1', plural: 'hostedclusters', namespaced: true }, '${NS}', '${NAME}');
        const objects = await readClusterObjects(kube, hc);
        const m = writeObjects(PrivateWriter.create(process.argv[1]), objects, hc, new Date());
        console.log(m.objects.length);`;
      const oursDir = join(dir, 'ours');
      const ours = await run(process.execPath, ['--input-type=module', '-e', script, oursDir], { ...env, KUBECONFIG: sb.kubeconfig }, {});
      const oursCount = Number(ours.stdout.trim());

      // The docs' sequence (8.4.3 step 4), for every NodePool.
      const docs = `set -e
K="$KUBECTL"; NS=${NS}; N=${NAME}; CP=$NS-$N; B="$1"
mkdir -p "$B/namespaces/$NS" "$B/namespaces/$CP"
"$K" get hc $N -n $NS -o yaml > "$B/namespaces/$NS/hc-$N.yaml"
for np in $("$K" get np -n $NS -o name | cut -d/ -f2); do "$K" get np $np -n $NS -o yaml > "$B/namespaces/$NS/np-$np.yaml"; done
for s in $("$K" get secret -n $NS | grep "^$N" | awk '{print $1}'); do "$K" get secret -n $NS $s -o yaml > "$B/namespaces/$NS/secret-$s.yaml"; done
for s in $("$K" get secret -n $CP | egrep -v "docker|service-account-token|oauth-openshift|NAME|token-$N" | awk '{print $1}'); do "$K" get secret -n $CP $s -o yaml > "$B/namespaces/$CP/secret-$s.yaml"; done
"$K" get hcp $N -n $CP -o yaml > "$B/namespaces/$CP/hcp-$N.yaml"
for c in $("$K" get cluster.cluster.x-k8s.io -n $CP -o name | cut -d/ -f2); do "$K" get cluster.cluster.x-k8s.io $c -n $CP -o yaml > "$B/namespaces/$CP/cl-$c.yaml"; done
for c in $("$K" get awscluster -n $CP -o name | cut -d/ -f2); do "$K" get awscluster $c -n $CP -o yaml > "$B/namespaces/$CP/awscl-$c.yaml"; done
for t in $("$K" get awsmachinetemplate -n $CP -o name | cut -d/ -f2); do "$K" get awsmachinetemplate $t -n $CP -o yaml > "$B/namespaces/$CP/awsmt-$t.yaml"; done
for s in $("$K" get awsmachines -n $CP --no-headers | cut -f1 -d' '); do "$K" get -n $CP awsmachines $s -o yaml > "$B/namespaces/$CP/awsm-$s.yaml"; done
for s in $("$K" get machinedeployment -n $CP -o name); do "$K" get -n $CP $s -o yaml > "$B/namespaces/$CP/machinedeployment-$(echo $s | cut -f2 -d/).yaml"; done
for s in $("$K" get machineset -n $CP -o name); do "$K" get -n $CP $s -o yaml > "$B/namespaces/$CP/machineset-$(echo $s | cut -f2 -d/).yaml"; done
for s in $("$K" get machine.cluster.x-k8s.io -n $CP -o name); do "$K" get -n $CP $s -o yaml > "$B/namespaces/$CP/machine-$(echo $s | cut -f2 -d/).yaml"; done
`;
      const docsDir = join(dir, 'docs');
      const baseline = await run('sh', ['-c', docs, 'docs', docsDir], { ...env, KUBECTL: sb.kubectl });
      const files = (d: string) => readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.yaml'));
      const docsNames = files(docsDir)
        .map((e) => e.name)
        .sort();
      const oursNames = files(oursDir)
        .map((e) => e.name)
        .sort();
      const missing = docsNames.filter((n) => !oursNames.includes(n));
      const extra = oursNames.filter((n) => !docsNames.includes(n));
      log(
        `ours ${ours.ms.toFixed(0)} ms (${oursCount} objects); docs' sequence ${baseline.ms.toFixed(0)} ms (${docsNames.length} files)${missing.length || extra.length ? `; only in the docs': ${missing.join(', ')}; only ours: ${extra.join(', ')}` : ''}`,
      );
      return {
        measures: [
          speedup({ measure: `object backup, ${POOLS} NodePools / ${POOLS * MACHINES_PER_POOL} Machines`, ours: ours.ms, baseline: baseline.ms, atLeast: 10 }),
          same({
            measure: 'objects backed up (same names)',
            ours: oursNames.filter((n) => docsNames.includes(n)).length + extra.length,
            baseline: docsNames.length,
            unit: 'objects',
          }),
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

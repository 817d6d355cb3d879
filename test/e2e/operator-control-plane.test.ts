// The simulated operator against upstream's values: control planes, status, pausedUntil,
// NodePools → Machines → guest Nodes, deletion, external-dns. Each test drives it with kubectl and
// asserts what upstream would write, naming the upstream file it follows. Every test makes its
// own HostedCluster (deleted with its namespace) and waits for the change it caused.
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, describe, expect, it } from 'vitest';
import { condition, createHostedCluster, ETCD_TLS, waitForCondition, waitForEtcdPods } from './helpers/hosted-etcd.ts';
import { kubectl, kubectlOk, sandbox, uniqueNamespace, waitFor } from './helpers/sandbox.ts';

const jsonpath = async (args: string[], path: string) => (await kubectlOk('mgmt-1', [...args, '-o', `jsonpath=${path}`])).trim();
const getJson = async (args: string[]) => JSON.parse(await kubectlOk('mgmt-1', [...args, '-o', 'json']));
const exists = async (args: string[]) => (await kubectl('mgmt-1', ['get', ...args])).code === 0;

describe('clusters/sample after sandbox up', () => {
  it('has etcd-0..2 at 2/2 Running, and etcdctl in a pod sees 3 healthy real members', async () => {
    await waitForEtcdPods('clusters-sample', 3);
    const r = await kubectl('mgmt-1', [
      'exec',
      '-n',
      'clusters-sample',
      'etcd-1',
      '-c',
      'etcd',
      '--',
      'etcdctl',
      ...ETCD_TLS,
      'endpoint',
      'health',
      '--cluster',
      '-w',
      'table',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /etcd-\d\.etcd-(?:client|discovery)\.clusters-sample\.svc:2379 \|\s+true/.test(l));
    expect(rows).toHaveLength(3);
    for (const kind of [
      'deployment/kube-apiserver',
      'deployment/openshift-apiserver',
      'deployment/openshift-oauth-apiserver',
      'deployment/control-plane-operator',
      'statefulset/etcd',
      'hostedcontrolplane/sample',
    ]) {
      expect(await exists([kind, '-n', 'clusters-sample']), kind).toBe(true);
    }
    await waitFor(async () => (await condition('hc', 'clusters', 'sample', 'Available')).status === 'True', 60_000, 'sample Available');
    // hostedcluster_controller.go computeHostedClusterAvailability: True is always AsExpected with this message.
    expect(await condition('hc', 'clusters', 'sample', 'Available')).toMatchObject({ reason: 'AsExpected', message: 'The hosted control plane is available' });
    // hostedcontrolplane_controller.go etcdStatefulSetCondition: True has reason QuorumAvailable (api EtcdQuorumAvailableReason) and no message.
    expect(await condition('hc', 'clusters', 'sample', 'EtcdAvailable')).toMatchObject({ status: 'True', reason: 'QuorumAvailable', message: '' });
    expect(await jsonpath(['get', 'hc', 'sample', '-n', 'clusters'], '{.status.version.history[0].state}')).toBe('Completed');
  });
});

describe('what a new HostedCluster gets', async () => {
  const ns = await uniqueNamespace('op-new');
  const cpns = await createHostedCluster(ns, 'k1');

  it('admin-kubeconfig and kubeadmin-password in both namespaces, status.kubeconfig, endpoints, a finalizer (hostedcluster_controller.go, hostedcontrolplane_controller.go)', async () => {
    await waitFor(
      async () => (await jsonpath(['get', 'hc', 'k1', '-n', ns], '{.status.kubeconfig.name}')) === 'k1-admin-kubeconfig',
      60_000,
      'status.kubeconfig',
    );
    // manifests.KubeConfigSecret / KASAdminKubeconfigSecret: key kubeconfig; the guest API answers with it.
    const kc = Buffer.from(await jsonpath(['get', 'secret', 'k1-admin-kubeconfig', '-n', ns], '{.data.kubeconfig}'), 'base64').toString();
    expect(kc).toContain('server: https://');
    expect(await jsonpath(['get', 'secret', 'admin-kubeconfig', '-n', cpns], '{.data.kubeconfig}')).not.toBe('');
    expect(await jsonpath(['get', 'hcp', 'k1', '-n', cpns], '{.status.kubeConfig.name}')).toBe('admin-kubeconfig');
    // Without an explicit OAuth configuration the kubeadmin password exists (reconcileKubeadminPasswordStatus).
    await waitFor(
      async () => (await jsonpath(['get', 'hc', 'k1', '-n', ns], '{.status.kubeadminPassword.name}')) === 'k1-kubeadmin-password',
      30_000,
      'status.kubeadminPassword',
    );
    expect(await exists(['secret', 'kubeadmin-password', '-n', cpns])).toBe(true);
    // The sample spec publishes APIServer through a LoadBalancer (port 6443) and OAuth through a Route.
    const hc = await getJson(['get', 'hc', 'k1', '-n', ns]);
    expect(hc.status.controlPlaneEndpoint.port).toBe(6443);
    expect(hc.status.controlPlaneEndpoint.host).toMatch(/\.elb\.us-east-1\.amazonaws\.com$/);
    const oauthHost = await jsonpath(['get', 'route', 'oauth', '-n', cpns], '{.spec.host}');
    expect(hc.status.oauthCallbackURLTemplate).toBe(`https://${oauthHost}:443/oauth2callback/[identity-provider-name]`);
    expect(hc.metadata.finalizers).toContain('hypershift.openshift.io/finalizer');
    // HC copies the HCP's conditions; ValidIDPConfiguration is reported even without identity providers.
    await waitForCondition(
      ['hc', ns, 'k1'],
      'ValidIDPConfiguration',
      { reason: 'IDPConfigurationValid', status: 'True', message: 'Identity provider configuration is valid' },
      30_000,
    );
  });

  it('KubeAPIServerAvailable and Available follow the kube-apiserver Deployment; Degraded names the unavailable deployment (hostedcontrolplane_controller.go reconcileKASStatus, reconcileDegradedStatus)', async () => {
    await waitFor(async () => (await condition('hc', ns, 'k1', 'Available')).status === 'True', 90_000, 'k1 Available');
    expect(await condition('hc', ns, 'k1', 'KubeAPIServerAvailable')).toMatchObject({
      status: 'True',
      reason: 'AsExpected',
      message: 'Kube APIServer deployment is available',
    });
    expect(await condition('hc', ns, 'k1', 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected', message: 'The hosted cluster is not degraded' });
    // Pods that can never be scheduled, with the old ones allowed to go: 1 unavailable replica.
    await kubectlOk('mgmt-1', [
      'patch',
      'deployment',
      'kube-apiserver',
      '-n',
      cpns,
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: { strategy: { type: 'Recreate', rollingUpdate: null }, template: { spec: { nodeSelector: { 'hcp-sandbox/no-such-node': 'x' } } } },
      }),
    ]);
    await waitForCondition(
      ['hc', ns, 'k1'],
      'KubeAPIServerAvailable',
      { status: 'False', reason: 'WaitingForAvailable', message: 'Waiting for Kube APIServer deployment to become available' },
      60_000,
    );
    // reconcileAvailabilityStatus: the KAS condition's reason and message bubble up to Available.
    await waitForCondition(
      ['hc', ns, 'k1'],
      'Available',
      { status: 'False', reason: 'WaitingForAvailable', message: 'Waiting for Kube APIServer deployment to become available' },
      30_000,
    );
    await waitForCondition(
      ['hc', ns, 'k1'],
      'Degraded',
      { status: 'True', reason: 'UnavailableReplicas', message: 'kube-apiserver deployment has 1 unavailable replicas' },
      30_000,
    );
    // The operator recreates a deleted deployment from its own template.
    await kubectlOk('mgmt-1', ['delete', 'deployment', 'kube-apiserver', '-n', cpns]);
    await waitFor(async () => (await condition('hc', ns, 'k1', 'Available')).status === 'True', 60_000, 'Available again');
  });
});

describe('pausedUntil (support/util/pausereconcile.go, hostedcluster_controller.go)', async () => {
  const ns = await uniqueNamespace('op-pause');
  const cpns = await createHostedCluster(ns, 'p1');

  it('pauses spec reconciliation with upstream messages, copies pausedUntil and pauses CAPI; resume undoes it', async () => {
    await waitForEtcdPods(cpns, 1);
    await waitFor(async () => (await condition('hc', ns, 'p1', 'Available')).status === 'True', 60_000, 'p1 Available');
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    await waitForCondition(
      ['hc', ns, 'p1'],
      'ReconciliationActive',
      { status: 'False', reason: 'ReconciliationPaused', message: 'Reconciliation paused until field removed' },
      30_000,
    );
    // isProgressing: a False ReconciliationActive blocks with "<type> condition is false: <message>".
    await waitForCondition(
      ['hc', ns, 'p1'],
      'Progressing',
      { reason: 'Blocked', status: 'False', message: 'ReconciliationActive condition is false: Reconciliation paused until field removed' },
      30_000,
    );
    await waitFor(async () => (await jsonpath(['get', 'hcp', 'p1', '-n', cpns], '{.spec.pausedUntil}')) === 'true', 30_000, 'HCP paused');
    expect(await jsonpath(['get', 'clusters.cluster.x-k8s.io', 'p1-infra', '-n', cpns], '{.spec.paused}')).toBe('true');

    // Nothing of the spec is reconciled while paused: a deleted deployment stays deleted, a
    // scaled etcd StatefulSet stays scaled.
    await kubectlOk('mgmt-1', ['delete', 'deployment', 'openshift-apiserver', '-n', cpns]);
    await kubectlOk('mgmt-1', ['scale', 'statefulset', 'etcd', '-n', cpns, '--replicas=0']);
    // ... but the status stays fresh: etcd loses quorum and Available says why (HC status before the pause check).
    await waitForCondition(
      ['hc', ns, 'p1'],
      'EtcdAvailable',
      { status: 'False', reason: 'EtcdWaitingForQuorum', message: 'Waiting for etcd to reach quorum' },
      60_000,
    );
    await waitForCondition(
      ['hc', ns, 'p1'],
      'Available',
      { status: 'False', reason: 'EtcdWaitingForQuorum', message: 'Waiting for etcd to reach quorum' },
      30_000,
    );
    expect(await exists(['deployment', 'openshift-apiserver', '-n', cpns])).toBe(false);
    expect(await jsonpath(['get', 'statefulset', 'etcd', '-n', cpns], '{.spec.replicas}')).toBe('0');

    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
    await waitFor(async () => await exists(['deployment', 'openshift-apiserver', '-n', cpns]), 30_000, 'deployment recreated after resume');
    await waitFor(
      async () => (await jsonpath(['get', 'statefulset', 'etcd', '-n', cpns], '{.spec.replicas}')) === '1',
      30_000,
      'etcd replicas restored after resume',
    );
    expect(await condition('hc', ns, 'p1', 'ReconciliationActive')).toMatchObject({
      status: 'True',
      reason: 'AsExpected',
      message: 'Reconciliation active on resource',
    });
    expect(await jsonpath(['get', 'hcp', 'p1', '-n', cpns], '{.spec.pausedUntil}')).toBe('');
    expect(await jsonpath(['get', 'clusters.cluster.x-k8s.io', 'p1-infra', '-n', cpns], '{.spec.paused}')).not.toBe('true');
    await waitFor(async () => (await condition('hc', ns, 'p1', 'EtcdAvailable')).status === 'True', 90_000, 'EtcdAvailable True again');
  });

  it('reverts a scale of the etcd StatefulSet while not paused (v2/etcd/statefulset.go)', async () => {
    await kubectlOk('mgmt-1', ['scale', 'statefulset', 'etcd', '-n', cpns, '--replicas=3']);
    await waitFor(async () => (await jsonpath(['get', 'statefulset', 'etcd', '-n', cpns], '{.spec.replicas}')) === '1', 30_000, 'etcd replicas reverted to 1');
  });

  it('treats a value that is neither a bool nor RFC3339 as invalid and does not pause; a time prints the raw value', async () => {
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"2099-01-01T00:00:00"}}']);
    await waitForCondition(
      ['hc', ns, 'p1'],
      'ReconciliationActive',
      { reason: 'InvalidPausedUntilValue', status: 'True', message: 'Invalid value provided for PausedUntil field' },
      30_000,
    );
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"2099-01-01T00:00:00+02:00"}}']);
    await waitFor(async () => (await condition('hc', ns, 'p1', 'ReconciliationActive')).reason === 'ReconciliationPaused', 30_000, 'paused until a time');
    expect((await condition('hc', ns, 'p1', 'ReconciliationActive')).message).toBe('Reconciliation paused until: 2099-01-01T00:00:00+02:00');
    await kubectlOk('mgmt-1', ['patch', 'hc', 'p1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
    await waitFor(async () => (await condition('hc', ns, 'p1', 'ReconciliationActive')).reason === 'AsExpected', 30_000, 'resumed');
  });
});

describe('release changes (hostedcluster_controller.go validateReleaseImage, computeClusterVersionStatus)', async () => {
  const ns = await uniqueNamespace('op-rel');
  await createHostedCluster(ns, 'r1');
  const history = async () => (await getJson(['get', 'hc', 'r1', '-n', ns])).status?.version?.history as { version: string; state: string }[] | undefined;
  const setRelease = (v: string) =>
    kubectlOk('mgmt-1', [
      'patch',
      'hc',
      'r1',
      '-n',
      ns,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { release: { image: `quay.io/openshift-release-dev/ocp-release:${v}-x86_64` } } }),
    ]);

  it('an upgrade takes time: Progressing True and a Partial entry first, then Completed', async () => {
    await waitFor(async () => (await history())?.[0]?.state === 'Completed', 90_000, 'installed');
    await setRelease('4.15.12');
    await waitFor(async () => (await history())?.[0]?.version === '4.15.12', 30_000, 'a new history entry');
    expect((await history())![0].state).toBe('Partial');
    expect(await condition('hc', ns, 'r1', 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'Progressing',
      message: 'HostedCluster is deploying, upgrading, or reconfiguring',
    });
    await waitFor(async () => (await history())?.[0]?.state === 'Completed', 90_000, 'upgrade Completed');
    expect(await condition('hc', ns, 'r1', 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'AsExpected',
      message: 'HostedCluster is at expected version',
    });
  });

  it('a y-stream downgrade is invalid and blocks: ValidReleaseImage False, Progressing Blocked, no new history entry', async () => {
    await setRelease('4.13.0');
    await waitFor(async () => (await condition('hc', ns, 'r1', 'ValidReleaseImage')).status === 'False', 30_000, 'ValidReleaseImage False');
    // IsValidReleaseVersion checks the y-stream downgrade (from the pending desired 4.15.12) before the minimum.
    const msg = 'y-stream downgrade from "4.15.12" to "4.13.0" is not supported';
    expect(await condition('hc', ns, 'r1', 'ValidReleaseImage')).toMatchObject({ reason: 'InvalidImage', message: msg });
    await waitFor(async () => (await condition('hc', ns, 'r1', 'Progressing')).reason === 'Blocked', 30_000, 'Progressing Blocked');
    expect((await condition('hc', ns, 'r1', 'Progressing')).message).toBe(`ValidReleaseImage condition is false: ${msg}`);
    expect((await history())![0].version).toBe('4.15.12');
    await setRelease('4.15.12');
    await waitFor(async () => (await condition('hc', ns, 'r1', 'ValidReleaseImage')).status === 'True', 30_000, 'valid again');
  });
});

describe('ValidIDPConfiguration (hostedcontrolplane_controller.go reconcileValidIDPConfigurationCondition, v2/oauth/idp_convert.go)', async () => {
  const ns = await uniqueNamespace('op-idp');
  await createHostedCluster(ns, 'i1');
  const setIdps = (idps: object[]) =>
    kubectlOk('mgmt-1', [
      'patch',
      'hc',
      'i1',
      '-n',
      ns,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { configuration: { oauth: { identityProviders: idps } } } }),
    ]);

  const gen = async () => Number(await jsonpath(['get', 'hc', 'i1', '-n', ns], '{.metadata.generation}'));
  const oidc = [
    {
      name: 'oidc',
      type: 'OpenID',
      mappingMethod: 'claim',
      openID: { clientID: 'x', clientSecret: { name: 'oidc-secret' }, issuer: 'https://issuer.invalid', claims: { preferredUsername: ['email'] } },
    },
  ];

  it("an unreachable OpenID issuer fails with upstream's prefix; a GitHub or HTPasswd provider's missing secret is not checked", async () => {
    await setIdps(oidc);
    await waitFor(async () => (await condition('hc', ns, 'i1', 'ValidIDPConfiguration')).status === 'False', 60_000, 'ValidIDPConfiguration False');
    const c = await condition('hc', ns, 'i1', 'ValidIDPConfiguration');
    expect(c.reason).toBe('IDPConfigurationError');
    expect(c.message).toBe(
      'failed to initialize identity providers: failed to apply IDP oidc config: Get "https://issuer.invalid/.well-known/openid-configuration": dial tcp: lookup issuer.invalid: no such host',
    );

    await setIdps([
      { name: 'gh', type: 'GitHub', mappingMethod: 'claim', github: { clientID: 'x', clientSecret: { name: 'no-such-secret' }, organizations: ['o'] } },
      { name: 'pw', type: 'HTPasswd', mappingMethod: 'claim', htpasswd: { fileData: { name: 'no-such-htpasswd' } } },
    ]);
    await waitForCondition(
      ['hc', ns, 'i1'],
      'ValidIDPConfiguration',
      { status: 'True', reason: 'IDPConfigurationValid', message: 'Identity provider configuration is valid' },
      60_000,
    );
  });

  it('a paused cluster keeps the last (now stale) condition, stamped with its own new generation', async () => {
    await kubectlOk('mgmt-1', ['patch', 'hc', 'i1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    await waitFor(async () => (await condition('hc', ns, 'i1', 'ReconciliationActive')).status === 'False', 30_000, 'paused');
    await setIdps(oidc);
    const g = await gen();
    await waitFor(
      async () => ((await condition('hc', ns, 'i1', 'ValidIDPConfiguration')) as { observedGeneration?: number }).observedGeneration === g,
      30_000,
      'condition stamped with the new generation',
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect((await condition('hc', ns, 'i1', 'ValidIDPConfiguration')).status).toBe('True');
    await kubectlOk('mgmt-1', ['patch', 'hc', 'i1', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
    await waitFor(async () => (await condition('hc', ns, 'i1', 'ValidIDPConfiguration')).status === 'False', 60_000, 'checked again after resume');
  });
});

describe('NodePools (nodepool_controller.go, conditions.go, capi.go)', async () => {
  const ns = await uniqueNamespace('op-np');
  await createHostedCluster(ns, 'n1');
  const cpns = `${ns}-n1`;
  const pool = await getJson(['get', 'nodepool', 'sample-us-east-1a', '-n', 'clusters']);
  await kubectlOk(
    'mgmt-1',
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: pool.apiVersion,
      kind: 'NodePool',
      metadata: { name: 'n1-pool', namespace: ns },
      spec: { ...pool.spec, clusterName: 'n1', replicas: 2 },
    }),
  );
  const machines = async () =>
    (
      await kubectlOk('mgmt-1', [
        'get',
        'machines.cluster.x-k8s.io',
        '-n',
        cpns,
        '-l',
        'hypershift.openshift.io/nodePool=n1-pool',
        '--no-headers',
        '-o',
        'name',
      ])
    )
      .trim()
      .split('\n')
      .filter(Boolean).length;
  const guestNodes = async () =>
    JSON.parse(await kubectlOk('guest', ['get', 'nodes', '-o', 'json'])).items.filter(
      (n: { metadata: { annotations?: Record<string, string> } }) => n.metadata.annotations?.['hcp-sandbox.kubectl-hcp.io/nodepool'] === `${ns}/n1-pool`,
    ).length;
  const replicas = async () => jsonpath(['get', 'np', 'n1-pool', '-n', ns], '{.status.replicas}');

  it("status.replicas follows the MachineDeployment's available replicas as Machines provision; scale to 0 and back", async () => {
    await waitFor(async () => (await machines()) === 2, 60_000, '2 machines');
    // Machines take time to provision: the NodePool counts only available ones.
    await waitFor(async () => (await replicas()) === '2' && (await guestNodes()) === 2, 60_000, 'status.replicas 2 and 2 guest nodes');
    expect(await jsonpath(['get', 'machinedeployment', 'n1-pool', '-n', cpns], '{.metadata.annotations.hypershift\\.openshift\\.io/nodePool}')).toBe(
      `${ns}/n1-pool`,
    );
    expect(await condition('np', ns, 'n1-pool', 'AllMachinesReady')).toMatchObject({ status: 'True', reason: 'AsExpected', message: 'All is well' });
    expect((await getJson(['get', 'np', 'n1-pool', '-n', ns])).metadata.finalizers).toContain('hypershift.openshift.io/finalizer');
    await kubectlOk('mgmt-1', ['scale', 'nodepool', 'n1-pool', '-n', ns, '--replicas=0']);
    await waitFor(
      async () => (await machines()) === 0 && (await guestNodes()) === 0 && (await replicas()) === '0',
      60_000,
      'no machines, no guest nodes, status.replicas 0',
    );
    expect(await condition('np', ns, 'n1-pool', 'AllMachinesReady')).toMatchObject({
      status: 'False',
      reason: 'AsExpected',
      message: 'NodePool set to no replicas',
    });
    await kubectlOk('mgmt-1', ['scale', 'nodepool', 'n1-pool', '-n', ns, '--replicas=1']);
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'Ready')).status === 'False', 30_000, 'NodePool not Ready while its machine provisions');
    await waitFor(async () => (await replicas()) === '1' && (await guestNodes()) === 1, 60_000, '1 machine and 1 guest node');
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'Ready')).status === 'True', 30_000, 'NodePool Ready');
  });

  it('a NodePool pausedUntil annotates its MachineDeployment and MachineSet', async () => {
    await kubectlOk('mgmt-1', ['patch', 'np', 'n1-pool', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    await waitFor(
      async () => (await jsonpath(['get', 'machinedeployment', 'n1-pool', '-n', cpns], '{.metadata.annotations.cluster\\.x-k8s\\.io/paused}')) === 'true',
      30_000,
      'MD paused annotation',
    );
    await waitFor(
      async () =>
        (
          await kubectlOk('mgmt-1', ['get', 'machinesets', '-n', cpns, '-o', 'jsonpath={.items[*].metadata.annotations.cluster\\.x-k8s\\.io/paused}'])
        ).trim() === 'true',
      30_000,
      'MS paused annotation',
    );
    await kubectlOk('mgmt-1', ['patch', 'np', 'n1-pool', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":null}}']);
    await waitFor(
      async () => (await jsonpath(['get', 'machinedeployment', 'n1-pool', '-n', cpns], '{.metadata.annotations.cluster\\.x-k8s\\.io/paused}')) === '',
      30_000,
      'MD resumed',
    );
  });

  it("a newer minor is invalid with upstream's message; a patch ahead of the cluster is valid (supportedversion/version.go)", async () => {
    await kubectlOk('mgmt-1', [
      'patch',
      'np',
      'n1-pool',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"release":{"image":"quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64"}}}',
    ]);
    await waitForCondition(
      ['np', ns, 'n1-pool'],
      'ValidReleaseImage',
      {
        status: 'False',
        reason: 'ValidationFailed',
        message: 'Failed to get release image: the latest version supported is: "4.15.10". Attempting to use: "4.16.0"',
      },
      30_000,
    );
    await kubectlOk('mgmt-1', [
      'patch',
      'np',
      'n1-pool',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"release":{"image":"quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64"}}}',
    ]);
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'ValidReleaseImage')).status === 'True', 30_000, 'a patch ahead is valid');
    expect((await condition('np', ns, 'n1-pool', 'ValidReleaseImage')).message).toBe(
      'Using release image: quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64',
    );
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'UpdatingVersion')).status === 'True', 30_000, 'UpdatingVersion True');
    expect((await condition('np', ns, 'n1-pool', 'UpdatingVersion')).message).toBe('Updating version in progress. Target version: 4.15.12');
    await waitFor(async () => (await condition('np', ns, 'n1-pool', 'UpdatingVersion')).status === 'False', 60_000, 'UpdatingVersion False again');
    expect(await jsonpath(['get', 'np', 'n1-pool', '-n', ns], '{.status.version}')).toBe('4.15.12');
  });

  it('a deleted NodePool takes its Machines and guest Nodes with it, then lets go of its finalizer', async () => {
    await waitFor(async () => (await guestNodes()) === 1, 60_000, 'a guest node');
    await kubectlOk('mgmt-1', ['delete', 'nodepool', 'n1-pool', '-n', ns, '--timeout=60s']);
    expect(await machines()).toBe(0);
    expect(await guestNodes()).toBe(0);
    expect(await exists(['machinedeployment', 'n1-pool', '-n', cpns])).toBe(false);
  });
});

describe('deleting a HostedCluster (hostedcluster_controller.go delete)', async () => {
  const ns = await uniqueNamespace('op-del');
  const cpns = await createHostedCluster(ns, 'd1');
  const pool = await getJson(['get', 'nodepool', 'sample-us-east-1b', '-n', 'clusters']);
  await kubectlOk(
    'mgmt-1',
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: pool.apiVersion,
      kind: 'NodePool',
      metadata: { name: 'd1-pool', namespace: ns },
      spec: { ...pool.spec, clusterName: 'd1', replicas: 1 },
    }),
  );

  it('takes time, removes its NodePools, guest Nodes and control-plane namespace, then the HostedCluster goes', async () => {
    await waitForEtcdPods(cpns, 1);
    await waitFor(async () => (await jsonpath(['get', 'np', 'd1-pool', '-n', ns], '{.status.replicas}')) === '1', 60_000, 'd1-pool has a node');
    await kubectlOk('mgmt-1', ['delete', 'hc', 'd1', '-n', ns, '--wait=false']);
    // The finalizer holds it while the teardown runs.
    expect(await exists(['hc', 'd1', '-n', ns])).toBe(true);
    await waitFor(async () => !(await exists(['hc', 'd1', '-n', ns])), 120_000, 'HostedCluster gone');
    expect(await exists(['np', 'd1-pool', '-n', ns])).toBe(false);
    expect(await exists(['namespace', cpns])).toBe(false);
    const nodes = JSON.parse(await kubectlOk('guest', ['get', 'nodes', '-o', 'json'])).items.filter(
      (n: { metadata: { annotations?: Record<string, string> } }) => n.metadata.annotations?.['hcp-sandbox.kubectl-hcp.io/nodepool'] === `${ns}/d1-pool`,
    );
    expect(nodes).toEqual([]);
  });
});

describe('external-dns (cmd/install/assets/hypershift_operator.go ExternalDNSDeployment)', async () => {
  const ns = await uniqueNamespace('op-dns');
  const host = `${ns}.sandbox.example.com`;
  const env = sandbox().awsEnv;
  const r53 = new Route53Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_ROUTE_53,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const records = async () => {
    const all = [];
    let start: { StartRecordName?: string; StartRecordType?: never } = {};
    for (;;) {
      const page = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z0SANDBOX0PUBLIC', ...start }));
      all.push(...(page.ResourceRecordSets ?? []));
      if (!page.IsTruncated) return all;
      start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType as never };
    }
  };

  it('publishes a Route with a hostname annotation (CNAME + TXT with --txt-suffix=-external-dns and a UUID owner) and removes both after the Route goes', async () => {
    await kubectlOk(
      'mgmt-1',
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'route.openshift.io/v1',
        kind: 'Route',
        metadata: { name: 'api', namespace: ns, annotations: { 'external-dns.alpha.kubernetes.io/hostname': host } },
        spec: { host, to: { kind: 'Service', name: 'kube-apiserver' } },
      }),
    );
    await waitFor(async () => (await records()).some((r) => r.Name === `${host}.` && r.Type === 'CNAME'), 30_000, `CNAME ${host}`);
    const txt = (await records()).find((r) => r.Type === 'TXT' && r.Name === `cname-${ns}-external-dns.sandbox.example.com.`);
    expect(txt?.ResourceRecords?.[0]?.Value).toMatch(
      new RegExp(`^"heritage=external-dns,external-dns/owner=[0-9a-f-]{36},external-dns/resource=route/${ns}/api"$`),
    );
    await kubectlOk('mgmt-1', ['delete', 'route', 'api', '-n', ns]);
    await waitFor(
      async () => !(await records()).some((r) => r.Name === `${host}.` || r.Name === `cname-${ns}-external-dns.sandbox.example.com.`),
      30_000,
      `records of ${host} deleted`,
    );
  });
});

describe('the guest: ovnkube-node DaemonSet, and Nodes when the control plane moves', async () => {
  const ns = await uniqueNamespace('op-move');
  // The same namespace on mgmt-2, where the cluster moves to (deleted after the file's tests).
  await kubectlOk('mgmt-2', ['create', 'namespace', ns]);
  await waitFor(async () => (await kubectl('mgmt-2', ['get', 'serviceaccount', 'default', '-n', ns])).code === 0, 30_000, 'namespace on mgmt-2');
  afterAll(async () => {
    await kubectl('mgmt-2', ['delete', 'namespace', ns, '--wait=false']);
  });
  const pool = await getJson(['get', 'nodepool', 'sample-us-east-1b', '-n', 'clusters']);
  const npObject = {
    apiVersion: pool.apiVersion,
    kind: 'NodePool',
    metadata: { name: 'mv-pool', namespace: ns },
    spec: { ...pool.spec, clusterName: 'mv', replicas: 1 },
  };
  const node = async () =>
    JSON.parse(await kubectlOk('guest', ['get', 'nodes', '-o', 'json'])).items.find(
      (n: { metadata: { annotations?: Record<string, string> } }) => n.metadata.annotations?.['hcp-sandbox.kubectl-hcp.io/nodepool'] === `${ns}/mv-pool`,
    ) as
      | { metadata: { name: string; annotations: Record<string, string> }; status: { conditions: { type: string; status: string; reason?: string }[] } }
      | undefined;
  const ready = (n: Awaited<ReturnType<typeof node>>) => n?.status.conditions.find((c) => c.type === 'Ready')?.status;

  it('a deleted ovnkube-node pod comes back on its Node (the DaemonSet controller)', async () => {
    // The pod on one of the seeded Nodes of clusters/sample, which stay.
    const pods = JSON.parse(await kubectlOk('guest', ['get', 'pods', '-n', 'openshift-ovn-kubernetes', '-l', 'app=ovnkube-node', '-o', 'json'])).items as {
      metadata: { name: string; deletionTimestamp?: string };
      spec: { nodeName: string };
      status: { phase?: string };
    }[];
    const victim = pods.find((p) => p.spec.nodeName === 'ip-10-0-1-10.ec2.internal' && !p.metadata.deletionTimestamp && p.status.phase === 'Running')!;
    expect(victim).toBeDefined();
    await kubectlOk('guest', ['delete', 'pod', victim.metadata.name, '-n', 'openshift-ovn-kubernetes', '--wait=false']);
    await waitFor(
      async () =>
        JSON.parse(await kubectlOk('guest', ['get', 'pods', '-n', 'openshift-ovn-kubernetes', '-l', 'app=ovnkube-node', '-o', 'json'])).items.some(
          (p: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName: string }; status: { phase?: string } }) =>
            p.metadata.name !== victim.metadata.name &&
            !p.metadata.deletionTimestamp &&
            p.spec.nodeName === victim.spec.nodeName &&
            p.status.phase === 'Running',
        ),
      60_000,
      `a new ovnkube-node pod on ${victim.spec.nodeName}`,
    );
  });

  it('the Node stays with mgmt-1 while its control plane runs there; once paused, mgmt-2 takes it over: NotReady, then Ready', async () => {
    await createHostedCluster(ns, 'mv');
    await kubectlOk('mgmt-1', ['apply', '-f', '-'], JSON.stringify(npObject));
    await waitFor(async () => ready(await node()) === 'True', 90_000, "the pool's guest Node, Ready");
    const name = (await node())!.metadata.name;
    expect((await node())!.metadata.annotations['hcp-sandbox.kubectl-hcp.io/management-cluster']).toBe('mgmt-1');
    // The same cluster and pool on mgmt-2 while mgmt-1 still runs it: mgmt-2 does not touch the Node.
    await createHostedCluster(ns, 'mv', { cluster: 'mgmt-2' });
    await kubectlOk('mgmt-2', ['apply', '-f', '-'], JSON.stringify(npObject));
    await waitFor(
      async () => (await kubectl('mgmt-2', ['get', 'np', 'mv-pool', '-n', ns, '-o', 'jsonpath={.status.replicas}'])).stdout === '1',
      90_000,
      'mgmt-2 runs a machine for the pool',
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect((await node())!.metadata.annotations['hcp-sandbox.kubectl-hcp.io/management-cluster']).toBe('mgmt-1');
    expect(ready(await node())).toBe('True');
    // The control plane stops on mgmt-1: its heartbeat goes stale and mgmt-2 takes the same Node.
    await kubectlOk('mgmt-1', ['patch', 'hc', 'mv', '-n', ns, '--type=merge', '-p', '{"spec":{"pausedUntil":"true"}}']);
    await waitFor(
      async () => (await node())?.metadata.annotations['hcp-sandbox.kubectl-hcp.io/management-cluster'] === 'mgmt-2',
      90_000,
      'mgmt-2 takes the Node over',
    );
    expect((await node())!.metadata.name).toBe(name);
    expect(ready(await node())).not.toBe('True');
    await waitFor(async () => ready(await node()) === 'True', 60_000, 'Ready again under mgmt-2');
    await kubectlOk('mgmt-2', ['delete', 'hc', 'mv', '-n', ns, '--timeout=120s']);
    expect(await node()).toBeUndefined();
  });
});

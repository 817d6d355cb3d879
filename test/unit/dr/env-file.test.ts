import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/dr/env-file.ts';
import { restoredHostedCluster, restoredNodePool } from '../../../src/dr/restore.ts';
import { clusterHostnames, txtRecordName } from '../../../src/dr/dns.ts';
import { externalDnsProblem } from '../../../src/dr/backup.ts';
import type { HostedCluster, NodePool } from '../../../src/hostedcluster/types.ts';

describe('dr migrate --vars-file (docs 8.4.6 variables, never run)', () => {
  const text = `# Fill the Common variables
SSH_KEY_FILE=\${HOME}/.ssh/id_rsa.pub
BASE_PATH=/srv/hypershift
CONTROL_PLANE_AVAILABILITY_POLICY=SingleReplica
MGMT_REGION=us-west-1
MGMT_CLUSTER_NAME="\${USER}-dev"
MGMT_CLUSTER_DIR="\${BASE_PATH}/hosted_clusters/mgmt"
export MGMT_KUBECONFIG="\${MGMT_CLUSTER_DIR}/kubeconfig"
MGMT2_KUBECONFIG='/srv/dest/kubeconfig'
HC_CLUSTER_NS=clusters
HC_CLUSTER_NAME=sample
HC_CLUSTER_DIR="\${BASE_PATH}/hosted_clusters/\${HC_CLUSTER_NS}-\${HC_CLUSTER_NAME}"
HC_KUBECONFIG="\${HC_CLUSTER_DIR}/kubeconfig"
BACKUP_DIR=\${HC_CLUSTER_DIR}/backup
BUCKET_NAME="sample-hosted-\${MGMT_REGION}"
AWS_ZONE_ID="Z026552815SS3YPH9H6MG" # the zone
NODE_POOL_REPLICAS=\${NODE_POOL_REPLICAS:-2}
`;
  it('maps the variables it uses, expands earlier ones, and names the ignored ones with why', () => {
    const { settings, ignored } = parseEnvFile(text, 'migrate.env');
    expect(settings).toEqual({
      MGMT_REGION: 'us-west-1',
      MGMT_KUBECONFIG: '/srv/hypershift/hosted_clusters/mgmt/kubeconfig',
      MGMT2_KUBECONFIG: '/srv/dest/kubeconfig',
      HC_CLUSTER_NS: 'clusters',
      HC_CLUSTER_NAME: 'sample',
      HC_KUBECONFIG: '/srv/hypershift/hosted_clusters/clusters-sample/kubeconfig',
      BACKUP_DIR: '/srv/hypershift/hosted_clusters/clusters-sample/backup',
      BUCKET_NAME: 'sample-hosted-us-west-1',
      AWS_ZONE_ID: 'Z026552815SS3YPH9H6MG',
    });
    expect(ignored).toContain('CONTROL_PLANE_AVAILABILITY_POLICY (every etcd member is found and snapshotted, whatever the policy)');
    expect(ignored).toContain('NODE_POOL_REPLICAS (every NodePool and its replicas are read from the cluster)');
    expect(ignored).toContain('SSH_KEY_FILE');
  });
  it.each([
    ['echo hi', /not a KEY=value line/],
    ['A="unterminated', /unterminated double quote/],
    ["A='x", /unterminated single quote/],
    // Issue 11: a typo would leave the setting at its default without a word.
    ['HC_CLUSTR_NAME=sample', /^f: unknown variable HC_CLUSTR_NAME: not one of the docs' 8\.4\.6 variables/],
  ])('refuses %s', (line, message) => {
    expect(() => parseEnvFile(line, 'f')).toThrow(message);
  });
});

describe('dr restore objects', () => {
  const hc = {
    metadata: { name: 'sample', namespace: 'clusters' },
    spec: {
      pausedUntil: 'true',
      etcd: { managementType: 'Managed', managed: { storage: { type: 'PersistentVolume' } } },
      services: [
        { service: 'APIServer', servicePublishingStrategy: { type: 'Route', route: { hostname: 'api-sample.example.com' } } },
        { service: 'OAuthServer', servicePublishingStrategy: { type: 'Route', route: { hostname: 'Oauth-sample.example.com.' } } },
        { service: 'Ignition', servicePublishingStrategy: { type: 'Route' } },
      ],
    },
  } as unknown as HostedCluster;
  it('the HostedCluster gets exactly one restoreSnapshotURL and loses pausedUntil; NodePools lose pausedUntil', () => {
    const r = restoredHostedCluster(hc, 'https://bucket/key?X-Amz-Signature=x');
    expect(r.spec.etcd?.managed?.storage?.restoreSnapshotURL).toEqual(['https://bucket/key?X-Amz-Signature=x']);
    expect(r.spec.pausedUntil).toBeUndefined();
    expect(hc.spec.pausedUntil).toBe('true');
    const np = restoredNodePool({ metadata: { name: 'p' }, spec: { clusterName: 'sample', pausedUntil: 'true', replicas: 2 } } as NodePool);
    expect(np.spec).toEqual({ clusterName: 'sample', replicas: 2 });
  });
  it("knows the cluster's Route 53 records: its Route hostnames and external-dns's TXT names", () => {
    expect(clusterHostnames(hc)).toEqual(['api-sample.example.com.', 'oauth-sample.example.com.']);
    expect(txtRecordName('api-sample.example.com')).toBe('cname-api-sample-external-dns.example.com.');
  });
  it.each([
    [null, /installed without the --external-dns-\* flags/],
    [{ spec: { replicas: 1, template: { spec: { containers: [{ args: ['--provider=aws'] }] } } } }, /no --domain-filter/],
    [{ spec: { replicas: 1, template: { spec: { containers: [{ args: ['--provider=aws', '--domain-filter=other.com'] }] } } } }, /does not cover/],
    [{ spec: { replicas: 0, template: { spec: { containers: [{ args: ['--provider=aws', '--domain-filter=example.com'] }] } } } }, /scaled to 0/],
    [{ spec: { replicas: 1, template: { spec: { containers: [{ args: ['--provider=aws', '--domain-filter=example.com'] }] } } } }, undefined],
  ])('external-dns preflight %#', (deployment, problem) => {
    const p = externalDnsProblem(deployment as never, 'sandbox.example.com', 'hypershift');
    if (problem) expect(p).toMatch(problem);
    else expect(p).toBeUndefined();
  });
});

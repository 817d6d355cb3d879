// external-dns for Routes, as HyperShift installs it (cmd/install/assets/hypershift_operator.go,
// ExternalDNSDeployment): --source=openshift-route, --txt-suffix=-external-dns,
// --txt-owner-id=<a UUID made at install>, --interval=1m (DefaultExternalDNSInterval). A Route with
// annotation external-dns.alpha.kubernetes.io/hostname gets a CNAME in the Route 53 zone of the
// base domain plus the TXT ownership record, named as external-dns's TXT registry names it with a
// suffix: cname-<first label>-external-dns.<rest>. Records are created and deleted only at a sync,
// once per interval (timing `dns`, configurable for tests). Known differences: the CNAME target is
// invented (Routes have no status.ingress here), and only the new-format TXT record is written.
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  ListHostedZonesByNameCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../../../src/kube/client.ts';
import { Resources as R, type KubeObject } from '../../../src/kube/resources.ts';
import { timing } from './shared.ts';

export const HOSTNAME_ANNOTATION = 'external-dns.alpha.kubernetes.io/hostname';
/** external-dns's TXT registry name for a CNAME record with --txt-suffix=-external-dns. */
export const txtName = (host: string) => {
  const [first, ...rest] = host.split('.');
  return `cname-${first}-external-dns.${rest.join('.')}`;
};

export class ExternalDns {
  private readonly r53: Route53Client;
  private readonly kube: KubeClient;
  private readonly owner: string;
  private readonly cluster: string;
  private readonly domain: string;
  private readonly log: (m: string) => void;
  private zoneId?: string;
  private lastSync = 0;

  constructor(kube: KubeClient, cluster: string, domain: string, awsEnv: Record<string, string>, log: (m: string) => void, stateDir: string) {
    this.kube = kube;
    this.cluster = cluster;
    // --txt-owner-id: a random UUID made once per install (here: per management cluster, kept).
    const ownerFile = join(stateDir, 'external-dns-owner-id');
    if (!existsSync(ownerFile)) writeFileSync(ownerFile, randomUUID());
    this.owner = readFileSync(ownerFile, 'utf8').trim();
    this.domain = domain;
    this.log = log;
    this.r53 = new Route53Client({
      region: awsEnv.AWS_REGION ?? 'us-east-1',
      endpoint: awsEnv.AWS_ENDPOINT_URL_ROUTE_53,
      credentials: { accessKeyId: awsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY },
    });
  }

  private txt(ns: string, name: string): string {
    return `"heritage=external-dns,external-dns/owner=${this.owner},external-dns/resource=route/${ns}/${name}"`;
  }

  async sync(): Promise<void> {
    if (Date.now() - this.lastSync < timing('dns')) return;
    this.lastSync = Date.now();
    if (!this.zoneId) {
      const z = await this.r53.send(new ListHostedZonesByNameCommand({ DNSName: `${this.domain}.` }));
      this.zoneId = z.HostedZones?.find((h) => h.Name === `${this.domain}.`)?.Id?.replace('/hostedzone/', '');
      if (!this.zoneId) return;
    }
    const routes = (await this.kube.list<KubeObject & { spec?: { host?: string } }>(R.Route)).items.filter(
      (r) => r.metadata.annotations?.[HOSTNAME_ANNOTATION],
    );
    const records: ResourceRecordSet[] = [];
    let start: { name?: string; type?: string } = {};
    for (;;) {
      const page = await this.r53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: this.zoneId, StartRecordName: start.name, StartRecordType: start.type as never }),
      );
      records.push(...(page.ResourceRecordSets ?? []));
      if (!page.IsTruncated) break;
      start = { name: page.NextRecordName, type: page.NextRecordType };
    }
    const fqdn = (h: string) => (h.endsWith('.') ? h : `${h}.`);
    const changes: { Action: 'UPSERT' | 'DELETE'; ResourceRecordSet: ResourceRecordSet }[] = [];
    const wanted = new Set<string>();
    for (const r of routes) {
      const host = fqdn(r.metadata.annotations![HOSTNAME_ANNOTATION].split(',')[0].trim());
      if (!host.endsWith(`${this.domain}.`)) continue;
      wanted.add(host);
      const target = `router-default.apps.${this.cluster}.${this.domain}`;
      const cname = records.find((x) => x.Name === host && x.Type === 'CNAME');
      const txt = records.find((x) => x.Name === txtName(host) && x.Type === 'TXT');
      if (txt && !txt.ResourceRecords?.[0]?.Value?.includes(`external-dns/owner=${this.owner},`)) continue; // someone else's
      if (!cname || cname.ResourceRecords?.[0]?.Value !== target)
        changes.push({ Action: 'UPSERT', ResourceRecordSet: { Name: host, Type: 'CNAME', TTL: 30, ResourceRecords: [{ Value: target }] } });
      if (!txt)
        changes.push({
          Action: 'UPSERT',
          ResourceRecordSet: { Name: txtName(host), Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: this.txt(r.metadata.namespace!, r.metadata.name) }] },
        });
    }
    for (const txt of records.filter((x) => x.Type === 'TXT' && /^cname-[^.]+-external-dns\./.test(x.Name ?? ''))) {
      const value = txt.ResourceRecords?.[0]?.Value ?? '';
      if (!value.includes(`external-dns/owner=${this.owner},`)) continue;
      const m = /^cname-([^.]+)-external-dns\.(.*)$/.exec(txt.Name!)!;
      const host = `${m[1]}.${m[2]}`;
      if (wanted.has(host)) continue;
      changes.push({ Action: 'DELETE', ResourceRecordSet: txt });
      const cname = records.find((x) => x.Name === host && x.Type === 'CNAME');
      if (cname) changes.push({ Action: 'DELETE', ResourceRecordSet: cname });
    }
    if (!changes.length) return;
    await this.r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: this.zoneId, ChangeBatch: { Changes: changes } }));
    for (const c of changes) this.log(`external-dns: ${c.Action} ${c.ResourceRecordSet.Type} ${c.ResourceRecordSet.Name}`);
  }
}

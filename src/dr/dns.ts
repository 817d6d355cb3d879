/**
 * The cluster's Route 53 records (docs 8.4.3 step 6): what external-dns publishes for the
 * HostedCluster's Route hostnames, a CNAME (or A) per hostname plus the TXT ownership record its
 * registry names `cname-<first label>-external-dns.<rest>` (--txt-suffix=-external-dns,
 * cmd/install/assets/hypershift_operator.go ExternalDNSDeployment). The docs count every record
 * matching the domain with `grep -c` and wait for "≤ 2"; we wait for exactly this cluster's
 * records, reading every page of ListResourceRecordSets.
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { HostedCluster } from '../hostedcluster/types.ts';

interface ServicePublishing {
  service: string;
  servicePublishingStrategy?: { type?: string; route?: { hostname?: string }; loadBalancer?: { hostname?: string } };
}

const fqdn = (h: string) => (h.endsWith('.') ? h.toLowerCase() : `${h.toLowerCase()}.`);

/** The hostnames external-dns publishes for this cluster (its Route-published services). */
export function clusterHostnames(hc: HostedCluster): string[] {
  const services = (hc.spec.services ?? []) as ServicePublishing[];
  return [...new Set(services.flatMap((s) => (s.servicePublishingStrategy?.route?.hostname ? [fqdn(s.servicePublishingStrategy.route.hostname)] : [])))].sort();
}

export const txtRecordName = (host: string) => {
  const [first, ...rest] = fqdn(host).split('.');
  return `cname-${first}-external-dns.${rest.join('.')}`;
};

/** The zone of the base domain (the longest public zone that contains it), or undefined. */
export async function findZone(client: Route53Client, domain: string): Promise<string | undefined> {
  const { ListHostedZonesByNameCommand } = await import('@aws-sdk/client-route-53');
  const name = fqdn(domain);
  const r = await client.send(new ListHostedZonesByNameCommand({ DNSName: name }));
  const zone = (r.HostedZones ?? [])
    .filter((z) => !z.Config?.PrivateZone && z.Name && name.endsWith(z.Name))
    .sort((a, b) => (b.Name?.length ?? 0) - (a.Name?.length ?? 0))[0];
  return zone?.Id?.replace('/hostedzone/', '');
}

/** The names (with type) of this cluster's records present in the zone now, every page read. */
export async function clusterRecords(client: Route53Client, zoneId: string, hosts: string[]): Promise<string[]> {
  const { ListResourceRecordSetsCommand } = await import('@aws-sdk/client-route-53');
  const wanted = new Set(hosts.flatMap((h) => [fqdn(h), txtRecordName(h)]));
  const found: string[] = [];
  let start: { name?: string; type?: string } = {};
  for (;;) {
    const page = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: start.name, StartRecordType: start.type as never, MaxItems: 300 }),
    );
    for (const r of page.ResourceRecordSets ?? []) {
      const name = fqdn((r.Name ?? '').replace(/\\052/g, '*'));
      if (wanted.has(name)) found.push(`${r.Type} ${name}`);
    }
    if (!page.IsTruncated) break;
    start = { name: page.NextRecordName, type: page.NextRecordType };
  }
  return found.sort();
}

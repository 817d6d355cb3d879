// A small stand-in for the Route 53 REST-XML API (version 2013-04-01), run as a sandbox process:
//   node scripts/sandbox/route53.ts <port> <state.json>   (HCP_SANDBOX_R53_ACCESS_KEY/_SECRET_KEY in env)
// No Route 53 emulator is installable here, so this implements the operations the tool needs,
// following the API reference: ListHostedZones, ListHostedZonesByName, GetHostedZone,
// ListResourceRecordSets (ordering and paging), ChangeResourceRecordSets (atomic batches with
// InvalidChangeBatch errors) and GetChange. Requests must be SigV4-signed with the sandbox key.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export interface RecordSet {
  Name: string;
  Type: string;
  TTL?: number;
  ResourceRecords?: string[];
  SetIdentifier?: string;
  Weight?: number;
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
}
export interface Zone {
  Id: string;
  Name: string;
  CallerReference: string;
  Comment?: string;
  PrivateZone: boolean;
  records: RecordSet[];
}
export interface Route53State {
  zones: Zone[];
  changes: Record<string, string>;
}

// ---------- names and ordering ----------

/** Route 53's stored form of a name: lower case, absolute, with `*` escaped as \052. */
export function normalizeName(name: string): string {
  const n = name.toLowerCase().replace(/\*/g, '\\052');
  return n.endsWith('.') ? n : `${n}.`;
}

/** Sort key: the DNS name with its labels reversed (com.example.www.), then the type. */
const reversed = (name: string) => `${name.replace(/\.$/, '').split('.').reverse().join('.')}.`;
function compareRecords(a: { Name: string; Type: string; SetIdentifier?: string }, b: { Name: string; Type: string; SetIdentifier?: string }): number {
  const ka = reversed(a.Name);
  const kb = reversed(b.Name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.Type !== b.Type) return a.Type < b.Type ? -1 : 1;
  const ia = a.SetIdentifier ?? '';
  const ib = b.SetIdentifier ?? '';
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

/** Compares record sets field by field, whatever the order their fields were written in. */
const canonical = (r: RecordSet) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));

// ---------- XML ----------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
type XmlValue = string | number | boolean | undefined | XmlValue[] | { [k: string]: XmlValue };

/** Serialises {Tag: value}; arrays repeat the tag of their `item` wrapper: {List: [['Item', v], ...]}. */
function toXml(tag: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `<${tag}>${(value as [string, XmlValue][]).map(([t, v]) => toXml(t, v)).join('')}</${tag}>`;
  if (typeof value === 'object')
    return `<${tag}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${tag}>`;
  return `<${tag}>${esc(String(value))}</${tag}>`;
}
function xmlDoc(root: string, body: Record<string, XmlValue>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${Object.entries(body)
    .map(([k, v]) => toXml(k, v))
    .join('')}</${root}>`;
}

interface XmlNode {
  tag: string;
  text: string;
  children: XmlNode[];
}
/** A minimal parser for the request bodies the SDKs send (elements and text, no mixed content). */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { tag: '#root', text: '', children: [] };
  const stack = [root];
  const re = /<\?[^>]*\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|([^<]+)/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) {
      top.text += m[5];
      continue;
    }
    if (!m[2]) continue;
    if (m[1]) {
      stack.pop();
      continue;
    }
    const node: XmlNode = { tag: m[2].replace(/^.*:/, ''), text: '', children: [] };
    top.children.push(node);
    if (!m[4]) stack.push(node);
  }
  return root.children[0];
}
const unesc = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const child = (n: XmlNode | undefined, tag: string) => n?.children.find((c) => c.tag === tag);
const text = (n: XmlNode | undefined, tag: string) => {
  const c = child(n, tag);
  return c ? unesc(c.text.trim()) : undefined;
};

// ---------- errors ----------

class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
const invalidInput = (msg: string) => new ApiError(400, 'InvalidInput', msg);

// ---------- SigV4 ----------

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Verifies an AWS Signature Version 4 Authorization header against the sandbox credentials. */
export function verifySigV4(
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined> },
  body: Buffer,
  accessKey: string,
  secretKey: string,
): void {
  const auth = String(req.headers.authorization ?? '');
  if (!auth) throw new ApiError(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new ApiError(400, 'IncompleteSignature', 'Authorization header is not a valid AWS4-HMAC-SHA256 signature');
  const [, keyId, date, region, service, signedHeaders, signature] = m;
  if (keyId !== accessKey) throw new ApiError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const url = new URL(req.url, 'http://localhost');
  const query = [...url.searchParams].map(([k, v]) => [uriEncode(k), uriEncode(v)]).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  const path = url.pathname
    .split('/')
    .map((seg) => uriEncode(decodeURIComponent(seg)))
    .join('/');
  const headerLines = signedHeaders
    .split(';')
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? sha256(body));
  const canonical = [req.method, path, query.map(([k, v]) => `${k}=${v}`).join('&'), headerLines, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), service), 'aws4_request');
  if (createHmac('sha256', kSigning).update(toSign).digest('hex') !== signature) {
    throw new ApiError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
}

// ---------- operations ----------

const zoneXml = (z: Zone) => ({
  Id: z.Id,
  Name: z.Name,
  CallerReference: z.CallerReference,
  Config: { ...(z.Comment ? { Comment: z.Comment } : {}), PrivateZone: z.PrivateZone },
  ResourceRecordSetCount: z.records.length,
});
const recordXml = (r: RecordSet): XmlValue => ({
  Name: r.Name,
  Type: r.Type,
  SetIdentifier: r.SetIdentifier,
  Weight: r.Weight,
  AliasTarget: r.AliasTarget ? { ...r.AliasTarget } : undefined,
  TTL: r.TTL,
  ResourceRecords: r.ResourceRecords ? r.ResourceRecords.map((v) => ['ResourceRecord', { Value: v }]) : undefined,
});

function maxItems(raw: string | null, dflt: number, limit: number): number {
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw invalidInput(`1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint`);
  return Math.min(n, limit);
}

export class Route53 {
  state: Route53State;
  private readonly file: string;
  constructor(file: string) {
    this.file = file;
    this.state = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Route53State) : { zones: [], changes: {} };
  }

  private save(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }

  private zone(id: string): Zone {
    const zid = `/hostedzone/${id.replace(/^\/?hostedzone\//, '')}`;
    const z = this.state.zones.find((x) => x.Id === zid);
    if (!z) throw new ApiError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id.replace(/^\/?hostedzone\//, '')}`);
    return z;
  }

  listHostedZones(q: URLSearchParams): string {
    const limit = maxItems(q.get('maxitems'), 100, 100);
    const zones = [...this.state.zones].sort((a, b) => (a.Id < b.Id ? -1 : 1));
    const marker = q.get('marker');
    const start = marker ? zones.findIndex((z) => z.Id === `/hostedzone/${marker}`) : 0;
    if (start < 0) throw invalidInput(`Invalid marker: ${marker}`);
    const page = zones.slice(start, start + limit);
    const next = zones[start + limit];
    return xmlDoc('ListHostedZonesResponse', {
      HostedZones: page.map((z) => ['HostedZone', zoneXml(z)]),
      Marker: marker ?? '',
      IsTruncated: Boolean(next),
      NextMarker: next?.Id.replace('/hostedzone/', ''),
      MaxItems: limit,
    });
  }

  listHostedZonesByName(q: URLSearchParams): string {
    const limit = maxItems(q.get('maxitems'), 100, 100);
    const dnsName = q.get('dnsname');
    const zoneId = q.get('hostedzoneid');
    if (zoneId && !dnsName) throw invalidInput('HostedZoneId requires DNSName');
    const key = (z: { Name: string; Id: string }) => `${reversed(z.Name)} ${z.Id}`;
    const zones = [...this.state.zones].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const from = dnsName ? key({ Name: normalizeName(dnsName), Id: zoneId ? `/hostedzone/${zoneId}` : '' }) : '';
    const rest = zones.filter((z) => key(z) >= from);
    const next = rest[limit];
    return xmlDoc('ListHostedZonesByNameResponse', {
      HostedZones: rest.slice(0, limit).map((z) => ['HostedZone', zoneXml(z)]),
      DNSName: dnsName ?? undefined,
      HostedZoneId: zoneId ?? undefined,
      IsTruncated: Boolean(next),
      NextDNSName: next?.Name,
      NextHostedZoneId: next?.Id.replace('/hostedzone/', ''),
      MaxItems: limit,
    });
  }

  getHostedZone(id: string): string {
    const z = this.zone(id);
    const ns = z.records.find((r) => r.Type === 'NS' && r.Name === z.Name)?.ResourceRecords ?? [];
    return xmlDoc('GetHostedZoneResponse', {
      HostedZone: zoneXml(z),
      DelegationSet: { NameServers: ns.map((n) => ['NameServer', n.replace(/\.$/, '')]) },
    });
  }

  listResourceRecordSets(id: string, q: URLSearchParams): string {
    const z = this.zone(id);
    const limit = maxItems(q.get('maxitems'), 300, 300);
    const name = q.get('name');
    const type = q.get('type');
    const identifier = q.get('identifier');
    if (type && !name) throw invalidInput('The input is not valid: StartRecordType requires StartRecordName');
    if (identifier && !type) throw invalidInput('The input is not valid: StartRecordIdentifier requires StartRecordType');
    const sorted = [...z.records].sort(compareRecords);
    const start = name ? { Name: normalizeName(name), Type: type ?? '', SetIdentifier: identifier ?? '' } : undefined;
    const rest = start ? sorted.filter((r) => compareRecords(r, start) >= 0) : sorted;
    const next = rest[limit];
    return xmlDoc('ListResourceRecordSetsResponse', {
      ResourceRecordSets: rest.slice(0, limit).map((r) => ['ResourceRecordSet', recordXml(r)]),
      IsTruncated: Boolean(next),
      NextRecordName: next?.Name,
      NextRecordType: next?.Type,
      NextRecordIdentifier: next?.SetIdentifier,
      MaxItems: limit,
    });
  }

  changeResourceRecordSets(id: string, body: string): string {
    const z = this.zone(id);
    const batch = child(parseXml(body), 'ChangeBatch');
    const changes = child(batch, 'Changes')?.children ?? [];
    if (!changes.length) throw invalidInput('1 validation error detected: ChangeBatch.Changes must have at least 1 item');
    const records = [...z.records];
    const errors: string[] = [];
    for (const c of changes) {
      const action = text(c, 'Action') ?? '';
      const rr = child(c, 'ResourceRecordSet');
      const alias = child(rr, 'AliasTarget');
      const rec: RecordSet = {
        Name: normalizeName(text(rr, 'Name') ?? ''),
        Type: text(rr, 'Type') ?? '',
        ...(text(rr, 'TTL') !== undefined ? { TTL: Number(text(rr, 'TTL')) } : {}),
        ...(child(rr, 'ResourceRecords') ? { ResourceRecords: child(rr, 'ResourceRecords')!.children.map((r) => text(r, 'Value') ?? '') } : {}),
        ...(text(rr, 'SetIdentifier') !== undefined ? { SetIdentifier: text(rr, 'SetIdentifier') } : {}),
        ...(text(rr, 'Weight') !== undefined ? { Weight: Number(text(rr, 'Weight')) } : {}),
        ...(alias
          ? {
              AliasTarget: {
                HostedZoneId: text(alias, 'HostedZoneId') ?? '',
                DNSName: normalizeName(text(alias, 'DNSName') ?? ''),
                EvaluateTargetHealth: text(alias, 'EvaluateTargetHealth') === 'true',
              },
            }
          : {}),
      };
      const label = `[name='${rec.Name}', type='${rec.Type}'${rec.SetIdentifier ? `, set-identifier='${rec.SetIdentifier}'` : ''}]`;
      if (!['CREATE', 'DELETE', 'UPSERT'].includes(action)) throw invalidInput(`Invalid action: ${action}`);
      if (rec.Name !== z.Name && !rec.Name.endsWith(`.${z.Name}`)) {
        errors.push(`RRSet with DNS name ${rec.Name} is not permitted in zone ${z.Name}`);
        continue;
      }
      if (!rec.AliasTarget && (!rec.ResourceRecords?.length || rec.TTL === undefined)) {
        errors.push(`Invalid Resource Record Set ${label}: TTL and ResourceRecords are required`);
        continue;
      }
      const i = records.findIndex((r) => compareRecords(r, rec) === 0);
      if (action === 'CREATE' && i >= 0) errors.push(`Tried to create resource record set ${label} but it already exists`);
      else if (action === 'DELETE' && i < 0) errors.push(`Tried to delete resource record set ${label} but it was not found`);
      else if (action === 'DELETE' && canonical(records[i]) !== canonical(rec)) {
        errors.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
      } else if (action === 'DELETE') records.splice(i, 1);
      else if (i >= 0) records[i] = rec;
      else records.push(rec);
    }
    // A batch is atomic: any failed change rejects all of them.
    if (errors.length) throw new ApiError(400, 'InvalidChangeBatch', `[${errors.join(', ')}]`);
    z.records = records;
    const changeId = `C${randomBytes(10).toString('hex').toUpperCase().slice(0, 19)}`;
    const submittedAt = new Date().toISOString();
    this.state.changes[changeId] = submittedAt;
    this.save();
    const comment = text(batch, 'Comment');
    return xmlDoc('ChangeResourceRecordSetsResponse', {
      ChangeInfo: { Id: `/change/${changeId}`, Status: 'PENDING', SubmittedAt: submittedAt, Comment: comment },
    });
  }

  getChange(id: string): string {
    const cid = id.replace(/^\/?change\//, '');
    const at = this.state.changes[cid];
    if (!at) throw new ApiError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${cid}`);
    // The sandbox has no propagation delay: a change reads back as INSYNC.
    return xmlDoc('GetChangeResponse', { ChangeInfo: { Id: `/change/${cid}`, Status: 'INSYNC', SubmittedAt: at } });
  }

  route(method: string, path: string, q: URLSearchParams, body: string): string {
    const p = path.replace(/\/+$/, '');
    let m: RegExpExecArray | null;
    if (method === 'GET' && p === '/2013-04-01/hostedzone') return this.listHostedZones(q);
    if (method === 'GET' && p === '/2013-04-01/hostedzonesbyname') return this.listHostedZonesByName(q);
    if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)$/.exec(p)) && method === 'GET') return this.getHostedZone(m[1]);
    if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/.exec(p))) {
      if (method === 'GET') return this.listResourceRecordSets(m[1], q);
      if (method === 'POST') return this.changeResourceRecordSets(m[1], body);
    }
    if ((m = /^\/2013-04-01\/change\/([^/]+)$/.exec(p)) && method === 'GET') return this.getChange(m[1]);
    throw new ApiError(404, 'UnknownOperationException', `The sandbox Route 53 does not implement ${method} ${p}`);
  }
}

export function serve(port: number, stateFile: string, accessKey: string, secretKey: string) {
  const api = new Route53(stateFile);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const requestId = randomBytes(16).toString('hex');
      res.setHeader('x-amzn-RequestId', requestId);
      if (url.pathname === '/healthz') {
        res.end('ok');
        return;
      }
      try {
        verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, body, accessKey, secretKey);
        const out = api.route(req.method ?? 'GET', url.pathname, url.searchParams, body.toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/xml' }).end(out);
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(500, 'InternalFailure', String(err));
        res.writeHead(e.status, { 'content-type': 'text/xml' }).end(
          xmlDoc('ErrorResponse', {
            Error: { Type: e.status >= 500 ? 'Receiver' : 'Sender', Code: e.code, Message: e.message },
            RequestId: requestId,
          }),
        );
      }
    });
  });
  server.listen(port, '127.0.0.1');
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, stateFile] = process.argv.slice(2);
  const { HCP_SANDBOX_R53_ACCESS_KEY: ak, HCP_SANDBOX_R53_SECRET_KEY: sk } = process.env;
  if (!port || !stateFile || !ak || !sk) {
    console.error('usage: HCP_SANDBOX_R53_ACCESS_KEY=… HCP_SANDBOX_R53_SECRET_KEY=… route53.ts <port> <state.json>');
    process.exit(2);
  }
  serve(Number(port), stateFile, ak, sk);
  console.log(`route53 stand-in listening on 127.0.0.1:${port}, state ${stateFile}`);
}

/**
 * A tiny in-memory API server for the golden-output tests: GET of an object or a collection
 * (namespaced or across namespaces), and PATCH with a JSON merge patch (applied, or only answered
 * with dryRun=All). Anything else answers 404 NotFound, the way an apiserver answers a missing
 * object, so commands take their "not there" paths. Objects are keyed by their API path.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { listenWithKubeconfig } from '../bad-input.ts';
import { mergePatch } from '../fake-kube.ts';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

const PLURAL: Record<string, string> = { HostedCluster: 'hostedclusters', NodePool: 'nodepools', ConfigMap: 'configmaps', Secret: 'secrets' };

function pathOf(o: Obj): string {
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${PLURAL[o.kind]}/${o.metadata.name}`;
}

export interface FixtureServer {
  kubeconfig: string;
  objects: Map<string, Obj>;
  close(): void;
}

export async function startFixtureServer(fixtureFile: string): Promise<FixtureServer> {
  const objects = new Map<string, Obj>();
  for (const o of (JSON.parse(readFileSync(fixtureFile, 'utf8')) as { items: Obj[] }).items) objects.set(pathOf(o), o);
  let rv = 1000;
  const send = (res: http.ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const notFound = (res: http.ServerResponse) =>
    send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET') {
        const one = objects.get(path);
        if (one) return send(res, 200, one);
        // A collection: /…/namespaces/NS/PLURAL or /…/PLURAL across namespaces.
        const items = [...objects.entries()]
          .filter(([p]) => {
            const rest = p.startsWith(`${path}/`) ? p.slice(path.length + 1) : undefined;
            if (rest !== undefined) return !rest.includes('/');
            const m = /^(\/apis?\/.+?)\/([a-z0-9]+)$/.exec(path);
            return m !== null && new RegExp(`^${m[1]}/namespaces/[^/]+/${m[2]}/[^/]+$`).test(p);
          })
          .map(([, o]) => o);
        if (items.length || /\/(hostedclusters|nodepools|configmaps|secrets|pods)$/.test(path))
          return send(res, 200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(rv) }, items });
        return notFound(res);
      }
      if (req.method === 'PATCH') {
        const current = objects.get(path);
        if (!current) return notFound(res);
        const next = mergePatch(current, JSON.parse(Buffer.concat(chunks).toString('utf8'))) as Obj;
        next.metadata.resourceVersion = String(++rv);
        if (url.searchParams.get('dryRun') !== 'All') objects.set(path, next);
        return send(res, 200, next);
      }
      notFound(res);
    });
  });
  const kubeconfig = await listenWithKubeconfig(srv, 'hcp-golden-');
  return { kubeconfig, objects, close: () => srv.close() };
}

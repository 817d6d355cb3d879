// Entry point of the simulated HyperShift operator (one process per management cluster; `sandbox
// up` starts it). Usage: node main.ts <config.json>
// It serves on 127.0.0.1:<port>:
//   GET  /healthz                                     200 once the first loop succeeded
//   POST /break/etcd-member?cluster=<ns>/<name>&member=<n>   failure injection (sandbox break)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { killStaleMembers } from '../hosted-etcd/etcd.ts';
import { installShims } from '../hosted-etcd/podfs.ts';
import { log, Operator, type OperatorConfig } from './operator.ts';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as OperatorConfig & { port: number; intervalMs?: number };
installShims(cfg.root);
killStaleMembers(`${cfg.root}/${cfg.cluster}`);
const op = new Operator(cfg);
let ready = false;
let stopping = false;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : (op.lastLoopError ?? 'starting'));
    return;
  }
  if (url.pathname === '/break/etcd-member' && req.method === 'POST') {
    const c = op.etcdCluster(url.searchParams.get('cluster') ?? '');
    const n = Number(url.searchParams.get('member'));
    if (!c) {
      res.writeHead(404).end(`no hosted etcd for HostedCluster ${url.searchParams.get('cluster')} on ${cfg.cluster}\n`);
      return;
    }
    const ok = c.breakMember(n);
    res.writeHead(ok ? 200 : 404).end(ok ? `stopped etcd-${n} of ${c.spec.key} and corrupted its data\n` : `member etcd-${n} is not running\n`);
    return;
  }
  res.writeHead(404).end();
});
server.listen(cfg.port, '127.0.0.1');

function shutdown(): void {
  if (stopping) return;
  stopping = true;
  log('stopping: terminating etcd members');
  server.close();
  void op.stopAll().then(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const interval = cfg.intervalMs ?? 1000;
for (;;) {
  if (stopping) break;
  const t0 = Date.now();
  try {
    await op.loop();
    ready = true;
    op.lastLoopError = undefined;
  } catch (err) {
    op.lastLoopError = (err as Error).message;
    log(`loop: ${(err as Error).stack ?? err}`);
  }
  await new Promise((r) => setTimeout(r, Math.max(100, interval - (Date.now() - t0))));
}

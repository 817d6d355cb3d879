/**
 * HTTPS_PROXY / NO_PROXY resolution with Go's rules (what kubectl does): lower- or upper-case
 * variables, `*` disables proxying, entries match a host, a domain suffix, an IP, a CIDR or
 * host:port, and loopback addresses never go through a proxy.
 */
import { BlockList, isIP } from 'node:net';

export function proxyForUrl(target: string, env: NodeJS.ProcessEnv): string | undefined {
  const url = new URL(target);
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (host === 'localhost' || host === '127.0.0.1' || host.startsWith('127.') || host === '::1') return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of noProxy) {
    if (entry === '*') return undefined;
    if (matchesNoProxy(entry, host, port)) return undefined;
  }
  return proxy.includes('://') ? proxy : `http://${proxy}`;
}

function matchesNoProxy(entry: string, host: string, port: string): boolean {
  if (entry.includes('/')) {
    const [net, bits] = entry.split('/');
    const family = isIP(net);
    if (!family || !isIP(host)) return false;
    const list = new BlockList();
    list.addSubnet(net, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    return list.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
  }
  let entryHost = entry;
  const portMatch = /^(.*):(\d+)$/.exec(entry);
  if (portMatch && !isIP(entry)) {
    if (portMatch[2] !== port) return false;
    entryHost = portMatch[1];
  }
  if (entryHost.startsWith('*.')) entryHost = entryHost.slice(1);
  if (entryHost.startsWith('.')) return host.endsWith(entryHost) || host === entryHost.slice(1);
  return host === entryHost || host.endsWith(`.${entryHost}`);
}

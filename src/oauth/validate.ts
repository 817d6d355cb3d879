/** Pure checks of `oauth add|remove` inputs: each throws a UsageError (exit 2) naming the flag. */
import { UsageError } from '../util/errors.ts';

/** OpenShift's rule: a valid path segment (it is part of the callback URL). */
export function assertIdpName(name: string): void {
  if (!name || name === '.' || name === '..' || /[/%:]/.test(name) || /\s/.test(name) || name.length > 63) {
    throw new UsageError(
      `--idp-name "${name}" is not valid: it must be a path segment without '/', '%', ':' or spaces, not "." or "..", at most 63 characters`,
    );
  }
}

/** FACTS: the OpenID issuer is https with no query or fragment. */
export function assertIssuer(value: string): void {
  const url = parseUrl(value, '--issuer');
  if (url.protocol !== 'https:') throw new UsageError(`--issuer "${value}" must use https`);
  if (url.search || value.includes('?')) throw new UsageError(`--issuer "${value}" must not have a query`);
  if (url.hash || value.includes('#')) throw new UsageError(`--issuer "${value}" must not have a fragment`);
}

export function parseUrl(value: string, flag: string, schemes?: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${value}" is not a URL`);
  }
  if (!url.hostname) throw new UsageError(`${flag} "${value}" has no host`);
  if (schemes && !schemes.includes(url.protocol.slice(0, -1))) throw new UsageError(`${flag} "${value}" must use ${schemes.join(' or ')}`);
  return url;
}

export function assertPem(text: string, flag: string, what: 'CERTIFICATE' | 'PRIVATE KEY'): void {
  const re = what === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (!re.test(text)) throw new UsageError(`${flag} does not contain a PEM ${what.toLowerCase()}`);
}

/** Each non-empty line `user:hash`, as htpasswd writes it. */
export function assertHtpasswd(text: string, flag: string): void {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (!lines.length) throw new UsageError(`${flag} has no users`);
  const bad = lines.findIndex((l) => !/^[^:\s]+:\S+$/.test(l));
  if (bad >= 0) throw new UsageError(`${flag} line ${bad + 1} is not "user:hash" (create it with htpasswd -B)`);
}

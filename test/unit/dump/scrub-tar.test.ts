import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { elideSecret, Scrubber, type SecretObject } from '../../../src/dump/scrub.ts';
import { paxRecord, TarGzWriter } from '../../../src/dump/tar.ts';
import { logPath, objectPath, safeSegment } from '../../../src/dump/layout.ts';
import { DumpSink, prepareArtifactDir } from '../../../src/dump/sink.ts';
import { UsageError } from '../../../src/util/errors.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>, annotations?: Record<string, string>): SecretObject => ({
  metadata: { name: 's1', namespace: 'ns1', annotations },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

async function drain(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('elideSecret (oc adm inspect secret.go)', () => {
  it('replaces every value by its length except public certificates, and empties the annotations that repeat values', () => {
    const s = elideSecret(
      secret(
        { password: 'hunter2hunter2', 'tls.crt': 'CERT', 'ca.crt': 'CA', 'tls.key': 'KEYKEYKEY' },
        { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{}}', keep: 'x' },
      ),
    );
    expect(s.data).toEqual({ password: '14 bytes long', 'tls.crt': b64('CERT'), 'ca.crt': b64('CA'), 'tls.key': '9 bytes long' });
    expect(s.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': '', keep: 'x' });
  });
});

describe('Scrubber', () => {
  const value = 'canary-Secret-Value-0123456789';
  const make = () => {
    const s = new Scrubber();
    s.addSecret(secret({ token: value, short: 'abc', 'ca.crt': 'public-certificate-text' }));
    return s;
  };

  it.each([
    ['plain', value, ''],
    ['base64', b64(value), ' (base64)'],
    ['double base64', b64(b64(value)), ' (base64 of base64)'],
  ])('replaces the %s form by a marker naming the secret and key', (_form, text, suffix) => {
    const s = make();
    expect(s.scrubString(`before ${text} after`)).toBe(`before <scrubbed: secret ns1/s1 key token${suffix}> after`);
  });

  it('walks every string and key of an object, leaves public certificates and short values alone', () => {
    const s = make();
    const out = s.scrubObject({ spec: { env: [{ name: 'X', value: value }], [value]: 1, cert: 'public-certificate-text', n: 3, short: 'abc' } });
    expect(JSON.stringify(out)).not.toContain(value);
    expect(out.spec.cert).toBe('public-certificate-text');
    expect(out.spec.short).toBe('abc');
    expect(s.stats).toEqual({ values: 1, tooShort: 1 });
  });

  it('does not search for the namespace name a service-account token Secret repeats', () => {
    const s = new Scrubber();
    s.addSecret({ ...secret({ namespace: 'clusters-sample', token: 'eyJhbGciOiJSUzI1NiJ9.payload.sig' }), type: 'kubernetes.io/service-account-token' });
    expect(s.scrubString('namespace: clusters-sample token eyJhbGciOiJSUzI1NiJ9.payload.sig')).toBe(
      'namespace: clusters-sample token <scrubbed: secret ns1/s1 key token>',
    );
  });

  it('finds a multi-line value inside JSON text (last-applied-configuration)', () => {
    const s = new Scrubber();
    const pem = '-----BEGIN KEY-----\nabcdefgh\n-----END KEY-----\n';
    s.addSecret(secret({ key: pem }));
    const json = JSON.stringify({ data: { k: pem } });
    expect(s.scrubString(json)).not.toContain('abcdefgh');
    expect(s.scrubString(JSON.stringify({ a: json }))).not.toContain('abcdefgh');
  });

  it('scrubs a stream even when a value is split across chunks, at every split point', async () => {
    const s = make();
    const text = `log line with ${value} and ${b64(b64(value))} end\n`;
    for (let cut = 1; cut < text.length; cut += 3) {
      const out = await drain(
        Readable.from([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut, cut + 5)), Buffer.from(text.slice(cut + 5))]).pipe(s.transform()),
      );
      expect(out).toBe(`log line with <scrubbed: secret ns1/s1 key token> and <scrubbed: secret ns1/s1 key token (base64 of base64)> end\n`);
    }
  });

  it('passes a stream through unchanged with nothing to look for', async () => {
    const out = await drain(Readable.from([Buffer.from('a'), Buffer.from('b')]).pipe(new Scrubber().transform()));
    expect(out).toBe('ab');
  });

  it('scrubs 10 MB of log with 300 secret values in well under a few seconds', () => {
    const s = new Scrubber();
    for (let i = 0; i < 300; i++) s.addValue(Buffer.from(`secret-value-number-${i}-${'z'.repeat(i % 50)}`), `v${i}`);
    const line = 'I0101 00:00:00.000000 1 controller.go:123] reconciling object default/thing generation 42\n';
    const big = Buffer.from(line.repeat(Math.ceil(10e6 / line.length)) + 'secret-value-number-7-zzzzzzz\n');
    const t0 = performance.now();
    const out = s.scrubBuffer(big).toString('latin1');
    const ms = performance.now() - t0;
    expect(out.endsWith('<scrubbed: v7>\n')).toBe(true);
    expect(ms).toBeLessThan(5000);
  });
});

describe('layout (oc adm inspect)', () => {
  it('places objects and logs where oc adm inspect does', () => {
    expect(objectPath('', { group: '', plural: 'configmaps', namespaced: true }, 'ns', 'cm')).toBe('namespaces/ns/core/configmaps/cm.yaml');
    expect(objectPath('', { group: '', plural: 'nodes', namespaced: false }, undefined, 'n1')).toBe('cluster-scoped-resources/core/nodes/n1.yaml');
    expect(objectPath('hostedcluster-x', { group: 'apps', plural: 'deployments', namespaced: true }, 'ns', 'd')).toBe(
      'hostedcluster-x/namespaces/ns/apps/deployments/d.yaml',
    );
    expect(logPath('', 'ns', 'p', 'c', false)).toBe('namespaces/ns/pods/p/c/c/logs/current.log');
    expect(logPath('', 'ns', 'p', 'c', true)).toBe('namespaces/ns/pods/p/c/c/logs/previous.log');
    expect(safeSegment('..')).toBe('_..');
    expect(safeSegment('a/b')).toBe('a_b');
  });
});

describe('TarGzWriter', () => {
  it('writes an archive that tar lists and extracts byte for byte, long names included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dump-tar-'));
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('hello\n'),
      [`namespaces/${'n'.repeat(60)}/pods/${'p'.repeat(60)}/c/c/logs/current.log`]: Buffer.alloc(70_000, 'x'),
      empty: Buffer.alloc(0),
      exact512: Buffer.alloc(512, 'y'),
    };
    const tar = new TarGzWriter(join(dir, 'out.tar.gz'));
    Object.entries(files).forEach(([name, content], i) => {
      const src = join(dir, `src${i}`);
      writeFileSync(src, content);
      tar.add({ name, source: src, size: content.length, mtimeSec: 1_700_000_000 });
    });
    await tar.close();
    const listed = execFileSync('tar', ['-tzf', join(dir, 'out.tar.gz')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    expect(listed).toEqual(Object.keys(files).sort());
    const out = join(dir, 'x');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', join(dir, 'out.tar.gz'), '-C', out]);
    for (const [name, content] of Object.entries(files)) expect(readFileSync(join(out, name)).equals(content)).toBe(true);
  });

  it('bounds its queue: ready() waits until at most maxQueued entries are left to write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-queue-'));
    const src = join(dir, 'f');
    writeFileSync(src, 'x'.repeat(100_000));
    const tar = new TarGzWriter(join(dir, 'out.tar.gz'), { maxQueued: 4 });
    for (let i = 0; i < 50; i++) {
      tar.add({ name: `f${i}`, source: src, size: 100_000, mtimeSec: 0 });
      await tar.ready();
      expect(tar.queued).toBeLessThanOrEqual(4);
    }
    await tar.close();
    expect(tar.queued).toBe(0);
    expect(
      execFileSync('tar', ['-tzf', join(dir, 'out.tar.gz')], { encoding: 'utf8' })
        .trim()
        .split('\n'),
    ).toHaveLength(50);
  });

  it('PAX records count their own length', () => {
    for (const n of [1, 80, 95, 200]) {
      const r = paxRecord('path', 'p'.repeat(n));
      expect(Number(r.toString().split(' ')[0])).toBe(r.length);
    }
  });
});

describe('artifact dir', () => {
  it('accepts a new or empty dir, refuses a non-empty one, and --overwrite replaces only a previous dump', async () => {
    const base = mkdtempSync(join(tmpdir(), 'dump-dir-'));
    expect(() => prepareArtifactDir(join(base, 'new'), false)).not.toThrow();
    const other = join(base, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'precious.txt'), 'x');
    expect(() => prepareArtifactDir(other, false)).toThrow(UsageError);
    expect(() => prepareArtifactDir(other, true)).toThrow(/not empty and holds no index.json/);
    expect(readFileSync(join(other, 'precious.txt'), 'utf8')).toBe('x');

    const dumpDir = join(base, 'dump');
    mkdirSync(dumpDir);
    const sink = new DumpSink(dumpDir, { archive: true });
    sink.writeFile('a/b.yaml', 'x: 1\n', 'thing', 'object');
    await sink.writeStream('logs/l.log', Readable.from([Buffer.from('line\n')]), [], 'log', 'log');
    await sink.close({});
    expect(DumpSink.treeFiles(dumpDir)).toEqual(['a/b.yaml', 'index.json', 'logs/l.log']);
    expect(() => prepareArtifactDir(dumpDir, false)).toThrow(/not empty/);
    prepareArtifactDir(dumpDir, true);
    const again = new DumpSink(dumpDir, { archive: false });
    again.writeFile('a/b.yaml', 'x: 2\n', 'thing', 'object');
    expect(readFileSync(join(dumpDir, 'a/b.yaml'), 'utf8')).toBe('x: 2\n');
  });
});

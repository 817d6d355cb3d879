/**
 * Secrets in a dump. Secret objects are written as `oc adm inspect` writes them (openshift/oc
 * pkg/cli/admin/inspect/secret.go elideSecret): every data value replaced by "N bytes long" except
 * the public certificates tls.crt, ca.crt and service-ca.crt, and the two annotations that repeat
 * the values emptied. Beyond oc: every value the dump read is also removed wherever else it shows
 * up (env vars, ConfigMaps, annotations, logs), in plain, base64 and double-base64 form, and
 * JSON-escaped inside JSON text (last-applied-configuration), replaced by a marker that names the
 * secret and key: the dump can be shared without handing out the cluster's credentials.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { KubeObject } from '../kube/resources.ts';

/** oc's publicSecretKeys: certificate (public) data, kept so that signers and trust can be inspected. */
export const PUBLIC_SECRET_KEYS = new Set(['tls.crt', 'ca.crt', 'service-ca.crt']);
/** Annotations that repeat a secret's values (oc empties them). */
export const SECRET_VALUE_ANNOTATIONS = ['openshift.io/token-secret.value', 'kubectl.kubernetes.io/last-applied-configuration'];
/**
 * Values shorter than this are not searched for elsewhere: "true", "admin" or a port number would
 * turn half the dump into markers. Secret objects themselves never show any value, whatever its length.
 */
export const MIN_SCRUB_LENGTH = 8;

export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The Secret as it is written: values replaced by their length, as `oc adm inspect` does. */
export function elideSecret(secret: SecretObject): SecretObject {
  const copy = structuredClone(secret);
  for (const field of ['data', 'stringData'] as const) {
    const values = copy[field];
    if (!values) continue;
    for (const [key, value] of Object.entries(values)) {
      if (PUBLIC_SECRET_KEYS.has(key)) continue;
      const length = field === 'data' ? Buffer.from(value, 'base64').length : Buffer.byteLength(value, 'utf8');
      values[key] = `${length} bytes long`;
    }
  }
  const annotations = copy.metadata.annotations;
  for (const a of SECRET_VALUE_ANNOTATIONS) if (annotations && a in annotations) annotations[a] = '';
  return copy;
}

interface Pattern {
  /** The text to find: a JS string for objects, or a latin1 view of the bytes for logs. */
  text: string;
  marker: string;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Finds every pattern in one pass (longest first where two start at the same place). */
class Matcher {
  readonly re: RegExp | null;
  readonly markers: Map<string, string>;
  readonly maxLength: number;
  constructor(patterns: Pattern[]) {
    this.markers = new Map();
    for (const p of patterns) if (!this.markers.has(p.text)) this.markers.set(p.text, p.marker);
    const texts = [...this.markers.keys()].sort((a, b) => b.length - a.length);
    this.maxLength = texts.length ? texts[0].length : 0;
    this.re = texts.length ? new RegExp(texts.map(escapeRegExp).join('|'), 'g') : null;
  }
  replace(text: string): { text: string; count: number } {
    if (!this.re) return { text, count: 0 };
    let count = 0;
    const out = text.replace(this.re, (m) => {
      count++;
      return this.markers.get(m)!;
    });
    return { text: out, count };
  }
}

export interface ScrubStats {
  /** Values the scrubber looks for (each in its forms). */
  values: number;
  /** Values too short to look for (MIN_SCRUB_LENGTH); Secret objects still hide them. */
  tooShort: number;
}

/**
 * Holds what to look for. Values are added as Secrets are read (`addSecret`), before anything
 * else is written; `seal()` builds the matchers.
 */
export class Scrubber {
  private readonly textPatterns: Pattern[] = [];
  private readonly bytePatterns: Pattern[] = [];
  private text?: Matcher;
  private bytes?: Matcher;
  readonly stats: ScrubStats = { values: 0, tooShort: 0 };
  /** How many replacements were made, per marker. */
  replacements = 0;

  addSecret(secret: SecretObject, where = ''): void {
    const ref = `${where}${secret.metadata.namespace ? `${secret.metadata.namespace}/` : ''}${secret.metadata.name}`;
    const values: [string, Buffer][] = [];
    for (const [key, value] of Object.entries(secret.data ?? {})) values.push([key, Buffer.from(value, 'base64')]);
    for (const [key, value] of Object.entries(secret.stringData ?? {})) values.push([key, Buffer.from(value, 'utf8')]);
    for (const [key, value] of values) {
      if (PUBLIC_SECRET_KEYS.has(key)) continue;
      // A service-account token Secret repeats its namespace's name: searching for it would turn every
      // `namespace:` line of that namespace into a marker. The token itself is scrubbed.
      if (secret.type === 'kubernetes.io/service-account-token' && key === 'namespace') continue;
      this.addValue(value, `secret ${ref} key ${key}`);
    }
  }

  addValue(value: Buffer, label: string): void {
    if (value.length < MIN_SCRUB_LENGTH) {
      if (value.length > 0) this.stats.tooShort++;
      return;
    }
    this.stats.values++;
    this.text = this.bytes = undefined;
    const marker = (form: string) => `<scrubbed: ${label}${form}>`;
    const b64 = value.toString('base64');
    const b64b64 = Buffer.from(b64, 'ascii').toString('base64');
    const forms: [Buffer, string][] = [
      [value, ''],
      [Buffer.from(b64, 'ascii'), ' (base64)'],
      [Buffer.from(b64b64, 'ascii'), ' (base64 of base64)'],
    ];
    const utf8 = value.toString('utf8');
    const validUtf8 = Buffer.from(utf8, 'utf8').equals(value);
    const escaped = validUtf8 ? JSON.stringify(utf8).slice(1, -1) : undefined;
    for (const [bytes, form] of forms) {
      this.bytePatterns.push({ text: bytes.toString('latin1'), marker: marker(form) });
      if (form === '' && !validUtf8) continue;
      this.textPatterns.push({ text: form === '' ? utf8 : bytes.toString('ascii'), marker: marker(form) });
    }
    if (escaped && escaped !== utf8) {
      this.textPatterns.push({ text: escaped, marker: marker(' (JSON-escaped)') });
      this.bytePatterns.push({ text: Buffer.from(escaped, 'utf8').toString('latin1'), marker: marker(' (JSON-escaped)') });
      // A JSON string inside a JSON string (an annotation in a last-applied-configuration).
      const twice = JSON.stringify(escaped).slice(1, -1);
      if (twice !== escaped) this.textPatterns.push({ text: twice, marker: marker(' (JSON-escaped)') });
    }
  }

  private get textMatcher(): Matcher {
    return (this.text ??= new Matcher(this.textPatterns));
  }
  private get byteMatcher(): Matcher {
    return (this.bytes ??= new Matcher(this.bytePatterns));
  }

  scrubString(text: string): string {
    const r = this.textMatcher.replace(text);
    this.replacements += r.count;
    return r.text;
  }

  /** Every string (and key) of an object, scrubbed; the input is not changed. */
  scrubObject<T>(value: T): T {
    if (!this.textMatcher.re) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.scrubString(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[this.scrubString(k)] = walk(x);
        return out;
      }
      return v;
    };
    return walk(value) as T;
  }

  scrubBuffer(buf: Buffer): Buffer {
    const r = this.byteMatcher.replace(buf.toString('latin1'));
    this.replacements += r.count;
    return r.count ? Buffer.from(r.text, 'latin1') : buf;
  }

  /**
   * A stream transform for logs: a value split across two chunks is still found, because the last
   * (longest value − 1) bytes are held back until the next chunk (or the end) decides them.
   */
  transform(): Transform {
    const matcher = this.byteMatcher;
    const hold = Math.max(0, matcher.maxLength - 1);
    let carry = '';
    const emit = (stream: Transform, text: string, final: boolean) => {
      if (!matcher.re) {
        stream.push(Buffer.from(text, 'latin1'));
        return '';
      }
      // Cut where no value can straddle: `hold` chars from the end, moved past any match that starts before it.
      let cut = final ? text.length : Math.max(0, text.length - hold);
      const out: string[] = [];
      let last = 0;
      matcher.re.lastIndex = 0;
      for (let m = matcher.re.exec(text); m; m = matcher.re.exec(text)) {
        if (!final && m.index >= cut) break;
        out.push(text.slice(last, m.index), matcher.markers.get(m[0])!);
        this.replacements++;
        last = m.index + m[0].length;
        if (last > cut) cut = last;
      }
      out.push(text.slice(last, cut));
      stream.push(Buffer.from(out.join(''), 'latin1'));
      return text.slice(cut);
    };
    return new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        carry = emit(this, carry + chunk.toString('latin1'), false);
        done();
      },
      flush(done: TransformCallback) {
        if (carry) emit(this, carry, true);
        carry = '';
        done();
      },
    });
  }
}

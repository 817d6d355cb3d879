/**
 * A streaming tar.gz writer (POSIX ustar, with a PAX `path` record for names longer than ustar's
 * 100 bytes), so that the dump's archive is written as the dump goes, one finished file at a time
 * read back from disk, and never staged whole in memory. Upstream runs `tar -cvzf` at the end
 * (cmd/cluster/core/dump.go CreateArchive); we cannot shell out, and no new dependency is needed
 * for a format this small (POSIX.1-2001 pax, IEEE Std 1003.1 "pax" Interchange Format).
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width includes the terminating NUL
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One 512-byte ustar header. `name` must fit 100 bytes (callers use a PAX record otherwise). */
export function ustarHeader(entry: { name: string; size: number; mode: number; mtime: number; type: '0' | '5' | 'x' }): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length > 100) throw new Error(`internal: tar name over 100 bytes: ${entry.name}`);
  name.copy(h, 0);
  h.write(octal(entry.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(entry.size, 12), 124, 'ascii');
  h.write(octal(Math.floor(entry.mtime), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  h.write(entry.type, 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** A PAX extended-header record "LEN key=value\n", LEN counting itself. */
export function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body, 'utf8');
  let len = bodyLen + 1;
  while (len !== bodyLen + String(len).length) len = bodyLen + String(len).length;
  return Buffer.from(`${len}${body}`, 'utf8');
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);

export interface TarEntry {
  /** Path inside the archive, '/'-separated. */
  name: string;
  /** File on disk whose content is the entry's (read back, streamed). */
  source: string;
  size: number;
  mtimeSec: number;
}

/**
 * Entries are appended strictly in the order `add` is called, one at a time; `add` returns at
 * once and `close()` waits for every queued entry, the end-of-archive blocks and the gzip trailer.
 * The queue is bounded by the callers: `ready()` waits while more than `maxQueued` entries wait
 * (backpressure, so a dump that reads faster than gzip writes never piles up work in memory).
 */
export class TarGzWriter {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private tail: Promise<void> = Promise.resolve();
  private failure?: Error;
  readonly path: string;
  entries = 0;
  /** Entries added and not yet written. */
  queued = 0;
  private readonly maxQueued: number;
  private waiters: (() => void)[] = [];

  constructor(path: string, opts: { maxQueued?: number } = {}) {
    this.path = path;
    this.maxQueued = opts.maxQueued ?? 64;
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.gzip = createGzip({ level: 6 });
    this.gzip.pipe(this.file);
    const fail = (err: Error) => (this.failure ??= err);
    this.file.on('error', fail);
    this.gzip.on('error', fail);
  }

  add(entry: TarEntry): void {
    this.queued++;
    // finally: after a failure the chain stays rejected (close() reports it), but every entry still leaves the queue.
    this.tail = this.tail
      .then(() => this.append(entry))
      .finally(() => {
        this.queued--;
        if (this.queued <= this.maxQueued) for (const wake of this.waiters.splice(0)) wake();
      });
  }

  /** Resolves once at most `maxQueued` entries wait to be written. */
  async ready(): Promise<void> {
    while (this.queued > this.maxQueued) await new Promise<void>((r) => this.waiters.push(r));
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }

  private async append(entry: TarEntry): Promise<void> {
    const mode = 0o600;
    let name = entry.name;
    if (Buffer.byteLength(name, 'utf8') > 100) {
      const pax = paxRecord('path', name);
      await this.write(ustarHeader({ name: 'PaxHeader', size: pax.length, mode, mtime: entry.mtimeSec, type: 'x' }));
      await this.write(Buffer.concat([pax, padding(pax.length)]));
      name = name.slice(0, 99 - 10) + '.truncated'; // readers use the PAX path; this is for very old tars
      while (Buffer.byteLength(name, 'utf8') > 100) name = name.slice(0, -1);
    }
    await this.write(ustarHeader({ name, size: entry.size, mode, mtime: entry.mtimeSec, type: '0' }));
    let written = 0;
    for await (const chunk of createReadStream(entry.source)) {
      const buf = chunk as Buffer;
      // The file was complete when queued; never write more than the header announced.
      const part = written + buf.length > entry.size ? buf.subarray(0, entry.size - written) : buf;
      written += part.length;
      await this.write(part);
      if (written >= entry.size) break;
    }
    if (written !== entry.size) throw new Error(`${entry.source} changed size while archived (${written} of ${entry.size} bytes)`);
    await this.write(padding(entry.size));
    this.entries++;
  }

  /** Ends the archive (two zero blocks) and waits until the .tar.gz is on disk. */
  async close(): Promise<void> {
    await this.tail;
    await this.write(Buffer.alloc(BLOCK * 2, 0));
    const done = once(this.file, 'close');
    this.gzip.end();
    await done;
    if (this.failure) throw this.failure;
  }
}

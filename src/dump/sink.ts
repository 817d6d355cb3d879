/**
 * Where the dump's files go: the artifact directory (through PrivateWriter: 0700/0600, never
 * overwriting a file) and, as each file is finished, the streaming archive. Every file and every
 * item that could not be read becomes an entry of index.json (status, size, sha256, error).
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PrivateWriter } from '../util/private-writer.ts';
import { UsageError } from '../util/errors.ts';
import { TarGzWriter } from './tar.ts';
import { ARCHIVE_NAME, INDEX_NAME } from './layout.ts';

export type IndexStatus = 'ok' | 'forbidden' | 'error';

export interface IndexEntry {
  /** The file, relative to the artifact dir ('/'-separated); for a list that failed, its directory. */
  path: string;
  /** What was read: "pods in clusters-sample", "log clusters-sample/etcd-0 etcd (previous)". */
  item: string;
  kind: 'object' | 'log' | 'list' | 'extra';
  status: IndexStatus;
  size?: number;
  sha256?: string;
  error?: string;
}

export const GENERATOR = 'kubectl-hcp dump';
/** The index entries as they are made, one JSON line each; becomes index.json at the end. */
const SPOOL_NAME = '.index.ndjson';

/**
 * Prepares the artifact dir: a new or empty directory, or with `overwrite` a previous dump of
 * ours (recognised by its index.json), which is removed first. Anything else is refused (exit 2):
 * --overwrite must never wipe a directory that is not a dump.
 */
export function prepareArtifactDir(dir: string, overwrite: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--artifact-dir ${dir} exists and is not a directory`);
  if (readdirSync(dir).length === 0) return;
  if (!overwrite) throw new UsageError(`--artifact-dir ${dir} is not empty: choose an empty or new directory, or --overwrite to replace a previous dump`);
  // A dump that stopped half-way has its spool and no index.json yet.
  let ours = existsSync(join(dir, SPOOL_NAME));
  if (!ours)
    try {
      ours = (JSON.parse(readFileSync(join(dir, INDEX_NAME), 'utf8')) as { generator?: string }).generator === GENERATOR;
    } catch {
      ours = false;
    }
  if (!ours)
    throw new UsageError(
      `--artifact-dir ${dir} is not empty and holds no ${INDEX_NAME} of a previous dump: --overwrite only replaces a dump, choose another directory`,
    );
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Memory stays flat however big the dump: each finished file's index entry goes to a spool file
 * (NDJSON, `.index.ndjson` in the artifact dir, removed when index.json is written) rather than an array, and only the failures are kept
 * (for summary.md and the exit code); index.json is streamed from the spool at the end. The archive
 * queue is bounded: `ready()` waits while it is full.
 */
export class DumpSink {
  readonly writer: PrivateWriter;
  /** The items that could not be read (forbidden or error). */
  readonly problems: IndexEntry[] = [];
  private readonly archive?: TarGzWriter;
  private readonly spoolPath: string;
  private readonly spool: number;
  bytes = 0;
  objects = 0;
  logs = 0;
  readonly onChange?: () => void;

  constructor(dir: string, opts: { archive: boolean; onChange?: () => void }) {
    this.writer = PrivateWriter.create(dir, { allowEmpty: true });
    this.archive = opts.archive ? new TarGzWriter(join(dir, ARCHIVE_NAME)) : undefined;
    this.onChange = opts.onChange;
    this.spoolPath = join(this.writer.root, SPOOL_NAME);
    this.spool = openSync(this.spoolPath, 'wx', 0o600);
  }

  get root(): string {
    return this.writer.root;
  }

  private entry(e: IndexEntry): void {
    writeSync(this.spool, `${JSON.stringify(e)}\n`);
  }

  /** Waits while the archive's queue is full (backpressure for the readers). */
  async ready(): Promise<void> {
    await this.archive?.ready();
  }

  private finished(rel: string, abs: string, entry: Omit<IndexEntry, 'path' | 'status'> & { size: number; sha256: string }): IndexEntry {
    const e: IndexEntry = { path: rel, status: 'ok', ...entry };
    this.entry(e);
    this.bytes += entry.size;
    if (entry.kind === 'object') this.objects++;
    if (entry.kind === 'log') this.logs++;
    this.archive?.add({ name: rel, source: abs, size: entry.size, mtimeSec: Date.now() / 1000 });
    this.onChange?.();
    return e;
  }

  /** A whole file (an object's YAML, summary.md…). */
  writeFile(rel: string, content: string | Buffer, item: string, kind: IndexEntry['kind']): IndexEntry {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const abs = this.writer.write(rel, buf);
    return this.finished(rel, abs, { item, kind, size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') });
  }

  /** A file from a stream (a log), through `transforms` (the scrub), hashed as it is written. */
  async writeStream(rel: string, source: Readable, transforms: Transform[], item: string, kind: IndexEntry['kind']): Promise<IndexEntry> {
    const { path: abs, stream } = this.writer.openStream(rel);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline([source, ...transforms, meter, stream]);
    } catch (err) {
      // Half a log is worse than none with a reason: the file goes, the index says why.
      rmSync(abs, { force: true });
      this.writer.written.splice(this.writer.written.indexOf(abs), 1);
      throw err;
    }
    return this.finished(rel, abs, { item, kind, size, sha256: hash.digest('hex') });
  }

  /** An item that could not be read: it is in the index with its reason. */
  failed(path: string, item: string, kind: IndexEntry['kind'], status: 'forbidden' | 'error', error: string): void {
    const e: IndexEntry = { path, item, kind, status, error };
    this.problems.push(e);
    this.entry(e);
    this.onChange?.();
  }

  /**
   * Writes index.json (which lists itself neither in the tree nor the archive count), streamed from
   * the spool one entry per line, then ends the archive and removes the spool.
   */
  async close(extra: Record<string, unknown>): Promise<void> {
    closeSync(this.spool);
    try {
      const { path: abs, stream } = this.writer.openStream(INDEX_NAME);
      let size = 0;
      const put = async (text: string) => {
        size += Buffer.byteLength(text);
        if (!stream.write(text)) await once(stream, 'drain');
      };
      const head = JSON.stringify({ generator: GENERATOR, ...extra }, null, 2);
      await put(`${head.slice(0, -2)},\n  "items": [`);
      let first = true;
      for await (const line of createInterface({ input: createReadStream(this.spoolPath), crlfDelay: Infinity })) {
        if (!line) continue;
        await put(`${first ? '' : ','}\n    ${line}`);
        first = false;
      }
      await put(`${first ? '' : '\n  '}]\n}\n`);
      stream.end();
      await once(stream, 'close');
      this.archive?.add({ name: INDEX_NAME, source: abs, size, mtimeSec: Date.now() / 1000 });
      await this.archive?.close();
    } finally {
      rmSync(this.spoolPath, { force: true });
    }
  }

  /** Every file under the root except the archive, '/'-separated (for tests and the final count). */
  static treeFiles(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, d.name);
        if (d.isDirectory()) walk(p);
        else out.push(relative(root, p).split(sep).join('/'));
      }
    };
    walk(root);
    return out.filter((p) => p !== ARCHIVE_NAME).sort();
  }
}

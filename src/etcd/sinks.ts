/**
 * Where snapshots go and come from: a local directory (`file://DIR`) or S3 (`s3://bucket/prefix`).
 *
 * Writing is two-phase so that nothing looks complete before it is verified: a file is written
 * under a `.partial` name and renamed only after its sha256 matched; an S3 object is uploaded
 * (multipart, SigV4, through lib-storage) and deleted again when verification fails. The `.sha256`
 * and manifest are written last. Bytes flow through with backpressure and are never held whole:
 * lib-storage buffers at most queueSize × partSize.
 */
import { createHash, type Hash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  chmodSync,
  writeFileSync,
  readFileSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../util/errors.ts';

export type Location = { kind: 'file'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

/** `--to` / `--from` values. Pure; exit 2 for anything else. */
export function parseLocation(value: string, flag: string): Location {
  if (value.startsWith('file://')) {
    const dir = value.slice('file://'.length);
    if (!dir) throw new UsageError(`${flag} ${value}: give a directory, e.g. file:///backups/etcd or file://./backups`);
    return { kind: 'file', dir };
  }
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (m) {
    const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
    return { kind: 's3', bucket: m[1], prefix };
  }
  if (value.startsWith('s3://')) throw new UsageError(`${flag} ${value}: "${value.slice(5).split('/')[0]}" is not a valid S3 bucket name`);
  throw new UsageError(`${flag} ${value}: use file://DIR or s3://BUCKET/PREFIX`);
}

export function describeLocation(l: Location, name?: string): string {
  const base = l.kind === 'file' ? `file://${l.dir}` : `s3://${l.bucket}${l.prefix ? `/${l.prefix}` : ''}`;
  return name ? `${base}/${name}` : base;
}

const keyOf = (l: Extract<Location, { kind: 's3' }>, name: string) => (l.prefix ? `${l.prefix}/${name}` : name);

/** Counts bytes and computes the sha256 of whatever passes through, at line speed. */
export class HashingStream extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  private readonly onProgress?: (bytes: number) => void;
  constructor(onProgress?: (bytes: number) => void) {
    super({ highWaterMark: 1 << 20 });
    this.onProgress = onProgress;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    cb(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** A write in progress: bytes go to `stream`; `commit` makes it visible, `abort` removes every trace. */
export interface PendingWrite {
  stream: Writable;
  /** Resolves when every byte is stored. */
  done: Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface SnapshotStore {
  location: Location;
  /** Starts writing object `name` (the bulk bytes). */
  begin(name: string): Promise<PendingWrite>;
  /** Writes a small object at once (.sha256, manifest, key). `secret` adds SSE / mode 0600 (always 0600 locally). */
  putSmall(name: string, body: string, opts?: { secret?: boolean }): Promise<void>;
  getSmall(name: string): Promise<string | null>;
  /** Reads an object as a stream. */
  read(name: string): Promise<Readable>;
  exists(name: string): Promise<boolean>;
  /** The size of an object, or null when there is none. */
  size(name: string): Promise<number | null>;
  /** The names of the objects at this location that start with `start` (not recursive). */
  list(start: string): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** Files of mode 0600 in a directory of mode 0700 (created when missing). */
export function fileStore(l: Extract<Location, { kind: 'file' }>): SnapshotStore {
  const ensureDir = () => {
    mkdirSync(l.dir, { recursive: true, mode: 0o700 });
    chmodSync(l.dir, 0o700);
  };
  return {
    location: l,
    async begin(name) {
      ensureDir();
      const final = join(l.dir, name);
      const partial = join(l.dir, `.${name}.partial`);
      const stream = createWriteStream(partial, { mode: 0o600 });
      const done = finished(stream);
      return {
        stream,
        done,
        commit: async () => {
          await done;
          renameSync(partial, final);
        },
        abort: async () => {
          stream.destroy();
          rmSync(partial, { force: true });
        },
      };
    },
    async putSmall(name, body) {
      ensureDir();
      const tmp = join(l.dir, `.${name}.partial`);
      writeFileSync(tmp, body, { mode: 0o600 });
      renameSync(tmp, join(l.dir, name));
    },
    async getSmall(name) {
      const p = join(l.dir, name);
      return existsSync(p) ? readFileSync(p, 'utf8') : null;
    },
    async read(name) {
      return createReadStream(join(l.dir, name), { highWaterMark: 1 << 20 });
    },
    async exists(name) {
      try {
        return statSync(join(l.dir, name)).isFile();
      } catch {
        return false;
      }
    },
    async size(name) {
      try {
        const st = statSync(join(l.dir, name));
        return st.isFile() ? st.size : null;
      } catch {
        return null;
      }
    },
    async list(start) {
      try {
        return readdirSync(l.dir).filter((n) => n.startsWith(start));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    async remove(name) {
      rmSync(join(l.dir, name), { force: true });
    },
  };
}

/** S3 objects under `prefix/`; secrets get server-side encryption (AES256). */
export function s3Store(l: Extract<Location, { kind: 's3' }>, client: () => Promise<S3Client>): SnapshotStore {
  const sdk = () => import('@aws-sdk/client-s3');
  return {
    location: l,
    async begin(name) {
      const { Upload } = await import('@aws-sdk/lib-storage');
      const body = new PassThrough({ highWaterMark: 1 << 20 });
      const upload = new Upload({
        client: await client(),
        params: { Bucket: l.bucket, Key: keyOf(l, name), Body: body, ContentType: 'application/octet-stream' },
        partSize: 8 * 1024 * 1024,
        queueSize: 4,
        leavePartsOnError: false,
      });
      const done = upload.done().then(() => undefined);
      // A failure seen by the uploader must stop the producer, or it would wait on backpressure forever.
      done.catch((e: unknown) => body.destroy(e instanceof Error ? e : new Error(String(e))));
      return {
        stream: body,
        done,
        commit: async () => {
          await done;
        },
        abort: async () => {
          body.destroy();
          await upload.abort().catch(() => undefined);
          await done.catch(() => undefined);
          const { DeleteObjectCommand } = await sdk();
          await (await client()).send(new DeleteObjectCommand({ Bucket: l.bucket, Key: keyOf(l, name) })).catch(() => undefined);
        },
      };
    },
    async putSmall(name, body, opts = {}) {
      const { PutObjectCommand } = await sdk();
      await (await client()).send(
        new PutObjectCommand({
          Bucket: l.bucket,
          Key: keyOf(l, name),
          Body: body,
          ContentType: name.endsWith('.json') ? 'application/json' : 'text/plain',
          ...(opts.secret ? { ServerSideEncryption: 'AES256' } : {}),
        }),
      );
    },
    async getSmall(name) {
      const { GetObjectCommand } = await sdk();
      try {
        const r = await (await client()).send(new GetObjectCommand({ Bucket: l.bucket, Key: keyOf(l, name) }));
        return (await r.Body?.transformToString('utf8')) ?? '';
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async read(name) {
      const { GetObjectCommand } = await sdk();
      const r = await (await client()).send(new GetObjectCommand({ Bucket: l.bucket, Key: keyOf(l, name) }));
      return r.Body as Readable;
    },
    async exists(name) {
      const { HeadObjectCommand } = await sdk();
      try {
        await (await client()).send(new HeadObjectCommand({ Bucket: l.bucket, Key: keyOf(l, name) }));
        return true;
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    },
    async size(name) {
      const { HeadObjectCommand } = await sdk();
      try {
        return (await (await client()).send(new HeadObjectCommand({ Bucket: l.bucket, Key: keyOf(l, name) }))).ContentLength ?? 0;
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async list(start) {
      const { ListObjectsV2Command } = await sdk();
      const names: string[] = [];
      const base = l.prefix ? `${l.prefix}/` : '';
      let token: string | undefined;
      do {
        const r = await (await client()).send(
          new ListObjectsV2Command({ Bucket: l.bucket, Prefix: `${base}${start}`, Delimiter: '/', ContinuationToken: token }),
        );
        for (const o of r.Contents ?? []) if (o.Key) names.push(o.Key.slice(base.length));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return names;
    },
    async remove(name) {
      const { DeleteObjectCommand } = await sdk();
      await (await client()).send(new DeleteObjectCommand({ Bucket: l.bucket, Key: keyOf(l, name) }));
    },
  };
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

export function storeFor(l: Location, s3: () => Promise<S3Client>): SnapshotStore {
  return l.kind === 'file' ? fileStore(l) : s3Store(l, s3);
}

/** The sha256 of a whole readable stream, streamed. */
export async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const h = new HashingStream();
  await pipeline(stream, h, new Writable({ write: (_c, _e, cb) => cb() }));
  return { sha256: h.digest(), bytes: h.bytes };
}

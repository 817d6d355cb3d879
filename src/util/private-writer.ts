/**
 * Writes the files of a dump (or any output that may hold cluster data) privately and without
 * ever replacing what is there: directories 0700, files 0600, each created with O_EXCL so an
 * existing file, or a symlink planted in its place, is an error rather than overwritten. The root
 * itself must not exist yet (cnpg's report never overwrites either).
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  writeSync,
  chmodSync,
  existsSync,
  statSync,
  readdirSync,
  fchmodSync,
  createWriteStream,
  type WriteStream,
} from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { UsageError } from './errors.ts';

export class PrivateWriter {
  readonly root: string;
  readonly written: string[] = [];

  private constructor(root: string) {
    this.root = root;
  }

  /** Creates the root directory (0700); refuses one that exists (with `allowEmpty`, one that exists and is empty). */
  static create(root: string, opts: { allowEmpty?: boolean } = {}): PrivateWriter {
    const emptyDir = opts.allowEmpty && existsSync(root) && statSync(root).isDirectory() && readdirSync(root).length === 0;
    if (existsSync(root) && !emptyDir) throw new UsageError(`${root} already exists: choose a new directory (nothing is ever overwritten)`);
    mkdirSync(dirname(root), { recursive: true, mode: 0o700 });
    if (!emptyDir) mkdirSync(root, { mode: 0o700 });
    chmodSync(root, 0o700); // the umask must not widen it
    return new PrivateWriter(root);
  }

  /** Writes `relPath` under the root (0600), creating its directories (0700). Refuses paths that leave the root. */
  write(relPath: string, content: string | Uint8Array): string {
    const clean = normalize(relPath);
    if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`)) throw new Error(`refusing to write outside ${this.root}: ${relPath}`);
    const path = join(this.root, clean);
    this.mkdirs(dirname(path));
    const fd = openSync(path, 'wx', 0o600); // wx: fail if it exists, never follow a symlink there
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    } finally {
      closeSync(fd);
    }
    chmodSync(path, 0o600);
    this.written.push(path);
    return path;
  }

  /** Like write(), for content that arrives as a stream: the file is created (O_EXCL, 0600) before the first byte. */
  openStream(relPath: string): { path: string; stream: WriteStream } {
    const path = this.resolve(relPath);
    this.mkdirs(dirname(path));
    const fd = openSync(path, 'wx', 0o600);
    fchmodSync(fd, 0o600);
    this.written.push(path);
    return { path, stream: createWriteStream('', { fd }) };
  }

  private resolve(relPath: string): string {
    const clean = normalize(relPath);
    if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`)) throw new Error(`refusing to write outside ${this.root}: ${relPath}`);
    return join(this.root, clean);
  }

  private mkdirs(dir: string): void {
    const parts = relative(this.root, dir).split(sep).filter(Boolean);
    let current = this.root;
    for (const part of parts) {
      current = join(current, part);
      if (!existsSync(current)) {
        mkdirSync(current, { mode: 0o700 });
        chmodSync(current, 0o700);
      }
    }
  }
}

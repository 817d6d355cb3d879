/**
 * The journal of a multi-step run: which steps finished, their artifacts and the plan's memo, so
 * that `--resume` continues where a killed run stopped. It lives under
 * $XDG_STATE_HOME/kubectl-hcp/ (default ~/.local/state/kubectl-hcp/), directories 0700 and files
 * 0600, and is written atomically. It never holds secret values: plans keep those out of
 * artifacts and memo.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface JournalStep {
  id: string;
  title: string;
  finishedAt: string;
  artifacts?: Record<string, unknown>;
}

export interface JournalData {
  version: 1;
  operation: string;
  target: string;
  /** The management cluster's API server. */
  server: string;
  /** The API server of every other cluster the run acts on, by role (source, target, guest). */
  clusters?: Record<string, string>;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  memo?: Record<string, unknown>;
  steps: JournalStep[];
}

export function stateDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'kubectl-hcp');
}

/**
 * One file per operation, target and set of API servers (the management cluster's first, then
 * every other cluster's as role=server), so that two clusters, or a migration to another
 * destination, never share a journal.
 */
export function journalPath(env: NodeJS.ProcessEnv, operation: string, servers: string | string[], target: string): string {
  const safe = (s: string) => s.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  const list = typeof servers === 'string' ? [servers] : servers;
  const key = list.map((s) => safe(s.replace(/^(\w+=)https?:\/\//, '$1'))).join('+');
  return join(stateDir(env), 'journal', safe(operation), `${key}__${safe(target)}.json`);
}

export class Journal {
  readonly path: string;
  data: JournalData;

  private constructor(path: string, data: JournalData) {
    this.path = path;
    this.data = data;
  }

  static read(path: string): JournalData | null {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as JournalData;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** A new journal; it reaches the disk with the first finished step, so a run refused or
   * cancelled before changing anything leaves nothing behind. */
  static start(path: string, init: Omit<JournalData, 'version' | 'startedAt' | 'updatedAt' | 'steps'>, now: Date): Journal {
    assertNoSecrets(init.memo, 'memo');
    return new Journal(path, { version: 1, ...init, startedAt: now.toISOString(), updatedAt: now.toISOString(), steps: [] });
  }

  static continue(path: string, data: JournalData): Journal {
    return new Journal(path, data);
  }

  isDone(stepId: string): boolean {
    return this.data.steps.some((s) => s.id === stepId);
  }

  artifacts(): Record<string, unknown> {
    return Object.assign({}, ...this.data.steps.map((s) => s.artifacts ?? {}));
  }

  recordStep(step: JournalStep): void {
    assertNoSecrets(step.artifacts, `artifact of step ${step.id}`);
    this.data.steps.push(step);
    this.data.updatedAt = step.finishedAt;
    this.save();
  }

  finish(now: Date): void {
    this.data.finishedAt = now.toISOString();
    this.data.updatedAt = this.data.finishedAt;
    this.save();
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }

  private save(): void {
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

/**
 * Artifact and memo names that would hold a secret value. A plan must record where a secret is
 * (a Secret's name), never the value; this catches the mistake before it reaches the disk.
 */
const SECRET_NAME = /(secret|password|passwd|token|credential|private.?key|access.?key)(?!.*(name|ref))/i;

export function assertNoSecrets(values: Record<string, unknown> | undefined, what: string): void {
  for (const key of Object.keys(values ?? {})) {
    if (SECRET_NAME.test(key)) throw new Error(`refusing to journal ${what} "${key}": journals never hold secret values (record the Secret's name instead)`);
  }
}

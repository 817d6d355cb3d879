// Detached background processes with their PIDs recorded in .sandbox/state.json, so that a later
// `up`, `status` or `down` (another Node process) finds them again.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { paths } from './config.ts';

export interface ProcessRecord {
  name: string;
  pid: number;
  command: string;
  args: string[];
  /** The program file's modification time when started: a rebuilt binary means a restart. */
  commandMtimeMs?: number;
  log: string;
  /** The health endpoint polled for readiness and by `status`. */
  healthUrl: string;
  startedAt: string;
}

export interface State {
  binDir?: string;
  ports?: Record<string, number>;
  /** Set once `up` has started and seeded everything. */
  complete?: boolean;
  processes: Record<string, ProcessRecord>;
}

export function loadState(): State {
  if (!existsSync(paths.state)) return { processes: {} };
  return JSON.parse(readFileSync(paths.state, 'utf8')) as State;
}

export function saveState(state: State): void {
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * True when the PID is alive and still runs the recorded program (guards against PID reuse). The
 * program may be argv[0] or, for a script run through its interpreter, argv[1].
 */
export function isAlive(rec: ProcessRecord): boolean {
  try {
    process.kill(rec.pid, 0);
    const argv = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').split('\0');
    return argv[0] === rec.command || argv[1] === rec.command;
  } catch {
    return false;
  }
}

export function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** TLS material for probing sandbox endpoints: the CA to trust and an optional client cert. */
export interface ProbeTls {
  ca?: string;
  cert?: string;
  key?: string;
}

/** GETs a URL; resolves to the status code and body, or rejects on connection errors. */
export function httpGet(url: string, tls: ProbeTls = {}, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const read = (file?: string) => (file ? readFileSync(file) : undefined);
    const opts = { timeout: timeoutMs, ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function isHealthy(url: string, tls: ProbeTls): Promise<boolean> {
  try {
    return (await httpGet(url, tls)).status === 200;
  } catch {
    return false;
  }
}

export interface StartSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  healthUrl: string;
  tls?: ProbeTls;
  timeoutMs?: number;
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a program detached in its own process group (stdout and stderr to
 * .sandbox/logs/<name>.log), records it in the state, and waits until its health URL answers 200.
 */
export async function startAndWait(state: State, spec: StartSpec): Promise<ProcessRecord> {
  mkdirSync(paths.logs, { recursive: true });
  const log = join(paths.logs, `${spec.name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(spec.command, spec.args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...spec.env },
    cwd: paths.dir,
  });
  closeSync(fd);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  child.on('error', (err) => {
    exited = err.message;
  });
  child.unref();
  if (!child.pid) await sleep(50);
  const rec: ProcessRecord = {
    name: spec.name,
    pid: child.pid ?? -1,
    command: spec.command,
    args: spec.args,
    commandMtimeMs: mtime(spec.command),
    log,
    healthUrl: spec.healthUrl,
    startedAt: new Date().toISOString(),
  };
  state.processes[spec.name] = rec;
  saveState(state);
  const deadline = Date.now() + (spec.timeoutMs ?? 120_000);
  while (!(await isHealthy(spec.healthUrl, spec.tls ?? {}))) {
    if (exited) throw new Error(`${spec.name} ${exited}; last lines of ${log}:\n${logTail(log)}`);
    if (Date.now() > deadline)
      throw new Error(`${spec.name} not ready at ${spec.healthUrl} after ${spec.timeoutMs ?? 120_000}ms; see ${log}:\n${logTail(log)}`);
    await sleep(250);
  }
  return rec;
}

/** Stops a recorded process group: SIGTERM, then SIGKILL after a grace period; waits for exit. */
export async function stop(rec: ProcessRecord, graceMs = 10_000): Promise<void> {
  if (!isAlive(rec)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-rec.pid, sig);
    } catch {
      try {
        process.kill(rec.pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(rec)) {
    if (Date.now() > deadline) signal('SIGKILL');
    await sleep(100);
  }
}

/** Resolves to true when nothing listens on 127.0.0.1:port. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * Sandbox processes whose record was lost (e.g. two `up`s raced before the lock existed): process
 * group leaders running in the sandbox directory, which is the working directory of every process
 * the sandbox starts. Returned as records so that stop() can end them.
 */
export function unrecordedSandboxProcesses(known: Set<number>): ProcessRecord[] {
  const found: ProcessRecord[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid || pid === process.pid || known.has(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) !== paths.dir) continue;
      const pgid = Number(
        readFileSync(`/proc/${pid}/stat`, 'utf8')
          .replace(/^.*\) /, '')
          .split(' ')[2],
      );
      if (pgid !== pid) continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      found.push({ name: `unrecorded ${argv[0]}`, pid, command: argv[0], args: argv.slice(1), log: '', healthUrl: '', startedAt: '' });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * `pods/exec` over WebSocket (the v5/v4 channel protocols), written for correctness over size:
 * - the result is known only when the socket has closed, and a close without a status frame is
 *   an error (a lost connection must never look like exit code 0);
 * - output is streamed to the caller's sinks with backpressure: when a sink is full, the socket is
 *   paused until it drains, so a multi-GiB etcd snapshot never sits in memory;
 * - stdin is streamed with a bound on unsent bytes and closed with v5's close frame;
 * - pings keep idle connections (a long etcdctl defrag) alive through load balancers.
 */
import type http from 'node:http';
import type https from 'node:https';
import { Readable, type Writable } from 'node:stream';
import WebSocket from 'ws';
import { ApiError, type ApiStatus } from './errors.ts';
import { RuntimeError } from '../util/errors.ts';

/** The exec stream ended without the command's exit status: the command may or may not have run. A read-only command can be run again. */
export class ExecConnectionLost extends RuntimeError {}

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;
const PING_INTERVAL_MS = 20_000;
const STDIN_HIGH_WATER = 4 * 1024 * 1024;

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecIO {
  stdin?: Readable | Buffer | string;
  stdout?: Writable;
  stderr?: Writable;
  timeoutMs?: number;
}

/** Parses the status frame of channel 3 into an exit code, or throws the server's failure. */
export function exitCodeFromStatus(status: ApiStatus): number {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return code;
  }
  throw new RuntimeError(`exec failed: ${status.message ?? JSON.stringify(status)}`);
}

export function execInPod(
  url: URL,
  conn: { headers: Record<string, string | string[]>; tls: https.RequestOptions; agent?: http.Agent },
  io: ExecIO,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      headers: conn.headers as Record<string, string>,
      ca: conn.tls.ca,
      cert: conn.tls.cert,
      key: conn.tls.key,
      rejectUnauthorized: conn.tls.rejectUnauthorized,
      ...(conn.tls.servername ? { servername: conn.tls.servername } : {}),
      agent: conn.agent,
      perMessageDeflate: false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status: ApiStatus | undefined;
    let failure: Error | undefined;
    const fail = (e: Error) => {
      failure ??= e;
      ws.terminate();
    };
    const ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.ping(), PING_INTERVAL_MS);
    const timer = io.timeoutMs ? setTimeout(() => fail(new RuntimeError(`exec timed out after ${io.timeoutMs}ms`)), io.timeoutMs) : undefined;

    const deliver = (sink: Writable | undefined, buffer: Buffer[], data: Buffer) => {
      if (!sink) return void buffer.push(data);
      if (!sink.write(data)) {
        ws.pause();
        sink.once('drain', () => ws.resume());
      }
    };

    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: ApiStatus | undefined;
        try {
          parsed = JSON.parse(text) as ApiStatus;
        } catch {
          parsed = undefined;
        }
        fail(new ApiError(res.statusCode ?? 0, parsed, text.trim() || `exec: HTTP ${res.statusCode}`));
      });
    });
    ws.on('open', () => {
      if (io.stdin === undefined) return;
      if (ws.protocol !== 'v5.channel.k8s.io') {
        fail(new RuntimeError('exec with stdin needs the v5.channel.k8s.io protocol (Kubernetes 1.30+); the server offered ' + (ws.protocol || 'none')));
        return;
      }
      pumpStdin(ws, io.stdin, fail);
    });
    ws.on('message', (data: Buffer) => {
      if (data.length < 1) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case STDOUT:
          if (payload.length) deliver(io.stdout, out, payload);
          break;
        case STDERR:
          if (payload.length) deliver(io.stderr, err, payload);
          break;
        case ERROR:
          if (!payload.length) break;
          try {
            status = JSON.parse(payload.toString('utf8')) as ApiStatus;
          } catch {
            status = { status: 'Failure', message: payload.toString('utf8') };
          }
          break;
      }
    });
    ws.on('error', (e) => fail(e));
    ws.on('close', () => {
      clearInterval(ping);
      if (timer) clearTimeout(timer);
      if (failure) return reject(failure);
      if (!status)
        return reject(
          new ExecConnectionLost('exec stream closed without an exit status: the connection to the pod was lost; the command may still be running'),
        );
      let exitCode: number;
      try {
        exitCode = exitCodeFromStatus(status);
      } catch (e) {
        return reject(e);
      }
      // Resolve only once the sinks have taken every byte: "done" means the output is delivered.
      Promise.all([flushed(io.stdout), flushed(io.stderr)]).then(
        () => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode }),
        reject,
      );
    });
  });
}

/** Resolves when everything written to `sink` so far has been processed (an empty write queues behind it). */
function flushed(sink: Writable | undefined): Promise<void> {
  if (!sink || sink.writableLength === 0) return Promise.resolve();
  return new Promise((resolve, reject) => sink.write(Buffer.alloc(0), (e) => (e ? reject(e) : resolve())));
}

function pumpStdin(ws: WebSocket, input: Readable | Buffer | string, fail: (e: Error) => void): void {
  const source = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([Buffer.from(input)]) : input;
  let unsent = 0;
  source.on('data', (chunk: Buffer) => {
    const frame = Buffer.concat([Buffer.from([STDIN]), Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)]);
    unsent += frame.length;
    if (unsent > STDIN_HIGH_WATER) source.pause();
    ws.send(frame, (e) => {
      if (e) return fail(e);
      unsent -= frame.length;
      if (unsent <= STDIN_HIGH_WATER && source.isPaused()) source.resume();
    });
  });
  source.on('end', () => ws.send(Buffer.from([CLOSE, STDIN])));
  source.on('error', fail);
}

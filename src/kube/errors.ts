import { RuntimeError } from '../util/errors.ts';

/** A metav1.Status returned by the API server. */
export interface ApiStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/**
 * An API server refusal. The message is the server's own Status message (what `kubectl` prints),
 * never a dump of the request.
 */
export class ApiError extends RuntimeError {
  readonly statusCode: number;
  readonly reason?: string;
  readonly status?: ApiStatus;
  constructor(statusCode: number, status: ApiStatus | undefined, fallback: string) {
    super(status?.message || fallback);
    this.statusCode = statusCode;
    this.reason = status?.reason;
    this.status = status;
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 404;
export const isConflict = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 409;
export const isForbidden = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 403;
export const isAlreadyExists = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 409 && err.reason === 'AlreadyExists';

/** A failure to reach the server at all (refused, reset, TLS, DNS). */
export class ConnectionError extends RuntimeError {}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
export function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) return err.statusCode === 429 || (err.statusCode >= 500 && err.statusCode !== 501);
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? (err as { cause?: NodeJS.ErrnoException })?.cause?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}

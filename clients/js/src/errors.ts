/**
 * An error from the server (its `code` is one of the protocol's error codes, e.g. `invalid_filter`,
 * `position_expired`, `rate_limited`) or from the SDK itself: `disconnected` (the client was disconnected
 * or closed for good before the request was answered), `timeout` (no answer within `requestTimeoutMs`),
 * `offline_queue_full`, `not_supported` (e.g. `track` in SSE mode), `closed:<code>` (the server closed
 * the connection for good), `missing_primary_key`, `http_<status>`.
 */
export class PulsebaseError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PulsebaseError';
    this.code = code;
  }
}

/** Server error codes after which retrying the same subscribe later can succeed. */
export const RETRYABLE_CODES = new Set(['unavailable', 'internal', 'rate_limited']);

export function errorFromBody(body: unknown, fallback: string): PulsebaseError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string') {
    return new PulsebaseError(error.code, typeof error.message === 'string' ? error.message : error.code);
  }
  return new PulsebaseError(fallback, fallback);
}

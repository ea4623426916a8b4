/**
 * What to do after the WebSocket closed with `code` (docs/protocol.md, "Close codes"):
 * - `stop` — stay closed: 1000 normal, 4004 unauthorized (same credentials would be refused again),
 *   4005 protocol_error (the connection cannot continue unchanged);
 * - `refresh_token` — 4003 token_expired: get a new token (the `tokenRefresher` option), then reconnect;
 * - `reconnect` — everything else (1001 server_shutdown, 1006 dropped, 1009, 1011, 4001 slow_consumer,
 *   4002 heartbeat_timeout, 4008 try_again_later, unknown codes): reconnect with backoff and resume.
 */
export type CloseAdvice = 'stop' | 'refresh_token' | 'reconnect';

export const CloseCode = {
  NORMAL: 1000,
  SERVER_SHUTDOWN: 1001,
  ABNORMAL: 1006,
  TOO_LARGE: 1009,
  INTERNAL: 1011,
  SLOW_CONSUMER: 4001,
  HEARTBEAT_TIMEOUT: 4002,
  TOKEN_EXPIRED: 4003,
  UNAUTHORIZED: 4004,
  PROTOCOL_ERROR: 4005,
  TRY_AGAIN_LATER: 4008,
} as const;

export function closeAdvice(code: number): CloseAdvice {
  switch (code) {
    case CloseCode.NORMAL:
    case CloseCode.UNAUTHORIZED:
    case CloseCode.PROTOCOL_ERROR:
      return 'stop';
    case CloseCode.TOKEN_EXPIRED:
      return 'refresh_token';
    default:
      return 'reconnect';
  }
}

/** Reconnect delays: exponential (base, 2·base, 4·base …) up to a cap, with jitter. */
export interface BackoffOptions {
  /** The first delay in ms (default 1000). */
  baseMs?: number;
  /** The largest delay in ms (default 30000). */
  capMs?: number;
  /**
   * Fraction of each delay that is random (default 0.5): the delay is uniformly drawn from
   * `[d·(1-jitter), d]` where `d = min(cap, base·2^attempt)`. Jitter spreads the reconnects of many
   * clients after a server restart.
   */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 1000, capMs: 30000, jitter: 0.5 };

/** The delay before reconnect attempt number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const baseMs = Math.max(0, options.baseMs ?? DEFAULT_BACKOFF.baseMs);
  const capMs = Math.max(baseMs, options.capMs ?? DEFAULT_BACKOFF.capMs);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? DEFAULT_BACKOFF.jitter));
  // 2^attempt overflows to Infinity for huge attempts; min() keeps the cap.
  const ceiling = Math.min(capMs, baseMs * Math.pow(2, Math.max(0, attempt)));
  return Math.round(ceiling * (1 - jitter) + ceiling * jitter * random());
}

/**
 * Reconnect delays: exponential growth with jitter, as a pure function so a test can check
 * the whole sequence (after nerves_hub_link's backoff.ex). Jitter spreads reconnects of many
 * devices after a broker restart so they do not all arrive in the same instant.
 */
import type { BackoffPolicy } from './types.js';

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry). `random` is a number in
 * [0, 1): Math.random() in production, a fixed value in tests. The nominal delay is
 * minMs * factor^attempt capped at maxMs; jitter (0 to 1, a constant: DEFAULT_BACKOFF) takes
 * away up to `jitter` of it.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  // Past the cap the power may overflow to Infinity; the cap still applies.
  const nominal = Math.min(policy.maxMs, policy.minMs * policy.factor ** attempt);
  return Math.round(nominal * (1 - policy.jitter * random));
}

export const DEFAULT_BACKOFF: BackoffPolicy = { minMs: 500, maxMs: 30000, factor: 2, jitter: 0.5 };

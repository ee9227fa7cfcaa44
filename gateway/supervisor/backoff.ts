/**
 * Restart backoff as a pure function (after nerves_hub_link's backoff.ex), so tests can check
 * every delay without waiting for one.
 */
export interface BackoffOptions {
  /** Delay before the first restart. */
  minMs: number;
  /** No delay is ever longer than this, jitter included. */
  maxMs: number;
  /** Fraction of the delay added or removed at random: 0.2 means ±20 %. From 0 to 1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 100, maxMs: 5000, jitter: 0.2 };

/**
 * The delay before restart number `attempt` (0 for the first): minMs doubled per attempt,
 * capped at maxMs, then moved by up to ±jitter of itself. `random` returns a number in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const { minMs, maxMs, jitter } = options;
  // 2 ** 30 already exceeds any sane maxMs; capping the exponent keeps the number finite.
  const base = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const offset = base * jitter * (random() * 2 - 1);
  return Math.round(Math.max(0, Math.min(maxMs, base + offset)));
}

/** Refuses options that would make backoff meaningless, naming the field and what is allowed. */
export function validateBackoff(options: BackoffOptions, where: string): void {
  if (!Number.isFinite(options.minMs) || options.minMs < 0) {
    throw new Error(`${where}.minMs is ${options.minMs}; allowed: a number >= 0`);
  }
  if (!Number.isFinite(options.maxMs) || options.maxMs < options.minMs) {
    throw new Error(
      `${where}.maxMs is ${options.maxMs}; allowed: a number >= minMs (${options.minMs})`,
    );
  }
  if (!(options.jitter >= 0 && options.jitter <= 1)) {
    throw new Error(`${where}.jitter is ${options.jitter}; allowed: 0 to 1`);
  }
}

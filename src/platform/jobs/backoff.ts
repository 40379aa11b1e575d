/**
 * Retry delays for jobs and outgoing messages: exponential from a base, capped, with "equal jitter"
 * (half the delay fixed, half random). The fixed half keeps the delay growing with each failure;
 * the random half spreads out instances and messages that failed together (a mail server that was
 * down for everyone), so they do not all come back in the same second.
 *
 * @example
 *   backoffDelayMs(1); // 5 000..10 000 ms
 *   backoffDelayMs(3); // 20 000..40 000 ms
 *   backoffDelayMs(20); // 1 800 000..3 600 000 ms (the cap)
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 60 * 60_000 };

/** A source of uniform numbers in [0, 1); injected in tests to make a delay exact. */
export type Random = () => number;

/** The delay after failed attempt number `attempt` (1 for the first failure). */
export function backoffDelayMs(
  attempt: number,
  random: Random = Math.random,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  // The exponent is clamped so that 2 ** n stays finite for absurd attempt counts.
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 40));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(exp / 2 + r * (exp / 2));
}

/** The instant of the next attempt, computed from the injected clock's `now`. */
export function nextAttemptAt(now: Date, attempt: number, random?: Random, policy?: BackoffPolicy): Date {
  return new Date(now.getTime() + backoffDelayMs(attempt, random, policy));
}

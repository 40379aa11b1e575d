/**
 * A sliding-window counter made of two fixed buckets (the previous window and the current one):
 * the count at a moment is the current bucket plus the previous bucket weighted by how much of it
 * still lies inside the window that ends now. Unlike a fixed window, a client cannot send a full
 * allowance at the end of one window and another at the start of the next; unlike a log of every
 * hit, it costs one row per key and window.
 *
 * Pure integer arithmetic on milliseconds, so the edges are exact and testable.
 *
 * @example
 *   const d = slidingDecision({ previous: 4, current: 1 }, 3, 600_000, 450_000);
 *   // 4 × (150/600) + 1 = 2 ≤ 3: { allowed: true }
 */

export interface BucketCounts {
  /** Hits in the previous fixed window. */
  readonly previous: number;
  /** Hits in the current fixed window, not counting the one being decided. */
  readonly current: number;
}

export type SlidingDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The fixed bucket `at` falls in: its start (ms since the epoch) and how far into it `at` is. */
export function bucketOf(atMs: number, windowMs: number): { startMs: number; elapsedMs: number } {
  const startMs = Math.floor(atMs / windowMs) * windowMs;
  return { startMs, elapsedMs: atMs - startMs };
}

/**
 * Whether one more hit keeps the sliding count within `limit`, and if not, how long until it
 * would (assuming nothing else is counted meanwhile).
 */
export function slidingDecision(
  c: BucketCounts,
  limit: number,
  windowMs: number,
  elapsedMs: number,
): SlidingDecision {
  // previous × (W − e)/W + current + 1 ≤ limit, multiplied out by W to stay in integers.
  if (c.previous * (windowMs - elapsedMs) + (c.current + 1) * windowMs <= limit * windowMs) {
    return { allowed: true };
  }
  let waitMs: number;
  if (c.current + 1 <= limit) {
    // Later in this bucket, once enough of the previous one has slid out.
    const untilMs = windowMs - Math.floor(((limit - c.current - 1) * windowMs) / c.previous);
    waitMs = untilMs - elapsedMs;
  } else {
    // In the next bucket, where this one becomes the previous: current × (W − e)/W + 1 ≤ limit.
    const intoNextMs = windowMs - Math.floor(((limit - 1) * windowMs) / c.current);
    waitMs = windowMs - elapsedMs + intoNextMs;
  }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/**
 * Back-off and temporary lockout after failed sign-ins, per account and per client address, kept
 * in `login_throttle`. The rules are plain data and the arithmetic is pure, so the edges can be
 * tested exactly with an injected clock.
 *
 * An attempt is counted *before* the password is checked (a reservation) and given back on
 * success. Counting afterwards would let a burst of parallel guesses all pass the check while the
 * first ones are still hashing.
 *
 * Every `threshold`-th failure inside the window locks the key. Locks grow: the first lasts
 * `lockMs`, each further one in the same run of failures twice as long, up to `maxLockMs`. The run is
 * forgotten `windowMs` after its start or after its last lock ended, whichever is later.
 *
 * Which counters an attempt meets (see AuthService.throttleKeys):
 * - always the account *from where*: the account with the client's address, or with the browser's
 *   device cookie when it has signed in to the account before (`login-device.ts`): ACCOUNT_RULE.
 *   A guesser locks the account for themselves, not for its owner elsewhere;
 * - from a browser not known to the account, also the address (IP_RULE, against one source trying
 *   many accounts) and the account as a whole (ACCOUNT_WIDE_RULE, against guesses spread over many
 *   addresses). Known browsers are exempt from both, so a shared address (clinic NAT, carrier NAT)
 *   or someone else's failures elsewhere never keep staff out of their own browsers.
 *
 * Keys are keyed HMACs of the lower-cased e-mail, the address and the device, so the table holds
 * no personal data, and an e-mail without an account is throttled exactly like one with an account
 * (no user enumeration through the lockout).
 */
import type { Tx } from '../../platform/db/database.ts';

export interface ThrottleRule {
  readonly threshold: number;
  readonly windowMs: number;
  readonly lockMs: number;
  readonly maxLockMs: number;
}

const MINUTE = 60_000;

/**
 * 5 failures in 15 minutes lock an account from one address (or one known browser) for 15
 * minutes (then 30, 60, ... up to a day).
 */
export const ACCOUNT_RULE: ThrottleRule = {
  threshold: 5,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
  maxLockMs: 24 * 60 * MINUTE,
};

/**
 * 20 failures from one address in 15 minutes lock the address for browsers not known to the
 * account tried; staff signing in from their own browsers behind it are not affected.
 */
export const IP_RULE: ThrottleRule = {
  threshold: 20,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
  maxLockMs: 24 * 60 * MINUTE,
};

/**
 * 30 failures on one account in 15 minutes from browsers it does not know, wherever from, lock it
 * for such browsers: guesses spread over many addresses stay bounded; its owner's browsers pass.
 */
export const ACCOUNT_WIDE_RULE: ThrottleRule = {
  threshold: 30,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
  maxLockMs: 24 * 60 * MINUTE,
};

export interface ThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

/** Seconds until the key unlocks (rounded up), or 0 when it is not locked at `now`. */
export function lockedSeconds(state: ThrottleState | undefined, now: Date): number {
  if (!state?.lockedUntil) return 0;
  const ms = state.lockedUntil.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** Counts one attempt; `lockedNow` tells whether this attempt imposed a lock. */
export function countAttempt(
  state: ThrottleState | undefined,
  now: Date,
  rule: ThrottleRule,
): { state: ThrottleState; lockedNow: boolean } {
  let s: ThrottleState = state ?? { failures: 0, windowStartedAt: now, lockedUntil: null };
  const runBase = Math.max(s.windowStartedAt.getTime(), s.lockedUntil?.getTime() ?? 0);
  if (now.getTime() >= runBase + rule.windowMs) {
    s = { failures: 0, windowStartedAt: now, lockedUntil: null };
  }
  const failures = s.failures + 1;
  if (failures % rule.threshold === 0) {
    const nth = failures / rule.threshold;
    const lockMs = Math.min(rule.lockMs * 2 ** (nth - 1), rule.maxLockMs);
    return {
      state: { ...s, failures, lockedUntil: new Date(now.getTime() + lockMs) },
      lockedNow: true,
    };
  }
  return { state: { ...s, failures }, lockedNow: false };
}

interface ThrottleRow {
  failures: number;
  window_started_at: Date;
  locked_until: Date | null;
}

function toState(r: ThrottleRow): ThrottleState {
  return { failures: r.failures, windowStartedAt: r.window_started_at, lockedUntil: r.locked_until };
}

/** Rows of `login_throttle`. */
export const throttleRepository = {
  /**
   * Reads and locks a key's row for the rest of the transaction. A missing row is created first
   * (with no failures), so two first attempts racing on one key serialise on its row lock instead
   * of both counting from zero.
   */
  async lock(tx: Tx, key: string, now: Date): Promise<ThrottleState> {
    await tx.query(
      `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 0, $2)
       ON CONFLICT (key) DO NOTHING`,
      [key, now],
    );
    const { rows } = await tx.query<ThrottleRow>(
      'SELECT failures, window_started_at, locked_until FROM login_throttle WHERE key = $1 FOR UPDATE',
      [key],
    );
    return toState(rows[0]!);
  },

  async save(tx: Tx, key: string, s: ThrottleState): Promise<void> {
    await tx.query(
      `INSERT INTO login_throttle (key, failures, window_started_at, locked_until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET failures = $2, window_started_at = $3, locked_until = $4`,
      [key, s.failures, s.windowStartedAt, s.lockedUntil],
    );
  },

  async remove(tx: Tx, key: string): Promise<void> {
    await tx.query('DELETE FROM login_throttle WHERE key = $1', [key]);
  },
};

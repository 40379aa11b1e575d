/**
 * Lockout of the second factor, counted per account on a key of its own in `login_throttle`.
 *
 * Codes are six digits, so the count must survive a new password step: were it kept on the
 * password's account key, which a right password clears, anyone holding the password could guess
 * codes without end by signing in again every four tries. This key is cleared only by a right
 * code, and its run is remembered for a day, so the growing locks (15 min, 30, 60, ... up to a day)
 * bound guessing to a few dozen codes a day per account.
 *
 * @example
 *   const key = { key: await secondFactorThrottleKey(keys, staffId), rule: SECOND_FACTOR_RULE };
 */
import type { ThrottleRule } from './login-throttle.ts';
import type { StaffKeys } from './staff-keys.ts';

const MINUTE = 60_000;

/** 5 wrong codes lock the second factor for 15 minutes, then 30, 60, ... up to a day; a run lasts a day. */
export const SECOND_FACTOR_RULE: ThrottleRule = {
  threshold: 5,
  windowMs: 24 * 60 * MINUTE,
  lockMs: 15 * MINUTE,
  maxLockMs: 24 * 60 * MINUTE,
};

/** The account's second-factor key: a keyed hash of the staff id, apart from the e-mail's key. */
export async function secondFactorThrottleKey(keys: StaffKeys, staffId: string): Promise<string> {
  return `mfa:${await keys.hmac('login-throttle', `mfa:${staffId}`)}`;
}

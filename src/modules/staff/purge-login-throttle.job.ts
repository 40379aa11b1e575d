/**
 * Deletes login-throttle rows whose run of failures is forgotten: a run ends a throttling window
 * after its start or after its last lock ended, whichever is later (see the staff module's
 * login-throttle rules). The rows' keys are keyed hashes of accounts and addresses; they are kept
 * no longer than throttling needs them.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';
import { ACCOUNT_RULE, IP_RULE } from './login-throttle.ts';
import { SECOND_FACTOR_RULE } from './second-factor-throttle.ts';

export const PURGE_LOGIN_THROTTLE = 'login-throttle.purge';

/** The longest window of any rule: a row older than this past its run's base counts for nothing. */
export const LOGIN_THROTTLE_FORGET_MS = Math.max(
  ACCOUNT_RULE.windowMs,
  IP_RULE.windowMs,
  SECOND_FACTOR_RULE.windowMs,
);

export function purgeLoginThrottleJob(): JobHandler {
  return defineJob({
    kind: PURGE_LOGIN_THROTTLE,
    payload: z.object({}),
    run: async (_payload, job) => {
      const cutoff = new Date(job.now.getTime() - LOGIN_THROTTLE_FORGET_MS);
      const { rowCount } = await job.tx.query(
        `DELETE FROM login_throttle
         WHERE greatest(window_started_at, coalesce(locked_until, window_started_at)) < $1`,
        [cutoff],
      );
      if (rowCount) job.log.info({ deleted: rowCount }, 'purged forgotten login-throttle rows');
    },
  });
}

/**
 * Deletes staff sessions past their absolute expiry or idle for the idle timeout. The session check
 * refuses such sessions already (at `expires_at` and at `last_seen_at` + idle timeout, both
 * inclusive, as here); deleting them keeps the table small and stops keeping the IP addresses and
 * browsers of sessions nobody can use.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';

export const PURGE_SESSIONS = 'sessions.purge';

export function purgeSessionsJob(o: { sessionIdleMinutes: number }): JobHandler {
  return defineJob({
    kind: PURGE_SESSIONS,
    payload: z.object({}),
    run: async (_payload, job) => {
      const idleCutoff = new Date(job.now.getTime() - o.sessionIdleMinutes * 60_000);
      const { rowCount } = await job.tx.query(
        'DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2',
        [job.now, idleCutoff],
      );
      if (rowCount) job.log.info({ deleted: rowCount }, 'purged expired staff sessions');
    },
  });
}

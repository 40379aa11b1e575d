/**
 * Deletes finished jobs: done ones after a few days (recurring jobs add thousands a day), failed
 * ones after a month, long enough for someone to look at why they failed.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from './job.ts';

export const PURGE_JOBS = 'jobs.purge';

export const KEEP_DONE_JOBS_MS = 3 * 24 * 60 * 60_000;
export const KEEP_FAILED_JOBS_MS = 30 * 24 * 60 * 60_000;

export function purgeJobsJob(): JobHandler {
  return defineJob({
    kind: PURGE_JOBS,
    payload: z.object({}),
    run: async (_payload, job) => {
      const { rowCount } = await job.tx.query(
        `DELETE FROM jobs
         WHERE (state = 'done' AND finished_at < $1) OR (state = 'failed' AND finished_at < $2)`,
        [new Date(job.now.getTime() - KEEP_DONE_JOBS_MS), new Date(job.now.getTime() - KEEP_FAILED_JOBS_MS)],
      );
      if (rowCount) job.log.info({ deleted: rowCount }, 'purged finished jobs');
    },
  });
}

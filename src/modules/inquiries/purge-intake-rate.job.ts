/**
 * Deletes per-address intake counters whose window has ended. They hold an HMAC of a visitor's
 * address, which is personal data for as long as it can single someone out: kept no longer than the
 * rate limit needs it.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';
import { inquiriesRepository as repo } from './inquiries.repository.ts';

export const PURGE_INTAKE_RATE = 'intake.purge-rate';

export function purgeIntakeRateJob(o: { rateWindowSeconds: number }): JobHandler {
  return defineJob({
    kind: PURGE_INTAKE_RATE,
    payload: z.object({}),
    run: async (_payload, job) => {
      // A window that started before this has ended; the current one is still counting.
      const before = new Date(job.now.getTime() - o.rateWindowSeconds * 1000);
      const deleted = await repo.purgeRate(job.tx, before);
      if (deleted > 0) job.log.info({ deleted }, 'purged ended intake rate windows');
    },
  });
}

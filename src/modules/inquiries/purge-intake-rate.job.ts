/**
 * Deletes intake rate counters (per address, contact or API key) that no window reads any more. They hold an HMAC of a visitor's
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
      // The sliding window still reads the previous bucket; one that started two windows ago or
      // earlier is neither the current nor the previous one any more.
      const before = new Date(job.now.getTime() - 2 * o.rateWindowSeconds * 1000);
      const deleted = await repo.purgeRate(job.tx, before);
      if (deleted > 0) job.log.info({ deleted }, 'purged ended intake rate windows');
    },
  });
}

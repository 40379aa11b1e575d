/**
 * Folds the per-status deltas that every insert, status change and delete of an inquiry appends
 * (migration 0019) into the kept totals, so the inbox's counts read a handful of rows. The counts
 * are exact whether or not this has run; it only keeps the deltas few.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';
import { workflowRepository as repo } from './workflow.repository.ts';

export const FOLD_STATUS_COUNTS = 'inquiries.fold-status-counts';

export function foldStatusCountsJob(): JobHandler {
  return defineJob({
    kind: FOLD_STATUS_COUNTS,
    payload: z.object({}),
    run: async (_payload, job) => {
      const moved = await repo.foldStatusCounts(job.tx);
      if (moved > 0) job.log.debug({ moved }, 'inquiry status deltas folded into the counts');
    },
  });
}

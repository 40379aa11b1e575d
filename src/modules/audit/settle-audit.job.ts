/**
 * Moves audit entries that are still staged into the hash chain. A transaction that commits while
 * another holds the chain's head does not wait for it: its entries are moved by the next commit
 * that takes the head, or by this job, so none stays outside the chain for more than a few seconds
 * on a quiet installation.
 */
import { z } from 'zod';
import type { AuditService } from './audit.service.ts';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';

export const SETTLE_AUDIT = 'audit.settle';

export function settleAuditJob(o: { audit: AuditService }): JobHandler {
  return defineJob({
    kind: SETTLE_AUDIT,
    payload: z.object({}),
    run: async (_payload, job) => {
      const moved = await o.audit.settle();
      if (moved > 0) job.log.debug({ moved }, 'staged audit entries moved into the chain');
    },
  });
}

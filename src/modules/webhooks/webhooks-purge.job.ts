/**
 * Deletes finished webhook deliveries and their attempts a month after they were queued: the log
 * is for seeing why an integration missed something, not an archive (the audit log keeps who
 * changed what). Pending ones stay until they finish.
 *
 * @example
 *   new JobRunner({ db, clock, log, handlers: [purgeWebhookDeliveriesJob()] });
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';
import { webhooksRepository as repo } from './webhooks.repository.ts';

export const PURGE_WEBHOOK_DELIVERIES = 'webhooks.purge';
export const KEEP_WEBHOOK_DELIVERIES_MS = 30 * 24 * 60 * 60_000;
const BATCH = 5000;

export function purgeWebhookDeliveriesJob(): JobHandler {
  return defineJob({
    kind: PURGE_WEBHOOK_DELIVERIES,
    payload: z.object({}),
    run: async (_payload, job) => {
      const before = new Date(job.now.getTime() - KEEP_WEBHOOK_DELIVERIES_MS);
      let deleted = 0;
      for (;;) {
        const n = await repo.purgeFinished(job.tx, before, BATCH);
        deleted += n;
        if (n < BATCH) break;
      }
      if (deleted > 0) job.log.info({ deleted }, 'purged webhook deliveries');
    },
  });
}

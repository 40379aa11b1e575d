/**
 * Forgets provider event ids stored more than 30 days ago. Providers retry a failed delivery for
 * hours, not weeks (and our own formats refuse a timestamp five minutes old), so an id that old
 * cannot come back as a retry; the table stays small.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';
import { connectionsRepository as repo } from './connections.repository.ts';

export const PURGE_CHANNEL_SEEN = 'channels.purge-seen';
export const SEEN_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export function purgeChannelSeenJob(): JobHandler {
  return defineJob({
    kind: PURGE_CHANNEL_SEEN,
    payload: z.object({}),
    run: async (_payload, job) => {
      const deleted = await repo.purgeSeen(job.tx, new Date(job.now.getTime() - SEEN_RETENTION_MS));
      if (deleted > 0) job.log.info({ deleted }, 'purged old channel event ids');
    },
  });
}

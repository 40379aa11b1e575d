/**
 * For tests of one job handler: enqueue one job of its kind and run it with a runner that knows only
 * that handler, so a test sees exactly what the handler does.
 *
 * @example
 *   await runOneJob(env.ctx, PURGE_JOBS, purgeJobsJob());
 */
import assert from 'node:assert/strict';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { JobQueue } from './job-queue.ts';
import { JobRunner } from './job-runner.ts';
import type { JobHandler } from './job.ts';

export async function runOneJob(
  ctx: { db: Database; clock: Clock; log: Logger; services: { jobs: JobQueue } },
  kind: string,
  handler: JobHandler,
): Promise<void> {
  const { id } = await ctx.db.transaction((tx) => ctx.services.jobs.enqueue(tx, { kind }));
  const runner = new JobRunner({ db: ctx.db, clock: ctx.clock, log: ctx.log, handlers: [handler] });
  assert.deepEqual(await runner.runOnce(), { ran: true, jobId: id, state: 'done' });
}

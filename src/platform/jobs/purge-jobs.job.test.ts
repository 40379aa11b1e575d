import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { runOneJob } from './jobs.testing.ts';
import { KEEP_DONE_JOBS_MS, KEEP_FAILED_JOBS_MS, PURGE_JOBS, purgeJobsJob } from './purge-jobs.job.ts';

describe('the purge-jobs job', () => {
  let env: TestEnv;
  let now: Date;
  const ms = (delta: number): Date => new Date(now.getTime() + delta);

  before(async () => {
    env = await createTestEnv();
    now = env.clock.now();
  });
  after(() => env.close());

  it('purges done jobs after 3 days and failed ones after 30, never pending ones', async () => {
    const admin = await env.admin();
    await admin.query('DELETE FROM jobs');
    const jobs: [string, string, Date | null][] = [
      ['done-old', 'done', ms(-KEEP_DONE_JOBS_MS - 1)],
      ['done-edge', 'done', ms(-KEEP_DONE_JOBS_MS)],
      ['failed-old', 'failed', ms(-KEEP_FAILED_JOBS_MS - 1)],
      ['failed-edge', 'failed', ms(-KEEP_FAILED_JOBS_MS)],
      ['pending-old', 'pending', null],
    ];
    for (const [key, state, finished] of jobs) {
      await admin.query(
        `INSERT INTO jobs (id, kind, run_at, state, dedupe_key, created_at, finished_at)
         VALUES ($1, 'test.old', $2, $3, $4, $2, $5)`,
        [randomUUID(), ms(state === 'pending' ? 3600_000 : -KEEP_FAILED_JOBS_MS * 2), state, key, finished],
      );
    }
    await runOneJob(env.ctx, PURGE_JOBS, purgeJobsJob());
    const left = await admin.query<{ dedupe_key: string }>(
      "SELECT dedupe_key FROM jobs WHERE kind = 'test.old' ORDER BY dedupe_key",
    );
    assert.deepEqual(
      left.rows.map((r) => r.dedupe_key),
      ['done-edge', 'failed-edge', 'pending-old'],
    );
  });
});

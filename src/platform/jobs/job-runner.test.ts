import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import { createPool, Database } from '../db/database.ts';
import { AppError, ErrorCode } from '../errors.ts';
import { backoffDelayMs } from './backoff.ts';
import { defineJob, JobQueue, JobRunner, UNKNOWN_KIND, type JobHandler } from './index.ts';

interface JobState {
  state: string;
  attempts: number;
  run_at: Date;
  last_error: string | null;
  finished_at: Date | null;
}

describe('job runner', () => {
  let env: TestEnv;
  let queue: JobQueue;
  const pools: Database[] = [];

  before(async () => {
    env = await createTestEnv();
    queue = env.ctx.services.jobs;
    const admin = await env.admin();
    await admin.query(`CREATE TABLE test_counter (id int PRIMARY KEY, n int NOT NULL);
      INSERT INTO test_counter VALUES (1, 0);
      CREATE TABLE test_runs (job_id uuid NOT NULL, runner text NOT NULL);
      CREATE TABLE test_effects (job_id uuid NOT NULL)`);
  });
  after(async () => {
    for (const p of pools) await p.close();
    await env.close();
  });
  beforeEach(async () => {
    const admin = await env.admin();
    await admin.query(`DELETE FROM jobs; DELETE FROM test_runs; DELETE FROM test_effects;
      UPDATE test_counter SET n = 0`);
  });

  const ownPool = (): Database => {
    const db = new Database(createPool({ url: env.adminUrls.data, max: 3 }));
    pools.push(db);
    return db;
  };

  const runner = (handlers: JobHandler[], extra: Partial<ConstructorParameters<typeof JobRunner>[0]> = {}) =>
    new JobRunner({
      db: env.ctx.db,
      clock: env.clock,
      log: env.ctx.log,
      handlers,
      random: () => 0.5,
      ...extra,
    });

  const enqueue = (spec: Parameters<JobQueue['enqueue']>[1]) =>
    env.ctx.db.transaction((tx) => queue.enqueue(tx, spec));

  const jobState = async (id: string): Promise<JobState> => {
    const { rows } = await env.ctx.db.query<JobState>(
      'SELECT state, attempts, run_at, last_error, finished_at FROM jobs WHERE id = $1',
      [id],
    );
    return rows[0]!;
  };

  const effects = async (): Promise<number> =>
    Number((await env.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM test_effects')).rows[0]!.n);

  /** A handler that writes an effect row and then fails with `error` (or succeeds when it is undefined). */
  const effectJob = (kind: string, error: () => Error | undefined = () => undefined): JobHandler =>
    defineJob({
      kind,
      payload: z.object({}),
      run: async (_p, job) => {
        await job.tx.query('INSERT INTO test_effects (job_id) VALUES ($1)', [job.jobId]);
        const e = error();
        if (e !== undefined) throw e;
      },
    });

  it('runs each of 200 jobs exactly once with two runners on their own pools, both taking part', async () => {
    const makeHandler = (name: string): JobHandler =>
      defineJob({
        kind: 'test.count',
        payload: z.strictObject({ n: z.number().int() }),
        run: async (_p, job) => {
          await job.tx.query('INSERT INTO test_runs (job_id, runner) VALUES ($1, $2)', [job.jobId, name]);
          // A little work inside the transaction, so both runners have jobs in flight at once.
          await delay(1);
          await job.tx.query('UPDATE test_counter SET n = n + 1 WHERE id = 1');
        },
      });
    const runners = ['a', 'b'].map(
      (name) =>
        new JobRunner({
          db: ownPool(),
          clock: env.clock,
          log: env.ctx.log,
          handlers: [makeHandler(name)],
          concurrency: 2,
          pollIntervalMs: 20,
          name,
        }),
    );
    for (const r of runners) r.start();
    try {
      await env.ctx.db.transaction(async (tx) => {
        for (let n = 0; n < 200; n++) await queue.enqueue(tx, { kind: 'test.count', payload: { n } });
      });
      for (const r of runners) r.wake();
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await env.ctx.db.query<{ n: string }>(
          "SELECT count(*) AS n FROM jobs WHERE state <> 'done'",
        );
        if (rows[0]!.n === '0') break;
        assert.ok(Date.now() < deadline, 'the jobs did not finish');
        await delay(50);
      }
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    const counter = await env.ctx.db.query<{ n: number }>('SELECT n FROM test_counter');
    assert.equal(counter.rows[0]!.n, 200);
    const runs = await env.ctx.db.query<{ total: string; distinct_jobs: string }>(
      'SELECT count(*) AS total, count(DISTINCT job_id) AS distinct_jobs FROM test_runs',
    );
    assert.deepEqual(runs.rows[0], { total: '200', distinct_jobs: '200' });
    const byRunner = await env.ctx.db.query<{ runner: string; n: string }>(
      'SELECT runner, count(*) AS n FROM test_runs GROUP BY runner ORDER BY runner',
    );
    assert.deepEqual(
      byRunner.rows.map((r) => r.runner),
      ['a', 'b'],
      `both runners take part: ${JSON.stringify(byRunner.rows)}`,
    );
    const done = await env.ctx.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM jobs WHERE state = 'done' AND attempts = 1",
    );
    assert.equal(done.rows[0]!.n, '200');
  });

  it('enqueues a job with a dedupe key once', async () => {
    const first = await enqueue({ kind: 'test.once', dedupeKey: 'test:once:1' });
    const second = await enqueue({ kind: 'test.once', dedupeKey: 'test:once:1' });
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.id, first.id);
    const other = await enqueue({ kind: 'test.once', dedupeKey: 'test:once:2' });
    assert.notEqual(other.id, first.id);
    const { rows } = await env.ctx.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM jobs WHERE kind = 'test.once'",
    );
    assert.equal(rows[0]!.n, '2');
  });

  it('enqueues in the caller transaction: a rolled-back change leaves no job', async () => {
    await assert.rejects(
      env.ctx.db.transaction(async (tx) => {
        await queue.enqueue(tx, { kind: 'test.rollback' });
        throw new Error('the change failed');
      }),
      { message: 'the change failed' },
    );
    const { rows } = await env.ctx.db.query("SELECT 1 FROM jobs WHERE kind = 'test.rollback'");
    assert.equal(rows.length, 0);
  });

  it('refuses payloads that look like personal data', async () => {
    for (const payload of [
      { email: 'ivanova@example.ru' },
      { phone: '+79123456789' },
      { phone: '89123456789' },
      { name: 'Иванова Анна' },
      { note: 'two words' },
      { nested: { deeper: ['ok', 'not ok'] } },
    ]) {
      await assert.rejects(enqueue({ kind: 'test.pd', payload }), (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, ErrorCode.ValidationFailed);
        assert.doesNotMatch(e.message, /ivanova|7912|Иванова/);
        return true;
      });
    }
    const ok = await enqueue({
      kind: 'test.pd',
      payload: {
        subjectId: '1d7e1f1c-8c1e-4c36-9a4b-6f1f0f3c2a10',
        at: '2026-03-02T09:00:00.000Z',
        count: 3,
        reason: 'withdrawn',
        ids: ['a-1', 'b-2'],
      },
    });
    assert.equal(ok.created, true);
  });

  it('does not run a job before its time: not due 1 ms before run_at, due at run_at', async () => {
    const runAt = new Date(env.clock.now().getTime() + 60_000);
    const { id } = await enqueue({ kind: 'test.effect', runAt });
    const r = runner([effectJob('test.effect')]);
    env.clock.set(new Date(runAt.getTime() - 1));
    assert.deepEqual(await r.runOnce(), { ran: false });
    env.clock.set(runAt);
    assert.deepEqual(await r.runOnce(), { ran: true, jobId: id, state: 'done' });
    assert.equal((await jobState(id)).state, 'done');
    assert.equal(await effects(), 1);
  });

  it('retries a failure with back-off from the injected clock, undoing the attempt’s writes', async () => {
    const { id } = await enqueue({ kind: 'test.flaky', maxAttempts: 5 });
    let failuresLeft = 2;
    const r = runner([
      effectJob('test.flaky', () => (failuresLeft-- > 0 ? new TypeError('boom') : undefined)),
    ]);

    const failedAt = env.clock.now();
    assert.equal((await r.runOnce()).ran, true);
    let s = await jobState(id);
    assert.equal(s.state, 'pending');
    assert.equal(s.attempts, 1);
    assert.equal(s.last_error, 'TypeError');
    // Attempt 1: base 10 s, equal jitter with random 0.5 gives 7.5 s.
    assert.equal(
      backoffDelayMs(1, () => 0.5),
      7500,
    );
    assert.equal(s.run_at.getTime(), failedAt.getTime() + 7500);
    assert.equal(await effects(), 0, 'the failed attempt’s insert was rolled back');

    env.clock.set(new Date(s.run_at.getTime() - 1));
    assert.deepEqual(await r.runOnce(), { ran: false });
    env.clock.set(s.run_at);
    assert.deepEqual(await r.runOnce(), { ran: true, jobId: id, state: 'retry' });
    s = await jobState(id);
    assert.equal(s.attempts, 2);
    // Attempt 2: 20 s exponential, 15 s with the jitter at 0.5.
    assert.equal(s.run_at.getTime(), env.clock.now().getTime() + 15_000);

    env.clock.set(new Date(s.run_at.getTime() - 1));
    assert.deepEqual(await r.runOnce(), { ran: false });
    env.clock.set(s.run_at);
    assert.deepEqual(await r.runOnce(), { ran: true, jobId: id, state: 'done' });
    s = await jobState(id);
    assert.equal(s.state, 'done');
    assert.equal(s.attempts, 3);
    assert.equal(await effects(), 1);
  });

  it('marks a job failed after maxAttempts', async () => {
    const { id } = await enqueue({ kind: 'test.broken', maxAttempts: 3 });
    const r = runner([effectJob('test.broken', () => new Error('always'))]);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const out = await r.runOnce();
      assert.deepEqual(out, { ran: true, jobId: id, state: attempt < 3 ? 'retry' : 'failed' });
      const s = await jobState(id);
      if (attempt < 3) env.clock.set(s.run_at);
    }
    const s = await jobState(id);
    assert.equal(s.state, 'failed');
    assert.equal(s.attempts, 3);
    assert.equal(s.last_error, 'Error');
    assert.deepEqual(s.finished_at, env.clock.now());
    env.clock.advance(24 * 3600_000);
    assert.deepEqual(await r.runOnce(), { ran: false }, 'a failed job is not claimed again');
    assert.equal(await effects(), 0);
  });

  it('fails at once when retrying cannot help (payload of the wrong shape, a refusal)', async () => {
    const strict = defineJob({
      kind: 'test.strict',
      payload: z.strictObject({ subjectId: z.uuid() }),
      run: async () => undefined,
    });
    const bad = await enqueue({ kind: 'test.strict', payload: { subjectId: 'not-a-uuid' } });
    const r = runner([strict, effectJob('test.refused', () => new AppError(ErrorCode.BadRequest, 'no'))]);
    assert.deepEqual(await r.runOnce(), { ran: true, jobId: bad.id, state: 'failed' });
    assert.equal((await jobState(bad.id)).last_error, 'AppError:validation_failed');
    const refused = await enqueue({ kind: 'test.refused' });
    assert.deepEqual(await r.runOnce(), { ran: true, jobId: refused.id, state: 'failed' });
    assert.equal((await jobState(refused.id)).attempts, 1);
  });

  it('fails a job of an unknown kind with a clear error, after its attempts', async () => {
    const { id } = await enqueue({ kind: 'test.nobody-knows', maxAttempts: 2 });
    const r = runner([effectJob('test.effect')]);
    assert.deepEqual(await r.runOnce(), { ran: true, jobId: id, state: 'retry' });
    let s = await jobState(id);
    assert.equal(s.last_error, UNKNOWN_KIND);
    env.clock.set(s.run_at);
    assert.deepEqual(await r.runOnce(), { ran: true, jobId: id, state: 'failed' });
    s = await jobState(id);
    assert.equal(s.state, 'failed');
    assert.equal(s.last_error, UNKNOWN_KIND);
  });

  it('records the error class, never the message, in the table and the logs', async () => {
    const pd = 'Иванова ivanova@example.ru +79123456789';
    const { id } = await enqueue({ kind: 'test.leaky' });
    const err = Object.assign(new Error(pd), { code: 'E_LEAK' });
    const r = runner([effectJob('test.leaky', () => err)]);
    await r.runOnce();
    assert.equal((await jobState(id)).last_error, 'Error:E_LEAK');
    assertNoPersonalDataInLogs(env.logs, ['ivanova', 'Иванова', '79123456789'], {
      expect: 'job failed; will retry',
    });
  });

  it('wakes at once on queue.wake() instead of waiting for the next poll', async () => {
    const r = runner([effectJob('test.effect')], { queue, pollIntervalMs: 120_000, concurrency: 1 });
    r.start();
    try {
      await delay(50); // the worker has found nothing and sleeps for two minutes
      const { id } = await enqueue({ kind: 'test.effect' });
      queue.wake();
      const deadline = Date.now() + 20_000;
      while ((await jobState(id)).state !== 'done') {
        assert.ok(Date.now() < deadline, 'the woken runner did not run the job');
        await delay(20);
      }
    } finally {
      await r.stop();
    }
  });

  it('stop() waits for running handlers to finish and commit', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow = defineJob({
      kind: 'test.slow',
      payload: z.object({}),
      run: async (_p, job) => {
        started();
        await gate;
        await job.tx.query('INSERT INTO test_effects (job_id) VALUES ($1)', [job.jobId]);
      },
    });
    const { id } = await enqueue({ kind: 'test.slow' });
    const r = runner([slow], { pollIntervalMs: 10 });
    r.start();
    await running;
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await delay(50);
    assert.equal(stopped, false, 'stop() returned while a handler was running');
    release();
    await stopping;
    assert.equal((await jobState(id)).state, 'done');
    assert.equal(await effects(), 1);
    // Stopped means stopped: a job enqueued now stays pending.
    const later = await enqueue({ kind: 'test.slow' });
    await delay(50);
    assert.equal((await jobState(later.id)).state, 'pending');
  });
});

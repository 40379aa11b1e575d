import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../../test/harness.ts';
import { JobRunner, type JobHandler } from '../index.ts';
import { KEEP_DONE_JOBS_MS, KEEP_FAILED_JOBS_MS, PURGE_JOBS, purgeJobsJob } from './purge-jobs.job.ts';
import {
  LOGIN_THROTTLE_FORGET_MS,
  PURGE_LOGIN_THROTTLE,
  purgeLoginThrottleJob,
} from './purge-login-throttle.job.ts';
import { PURGE_SESSIONS, purgeSessionsJob } from './purge-sessions.job.ts';
import { VERIFY_AUDIT, verifyAuditJob } from './verify-audit.job.ts';

describe('maintenance jobs', () => {
  let env: TestEnv;
  let now: Date;
  const ms = (delta: number): Date => new Date(now.getTime() + delta);

  before(async () => {
    env = await createTestEnv({ env: { SOGLASIE_SESSION_IDLE_MINUTES: '30' } });
    now = env.clock.now();
  });
  after(() => env.close());

  /** Enqueues one job of `kind` and runs it with a runner that knows only `handler`. */
  const runJob = async (kind: string, handler: JobHandler): Promise<void> => {
    const { id } = await env.ctx.db.transaction((tx) => env.ctx.services.jobs.enqueue(tx, { kind }));
    const runner = new JobRunner({ db: env.ctx.db, clock: env.clock, log: env.ctx.log, handlers: [handler] });
    assert.deepEqual(await runner.runOnce(), { ran: true, jobId: id, state: 'done' });
  };

  it('purges sessions at their expiry and at the idle timeout, not a millisecond before', async () => {
    const admin = await env.admin();
    const staffId = randomUUID();
    await admin.query(
      `INSERT INTO staff (id, email, display_name, password_hash, password_changed_at, created_at, updated_at)
       VALUES ($1, 'purge-test@example.ru', 'x', 'x', $2, $2, $2)`,
      [staffId, now],
    );
    const idle = 30 * 60_000;
    const sessions = {
      expired: { expires: ms(0), seen: ms(0) },
      notYetExpired: { expires: ms(1), seen: ms(0) },
      idle: { expires: ms(3600_000), seen: ms(-idle) },
      notYetIdle: { expires: ms(3600_000), seen: ms(-idle + 1) },
    };
    for (const [name, s] of Object.entries(sessions)) {
      await admin.query(
        `INSERT INTO sessions (id_hash, staff_id, created_at, last_seen_at, expires_at, csrf_secret)
         VALUES (convert_to($1, 'UTF8'), $2, $3, $4, $5, 'x')`,
        [name, staffId, ms(-idle * 2), s.seen, s.expires],
      );
    }
    await runJob(PURGE_SESSIONS, purgeSessionsJob({ sessionIdleMinutes: env.config.sessionIdleMinutes }));
    const { rows } = await admin.query<{ name: string }>(
      "SELECT convert_from(id_hash, 'UTF8') AS name FROM sessions ORDER BY 1",
    );
    assert.deepEqual(
      rows.map((r) => r.name),
      ['notYetExpired', 'notYetIdle'],
    );
  });

  it('purges login-throttle rows once their run is forgotten, keeping running locks', async () => {
    const admin = await env.admin();
    const forget = LOGIN_THROTTLE_FORGET_MS;
    const rows: [string, Date, Date | null][] = [
      ['old-window', ms(-forget - 1), null],
      ['edge-window', ms(-forget), null],
      ['old-window-recent-lock', ms(-10 * forget), ms(-forget + 1)],
      ['old-window-old-lock', ms(-10 * forget), ms(-forget - 1)],
      ['fresh', ms(0), null],
    ];
    for (const [key, started, locked] of rows) {
      await admin.query(
        'INSERT INTO login_throttle (key, failures, window_started_at, locked_until) VALUES ($1, 3, $2, $3)',
        [key, started, locked],
      );
    }
    await runJob(PURGE_LOGIN_THROTTLE, purgeLoginThrottleJob());
    const left = await admin.query<{ key: string }>('SELECT key FROM login_throttle ORDER BY key');
    assert.deepEqual(
      left.rows.map((r) => r.key),
      ['edge-window', 'fresh', 'old-window-recent-lock'],
    );
  });

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
    await runJob(PURGE_JOBS, purgeJobsJob());
    const left = await admin.query<{ dedupe_key: string }>(
      "SELECT dedupe_key FROM jobs WHERE kind = 'test.old' ORDER BY dedupe_key",
    );
    assert.deepEqual(
      left.rows.map((r) => r.dedupe_key),
      ['done-edge', 'failed-edge', 'pending-old'],
    );
  });

  it('verifies the audit chain and logs the first broken entry by id only', async () => {
    const { audit } = env.ctx.services;
    for (let i = 0; i < 3; i++) {
      await audit.recordNow({
        actor: { type: 'system', id: 'test' },
        action: `test.a${i}`,
        result: 'success',
      });
    }
    await runJob(VERIFY_AUDIT, verifyAuditJob({ audit }));
    const admin = await env.admin();
    const last = async () =>
      (
        await admin.query<{ action: string; result: string; object_id: string | null }>(
          'SELECT action, result, object_id FROM audit_log ORDER BY id DESC LIMIT 1',
        )
      ).rows[0];
    assert.deepEqual(await last(), { action: 'audit.verify', result: 'success', object_id: null });
    assert.equal(env.logs.filter((l) => l.includes('hash chain is broken')).length, 0);

    await admin.query('BEGIN');
    await admin.query('SET LOCAL session_replication_role = replica');
    await admin.query("UPDATE audit_log SET action = 'test.forged' WHERE id = 2");
    await admin.query('COMMIT');
    await runJob(VERIFY_AUDIT, verifyAuditJob({ audit }));
    assert.deepEqual(await last(), { action: 'audit.verify', result: 'failure', object_id: '2' });
    const line = env.logs.find((l) => l.includes('hash chain is broken'));
    assert.ok(line, 'a broken chain is logged');
    const entry = JSON.parse(line) as { level: number; entryId: string };
    assert.equal(entry.level, 50, 'as an error');
    assert.equal(entry.entryId, '2');
  });
});

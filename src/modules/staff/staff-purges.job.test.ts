import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { runOneJob } from '../../platform/jobs/jobs.testing.ts';
import {
  LOGIN_THROTTLE_FORGET_MS,
  PURGE_LOGIN_THROTTLE,
  purgeLoginThrottleJob,
} from './purge-login-throttle.job.ts';
import { PURGE_SESSIONS, purgeSessionsJob } from './purge-sessions.job.ts';

describe('the staff purge jobs', () => {
  let env: TestEnv;
  let now: Date;
  const ms = (delta: number): Date => new Date(now.getTime() + delta);

  before(async () => {
    env = await createTestEnv({ env: { SOGLASIE_SESSION_IDLE_MINUTES: '30' } });
    now = env.clock.now();
  });
  after(() => env.close());

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
    await runOneJob(
      env.ctx,
      PURGE_SESSIONS,
      purgeSessionsJob({ sessionIdleMinutes: env.config.sessionIdleMinutes }),
    );
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
    await runOneJob(env.ctx, PURGE_LOGIN_THROTTLE, purgeLoginThrottleJob());
    const left = await admin.query<{ key: string }>('SELECT key FROM login_throttle ORDER BY key');
    assert.deepEqual(
      left.rows.map((r) => r.key),
      ['edge-window', 'fresh', 'old-window-recent-lock'],
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemPrincipal, TOUCH_INTERVAL_MS } from '../../modules/staff/index.ts';
import { createConsoleEnv, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

describe('staff sessions', () => {
  let c: ConsoleEnv;
  let staffId: string;
  const EMAIL = 'agent@clinic.example';
  let idleMs: number;
  let maxMs: number;

  before(async () => {
    c = await createConsoleEnv();
    const op = await c.createOperator();
    staffId = await c.createStaff({ email: EMAIL, roles: [{ operatorId: op, role: 'agent' }] });
    idleMs = c.env.config.sessionIdleMinutes * 60_000;
    maxMs = c.env.config.sessionMaxHours * 3_600_000;
  });
  after(() => c.close());

  async function signedIn(): Promise<Browser> {
    const b = c.browser();
    assert.equal((await b.login(EMAIL)).statusCode, 303);
    return b;
  }

  const sessionCount = async () =>
    (
      await (
        await c.env.admin()
      ).query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE staff_id = $1', [staffId])
    ).rows[0]!.n;

  it('ends after the idle timeout, exactly at its edge', async () => {
    const b = await signedIn();
    c.env.clock.advance(idleMs - 1000);
    assert.equal((await b.get('/console')).statusCode, 200, 'one second inside the idle timeout');
    // That request was recorded as activity: the timeout now counts from it.
    c.env.clock.advance(idleMs - 1000);
    assert.equal((await b.get('/console')).statusCode, 200);
    c.env.clock.advance(idleMs);
    const res = await b.get('/console');
    assert.equal(res.statusCode, 303, 'at the edge the session is over');
    assert.equal(res.headers.location, '/console/login');
    assert.equal(b.cookies.has('sg_session'), false, 'the cookie is cleared');
  });

  it('ends at its absolute lifetime, even when active', async () => {
    const before = await sessionCount();
    const b = await signedIn();
    const start = c.env.clock.now().getTime();
    const step = idleMs - 60_000;
    while (c.env.clock.now().getTime() + step < start + maxMs - 1000) {
      c.env.clock.advance(step);
      assert.equal((await b.get('/console')).statusCode, 200);
    }
    c.env.clock.set(new Date(start + maxMs - 1000));
    assert.equal((await b.get('/console')).statusCode, 200, 'one second before the absolute limit');
    c.env.clock.set(new Date(start + maxMs));
    assert.equal((await b.get('/console')).statusCode, 303, 'at the absolute limit');
    assert.equal(await sessionCount(), before, 'the expired row is deleted');
  });

  it('records activity at most once a minute', async () => {
    const b = await signedIn();
    const admin = await c.env.admin();
    const lastSeen = async () =>
      (
        await admin.query<{ t: Date }>(
          'SELECT last_seen_at AS t FROM sessions WHERE staff_id = $1 ORDER BY created_at DESC LIMIT 1',
          [staffId],
        )
      ).rows[0]!.t.getTime();
    const t0 = c.env.clock.now().getTime();
    assert.equal(await lastSeen(), t0);
    c.env.clock.advance(TOUCH_INTERVAL_MS - 1000);
    await b.get('/console');
    assert.equal(await lastSeen(), t0, 'not written within the minute');
    c.env.clock.advance(1000);
    await b.get('/console');
    assert.equal(await lastSeen(), t0 + TOUCH_INTERVAL_MS, 'written once a minute has passed');
  });

  it('signs out: the row is deleted, the cookie cleared, the old token dead, and it is audited', async () => {
    const b = await signedIn();
    const token = b.cookies.get('sg_session')!;
    const n = await sessionCount();
    const res = await b.submit('/console', '/console/logout', {});
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/login?m=logged-out');
    assert.equal(b.cookies.has('sg_session'), false);
    assert.equal(await sessionCount(), n - 1);
    const page = await b.get('/console/login?m=logged-out');
    assert.match(page.body, /Вы вышли из консоли/);
    b.cookies.set('sg_session', token);
    assert.equal((await b.get('/console')).statusCode, 303, 'the old token no longer works');
    const { rows } = await (
      await c.env.admin()
    ).query("SELECT 1 FROM audit_log WHERE action = 'staff.logout' AND actor_id = $1", [staffId]);
    assert.equal(rows.length, 1);
  });

  it('serves JSON under /api/: 401 without a session, the principal with one, CSRF by header', async () => {
    const anon = c.browser();
    const denied = await anon.json('GET', '/api/test/whoami');
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.json<{ error: { code: string } }>().error.code, 'unauthenticated');

    const b = await signedIn();
    const who = await b.json('GET', '/api/test/whoami');
    assert.equal(who.statusCode, 200);
    assert.deepEqual(who.json(), { staffId });

    const token = await b.csrfFrom('/console');
    const noToken = await b.json('POST', '/api/test/echo');
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.json<{ error: { code: string } }>().error.code, 'csrf_failed');
    const wrongToken = await b.json('POST', '/api/test/echo', { 'x-csrf-token': token + 'x' });
    assert.equal(wrongToken.statusCode, 403);
    const ok = await b.json('POST', '/api/test/echo', { 'x-csrf-token': token });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { ok: true, staffId });
  });

  it('ends every session of a person who changes their password', async () => {
    const a = await signedIn();
    const other = await signedIn();
    const mismatch = await a.submit('/console/password', '/console/password', {
      current: 'верный-пароль-2026',
      next: 'новый-пароль-2026-весна',
      repeat: 'новый-пароль-2026-лето',
    });
    assert.equal(mismatch.statusCode, 400);
    assert.match(mismatch.body, /не совпадают/);
    const short = await a.submit('/console/password', '/console/password', {
      current: 'верный-пароль-2026',
      next: 'коротко',
      repeat: 'коротко',
    });
    assert.equal(short.statusCode, 400);
    const res = await a.submit('/console/password', '/console/password', {
      current: 'верный-пароль-2026',
      next: 'новый-пароль-2026-весна',
      repeat: 'новый-пароль-2026-весна',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/login?m=password-changed');
    assert.equal(await sessionCount(), 0);
    assert.equal((await other.get('/console')).statusCode, 303);
    assert.equal((await c.browser().login(EMAIL, 'верный-пароль-2026')).statusCode, 401);
    assert.equal((await c.browser().login(EMAIL, 'новый-пароль-2026-весна')).statusCode, 303);
  });

  it('ends every session of a disabled person', async () => {
    const b = c.browser();
    assert.equal((await b.login(EMAIL, 'новый-пароль-2026-весна')).statusCode, 303);
    await c.env.ctx.services.staff.disable(systemPrincipal('test'), staffId);
    assert.equal(await sessionCount(), 0);
    assert.equal((await b.get('/console')).statusCode, 303);
  });
});

describe('staff session cookie over https', () => {
  let c: ConsoleEnv;
  before(async () => {
    c = await createConsoleEnv({ env: { SOGLASIE_PUBLIC_URL: 'https://clinic.example' } });
    await c.createStaff({ email: 'admin@clinic.example' });
  });
  after(() => c.close());

  it('is Secure when the public URL is https', async () => {
    const res = await c.browser().login('admin@clinic.example');
    assert.equal(res.statusCode, 303);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((s) => s.startsWith('sg_session='));
    assert.match(cookie ?? '', /; Secure/);
    assert.match(cookie ?? '', /; HttpOnly/);
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT_RULE } from '../../modules/staff/index.ts';
import { createConsoleEnv, csrfOf, PASSWORD, type ConsoleEnv } from '../shared/console.testing.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';

describe('console sign-in', () => {
  let c: ConsoleEnv;
  let agentId: string;
  const EMAIL = 'Anna.Petrova@Clinic.example';

  before(async () => {
    c = await createConsoleEnv();
    const op = await c.createOperator();
    agentId = await c.createStaff({ email: EMAIL, roles: [{ operatorId: op, role: 'agent' }] });
  });
  after(() => c.close());

  it('shows a Russian sign-in form with bound labels and sends the signed-out to it', async () => {
    const b = c.browser();
    const home = await b.get('/console');
    assert.equal(home.statusCode, 303);
    assert.equal(home.headers.location, '/console/login');
    const res = await b.get('/console/login');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<html lang="ru">/);
    assert.match(res.body, /Вход в консоль/);
    assert.match(res.body, /<label for="email">Электронная почта<\/label>/);
    assert.match(res.body, /<input\s+id="email"\s+name="email"/);
    assert.match(res.body, /<label for="password">Пароль<\/label>/);
    assert.doesNotMatch(res.body, /<script|style="/);
    assert.ok(b.cookies.get('sg_csrf'), 'the form sets its double-submit cookie');
  });

  it('signs in with the right password, case-insensitively by e-mail, and sets a safe cookie', async () => {
    const b = c.browser();
    const res = await b.login(EMAIL.toLowerCase());
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console');
    const setCookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((s) => s.startsWith('sg_session='));
    assert.ok(setCookie);
    assert.match(setCookie, /; Path=\//);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Lax/);
    assert.doesNotMatch(setCookie, /; Secure/);
    const token = b.cookies.get('sg_session')!;
    assert.equal(Buffer.from(token, 'base64url').length, 32);

    // Only the token's SHA-256 is stored.
    const admin = await c.env.admin();
    const { rows } = await admin.query<{ id_hash: Buffer; staff_id: string }>(
      'SELECT id_hash, staff_id FROM sessions',
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.id_hash, createHash('sha256').update(token).digest());
    assert.equal(rows[0]!.staff_id, agentId);

    const home = await b.get('/console');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Анна Петрова/);
  });

  it('answers a wrong password, an unknown e-mail and a disabled account identically', async () => {
    const disabledId = await c.createStaff({ email: 'gone@clinic.example', installationAdmin: true });
    await c.env.ctx.services.staff.disable({ kind: 'system', name: 'test' }, disabledId);
    const b = c.browser({ ip: '10.0.0.2' });
    const csrf = await b.csrfFrom('/console/login');
    const wrong = await b.post('/console/login', {
      _csrf: csrf,
      email: EMAIL,
      password: 'не-тот-пароль-123',
    });
    const unknown = await b.post('/console/login', {
      _csrf: csrf,
      email: 'nobody@clinic.example',
      password: 'не-тот-пароль-123',
    });
    const disabled = await b.post('/console/login', {
      _csrf: csrf,
      email: 'gone@clinic.example',
      password: PASSWORD,
    });
    for (const r of [wrong, unknown, disabled]) {
      assert.equal(r.statusCode, 401);
      assert.equal(String(r.headers['set-cookie'] ?? '').includes('sg_session'), false);
    }
    assert.equal(unknown.body, wrong.body);
    assert.equal(disabled.body, wrong.body);
    assert.match(wrong.body, /Неверная электронная почта или пароль/);
    // The form does not echo the e-mail back.
    assert.doesNotMatch(wrong.body, /nobody@|anna\.petrova/i);
  });

  it('locks an account at exactly the 5th failure and unlocks it exactly at the edge', async () => {
    // Forget the failure of the previous test.
    c.env.clock.advance(ACCOUNT_RULE.windowMs);
    const b = c.browser({ ip: '10.0.0.3' });
    const csrf = await b.csrfFrom('/console/login');
    const attempt = (password: string, email = EMAIL) =>
      b.post('/console/login', { _csrf: csrf, email, password });
    for (let i = 1; i <= 4; i++) {
      const r = await attempt(`неверный-пароль-${i}`);
      assert.equal(r.statusCode, 401, `failure ${i}`);
      c.env.clock.advance(10_000);
    }
    const fifth = await attempt('неверный-пароль-5');
    assert.equal(fifth.statusCode, 429);
    assert.equal(fifth.headers['retry-after'], String(ACCOUNT_RULE.lockMs / 1000));
    assert.match(fifth.body, /Слишком много неудачных попыток/);
    const lockedAt = c.env.clock.now().getTime();

    // Even the right password is refused while locked, without being checked.
    const right = await attempt(PASSWORD);
    assert.equal(right.statusCode, 429);

    c.env.clock.set(new Date(lockedAt + ACCOUNT_RULE.lockMs - 1000));
    const stillLocked = await attempt(PASSWORD);
    assert.equal(stillLocked.statusCode, 429);
    assert.equal(stillLocked.headers['retry-after'], '1');

    c.env.clock.set(new Date(lockedAt + ACCOUNT_RULE.lockMs));
    const open = await attempt(PASSWORD);
    assert.equal(open.statusCode, 303);

    // The success reset the account's counter: four new failures do not lock it.
    for (let i = 1; i <= 4; i++) assert.equal((await attempt(`снова-неверно-${i}`)).statusCode, 401);
    assert.equal((await attempt(PASSWORD)).statusCode, 303);
  });

  it('locks an unknown e-mail the same way, with the same answer', async () => {
    const known = c.browser({ ip: '10.0.0.4' });
    const unknown = c.browser({ ip: '10.0.0.5' });
    const kc = await known.csrfFrom('/console/login');
    const uc = await unknown.csrfFrom('/console/login');
    const answers = [];
    for (let i = 1; i <= 5; i++) {
      answers.push([
        await known.post('/console/login', { _csrf: kc, email: EMAIL, password: `x-неверно-${i}-xxxx` }),
        await unknown.post('/console/login', {
          _csrf: uc,
          email: 'ghost@clinic.example',
          password: `x-неверно-${i}`,
        }),
      ] as const);
    }
    const [k, u] = answers[4]!;
    assert.equal(k.statusCode, 429);
    assert.equal(u.statusCode, 429);
    assert.equal(u.headers['retry-after'], k.headers['retry-after']);
    const withoutToken = (body: string) => body.split(csrfOf(body)).join('');
    assert.equal(withoutToken(u.body), withoutToken(k.body));
    c.env.clock.advance(ACCOUNT_RULE.lockMs);
  });

  it('locks an address after 20 failures, whatever the e-mails, and only that address', async () => {
    const b = c.browser({ ip: '10.0.0.66' });
    const csrf = await b.csrfFrom('/console/login');
    for (let i = 1; i <= 19; i++) {
      const r = await b.post('/console/login', {
        _csrf: csrf,
        email: `guess${i}@clinic.example`,
        password: 'p',
      });
      assert.equal(r.statusCode, 401, `failure ${i}`);
    }
    const twentieth = await b.post('/console/login', {
      _csrf: csrf,
      email: 'guess20@clinic.example',
      password: 'p',
    });
    assert.equal(twentieth.statusCode, 429);
    const right = await b.post('/console/login', { _csrf: csrf, email: EMAIL, password: PASSWORD });
    assert.equal(right.statusCode, 429, 'the locked address cannot sign in even with the right password');
    const elsewhere = await c.browser({ ip: '10.0.0.67' }).login(EMAIL);
    assert.equal(elsewhere.statusCode, 303);
  });

  it('refuses the sign-in form without its double-submit cookie or from another site', async () => {
    const b = c.browser({ ip: '10.0.0.8' });
    const csrf = await b.csrfFrom('/console/login');
    const noCookie = await c.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      payload: new URLSearchParams({ _csrf: csrf, email: EMAIL, password: PASSWORD }).toString(),
    });
    assert.equal(noCookie.statusCode, 403);
    assert.equal(noCookie.json<{ error: { code: string } }>().error.code, 'csrf_failed');
    const forged = await b.post('/console/login', { _csrf: 'forged', email: EMAIL, password: PASSWORD });
    assert.equal(forged.statusCode, 403);
    const foreign = await b.post(
      '/console/login',
      { _csrf: csrf, email: EMAIL, password: PASSWORD },
      { origin: 'https://evil.example' },
    );
    assert.equal(foreign.statusCode, 403);
    assert.match(foreign.body, /Форма устарела/);
    assert.equal(b.cookies.has('sg_session'), false);
  });

  it('audits every outcome by id and never writes the e-mail or password anywhere', async () => {
    const admin = await c.env.admin();
    const { rows } = await admin.query<{ action: string; result: string; actor_id: string | null }>(
      'SELECT action, result, actor_id FROM audit_log ORDER BY id',
    );
    const seen = new Set(rows.map((r) => `${r.action}:${r.result}`));
    for (const e of [
      'staff.login:success',
      'staff.login:failure',
      'staff.login:denied',
      'staff.lockout_account:success',
      'staff.lockout_address:success',
    ]) {
      assert.ok(seen.has(e), `audit has ${e}`);
    }
    assert.ok(
      rows.some((r) => r.action === 'staff.login' && r.result === 'success' && r.actor_id === agentId),
    );
    const { rows: text } = await admin.query<{ t: string }>(
      "SELECT string_agg(a::text, ' ') AS t FROM audit_log a",
    );
    const all = text[0]!.t.toLowerCase();
    for (const secret of ['anna.petrova', 'clinic.example', 'ghost', 'nobody', 'неверно', PASSWORD]) {
      assert.equal(all.includes(secret), false, `audit_log contains ${secret}`);
    }
    assertNoPersonalDataInLogs(
      c.env.logs,
      ['anna.petrova', 'clinic.example', 'ghost@', 'неверно', PASSWORD],
      {
        ignoreCase: true,
      },
    );
    const { rows: throttle } = await admin.query<{ key: string }>('SELECT key FROM login_throttle');
    assert.ok(throttle.length > 0);
    for (const r of throttle) assert.doesNotMatch(r.key, /@|10\.0\.0/);
  });
});

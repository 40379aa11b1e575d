import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { ACCOUNT_RULE, MFA_STEP_MAX_MS, SECOND_FACTOR_RULE } from '../../modules/staff/index.ts';
import { createConsoleEnv, PASSWORD, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

/** What an authenticator app would show for this key at the env's clock. */
function codeFor(c: ConsoleEnv, secretText: string, offsetMs = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secretText.replace(/\s+/g, '')), digits: 6, period: 30 });
  return totp.generate({ timestamp: c.env.clock.now().getTime() + offsetMs });
}

const STEP = 30_000;

describe('two-factor sign-in', () => {
  let c: ConsoleEnv;
  let staffId: string;
  const EMAIL = 'officer@clinic.example';
  let secretText: string;
  let recoveryCodes: string[];

  before(async () => {
    c = await createConsoleEnv();
    const op = await c.createOperator();
    staffId = await c.createStaff({ email: EMAIL, roles: [{ operatorId: op, role: 'privacy_officer' }] });
  });
  after(() => c.close());

  async function passwordStep(): Promise<Browser> {
    const b = c.browser();
    const res = await b.login(EMAIL);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/login/mfa');
    return b;
  }

  it('enrols with a QR code and a first code, and shows ten recovery codes once', async () => {
    const b = c.browser();
    assert.equal((await b.login(EMAIL)).statusCode, 303);
    const off = await b.get('/console/mfa');
    assert.match(off.body, /Двухфакторный вход выключен/);
    const start = await b.submit('/console/mfa', '/console/mfa/enrol', {});
    assert.equal(start.statusCode, 303);
    assert.equal(start.headers.location, '/console/mfa');

    const page = await b.get('/console/mfa');
    assert.match(page.body, /<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    assert.match(page.body, /otpauth:\/\/totp\/Soglasie:officer%40clinic\.example\?/);
    secretText = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.body)![1]!;
    assert.equal(secretText.replace(/ /g, '').length, 32);

    const wrong = await b.submit('/console/mfa', '/console/mfa/confirm', { code: '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Код не подошёл/);

    const ok = await b.submit('/console/mfa', '/console/mfa/confirm', { code: codeFor(c, secretText) });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['cache-control'], 'no-store');
    recoveryCodes = [...ok.body.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map(
      (m) => m[1]!,
    );
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);

    const admin = await c.env.admin();
    const { rows } = await admin.query<{ totp_secret_enc: Buffer; totp_enabled_at: Date | null }>(
      'SELECT totp_secret_enc, totp_enabled_at FROM staff WHERE id = $1',
      [staffId],
    );
    assert.ok(rows[0]!.totp_enabled_at);
    const raw = Buffer.from(Secret.fromBase32(secretText.replace(/ /g, '')).bytes);
    assert.equal(rows[0]!.totp_secret_enc.includes(raw), false, 'the secret is stored sealed');
    const { rows: codes } = await admin.query<{ code_hash: Buffer }>(
      'SELECT code_hash FROM staff_recovery_codes WHERE staff_id = $1',
      [staffId],
    );
    assert.equal(codes.length, 10);
    for (const r of codes) {
      for (const code of recoveryCodes) assert.equal(r.code_hash.includes(Buffer.from(code)), false);
    }

    const on = await b.get('/console/mfa');
    assert.match(on.body, /Двухфакторный вход включён/);
    assert.match(on.body, /Неиспользованных резервных кодов: 10/);
  });

  it('asks for a code after the password, refuses a replayed one, and rotates the session', async () => {
    const b = await passwordStep();
    assert.equal((await b.get('/console')).headers.location, '/console/login/mfa', 'not signed in yet');
    const api = await b.json('GET', '/api/test/whoami');
    assert.equal(api.statusCode, 401);
    assert.equal(api.json<{ error: { code: string } }>().error.code, 'mfa_required');
    const step = await b.get('/console/login/mfa');
    assert.match(step.body, /<label for="code">Код подтверждения<\/label>/);

    // The code that confirmed enrolment is for this same time step: it cannot be used again.
    const replay = await b.submit('/console/login/mfa', '/console/login/mfa', {
      code: codeFor(c, secretText),
    });
    assert.equal(replay.statusCode, 401);
    assert.match(replay.body, /Код не подошёл/);

    c.env.clock.advance(STEP);
    const pendingToken = b.cookies.get('sg_session')!;
    const code = codeFor(c, secretText);
    const ok = await b.submit('/console/login/mfa', '/console/login/mfa', { code });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/console');
    assert.notEqual(b.cookies.get('sg_session'), pendingToken, 'a new token after the second step');
    assert.equal((await b.get('/console')).statusCode, 200);

    const other = await passwordStep();
    const again = await other.submit('/console/login/mfa', '/console/login/mfa', { code });
    assert.equal(again.statusCode, 401, 'the same code cannot sign in a second time');
    c.env.clock.advance(STEP);
    const next = await other.submit('/console/login/mfa', '/console/login/mfa', {
      code: codeFor(c, secretText),
    });
    assert.equal(next.statusCode, 303);
  });

  it('accepts each recovery code once', async () => {
    const b = await passwordStep();
    const typed = recoveryCodes[0]!.toUpperCase().replace('-', ' - ');
    const ok = await b.submit('/console/login/mfa', '/console/login/mfa', { code: typed });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/console?m=recovery-code');
    const home = await b.get('/console?m=recovery-code');
    assert.match(home.body, /Осталось неиспользованных кодов: 9/);

    const other = await passwordStep();
    const reused = await other.submit('/console/login/mfa', '/console/login/mfa', {
      code: recoveryCodes[0]!,
    });
    assert.equal(reused.statusCode, 401);
  });

  it('keeps counting wrong codes across sign-ins: a new password step does not reset them', async () => {
    // A right code first, which ends the run of the failures above.
    c.env.clock.advance(STEP);
    const clean = await (
      await passwordStep()
    ).submit('/console/login/mfa', '/console/login/mfa', { code: codeFor(c, secretText) });
    assert.equal(clean.statusCode, 303);
    for (let i = 1; i <= 4; i++) {
      // Each wrong code from a fresh sign-in: the password is right every time.
      const b = await passwordStep();
      const res = await b.submit('/console/login/mfa', '/console/login/mfa', { code: '11111' + String(i) });
      assert.equal(res.statusCode, 401);
    }
    const fifth = await (
      await passwordStep()
    ).submit('/console/login/mfa', '/console/login/mfa', { code: '111115' });
    assert.equal(
      fifth.statusCode,
      429,
      'the fifth wrong code locks, though each came after a right password',
    );
    c.env.clock.advance(SECOND_FACTOR_RULE.lockMs - 2 * STEP);
    const stillLocked = await passwordStep();
    c.env.clock.advance(STEP);
    const early = await stillLocked.submit('/console/login/mfa', '/console/login/mfa', {
      code: codeFor(c, secretText),
    });
    assert.equal(early.statusCode, 429, 'even a right code waits for the lock to end');

    // A right code after the lock ends the run, so the next sign-ins start from nothing.
    c.env.clock.advance(SECOND_FACTOR_RULE.lockMs);
    const after = await passwordStep();
    const ok = await after.submit('/console/login/mfa', '/console/login/mfa', {
      code: codeFor(c, secretText),
    });
    assert.equal(ok.statusCode, 303);
  });

  it('throttles wrong codes like passwords and gives a pending sign-in ten minutes', async () => {
    const b = await passwordStep();
    const csrf = await b.csrfFrom('/console/login/mfa');
    for (let i = 1; i <= 4; i++) {
      assert.equal(
        (await b.post('/console/login/mfa', { _csrf: csrf, code: '00000' + String(i) })).statusCode,
        401,
      );
    }
    const fifth = await b.post('/console/login/mfa', { _csrf: csrf, code: '000005' });
    assert.equal(fifth.statusCode, 429);
    assert.ok(Number(fifth.headers['retry-after']) > 0);
    c.env.clock.advance(ACCOUNT_RULE.lockMs);

    const late = await passwordStep();
    const startedAt = c.env.clock.now().getTime();
    c.env.clock.set(new Date(startedAt + MFA_STEP_MAX_MS - 1000));
    assert.equal((await late.get('/console/login/mfa')).statusCode, 200, 'one second inside');
    c.env.clock.set(new Date(startedAt + MFA_STEP_MAX_MS));
    const expired = await late.get('/console/login/mfa');
    assert.equal(expired.statusCode, 303);
    assert.equal(expired.headers.location, '/console/login');
  });

  it('replaces recovery codes and turns off only with the password', async () => {
    const b = await passwordStep();
    c.env.clock.advance(STEP);
    assert.equal(
      (await b.submit('/console/login/mfa', '/console/login/mfa', { code: codeFor(c, secretText) }))
        .statusCode,
      303,
    );
    const regen = await b.submit('/console/mfa', '/console/mfa/recovery-codes', { password: PASSWORD });
    assert.equal(regen.statusCode, 200);
    const fresh = [...regen.body.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map(
      (m) => m[1]!,
    );
    assert.equal(fresh.length, 10);

    const wrong = await b.submit('/console/mfa', '/console/mfa/disable', { password: 'не-тот-пароль-000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Неверный пароль/);
    const off = await b.submit('/console/mfa', '/console/mfa/disable', { password: PASSWORD });
    assert.equal(off.statusCode, 303);
    assert.equal(off.headers.location, '/console/mfa?m=disabled');
    const { rows } = await (
      await c.env.admin()
    ).query<{ n: number }>('SELECT count(*)::int AS n FROM staff_recovery_codes WHERE staff_id = $1', [
      staffId,
    ]);
    assert.equal(rows[0]!.n, 0);
    const oneStep = await c.browser().login(EMAIL);
    assert.equal(oneStep.headers.location, '/console', 'sign-in is one step again');
  });

  it('audits enrolment, codes and turning off, by id only', async () => {
    const admin = await c.env.admin();
    const { rows } = await admin.query<{ action: string; result: string }>(
      'SELECT action, result FROM audit_log WHERE actor_id = $1 ORDER BY id',
      [staffId],
    );
    const seen = new Set(rows.map((r) => `${r.action}:${r.result}`));
    for (const e of [
      'staff.mfa_enrol_start:success',
      'staff.mfa_enable:failure',
      'staff.mfa_enable:success',
      'staff.mfa_verify:failure',
      'staff.mfa_verify:success',
      'staff.mfa_verify_recovery_code:success',
      'staff.mfa_verify_recovery_code:failure',
      'staff.recovery_codes_regenerate:success',
      'staff.mfa_disable:failure',
      'staff.mfa_disable:success',
      'staff.lockout_account:success',
    ]) {
      assert.ok(seen.has(e), `audit has ${e}`);
    }
    const { rows: text } = await admin.query<{ t: string }>(
      "SELECT string_agg(a::text, ' ') AS t FROM audit_log a",
    );
    assert.equal(text[0]!.t.includes('officer@'), false);
    assert.equal(text[0]!.t.includes('clinic.example'), false);
  });
});

describe('two-factor sign-in required by an operator', () => {
  let c: ConsoleEnv;
  const EMAIL = 'agent@strict.example';

  before(async () => {
    c = await createConsoleEnv();
    const strict = await c.createOperator({
      slug: 'strict-clinic',
      name: 'Строгая клиника',
      requireMfa: true,
    });
    await c.createStaff({ email: EMAIL, roles: [{ operatorId: strict, role: 'agent' }] });
  });
  after(() => c.close());

  it('sends the person to enrolment and lets them reach nothing else until enrolled', async () => {
    const b = c.browser();
    const res = await b.login(EMAIL);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/mfa');
    for (const url of ['/console', '/console/password']) {
      const r = await b.get(url);
      assert.equal(r.statusCode, 303, url);
      assert.equal(r.headers.location, '/console/mfa');
    }
    assert.equal((await b.json('GET', '/api/test/whoami')).statusCode, 401);
    const page = await b.get('/console/mfa');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Ваша организация требует двухфакторного входа/);
    const refused = await b.submit('/console/mfa', '/console/password', {
      current: PASSWORD,
      next: 'ещё-один-пароль-2026',
      repeat: 'ещё-один-пароль-2026',
    });
    assert.equal(refused.statusCode, 303);
    assert.equal(refused.headers.location, '/console/mfa');

    await b.submit('/console/mfa', '/console/mfa/enrol', {});
    const setup = await b.get('/console/mfa');
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.body)![1]!;
    const done = await b.submit('/console/mfa', '/console/mfa/confirm', { code: codeFor(c, secret) });
    assert.equal(done.statusCode, 200);
    const home = await b.get('/console');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Строгая клиника/);

    const settings = await b.get('/console/mfa');
    assert.match(settings.body, /поэтому выключить его нельзя/);
    assert.doesNotMatch(settings.body, /action="\/console\/mfa\/disable"/);
    const disable = await b.submit('/console/mfa', '/console/mfa/disable', { password: PASSWORD });
    assert.equal(disable.statusCode, 403);
    assert.match(disable.body, /Доступ запрещён/);
  });
});

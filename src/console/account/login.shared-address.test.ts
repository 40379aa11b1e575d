import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { ACCOUNT_RULE, ACCOUNT_WIDE_RULE, DEVICE_COOKIE, IP_RULE } from '../../modules/staff/index.ts';
import { createConsoleEnv, PASSWORD, type ConsoleEnv } from '../shared/console.testing.ts';

/**
 * Many people behind one address (a clinic's NAT, a mobile carrier): someone else's failures must
 * not keep staff out, while guessing from one address or spread over many stays throttled.
 */
describe('console sign-in behind a shared address', () => {
  let c: ConsoleEnv;
  let op: string;
  const EMAIL = 'vera.smirnova@clinic.example';
  const SHARED = '100.64.0.1';

  before(async () => {
    c = await createConsoleEnv();
    op = await c.createOperator();
    await c.createStaff({ email: EMAIL, roles: [{ operatorId: op, role: 'agent' }] });
  });
  after(() => c.close());

  /** `n` failures from a new browser at `ip`, on `email`, or on `email`'s own address each time with a `%`. */
  const fail = async (ip: string, email: string, n: number) => {
    const b = c.browser({ ip });
    const _csrf = await b.csrfFrom('/console/login');
    let last = 0;
    for (let i = 0; i < n; i++) {
      const to = email.replace('%', String(i));
      last = (await b.post('/console/login', { _csrf, email: to, password: `не-тот-${i}-пароль` }))
        .statusCode;
    }
    return last;
  };

  it('a browser that signed in before gets in from a locked address; a fresh address is not locked by others', async () => {
    // Vera's own browser behind the shared address has signed in once: it holds a device cookie.
    const own = c.browser({ ip: SHARED });
    assert.equal((await own.login(EMAIL)).statusCode, 303);
    assert.ok(own.cookies.get(DEVICE_COOKIE), 'the sign-in set the device cookie');
    own.cookies.delete('sg_session');

    // Someone else behind the same address fails on many accounts and on hers.
    assert.equal(
      await fail(SHARED, 'someone%@clinic.example', IP_RULE.threshold - ACCOUNT_RULE.threshold),
      401,
    );
    assert.equal(await fail(SHARED, EMAIL, ACCOUNT_RULE.threshold), 429, 'the guesser is locked');
    // The address is locked for unknown browsers, whatever the account.
    const stranger = c.browser({ ip: SHARED });
    assert.equal((await stranger.login(EMAIL)).statusCode, 429);

    // Vera's browser is not.
    assert.equal((await own.login(EMAIL)).statusCode, 303, 'the right password from her browser');
    own.cookies.delete('sg_session');
    // Nor is she from a fresh address, on a browser that never signed in.
    assert.equal((await c.browser({ ip: '192.0.2.44' }).login(EMAIL)).statusCode, 303);
  });

  it('guesses spread over many addresses lock the account for unknown browsers only', async () => {
    c.env.clock.advance(ACCOUNT_WIDE_RULE.windowMs + 24 * 3_600_000);
    const own = c.browser({ ip: '198.51.100.9' });
    assert.equal((await own.login(EMAIL)).statusCode, 303);
    own.cookies.delete('sg_session');
    // Two failures from each of many addresses: no (account, address) pair reaches its threshold.
    let last = 0;
    for (let a = 1; a <= ACCOUNT_WIDE_RULE.threshold / 2; a++) last = await fail(`203.0.113.${a}`, EMAIL, 2);
    assert.equal(last, 429, 'the account-wide counter locked it');
    assert.equal((await c.browser({ ip: '192.0.2.45' }).login(EMAIL)).statusCode, 429, 'a new browser waits');
    assert.equal((await own.login(EMAIL)).statusCode, 303, 'her own browser does not');
    // The cookie works only for its account: a forged or copied token counts as no cookie.
    const forged = c.browser({ ip: '192.0.2.46' });
    forged.cookies.set(DEVICE_COOKIE, `${'a'.repeat(22)}.${'b'.repeat(43)}`);
    assert.equal((await forged.login(EMAIL, PASSWORD)).statusCode, 429);
  });

  it('with two-factor sign-in, her own browser passes the code step and re-checks her password while the address is locked', async () => {
    c.env.clock.advance(24 * 3_600_000);
    const email = 'oleg.titov@clinic.example';
    await c.createStaff({ email, roles: [{ operatorId: op, role: 'agent' }] });
    const own = c.browser({ ip: SHARED });
    assert.equal((await own.login(email)).statusCode, 303);
    assert.equal((await own.submit('/console/mfa', '/console/mfa/enrol', {})).statusCode, 303);
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec((await own.get('/console/mfa')).body)![1]!;
    const totp = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s+/g, '')), digits: 6, period: 30 });
    const code = () => totp.generate({ timestamp: c.env.clock.now().getTime() });
    assert.equal(
      (await own.submit('/console/mfa', '/console/mfa/confirm', { code: code() })).statusCode,
      200,
    );
    own.cookies.delete('sg_session');

    // Someone else behind the shared address locks it for browsers that never signed in.
    await fail(SHARED, 'guess%@clinic.example', IP_RULE.threshold);
    assert.equal((await c.browser({ ip: SHARED }).login(email)).statusCode, 429, 'the address is locked');

    c.env.clock.advance(30_000);
    const step = await own.login(email);
    assert.equal(step.headers.location, '/console/login/mfa', 'her browser passes the password step');
    const done = await own.submit('/console/login/mfa', '/console/login/mfa', { code: code() });
    assert.equal(done.statusCode, 303, 'and the code step');
    assert.equal(done.headers.location, '/console');
    // A signed-in person's password re-check is not refused by the address's lock either.
    const regen = await own.submit('/console/mfa', '/console/mfa/recovery-codes', { password: PASSWORD });
    assert.equal(regen.statusCode, 200);
  });
});

/**
 * Client addresses behind a reverse proxy (SOGLASIE_TRUST_PROXY=127.0.0.1, nginx on the same
 * machine): the address is taken from X-Forwarded-For only when the connection comes from the
 * trusted proxy, and then it is the entry the proxy added, never one the client wrote. Consent
 * evidence, the audit log and the rate limits all see that address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConsoleEnv, type ConsoleEnv } from '../src/console/shared/console.testing.ts';
import { createSiteEnv, formTokenOf, type SiteEnv } from '../src/web/web.testing.ts';

const PROXY = '127.0.0.1';
const ENV = { SOGLASIE_TRUST_PROXY: PROXY, SOGLASIE_INTAKE_RATE_LIMIT: '3' };

describe('client addresses behind a trusted proxy', () => {
  let s: SiteEnv;
  let n = 0;
  before(async () => {
    s = await createSiteEnv({ env: ENV });
    await s.publish();
  });
  after(() => s?.close());

  /** A callback submission over a connection from `peer` with these forwarding headers. */
  const submit = async (peer: string, xff: string | undefined) => {
    const headers = { host: 'localhost', ...(xff ? { 'x-forwarded-for': xff } : {}) };
    const page = await s.app.inject({ method: 'GET', url: '/callback', remoteAddress: peer, headers });
    const token = formTokenOf(page.body, '/forms/callback');
    s.env.clock.advance(10_000);
    n += 1;
    return s.app.inject({
      method: 'POST',
      url: '/forms/callback',
      remoteAddress: peer,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _form_token: token,
        name: `Пациент ${n}`,
        phone: `+7912${String(3_000_000 + n).slice(-7)}`,
        consent_processing: 'yes',
      }).toString(),
    });
  };
  const lastConsentIp = async () => {
    const admin = await s.env.admin();
    const { rows } = await admin.query<{ ip: string }>(
      'SELECT ip FROM consent_records ORDER BY given_at DESC, id DESC LIMIT 1',
    );
    return rows[0]?.ip;
  };

  it('takes the address the trusted proxy added; the entries a client wrote before it are ignored', async () => {
    assert.equal((await submit(PROXY, '203.0.113.10')).statusCode, 303);
    assert.equal(await lastConsentIp(), '203.0.113.10');
    // nginx's $proxy_add_x_forwarded_for appends the peer to what the client sent.
    assert.equal((await submit(PROXY, '6.6.6.6, 10.9.9.9, 203.0.113.11')).statusCode, 303);
    assert.equal(await lastConsentIp(), '203.0.113.11');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    assert.equal((await submit('198.51.100.20', '203.0.113.12')).statusCode, 303);
    assert.equal(await lastConsentIp(), '198.51.100.20');
  });

  it('a rotated, forged X-Forwarded-For does not get past the per-address limit', async () => {
    // Straight to the app, not through the proxy: the header is not believed at all.
    const direct = [];
    for (let k = 0; k < 4; k++) direct.push((await submit('198.51.100.21', `192.0.2.${k}`)).statusCode);
    assert.deepEqual(direct, [303, 303, 303, 429]);
    // Through the proxy, with forged entries in front of the one it added.
    const proxied = [];
    for (let k = 0; k < 4; k++) {
      proxied.push((await submit(PROXY, `192.0.2.${k}, 203.0.113.13`)).statusCode);
    }
    assert.deepEqual(proxied, [303, 303, 303, 429]);
    // Another client behind the same proxy is not affected.
    assert.equal((await submit(PROXY, '203.0.113.14')).statusCode, 303);
  });
});

describe('the audit source of a sign-in behind a trusted proxy', () => {
  let c: ConsoleEnv;
  before(async () => {
    c = await createConsoleEnv({ env: ENV });
    const op = await c.createOperator();
    await c.createStaff({ email: 'olga@clinic.example', roles: [{ operatorId: op, role: 'agent' }] });
  });
  after(() => c?.close());

  it('is the client address the proxy gave, not one the client wrote', async () => {
    const viaProxy = c.browser({ ip: PROXY });
    const _csrf = await viaProxy.csrfFrom('/console/login');
    const res = await viaProxy.post(
      '/console/login',
      { _csrf, email: 'olga@clinic.example', password: 'не-тот-пароль-1' },
      { 'x-forwarded-for': '6.6.6.6, 203.0.113.30' },
    );
    assert.equal(res.statusCode, 401);
    const forged = c.browser({ ip: '198.51.100.30' });
    const csrf2 = await forged.csrfFrom('/console/login');
    await forged.post(
      '/console/login',
      { _csrf: csrf2, email: 'olga@clinic.example', password: 'не-тот-пароль-2' },
      { 'x-forwarded-for': '6.6.6.7' },
    );
    const admin = await c.env.admin();
    const { rows } = await admin.query<{ source: string }>(
      "SELECT source FROM audit_log WHERE action = 'staff.login' ORDER BY id",
    );
    assert.deepEqual(
      rows.map((r) => r.source),
      ['203.0.113.30', '198.51.100.30'],
    );
  });
});

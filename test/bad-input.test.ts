/**
 * Hostile input against the real endpoints of this foundation: the operators API (JSON) and the
 * console's sign-in form. Every request gets a clear 4xx with an error code, never a 500, and the
 * database is exactly as it was before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from './harness.ts';
import { Browser, csrfOf } from '../src/console/shared/console.testing.ts';
import { renderHtmlError } from '../src/console/index.ts';
import { SURFACES } from '../src/composition/surfaces.ts';
import { ensureDemoOperator } from '../src/cli/demo-data.ts';
import { systemPrincipal } from '../src/modules/staff/index.ts';
import type { App } from '../src/app.ts';

const STAFF = { email: 'admin.badinput@clinic.example', password: 'достаточно-длинный-пароль' };

describe('bad input on real endpoints', () => {
  let env: TestEnv;
  let app: App;
  let operatorId: string;
  let browser: Browser;
  let csrf: string;

  /** Operators, sites, staff and sessions as text: what "nothing was written" compares. */
  async function snapshot(): Promise<string> {
    const admin = await env.admin();
    const { rows } = await admin.query<{ t: string }>(
      `SELECT (SELECT json_agg(o ORDER BY id)::text FROM operators o) ||
              (SELECT json_agg(s ORDER BY id)::text FROM sites s) ||
              (SELECT json_agg(st ORDER BY id)::text FROM staff st) AS t`,
    );
    return rows[0]!.t;
  }

  before(async () => {
    env = await createTestEnv({ env: { SOGLASIE_BODY_LIMIT_BYTES: '4096' } });
    app = await env.app({ surfaces: SURFACES, renderHtmlError });
    ({ operatorId } = await ensureDemoOperator(env.ctx));
    await env.ctx.services.staff.create(systemPrincipal('test'), {
      email: STAFF.email,
      displayName: 'Админ',
      password: STAFF.password,
      installationAdmin: false,
      roles: [{ operatorId, role: 'administrator' }],
    });
    browser = new Browser(app, '198.51.100.9');
    assert.equal((await browser.login(STAFF.email, STAFF.password)).statusCode, 303);
    csrf = csrfOf((await browser.get('/console')).body);
  });
  after(() => env.close());

  function send(method: 'PATCH' | 'POST', url: string, payload: string | Buffer, contentType: string) {
    return browser.api(method, url, { csrf, payload, contentType });
  }

  const json = 'application/json';
  const cases: {
    name: string;
    method: 'PATCH' | 'POST';
    path: string;
    body: string | Buffer;
    type?: string;
    status: number;
    code: string;
  }[] = [
    {
      name: 'malformed JSON',
      method: 'PATCH',
      path: '',
      body: '{"shortName": "x"',
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'JSON that is not an object',
      method: 'PATCH',
      path: '',
      body: '[1,2,3]',
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'wrong content type',
      method: 'PATCH',
      path: '',
      body: 'shortName=x',
      type: 'text/plain',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'a form where JSON is expected',
      method: 'PATCH',
      path: '',
      body: 'shortName=x',
      type: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'oversized body',
      method: 'PATCH',
      path: '',
      body: JSON.stringify({ shortName: 'я'.repeat(5000) }),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'unknown field',
      method: 'PATCH',
      path: '',
      body: JSON.stringify({ shortName: 'x', isAdmin: true }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'invalid UTF-8',
      method: 'PATCH',
      path: '',
      body: Buffer.concat([
        Buffer.from('{"shortName": "'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}'),
      ]),
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'raw NUL',
      method: 'PATCH',
      path: '',
      body: '{"shortName": "a\u0000b"}',
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'escaped NUL',
      method: 'PATCH',
      path: '',
      body: '{"shortName": "a\\u0000b"}',
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'wrong types',
      method: 'PATCH',
      path: '',
      body: JSON.stringify({ requireMfa: 'yes', inn: 7701 }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'an INN with a wrong check digit',
      method: 'PATCH',
      path: '',
      body: JSON.stringify({ inn: '7701234568', shortName: 'half' }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'prototype pollution',
      method: 'PATCH',
      path: '',
      body: '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}',
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'a site with markup for a domain',
      method: 'POST',
      path: '/sites',
      body: JSON.stringify({ domain: '<script>alert(1)</script>', title: 'x' }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'a site with a 10 kB title',
      method: 'POST',
      path: '/sites',
      body: JSON.stringify({ domain: 'ok.example', title: 'ж'.repeat(1500) }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'a site missing its domain',
      method: 'POST',
      path: '/sites',
      body: JSON.stringify({ title: 'x' }),
      status: 400,
      code: 'validation_failed',
    },
  ];

  for (const c of cases) {
    it(`answers ${c.name} with ${c.status} ${c.code} and writes nothing`, async () => {
      const before = await snapshot();
      const res = await send(c.method, `/api/v1/operators/${operatorId}${c.path}`, c.body, c.type ?? json);
      assert.equal(res.statusCode, c.status, res.body);
      const body = res.json<{ error: { code: string; correlationId: string } }>();
      assert.equal(body.error.code, c.code);
      assert.ok(body.error.correlationId);
      assert.equal(await snapshot(), before);
    });
  }

  it('answers hostile sign-in forms with 4xx and no session', async () => {
    const anon = new Browser(app, '198.51.100.10');
    const token = await anon.csrfFrom('/console/login');
    const forms: [string, string][] = [
      ['invalid percent-encoding', `_csrf=${token}&email=%FF%FE&password=x`],
      ['NUL', `_csrf=${token}&email=a%00b%40c.example&password=x`],
      ['unknown field', `_csrf=${token}&email=a%40b.example&password=x&role=administrator`],
      ['10 kB e-mail', `_csrf=${token}&email=${'a'.repeat(3000)}%40b.example&password=x`],
    ];
    const before = await snapshot();
    for (const [name, payload] of forms) {
      const res = await app.inject({
        method: 'POST',
        url: '/console/login',
        remoteAddress: anon.ip,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [...anon.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          accept: 'text/html',
        },
        payload,
      });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode}`);
      assert.ok(!res.cookies.some((k) => k.name === 'sg_session' && k.value !== ''), `${name}: no session`);
    }
    assert.equal(await snapshot(), before);
  });

  it('still works for good input afterwards (the refusals above were about the input)', async () => {
    const res = await send(
      'PATCH',
      `/api/v1/operators/${operatorId}`,
      JSON.stringify({ shortName: 'МЦ «Люкс»' }),
      json,
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.notEqual(await snapshot(), '');
  });
});

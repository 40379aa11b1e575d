// The operators API over real HTTP (app.inject) with the real staff session layer: staff sign in
// through the console, then call the JSON API with the session cookie and the CSRF header.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { registerConsole, renderHtmlError } from '../console/index.ts';
import { Browser } from '../console/shared/console.testing.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import type { OperatorDto } from '../modules/operators/index.ts';
import { registerApi } from './index.ts';

const PASSWORD = 'верный-пароль-2026';

describe('operators API', () => {
  let env: TestEnv;
  let app: App;
  let opA: OperatorDto;
  let opB: OperatorDto;
  const sessions: Record<'admin' | 'agent', { cookie: string; csrf: string }> = {
    admin: { cookie: '', csrf: '' },
    agent: { cookie: '', csrf: '' },
  };

  before(async () => {
    env = await createTestEnv();
    const system = systemPrincipal('test');
    const card = {
      inn: '6234000127',
      ogrn: '1256200001232',
      postalAddress: 'г. Рязань',
      responsiblePerson: 'Петрова М. И.',
      requestsEmail: 'pd@example.ru',
      requestsPostalAddress: 'г. Рязань',
    };
    opA = await env.ctx.services.operators.create(system, { slug: 'api-a', name: 'А', ...card });
    opB = await env.ctx.services.operators.create(system, { slug: 'api-b', name: 'Б', ...card });
    for (const [who, role] of [
      ['admin', 'administrator'],
      ['agent', 'agent'],
    ] as const) {
      await env.ctx.services.staff.create(system, {
        email: `${who}@clinic.example`,
        displayName: who,
        password: PASSWORD,
        installationAdmin: false,
        roles: [{ operatorId: opA.id, role }],
      });
    }
    app = await env.app({
      surfaces: [registerConsole, registerApi],
      renderHtmlError,
    });
    for (const who of ['admin', 'agent'] as const) {
      const b = new Browser(app, '127.0.0.1');
      const res = await b.login(`${who}@clinic.example`);
      assert.equal(res.statusCode, 303, `sign-in of ${who}`);
      const home = await b.get('/console');
      const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(home.body)?.[1];
      assert.ok(csrf);
      sessions[who] = { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), csrf };
    }
  });
  after(() => env.close());

  const call = (
    method: 'GET' | 'PATCH' | 'POST' | 'DELETE',
    url: string,
    who: 'admin' | 'agent' | undefined,
    body?: object,
    opts: { csrf?: boolean } = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        accept: 'application/json',
        ...(who ? { cookie: sessions[who].cookie } : {}),
        ...(who && opts.csrf !== false ? { 'x-csrf-token': sessions[who].csrf } : {}),
      },
      ...(body !== undefined ? { payload: body } : {}),
    });

  it('lists and shows only the caller’s operators', async () => {
    const list = await call('GET', '/api/v1/operators', 'agent');
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json<{ operators: OperatorDto[] }>().operators.map((o) => o.slug),
      ['api-a'],
    );
    const one = await call('GET', `/api/v1/operators/${opA.id}`, 'agent');
    assert.equal(one.statusCode, 200);
    assert.equal(one.json<OperatorDto>().inn, '6234000127');
    assert.equal((await call('GET', `/api/v1/operators/${opB.id}`, 'agent')).statusCode, 403);
    assert.equal((await call('GET', '/api/v1/operators/not-a-uuid', 'agent')).statusCode, 400);
    assert.equal((await call('GET', '/api/v1/operators', undefined)).statusCode, 401);
  });

  it('patches with a strict body and needs the CSRF header', async () => {
    const url = `/api/v1/operators/${opA.id}`;
    const ok = await call('PATCH', url, 'admin', { requestsEmail: 'privacy@example.ru' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json<OperatorDto>().requestsEmail, 'privacy@example.ru');

    const unknown = await call('PATCH', url, 'admin', { requestsEmail: 'x@example.ru', isAdmin: true });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /isAdmin/);

    const badInn = await call('PATCH', url, 'admin', { inn: '6234000128' });
    assert.equal(badInn.statusCode, 400);
    const err = badInn.json<{ error: { code: string; fields: { path: string }[] } }>().error;
    assert.equal(err.code, 'validation_failed');
    assert.deepEqual(
      err.fields.map((f) => f.path),
      ['inn'],
    );

    assert.equal((await call('PATCH', url, 'agent', { name: 'x' })).statusCode, 403);
    const noCsrf = await call('PATCH', url, 'admin', { name: 'x' }, { csrf: false });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(noCsrf.json<{ error: { code: string } }>().error.code, 'csrf_failed');
    const changed = await env.ctx.services.operators.get(systemPrincipal('t'), opA.id);
    assert.equal(changed.name, 'А');
    assert.equal(changed.requestsEmail, 'privacy@example.ru');
  });

  it('adds a site (201), refuses a duplicate (409) and removes it (204)', async () => {
    const url = `/api/v1/operators/${opA.id}/sites`;
    const created = await call('POST', url, 'admin', { domain: 'Пример.РФ' });
    assert.equal(created.statusCode, 201);
    const site = created.json<{ id: string; domain: string }>();
    assert.equal(site.domain, 'xn--e1afmkfd.xn--p1ai');
    const dup = await call('POST', url, 'admin', { domain: 'xn--e1afmkfd.xn--p1ai' });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json<{ error: { code: string } }>().error.code, 'conflict');
    assert.equal((await call('POST', url, 'admin', { domain: 'bad domain' })).statusCode, 400);
    assert.equal(
      (await call('POST', `/api/v1/operators/${opB.id}/sites`, 'admin', { domain: 'b.ru' })).statusCode,
      403,
    );
    assert.equal(
      (await call('DELETE', `${url}/${site.id}`, 'admin', undefined, { csrf: false })).statusCode,
      403,
    );
    const del = await call('DELETE', `${url}/${site.id}`, 'admin');
    assert.equal(del.statusCode, 204);
    assert.equal((await call('DELETE', `${url}/${site.id}`, 'admin')).statusCode, 404);
  });
});

// The routes over real HTTP (app.inject) with a stand-in for the staff session layer: a header
// names the principal. The real session and CSRF checks are tested where they live.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import type { App } from '../../app.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { systemPrincipal, type Principal } from '../staff/access.ts';
import { operatorsApi, type OperatorDto, type StaffAuth } from './index.ts';

describe('operators API', () => {
  let env: TestEnv;
  let app: App;
  let opA: OperatorDto;
  let opB: OperatorDto;
  const principals = new Map<string, Principal>();

  const auth: StaffAuth = {
    requireStaff: async (req) => {
      if (!principals.has(String(req.headers['x-test-staff']))) {
        throw new AppError(ErrorCode.Unauthenticated, 'Sign in first');
      }
    },
    requireCsrf: async (req) => {
      if (req.headers['x-csrf-token'] !== 'good') throw new AppError(ErrorCode.CsrfFailed, 'CSRF');
    },
    principalOf: (req: FastifyRequest) => principals.get(String(req.headers['x-test-staff']))!,
  };

  before(async () => {
    env = await createTestEnv();
    const system = systemPrincipal('test');
    const base = {
      inn: '6234000127',
      ogrn: '1256200001232',
      postalAddress: 'г. Рязань',
      responsiblePerson: 'Петрова М. И.',
      requestsEmail: 'pd@example.ru',
      requestsPostalAddress: 'г. Рязань',
    };
    opA = await env.ctx.services.operators.create(system, { slug: 'api-a', name: 'А', ...base });
    opB = await env.ctx.services.operators.create(system, { slug: 'api-b', name: 'Б', ...base });
    const staff = (roles: Record<string, 'agent' | 'administrator'>): Principal => ({
      kind: 'staff',
      staffId: '5f0c1e9a-0000-4000-8000-000000000001',
      roles: new Map(Object.entries(roles).map(([op, r]) => [op, new Set([r])])),
      installationAdmin: false,
      source: '203.0.113.9',
    });
    principals.set('admin-a', staff({ [opA.id]: 'administrator' }));
    principals.set('agent-a', staff({ [opA.id]: 'agent' }));
    app = await env.app({ surfaces: [operatorsApi(auth)] });
  });
  after(() => env.close());

  const call = (
    method: 'GET' | 'PATCH' | 'POST' | 'DELETE',
    url: string,
    who: string | undefined,
    body?: unknown,
  ) =>
    app.inject({
      method,
      url,
      headers: { ...(who ? { 'x-test-staff': who } : {}), 'x-csrf-token': 'good' },
      ...(body !== undefined ? { payload: body as object } : {}),
    });

  it('lists and shows only the caller’s operators', async () => {
    const list = await call('GET', '/api/v1/operators', 'agent-a');
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json<{ operators: OperatorDto[] }>().operators.map((o) => o.slug),
      ['api-a'],
    );
    const one = await call('GET', `/api/v1/operators/${opA.id}`, 'agent-a');
    assert.equal(one.statusCode, 200);
    assert.equal(one.json<OperatorDto>().inn, '6234000127');
    assert.equal((await call('GET', `/api/v1/operators/${opB.id}`, 'agent-a')).statusCode, 403);
    assert.equal((await call('GET', '/api/v1/operators/not-a-uuid', 'agent-a')).statusCode, 400);
    assert.equal((await call('GET', '/api/v1/operators', undefined)).statusCode, 401);
  });

  it('patches with a strict body and needs CSRF', async () => {
    const url = `/api/v1/operators/${opA.id}`;
    const ok = await call('PATCH', url, 'admin-a', { requestsEmail: 'privacy@example.ru' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json<OperatorDto>().requestsEmail, 'privacy@example.ru');

    const unknown = await call('PATCH', url, 'admin-a', { requestsEmail: 'x@example.ru', isAdmin: true });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /isAdmin/);

    const badInn = await call('PATCH', url, 'admin-a', { inn: '6234000128' });
    assert.equal(badInn.statusCode, 400);
    const err = badInn.json<{ error: { code: string; fields: { path: string }[] } }>().error;
    assert.equal(err.code, 'validation_failed');
    assert.deepEqual(
      err.fields.map((f) => f.path),
      ['inn'],
    );

    assert.equal((await call('PATCH', url, 'agent-a', { name: 'x' })).statusCode, 403);
    const noCsrf = await app.inject({
      method: 'PATCH',
      url,
      headers: { 'x-test-staff': 'admin-a' },
      payload: { name: 'x' },
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(noCsrf.json<{ error: { code: string } }>().error.code, 'csrf_failed');
    assert.equal((await env.ctx.services.operators.get(systemPrincipal('t'), opA.id)).name, 'А');
  });

  it('adds a site (201), refuses a duplicate (409) and removes it (204)', async () => {
    const url = `/api/v1/operators/${opA.id}/sites`;
    const created = await call('POST', url, 'admin-a', { domain: 'Пример.РФ' });
    assert.equal(created.statusCode, 201);
    const site = created.json<{ id: string; domain: string }>();
    assert.equal(site.domain, 'xn--e1afmkfd.xn--p1ai');
    const dup = await call('POST', url, 'admin-a', { domain: 'xn--e1afmkfd.xn--p1ai' });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json<{ error: { code: string } }>().error.code, 'conflict');
    assert.equal((await call('POST', url, 'admin-a', { domain: 'bad domain' })).statusCode, 400);
    const del = await call('DELETE', `${url}/${site.id}`, 'admin-a');
    assert.equal(del.statusCode, 204);
    assert.equal((await call('DELETE', `${url}/${site.id}`, 'admin-a')).statusCode, 404);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import type { App } from '../app.ts';
import type { ApiKeyScope } from '../modules/apikeys/index.ts';
import type { InboxItem, IntakeService } from '../modules/inquiries/index.ts';
import { assertNoPersonalDataInLogs } from '../../test/log-check.ts';
import {
  callback,
  insertOperatorWithSite,
  staffPrincipal,
  type TestOperator,
} from '../modules/inquiries/intake.testing.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { intakeWithWebhooks } from '../modules/webhooks/webhooks.testing.ts';
import { publicApi } from './api.routes.ts';

const CLI = systemPrincipal('cli');
const NAME = 'Анна Иванова';
const PHONE_DIGITS = '9123456789';

describe('/api/v1 inquiries and subjects with API keys', () => {
  let env: TestEnv;
  let app: App;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  const keys: Record<string, { key: string; id: string }> = {};
  // Inquiries of operator A, oldest first.
  const ids: string[] = [];

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  async function key(name: string, scopes: ApiKeyScope[], operatorId = a.operatorId) {
    keys[name] = await env.ctx.services.apiKeys.create(CLI, operatorId, { name, scopes });
  }

  const call = (
    name: string | undefined,
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...(name ? { authorization: `Bearer ${keys[name]!.key}` } : {}),
        ...(payload !== undefined && typeof payload !== 'string'
          ? { 'content-type': 'application/json' }
          : {}),
        ...headers,
      },
      ...(payload === undefined
        ? {}
        : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });

  async function submit(op: TestOperator, over: Parameters<typeof callback>[1] = {}): Promise<string> {
    env.clock.advance(1000);
    const r = await intake.submit(
      callback(op, { fields: { name: NAME, phone: '+7 912 345-67-89' }, ...over }),
    );
    assert.equal(r.kind, 'created');
    return (r as { inquiryId: string }).inquiryId;
  }

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'api-a');
    b = await insertOperatorWithSite(env, 'api-b');
    intake = intakeWithWebhooks(env, [a, b]);
    app = await env.app({ surfaces: [(a, ctx) => publicApi(a, ctx.services)] });
    await key('read', ['inquiries:read']);
    await key('status', ['inquiries:status']);
    await key('subjects', ['subjects:read']);
    await key('write', ['inquiries:write']);
    await key('all', ['inquiries:read', 'inquiries:status', 'subjects:read']);
    for (let i = 0; i < 5; i++) ids.push(await submit(a));
    await submit(b);
  });
  after(() => env.close());

  it('refuses a request without a valid key with 401, before looking at its body', async () => {
    const none = await call(undefined, 'GET', '/api/v1/inquiries');
    assert.equal(none.statusCode, 401);
    assert.equal(none.json<{ error: { code: string } }>().error.code, 'unauthenticated');
    const forged = await app.inject({
      method: 'GET',
      url: '/api/v1/inquiries',
      headers: { authorization: `Bearer ${keys.read!.key.slice(0, -2)}xx` },
    });
    assert.equal(forged.statusCode, 401);
    assert.equal(
      forged.json<{ error: { message: string } }>().error.message,
      none.json<{ error: { message: string } }>().error.message,
    );
    const badBody = await call(undefined, 'POST', `/api/v1/inquiries/${ids[0]}/status`, { nonsense: true });
    assert.equal(badBody.statusCode, 401);
    await env.ctx.services.apiKeys.revoke(CLI, keys.write!.id);
    assert.equal((await call('write', 'GET', '/api/v1/inquiries')).statusCode, 401, 'a revoked key');
    await key('write', ['inquiries:write']);
  });

  it('answers 403 for a key without the route’s scope', async () => {
    const inquiryId = ids[0]!;
    const [subject] = await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [
      inquiryId,
    ]);
    const cases: [string, 'GET' | 'POST', string, unknown][] = [
      ['write', 'GET', '/api/v1/inquiries', undefined],
      ['status', 'GET', '/api/v1/inquiries', undefined],
      ['write', 'GET', `/api/v1/inquiries/${inquiryId}`, undefined],
      ['status', 'GET', `/api/v1/inquiries/${inquiryId}`, undefined],
      ['read', 'POST', `/api/v1/inquiries/${inquiryId}/status`, { status: 'in_progress' }],
      ['read', 'GET', `/api/v1/subjects/${subject!.subject_id}`, undefined],
      ['status', 'GET', `/api/v1/subjects/${subject!.subject_id}`, undefined],
    ];
    for (const [k, method, url, payload] of cases) {
      const res = await call(k, method, url, payload);
      assert.equal(res.statusCode, 403, `${k} ${method} ${url}`);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'forbidden');
    }
    const [row] = await q<{ status: string }>('SELECT status FROM inquiries WHERE id = $1', [inquiryId]);
    assert.equal(row!.status, 'new');
  });

  it('lists the key’s operator’s inquiries newest first, filtered and in pages, without personal data', async () => {
    const first = await call('read', 'GET', '/api/v1/inquiries?limit=2');
    assert.equal(first.statusCode, 200);
    const p1 = first.json<{ items: InboxItem[]; nextCursor: string | null }>();
    assert.deepEqual(
      p1.items.map((i) => i.id),
      [ids[4], ids[3]],
    );
    assert.ok(p1.nextCursor);
    const p2 = (await call('read', 'GET', `/api/v1/inquiries?limit=2&cursor=${p1.nextCursor}`)).json<{
      items: InboxItem[];
      nextCursor: string | null;
    }>();
    assert.deepEqual(
      p2.items.map((i) => i.id),
      [ids[2], ids[1]],
    );
    const p3 = (await call('read', 'GET', `/api/v1/inquiries?limit=2&cursor=${p2.nextCursor}`)).json<{
      items: InboxItem[];
      nextCursor: string | null;
    }>();
    assert.deepEqual(
      p3.items.map((i) => i.id),
      [ids[0]],
    );
    assert.equal(p3.nextCursor, null);
    for (const body of [first.body]) {
      assert.equal(body.includes('Анна'), false);
      assert.equal(body.includes(PHONE_DIGITS), false);
    }
    assert.ok(p1.items.every((i) => i.operatorId === a.operatorId));

    await env.ctx.services.inquiries.changeStatus(
      staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] }),
      a.operatorId,
      ids[1]!,
      { to: 'waiting_patient' },
    );
    const waiting = (await call('read', 'GET', '/api/v1/inquiries?status=waiting_patient')).json<{
      items: InboxItem[];
    }>();
    assert.deepEqual(
      waiting.items.map((i) => i.id),
      [ids[1]],
    );
    const web = (
      await call(
        'read',
        'GET',
        `/api/v1/inquiries?channel=web_form&formId=callback&siteId=${a.siteId}&assignee=none`,
      )
    ).json<{
      items: InboxItem[];
    }>();
    assert.equal(web.items.length, 5);
    const phone = (await call('read', 'GET', '/api/v1/inquiries?channel=phone')).json<{
      items: InboxItem[];
    }>();
    assert.equal(phone.items.length, 0);
    const overdue = await call('read', 'GET', '/api/v1/inquiries?overdue=false');
    assert.equal(overdue.statusCode, 200);
    // By first-contact due time: the earliest arrivals are due first; pages keep that order.
    const due1 = (await call('read', 'GET', '/api/v1/inquiries?sort=due&limit=3')).json<{
      items: InboxItem[];
      nextCursor: string;
    }>();
    const due2 = (
      await call('read', 'GET', `/api/v1/inquiries?sort=due&limit=3&cursor=${due1.nextCursor}`)
    ).json<{ items: InboxItem[] }>();
    assert.deepEqual(
      [...due1.items, ...due2.items].map((i) => i.id),
      ids,
    );
  });

  it('refuses malformed list parameters with 400 naming the parameter', async () => {
    for (const [qs, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['status=closed', 'status'],
      ['siteId=not-a-uuid', 'siteId'],
      ['overdue=yes', 'overdue'],
      ['operatorId=' + b.operatorId, 'operatorId'],
      ['status=new&status=done', 'status'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['sort=oldest', 'sort'],
    ] as const) {
      const res = await call('read', 'GET', `/api/v1/inquiries?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      const e = res.json<{ error: { fields?: { path: string }[] } }>().error;
      assert.ok(
        e.fields?.some((f) => f.path === field),
        `${qs}: ${JSON.stringify(e.fields)}`,
      );
    }
  });

  it('reads one inquiry decrypted, with an audit entry naming the key', async () => {
    const id = ids[2]!;
    const res = await call('read', 'GET', `/api/v1/inquiries/${id}`);
    assert.equal(res.statusCode, 200);
    const view = res.json<{
      id: string;
      subject: { name: string; phone: string };
      fields: Record<string, string>;
    }>();
    assert.equal(view.id, id);
    assert.equal(view.subject.name, NAME);
    assert.equal(view.subject.phone, '+79123456789');
    assert.equal(res.headers['cache-control'], 'no-store', 'decrypted personal data is never cached');
    const entries = await q<{ actor_type: string; actor_id: string; operator_id: string }>(
      "SELECT actor_type, actor_id, operator_id FROM audit_log WHERE action = 'inquiry.read' AND object_id = $1",
      [id],
    );
    assert.deepEqual(entries, [
      { actor_type: 'api_key', actor_id: keys.read!.id, operator_id: a.operatorId },
    ]);
    assert.equal((await call('read', 'GET', `/api/v1/inquiries/${randomUUID()}`)).statusCode, 404);
    assert.equal((await call('read', 'GET', '/api/v1/inquiries/not-a-uuid')).statusCode, 400);
  });

  it('marks every /api/v1 answer no-store: lists, status changes and errors too', async () => {
    const answers = [
      await call('read', 'GET', '/api/v1/inquiries?limit=2'),
      await call('status', 'POST', `/api/v1/inquiries/${ids[1]!}/status`, { status: 'in_progress' }),
      await call('read', 'GET', `/api/v1/inquiries/${randomUUID()}`),
      await call(undefined, 'GET', '/api/v1/inquiries'),
    ];
    assert.deepEqual(
      answers.map((r) => [r.statusCode, r.headers['cache-control']]),
      [
        [200, 'no-store'],
        [200, 'no-store'],
        [404, 'no-store'],
        [401, 'no-store'],
      ],
    );
  });

  it('changes a status (queuing its webhook), and refuses bad bodies with a 4xx writing nothing', async () => {
    const { endpoint } = await env.ctx.services.webhooks.createEndpoint(
      staffPrincipal(randomUUID(), { [a.operatorId]: ['administrator'] }),
      a.operatorId,
      { url: 'https://crm.example/hooks', events: ['inquiry.status_changed'] },
    );
    const id = ids[3]!;
    const url = `/api/v1/inquiries/${id}/status`;
    const state = async () => ({
      status: (await q<{ status: string }>('SELECT status FROM inquiries WHERE id = $1', [id]))[0]!.status,
      events: (await q('SELECT id FROM inquiry_events WHERE inquiry_id = $1', [id])).length,
      hooks: (
        await q('SELECT id FROM webhook_deliveries WHERE inquiry_id = $1 AND endpoint_id = $2', [
          id,
          endpoint.id,
        ])
      ).length,
    });
    const before = await state();
    const bad: [unknown, number, string?][] = [
      [{ status: 'in_progress', extra: 1 }, 400, 'extra'],
      [{ status: 42 }, 400, 'status'],
      [{ status: 'closed' }, 400, 'status'],
      [{}, 400, 'status'],
      [{ status: 'rejected' }, 400, 'reason'],
      [{ status: 'done', reason: 'duplicate' }, 400, 'reason'],
      [{ status: 'rejected', reason: 'Пациентка Анна сказала' }, 400, 'reason'],
      ['{"status":', 400],
      [JSON.stringify({ status: 'in_progress', pad: 'x'.repeat(5000) }), 413],
      ['[]', 400],
    ];
    for (const [payload, code, field] of bad) {
      const res = await call(
        'status',
        'POST',
        url,
        payload,
        typeof payload === 'string' ? { 'content-type': 'application/json' } : {},
      );
      assert.equal(res.statusCode, code, JSON.stringify(payload).slice(0, 60));
      if (field) {
        const fields = res.json<{ error: { fields?: { path: string }[] } }>().error.fields ?? [];
        assert.ok(
          fields.some((f) => f.path === field),
          `${field}: ${JSON.stringify(fields)}`,
        );
      }
      assert.equal(res.body.includes('Анна'), false, 'errors do not echo input');
    }
    const form = await call('status', 'POST', url, 'status=done', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(form.statusCode, 415);
    assert.deepEqual(await state(), before, 'nothing written');

    const ok = await call('status', 'POST', url, { status: 'in_progress' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { status: 'in_progress', changed: true });
    const after1 = await state();
    assert.deepEqual(after1, { status: 'in_progress', events: before.events + 1, hooks: before.hooks + 1 });
    const [entry] = await q<{ actor_type: string; actor_id: string }>(
      "SELECT actor_type, actor_id FROM audit_log WHERE action = 'inquiry.status' AND object_id = $1",
      [id],
    );
    assert.deepEqual(entry, { actor_type: 'api_key', actor_id: keys.status!.id });
    const again = await call('status', 'POST', url, { status: 'in_progress' });
    assert.deepEqual(again.json(), { status: 'in_progress', changed: false });
    assert.deepEqual(await state(), after1);
    const rejected = await call('status', 'POST', url, { status: 'rejected', reason: 'duplicate' });
    assert.deepEqual(rejected.json(), { status: 'rejected', changed: true });
    assert.equal(
      (await call('status', 'POST', `/api/v1/inquiries/${randomUUID()}/status`, { status: 'done' }))
        .statusCode,
      404,
    );
  });

  it('reads a patient’s card decrypted, audited with the key as the actor', async () => {
    const [row] = await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [ids[0]]);
    const subjectId = row!.subject_id;
    const res = await call('subjects', 'GET', `/api/v1/subjects/${subjectId}`);
    assert.equal(res.statusCode, 200);
    const s = res.json<{ id: string; operatorId: string; name: string; phone: string }>();
    assert.deepEqual([s.id, s.operatorId, s.name, s.phone], [subjectId, a.operatorId, NAME, '+79123456789']);
    assert.equal(res.headers['cache-control'], 'no-store');
    const entries = await q<{ actor_id: string }>(
      "SELECT actor_id FROM audit_log WHERE action = 'subject.read' AND object_id = $1 AND actor_type = 'api_key'",
      [subjectId],
    );
    assert.deepEqual(entries, [{ actor_id: keys.subjects!.id }]);
    assert.equal((await call('subjects', 'GET', `/api/v1/subjects/${randomUUID()}`)).statusCode, 404);
  });

  it('never writes the patient’s data to the logs', () => {
    assertNoPersonalDataInLogs(env.logs, ['Анна', PHONE_DIGITS, keys.read!.key]); // nor a key
  });
});

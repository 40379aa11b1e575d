import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { SURFACES } from '../composition/surfaces.ts';
import { renderHtmlError } from '../console/index.ts';
import type { InboxItem, IntakeService } from '../modules/inquiries/index.ts';
import {
  callback,
  insertOperatorWithSite,
  staffPrincipal,
  type TestOperator,
} from '../modules/inquiries/intake.testing.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { intakeWithWebhooks } from '../modules/webhooks/webhooks.testing.ts';

/**
 * Tenant isolation through the API: a key of operator A, with every scope, gets 404 for every
 * inquiry and patient of operator B (reads and status changes alike), exactly the answer an
 * unknown id gets, and nothing of B changes; B's inquiries never appear in A's lists.
 */
describe('API keys are confined to their operator', () => {
  let env: TestEnv;
  let app: App;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let keyA: string;
  const inquiriesB: string[] = [];
  const subjectsB: string[] = [];
  const inquiriesA: string[] = [];

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${keyA}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });

  /** The parts of an error answer that could tell one 404 from another. */
  const shape = (res: Awaited<ReturnType<typeof call>>) => {
    const { error } = res.json<{ error: { code: string; message: string; fields?: unknown } }>();
    return { status: res.statusCode, code: error.code, message: error.message, fields: error.fields };
  };

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'iso-a');
    b = await insertOperatorWithSite(env, 'iso-b');
    intake = intakeWithWebhooks(env, [a, b]);
    // The whole app, as served: every surface that could answer under /api.
    app = await env.app({ surfaces: SURFACES, renderHtmlError });
    keyA = (
      await env.ctx.services.apiKeys.create(systemPrincipal('cli'), a.operatorId, {
        name: 'CRM A',
        scopes: ['inquiries:write', 'inquiries:read', 'inquiries:status', 'subjects:read'],
      })
    ).key;
    for (const [op, list] of [
      [a, inquiriesA],
      [b, inquiriesB],
      [b, inquiriesB],
      [b, inquiriesB],
    ] as const) {
      env.clock.advance(1000);
      const r = await intake.submit(callback(op));
      assert.equal(r.kind, 'created');
      list.push((r as { inquiryId: string }).inquiryId);
    }
    // One of B's inquiries is further along, another rejected: every state is covered.
    const agentB = staffPrincipal(randomUUID(), { [b.operatorId]: ['agent'] });
    await env.ctx.services.inquiries.changeStatus(agentB, b.operatorId, inquiriesB[1]!, {
      to: 'in_progress',
    });
    await env.ctx.services.inquiries.changeStatus(agentB, b.operatorId, inquiriesB[2]!, {
      to: 'spam',
      reason: 'advertising',
    });
    for (const id of inquiriesB) {
      const [row] = await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [id]);
      subjectsB.push(row!.subject_id);
    }
  });
  after(() => env.close());

  it('gets 404 for every inquiry and patient of another operator, like an unknown id, and changes nothing', async () => {
    const snapshot = () =>
      q(
        `SELECT i.id, i.status, i.status_changed_at, (SELECT count(*) FROM inquiry_events e WHERE e.inquiry_id = i.id) AS events
         FROM inquiries i WHERE i.operator_id = $1 ORDER BY i.id`,
        [b.operatorId],
      );
    const before = await snapshot();
    // Entries of B's operator, settled in the chain or still staged.
    const auditOfB = async () =>
      (
        await q<{ n: string }>(
          `SELECT (SELECT count(*) FROM audit_log WHERE operator_id = $1) +
                  (SELECT count(*) FROM audit_pending WHERE operator_id = $1) AS n`,
          [b.operatorId],
        )
      )[0]!.n;
    const auditBefore = await auditOfB();

    const unknown = randomUUID();
    const expected = {
      inquiry: shape(await call('GET', `/api/v1/inquiries/${unknown}`)),
      status: shape(await call('POST', `/api/v1/inquiries/${unknown}/status`, { status: 'done' })),
      subject: shape(await call('GET', `/api/v1/subjects/${unknown}`)),
    };
    assert.equal(expected.inquiry.status, 404);
    assert.equal(expected.status.status, 404);
    assert.equal(expected.subject.status, 404);

    for (const id of inquiriesB) {
      assert.deepEqual(shape(await call('GET', `/api/v1/inquiries/${id}`)), expected.inquiry, `GET ${id}`);
      for (const body of [
        { status: 'done' },
        { status: 'rejected', reason: 'duplicate' },
        { status: 'new' },
      ]) {
        assert.deepEqual(
          shape(await call('POST', `/api/v1/inquiries/${id}/status`, body)),
          expected.status,
          `POST status ${id} ${body.status}`,
        );
      }
    }
    for (const id of subjectsB) {
      assert.deepEqual(
        shape(await call('GET', `/api/v1/subjects/${id}`)),
        expected.subject,
        `GET subject ${id}`,
      );
    }

    assert.deepEqual(await snapshot(), before, 'nothing of B changed');
    assert.equal(await auditOfB(), auditBefore, 'no read of B was recorded, because none happened');
    const hooks = await q('SELECT id FROM webhook_deliveries WHERE operator_id = $1', [b.operatorId]);
    assert.equal(hooks.length, 0);
  });

  it('never lists another operator’s inquiries, whatever the filter', async () => {
    const all = await call('GET', '/api/v1/inquiries?limit=100');
    assert.equal(all.statusCode, 200);
    assert.deepEqual(
      all.json<{ items: InboxItem[] }>().items.map((i) => i.id),
      inquiriesA,
    );
    const bySite = await call('GET', `/api/v1/inquiries?siteId=${b.siteId}`);
    assert.deepEqual(bySite.json<{ items: InboxItem[] }>().items, []);
    for (const status of ['in_progress', 'spam']) {
      const res = await call('GET', `/api/v1/inquiries?status=${status}`);
      assert.deepEqual(res.json<{ items: InboxItem[] }>().items, [], status);
    }
    // A cursor made from B's newest inquiry reveals nothing either.
    const [row] = await q<{ key: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key FROM inquiries WHERE id = $1`,
      [inquiriesB[2]],
    );
    const cursor = Buffer.from(`${row!.key}|${inquiriesB[2]}`).toString('base64url');
    const paged = await call('GET', `/api/v1/inquiries?cursor=${cursor}`);
    assert.ok(
      paged.json<{ items: InboxItem[] }>().items.every((i) => i.operatorId === a.operatorId),
      'only A’s',
    );
  });
});

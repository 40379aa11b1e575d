import assert from 'node:assert/strict';
import { outboundGuard } from '../../platform/http/outbound-guard.ts';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { IntakeService } from '../inquiries/index.ts';
import {
  callback,
  insertOperatorWithSite,
  staffPrincipal,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import type { Principal } from '../staff/index.ts';
import { InquiryCreatedEvent, InquiryStatusChangedEvent } from './webhooks.schemas.ts';
import { checkUrl, WebhooksService } from './webhooks.service.ts';
import { intakeWithWebhooks } from './webhooks.testing.ts';

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.details?.fields?.[0]?.path, field);
    return true;
  });
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_type: string;
  inquiry_id: string;
  body: string;
  state: string;
  attempts: number;
  max_attempts: number;
}

describe('WebhooksService', () => {
  let env: TestEnv;
  let a: TestOperator;
  let b: TestOperator;
  let adminA: Principal;
  let adminB: Principal;
  let agentA: Principal;
  let intake: IntakeService;
  let webhooks: WebhooksService;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;
  const deliveries = (endpointId: string) =>
    q<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at, id', [
      endpointId,
    ]);

  async function submit(op: TestOperator): Promise<string> {
    const r = await intake.submit(callback(op));
    assert.equal(r.kind, 'created');
    return (r as { inquiryId: string }).inquiryId;
  }

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'hooks-a');
    b = await insertOperatorWithSite(env, 'hooks-b');
    adminA = staffPrincipal(randomUUID(), { [a.operatorId]: ['administrator'] });
    adminB = staffPrincipal(randomUUID(), { [b.operatorId]: ['administrator'] });
    agentA = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    intake = intakeWithWebhooks(env, [a, b]);
    webhooks = env.ctx.services.webhooks;
  });
  after(() => env.close());

  it('creates an endpoint: the secret is shown once, kept sealed, and the creation audited', async () => {
    const { secret, endpoint } = await webhooks.createEndpoint(adminA, a.operatorId, {
      url: 'https://crm.example/hooks',
      events: ['inquiry.status_changed', 'inquiry.created', 'inquiry.created'],
      description: 'CRM',
    });
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(endpoint.events, ['inquiry.created', 'inquiry.status_changed']);
    assert.equal(endpoint.url, 'https://crm.example/hooks');
    const [row] = await q<{ secret_enc: Buffer }>('SELECT secret_enc FROM webhook_endpoints WHERE id = $1', [
      endpoint.id,
    ]);
    assert.ok(row);
    assert.equal(row.secret_enc.includes(Buffer.from(secret)), false, 'not stored in clear');
    assert.equal(row.secret_enc.includes(Buffer.from(secret.slice(6))), false);
    const audit = await q<{ actor_id: string }>(
      "SELECT actor_id FROM audit_log WHERE action = 'webhook_endpoint.create' AND object_id = $1",
      [endpoint.id],
    );
    assert.equal(audit.length, 1);
    assert.deepEqual(
      (await webhooks.listEndpoints(adminA, a.operatorId)).map((e) => e.id),
      [endpoint.id],
    );
  });

  it('lets only the operator’s own administrators manage its endpoints', async () => {
    const input = { url: 'https://crm.example/x', events: ['inquiry.created' as const] };
    await rejectsWith(webhooks.createEndpoint(agentA, a.operatorId, input), ErrorCode.Forbidden);
    await rejectsWith(webhooks.createEndpoint(adminB, a.operatorId, input), ErrorCode.Forbidden);
    await rejectsWith(webhooks.listEndpoints(adminB, a.operatorId), ErrorCode.Forbidden);
    await rejectsWith(webhooks.listDeliveries(agentA, a.operatorId), ErrorCode.Forbidden);
    // Another operator's endpoint id, asked for at one's own operator, is not found.
    const [own] = await webhooks.listEndpoints(adminA, a.operatorId);
    await rejectsWith(webhooks.getEndpoint(adminB, b.operatorId, own!.id), ErrorCode.NotFound);
    await rejectsWith(webhooks.disableEndpoint(adminB, b.operatorId, own!.id), ErrorCode.NotFound);
    assert.equal((await webhooks.getEndpoint(adminA, a.operatorId, own!.id)).disabledAt, null);
  });

  it('refuses bad input with a field error and stores nothing', async () => {
    const before = await q('SELECT id FROM webhook_endpoints');
    await rejectsWith(
      webhooks.createEndpoint(adminA, a.operatorId, { url: 'https://crm.example/a', events: [] }),
      ErrorCode.ValidationFailed,
      'events',
    );
    await rejectsWith(
      webhooks.createEndpoint(adminA, a.operatorId, {
        url: 'https://crm.example/a',
        events: ['inquiry.deleted' as 'inquiry.created'],
      }),
      ErrorCode.ValidationFailed,
    );
    await rejectsWith(
      webhooks.createEndpoint(adminA, a.operatorId, {
        url: 'http://crm.example/a',
        events: ['inquiry.created'],
      }),
      ErrorCode.ValidationFailed,
      'url',
    );
    await rejectsWith(
      webhooks.createEndpoint(adminA, a.operatorId, {
        url: 'https://crm.example/a',
        events: ['inquiry.created'],
        extra: 1,
      } as never),
      ErrorCode.ValidationFailed,
    );
    assert.equal((await q('SELECT id FROM webhook_endpoints')).length, before.length);
  });

  it('takes https anywhere, http only to this machine in local mode, and https to outside hosts only in production', () => {
    const ok = (url: string, mode: 'local' | 'production') =>
      assert.doesNotThrow(() => checkUrl(url, mode), url);
    const bad = (url: string, mode: 'local' | 'production') =>
      assert.throws(
        () => checkUrl(url, mode),
        (e: unknown) => e instanceof AppError,
        url,
      );
    ok('https://crm.example/hooks?token=1', 'local');
    ok('http://localhost:8080/hooks', 'local');
    ok('http://127.0.0.1:9/x', 'local');
    ok('http://[::1]:9/x', 'local');
    bad('http://crm.example/hooks', 'local');
    ok('https://crm.example/hooks', 'production');
    // Private, shared and IPv4-mapped ranges too, unless the installation names an exception.
    bad('https://10.0.0.5/hooks', 'production');
    bad('https://192.168.1.20/hooks', 'production');
    bad('https://100.64.0.1/hooks', 'production');
    bad('https://[fd00::1]/hooks', 'production');
    bad('https://[::ffff:10.0.0.5]/hooks', 'production');
    const crmNet = outboundGuard({ refuse: true, allow: ['10.0.0.0/24'] });
    assert.doesNotThrow(() => checkUrl('https://10.0.0.5/hooks', 'production', crmNet));
    assert.throws(() => checkUrl('https://10.0.1.5/hooks', 'production', crmNet), {
      code: ErrorCode.ValidationFailed,
    });
    bad('http://crm.example/hooks', 'production');
    bad('http://localhost/hooks', 'production');
    bad('https://localhost/hooks', 'production');
    bad('https://127.0.0.1/hooks', 'production');
    bad('https://169.254.169.254/latest/meta-data', 'production');
    bad('https://[::1]/hooks', 'production');
    bad('https://user:pass@crm.example/hooks', 'local');
    bad('https://crm.example/hooks#x', 'local');
    bad('ftp://crm.example/hooks', 'local');
    bad('crm.example/hooks', 'local');
  });

  it('queues an event for each enabled endpoint that takes it, in the change’s transaction, ids and codes only', async () => {
    const c = await insertOperatorWithSite(env, 'hooks-c');
    const adminC = staffPrincipal(randomUUID(), { [c.operatorId]: ['administrator'] });
    const agentC = staffPrincipal(randomUUID(), { [c.operatorId]: ['agent'] });
    const local = intakeWithWebhooks(env, [c]);
    const created = await webhooks.createEndpoint(adminC, c.operatorId, {
      url: 'https://crm.example/created',
      events: ['inquiry.created'],
    });
    const both = await webhooks.createEndpoint(adminC, c.operatorId, {
      url: 'https://crm.example/both',
      events: ['inquiry.created', 'inquiry.status_changed'],
    });
    const off = await webhooks.createEndpoint(adminC, c.operatorId, {
      url: 'https://crm.example/off',
      events: ['inquiry.created', 'inquiry.status_changed'],
    });
    await webhooks.disableEndpoint(adminC, c.operatorId, off.endpoint.id);

    const r = await local.submit(
      callback(c, { fields: { name: 'Анна Иванова', phone: '+7 912 345-67-89' } }),
    );
    assert.equal(r.kind, 'created');
    const inquiryId = (r as { inquiryId: string }).inquiryId;
    const [number] = await q<{ number: string }>('SELECT number::text FROM inquiries WHERE id = $1', [
      inquiryId,
    ]);

    const [c1] = await deliveries(created.endpoint.id);
    const [b1] = await deliveries(both.endpoint.id);
    assert.equal((await deliveries(off.endpoint.id)).length, 0, 'a disabled endpoint gets nothing');
    assert.ok(c1 && b1);
    assert.equal(c1.body, b1.body, 'one event, one body');
    const ev = InquiryCreatedEvent.parse(JSON.parse(c1.body));
    assert.deepEqual(ev.data, {
      inquiryId,
      number: number!.number,
      operatorId: c.operatorId,
      status: 'new',
      formId: 'callback',
      channel: 'web_form',
      at: env.clock.now().toISOString(),
    });
    assert.equal(c1.state, 'pending');
    assert.equal(c1.max_attempts, 12);

    env.clock.advance(1000);
    await env.ctx.services.inquiries.changeStatus(agentC, c.operatorId, inquiryId, {
      to: 'rejected',
      reason: 'duplicate',
    });
    assert.equal((await deliveries(created.endpoint.id)).length, 1, 'not subscribed to status changes');
    const [, b2] = await deliveries(both.endpoint.id);
    assert.ok(b2);
    const sc = InquiryStatusChangedEvent.parse(JSON.parse(b2.body));
    assert.equal(sc.type, 'inquiry.status_changed');
    assert.deepEqual(sc.data, {
      inquiryId,
      number: number!.number,
      operatorId: c.operatorId,
      status: 'rejected',
      from: 'new',
      to: 'rejected',
      reason: 'duplicate',
      at: env.clock.now().toISOString(),
    });
    for (const body of [c1.body, b2.body]) {
      // Whole spellings of the phone: a bare '912' can occur in a random id.
      for (const pd of ['Анна', 'Иванова', '(912)', '912 345', '345-67-89', '9123456789']) {
        assert.equal(body.includes(pd), false, `no personal data (${pd}) in a webhook body`);
      }
    }

    // The same status again changes nothing and announces nothing.
    await env.ctx.services.inquiries.changeStatus(agentC, c.operatorId, inquiryId, {
      to: 'rejected',
      reason: 'duplicate',
    });
    assert.equal((await deliveries(both.endpoint.id)).length, 2);

    // A change that rolls back leaves no delivery behind.
    await assert.rejects(
      env.ctx.db.scoped([c.operatorId], async (tx) => {
        await webhooks.emit(tx, {
          operatorId: c.operatorId,
          type: 'inquiry.status_changed',
          inquiryId,
          data: { from: 'rejected', to: 'done', reason: null, at: env.clock.now().toISOString() },
        });
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal((await deliveries(both.endpoint.id)).length, 2);

    // Anything but ids and codes does not fit the event's schema, and fails the change.
    await rejectsWith(
      env.ctx.db.scoped([c.operatorId], (tx) =>
        webhooks.emit(tx, {
          operatorId: c.operatorId,
          type: 'inquiry.created',
          inquiryId,
          data: { formId: 'callback', channel: 'web_form', at: env.clock.now().toISOString(), name: 'Анна' },
        }),
      ),
      ErrorCode.Internal,
    );
    assert.equal((await deliveries(both.endpoint.id)).length, 2);
  });

  it('disabling an endpoint cancels what is queued for it; retry requeues a failed delivery once', async () => {
    const { endpoint } = await webhooks.createEndpoint(adminA, a.operatorId, {
      url: 'https://crm.example/disable',
      events: ['inquiry.created'],
    });
    const keep = await webhooks.createEndpoint(adminA, a.operatorId, {
      url: 'https://crm.example/keep',
      events: ['inquiry.created'],
    });
    await submit(a);
    const [pending] = await deliveries(endpoint.id);
    assert.equal(pending?.state, 'pending');
    await webhooks.disableEndpoint(adminA, a.operatorId, endpoint.id);
    await webhooks.disableEndpoint(adminA, a.operatorId, endpoint.id);
    const [cancelled] = await deliveries(endpoint.id);
    assert.equal(cancelled?.state, 'cancelled');
    const audits = await q(
      "SELECT id FROM audit_log WHERE action = 'webhook_endpoint.disable' AND object_id = $1",
      [endpoint.id],
    );
    assert.equal(audits.length, 1, 'disabling twice is one change');
    await rejectsWith(webhooks.retryDelivery(adminA, a.operatorId, cancelled.id), ErrorCode.Conflict);

    const [failed] = await deliveries(keep.endpoint.id);
    assert.ok(failed);
    const admin = await env.admin();
    await admin.query(
      "UPDATE webhook_deliveries SET state = 'failed', attempts = max_attempts, last_status = 500 WHERE id = $1",
      [failed.id],
    );
    await rejectsWith(webhooks.retryDelivery(adminB, b.operatorId, failed.id), ErrorCode.NotFound);
    await rejectsWith(webhooks.retryDelivery(agentA, a.operatorId, failed.id), ErrorCode.Forbidden);
    env.clock.advance(60_000);
    const retried = await webhooks.retryDelivery(adminA, a.operatorId, failed.id);
    assert.equal(retried.state, 'pending');
    assert.equal(retried.maxAttempts, 13, 'one more attempt');
    assert.equal(retried.nextAttemptAt, env.clock.now().toISOString());
    const entries = await q(
      "SELECT id FROM audit_log WHERE action = 'webhook_delivery.retry' AND object_id = $1",
      [failed.id],
    );
    assert.equal(entries.length, 1);
    await admin.query("UPDATE webhook_deliveries SET state = 'delivered' WHERE id = $1", [failed.id]);
    await rejectsWith(webhooks.retryDelivery(adminA, a.operatorId, failed.id), ErrorCode.Conflict);
    const log = await webhooks.listDeliveries(adminA, a.operatorId, { endpointId: keep.endpoint.id });
    assert.deepEqual(
      log.map((d) => d.id),
      [failed.id],
    );
    assert.deepEqual(await webhooks.listDeliveries(adminB, b.operatorId), []);
  });
});

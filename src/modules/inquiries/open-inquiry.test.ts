import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { firstContactDue } from '../../platform/calendar/index.ts';
import { ChannelInboundService, type InboundConnection } from '../channels/index.ts';
import { systemPrincipal } from '../staff/index.ts';
import {
  insertOperatorWithSite,
  policySource,
  staffPrincipal,
  submitCallback,
  testIntake,
  testPolicy,
  type TestOperator,
} from './intake.testing.ts';
import type { IntakeService } from './intake.service.ts';

/**
 * Every intake opens its inquiries through `openInquiry`: one from a channel and one from a site
 * form get the same number sequence, the same due-time rule, the same status count, the same audit
 * entry and the same webhook event. Each check compares the two side by side.
 */
describe('one creator of inquiries: a channel and a site form get the same treatment', () => {
  let env: TestEnv;
  let op: TestOperator;
  let intake: IntakeService;
  let inbound: ChannelInboundService;
  let telegram: InboundConnection;
  let endpointId: string;
  let patients = 777_000_000;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  const fromChannel = async (): Promise<string> => {
    const before = await q<{ id: string }>('SELECT id FROM inquiries WHERE operator_id = $1', [
      op.operatorId,
    ]);
    const r = await inbound.receive(telegram, [
      {
        eventId: randomUUID(),
        kind: 'message',
        // A new patient each time, so the message opens an inquiry instead of joining one.
        messenger: { field: 'telegram', id: String((patients += 1)) },
        name: 'Анна',
        replyTo: String(patients),
        text: 'Здравствуйте, хочу записаться',
        opens: true,
      },
    ]);
    assert.equal(r.stored, 1);
    const opened = (
      await q<{ id: string }>('SELECT id FROM inquiries WHERE operator_id = $1', [op.operatorId])
    ).filter((x) => !before.some((b) => b.id === x.id));
    assert.equal(opened.length, 1);
    return opened[0]!.id;
  };
  const fromForm = (): Promise<string> =>
    submitCallback(intake, op, { fields: { name: 'Пациент Формы', phone: '8 912 000-00-77' } });

  const inquiry = async (id: string) =>
    (
      await q<{ number: string; status: string; created_at: Date; first_contact_due_at: Date }>(
        'SELECT number, status, created_at, first_contact_due_at FROM inquiries WHERE id = $1',
        [id],
      )
    )[0]!;

  before(async () => {
    // Saturday 23:00 in Moscow: the first contact is due on Monday, not at once.
    env = await createTestEnv({ start: new Date('2026-03-07T20:00:00Z') });
    op = await insertOperatorWithSite(env, 'one-creator');
    const s = env.ctx.services;
    const policy = policySource({ [op.operatorId]: await testPolicy(env, op.operatorId) });
    intake = testIntake(env, policy, { limits: { minFillSeconds: 0 }, events: s.webhooks });
    inbound = new ChannelInboundService({
      db: env.ctx.db,
      subjects: s.subjects,
      outbox: s.outbox,
      operators: s.operators,
      policy,
      audit: s.audit,
      clock: env.clock,
      ids: env.ctx.ids,
      publicUrl: env.config.publicUrl,
      events: s.webhooks,
    });
    const { connection } = await s.channels.connect(systemPrincipal('test-admin'), op.operatorId, {
      provider: 'telegram',
      botToken: `123456:${'C'.repeat(35)}`,
    });
    telegram = { id: connection.id, operatorId: op.operatorId, provider: 'telegram' };
    const admin = staffPrincipal(randomUUID(), { [op.operatorId]: ['administrator'] });
    ({
      endpoint: { id: endpointId },
    } = await s.webhooks.createEndpoint(admin, op.operatorId, {
      url: 'https://crm.example/hooks',
      events: ['inquiry.created'],
    }));
  });
  after(() => env.close());

  it('numbers both from the one sequence, in the order they came', async () => {
    const first = await inquiry(await fromForm());
    const second = await inquiry(await fromChannel());
    const third = await inquiry(await fromForm());
    assert.equal(BigInt(second.number), BigInt(first.number) + 1n);
    assert.equal(BigInt(third.number), BigInt(second.number) + 1n);
  });

  it('makes the first contact due by the operator’s working hours, for both', async () => {
    const card = (await env.ctx.services.operators.publicCard(op.operatorId))!;
    for (const id of [await fromChannel(), await fromForm()]) {
      const r = await inquiry(id);
      assert.equal(r.status, 'new');
      const due = firstContactDue(r.created_at, card.workingHours, card.timeZone);
      assert.equal(r.first_contact_due_at.toISOString(), due.toISOString());
      assert.ok(due.getTime() > r.created_at.getTime() + 24 * 3600_000, 'due after the weekend');
    }
  });

  it('counts both in the inbox’s status counts', async () => {
    const agent = staffPrincipal(randomUUID(), { [op.operatorId]: ['agent'] });
    const counts = () => env.ctx.services.inquiries.countsByStatus(agent, { operatorId: op.operatorId });
    const start = (await counts()).new;
    await fromChannel();
    assert.equal((await counts()).new, start + 1);
    await fromForm();
    assert.equal((await counts()).new, start + 2);
  });

  it('audits both as inquiry.create and announces both as inquiry.created, with the same fields', async () => {
    const channelId = await fromChannel();
    const formId = await fromForm();
    const audits = await q<{ object_id: string; actor_type: string; source: string; subject_id: string }>(
      `SELECT object_id, actor_type, source, subject_id FROM audit_log
       WHERE action = 'inquiry.create' AND object_id = ANY ($1::text[])`,
      [[channelId, formId]],
    );
    assert.deepEqual(
      audits.map((a) => [a.object_id, a.actor_type, a.source]).sort(),
      [
        [channelId, 'subject', 'telegram'],
        [formId, 'subject', 'web_form'],
      ].sort(),
    );
    const bodies = await q<{ inquiry_id: string; event_type: string; body: string }>(
      `SELECT inquiry_id, event_type, body FROM webhook_deliveries
       WHERE endpoint_id = $1 AND inquiry_id = ANY ($2::uuid[])`,
      [endpointId, [channelId, formId]],
    );
    assert.equal(bodies.length, 2);
    const data = (id: string) => {
      const b = bodies.find((x) => x.inquiry_id === id)!;
      assert.equal(b.event_type, 'inquiry.created');
      return (JSON.parse(b.body) as { data: Record<string, unknown> }).data;
    };
    const fromTelegram = data(channelId);
    const fromSite = data(formId);
    assert.deepEqual(Object.keys(fromTelegram).sort(), Object.keys(fromSite).sort());
    assert.equal(fromTelegram.formId, 'message');
    assert.equal(fromTelegram.channel, 'telegram');
    assert.equal(fromTelegram.status, 'new');
    assert.equal(fromSite.formId, 'callback');
    assert.equal(fromSite.channel, 'web_form');
    assert.equal(fromSite.status, 'new');
  });
});

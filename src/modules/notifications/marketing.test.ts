import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import type { App } from '../../app.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { IntakeService } from '../inquiries/index.ts';
import {
  callback,
  insertOperatorWithSite,
  policySource,
  staffPrincipal,
  testIntake,
  testPolicy,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import { createEmailSender, type EmailSender } from '../outbox/index.ts';
import { startTestSmtp, type TestSmtp } from '../outbox/outbox.testing.ts';
import type { PublishedPolicy } from '../policy/index.ts';
import type { Principal } from '../staff/index.ts';
import { dispatcher, outboxOf } from './notifications.testing.ts';
import { unsubscribeRoutes } from './unsubscribe.routes.ts';

describe('marketing with a one-click unsubscribe link', () => {
  let env: TestEnv;
  let app: App;
  let op: TestOperator;
  let intake: IntakeService;
  let smtp: TestSmtp;
  let email: EmailSender;
  let admin: Principal;
  let agreed: string;
  let declined: string;
  let noEmail: string;
  const policies: Record<string, PublishedPolicy> = {};
  const template = { subject: 'Новое в {clinic_name}', text: 'Теперь у нас есть МРТ 3 Тесла.' };

  const q = async <R extends object>(sql: string, params: unknown[] = []) =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  async function submit(
    fields: Record<string, string>,
    marketing: boolean,
    formId = 'feedback',
  ): Promise<string> {
    const r = await intake.submit(
      callback(op, { formId: formId as never, fields, consents: { processing: true, marketing } }),
    );
    assert.equal(r.kind, 'created');
    const id = (r as { inquiryId: string }).inquiryId;
    return (await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [id]))[0]!
      .subject_id;
  }

  before(async () => {
    env = await createTestEnv({ start: new Date('2026-03-16T09:00:00.000Z') });
    app = await env.app({
      surfaces: [(a, ctx) => unsubscribeRoutes(a, { notifications: ctx.services.notifications })],
    });
    op = await insertOperatorWithSite(env, 'marketing-a');
    policies[op.operatorId] = await testPolicy(env, op.operatorId);
    intake = testIntake(env, policySource(policies), { limits: { minFillSeconds: 0 } });
    smtp = await startTestSmtp();
    email = createEmailSender(
      {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        user: undefined,
        password: undefined,
        from: 'news@example.ru',
      },
      { timeoutMs: 5000 },
    );
    admin = staffPrincipal(randomUUID(), { [op.operatorId]: ['administrator'] });
    agreed = await submit({ name: 'Анна Иванова', email: 'ivanova@example.ru', message: 'Вопрос' }, true);
    declined = await submit({ name: 'Пётр Петров', email: 'petrov@example.ru', message: 'Вопрос' }, false);
    noEmail = await submit({ name: 'Олег', phone: '+79120000001' }, true, 'callback');
  });
  after(async () => {
    email.close();
    await smtp.close();
    await env.close();
  });

  let token = '';
  let url = '';
  let marketingId = '';

  it('queues only for subjects with a live marketing consent and an e-mail, each with its own link', async () => {
    const r = await env.ctx.services.notifications.sendMarketing(admin, op.operatorId, {
      all: true,
      template,
    });
    assert.deepEqual(r, { queued: 1 });
    // (The intake's own confirmation e-mails are in the outbox too.)
    assert.deepEqual(
      (await outboxOf(env, { subjectId: declined })).filter((m) => m.template === 'marketing'),
      [],
    );
    assert.deepEqual(
      (await outboxOf(env, { subjectId: noEmail })).filter((m) => m.template === 'marketing'),
      [],
    );
    const [m] = (await outboxOf(env, { subjectId: agreed })).filter((x) => x.template === 'marketing');
    assert.ok(m);
    marketingId = m.id;
    assert.equal(m.quiet_hours, true);
    assert.equal(m.inquiry_id, null);
    url = String(m.payload!.unsubscribeUrl);
    const match = new RegExp(`^${env.config.publicUrl}/u/([A-Za-z0-9_-]{43})$`).exec(url);
    assert.ok(match, 'a random token in the link');
    token = match[1]!;
    // The link names no one: no id, no address.
    assert.doesNotMatch(url, new RegExp(`${agreed}|${op.operatorId}|ivanova`));
    assert.equal(m.payload!.subject, 'Новое в МРТ Люкс');
    assert.ok(String(m.payload!.text).includes(`Отписаться одним нажатием: ${url}`));
    // Only the token's hash is stored.
    const stored = await q<{ n: string }>(
      `SELECT count(*)::text AS n FROM unsubscribe_tokens WHERE subject_id = $1`,
      [agreed],
    );
    assert.equal(stored[0]!.n, '1');
    const audit = await q(
      `SELECT actor_type FROM audit_log WHERE action = 'marketing.queue' AND subject_id = $1`,
      [agreed],
    );
    assert.equal(audit.length, 1);
  });

  it('the e-mail carries the RFC 8058 one-click headers', async () => {
    await dispatcher(env, [email]).run();
    // The intake's confirmation to the same address goes in the same run: pick the marketing one.
    const mail = smtp.received.find((r) => r.raw.includes(marketingId));
    assert.ok(mail);
    assert.deepEqual(mail.to, ['ivanova@example.ru']);
    const raw = mail.raw.replace(/\r\n[ \t]+/g, ' ');
    assert.ok(raw.includes(`List-Unsubscribe: <${url}>`), 'List-Unsubscribe');
    assert.match(raw, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
  });

  it('GET shows a confirmation and withdraws nothing (mail scanners follow links)', async () => {
    const res = await app.inject({ method: 'GET', url: `/u/${token}` });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['cache-control'] as string, /no-store/);
    assert.match(res.body, new RegExp(`<form method="post" action="/u/${token}">`));
    assert.match(res.body, /МРТ Люкс/);
    const live = await q(
      `SELECT 1 FROM consent_records WHERE subject_id = $1 AND kind = 'marketing' AND withdrawn_at IS NULL`,
      [agreed],
    );
    assert.equal(live.length, 1);
  });

  it('one POST without session or CSRF token withdraws at once, cancels queued marketing, audited', async () => {
    // Another message queued and not yet sent.
    await env.ctx.services.notifications.sendMarketing(admin, op.operatorId, {
      subjectIds: [agreed],
      template,
    });
    const pending = (await outboxOf(env, { subjectId: agreed })).filter(
      (m) => m.state === 'pending' && m.template === 'marketing',
    );
    assert.equal(pending.length, 1);

    env.clock.advance(60_000);
    const res = await app.inject({
      method: 'POST',
      url: `/u/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Вы отписались/);
    // Recorded by the consent module: when, through which channel, in what form, by whom (the patient).
    const consents = await q<{
      withdrawn_at: Date;
      withdrawn_channel: string;
      withdrawn_method: string;
      withdrawn_by_type: string;
      withdrawn_by_id: string;
    }>(
      `SELECT withdrawn_at, withdrawn_channel, withdrawn_method, withdrawn_by_type, withdrawn_by_id
       FROM consent_records WHERE subject_id = $1 AND kind = 'marketing'`,
      [agreed],
    );
    assert.deepEqual(consents, [
      {
        withdrawn_at: env.clock.now(),
        withdrawn_channel: 'unsubscribe_link',
        withdrawn_method: 'link',
        withdrawn_by_type: 'subject',
        withdrawn_by_id: agreed,
      },
    ]);
    const cancelled = (await outboxOf(env, { subjectId: agreed })).find((m) => m.id === pending[0]!.id)!;
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.last_error, 'consent_withdrawn');
    const audit = await q<{ actor_type: string; actor_id: string; source: string }>(
      `SELECT actor_type, actor_id, source FROM audit_log WHERE action = 'consent.withdraw' AND subject_id = $1`,
      [agreed],
    );
    assert.deepEqual(audit, [{ actor_type: 'subject', actor_id: agreed, source: 'unsubscribe_link' }]);
    // The processing consent is untouched: notices about inquiries still go.
    const processing = await q(
      `SELECT 1 FROM consent_records WHERE subject_id = $1 AND kind = 'processing' AND withdrawn_at IS NULL`,
      [agreed],
    );
    assert.ok(processing.length > 0);
  });

  it('is idempotent, also as multipart/form-data, and later marketing is never queued', async () => {
    for (const r of [
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      },
      {
        headers: { 'content-type': 'multipart/form-data; boundary=---FormBoundaryjWmhtjORrn' },
        payload:
          '-----FormBoundaryjWmhtjORrn\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n-----FormBoundaryjWmhtjORrn--\r\n',
      },
    ]) {
      const res = await app.inject({ method: 'POST', url: `/u/${token}`, ...r });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /уже отписаны/);
    }
    const get = await app.inject({ method: 'GET', url: `/u/${token}` });
    assert.match(get.body, /уже отписаны/);
    const audit = await q(`SELECT 1 FROM audit_log WHERE action = 'consent.withdraw' AND subject_id = $1`, [
      agreed,
    ]);
    assert.equal(audit.length, 1, 'no second entry');
    const before = (await outboxOf(env, { subjectId: agreed })).length;
    assert.deepEqual(
      await env.ctx.services.notifications.sendMarketing(admin, op.operatorId, { all: true, template }),
      {
        queued: 0,
      },
    );
    assert.deepEqual(
      await env.ctx.services.notifications.sendMarketing(admin, op.operatorId, {
        subjectIds: [agreed],
        template,
      }),
      { queued: 0 },
    );
    assert.equal((await outboxOf(env, { subjectId: agreed })).length, before);
  });

  it('unknown and malformed tokens: 404, nothing changes', async () => {
    for (const t of ['A'.repeat(43), 'short', `${token}x`, '%00', 'a'.repeat(150)]) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await app.inject({ method, url: `/u/${encodeURIComponent(t)}` });
        assert.equal(res.statusCode, 404, `${method} ${t}`);
      }
    }
  });

  it('a consent withdrawal is evidence: the app may set it once and change nothing else', async () => {
    await assert.rejects(
      env.ctx.db.scoped([op.operatorId], (tx) =>
        tx.query(
          `UPDATE consent_records SET withdrawn_at = NULL, withdrawn_channel = NULL WHERE subject_id = $1`,
          [agreed],
        ),
      ),
      /a consent withdrawal is not changed/,
    );
    await assert.rejects(
      env.ctx.db.scoped([op.operatorId], (tx) =>
        tx.query(`UPDATE consent_records SET given_at = now() WHERE subject_id = $1`, [declined]),
      ),
      /permission denied/,
    );
  });

  it('marketing needs notification.manage, and texts print the clinic’s facts only', async () => {
    const agent = staffPrincipal(randomUUID(), { [op.operatorId]: ['agent'] });
    await assert.rejects(
      env.ctx.services.notifications.sendMarketing(agent, op.operatorId, { all: true, template }),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.Forbidden,
    );
    await assert.rejects(
      env.ctx.services.notifications.sendMarketing(admin, op.operatorId, {
        all: true,
        template: { subject: 'Ваша заявка {inquiry_number}', text: '' },
      }),
      (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, ErrorCode.ValidationFailed);
        assert.deepEqual(
          e.details?.fields?.map((f) => f.path),
          ['template.subject', 'template.text'],
        );
        return true;
      },
    );
  });
});

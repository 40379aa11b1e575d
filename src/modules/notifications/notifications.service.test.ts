import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
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
import { createEmailSender, createMessagingSenders, type EmailSender } from '../outbox/index.ts';
import { startTestSmtp, type TestSmtp } from '../outbox/outbox.testing.ts';
import {
  credentialMap,
  startFakeSmsRu,
  startFakeTelegram,
  type FakeProvider,
  type SmsRuReceived,
  type TelegramReceived,
} from '../outbox/senders/fake-providers.testing.ts';
import type { PublishedPolicy } from '../policy/index.ts';
import type { Principal } from '../staff/index.ts';
import { dispatcher, insertMessengerInquiry, outboxOf } from './notifications.testing.ts';

const TG_TOKEN = '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
/** Monday 16 March 2026, 12:00 in Moscow: inside the default sending hours. */
const NOON = new Date('2026-03-16T09:00:00.000Z');

describe('NotificationsService: status notices', () => {
  let env: TestEnv;
  let a: TestOperator;
  let intake: IntakeService;
  let smtp: TestSmtp;
  let email: EmailSender;
  let tg: FakeProvider<TelegramReceived>;
  let sms: FakeProvider<SmsRuReceived>;
  let agent: Principal;
  let admin: Principal;
  const policies: Record<string, PublishedPolicy> = {};

  before(async () => {
    env = await createTestEnv({ start: NOON });
    a = await insertOperatorWithSite(env, 'notify-a');
    policies[a.operatorId] = await testPolicy(env, a.operatorId);
    intake = testIntake(env, policySource(policies), { limits: { minFillSeconds: 0 } });
    smtp = await startTestSmtp();
    email = createEmailSender(
      {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        user: undefined,
        password: undefined,
        from: 'clinic@example.ru',
      },
      { timeoutMs: 5000 },
    );
    tg = await startFakeTelegram();
    sms = await startFakeSmsRu();
    agent = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    admin = staffPrincipal(randomUUID(), { [a.operatorId]: ['administrator'] });
  });
  after(async () => {
    email.close();
    await smtp.close();
    await tg.close();
    await sms.close();
    await env.close();
  });
  beforeEach(async () => {
    env.clock.set(NOON);
    smtp.received.length = 0;
    tg.received.length = 0;
    sms.received.length = 0;
    const db = await env.admin();
    await db.query('DELETE FROM notification_settings');
    await db.query('DELETE FROM notification_templates');
    await db.query("UPDATE outbox SET state = 'cancelled' WHERE state = 'pending'");
  });

  const run = () =>
    dispatcher(env, [
      email,
      ...createMessagingSenders(
        credentialMap({
          [a.operatorId]: {
            telegram: { botToken: TG_TOKEN, apiBaseUrl: tg.baseUrl },
            sms_ru: { apiId: 'test-api-id-0001', apiBaseUrl: sms.baseUrl },
          },
        }),
        { timeoutMs: 5000 },
      ),
    ]).run();

  /** An appointment with a phone and an e-mail, through the real intake. */
  async function appointment(fields: Record<string, string> = {}): Promise<string> {
    const r = await intake.submit(
      callback(a, {
        formId: 'appointment',
        fields: { name: 'Анна Иванова', phone: '8 (912) 345-67-89', email: 'ivanova@example.ru', ...fields },
      }),
    );
    assert.equal(r.kind, 'created');
    return (r as { inquiryId: string }).inquiryId;
  }

  const change = (inquiryId: string, to: string, reason?: string) =>
    env.ctx.services.inquiries.changeStatus(agent, a.operatorId, inquiryId, {
      to,
      ...(reason ? { reason } : {}),
    } as never);

  const notices = async (inquiryId: string) =>
    (await outboxOf(env, { inquiryId })).filter((m) => m.template.startsWith('status.'));

  const events = async (inquiryId: string) =>
    (
      await (
        await env.admin()
      ).query<{ kind: string; ref_id: string | null; actor_type: string; actor_id: string }>(
        `SELECT kind, ref_id, actor_type, actor_id FROM inquiry_events WHERE inquiry_id = $1 AND kind = 'notification'
         ORDER BY seq`,
        [inquiryId],
      )
    ).rows;

  it('a status change queues an e-mail to the address given, delivered through SMTP', async () => {
    const id = await appointment();
    await change(id, 'in_progress');
    const rows = await notices(id);
    assert.equal(rows.length, 1, 'only the e-mail: SMS notices are off by default');
    const m = rows[0]!;
    assert.equal(m.channel, 'email');
    assert.equal(m.template, 'status.in_progress');
    assert.equal(m.quiet_hours, true);
    assert.equal(m.payload!.to, 'ivanova@example.ru');
    assert.deepEqual(await events(id), [
      { kind: 'notification', ref_id: m.id, actor_type: 'system', actor_id: 'notifications' },
    ]);
    const audit = await (
      await env.admin()
    ).query(
      `SELECT actor_type, result FROM audit_log WHERE action = 'notification.queue' AND object_id = $1`,
      [id],
    );
    assert.deepEqual(audit.rows, [{ actor_type: 'system', result: 'success' }]);

    smtp.received.length = 0;
    await run();
    const mails = smtp.received.filter((r) => r.raw.includes(m.id));
    assert.equal(mails.length, 1);
    const raw = mails[0]!.raw;
    assert.deepEqual(mails[0]!.to, ['ivanova@example.ru']);
    const number = /заявка № (\d+)/i.exec(String(m.payload!.text))?.[1];
    assert.ok(number, 'the text names the inquiry');
    assert.equal(m.payload!.subject, `Заявка № ${number}: в работе — МРТ Люкс`);
    assert.match(String(m.payload!.text), /принята в работу/);
    assert.match(String(m.payload!.text), /https?:\/\/notify-a\.example\/privacy/);
    // No patient data but the address: not the name, not the phone.
    assert.doesNotMatch(raw + JSON.stringify(m.payload), /Анна|Иванова|912/);
    assert.equal((await notices(id))[0]!.state, 'sent');
  });

  it('a messenger inquiry is answered where the patient wrote: Telegram, through the Bot API', async () => {
    const { inquiryId } = await insertMessengerInquiry(env, a.operatorId, 'telegram', '555000111');
    await change(inquiryId, 'appointment_made');
    const rows = await notices(inquiryId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.channel, 'telegram');
    assert.deepEqual(Object.keys(rows[0]!.payload!).sort(), ['chatId', 'text']);
    await run();
    assert.equal(tg.received.length, 1);
    assert.equal(tg.received[0]!.chatId, '555000111');
    assert.match(tg.received[0]!.text, /^МРТ Люкс: заявка № \d+ — вы записаны на приём\.$/);
  });

  it('SMS to the form’s phone only when the operator switched SMS notices on', async () => {
    const before = await appointment();
    await change(before, 'done');
    assert.deepEqual(
      (await notices(before)).map((m) => m.channel),
      ['email'],
    );

    await env.ctx.services.notifications.saveSettings(admin, a.operatorId, {
      quietHours: { start: '21:00', end: '09:00' },
      smsNotices: true,
      clinicPhone: '+7 (4912) 55-66-77',
    });
    const id = await appointment();
    await change(id, 'done');
    const rows = await notices(id);
    assert.deepEqual(rows.map((m) => m.channel).sort(), ['email', 'sms']);
    const s = rows.find((m) => m.channel === 'sms')!;
    assert.equal(s.payload!.to, '+79123456789');
    await run();
    const mine = sms.received.filter((r) => r.to === '79123456789');
    assert.equal(mine.length, 1, 'the first inquiry’s notice went before SMS was switched on');
    assert.match(mine[0]!.msg, /^МРТ Люкс: заявка № \d+ — выполнена\.\nТел\. \+7 \(4912\) 55-66-77$/);
  });

  it('channels the patient did not give are not used', async () => {
    // A callback form: a phone, no e-mail; SMS notices off.
    const r = await intake.submit(callback(a));
    const id = (r as { inquiryId: string }).inquiryId;
    await change(id, 'in_progress');
    assert.deepEqual(await notices(id), []);
    assert.deepEqual(await events(id), []);
    // A Telegram inquiry gets Telegram only, not e-mail or SMS, even with SMS notices on.
    await env.ctx.services.notifications.saveSettings(admin, a.operatorId, {
      quietHours: null,
      smsNotices: true,
      clinicPhone: null,
    });
    const { inquiryId } = await insertMessengerInquiry(env, a.operatorId, 'telegram', '777');
    await change(inquiryId, 'in_progress');
    assert.deepEqual(
      (await notices(inquiryId)).map((m) => m.channel),
      ['telegram'],
    );
  });

  it('spam and new never message the patient', async () => {
    const id = await appointment();
    await change(id, 'spam', 'advertising');
    const other = await appointment();
    await change(other, 'in_progress');
    const queued = (await notices(other)).length;
    await change(other, 'new');
    assert.deepEqual(await notices(id), []);
    assert.equal((await notices(other)).length, queued);
  });

  it('no live processing consent: nothing is sent', async () => {
    const { inquiryId } = await insertMessengerInquiry(env, a.operatorId, 'telegram', '888', {
      consent: false,
    });
    await change(inquiryId, 'in_progress');
    assert.deepEqual(await notices(inquiryId), []);
  });

  it('an operator’s own wording, and a switched-off status', async () => {
    const svc = env.ctx.services.notifications;
    await svc.saveTemplate(admin, a.operatorId, {
      status: 'done',
      family: 'short',
      enabled: true,
      body: 'Готово: заявка {inquiry_number}, {clinic_name}.\nТел. {clinic_phone}',
    });
    await svc.saveTemplate(admin, a.operatorId, { status: 'rejected', family: 'short', enabled: false });
    const { inquiryId } = await insertMessengerInquiry(env, a.operatorId, 'telegram', '999');
    await change(inquiryId, 'done');
    const [m] = await notices(inquiryId);
    // No clinic phone set: the line with it is left out whole.
    assert.match(String(m!.payload!.text), /^Готово: заявка \d+, МРТ Люкс\.$/);
    const other = await insertMessengerInquiry(env, a.operatorId, 'telegram', '1000');
    await change(other.inquiryId, 'rejected', 'duplicate');
    assert.deepEqual(await notices(other.inquiryId), []);
  });

  it('quiet hours when the status changes: 20:59:59 goes now, 21:00:00 waits until 09:00 local', async () => {
    const early = await insertMessengerInquiry(env, a.operatorId, 'telegram', '2001');
    const late = await insertMessengerInquiry(env, a.operatorId, 'telegram', '2002');
    env.clock.set(new Date('2026-03-16T17:59:59.000Z'));
    await change(early.inquiryId, 'in_progress');
    env.clock.set(new Date('2026-03-16T18:00:00.000Z'));
    await change(late.inquiryId, 'in_progress');
    assert.equal(
      (await notices(early.inquiryId))[0]!.next_attempt_at.toISOString(),
      '2026-03-16T17:59:59.000Z',
    );
    assert.equal(
      (await notices(late.inquiryId))[0]!.next_attempt_at.toISOString(),
      '2026-03-17T06:00:00.000Z',
    );
    await run();
    assert.deepEqual(
      tg.received.map((r) => r.chatId),
      [],
    );
    env.clock.set(new Date('2026-03-17T06:00:00.000Z'));
    await run();
    assert.deepEqual(tg.received.map((r) => r.chatId).sort(), ['2001', '2002']);
  });

  it('quiet hours follow the operator’s own hours and its time zone (Yekaterinburg)', async () => {
    const b = await insertOperatorWithSite(env, 'notify-ekb');
    await (
      await env.admin()
    ).query(`UPDATE operators SET time_zone = 'Asia/Yekaterinburg' WHERE id = $1`, [b.operatorId]);
    const bAdmin = staffPrincipal(randomUUID(), { [b.operatorId]: ['administrator'] });
    const bAgent = staffPrincipal(randomUUID(), { [b.operatorId]: ['agent'] });
    await env.ctx.services.notifications.saveSettings(bAdmin, b.operatorId, {
      quietHours: { start: '20:00', end: '08:30' },
      smsNotices: false,
      clinicPhone: null,
    });
    const x = await insertMessengerInquiry(env, b.operatorId, 'telegram', '3001');
    const y = await insertMessengerInquiry(env, b.operatorId, 'telegram', '3002');
    // 19:59:59 and 20:00:00 in Yekaterinburg (UTC+5).
    env.clock.set(new Date('2026-03-16T14:59:59.000Z'));
    await env.ctx.services.inquiries.changeStatus(bAgent, b.operatorId, x.inquiryId, { to: 'in_progress' });
    env.clock.set(new Date('2026-03-16T15:00:00.000Z'));
    await env.ctx.services.inquiries.changeStatus(bAgent, b.operatorId, y.inquiryId, { to: 'in_progress' });
    assert.equal((await notices(x.inquiryId))[0]!.next_attempt_at.toISOString(), '2026-03-16T14:59:59.000Z');
    assert.equal((await notices(y.inquiryId))[0]!.next_attempt_at.toISOString(), '2026-03-17T03:30:00.000Z');
  });

  it('settings and templates: notification.manage only; bad templates refused with field messages', async () => {
    const svc = env.ctx.services.notifications;
    await assert.rejects(svc.getSettings(agent, a.operatorId), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, ErrorCode.Forbidden);
      return true;
    });
    const view = await svc.getSettings(admin, a.operatorId);
    assert.deepEqual(view.quietHours, { start: '21:00', end: '09:00' });
    assert.equal(view.templates.length, 10);
    await assert.rejects(
      svc.saveTemplate(admin, a.operatorId, {
        status: 'done',
        family: 'email',
        enabled: true,
        subject: 'Заявка {inquiry_number} {patient_name}',
        body: 'Текст с { скобкой',
      }),
      (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, ErrorCode.ValidationFailed);
        const paths = e.details?.fields?.map((f) => f.path);
        assert.deepEqual(paths, ['subject', 'body']);
        assert.match(e.details!.fields![0]!.message, /\{patient_name\}/);
        return true;
      },
    );
    await assert.rejects(
      svc.saveSettings(admin, a.operatorId, {
        quietHours: { start: '22:00', end: '22:00' },
        smsNotices: false,
        clinicPhone: null,
      }),
      (e: unknown) => e instanceof AppError && e.details?.fields?.[0]?.path === 'quietHours.end',
    );
    const p = await svc.preview(admin, a.operatorId, {
      status: 'waiting_patient',
      family: 'email',
      enabled: true,
      subject: '{clinic_name}: {status_title} ({inquiry_number})',
    });
    assert.equal(p.subject, 'МРТ Люкс: ждём вашего ответа (12345)');
    assert.match(p.text, /нам нужен ваш ответ/);
  });
});

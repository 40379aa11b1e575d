import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import type { App } from '../../app.ts';
import { DEFAULT_CLINIC_HOURS, firstContactDue } from '../../platform/calendar/index.ts';
import { openString } from '../../platform/crypto/aead.ts';
import { inquiryNoteAad, inquiryReplyToAad } from '../inquiries/index.ts';
import {
  insertOperatorWithSite,
  policySource,
  testPolicy,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import { outboxAad } from '../outbox/index.ts';
import type { PublishedPolicy } from '../policy/index.ts';
import { systemPrincipal } from '../staff/index.ts';
import { channelWebhooks, WEBHOOK_BODY_LIMITS } from './channels.routes.ts';
import type { ConnectResult } from './channels.schemas.ts';
import { CONSENT_REQUEST_TEMPLATE, ChannelInboundService } from './inbound.service.ts';
import { hmacSha256Hex, signTimestamped } from './signatures.ts';
import { VerbalConsentService } from './verbal-consent.service.ts';

const ADMIN = systemPrincipal('test-admin');
const TG_USER = 777_000_111;
// One person: WhatsApp gives the number as digits, the SMS gateway as it was typed.
const WA_NUMBER = '79123456789';
const SMS_NUMBER = '8 (912) 345-67-89';
const SECRET_TEXT = 'Болит колено XYZZY-TG-17';

interface Row {
  [k: string]: unknown;
}

describe('channel webhooks', () => {
  let env: TestEnv;
  let app: App;
  let a: TestOperator;
  let b: TestOperator;
  const policies: Record<string, PublishedPolicy> = {};
  const conn: Record<string, ConnectResult> = {};
  const secretOf = (k: string, name = 'webhookSecret') =>
    conn[k]!.secrets.find((s) => s.name === name)!.value;
  const pathOf = (k: string) => new URL(conn[k]!.connection.webhookUrl).pathname;

  let admin: pg.Client;
  const q = async <R extends Row = Row>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await admin.query<R>(sql, params)).rows;
  const count = async (table: string, where = 'true', params: unknown[] = []): Promise<number> =>
    Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))[0]!.n);
  /** Everything a webhook could have written, to compare before and after a refused request. */
  const snapshot = async () => ({
    inquiries: await count('inquiries'),
    events: await count('inquiry_events'),
    subjects: await count('subjects'),
    seen: await count('channel_inbound_seen'),
    outbox: await count('outbox'),
  });

  const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  const tg = (updateId: number, text: string, over: Row = {}) =>
    JSON.stringify({
      update_id: updateId,
      message: {
        message_id: updateId,
        date: 1_772_442_000,
        from: {
          id: TG_USER,
          is_bot: false,
          first_name: 'Анна',
          last_name: 'Телеграмова',
          language_code: 'ru',
        },
        chat: { id: TG_USER, type: 'private', first_name: 'Анна' },
        text,
        ...over,
      },
    });
  const postTg = (body: string | Buffer, secret = secretOf('tgA'), path = pathOf('tgA')) =>
    post(path, body, { 'x-telegram-bot-api-secret-token': secret });

  const wa = (messages: Row[], phoneNumberId = '106540352242922', extra: Row = {}) =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
                contacts: [{ profile: { name: 'Иван Ватсапов' }, wa_id: WA_NUMBER }],
                messages,
                ...extra,
              },
            },
          ],
        },
      ],
    });
  const waText = (id: string, text: string) => ({
    from: WA_NUMBER,
    id,
    timestamp: '1772442000',
    type: 'text',
    text: { body: text },
  });
  const postWa = (body: string, k = 'waA', secret = 'meta-app-secret-A') =>
    post(pathOf(k), body, { 'x-hub-signature-256': `sha256=${hmacSha256Hex(secret, Buffer.from(body))}` });

  const nowSeconds = () => Math.floor(env.clock.now().getTime() / 1000);
  const postSigned = (k: string, secret: string, json: Row, ts = nowSeconds()) => {
    const body = JSON.stringify(json);
    return post(pathOf(k), body, {
      'x-soglasie-timestamp': String(ts),
      'x-soglasie-signature': signTimestamped(secret, ts, body),
    });
  };
  const call = (id: string, over: Row = {}) => ({
    id,
    type: 'call.missed',
    direction: 'inbound',
    caller: '+7 915 000-11-22',
    callee: '+7 4912 00-00-00',
    ...over,
  });

  const keyOf = async (subjectId: string) => (await env.ctx.services.keyring.getDataKey(subjectId))!;
  const inquiriesOf = (operatorId: string, channel: string) =>
    q<{
      id: string;
      number: string;
      subject_id: string;
      form_id: string;
      status: string;
      reply_channel: string | null;
      reply_to_enc: Buffer | null;
      first_contact_due_at: Date;
      possible_health_data: boolean;
    }>(`SELECT * FROM inquiries WHERE operator_id = $1 AND channel = $2 ORDER BY created_at, number`, [
      operatorId,
      channel,
    ]);
  const eventsOf = (inquiryId: string) =>
    q<{ id: string; kind: string; note_enc: Buffer | null; ref_id: string | null; actor_type: string }>(
      'SELECT * FROM inquiry_events WHERE inquiry_id = $1 ORDER BY seq',
      [inquiryId],
    );
  const noteOf = async (subjectId: string, e: { id: string; note_enc: Buffer | null }) =>
    openString(await keyOf(subjectId), e.note_enc!, inquiryNoteAad(e.id));

  before(async () => {
    env = await createTestEnv();
    admin = await env.admin();
    a = await insertOperatorWithSite(env, 'chan-a');
    b = await insertOperatorWithSite(env, 'chan-b');
    policies[a.operatorId] = await testPolicy(env, a.operatorId);
    policies[b.operatorId] = await testPolicy(env, b.operatorId);
    const s = env.ctx.services;
    // The app's channel intake, with the test's published policies.
    const inbound = new ChannelInboundService({
      db: env.ctx.db,
      subjects: s.subjects,
      outbox: s.outbox,
      operators: s.operators,
      policy: policySource(policies),
      audit: s.audit,
      clock: env.clock,
      ids: env.ctx.ids,
      publicUrl: env.config.publicUrl,
      log: env.ctx.log,
    });
    app = await env.app({
      surfaces: [
        (x, ctx) => channelWebhooks(x, { connections: ctx.services.channels, inbound, clock: ctx.clock }),
      ],
    });
    const connect = (opId: string, input: Parameters<typeof s.channels.connect>[2]) =>
      s.channels.connect(ADMIN, opId, input);
    conn.tgA = await connect(a.operatorId, { provider: 'telegram', botToken: `123456:${'A'.repeat(35)}` });
    conn.waA = await connect(a.operatorId, {
      provider: 'whatsapp',
      accessToken: 'EAAG-access-token-A',
      phoneNumberId: '106540352242922',
      appSecret: 'meta-app-secret-A',
    });
    conn.maxA = await connect(a.operatorId, { provider: 'max', botToken: 'max-bot-token-A' });
    conn.smsA = await connect(a.operatorId, { provider: 'sms_ru', apiId: 'A1B2C3D4-0000' });
    conn.telA = await connect(a.operatorId, { provider: 'telephony' });
    conn.waB = await connect(b.operatorId, {
      provider: 'whatsapp',
      accessToken: 'EAAG-access-token-B',
      phoneNumberId: '106540352242922',
      appSecret: 'meta-app-secret-B',
    });
    conn.telB = await connect(b.operatorId, { provider: 'telephony' });
  });
  after(() => env.close());

  describe('Telegram', () => {
    it('refuses an unknown path, another provider’s token, a missing or wrong secret: nothing stored', async () => {
      const before = await snapshot();
      const body = tg(100, SECRET_TEXT);
      const unknown = `/hooks/telegram/${randomBytes(24).toString('base64url')}`;
      assert.equal((await postTg(body, secretOf('tgA'), unknown)).statusCode, 404);
      assert.equal((await postTg(body, secretOf('tgA'), '/hooks/telegram/short')).statusCode, 404);
      const waToken = pathOf('waA').split('/').pop()!;
      assert.equal((await postTg(body, secretOf('tgA'), `/hooks/telegram/${waToken}`)).statusCode, 404);
      assert.equal((await post(pathOf('tgA'), body)).statusCode, 401);
      const wrong = await postTg(body, `${secretOf('tgA')}x`);
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json<{ error: { code: string } }>().error.code, 'unauthenticated');
      assert.equal((await postTg(body, secretOf('maxA'))).statusCode, 401);
      assert.deepEqual(await snapshot(), before);
    });

    it('refuses malformed JSON, a wrong shape, a huge body and another content type: nothing stored', async () => {
      const before = await snapshot();
      assert.equal((await postTg('{"update_id": 101, "message": ')).statusCode, 400);
      assert.equal((await postTg(JSON.stringify({ update_id: '101' }))).statusCode, 400);
      assert.equal((await postTg(JSON.stringify({ update_id: -1 }))).statusCode, 400);
      assert.equal((await postTg(Buffer.from([0x7b, 0xff, 0x7d]))).statusCode, 400);
      assert.equal((await postTg(tg(101, 'a\u0000b'))).statusCode, 400);
      const huge = tg(101, 'x'.repeat(WEBHOOK_BODY_LIMITS.telegram));
      const tooBig = await postTg(huge);
      assert.equal(tooBig.statusCode, 413);
      const form = await post(pathOf('tgA'), 'update_id=101', {
        'content-type': 'application/x-www-form-urlencoded',
        'x-telegram-bot-api-secret-token': secretOf('tgA'),
      });
      assert.equal(form.statusCode, 415);
      assert.deepEqual(await snapshot(), before);
    });

    it('opens an inquiry from a private message, sealed, and queues the consent link once', async () => {
      const res = await postTg(tg(200, SECRET_TEXT));
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { ok: true, stored: 1, duplicates: 0 });

      const [inq, ...more] = await inquiriesOf(a.operatorId, 'telegram');
      assert.ok(inq);
      assert.equal(more.length, 0);
      assert.equal(inq.form_id, 'message');
      assert.equal(inq.status, 'new');
      assert.equal(inq.possible_health_data, true);
      assert.equal(inq.reply_channel, 'telegram');
      const key = await keyOf(inq.subject_id);
      assert.equal(openString(key, inq.reply_to_enc!, inquiryReplyToAad(inq.id)), String(TG_USER));
      assert.deepEqual(
        inq.first_contact_due_at,
        firstContactDue(env.clock.now(), DEFAULT_CLINIC_HOURS, 'Europe/Moscow'),
      );
      const subject = (
        await q<{ name_enc: Buffer }>('SELECT name_enc FROM subjects WHERE id = $1', [inq.subject_id])
      )[0]!;
      assert.equal(openString(key, subject.name_enc, `subject:${inq.subject_id}:name`), 'Анна Телеграмова');

      const events = await eventsOf(inq.id);
      assert.deepEqual(
        events.map((e) => e.kind),
        ['message', 'notification'],
      );
      assert.equal(await noteOf(inq.subject_id, events[0]!), SECRET_TEXT);
      assert.equal(events[0]!.actor_type, 'subject');
      // The text is ciphertext in the database.
      assert.ok(!events[0]!.note_enc!.toString('utf8').includes('XYZZY'));

      const outbox = await q<{
        id: string;
        channel: string;
        template: string;
        inquiry_id: string;
        payload_enc: Buffer;
      }>('SELECT * FROM outbox WHERE inquiry_id = $1', [inq.id]);
      assert.equal(outbox.length, 1);
      assert.equal(outbox[0]!.channel, 'telegram');
      assert.equal(outbox[0]!.template, CONSENT_REQUEST_TEMPLATE);
      assert.equal(events[1]!.ref_id, outbox[0]!.id);
      const payload = JSON.parse(openString(key, outbox[0]!.payload_enc, outboxAad(outbox[0]!.id))) as {
        chatId: string;
        text: string;
      };
      assert.equal(payload.chatId, String(TG_USER));
      const doc = policies[a.operatorId]!.documents.consent_processing;
      assert.ok(payload.text.includes(`http://chan-a.example${doc.url}`), payload.text);
      assert.ok(payload.text.includes(`№ ${inq.number}`));

      const audit = await q<{ action: string; actor_type: string; source: string }>(
        `SELECT action, actor_type, source FROM audit_log WHERE object_id = $1 ORDER BY id`,
        [inq.id],
      );
      assert.deepEqual(audit, [{ action: 'inquiry.create', actor_type: 'subject', source: 'telegram' }]);
    });

    it('answers a replayed update 200 without storing it again; a new one joins the open inquiry, no second link', async () => {
      const before = await snapshot();
      const replay = await postTg(tg(200, 'другой текст'));
      assert.equal(replay.statusCode, 200);
      assert.deepEqual(replay.json(), { ok: true, stored: 0, duplicates: 1 });
      assert.deepEqual(await snapshot(), before);

      const next = await postTg(
        tg(201, 'Второе сообщение', { text: undefined, caption: undefined, photo: [{}] }),
      );
      assert.equal(next.statusCode, 200);
      const [inq, ...more] = await inquiriesOf(a.operatorId, 'telegram');
      assert.equal(more.length, 0);
      const events = await eventsOf(inq!.id);
      assert.deepEqual(
        events.map((e) => e.kind),
        ['message', 'notification', 'message'],
      );
      assert.equal(await noteOf(inq!.subject_id, events[2]!), '[photo]');
      assert.equal(await count('outbox', 'inquiry_id = $1', [inq!.id]), 1);
      const audit = await q<{ action: string }>(
        'SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id',
        [inq!.id],
      );
      assert.deepEqual(
        audit.map((r) => r.action),
        ['inquiry.create', 'inquiry.message'],
      );
    });

    it('ignores group chats, bots and other update kinds (200, nothing stored)', async () => {
      const before = await snapshot();
      const group = await postTg(tg(300, 'в группе', { chat: { id: -1001, type: 'supergroup' } }));
      assert.deepEqual(group.json(), { ok: true, stored: 0, duplicates: 0 });
      const bot = await postTg(tg(301, 'бот', { from: { id: 5, is_bot: true, first_name: 'Bot' } }));
      assert.equal(bot.statusCode, 200);
      const edit = await postTg(JSON.stringify({ update_id: 302, edited_message: { message_id: 1 } }));
      assert.equal(edit.statusCode, 200);
      assert.deepEqual(await snapshot(), before);
    });

    it('opens a new inquiry after the old one is done, with the consent link again (a new conversation)', async () => {
      const [old] = await inquiriesOf(a.operatorId, 'telegram');
      await env.ctx.services.inquiries.changeStatus(ADMIN, a.operatorId, old!.id, { to: 'done' });
      assert.equal((await postTg(tg(400, 'Снова здравствуйте'))).statusCode, 200);
      const list = await inquiriesOf(a.operatorId, 'telegram');
      assert.equal(list.length, 2);
      assert.equal(list[1]!.subject_id, old!.subject_id, 'the same patient, found by the Telegram user id');
      assert.notEqual(list[1]!.id, old!.id);
      assert.equal(await count('outbox', 'inquiry_id = $1', [list[1]!.id]), 1);
      assert.equal(
        await count('inquiry_events', 'inquiry_id = $1', [old!.id]),
        4,
        'the done one is untouched',
      );
    });
  });

  describe('WhatsApp', () => {
    it('answers Meta’s verification handshake only with the verify token', async () => {
      const token = secretOf('waA', 'verifyToken');
      const get = (qs: string, path = pathOf('waA')) => app.inject({ method: 'GET', url: `${path}?${qs}` });
      const ok = await get(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.body, '1158201444');
      assert.match(String(ok.headers['content-type']), /^text\/plain/);
      assert.equal((await get(`hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).statusCode, 403);
      assert.equal(
        (await get(`hub.mode=unsubscribe&hub.verify_token=${token}&hub.challenge=1`)).statusCode,
        403,
      );
      const script = encodeURIComponent('<script>alert(1)</script>');
      assert.equal(
        (await get(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${script}`)).statusCode,
        403,
      );
      // B's token at A's path: B's verify token is not A's.
      const other = secretOf('waB', 'verifyToken');
      assert.equal(
        (await get(`hub.mode=subscribe&hub.verify_token=${other}&hub.challenge=1`)).statusCode,
        403,
      );
      const unknown = `/hooks/whatsapp/${randomBytes(24).toString('base64url')}`;
      assert.equal(
        (await get(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1`, unknown)).statusCode,
        404,
      );
    });

    it('checks X-Hub-Signature-256 over the exact bytes received: nothing stored on a bad one', async () => {
      const before = await snapshot();
      const body = wa([waText('wamid.HBgLNzkxMjM0NTY3ODkVAgASGBQ', 'Здравствуйте')]);
      const good = `sha256=${hmacSha256Hex('meta-app-secret-A', Buffer.from(body))}`;
      // The same JSON, spaced differently: the signature no longer fits.
      const respaced = JSON.stringify(JSON.parse(body), null, 1);
      assert.equal((await post(pathOf('waA'), respaced, { 'x-hub-signature-256': good })).statusCode, 401);
      assert.equal((await post(pathOf('waA'), body)).statusCode, 401);
      assert.equal((await postWa(body, 'waA', 'meta-app-secret-B')).statusCode, 401);
      assert.equal(
        (await post(pathOf('waA'), body, { 'x-hub-signature-256': good.slice(7) })).statusCode,
        401,
      );
      assert.deepEqual(await snapshot(), before);
    });

    it('stores a signed text message: the patient found by phone, answered at the wa_id', async () => {
      const body = wa([waText('wamid.A1', 'Запишите к терапевту')]);
      const res = await postWa(body);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { ok: true, stored: 1, duplicates: 0 });
      const [inq] = await inquiriesOf(a.operatorId, 'whatsapp');
      assert.ok(inq);
      const key = await keyOf(inq.subject_id);
      assert.equal(openString(key, inq.reply_to_enc!, inquiryReplyToAad(inq.id)), WA_NUMBER);
      const subject = (
        await q<{ phone_enc: Buffer; name_enc: Buffer }>('SELECT * FROM subjects WHERE id = $1', [
          inq.subject_id,
        ])
      )[0]!;
      assert.equal(openString(key, subject.phone_enc, `subject:${inq.subject_id}:phone`), '+79123456789');
      assert.equal(openString(key, subject.name_enc, `subject:${inq.subject_id}:name`), 'Иван Ватсапов');
      const out = (
        await q<{ id: string; channel: string; payload_enc: Buffer }>(
          'SELECT * FROM outbox WHERE inquiry_id = $1',
          [inq.id],
        )
      )[0]!;
      assert.equal(out.channel, 'whatsapp');
      const payload = JSON.parse(openString(key, out.payload_enc, outboxAad(out.id))) as { to: string };
      assert.equal(payload.to, WA_NUMBER);
      // A replay (Meta's retry) is 200 and changes nothing.
      const before = await snapshot();
      const again = await postWa(body);
      assert.deepEqual(again.json(), { ok: true, stored: 0, duplicates: 1 });
      assert.deepEqual(await snapshot(), before);
    });

    it('accepts status updates and other phone numbers’ messages without storing them', async () => {
      const before = await snapshot();
      const statuses = wa([], '106540352242922', {
        messages: undefined,
        statuses: [
          { id: 'wamid.OUT1', status: 'delivered', timestamp: '1772442000', recipient_id: WA_NUMBER },
        ],
      });
      assert.deepEqual((await postWa(statuses)).json(), { ok: true, stored: 0, duplicates: 0 });
      const elsewhere = wa([waText('wamid.OTHER', 'не вам')], '999999999999');
      assert.deepEqual((await postWa(elsewhere)).json(), { ok: true, stored: 0, duplicates: 0 });
      const notMessages = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'account_update', value: { event: 'X' } }] }],
      });
      assert.equal((await postWa(notMessages)).statusCode, 200);
      assert.deepEqual(await snapshot(), before);
      const malformed = wa([{ from: 'not-digits', id: 'x', type: 'text' }]);
      assert.equal((await postWa(malformed)).statusCode, 400);
      assert.equal((await postWa(JSON.stringify({ object: 'page', entry: [] }))).statusCode, 400);
      assert.deepEqual(await snapshot(), before);
    });
  });

  describe('MAX', () => {
    const update = (mid: string, text: string, over: Row = {}) =>
      JSON.stringify({
        update_type: 'message_created',
        timestamp: 1_772_442_000_000,
        message: {
          sender: { user_id: 54321, first_name: 'Мария', last_name: '', is_bot: false },
          recipient: { chat_id: -100000000, chat_type: 'dialog', user_id: 10002 },
          timestamp: 1_772_442_000_000,
          body: { mid, seq: 0, text },
          ...over,
        },
        user_locale: 'ru',
      });
    const postMax = (body: string, secret = secretOf('maxA')) =>
      post(pathOf('maxA'), body, { 'x-max-bot-api-secret': secret });

    it('stores a dialog message checked by X-Max-Bot-Api-Secret; a replayed mid changes nothing', async () => {
      const before = await snapshot();
      assert.equal((await postMax(update('mid.1', 'Привет'), 'wrong-secret')).statusCode, 401);
      assert.equal((await post(pathOf('maxA'), update('mid.1', 'Привет'))).statusCode, 401);
      assert.equal((await postMax('{"update_type": 1}')).statusCode, 400);
      assert.deepEqual(await snapshot(), before);

      assert.deepEqual((await postMax(update('mid.1', 'Привет'))).json(), {
        ok: true,
        stored: 1,
        duplicates: 0,
      });
      const [inq] = await inquiriesOf(a.operatorId, 'max');
      assert.ok(inq);
      const key = await keyOf(inq.subject_id);
      assert.equal(openString(key, inq.reply_to_enc!, inquiryReplyToAad(inq.id)), '54321');
      const out = (
        await q<{ id: string; payload_enc: Buffer }>('SELECT * FROM outbox WHERE inquiry_id = $1', [inq.id])
      )[0]!;
      assert.equal(
        (JSON.parse(openString(key, out.payload_enc, outboxAad(out.id))) as { userId: string }).userId,
        '54321',
      );
      const mid = await snapshot();
      assert.deepEqual((await postMax(update('mid.1', 'Привет'))).json(), {
        ok: true,
        stored: 0,
        duplicates: 1,
      });
      assert.deepEqual(await snapshot(), mid);
      // Chats other than a dialog, and other update types, are acknowledged and ignored.
      const chat = update('mid.2', 'в чате', { recipient: { chat_id: -5, chat_type: 'chat' } });
      assert.deepEqual((await postMax(chat)).json(), { ok: true, stored: 0, duplicates: 0 });
      assert.equal(
        (await postMax(JSON.stringify({ update_type: 'bot_started', timestamp: 1 }))).statusCode,
        200,
      );
      assert.deepEqual(await snapshot(), mid);
    });
  });

  describe('telephony (our signed format)', () => {
    const secret = () => secretOf('telA', 'secret');

    it('accepts a timestamp exactly five minutes old or ahead, refuses one a second beyond', async () => {
      const now = nowSeconds();
      assert.equal((await postSigned('telA', secret(), call('edge-old'), now - 300)).statusCode, 200);
      assert.equal((await postSigned('telA', secret(), call('edge-new'), now + 300)).statusCode, 200);
      const before = await snapshot();
      const stale = await postSigned('telA', secret(), call('edge-stale'), now - 301);
      assert.equal(stale.statusCode, 401);
      assert.equal((await postSigned('telA', secret(), call('edge-future'), now + 301)).statusCode, 401);
      assert.deepEqual(await snapshot(), before);
    });

    it('refuses a bad or missing signature, another connection’s secret, unknown fields: nothing stored', async () => {
      const before = await snapshot();
      const body = JSON.stringify(call('bad-1'));
      assert.equal((await post(pathOf('telA'), body)).statusCode, 401);
      assert.equal((await postSigned('telA', secretOf('telB', 'secret'), call('bad-2'))).statusCode, 401);
      const ts = nowSeconds();
      const tampered = await post(pathOf('telA'), body.replace('missed', 'ended'), {
        'x-soglasie-timestamp': String(ts),
        'x-soglasie-signature': signTimestamped(secret(), ts, body),
      });
      assert.equal(tampered.statusCode, 401);
      assert.equal((await postSigned('telA', secret(), { ...call('bad-3'), extra: 1 })).statusCode, 400);
      assert.equal(
        (await postSigned('telA', secret(), call('bad-4', { caller: 'anonymous' }))).statusCode,
        400,
      );
      assert.equal((await postSigned('telA', secret(), call('bad 5'))).statusCode, 400);
      const big = call('bad-6', { recording: 'x'.repeat(WEBHOOK_BODY_LIMITS.telephony) });
      assert.equal((await postSigned('telA', secret(), big)).statusCode, 413);
      assert.deepEqual(await snapshot(), before);
    });

    it('opens an inquiry from a missed call, adds the call’s end to it, answers a replay 409', async () => {
      const phone = '+7 916 222-33-44';
      const missed = await postSigned('telA', secret(), call('c-1', { caller: phone, callId: 'call-9' }));
      assert.equal(missed.statusCode, 200);
      const ended = call('c-2', {
        caller: '89162223344',
        type: 'call.ended',
        callId: 'call-10',
        duration: 125,
        recording: 'rec-2026-5531',
      });
      assert.equal((await postSigned('telA', secret(), ended)).statusCode, 200);
      const phoneInquiries = await inquiriesOf(a.operatorId, 'phone');
      const inq = phoneInquiries.at(-1)!;
      assert.equal(inq.form_id, 'call');
      assert.equal(inq.reply_channel, null);
      assert.equal(inq.possible_health_data, false);
      const events = await eventsOf(inq.id);
      assert.deepEqual(
        events.map((e) => e.kind),
        ['call', 'call'],
        'no consent link: a call has nowhere to reply',
      );
      assert.deepEqual(JSON.parse(await noteOf(inq.subject_id, events[1]!)), {
        type: 'call.ended',
        direction: 'inbound',
        callId: 'call-10',
        duration: 125,
        recordingRef: 'rec-2026-5531',
      });
      const before = await snapshot();
      const replay = await postSigned('telA', secret(), ended);
      assert.equal(replay.statusCode, 409);
      assert.equal(replay.json<{ error: { code: string } }>().error.code, 'conflict');
      assert.deepEqual(await snapshot(), before);
    });

    it('adds a call the clinic makes to the patient’s open inquiry of any channel, or ignores it', async () => {
      const before = await snapshot();
      const stranger = call('out-1', {
        direction: 'outbound',
        caller: '+74912000000',
        callee: '+7 999 000-00-01',
      });
      assert.deepEqual((await postSigned('telA', secret(), stranger)).json(), {
        ok: true,
        stored: 0,
        duplicates: 0,
      });
      assert.deepEqual(await snapshot(), before, 'no inquiry, no subject, no event id kept');
      // The WhatsApp patient's number: the callback joins that conversation.
      const back = call('out-2', {
        direction: 'outbound',
        callee: `+${WA_NUMBER}`,
        type: 'call.ended',
        duration: 40,
      });
      assert.equal((await postSigned('telA', secret(), back)).statusCode, 200);
      const [waInq] = await inquiriesOf(a.operatorId, 'whatsapp');
      const events = await eventsOf(waInq!.id);
      assert.equal(events.at(-1)!.kind, 'call');
      assert.equal(events.at(-1)!.actor_type, 'system');
    });
  });

  describe('SMS (our signed format)', () => {
    it('stores a signed inbound SMS for the patient found by phone, in its own inquiry, with an SMS reply', async () => {
      const secret = secretOf('smsA');
      assert.equal(
        (await postSigned('smsA', secret, { id: 's-bad', from: 'кому-то', text: 'x' })).statusCode,
        400,
      );
      assert.equal(
        (await postSigned('smsA', 'wrong', { id: 's-1', from: SMS_NUMBER, text: 'Добрый день' })).statusCode,
        401,
      );
      const res = await postSigned('smsA', secret, { id: 's-1', from: SMS_NUMBER, text: 'Добрый день' });
      assert.equal(res.statusCode, 200);
      const [sms] = await inquiriesOf(a.operatorId, 'sms');
      const [whatsapp] = await inquiriesOf(a.operatorId, 'whatsapp');
      assert.equal(
        sms!.subject_id,
        whatsapp!.subject_id,
        'one patient across channels, by the phone’s blind index',
      );
      assert.notEqual(sms!.id, whatsapp!.id, 'another channel is another conversation');
      const key = await keyOf(sms!.subject_id);
      const out = (
        await q<{ id: string; channel: string; payload_enc: Buffer }>(
          'SELECT * FROM outbox WHERE inquiry_id = $1',
          [sms!.id],
        )
      )[0]!;
      assert.equal(out.channel, 'sms');
      assert.equal(
        (JSON.parse(openString(key, out.payload_enc, outboxAad(out.id))) as { to: string }).to,
        '+79123456789',
      );
      assert.equal(
        (await postSigned('smsA', secret, { id: 's-1', from: SMS_NUMBER, text: 'Добрый день' })).statusCode,
        409,
      );
    });

    it('sends no consent link to a patient who has consented to processing', async () => {
      const [sms] = await inquiriesOf(a.operatorId, 'sms');
      const verbal = new VerbalConsentService({
        db: env.ctx.db,
        keyring: env.ctx.services.keyring,
        policy: policySource(policies),
        audit: env.ctx.services.audit,
        clock: env.clock,
        ids: env.ctx.ids,
      });
      await verbal.recordVerbalConsent(ADMIN, a.operatorId, sms!.id, {
        kinds: ['processing'],
        recordingRef: 'rec-1',
      });
      await env.ctx.services.inquiries.changeStatus(ADMIN, a.operatorId, sms!.id, { to: 'done' });
      const res = await postSigned('smsA', secretOf('smsA'), {
        id: 's-2',
        from: SMS_NUMBER,
        text: 'Ещё вопрос',
      });
      assert.equal(res.statusCode, 200);
      const fresh = (await inquiriesOf(a.operatorId, 'sms')).at(-1)!;
      assert.notEqual(fresh.id, sms!.id);
      assert.equal(await count('outbox', 'inquiry_id = $1', [fresh.id]), 0);
      assert.deepEqual(
        (await eventsOf(fresh.id)).map((e) => e.kind),
        ['message'],
      );
    });
  });

  describe('tenant isolation and disabling', () => {
    it('writes through a connection only into its own operator', async () => {
      const bBefore = await count('inquiries', 'operator_id = $1', [b.operatorId]);
      const body = wa([waText('wamid.B1', 'Клинике Б')]);
      // A's secret at B's path, B's secret at A's path: refused.
      assert.equal((await postWa(body, 'waB', 'meta-app-secret-A')).statusCode, 401);
      assert.equal((await postWa(body, 'waA', 'meta-app-secret-B')).statusCode, 401);
      assert.equal(await count('inquiries', 'operator_id = $1', [b.operatorId]), bBefore);
      // The same phone writes to B: B gets its own subject and inquiry; A's rows are untouched.
      const aRows = await snapshot();
      assert.equal((await postWa(body, 'waB', 'meta-app-secret-B')).statusCode, 200);
      const [bInq] = await inquiriesOf(b.operatorId, 'whatsapp');
      const [aInq] = await inquiriesOf(a.operatorId, 'whatsapp');
      assert.ok(bInq && aInq);
      assert.notEqual(bInq.subject_id, aInq.subject_id);
      const bSubject = await q<{ operator_id: string }>('SELECT operator_id FROM subjects WHERE id = $1', [
        bInq.subject_id,
      ]);
      assert.equal(bSubject[0]!.operator_id, b.operatorId);
      assert.equal(await count('inquiries', 'operator_id = $1', [a.operatorId]), aRows.inquiries);
      // Every row B's connection wrote belongs to B.
      assert.equal(
        await count('inquiry_events', 'inquiry_id = $1 AND operator_id <> $2', [bInq.id, b.operatorId]),
        0,
      );
      assert.equal(
        await count('outbox', 'inquiry_id = $1 AND operator_id <> $2', [bInq.id, b.operatorId]),
        0,
      );
      // An event id taken at A is not taken at B: replay protection is per connection.
      assert.equal((await postSigned('telB', secretOf('telB', 'secret'), call('c-1'))).statusCode, 200);
      assert.equal((await inquiriesOf(b.operatorId, 'phone')).length, 1);
    });

    it('a disabled connection answers 404 and stores nothing', async () => {
      await env.ctx.services.channels.disable(ADMIN, b.operatorId, conn.telB!.connection.id);
      const before = await snapshot();
      assert.equal((await postSigned('telB', secretOf('telB', 'secret'), call('c-after'))).statusCode, 404);
      assert.deepEqual(await snapshot(), before);
    });

    it('never logs a message, a name or a number', () => {
      assertNoPersonalDataInLogs(
        env.logs,
        [SECRET_TEXT, 'XYZZY', 'Телеграмова', 'Ватсапов', WA_NUMBER, '9162223344', String(TG_USER)],
        { expect: 'channel events received' }, // the receipts are logged (ids and counts)
      );
    });
  });
});

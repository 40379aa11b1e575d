import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { freePort } from '../../../platform/db/embedded.ts';
import {
  credentialMap,
  smsRuAnswer,
  smsRuRequestError,
  startFakeMax,
  startFakeSmsRu,
  startFakeTelegram,
  startFakeWhatsApp,
  telegramErrors,
  whatsappError,
  type FakeProvider,
  type MaxReceived,
  type SmsRuReceived,
  type TelegramReceived,
  type WhatsAppReceived,
} from './fake-providers.testing.ts';
import { createMaxSender } from './max.sender.ts';
import { SendFailed, SendRefused, type OutboxMessage, type Sender } from './sender.ts';
import { createSmsRuSender } from './sms-ru.sender.ts';
import { createTelegramSender } from './telegram.sender.ts';
import { createWhatsAppSender } from './whatsapp.sender.ts';

const OP = '00000000-0000-4000-8000-000000000001';
const OTHER_OP = '00000000-0000-4000-8000-000000000002';
const TG_TOKEN = '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

const message = (channel: string, payload: unknown, operatorId = OP): OutboxMessage => ({
  id: '00000000-0000-4000-8000-0000000000aa',
  operatorId,
  subjectId: '00000000-0000-4000-8000-0000000000bb',
  channel,
  template: 'status.done',
  payload,
  attempt: 1,
});

async function refused(p: Promise<void>, reason: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SendRefused, `expected SendRefused, got ${String(e)}`);
    assert.equal(e.reason, reason);
    return true;
  });
}

async function failed(p: Promise<void>, reason: string, retryAfterMs?: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SendFailed, `expected SendFailed, got ${String(e)}`);
    assert.equal(e.reason, reason);
    assert.equal(e.retryAfterMs, retryAfterMs);
    // Nothing the provider said, nor the recipient, is in the error.
    assert.doesNotMatch(`${e.message} ${e.reason}`, /79123456789|Ивановой|blocked|chat not found/);
    return true;
  });
}

describe('Telegram Bot API sender', () => {
  let tg: FakeProvider<TelegramReceived>;
  let sender: Sender;
  before(async () => {
    tg = await startFakeTelegram();
    sender = createTelegramSender(
      credentialMap({
        [OP]: { telegram: { botToken: TG_TOKEN, apiBaseUrl: tg.baseUrl, webhookSecret: 'x' } },
      }),
      { timeoutMs: 5000 },
    );
  });
  after(() => tg.close());
  beforeEach(() => {
    tg.received.length = 0;
    tg.reply = () => undefined;
  });

  it('sends the text to the chat with the operator’s bot', async () => {
    await sender.send(message('telegram', { chatId: '987654321', text: 'Заявка № 42: готово' }));
    assert.deepEqual(tg.received, [{ token: TG_TOKEN, chatId: '987654321', text: 'Заявка № 42: готово' }]);
  });

  it('429: retried no sooner than retry_after; 5xx and a wrong token: retried', async () => {
    const p = { chatId: '1', text: 'x' };
    tg.reply = () => telegramErrors.tooManyRequests(37);
    await failed(sender.send(message('telegram', p)), 'telegram-429', 37_000);
    tg.reply = () => telegramErrors.serverError();
    await failed(sender.send(message('telegram', p)), 'telegram-502');
    tg.reply = () => telegramErrors.unauthorized();
    await failed(sender.send(message('telegram', p)), 'telegram-401');
    // `ok: false` even with HTTP 200 is not a delivery.
    tg.reply = () => ({ status: 200, body: { ok: false, error_code: 429, parameters: { retry_after: 3 } } });
    await failed(sender.send(message('telegram', p)), 'telegram-429', 3000);
    tg.reply = () => ({ status: 200, body: 'not json' });
    await failed(sender.send(message('telegram', p)), 'telegram-bad_reply');
    assert.equal(tg.received.length, 0);
  });

  it('403 blocked by the user and 400 chat not found: refused for good', async () => {
    tg.reply = () => telegramErrors.blocked();
    await refused(sender.send(message('telegram', { chatId: '1', text: 'x' })), 'telegram-403');
    tg.reply = () => telegramErrors.chatNotFound();
    await refused(sender.send(message('telegram', { chatId: '1', text: 'x' })), 'telegram-400');
  });

  it('refuses payloads that are not a Telegram message, before any request', async () => {
    const before = tg.requests;
    for (const bad of [
      { chatId: '@channel', text: 'x' },
      { chatId: '1', text: '' },
      { chatId: '1', text: 'x'.repeat(4097) },
      { to: '+79123456789', text: 'x' },
      null,
    ]) {
      await refused(sender.send(message('telegram', bad)), 'invalid_payload');
    }
    assert.equal(tg.requests, before);
  });

  it('an operator without a connected bot: retried, not failed', async () => {
    await failed(
      sender.send(message('telegram', { chatId: '1', text: 'x' }, OTHER_OP)),
      'telegram-not_connected',
    );
    const broken = createTelegramSender(
      credentialMap({ [OP]: { telegram: { botToken: '../../x', apiBaseUrl: tg.baseUrl } } }),
    );
    await failed(broken.send(message('telegram', { chatId: '1', text: 'x' })), 'telegram-bad_credentials');
  });

  it('a provider that cannot be reached: retried with a network code', async () => {
    const port = await freePort();
    const down = createTelegramSender(
      credentialMap({ [OP]: { telegram: { botToken: TG_TOKEN, apiBaseUrl: `http://127.0.0.1:${port}` } } }),
    );
    await failed(down.send(message('telegram', { chatId: '1', text: 'x' })), 'telegram-network');
  });
});

describe('SMS.ru sender', () => {
  let sms: FakeProvider<SmsRuReceived>;
  let sender: Sender;
  before(async () => {
    sms = await startFakeSmsRu();
    sender = createSmsRuSender(
      credentialMap({
        [OP]: {
          sms_ru: { apiId: 'A3CA597E-3ACF-4E7D-82EE-CF82B52B1A8B', from: 'MRTLux', apiBaseUrl: sms.baseUrl },
        },
      }),
    );
  });
  after(() => sms.close());
  beforeEach(() => {
    sms.received.length = 0;
    sms.reply = () => undefined;
  });

  it('posts api_id, the number as digits, the text and the sender name, and reads the number’s status', async () => {
    await sender.send(message('sms', { to: '+79123456789', text: 'МРТ Люкс: заявка № 42 выполнена.' }));
    assert.deepEqual(sms.received, [
      {
        apiId: 'A3CA597E-3ACF-4E7D-82EE-CF82B52B1A8B',
        to: '79123456789',
        msg: 'МРТ Люкс: заявка № 42 выполнена.',
        from: 'MRTLux',
      },
    ]);
  });

  it('sorts SMS.ru’s codes into refused for good and retried', async () => {
    const p = { to: '+79123456789', text: 'x' };
    for (const code of [202, 207, 209]) {
      sms.reply = (r) => smsRuAnswer(r.to, code);
      await refused(sender.send(message('sms', p)), `smsru-${code}`);
    }
    for (const code of [220, 230, 231]) {
      sms.reply = (r) => smsRuAnswer(r.to, code);
      await failed(sender.send(message('sms', p)), `smsru-${code}`);
    }
    for (const code of [200, 201, 204, 301]) {
      sms.reply = () => smsRuRequestError(code);
      await failed(sender.send(message('sms', p)), `smsru-${code}`);
    }
    sms.reply = () => ({ status: 503, body: {} });
    await failed(sender.send(message('sms', p)), 'smsru-http-503');
    // An answer without this number's status is no proof of acceptance.
    sms.reply = () => smsRuAnswer('70000000000', 100);
    await failed(sender.send(message('sms', p)), 'smsru-bad_reply');
    assert.equal(sms.received.length, 0);
  });

  it('refuses numbers not in E.164 and texts over 8 parts', async () => {
    for (const bad of [
      { to: '89123456789', text: 'x' },
      { to: '+7 912 345-67-89', text: 'x' },
      { to: '+79123456789', text: 'я'.repeat(537) },
      { chatId: '1', text: 'x' },
    ]) {
      await refused(sender.send(message('sms', bad)), 'invalid_payload');
    }
  });
});

describe('WhatsApp Cloud API sender', () => {
  let wa: FakeProvider<WhatsAppReceived>;
  let sender: Sender;
  before(async () => {
    wa = await startFakeWhatsApp();
    sender = createWhatsAppSender(
      credentialMap({
        [OP]: {
          whatsapp: {
            accessToken: 'EAAG-test-access-token',
            phoneNumberId: '106540352242922',
            appSecret: 's',
            verifyToken: 'v',
            apiBaseUrl: `${wa.baseUrl}/v21.0/`,
          },
        },
      }),
    );
  });
  after(() => wa.close());
  beforeEach(() => {
    wa.received.length = 0;
    wa.reply = () => undefined;
  });

  it('sends a text message from the operator’s number', async () => {
    await sender.send(message('whatsapp', { to: '79123456789', text: 'Здравствуйте!' }));
    assert.deepEqual(wa.received, [
      {
        phoneNumberId: '106540352242922',
        token: 'EAAG-test-access-token',
        to: '79123456789',
        text: 'Здравствуйте!',
      },
    ]);
  });

  it('outside the 24-hour window (131047): refused; rate limits: retried', async () => {
    const p = { to: '79123456789', text: 'x' };
    wa.reply = () => whatsappError(400, 131047);
    await refused(sender.send(message('whatsapp', p)), 'whatsapp-131047');
    wa.reply = () => whatsappError(400, 131026);
    await refused(sender.send(message('whatsapp', p)), 'whatsapp-131026');
    wa.reply = () => whatsappError(429, 130429);
    await failed(sender.send(message('whatsapp', p)), 'whatsapp-130429');
    wa.reply = () => whatsappError(401, 190);
    await failed(sender.send(message('whatsapp', p)), 'whatsapp-190');
    wa.reply = () => ({ status: 502, body: 'upstream' });
    await failed(sender.send(message('whatsapp', p)), 'whatsapp-http-502');
    await refused(sender.send(message('whatsapp', { to: '+79123456789', text: 'x' })), 'invalid_payload');
  });
});

describe('MAX Bot API sender', () => {
  let max: FakeProvider<MaxReceived>;
  let sender: Sender;
  before(async () => {
    max = await startFakeMax();
    sender = createMaxSender(
      credentialMap({ [OP]: { max: { botToken: 'max-bot-token-123', apiBaseUrl: max.baseUrl } } }),
    );
  });
  after(() => max.close());
  beforeEach(() => {
    max.received.length = 0;
    max.reply = () => undefined;
  });

  it('sends to the user with the token in the Authorization header', async () => {
    await sender.send(message('max', { userId: '5551234', text: 'Здравствуйте!' }));
    assert.deepEqual(max.received, [
      { token: 'max-bot-token-123', userId: '5551234', text: 'Здравствуйте!' },
    ]);
  });

  it('403 and 404: refused; 429 and 503: retried', async () => {
    const p = { userId: '5551234', text: 'x' };
    max.reply = () => ({ status: 403, body: { code: 'chat.denied', message: 'denied' } });
    await refused(sender.send(message('max', p)), 'max-403');
    max.reply = () => ({ status: 404, body: { code: 'not.found', message: 'no user' } });
    await refused(sender.send(message('max', p)), 'max-404');
    max.reply = () => ({ status: 429, body: { code: 'too.many.requests', message: 'slow down' } });
    await failed(sender.send(message('max', p)), 'max-429');
    max.reply = () => ({ status: 503, body: {} });
    await failed(sender.send(message('max', p)), 'max-503');
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { createPool, Database } from '../../platform/db/database.ts';
import { JobRunner } from '../../platform/jobs/index.ts';
import {
  createMessagingSenders,
  DEFAULT_QUIET_WINDOW,
  nextAllowedMoment,
  OUTBOX_DISPATCH,
  outboxDispatchJob,
  OutboxService,
  QUIET_HOURS,
  type OutboxAddInput,
  type QuietHoursSource,
} from './index.ts';
import { insertOperator, insertSubject } from './outbox.testing.ts';
import {
  credentialMap,
  startFakeSmsRu,
  startFakeTelegram,
  telegramErrors,
  type FakeProvider,
  type SmsRuReceived,
  type TelegramReceived,
} from './senders/fake-providers.testing.ts';

interface Row {
  state: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
}

const TG_TOKEN = '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
/** Monday 16 March 2026, 20:59:59 in Moscow (UTC+3). */
const BEFORE_QUIET = new Date('2026-03-16T17:59:59.000Z');
const QUIET_START = new Date('2026-03-16T18:00:00.000Z');
const QUIET_END = new Date('2026-03-17T06:00:00.000Z');

describe('outbox dispatch to SMS and messenger providers', () => {
  let env: TestEnv;
  let tg: FakeProvider<TelegramReceived>;
  let sms: FakeProvider<SmsRuReceived>;
  let operatorId: string;
  let subjectId: string;
  let outbox: OutboxService;
  let unbound: OutboxService;
  const closers: (() => Promise<void>)[] = [];
  // Every operator here is a Moscow clinic with the default quiet hours.
  const quietHours: QuietHoursSource = {
    nextAllowed: async (_op, at) => nextAllowedMoment(at, DEFAULT_QUIET_WINDOW, 'Europe/Moscow'),
  };

  before(async () => {
    env = await createTestEnv({ start: new Date('2026-03-16T09:00:00.000Z') });
    tg = await startFakeTelegram();
    sms = await startFakeSmsRu();
    operatorId = await insertOperator(env, 'clinic-providers');
    subjectId = await insertSubject(env, operatorId);
    outbox = new OutboxService(env.ctx.services.keyring, env.clock, env.ctx.ids, quietHours);
    unbound = new OutboxService(env.ctx.services.keyring, env.clock, env.ctx.ids);
  });
  after(async () => {
    for (const c of closers) await c();
    await tg.close();
    await sms.close();
    await env.close();
  });
  beforeEach(async () => {
    tg.received.length = 0;
    sms.received.length = 0;
    tg.reply = () => undefined;
    sms.reply = () => undefined;
    env.clock.set(new Date('2026-03-16T09:00:00.000Z'));
    const admin = await env.admin();
    await admin.query("UPDATE outbox SET state = 'cancelled' WHERE state = 'pending'");
  });

  const senders = () =>
    createMessagingSenders(
      credentialMap({
        [operatorId]: {
          telegram: { botToken: TG_TOKEN, apiBaseUrl: tg.baseUrl },
          sms_ru: { apiId: 'test-api-id-0001', apiBaseUrl: sms.baseUrl },
        },
      }),
      { timeoutMs: 5000 },
    );

  const runner = (db: Database = env.ctx.db, batchSize?: number) =>
    new JobRunner({
      db,
      clock: env.clock,
      log: env.ctx.log,
      handlers: [
        outboxDispatchJob({
          keyring: env.ctx.services.keyring,
          audit: env.ctx.services.audit,
          jobs: env.ctx.services.jobs,
          clock: env.clock,
          senders: senders(),
          random: () => 0.5,
          quietHours,
          ...(batchSize ? { batchSize } : {}),
        }),
      ],
    });

  const add = (over: Partial<OutboxAddInput> = {}, service = outbox) =>
    env.ctx.db.scoped([operatorId], (tx) =>
      service.add(tx, {
        operatorId,
        subjectId,
        channel: 'telegram',
        template: 'status.done',
        payload: { chatId: '987654321', text: 'Заявка № 42 выполнена' },
        quietHours: true,
        ...over,
      }),
    );

  const dispatch = async (r = runner()) => {
    await env.ctx.db.transaction((tx) => env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH }));
    const out = await r.runOnce();
    assert.equal(out.ran && out.state, 'done');
  };

  const row = async (id: string): Promise<Row> =>
    (
      await env.ctx.db.system((tx) =>
        tx.query<Row>('SELECT state, attempts, next_attempt_at, last_error FROM outbox WHERE id = $1', [id]),
      )
    ).rows[0]!;

  it('delivers to the Telegram Bot API and to SMS.ru', async () => {
    const t = await add();
    const s = await add({ channel: 'sms', payload: { to: '+79123456789', text: 'Заявка № 42 выполнена' } });
    await dispatch();
    assert.deepEqual(tg.received, [{ token: TG_TOKEN, chatId: '987654321', text: 'Заявка № 42 выполнена' }]);
    assert.equal(sms.received.length, 1);
    assert.equal(sms.received[0]!.to, '79123456789');
    assert.equal((await row(t)).state, 'sent');
    assert.equal((await row(s)).state, 'sent');
  });

  it('Telegram 429: the next attempt waits retry_after when it is longer than the back-off', async () => {
    const id = await add();
    tg.reply = () => telegramErrors.tooManyRequests(30);
    const failedAt = env.clock.now();
    await dispatch();
    let r = await row(id);
    assert.equal(r.state, 'pending');
    assert.equal(r.last_error, 'telegram-429');
    // The back-off after a first failure is 7.5 s here; Telegram asked for 30.
    assert.equal(r.next_attempt_at.getTime(), failedAt.getTime() + 30_000);

    env.clock.set(new Date(r.next_attempt_at.getTime() - 1));
    await dispatch();
    assert.equal((await row(id)).attempts, 1, 'not a millisecond early');

    // A shorter hint than the back-off: the back-off (15 s after a second failure) stands.
    tg.reply = () => telegramErrors.tooManyRequests(2);
    env.clock.set(r.next_attempt_at);
    const secondAt = env.clock.now();
    await dispatch();
    r = await row(id);
    assert.equal(r.attempts, 2);
    assert.equal(r.next_attempt_at.getTime(), secondAt.getTime() + 15_000);

    tg.reply = () => undefined;
    env.clock.set(r.next_attempt_at);
    await dispatch();
    assert.equal((await row(id)).state, 'sent');
    assert.equal(tg.received.length, 1);
  });

  it('Telegram 403 (blocked by the user): failed at once with its code', async () => {
    const id = await add();
    tg.reply = () => telegramErrors.blocked();
    await dispatch();
    const r = await row(id);
    assert.equal(r.state, 'failed');
    assert.equal(r.attempts, 1);
    assert.equal(r.last_error, 'refused:telegram-403');
  });

  it('bad payloads are failed with a code, never sent', async () => {
    const requests = tg.requests + sms.requests;
    const a = await add({ payload: { chatId: 'not-a-chat', text: 'x' } });
    const b = await add({ channel: 'sms', payload: { to: '8 912 345-67-89', text: 'x' } });
    const c = await add({ channel: 'whatsapp', payload: { to: '79123456789' } });
    await dispatch();
    for (const id of [a, b, c]) {
      const r = await row(id);
      assert.equal(r.state, 'failed');
      assert.equal(r.last_error, 'refused:invalid_payload');
    }
    assert.equal(tg.requests + sms.requests, requests, 'no request reached a provider');
  });

  it('quiet hours when queuing: 20:59:59 goes now, 21:00:00 waits until 09:00:00 local', async () => {
    env.clock.set(BEFORE_QUIET);
    const early = await add();
    assert.equal((await row(early)).next_attempt_at.getTime(), BEFORE_QUIET.getTime());
    await dispatch();
    assert.equal((await row(early)).state, 'sent');
    env.clock.set(QUIET_START);
    const late = await add();
    assert.equal((await row(late)).next_attempt_at.getTime(), QUIET_END.getTime());
    // A reply in a conversation is not bound by quiet hours.
    const reply = await add({ template: 'reply', quietHours: false });
    assert.equal((await row(reply)).next_attempt_at.getTime(), QUIET_START.getTime());
    await dispatch();
    assert.equal(tg.received.length, 2);
    assert.equal((await row(late)).state, 'pending');
    env.clock.set(QUIET_END);
    await dispatch();
    assert.equal((await row(late)).state, 'sent');
  });

  it('quiet hours when sending: a bound message found due inside them moves to their end, no attempt', async () => {
    env.clock.set(QUIET_START);
    // Queued by a service that did not know the quiet hours.
    const id = await add({ quietHours: true }, unbound);
    await dispatch();
    let r = await row(id);
    assert.equal(tg.received.length, 0);
    assert.equal(r.state, 'pending');
    assert.equal(r.attempts, 0);
    assert.equal(r.last_error, QUIET_HOURS);
    assert.equal(r.next_attempt_at.getTime(), QUIET_END.getTime());
    env.clock.set(new Date(QUIET_END.getTime() - 1000));
    await dispatch();
    assert.equal(tg.received.length, 0);
    env.clock.set(QUIET_END);
    await dispatch();
    r = await row(id);
    assert.equal(r.state, 'sent');
    assert.equal(r.attempts, 1);
  });

  it('a retry that would land inside quiet hours waits for their end', async () => {
    env.clock.set(new Date('2026-03-16T17:59:55.000Z')); // 20:59:55 MSK
    const id = await add();
    tg.reply = () => telegramErrors.serverError();
    await dispatch();
    const r = await row(id);
    assert.equal(r.last_error, 'telegram-502');
    // 20:59:55 + 7.5 s is 21:00:02.5: inside, so 09:00 the next morning.
    assert.equal(r.next_attempt_at.getTime(), QUIET_END.getTime());
  });

  it('two job runners on one database send each message exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push(await add({ payload: { chatId: String(1000 + i), text: `m${i}` } }));
      ids.push(await add({ channel: 'sms', payload: { to: `+7912345670${i}`, text: `s${i}` } }));
    }
    const pools = [0, 1].map(() => new Database(createPool({ url: env.adminUrls.data, max: 2 })));
    closers.push(...pools.map((p) => () => p.close()));
    const runners = pools.map((db) => runner(db, 3));
    await env.ctx.db.transaction(async (tx) => {
      await env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH });
      await env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH });
    });
    await Promise.all(runners.map((r) => r.drain()));
    const chats = tg.received.map((m) => m.chatId).sort();
    const numbers = sms.received.map((m) => m.to).sort();
    assert.equal(chats.length, 8);
    assert.equal(new Set(chats).size, 8);
    assert.equal(numbers.length, 8);
    assert.equal(new Set(numbers).size, 8);
    for (const id of ids) assert.equal((await row(id)).state, 'sent');
  });
});

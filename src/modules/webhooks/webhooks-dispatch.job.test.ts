import assert from 'node:assert/strict';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { JobRunner } from '../../platform/jobs/index.ts';
import type { IntakeService } from '../inquiries/index.ts';
import {
  callback,
  insertOperatorWithSite,
  staffPrincipal,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import type { Principal } from '../staff/index.ts';
import {
  WEBHOOKS_DISPATCH,
  webhooksDispatchJob,
  type WebhooksDispatchDeps,
} from './webhooks-dispatch.job.ts';
import { InquiryCreatedEvent } from './webhooks.schemas.ts';
import { WebhooksService } from './webhooks.service.ts';
import { verifySignature } from './webhooks.signature.ts';
import { intakeWithWebhooks, startReceiver, type Receiver } from './webhooks.testing.ts';

interface DeliveryRow {
  id: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date;
}

interface AttemptRow {
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/**
 * The receiver's check, written from the documented algorithm (README, API section) rather than
 * with the module's own helper: HMAC-SHA256 keyed with the secret's UTF-8 bytes over "<t>.<body>".
 */
function documentedCheck(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

describe('webhooks dispatch job', () => {
  let env: TestEnv;
  let op: TestOperator;
  let admin: Principal;
  let intake: IntakeService;
  let receiver: Receiver;
  let secret: string;
  let endpointId: string;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;
  const delivery = async (id: string) =>
    (await q<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]))[0]!;
  const attempts = (id: string) =>
    q<AttemptRow>('SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt', [id]);

  function runner(o: Partial<WebhooksDispatchDeps> = {}, name = 'main'): JobRunner {
    const s = env.ctx.services;
    return new JobRunner({
      db: env.ctx.db,
      clock: env.clock,
      log: env.ctx.log,
      name,
      handlers: [
        webhooksDispatchJob({
          keyring: s.keyring,
          jobs: s.jobs,
          clock: env.clock,
          mode: 'local',
          // The smallest delay of each back-off step: 5 s after the first failure, then 10 s.
          random: () => 0,
          ...o,
        }),
      ],
    });
  }

  async function enqueueDispatch(key = randomUUID()): Promise<void> {
    await env.ctx.db.system((tx) =>
      env.ctx.services.jobs.enqueue(tx, { kind: WEBHOOKS_DISPATCH, dedupeKey: key }),
    );
  }

  /** One new inquiry; returns the id of its delivery to the test endpoint. */
  async function newDelivery(): Promise<string> {
    const r = await intake.submit(callback(op));
    assert.equal(r.kind, 'created');
    const [row] = await q<{ id: string }>(
      'SELECT id FROM webhook_deliveries WHERE inquiry_id = $1 AND endpoint_id = $2',
      [(r as { inquiryId: string }).inquiryId, endpointId],
    );
    return row!.id;
  }

  before(async () => {
    env = await createTestEnv();
    receiver = await startReceiver();
    op = await insertOperatorWithSite(env, 'dispatch');
    admin = staffPrincipal(randomUUID(), { [op.operatorId]: ['administrator'] });
    intake = intakeWithWebhooks(env, [op]);
    const created = await env.ctx.services.webhooks.createEndpoint(admin, op.operatorId, {
      url: receiver.url,
      events: ['inquiry.created', 'inquiry.status_changed'],
    });
    secret = created.secret;
    endpointId = created.endpoint.id;
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.respond = () => 200;
    receiver.delayMs = 0;
  });
  after(async () => {
    await receiver.close();
    await env.close();
  });

  it('POSTs the stored body, signed as documented, with the event and delivery headers; nothing of the response is kept', async () => {
    const id = await newDelivery();
    const body = (await q<{ body: string }>('SELECT body FROM webhook_deliveries WHERE id = $1', [id]))[0]!
      .body;
    await enqueueDispatch();
    env.clock.advance(1000);
    await runner().drain();

    assert.equal(receiver.received.length, 1);
    const r = receiver.received[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/hooks/soglasie?token=abc');
    assert.equal(r.body, body);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['soglasie-event'], 'inquiry.created');
    assert.equal(r.headers['soglasie-delivery'], id);
    const sig = String(r.headers['soglasie-signature']);
    assert.ok(documentedCheck(secret, sig, r.body), 'verifies with the documented algorithm');
    assert.equal(sig.split(',')[0], `t=${Math.floor(env.clock.now().getTime() / 1000)}`);
    assert.equal(documentedCheck(`${secret}x`, sig, r.body), false, 'another secret does not verify');
    assert.equal(
      documentedCheck(secret, sig, r.body.replace('"new"', '"done"')),
      false,
      'a changed body does not',
    );
    const now = Math.floor(env.clock.now().getTime() / 1000);
    assert.ok(verifySignature(secret, sig, r.body, { nowSeconds: now + 300 }));
    assert.equal(verifySignature(secret, sig, r.body, { nowSeconds: now + 301 }), false, 'too old');
    InquiryCreatedEvent.parse(JSON.parse(r.body));

    const d = await delivery(id);
    assert.equal(d.state, 'delivered');
    assert.equal(d.attempts, 1);
    assert.equal(d.last_status, 200);
    const log = await attempts(id);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.status_code, 200);
    assert.equal(log[0]!.error, null);
    assert.ok(log[0]!.duration_ms >= 0);
    const stored =
      JSON.stringify(await q('SELECT * FROM webhook_attempts')) +
      JSON.stringify(await q('SELECT * FROM webhook_deliveries'));
    assert.equal(stored.includes('must not be stored'), false, 'response bodies are not stored');
    assert.equal(stored.includes('token=abc'), false, 'the URL (and its token) is not copied into the log');
  });

  it('retries after a 500 when the back-off has passed (not a millisecond before), then succeeds', async () => {
    const id = await newDelivery();
    receiver.respond = () => 500;
    await enqueueDispatch();
    const r = runner();
    await r.drain();
    let d = await delivery(id);
    assert.equal(d.state, 'pending');
    assert.equal(d.attempts, 1);
    assert.equal(d.last_status, 500);
    assert.equal(d.last_error, 'http_500');
    assert.equal(d.next_attempt_at.getTime(), env.clock.now().getTime() + 5000);

    receiver.respond = () => 204;
    env.clock.advance(4999);
    await enqueueDispatch();
    await r.drain();
    assert.equal((await delivery(id)).attempts, 1, 'not due yet');
    assert.equal(receiver.received.length, 1);

    env.clock.advance(1);
    await enqueueDispatch();
    await r.drain();
    d = await delivery(id);
    assert.equal(d.state, 'delivered');
    assert.equal(d.attempts, 2);
    assert.equal(d.last_status, 204);
    assert.equal(d.last_error, null);
    assert.deepEqual(
      (await attempts(id)).map((a) => [a.attempt, a.status_code, a.error]),
      [
        [1, 500, 'http_500'],
        [2, 204, null],
      ],
    );
    assert.equal(receiver.received.length, 2);
    assert.equal(receiver.received[0]!.body, receiver.received[1]!.body, 'the same bytes every attempt');
    assert.equal(receiver.received[1]!.headers['soglasie-delivery'], id);
  });

  it('gives up after the last attempt', async () => {
    const webhooks = new WebhooksService({
      db: env.ctx.db,
      keyring: env.ctx.services.keyring,
      audit: env.ctx.services.audit,
      clock: env.clock,
      ids: env.ctx.ids,
      mode: 'local',
      maxAttempts: 3,
    });
    const inquiryId = (
      await q<{ id: string }>('SELECT id FROM inquiries WHERE operator_id = $1 LIMIT 1', [op.operatorId])
    )[0]!.id;
    await env.ctx.db.scoped([op.operatorId], (tx) =>
      webhooks.emit(tx, {
        operatorId: op.operatorId,
        type: 'inquiry.status_changed',
        inquiryId,
        data: { from: 'new', to: 'new', reason: null, at: env.clock.now().toISOString() },
      }),
    );
    const [row] = await q<{ id: string }>(
      "SELECT id FROM webhook_deliveries WHERE event_type = 'inquiry.status_changed' AND state = 'pending'",
    );
    const id = row!.id;
    receiver.respond = () => 503;
    const r = runner();
    for (let i = 0; i < 5; i++) {
      await enqueueDispatch();
      await r.drain();
      env.clock.advance(60 * 60_000);
    }
    const d = await delivery(id);
    assert.equal(d.state, 'failed');
    assert.equal(d.attempts, 3);
    assert.equal(d.last_error, 'http_503');
    assert.equal((await attempts(id)).length, 3);
    assert.equal(receiver.received.filter((x) => x.headers['soglasie-delivery'] === id).length, 3);
  });

  it('two runners on one database deliver each delivery exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await newDelivery());
    // Slow answers keep both dispatchers inside their batches at the same time.
    receiver.delayMs = 50;
    await enqueueDispatch();
    await enqueueDispatch();
    await enqueueDispatch();
    const one = runner({ batchSize: 2 }, 'one');
    const two = runner({ batchSize: 2 }, 'two');
    await Promise.all([one.drain(), two.drain(), one.drain(), two.drain()]);
    await enqueueDispatch();
    await Promise.all([one.drain(), two.drain()]);
    for (const id of ids) {
      assert.equal((await delivery(id)).state, 'delivered');
      assert.equal(receiver.received.filter((x) => x.headers['soglasie-delivery'] === id).length, 1, id);
    }
  });

  it('records a timeout, a refused connection and a cancelled (disabled) endpoint with short codes', async () => {
    // Timeout: the receiver never answers.
    const slow = await newDelivery();
    receiver.respond = () => 'hang';
    await enqueueDispatch();
    await runner({ timeoutMs: 200 }).drain();
    assert.equal((await delivery(slow)).last_error, 'timeout');
    assert.equal((await attempts(slow))[0]!.status_code, null);

    // Refused: an endpoint on a port nobody listens on.
    const closed = await startReceiver();
    const deadUrl = closed.url;
    await closed.close();
    const dead = await env.ctx.services.webhooks.createEndpoint(admin, op.operatorId, {
      url: deadUrl,
      events: ['inquiry.created'],
    });
    const r = await intake.submit(callback(op));
    const inquiryId = (r as { inquiryId: string }).inquiryId;
    const [deadDelivery] = await q<{ id: string }>(
      'SELECT id FROM webhook_deliveries WHERE inquiry_id = $1 AND endpoint_id = $2',
      [inquiryId, dead.endpoint.id],
    );
    env.clock.advance(60 * 60_000);
    receiver.respond = () => 200;
    await enqueueDispatch();
    await runner().drain();
    assert.equal((await delivery(deadDelivery!.id)).last_error, 'connection_refused');

    // Production mode refuses this machine's addresses after resolution.
    const local = await newDelivery();
    await enqueueDispatch();
    env.clock.advance(60 * 60_000);
    await runner({ mode: 'production' }).drain();
    assert.equal((await delivery(local)).last_error, 'address_refused');

    // A disabled endpoint's queued delivery is cancelled, not sent.
    await env.ctx.services.webhooks.disableEndpoint(admin, op.operatorId, dead.endpoint.id);
    const before = receiver.received.length;
    env.clock.advance(60 * 60_000);
    await enqueueDispatch();
    await runner().drain();
    assert.equal((await delivery(deadDelivery!.id)).state, 'cancelled');
    assert.equal(receiver.received.length - before, 1, 'only the other, still pending one was sent');
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import { freePort } from '../../platform/db/embedded.ts';
import { createPool, Database } from '../../platform/db/database.ts';
import { JobRunner, type RunOutcome } from '../../platform/jobs/index.ts';
import {
  createEmailSender,
  OUTBOX_DISPATCH,
  outboxDispatchJob,
  SUBJECT_KEY_DESTROYED,
  type EmailSender,
  type OutboxAddInput,
} from './index.ts';
import { insertOperator, insertSubject, startTestSmtp, type TestSmtp } from './outbox.testing.ts';

interface Row {
  state: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  sent_at: Date | null;
  payload_enc: Buffer | null;
}

describe('outbox dispatch to a real SMTP server', () => {
  let env: TestEnv;
  let smtp: TestSmtp;
  let email: EmailSender;
  let operatorId: string;
  let subjectId: string;
  const closers: (() => Promise<void> | void)[] = [];

  before(async () => {
    env = await createTestEnv();
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
    operatorId = await insertOperator(env, 'clinic-a');
    subjectId = await insertSubject(env, operatorId);
  });
  after(async () => {
    email.close();
    for (const c of closers) await c();
    await smtp.close();
    await env.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.reply = () => undefined;
    const admin = await env.admin();
    await admin.query("UPDATE outbox SET state = 'cancelled' WHERE state = 'pending'");
  });

  const runner = (
    o: { maxAttempts?: number; sender?: EmailSender; db?: Database; batchSize?: number } = {},
  ) =>
    new JobRunner({
      db: o.db ?? env.ctx.db,
      clock: env.clock,
      log: env.ctx.log,
      handlers: [
        outboxDispatchJob({
          keyring: env.ctx.services.keyring,
          audit: env.ctx.services.audit,
          jobs: env.ctx.services.jobs,
          clock: env.clock,
          senders: [o.sender ?? email],
          random: () => 0.5,
          ...(o.maxAttempts ? { maxAttempts: o.maxAttempts } : {}),
          ...(o.batchSize ? { batchSize: o.batchSize } : {}),
        }),
      ],
    });

  const add = (over: Partial<OutboxAddInput> = {}, subject = subjectId) =>
    env.ctx.db.scoped([operatorId], (tx) =>
      env.ctx.services.outbox.add(tx, {
        operatorId,
        subjectId: subject,
        channel: 'email',
        template: 'inquiry.received',
        payload: {
          to: 'ivanova@example.ru',
          subject: 'Inquiry received',
          text: 'Anna Ivanova, we will call you back.',
        },
        ...over,
      }),
    );

  /** Enqueues a dispatch job due now and runs it. */
  const dispatch = async (r: JobRunner): Promise<RunOutcome> => {
    await env.ctx.db.transaction((tx) => env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH }));
    const out = await r.runOnce();
    assert.equal(out.ran && out.state, 'done', 'the dispatch job itself succeeds');
    return out;
  };

  const row = async (id: string): Promise<Row> =>
    (
      await env.ctx.db.system((tx) =>
        tx.query<Row>(
          'SELECT state, attempts, next_attempt_at, last_error, sent_at, payload_enc FROM outbox WHERE id = $1',
          [id],
        ),
      )
    ).rows[0]!;

  it('delivers a queued message through SMTP and marks it sent, with an audit entry', async () => {
    const id = await add();
    await dispatch(runner());
    assert.equal(smtp.received.length, 1);
    const mail = smtp.received[0]!;
    assert.deepEqual(mail.to, ['ivanova@example.ru']);
    assert.equal(mail.from, 'clinic@example.ru');
    assert.match(mail.raw, /Subject: Inquiry received/);
    assert.match(mail.raw, /Anna Ivanova, we will call you back\./);
    assert.match(mail.raw, new RegExp(`X-Soglasie-Outbox-Id: ${id}`, 'i'));
    const r = await row(id);
    assert.equal(r.state, 'sent');
    assert.equal(r.attempts, 1);
    assert.deepEqual(r.sent_at, env.clock.now());
    const admin = await env.admin();
    const audit = await admin.query(
      "SELECT actor_type, actor_id, result, subject_id, operator_id FROM audit_log WHERE action = 'outbox.send' AND object_id = $1",
      [id],
    );
    assert.deepEqual(audit.rows, [
      {
        actor_type: 'job',
        actor_id: OUTBOX_DISPATCH,
        result: 'success',
        subject_id: subjectId,
        operator_id: operatorId,
      },
    ]);
    // Sent once: another dispatch finds nothing to send.
    await dispatch(runner());
    assert.equal(smtp.received.length, 1);
  });

  it('retries a temporary refusal with back-off: not 1 ms before the next attempt, at it', async () => {
    const id = await add();
    smtp.reply = () => 451;
    const failedAt = env.clock.now();
    await dispatch(runner());
    let r = await row(id);
    assert.equal(r.state, 'pending');
    assert.equal(r.attempts, 1);
    assert.equal(r.last_error, 'Error:EENVELOPE:451');
    assert.equal(r.next_attempt_at.getTime(), failedAt.getTime() + 7500);

    smtp.reply = () => undefined;
    env.clock.set(new Date(r.next_attempt_at.getTime() - 1));
    await dispatch(runner());
    assert.equal(smtp.received.length, 0);
    assert.equal((await row(id)).attempts, 1);

    env.clock.set(r.next_attempt_at);
    await dispatch(runner());
    assert.equal(smtp.received.length, 1);
    r = await row(id);
    assert.equal(r.state, 'sent');
    assert.equal(r.attempts, 2);
    assert.equal(r.last_error, null);
  });

  it('fails at once on a permanent refusal, storing the reply code, not the reply', async () => {
    const id = await add();
    smtp.reply = () => 550;
    await dispatch(runner());
    const r = await row(id);
    assert.equal(r.state, 'failed');
    assert.equal(r.attempts, 1);
    assert.equal(r.last_error, 'refused:smtp-550');
    assertNoPersonalDataInLogs(env.logs, ['ivanova'], { ignoreCase: true });
  });

  it('fails after the last attempt when the server cannot be reached', async () => {
    const closedPort = await freePort();
    const down = createEmailSender(
      {
        host: '127.0.0.1',
        port: closedPort,
        secure: false,
        user: undefined,
        password: undefined,
        from: 'c@example.ru',
      },
      { timeoutMs: 2000 },
    );
    closers.push(() => down.close());
    const id = await add();
    const r1 = runner({ sender: down, maxAttempts: 2 });
    await dispatch(r1);
    const first = await row(id);
    assert.equal(first.state, 'pending');
    assert.match(first.last_error ?? '', /^Error:ESOCKET|^Error:ECONNECTION/);
    env.clock.set(first.next_attempt_at);
    await dispatch(r1);
    const second = await row(id);
    assert.equal(second.state, 'failed');
    assert.equal(second.attempts, 2);
  });

  it('cancels messages whose subject key was destroyed, dropping the ciphertext', async () => {
    const doomed = await insertSubject(env, operatorId);
    const id = await add({}, doomed);
    await env.ctx.services.keyring.destroyDataKey(doomed);
    await dispatch(runner());
    assert.equal(smtp.received.length, 0);
    const r = await row(id);
    assert.equal(r.state, 'cancelled');
    assert.equal(r.last_error, SUBJECT_KEY_DESTROYED);
    assert.equal(r.payload_enc, null);
  });

  it('fails a payload that is not an e-mail at once, and leaves channels without a sender pending', async () => {
    const bad = await add({ payload: { to: 'not an address', text: 'x' } });
    const sms = await add({ channel: 'sms', payload: { text: 'x' } });
    await dispatch(runner());
    assert.equal((await row(bad)).state, 'failed');
    assert.equal((await row(bad)).last_error, 'refused:invalid_payload');
    const s = await row(sms);
    assert.equal(s.state, 'pending');
    assert.equal(s.attempts, 0);
  });

  it('sends each message once with two dispatchers on their own pools', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(await add({ payload: { to: `p${i}@example.ru`, subject: `m${i}`, text: 'x' } }));
    const pools = [0, 1].map(() => new Database(createPool({ url: env.adminUrls.data, max: 2 })));
    closers.push(...pools.map((p) => () => p.close()));
    const runners = pools.map((db) => runner({ db, batchSize: 4 }));
    await env.ctx.db.transaction(async (tx) => {
      await env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH });
      await env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH });
    });
    // Each full batch queues a follow-up; run until no job is left.
    await Promise.all(runners.map((r) => r.drain()));
    const to = smtp.received.flatMap((m) => m.to).sort();
    assert.equal(to.length, 12);
    assert.equal(new Set(to).size, 12);
    for (const id of ids) assert.equal((await row(id)).state, 'sent');
  });
});

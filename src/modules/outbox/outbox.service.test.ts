import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { openString } from '../../platform/crypto/aead.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { outboxAad, type OutboxAddInput } from './index.ts';
import { insertOperator, insertSubject } from './outbox.testing.ts';

describe('outbox.add', () => {
  let env: TestEnv;
  let operatorId: string;
  let otherOperatorId: string;
  let subjectId: string;

  before(async () => {
    env = await createTestEnv();
    operatorId = await insertOperator(env, 'clinic-a');
    otherOperatorId = await insertOperator(env, 'clinic-b');
    subjectId = await insertSubject(env, operatorId);
  });
  after(() => env.close());

  const message = (over: Partial<OutboxAddInput> = {}): OutboxAddInput => ({
    operatorId,
    subjectId,
    channel: 'email',
    template: 'inquiry.received',
    payload: { to: 'ivanova@example.ru', subject: 'Заявка получена', text: 'Анна Иванова, мы перезвоним.' },
    ...over,
  });

  const rejectsWith = async (p: Promise<unknown>, code: ErrorCode): Promise<void> => {
    await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code);
  };

  it('stores the payload encrypted with the subject key, bound to the row by its id', async () => {
    const id = await env.ctx.db.scoped([operatorId], (tx) => env.ctx.services.outbox.add(tx, message()));
    const admin = await env.admin();
    const { rows } = await admin.query<{
      payload_enc: Buffer;
      state: string;
      attempts: number;
      next_attempt_at: Date;
      channel: string;
      template: string;
    }>('SELECT payload_enc, state, attempts, next_attempt_at, channel, template FROM outbox WHERE id = $1', [
      id,
    ]);
    const row = rows[0]!;
    assert.equal(row.state, 'pending');
    assert.equal(row.attempts, 0);
    assert.deepEqual(row.next_attempt_at, env.clock.now());
    assert.equal(row.channel, 'email');
    assert.equal(row.template, 'inquiry.received');
    const stored = row.payload_enc.toString('latin1');
    assert.doesNotMatch(stored, /ivanova/);
    assert.equal(row.payload_enc.includes(Buffer.from('Иванова')), false);

    const key = (await env.ctx.services.keyring.getDataKey(subjectId))!;
    assert.deepEqual(JSON.parse(openString(key, row.payload_enc, outboxAad(id))), message().payload);
    assert.throws(() => openString(key, row.payload_enc, outboxAad(subjectId)), /could not be decrypted/);
  });

  it('writes in the caller transaction: a rolled-back change leaves no message', async () => {
    const before = await env.ctx.db.system((tx) => tx.query('SELECT id FROM outbox'));
    await assert.rejects(
      env.ctx.db.scoped([operatorId], async (tx) => {
        await env.ctx.services.outbox.add(tx, message());
        throw new Error('the change failed');
      }),
      { message: 'the change failed' },
    );
    const after = await env.ctx.db.system((tx) => tx.query('SELECT id FROM outbox'));
    assert.equal(after.rowCount, before.rowCount);
  });

  it('refuses a subject of another operator, and another operator’s scope', async () => {
    await rejectsWith(
      env.ctx.db.scoped([otherOperatorId], (tx) =>
        env.ctx.services.outbox.add(tx, message({ operatorId: otherOperatorId })),
      ),
      ErrorCode.NotFound,
    );
    // Scoped to B but naming operator A: row-level security refuses the row.
    await assert.rejects(
      env.ctx.db.scoped([otherOperatorId], (tx) => env.ctx.services.outbox.add(tx, message())),
      { code: ErrorCode.NotFound }, // the policy hides operator A's subject from B's scope
    );
    // No scope at all: the tenant tables refuse to be touched.
    await assert.rejects(
      env.ctx.db.transaction((tx) => env.ctx.services.outbox.add(tx, message())),
      /unscoped access/,
    );
  });

  it('refuses a destroyed subject and malformed messages without echoing the payload', async () => {
    const gone = await insertSubject(env, operatorId);
    await env.ctx.services.keyring.destroyDataKey(gone);
    await rejectsWith(
      env.ctx.db.scoped([operatorId], (tx) => env.ctx.services.outbox.add(tx, message({ subjectId: gone }))),
      ErrorCode.SubjectDestroyed,
    );
    for (const bad of [{ channel: 'E-Mail!' }, { template: '' }, { subjectId: 'ivanova@example.ru' }]) {
      await assert.rejects(
        env.ctx.db.scoped([operatorId], (tx) => env.ctx.services.outbox.add(tx, message(bad))),
        (e: unknown) => {
          assert.ok(e instanceof AppError);
          assert.equal(e.code, ErrorCode.ValidationFailed);
          assert.doesNotMatch(JSON.stringify({ m: e.message, d: e.details }), /ivanova/);
          return true;
        },
      );
    }
  });
});

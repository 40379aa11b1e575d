import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { JobRunner } from '../../platform/jobs/index.ts';
import { insertOperatorWithSite, staffPrincipal } from '../inquiries/intake.testing.ts';
import {
  KEEP_WEBHOOK_DELIVERIES_MS,
  PURGE_WEBHOOK_DELIVERIES,
  purgeWebhookDeliveriesJob,
} from './webhooks-purge.job.ts';

describe('webhook deliveries purge', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('deletes finished deliveries (and their attempts) queued more than 30 days ago, not a millisecond sooner; pending ones stay', async () => {
    const op = await insertOperatorWithSite(env, 'purge');
    const admin = staffPrincipal(randomUUID(), { [op.operatorId]: ['administrator'] });
    const { endpoint } = await env.ctx.services.webhooks.createEndpoint(admin, op.operatorId, {
      url: 'https://crm.example/hooks',
      events: ['inquiry.created'],
    });
    const now = env.clock.now().getTime();
    const db = await env.admin();
    const insert = async (state: string, createdAt: number): Promise<string> => {
      const id = randomUUID();
      await db.query(
        `INSERT INTO webhook_deliveries (id, operator_id, endpoint_id, event_id, event_type, body, state, attempts,
           max_attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, gen_random_uuid(), 'inquiry.created', '{}', $4, 1, 12, $5, $5)`,
        [id, op.operatorId, endpoint.id, state, new Date(createdAt)],
      );
      await db.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, operator_id, at, status_code, duration_ms)
         VALUES ($1, 1, $2, $3, 200, 10)`,
        [id, op.operatorId, new Date(createdAt)],
      );
      return id;
    };
    const cutoff = now - KEEP_WEBHOOK_DELIVERIES_MS;
    const old = await insert('delivered', cutoff - 1);
    const oldFailed = await insert('failed', cutoff - 1);
    const edge = await insert('delivered', cutoff);
    const oldPending = await insert('pending', cutoff - 1);

    await env.ctx.db.system((tx) => env.ctx.services.jobs.enqueue(tx, { kind: PURGE_WEBHOOK_DELIVERIES }));
    const runner = new JobRunner({
      db: env.ctx.db,
      clock: env.clock,
      log: env.ctx.log,
      handlers: [purgeWebhookDeliveriesJob()],
    });
    assert.equal(await runner.drain(), 1);
    const { rows } = await db.query<{ id: string }>('SELECT id FROM webhook_deliveries ORDER BY id');
    assert.deepEqual(rows.map((r) => r.id).sort(), [edge, oldPending].sort());
    const attempts = await db.query<{ delivery_id: string }>('SELECT delivery_id FROM webhook_attempts');
    assert.deepEqual(attempts.rows.map((r) => r.delivery_id).sort(), [edge, oldPending].sort());
    assert.ok(![old, oldFailed].some((id) => rows.some((r) => r.id === id)));
  });
});

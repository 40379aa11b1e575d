import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { insertOperator } from '../outbox/outbox.testing.ts';
import { systemPrincipal } from '../staff/index.ts';
import { purgeChannelSeenJob, SEEN_RETENTION_MS } from './purge-seen.job.ts';

describe('purge of old channel event ids', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('forgets ids stored more than 30 days ago and keeps those exactly 30 days old or newer', async () => {
    const operatorId = await insertOperator(env, 'purge-seen');
    const { connection } = await env.ctx.services.channels.connect(systemPrincipal('test'), operatorId, {
      provider: 'telephony',
    });
    const now = env.clock.now().getTime();
    const seen = { old: now - SEEN_RETENTION_MS - 1, edge: now - SEEN_RETENTION_MS, fresh: now };
    const admin = await env.admin();
    for (const [id, t] of Object.entries(seen)) {
      await admin.query('INSERT INTO channel_inbound_seen VALUES ($1, $2, $3)', [
        connection.id,
        id,
        new Date(t),
      ]);
    }
    const handler = purgeChannelSeenJob();
    await env.ctx.db.system((tx) =>
      handler.execute(
        {},
        {
          jobId: randomUUID(),
          kind: handler.kind,
          attempt: 1,
          maxAttempts: 1,
          tx,
          now: new Date(now),
          log: env.ctx.log,
        },
      ),
    );
    const { rows } = await admin.query<{ event_id: string }>(
      'SELECT event_id FROM channel_inbound_seen ORDER BY seen_at',
    );
    assert.deepEqual(
      rows.map((r) => r.event_id),
      ['edge', 'fresh'],
    );
  });
});

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { ensureDemoOperator } from '../../cli/demo-data.ts';
import { purgeIntakeRateJob } from './purge-intake-rate.job.ts';

describe('purge of ended intake rate windows', () => {
  let env: TestEnv;
  const W = 600;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('deletes windows that started more than two windows ago, and keeps the previous one the sliding window reads', async () => {
    const { operatorId } = await ensureDemoOperator(env.ctx);
    const now = env.clock.now().getTime();
    const starts = {
      ended: now - 2 * W * 1000 - 1,
      edge: now - 2 * W * 1000,
      previous: now - W * 1000 - 1,
      current: now,
    };
    const admin = await env.admin();
    for (const [label, t] of Object.entries(starts)) {
      await admin.query('INSERT INTO intake_rate VALUES ($1, $2, $3, 1)', [
        operatorId,
        Buffer.concat([Buffer.from(label), randomBytes(4)]),
        new Date(t),
      ]);
    }
    const handler = purgeIntakeRateJob({ rateWindowSeconds: W });
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
    const { rows } = await admin.query<{ t: Date }>('SELECT window_start AS t FROM intake_rate ORDER BY 1');
    assert.deepEqual(
      rows.map((r) => r.t.getTime()),
      [starts.edge, starts.previous, starts.current],
    );
  });
});

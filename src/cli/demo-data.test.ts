import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { isValidInn, isValidOgrn } from '../modules/operators/index.ts';
import { DEMO_OPERATOR, ensureDemoOperator } from './demo-data.ts';

describe('demo operator', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('has registration numbers that pass the check digits', () => {
    assert.equal(isValidInn(DEMO_OPERATOR.inn), true);
    assert.equal(isValidOgrn(DEMO_OPERATOR.ogrn), true);
  });

  it('is created once and then found, and serves localhost on any port', async () => {
    // Two processes starting at once: one creates, the other finds.
    const racing = await Promise.all([ensureDemoOperator(env.ctx), ensureDemoOperator(env.ctx)]);
    assert.deepEqual(racing.map((r) => r.created).sort(), [false, true]);
    const first = racing.find((r) => r.created)!;
    assert.equal(racing[0].operatorId, racing[1].operatorId);
    assert.deepEqual(await ensureDemoOperator(env.ctx), { operatorId: first.operatorId, created: false });
    for (const host of ['localhost:3000', '127.0.0.1:3000', 'localhost']) {
      const match = await env.ctx.services.operators.findByHost(host);
      assert.equal(match?.operator.id, first.operatorId, host);
    }
    const admin = await env.admin();
    const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM operators');
    assert.equal(rows[0]!.n, '1');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { nextOccurrence } from '../platform/jobs/index.ts';
import { productionHandlers } from './jobs.ts';
import { INSTALLATION_TIME_ZONE, SCHEDULES } from './schedules.ts';

describe('the installation schedules', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('the schedules table names every recurring job once, with a reason, and each kind has a production handler', async () => {
    const names = SCHEDULES.map((s) => s.name);
    assert.equal(new Set(names).size, names.length);
    for (const s of SCHEDULES) {
      assert.match(s.name, /^[a-z][a-z0-9-]+$/);
      assert.ok(s.why.length > 30, `${s.name} says why it exists`);
      nextOccurrence(s.every, new Date(), INSTALLATION_TIME_ZONE);
    }
    const kinds = new Set(productionHandlers(env.ctx, []).map((h) => h.kind));
    for (const s of SCHEDULES) assert.ok(kinds.has(s.kind), `a handler runs ${s.kind}`);
    for (const name of ['outbox-dispatch', 'purge-sessions', 'purge-login-throttle', 'verify-audit']) {
      assert.ok(names.includes(name), name);
    }
  });
});

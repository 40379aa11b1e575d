import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';

describe('health routes', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('/healthz says the process is up and /readyz that both databases answer', async () => {
    const app = await env.app();
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });

  it('/readyz answers 503 once a database is out of reach, /healthz still 200', async () => {
    const app = await env.app();
    await env.ctx.keyringDb.close();
    const keyringGone = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(keyringGone.statusCode, 503);
    assert.deepEqual(keyringGone.json(), { status: 'unavailable' });
    await env.ctx.db.close();
    const bothGone = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(bothGone.statusCode, 503);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});

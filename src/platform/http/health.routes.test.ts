import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import type { App } from './app.ts';
import type { DatabaseHealthSnapshot } from '../db/health.ts';
import { FAILING_AFTER_RESTART_ATTEMPTS } from './health.routes.ts';

interface Health {
  status: string;
  database: DatabaseHealthSnapshot;
}

describe('health routes', () => {
  let env: TestEnv;
  let app: App;
  before(async () => {
    env = await createTestEnv();
    app = await env.app({
      surfaces: [
        async (a, ctx) => {
          a.get('/test/db', async () => (await ctx.db.query<{ one: number }>('SELECT 1 AS one')).rows[0]);
        },
      ],
    });
  });
  after(() => env.close());

  it('/healthz says the process is up with the database state, /readyz that both databases answer', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), {
      status: 'ok',
      database: {
        state: 'up',
        since: '2026-03-02T09:00:00.000Z',
        embedded: false,
        restarts: 0,
        failedRestarts: 0,
      },
    });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });

  it('a restart of the database server shows as degraded, and the restart is counted once it answers', async () => {
    const h = env.ctx.dbHealth;
    env.clock.advance(60_000);
    h.serverExited();
    const restarting = (await app.inject({ method: 'GET', url: '/healthz' })).json<Health>();
    assert.equal(restarting.status, 'degraded');
    assert.equal(restarting.database.state, 'restarting');
    assert.equal(restarting.database.since, '2026-03-02T09:01:00.000Z');
    for (let i = 1; i < FAILING_AFTER_RESTART_ATTEMPTS; i++) h.restartFailed();
    // Not embedded here: an external server is never the process's to restart, so never 'failing'.
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    h.serverRestarted();
    assert.equal(await h.probe(), true);
    const back = (await app.inject({ method: 'GET', url: '/healthz' })).json<Health>();
    assert.equal(back.database.state, 'up');
    assert.equal(back.database.restarts, 1);
    assert.equal(back.database.failedRestarts, 0);
  });

  it('once a database is out of reach: /readyz 503, /healthz degraded, a request 503 database_unavailable', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/test/db' })).statusCode, 200);
    await env.ctx.keyringDb.close();
    const keyringGone = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(keyringGone.statusCode, 503);
    assert.deepEqual(keyringGone.json(), { status: 'unavailable', database: 'down' });
    await env.ctx.db.close();
    const bothGone = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(bothGone.statusCode, 503);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json<Health>().status, 'degraded');
    assert.equal(health.json<Health>().database.state, 'down');
    const req = await app.inject({ method: 'GET', url: '/test/db' });
    assert.equal(req.statusCode, 503);
    assert.equal(req.json<{ error: { code: string } }>().error.code, 'database_unavailable');
    assert.equal(req.headers['retry-after'], '5');
  });
});

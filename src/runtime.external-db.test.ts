import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { buildApp, type App } from './app.ts';
import { loadConfig } from './config/config.ts';
import { ensureDatabase } from './platform/db/database.ts';
import { processAlive, readPostmasterPid } from './platform/db/embedded-lock.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './platform/db/embedded.ts';
import type { DatabaseHealthSnapshot } from './platform/db/health.ts';
import { createLogger } from './platform/logger.ts';
import { openRuntime, type Runtime } from './runtime.ts';

// An "external" server (DATABASE_URL) is one this process does not supervise: here an embedded
// server started apart from the runtime, killed with SIGKILL and started again by the test, as an
// operator's PostgreSQL would crash and be brought back by its own supervisor.
describe('an external database that dies and comes back', () => {
  let base: string;
  let dir: string;
  let server: EmbeddedServer | undefined;
  let runtime: Runtime | undefined;
  let app: App | undefined;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'soglasie-external-'));
    await chmod(base, 0o755);
    dir = path.join(base, 'pg');
    server = await startEmbeddedPostgres({ dir, port: 0, onLog: () => undefined, supervise: false });
    await ensureDatabase(server.url('postgres'), 'soglasie');
    const config = loadConfig({
      DATABASE_URL: server.url('soglasie'),
      SOGLASIE_MASTER_KEY: randomBytes(32).toString('base64'),
      SOGLASIE_JOBS: 'false',
      SOGLASIE_DB_POOL_SIZE: '4',
      SOGLASIE_LOG_LEVEL: 'warn',
    });
    runtime = await openRuntime(config, createLogger('silent'));
    app = await buildApp(runtime.ctx, {
      surfaces: [
        async (a, ctx) => {
          a.get('/test/db', async () =>
            ctx.db.transaction(async (tx) => (await tx.query('SELECT 1 AS one')).rows[0]),
          );
        },
      ],
    });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await runtime?.close();
    await server?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('answers 503 database_unavailable while it is gone, and serves again once it is back', async () => {
    assert.ok(app && server);
    assert.equal((await app.inject({ method: 'GET', url: '/test/db' })).statusCode, 200);

    const pm = readPostmasterPid(dir);
    assert.ok(pm);
    process.kill(pm.pid, 'SIGKILL');
    while (processAlive(pm.pid)) await delay(10);

    // Its backends may still answer for a few milliseconds after the postmaster died.
    let failed = await app.inject({ method: 'GET', url: '/test/db' });
    for (let i = 0; failed.statusCode === 200 && i < 500; i++) {
      await delay(10);
      failed = await app.inject({ method: 'GET', url: '/test/db' });
    }
    assert.equal(failed.statusCode, 503);
    assert.equal(failed.json<{ error: { code: string } }>().error.code, 'database_unavailable');
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    const down = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(down.statusCode, 200, 'restarting this process would not bring an external server back');
    const downBody = down.json<{ status: string; database: DatabaseHealthSnapshot }>();
    assert.equal(downBody.status, 'degraded');
    assert.equal(downBody.database.state, 'down');
    assert.equal(downBody.database.embedded, false);

    // Its supervisor brings it back on the same port; the dead backends must leave first.
    server = undefined;
    for (let attempt = 0; !server; attempt++) {
      try {
        server = await startEmbeddedPostgres({
          dir,
          port: pm.port,
          onLog: () => undefined,
          supervise: false,
        });
      } catch (e) {
        assert.ok(attempt < 100, String(e));
        await delay(200);
      }
    }

    const deadline = Date.now() + 60_000;
    while ((await app.inject({ method: 'GET', url: '/readyz' })).statusCode !== 200) {
      assert.ok(Date.now() < deadline, 'the pools did not reconnect');
      await delay(50);
    }
    const again = await app.inject({ method: 'GET', url: '/test/db' });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json(), { one: 1 });
    const up = (await app.inject({ method: 'GET', url: '/healthz' })).json<{ status: string }>();
    assert.equal(up.status, 'ok');
  });
});

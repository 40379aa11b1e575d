import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { freePort } from './embedded.ts';
import { isConnectionLost } from './database.ts';

describe('Database transactions', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('fails a transaction whose connection is killed between queries, without crashing the process', async () => {
    const admin = await env.admin();
    await assert.rejects(
      env.ctx.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        // Give the 'error' event time to arrive while the client is checked out.
        await new Promise((r) => setTimeout(r, 200));
        await tx.query('SELECT 1');
      }),
      // The loss itself: node-postgres reports it as a plain error once the client has seen the
      // termination, or as the server's 57P01 if the query got there first.
      (e: Error) => isConnectionLost(e) || /not queryable|Connection terminated/.test(e.message),
    );
    // The pool recovers: the broken client was discarded.
    const { rows } = await env.ctx.db.query<{ ok: number }>('SELECT 1 AS ok');
    assert.equal(rows[0]!.ok, 1);
  });

  it('runs the app as soglasie_app, so row-level security binds it', async () => {
    const { rows } = await env.ctx.db.query<{ u: string; rls: boolean }>(
      'SELECT current_user AS u, (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user) AS rls',
    );
    assert.deepEqual(rows[0], { u: 'soglasie_app', rls: false });
  });

  it('tells a lost connection (terminated backend, refused port) from other database errors', async () => {
    const admin = await env.admin();
    const terminated = await env.ctx.db
      .transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const running = tx.query('SELECT pg_sleep(5)');
        // Awaited below; a handler now keeps a rejection that arrives before then from counting as
        // unhandled (it did under load: the termination reached this client before the admin's answer).
        running.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await running;
      })
      .catch((e: unknown) => e);
    assert.equal(isConnectionLost(terminated), true);

    const refused = await new pg.Client({
      host: '127.0.0.1',
      port: await freePort(),
      connectionTimeoutMillis: 5000,
    })
      .connect()
      .catch((e: unknown) => e);
    assert.equal(isConnectionLost(refused), true);
    assert.equal(isConnectionLost(new Error('wrapped', { cause: refused })), true);

    const duplicate = await admin
      .query('CREATE TEMP TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (1)')
      .catch((e: unknown) => e);
    assert.ok(duplicate instanceof pg.DatabaseError);
    assert.equal(isConnectionLost(duplicate), false);
    assert.equal(isConnectionLost(new Error('something else')), false);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';

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
});

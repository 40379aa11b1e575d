import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';

describe('audit log', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  const entry = (action: string) => ({
    actor: { type: 'staff' as const, id: '7d1d5a8e-0000-4000-8000-000000000001' },
    action,
    objectType: 'subject',
    objectId: 'x',
    source: '127.0.0.1',
    result: 'success' as const,
  });

  it('chains entries and verifies them', async () => {
    const { audit } = env.ctx.services;
    for (let i = 0; i < 5; i++) {
      await audit.recordNow(entry(`test.action_${i}`));
      env.clock.advance(1234);
    }
    const report = await audit.verify();
    assert.equal(report.ok, true);
    assert.equal(report.checked, 5);
  });

  it("chains a transaction's entries at commit, in write order, and drops them on rollback", async () => {
    const { audit } = env.ctx.services;
    const before = await env.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
    await assert.rejects(
      env.ctx.db.transaction(async (tx) => {
        await audit.record(tx, entry('test.rolled_back'));
        throw new Error('roll back');
      }),
      { message: 'roll back' },
    );
    await env.ctx.db.transaction(async (tx) => {
      await audit.record(tx, entry('test.first'));
      await audit.record(tx, entry('test.second'));
      const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
      assert.equal(rows[0]!.n, before.rows[0]!.n, 'nothing joins the chain before the commit');
    });
    const { rows } = await env.ctx.db.query<{ action: string }>(
      'SELECT action FROM audit_log ORDER BY id DESC LIMIT 2',
    );
    assert.deepEqual(
      rows.map((r) => r.action),
      ['test.second', 'test.first'],
    );
    assert.equal((await audit.verify()).ok, true);
  });

  it('does not make a commit wait for another that holds the chain head; settle() chains what it left', async () => {
    const { audit } = env.ctx.services;
    const admin = await env.admin();
    // A session holding the head, as a committing transaction does while its commit reaches disk.
    await admin.query('BEGIN');
    await admin.query('SELECT 1 FROM audit_head FOR UPDATE');
    await env.ctx.db.transaction(async (tx) => {
      await audit.record(tx, entry('test.head_busy_1'));
      await audit.record(tx, entry('test.head_busy_2'));
    });
    const staged = await admin.query<{ action: string }>(
      "SELECT action FROM audit_pending WHERE action LIKE 'test.head_busy%' ORDER BY seq",
    );
    assert.deepEqual(
      staged.rows.map((r) => r.action),
      ['test.head_busy_1', 'test.head_busy_2'],
      'committed, staged',
    );
    assert.equal(await audit.settle(), 0, 'the head is still taken');
    await admin.query('COMMIT');
    assert.equal(await audit.settle(), 2);
    const { rows } = await env.ctx.db.query<{ action: string }>(
      'SELECT action FROM audit_log ORDER BY id DESC LIMIT 2',
    );
    assert.deepEqual(
      rows.map((r) => r.action),
      ['test.head_busy_2', 'test.head_busy_1'],
    );
    assert.equal((await admin.query('SELECT 1 FROM audit_pending')).rowCount, 0);
    assert.equal(await audit.settle(), 0);
    assert.equal((await audit.verify()).ok, true);
  });

  it('chains staged entries at the next commit that takes the head', async () => {
    const { audit } = env.ctx.services;
    const admin = await env.admin();
    await admin.query('BEGIN');
    await admin.query('SELECT 1 FROM audit_head FOR UPDATE');
    await env.ctx.db.transaction(async (tx) => audit.record(tx, entry('test.left_staged')));
    await admin.query('COMMIT');
    await env.ctx.db.transaction(async (tx) => audit.record(tx, entry('test.next_commit')));
    const { rows } = await env.ctx.db.query<{ action: string }>(
      'SELECT action FROM audit_log ORDER BY id DESC LIMIT 2',
    );
    assert.deepEqual(
      rows.map((r) => r.action),
      ['test.next_commit', 'test.left_staged'],
    );
  });

  it("does not make one transaction's audit wait for another that is still open", async () => {
    const { audit } = env.ctx.services;
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (releaseFirst = r));
    const order: string[] = [];
    const first = env.ctx.db.transaction(async (tx) => {
      await audit.record(tx, entry('test.slow_open'));
      await firstMayCommit;
      order.push('first committed');
    });
    // Before staging, the second transaction would block on the chain's head until the first ended.
    await env.ctx.db.transaction(async (tx) => audit.record(tx, entry('test.quick')));
    order.push('second committed');
    releaseFirst();
    await first;
    assert.deepEqual(order, ['second committed', 'first committed']);
    const { rows } = await env.ctx.db.query<{ action: string }>(
      'SELECT action FROM audit_log ORDER BY id DESC LIMIT 2',
    );
    assert.deepEqual(
      rows.map((r) => r.action),
      ['test.slow_open', 'test.quick'],
      'the chain follows commit order',
    );
    assert.equal((await audit.verify()).ok, true);
  });

  it('rejects UPDATE, DELETE and TRUNCATE by the app and by the owner', async () => {
    await assert.rejects(env.ctx.db.query("UPDATE audit_log SET action = 'x'"), /permission denied/);
    await assert.rejects(env.ctx.db.query('DELETE FROM audit_log'), /permission denied/);
    const admin = await env.admin();
    await assert.rejects(admin.query("UPDATE audit_log SET action = 'x' WHERE id = 2"), /append-only/);
    await assert.rejects(admin.query('DELETE FROM audit_log WHERE id = 2'), /append-only/);
    await assert.rejects(admin.query('TRUNCATE audit_log'), /append-only/);
  });

  it('names the first entry altered behind the trigger', async () => {
    const admin = await env.admin();
    // Bypass the triggers as a superuser could, and change one entry's action.
    await admin.query('BEGIN');
    await admin.query('SET LOCAL session_replication_role = replica');
    await admin.query("UPDATE audit_log SET action = 'test.forged' WHERE id = 3");
    await admin.query('COMMIT');
    const report = await env.ctx.services.audit.verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, '3');
    assert.equal(report.checked, 2);
  });

  it('finds a deleted tail entry', async () => {
    const admin = await env.admin();
    await admin.query('BEGIN');
    await admin.query('SET LOCAL session_replication_role = replica');
    await admin.query("UPDATE audit_log SET action = 'test.action_2' WHERE id = 3");
    await admin.query('DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)');
    await admin.query('COMMIT');
    const report = await env.ctx.services.audit.verify();
    assert.equal(report.ok, false);
    assert.match(report.firstBroken?.reason ?? '', /ends early/);
  });
});

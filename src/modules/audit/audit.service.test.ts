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
    await admin.query('DELETE FROM audit_log WHERE id = 5');
    await admin.query('COMMIT');
    const report = await env.ctx.services.audit.verify();
    assert.equal(report.ok, false);
    assert.match(report.firstBroken?.reason ?? '', /ends early/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { runOneJob } from '../../platform/jobs/jobs.testing.ts';
import { VERIFY_AUDIT, verifyAuditJob } from './verify-audit.job.ts';

describe('the verify-audit job', () => {
  let env: TestEnv;

  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('verifies the audit chain and logs the first broken entry by id only', async () => {
    const { audit } = env.ctx.services;
    for (let i = 0; i < 3; i++) {
      await audit.recordNow({
        actor: { type: 'system', id: 'test' },
        action: `test.a${i}`,
        result: 'success',
      });
    }
    await runOneJob(env.ctx, VERIFY_AUDIT, verifyAuditJob({ audit }));
    const admin = await env.admin();
    const last = async () =>
      (
        await admin.query<{ action: string; result: string; object_id: string | null }>(
          'SELECT action, result, object_id FROM audit_log ORDER BY id DESC LIMIT 1',
        )
      ).rows[0];
    assert.deepEqual(await last(), { action: 'audit.verify', result: 'success', object_id: null });
    assert.equal(env.logs.filter((l) => l.includes('hash chain is broken')).length, 0);

    await admin.query('BEGIN');
    await admin.query('SET LOCAL session_replication_role = replica');
    await admin.query("UPDATE audit_log SET action = 'test.forged' WHERE id = 2");
    await admin.query('COMMIT');
    await runOneJob(env.ctx, VERIFY_AUDIT, verifyAuditJob({ audit }));
    assert.deepEqual(await last(), { action: 'audit.verify', result: 'failure', object_id: '2' });
    const line = env.logs.find((l) => l.includes('hash chain is broken'));
    assert.ok(line, 'a broken chain is logged');
    const entry = JSON.parse(line) as { level: number; entryId: string };
    assert.equal(entry.level, 50, 'as an error');
    assert.equal(entry.entryId, '2');
  });
});

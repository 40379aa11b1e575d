import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { ensureDemoOperator } from '../../cli/demo-data.ts';
import { systemPrincipal } from '../staff/index.ts';
import { ORPHAN_GRACE_MS, purgeOrphanKeysJob } from './orphan-keys.job.ts';

describe('purge of orphaned data keys', () => {
  let env: TestEnv;
  let operatorId: string;
  let orphanId: string;
  let subjectId: string;
  let destroyedId: string;
  let madeAt: number;

  before(async () => {
    env = await createTestEnv();
    ({ operatorId } = await ensureDemoOperator(env.ctx));
    madeAt = env.clock.now().getTime();
    orphanId = randomUUID();
    // The keyring half of an intake whose data transaction then rolled back.
    await env.ctx.services.keyring.createSubjectKey(orphanId, operatorId, { phone: Buffer.alloc(32, 7) });
    const system = systemPrincipal('test');
    ({ id: subjectId } = await env.ctx.services.subjects.create(system, operatorId, {
      phone: '+7 912 111-22-33',
    }));
    ({ id: destroyedId } = await env.ctx.services.subjects.create(system, operatorId, {
      phone: '+7 912 111-22-44',
    }));
    await env.ctx.services.subjects.destroy(system, operatorId, destroyedId, 'subject_request');
  });
  after(() => env.close());

  async function runAt(ms: number): Promise<void> {
    const handler = purgeOrphanKeysJob({ keyring: env.ctx.services.keyring });
    await env.ctx.db.system((tx) =>
      handler.execute(
        {},
        {
          jobId: randomUUID(),
          kind: handler.kind,
          attempt: 1,
          maxAttempts: 1,
          tx,
          now: new Date(ms),
          log: env.ctx.log,
        },
      ),
    );
  }

  async function keyringIds(): Promise<string[]> {
    const { rows } = await env.ctx.keyringDb.query<{ id: string }>(
      'SELECT subject_id AS id FROM data_keys UNION ALL SELECT subject_id FROM subject_lookup ORDER BY 1',
    );
    return rows.map((r) => r.id);
  }

  it('keeps an orphan until the grace period has fully passed', async () => {
    await runAt(madeAt + ORPHAN_GRACE_MS);
    assert.ok((await keyringIds()).includes(orphanId));
  });

  it('deletes the orphan key and its lookups just after it, and keeps the real subject', async () => {
    await runAt(madeAt + ORPHAN_GRACE_MS + 1);
    const ids = await keyringIds();
    assert.ok(!ids.includes(orphanId), 'the orphan and its lookups are gone');
    assert.ok(ids.includes(subjectId), 'the real subject keeps its key and lookups');
    const system = systemPrincipal('test');
    const s = await env.ctx.services.subjects.read(system, operatorId, subjectId);
    assert.equal(s.phone, '+79121112233');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import type { Principal } from '../staff/index.ts';
import {
  insertOperatorWithSite,
  staffPrincipal,
  submitCallback,
  testIntakeFor,
  type TestOperator,
} from './intake.testing.ts';
import type { InquiriesService } from './inquiries.service.ts';
import type { IntakeService } from './intake.service.ts';
import { workflowRepository } from './workflow.repository.ts';

/**
 * The inbox's per-status counts read the totals kept by migration 0019 plus the deltas not yet
 * folded. Every check compares them with the inquiries counted one by one, before and after a fold.
 */
describe('inquiry counts per status, kept instead of counted', () => {
  let env: TestEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let inquiries: InquiriesService;
  let agentA: Principal;
  let both: Principal;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  /** The statuses of the operators' inquiries counted one by one, zeros left out. */
  const counted = async (...ops: TestOperator[]): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await q<{ status: string; n: number }>(
          'SELECT status, count(*)::int AS n FROM inquiries WHERE operator_id = ANY ($1::uuid[]) GROUP BY status',
          [ops.map((o) => o.operatorId)],
        )
      ).map((r) => [r.status, r.n]),
    );
  /** What the inbox shows, zeros left out. */
  const shown = async (p: Principal, operatorId?: string): Promise<Record<string, number>> =>
    Object.fromEntries(
      Object.entries(await inquiries.countsByStatus(p, operatorId ? { operatorId } : {})).filter(
        ([, n]) => n !== 0,
      ),
    );
  const deltas = async (): Promise<number> =>
    (await q<{ n: number }>('SELECT count(*)::int AS n FROM inquiry_status_deltas'))[0]!.n;
  const fold = (): Promise<number> => env.ctx.db.system((tx) => workflowRepository.foldStatusCounts(tx));

  const submit = (op: TestOperator): Promise<string> =>
    submitCallback(intake, op, { fields: { name: 'Пациент', phone: '8 912 000-00-01' } });

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'counts-a');
    b = await insertOperatorWithSite(env, 'counts-b');
    intake = testIntakeFor(env, [a, b]);
    inquiries = env.ctx.services.inquiries;
    agentA = staffPrincipal('00000000-0000-4000-8000-00000000000a', { [a.operatorId]: ['agent'] });
    both = staffPrincipal('00000000-0000-4000-8000-00000000000b', {
      [a.operatorId]: ['privacy_officer'],
      [b.operatorId]: ['privacy_officer'],
    });
  });
  after(() => env.close());

  it('counts intake, status changes and their reversal exactly, before and after every fold', async () => {
    const [x, y, z] = [await submit(a), await submit(a), await submit(a)];
    await submit(b);
    assert.deepEqual(await shown(agentA, a.operatorId), { new: 3 });
    assert.deepEqual(await shown(agentA, a.operatorId), await counted(a));

    await inquiries.changeStatus(agentA, a.operatorId, x, { to: 'in_progress' });
    await inquiries.changeStatus(agentA, a.operatorId, y, { to: 'spam', reason: 'advertising' });
    assert.deepEqual(await shown(agentA, a.operatorId), { new: 1, in_progress: 1, spam: 1 });

    assert.ok((await fold()) > 0);
    assert.equal(await deltas(), 0);
    assert.deepEqual(await shown(agentA, a.operatorId), { new: 1, in_progress: 1, spam: 1 });
    assert.equal(await fold(), 0, 'nothing left to fold');

    // After a fold, new deltas add to the totals: x back and forth, z done.
    await inquiries.changeStatus(agentA, a.operatorId, x, { to: 'done' });
    await inquiries.changeStatus(agentA, a.operatorId, z, { to: 'in_progress' });
    await inquiries.changeStatus(agentA, a.operatorId, z, { to: 'new' });
    assert.deepEqual(await shown(agentA, a.operatorId), { new: 1, done: 1, spam: 1 });
    await fold();
    assert.deepEqual(await shown(agentA, a.operatorId), await counted(a));
  });

  it('keeps each operator to its own counts, and adds them up for a reader of several', async () => {
    assert.deepEqual(await shown(both, b.operatorId), await counted(b));
    assert.deepEqual(await shown(both), await counted(a, b));
    assert.equal((await shown(agentA)).new, (await counted(a)).new, 'A alone, not B');
  });

  it('takes a destroyed patient’s inquiries off the counts', async () => {
    const id = await submit(a);
    await inquiries.changeStatus(agentA, a.operatorId, id, { to: 'waiting_patient' });
    await fold();
    assert.equal((await shown(agentA, a.operatorId)).waiting_patient, 1);
    const [row] = await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [id]);
    // Every inquiry of the test patient goes with them (one phone, one subject).
    await env.ctx.services.subjects.destroy(
      staffPrincipal('00000000-0000-4000-8000-00000000000c', { [a.operatorId]: ['privacy_officer'] }),
      a.operatorId,
      row!.subject_id,
      'subject_request',
    );
    assert.deepEqual(await counted(a), {});
    assert.deepEqual(await shown(agentA, a.operatorId), {});
    await fold();
    assert.deepEqual(await shown(agentA, a.operatorId), {});
  });

  it('two folds at once count every delta once', async () => {
    for (let i = 0; i < 5; i++) await submit(a);
    const folded = await Promise.all([fold(), fold(), fold()]);
    assert.equal(
      folded.reduce((s, n) => s + n, 0),
      5,
    );
    assert.deepEqual(await shown(agentA, a.operatorId), await counted(a));
  });

  it('a filter other than the status counts the inquiries themselves, and agrees', async () => {
    const filtered = await inquiries.countsByStatus(agentA, { operatorId: a.operatorId, siteId: a.siteId });
    const whole = await inquiries.countsByStatus(agentA, { operatorId: a.operatorId, status: 'done' });
    assert.deepEqual(filtered, whole, 'every inquiry of A is on its one site; the status is ignored');
    assert.equal(whole.new, 5);
  });

  it('the app may read the counts but not write them, and the inquiries may not be truncated', async () => {
    await assert.rejects(
      env.ctx.db.system((tx) =>
        tx.query(`INSERT INTO inquiry_status_counts VALUES ($1, 'new', 1000)`, [a.operatorId]),
      ),
      /permission denied/,
    );
    await assert.rejects(
      env.ctx.db.system((tx) => tx.query('DELETE FROM inquiry_status_deltas')),
      /permission denied/,
    );
    await assert.rejects(q('TRUNCATE inquiries CASCADE'), /counted per status/);
    assert.deepEqual(await shown(agentA, a.operatorId), await counted(a));
  });
});

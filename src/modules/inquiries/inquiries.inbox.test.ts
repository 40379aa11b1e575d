import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { Principal, Role } from '../staff/index.ts';
import {
  insertOperatorWithSite,
  staffPrincipal,
  submitCallback,
  testIntakeFor,
  type TestOperator,
} from './intake.testing.ts';
import type { IntakeInput } from './inquiries.schemas.ts';
import type { InquiriesService } from './inquiries.service.ts';
import type { IntakeService } from './intake.service.ts';

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.details?.fields?.[0]?.path, field);
    return true;
  });
}

describe('InquiriesService for the console: order by due time, export, assignees, deliveries', () => {
  let env: TestEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let inquiries: InquiriesService;
  let agent: Principal;
  let officer: Principal;
  let officerB: Principal;
  const staff: Record<string, string> = {};
  // Inquiries of A by due time: two share a due time, one has none.
  const made: Record<string, string> = {};

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  async function insertStaff(name: string, roles: [string, Role][], disabled = false): Promise<string> {
    const id = randomUUID();
    const now = env.clock.now();
    await q(
      `INSERT INTO staff (id, email, display_name, password_hash, disabled_at, password_changed_at, created_at,
         updated_at) VALUES ($1, $2, $3, 'x', $4, $5, $5, $5)`,
      [id, `${id}@staff.example`, name, disabled ? now : null, now],
    );
    for (const [op, role] of roles) {
      await q('INSERT INTO staff_roles (staff_id, operator_id, role, granted_at) VALUES ($1, $2, $3, $4)', [
        id,
        op,
        role,
        now,
      ]);
    }
    return id;
  }

  const submit = (op: TestOperator, over: Partial<IntakeInput> = {}): Promise<string> =>
    submitCallback(intake, op, over);

  const ids = (items: { id: string }[]) => items.map((i) => i.id);
  const exports = async () =>
    (await q<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'inquiry.export'"))[0]!
      .n;

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'due-a');
    b = await insertOperatorWithSite(env, 'due-b');
    intake = testIntakeFor(env, [a, b]);
    inquiries = env.ctx.services.inquiries;
    staff.agent = await insertStaff('Ольга', [[a.operatorId, 'agent']]);
    staff.officer = await insertStaff('Ирина', [[a.operatorId, 'privacy_officer']]);
    staff.moderator = await insertStaff('Модератор', [[a.operatorId, 'moderator']]);
    staff.gone = await insertStaff('Уволенный', [[a.operatorId, 'agent']], true);
    staff.officerB = await insertStaff('Борис', [[b.operatorId, 'privacy_officer']]);
    agent = staffPrincipal(staff.agent, { [a.operatorId]: ['agent'] });
    officer = staffPrincipal(staff.officer, { [a.operatorId]: ['privacy_officer'] });
    officerB = staffPrincipal(staff.officerB, { [b.operatorId]: ['privacy_officer'] });

    for (const name of ['p', 'q', 'r', 's', 't']) {
      made[name] = await submit(a, { fields: { name: `Пациент ${name}`, phone: '8 912 345-67-89' } });
      env.clock.advance(60_000);
    }
    // Due times: t first (it is overdue), then p and q together, then r; s has none.
    const due = (id: string, at: string | null) =>
      q('UPDATE inquiries SET first_contact_due_at = $2 WHERE id = $1', [id, at]);
    await due(made.t!, '2026-03-02T08:00:00.123456Z');
    await due(made.p!, '2026-03-02T10:00:00.000001Z');
    await due(made.q!, '2026-03-02T10:00:00.000001Z');
    await due(made.r!, '2026-03-02T10:00:00.000002Z');
    await due(made.s!, null);
    await submit(b);
  });
  after(() => env.close());

  it('orders by due time, ties by id, rows without one last, across keyset pages of any size', async () => {
    const [pq1, pq2] = [made.p!, made.q!].sort();
    const expected = [made.t!, pq1!, pq2!, made.r!, made.s!];
    const whole = await inquiries.list(agent, { sort: 'due' });
    assert.deepEqual(ids(whole.items), expected);
    assert.equal(whole.items[0]!.overdue, true);
    for (const limit of [1, 2, 3, 4]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await inquiries.list(agent, { sort: 'due', limit, cursor });
        seen.push(...ids(page.items));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, expected, `pages of ${limit}`);
    }
    // Searching keeps the order too.
    const found = await inquiries.search(agent, a.operatorId, { phone: '+79123456789' }, { sort: 'due' });
    assert.deepEqual(ids(found.items), expected);
  });

  it("refuses one order's cursor in the other", async () => {
    const byDue = await inquiries.list(agent, { sort: 'due', limit: 1 });
    const newest = await inquiries.list(agent, { limit: 1 });
    await rejectsWith(
      inquiries.list(agent, { cursor: byDue.nextCursor! }),
      ErrorCode.ValidationFailed,
      'cursor',
    );
    await rejectsWith(
      inquiries.list(agent, { sort: 'due', cursor: newest.nextCursor! }),
      ErrorCode.ValidationFailed,
      'cursor',
    );
    const forged = Buffer.from(`due|yesterday|${made.p}`).toString('base64url');
    await rejectsWith(
      inquiries.list(agent, { sort: 'due', cursor: forged }),
      ErrorCode.ValidationFailed,
      'cursor',
    );
  });

  it('exports decrypted contacts with an audit entry per inquiry, refusing above the limit at its edge', async () => {
    const before = await exports();
    await rejectsWith(inquiries.export(officer, {}, { maxRows: 4 }), ErrorCode.ValidationFailed, 'filter');
    assert.equal(await exports(), before, 'a refused export writes nothing');
    const rows = await inquiries.export(officer, {}, { maxRows: 5 });
    assert.deepEqual(ids(rows), [made.t, made.s, made.r, made.q, made.p]);
    assert.equal(rows[4]!.name, 'Пациент p');
    assert.equal(rows[4]!.phone, '+79123456789');
    assert.equal(rows[4]!.email, null);
    assert.equal(await exports(), before + 5);
    const entries = await q<{ object_id: string; subject_id: string; actor_id: string; operator_id: string }>(
      "SELECT object_id, subject_id, actor_id, operator_id FROM audit_log WHERE action = 'inquiry.export' ORDER BY id DESC LIMIT 5",
    );
    assert.deepEqual(new Set(entries.map((e) => e.object_id)), new Set(ids(rows)));
    assert.ok(entries.every((e) => e.actor_id === staff.officer && e.operator_id === a.operatorId));
    assert.deepEqual(new Set(entries.map((e) => e.subject_id)), new Set(rows.map((r) => r.subjectId)));
    // A filter narrows it.
    assert.deepEqual(ids(await inquiries.export(officer, { overdue: true })), [made.t]);
  });

  it('lets only those with inquiry.export export, and only their own clinics', async () => {
    const before = await exports();
    await rejectsWith(inquiries.export(agent, {}), ErrorCode.Forbidden);
    await rejectsWith(inquiries.export(officerB, { operatorId: a.operatorId }), ErrorCode.Forbidden);
    const own = await inquiries.export(officerB, {});
    assert.equal(own.length, 1);
    assert.equal(own[0]!.operatorId, b.operatorId);
    assert.equal(await exports(), before + 1);
  });

  it('lists as assignees the enabled staff whose role reads inquiries', async () => {
    const list = await inquiries.assignees(agent);
    assert.deepEqual(list.map((x) => x.staffId).sort(), [staff.agent, staff.officer].sort());
    assert.ok(list.every((x) => x.operatorId === a.operatorId));
    await rejectsWith(inquiries.assignees(agent, [b.operatorId]), ErrorCode.Forbidden);
  });

  it("shows an inquiry's outgoing messages, and nothing of another clinic's", async () => {
    const now = env.clock.now();
    const id = randomUUID();
    await q(
      `INSERT INTO outbox (id, operator_id, channel, template, state, attempts, next_attempt_at, created_at, inquiry_id)
       VALUES ($1, $2, 'sms', 'status', 'pending', 1, $3, $3, $4)`,
      [id, a.operatorId, new Date(now.getTime() + 60_000), made.p],
    );
    const list = await inquiries.deliveries(agent, a.operatorId, made.p!);
    assert.deepEqual(
      list.map((d) => [d.id, d.channel, d.state, d.attempts, d.sentAt]),
      [[id, 'sms', 'pending', 1, null]],
    );
    const staffOfB = staffPrincipal(randomUUID(), { [b.operatorId]: ['agent'] });
    await rejectsWith(inquiries.deliveries(staffOfB, a.operatorId, made.p!), ErrorCode.NotFound);
    await rejectsWith(inquiries.deliveries(staffOfB, b.operatorId, made.p!), ErrorCode.NotFound);
  });
});

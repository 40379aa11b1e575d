import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { PublishedPolicy } from '../policy/index.ts';
import type { Principal, Role } from '../staff/index.ts';
import type { IntakeService } from './intake.service.ts';
import {
  callback,
  insertOperatorWithSite,
  policySource,
  staffPrincipal,
  testIntake,
  testPolicy,
  type TestOperator,
} from './intake.testing.ts';
import type { IntakeInput } from './inquiries.schemas.ts';
import { InquiriesService } from './inquiries.service.ts';
import type { InboxItem } from './workflow.schemas.ts';

const principal = staffPrincipal;

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.details?.fields?.[0]?.path, field);
    return true;
  });
}

const NOTE = 'Жалуется на боль в колене; перезвонить после 18:00 — Анна Иванова';

describe('InquiriesService', () => {
  let env: TestEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  // Published policies by operator id; operators made later in the file are added to it.
  const policies: Record<string, PublishedPolicy> = {};
  let inquiries: InquiriesService;
  // Staff rows (ids) with their roles, and the principals they sign in as.
  let agentId: string;
  let agent2Id: string;
  let officerId: string;
  let moderatorId: string;
  let agentB: string;
  let agent: Principal;
  let officer: Principal;
  let moderator: Principal;
  let staffB: Principal;

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

  async function submit(op: TestOperator, over: Partial<IntakeInput> = {}): Promise<string> {
    const r = await intake.submit(callback(op, over));
    assert.equal(r.kind, 'created');
    return (r as { inquiryId: string }).inquiryId;
  }

  const ids = (items: InboxItem[]) => items.map((i) => i.id);

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'work-a');
    b = await insertOperatorWithSite(env, 'work-b');
    for (const op of [a, b]) policies[op.operatorId] = await testPolicy(env, op.operatorId);
    intake = testIntake(env, policySource(policies));
    inquiries = env.ctx.services.inquiries;
    agentId = await insertStaff('Ольга Агент', [[a.operatorId, 'agent']]);
    agent2Id = await insertStaff('Пётр Агент', [[a.operatorId, 'agent']]);
    officerId = await insertStaff('Ирина Ответственная', [[a.operatorId, 'privacy_officer']]);
    moderatorId = await insertStaff('Модератор', [[a.operatorId, 'moderator']]);
    agentB = await insertStaff('Агент Б', [[b.operatorId, 'agent']]);
    agent = principal(agentId, { [a.operatorId]: ['agent'] });
    officer = principal(officerId, { [a.operatorId]: ['privacy_officer'] });
    moderator = principal(moderatorId, { [a.operatorId]: ['moderator'] });
    staffB = principal(agentB, { [b.operatorId]: ['agent'] });
  });
  after(() => env.close());

  describe('inbox', () => {
    let op: TestOperator;
    let staffOp: Principal;
    let me: string;
    const made: Record<string, string> = {};

    before(async () => {
      op = await insertOperatorWithSite(env, 'work-inbox');
      policies[op.operatorId] = await testPolicy(env, op.operatorId);
      me = await insertStaff('Инбокс Агент', [[op.operatorId, 'agent']]);
      staffOp = principal(me, { [op.operatorId]: ['agent'] });
      made.cb1 = await submit(op);
      env.clock.advance(1000);
      made.widget = await submit(op, { channel: 'widget' });
      env.clock.advance(1000);
      made.appt = await submit(op, {
        formId: 'appointment',
        fields: { name: 'Вера', phone: '+7 912 111-22-33' },
      });
      env.clock.advance(1000);
      made.api = await submit(op, { channel: 'api' });
      env.clock.advance(1000);
      await inquiries.changeStatus(staffOp, op.operatorId, made.widget, { to: 'in_progress' });
      await inquiries.changeStatus(staffOp, op.operatorId, made.api, { to: 'spam', reason: 'advertising' });
      await inquiries.assign(staffOp, op.operatorId, made.appt, me);
      // Another operator's inquiry that must never show up.
      await submit(b);
    });

    it('lists newest first with ids and codes only, filtered by each field', async () => {
      const all = await inquiries.list(staffOp, {});
      assert.deepEqual(ids(all.items), [made.api, made.appt, made.widget, made.cb1]);
      assert.equal(all.nextCursor, null);
      const appt = all.items[1]!;
      assert.equal(appt.formId, 'appointment');
      assert.equal(appt.status, 'new');
      assert.equal(appt.operatorId, op.operatorId);
      assert.equal(appt.siteId, op.siteId);
      assert.equal(typeof appt.number, 'string');
      assert.equal(appt.assigneeStaffId, me);
      assert.equal(appt.possibleHealthData, false);
      assert.deepEqual(Object.keys(appt).sort(), [
        'assigneeStaffId',
        'channel',
        'createdAt',
        'firstContactDueAt',
        'formId',
        'id',
        'number',
        'onBehalf',
        'operatorId',
        'overdue',
        'possibleHealthData',
        'siteId',
        'status',
        'statusChangedAt',
      ]);
      assert.equal(all.items[2]!.statusChangedAt, env.clock.now().toISOString());

      const list = async (f: Parameters<InquiriesService['list']>[1]) =>
        ids((await inquiries.list(staffOp, f)).items);
      assert.deepEqual(await list({ status: 'new' }), [made.appt, made.cb1]);
      assert.deepEqual(await list({ status: 'spam' }), [made.api]);
      assert.deepEqual(await list({ channel: 'widget' }), [made.widget]);
      assert.deepEqual(await list({ formId: 'appointment' }), [made.appt]);
      assert.deepEqual(await list({ formId: 'estimate' }), []);
      assert.deepEqual(await list({ siteId: op.siteId, channel: 'web_form' }), [made.appt, made.cb1]);
      assert.deepEqual(await list({ siteId: a.siteId }), []);
      assert.deepEqual(await list({ assignee: me }), [made.appt]);
      assert.deepEqual(await list({ assignee: 'none' }), [made.api, made.widget, made.cb1]);
      assert.deepEqual(await list({ operatorId: op.operatorId, status: 'in_progress' }), [made.widget]);
    });

    it('counts per status, every status present, under the same filter', async () => {
      assert.deepEqual(await inquiries.countsByStatus(staffOp, {}), {
        new: 2,
        in_progress: 1,
        waiting_patient: 0,
        appointment_made: 0,
        done: 0,
        rejected: 0,
        spam: 1,
      });
      const webForm = await inquiries.countsByStatus(staffOp, { channel: 'web_form', status: 'spam' });
      assert.equal(webForm.new, 2);
      assert.equal(webForm.spam, 0, 'the api inquiry is not a web form; the status filter is ignored');
      assert.equal((await inquiries.countsByStatus(staffOp, { assignee: 'none' })).new, 1);
    });

    it('spans every operator the principal may read, and refuses one it may not', async () => {
      const both = principal(randomUUID(), {
        [op.operatorId]: ['agent'],
        [b.operatorId]: ['privacy_officer'],
      });
      const items = (await inquiries.list(both, { limit: 100 })).items;
      assert.ok(items.some((i) => i.operatorId === b.operatorId));
      assert.ok(items.some((i) => i.operatorId === op.operatorId));
      // Operator A is not in scope: none of its inquiries, even those made by other tests.
      assert.ok(items.every((i) => i.operatorId !== a.operatorId));

      const onlyOp = (await inquiries.list(staffOp, { limit: 100 })).items;
      assert.ok(onlyOp.every((i) => i.operatorId === op.operatorId));
      await rejectsWith(inquiries.list(staffOp, { operatorId: b.operatorId }), ErrorCode.Forbidden);
      await rejectsWith(inquiries.countsByStatus(staffOp, { operatorId: b.operatorId }), ErrorCode.Forbidden);
      // A moderator may not read inquiries anywhere.
      await rejectsWith(inquiries.list(moderator, {}), ErrorCode.Forbidden);
      await rejectsWith(inquiries.list(moderator, { operatorId: a.operatorId }), ErrorCode.Forbidden);
    });

    it('refuses a malformed filter or cursor and a limit over 100', async () => {
      await rejectsWith(inquiries.list(staffOp, { limit: 101 }), ErrorCode.ValidationFailed, 'limit');
      await rejectsWith(inquiries.list(staffOp, { limit: 0 }), ErrorCode.ValidationFailed, 'limit');
      await rejectsWith(
        inquiries.list(staffOp, { status: 'closed' as never }),
        ErrorCode.ValidationFailed,
        'status',
      );
      await rejectsWith(
        inquiries.list(staffOp, { cursor: 'bm90IGEgY3Vyc29y' }),
        ErrorCode.ValidationFailed,
        'cursor',
      );
      await rejectsWith(inquiries.list(staffOp, { extra: 1 } as never), ErrorCode.ValidationFailed, 'extra');
    });
  });

  describe('first contact due', () => {
    it('marks a new inquiry overdue strictly after its due time, lists the overdue ones, and stops once it is worked', async () => {
      const op = await insertOperatorWithSite(env, 'work-due');
      policies[op.operatorId] = await testPolicy(env, op.operatorId);
      const me = await insertStaff('Срочный Агент', [[op.operatorId, 'agent']]);
      const staffOp = principal(me, { [op.operatorId]: ['agent'] });
      // Monday 23 November 2026 at 10:00 in Moscow: due at 10:15 (default clinic hours).
      env.clock.set(new Date('2026-11-23T07:00:00Z'));
      const id = await submit(op, { startedAt: new Date('2026-11-23T06:59:00Z') });
      const due = '2026-11-23T07:15:00.000Z';
      const view = async () => (await inquiries.list(staffOp, { operatorId: op.operatorId })).items[0]!;
      const overdueIds = async () =>
        ids((await inquiries.list(staffOp, { operatorId: op.operatorId, overdue: true })).items);

      env.clock.set(new Date(due));
      assert.deepEqual([(await view()).firstContactDueAt, (await view()).overdue], [due, false]);
      assert.deepEqual(await overdueIds(), []);
      env.clock.set(new Date(Date.parse(due) + 1));
      assert.equal((await view()).overdue, true);
      assert.deepEqual(await overdueIds(), [id]);
      assert.equal(
        (await inquiries.countsByStatus(staffOp, { operatorId: op.operatorId, overdue: true })).new,
        1,
      );

      await inquiries.changeStatus(staffOp, op.operatorId, id, { to: 'in_progress' });
      assert.equal((await view()).overdue, false, 'worked: no longer overdue');
      assert.deepEqual(await overdueIds(), []);
    });
  });

  describe('keyset pagination', () => {
    it('walks every inquiry once, newest first, also across equal timestamps', async () => {
      const op = await insertOperatorWithSite(env, 'work-pages');
      policies[op.operatorId] = await testPolicy(env, op.operatorId);
      const me = principal(randomUUID(), { [op.operatorId]: ['agent'] });
      const made: { id: string; at: number }[] = [];
      for (let i = 0; i < 11; i += 1) {
        // Groups of three share a timestamp: the id breaks the tie.
        if (i % 3 === 0) env.clock.advance(1000);
        made.push({ id: await submit(op), at: env.clock.now().getTime() });
      }
      const expected = [...made]
        .sort((x, y) => y.at - x.at || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0))
        .map((m) => m.id);

      for (const limit of [1, 3, 4, 11, 12]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await inquiries.list(me, { limit, ...(cursor ? { cursor } : {}) });
          assert.ok(page.items.length <= limit);
          seen.push(...ids(page.items));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor !== undefined);
        assert.deepEqual(seen, expected, `limit ${limit}`);
        assert.equal(pages, Math.max(1, Math.ceil(11 / limit)), `limit ${limit}: no empty last page`);
      }

      // A page taken, then a newer inquiry arrives: the next page neither repeats nor skips.
      const first = await inquiries.list(me, { limit: 5 });
      env.clock.advance(1000);
      const newer = await submit(op);
      const rest = await inquiries.list(me, { limit: 100, cursor: first.nextCursor! });
      assert.deepEqual([...ids(first.items), ...ids(rest.items)], expected);
      assert.equal((await inquiries.list(me, { limit: 1 })).items[0]!.id, newer);
    });

    it('keeps microseconds in the cursor (rows written by other means than the clock)', async () => {
      const op = await insertOperatorWithSite(env, 'work-micro');
      policies[op.operatorId] = await testPolicy(env, op.operatorId);
      const me = principal(randomUUID(), { [op.operatorId]: ['agent'] });
      const x = await submit(op);
      const y = await submit(op);
      // Same millisecond, different microseconds: a millisecond cursor would repeat or skip one.
      await q(`UPDATE inquiries SET created_at = '2026-03-02T10:00:00.123456Z' WHERE id = $1`, [x]);
      await q(`UPDATE inquiries SET created_at = '2026-03-02T10:00:00.123789Z' WHERE id = $1`, [y]);
      const p1 = await inquiries.list(me, { limit: 1 });
      assert.deepEqual(ids(p1.items), [y]);
      const p2 = await inquiries.list(me, { limit: 1, cursor: p1.nextCursor! });
      assert.deepEqual(ids(p2.items), [x]);
      assert.equal(p2.nextCursor, null);
    });
  });

  describe('one inquiry', () => {
    it('decrypts the inquiry, the patient, consents and history, with one audit entry', async () => {
      const id = await submit(a, {
        formId: 'appointment',
        fields: {
          name: 'Анна Иванова',
          phone: '8 (912) 345-67-89',
          email: 'Anna@Example.RU',
          serviceOrDoctor: 'МРТ колена',
        },
        consents: { processing: true, marketing: true },
        onBehalf: { representativeName: 'Пётр Иванов', relation: 'сын' },
      });
      await inquiries.assign(agent, a.operatorId, id, agent2Id);
      await inquiries.addNote(agent, a.operatorId, id, NOTE);
      const before = await q<{ n: string }>('SELECT count(*) AS n FROM audit_log');

      const v = await inquiries.get(agent, a.operatorId, id);
      assert.equal(v.id, id);
      assert.equal(v.formId, 'appointment');
      assert.equal(v.status, 'new');
      assert.equal(v.possibleHealthData, true);
      assert.equal(v.onBehalf, true);
      assert.equal(v.page, '/contacts');
      assert.equal(v.fields.serviceOrDoctor, 'МРТ колена');
      assert.deepEqual(v.subject, {
        name: 'Анна Иванова',
        phone: '+79123456789',
        email: 'anna@example.ru',
      });
      assert.deepEqual(v.assignee, { staffId: agent2Id, displayName: 'Пётр Агент' });
      assert.deepEqual(
        v.consents.map((c) => [c.kind, c.documentVersion, c.policyVersion, c.channel, c.formId]),
        (['consent_marketing', 'consent_processing'] as const).map((k) => [
          k.slice('consent_'.length),
          policies[a.operatorId]!.documents[k].version,
          policies[a.operatorId]!.declarationVersion,
          'web_form',
          'appointment',
        ]),
      );
      for (const c of v.consents)
        assert.deepEqual(c.representative, { name: 'Пётр Иванов', relation: 'сын' });
      assert.equal(
        v.consents[1]!.documentSha256,
        policies[a.operatorId]!.documents.consent_processing.sha256,
      );
      assert.deepEqual(
        v.events.map((e) => [e.kind, e.assigneeStaffId, e.note, e.actorType, e.actorId, e.actorName]),
        [
          ['assign', agent2Id, null, 'staff', agentId, 'Ольга Агент'],
          ['note', null, NOTE, 'staff', agentId, 'Ольга Агент'],
        ],
      );

      await env.ctx.services.audit.settle();
      const entries = await q<{
        action: string;
        subject_id: string;
        object_id: string;
        actor_id: string;
        operator_id: string;
        source: string;
      }>('SELECT * FROM audit_log WHERE id > $1 ORDER BY id', [before[0]!.n]);
      assert.equal(entries.length, 1, 'exactly one entry for the read');
      assert.equal(entries[0]!.action, 'inquiry.read');
      assert.equal(entries[0]!.object_id, id);
      assert.equal(entries[0]!.subject_id, v.subjectId);
      assert.equal(entries[0]!.actor_id, agentId);
      assert.equal(entries[0]!.operator_id, a.operatorId);
      assert.equal(entries[0]!.source, '198.51.100.7');

      // A privacy officer reads it too.
      assert.equal((await inquiries.get(officer, a.operatorId, id)).id, id);
    });

    it('answers NotFound for unknown or malformed ids', async () => {
      await rejectsWith(inquiries.get(agent, a.operatorId, randomUUID()), ErrorCode.NotFound);
      await rejectsWith(inquiries.get(agent, a.operatorId, 'not-a-uuid'), ErrorCode.NotFound);
      await rejectsWith(inquiries.get(agent, 'nope', randomUUID()), ErrorCode.NotFound);
    });

    it('answers 410 while the subject is being destroyed (its key is gone), NotFound once it is', async () => {
      const id = await submit(a, { fields: { name: 'Уничтожаемая', phone: '+7 912 000-00-01' } });
      await inquiries.addNote(agent, a.operatorId, id, 'заметка');
      await inquiries.changeStatus(agent, a.operatorId, id, { to: 'in_progress' });
      const [row] = await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [id]);
      await env.ctx.services.keyring.destroyDataKey(row!.subject_id);
      await rejectsWith(inquiries.get(agent, a.operatorId, id), ErrorCode.SubjectDestroyed);
      await rejectsWith(inquiries.addNote(agent, a.operatorId, id, 'x'), ErrorCode.SubjectDestroyed);
      await env.ctx.services.subjects.destroy(
        principal(officerId, { [a.operatorId]: ['privacy_officer'] }),
        a.operatorId,
        row!.subject_id,
        'subject_request',
      );
      await rejectsWith(inquiries.get(agent, a.operatorId, id), ErrorCode.NotFound);
      // The history went with the inquiry (the app may not delete events, the cascade does).
      assert.equal((await q('SELECT 1 FROM inquiry_events WHERE inquiry_id = $1', [id])).length, 0);
    });
  });

  describe('tenant isolation', () => {
    it("gives staff of A NotFound for B's inquiry on every action and leaves it untouched", async () => {
      const theirs = await submit(b);
      // Asked under A's scope: the row is invisible.
      await rejectsWith(inquiries.get(agent, a.operatorId, theirs), ErrorCode.NotFound);
      await rejectsWith(
        inquiries.changeStatus(agent, a.operatorId, theirs, { to: 'done' }),
        ErrorCode.NotFound,
      );
      await rejectsWith(inquiries.addNote(agent, a.operatorId, theirs, 'x'), ErrorCode.NotFound);
      await rejectsWith(inquiries.assign(agent, a.operatorId, theirs, agentId), ErrorCode.NotFound);
      // Asked under B's id, where A's staff has no role: the same answer as for an unknown id.
      for (const id of [theirs, randomUUID()]) {
        await rejectsWith(inquiries.get(agent, b.operatorId, id), ErrorCode.NotFound);
        await rejectsWith(
          inquiries.changeStatus(agent, b.operatorId, id, { to: 'done' }),
          ErrorCode.NotFound,
        );
        await rejectsWith(inquiries.addNote(agent, b.operatorId, id, 'x'), ErrorCode.NotFound);
        await rejectsWith(inquiries.assign(agent, b.operatorId, id, null), ErrorCode.NotFound);
      }
      const [row] = await q<{ status: string; assignee_staff_id: string | null }>(
        'SELECT status, assignee_staff_id FROM inquiries WHERE id = $1',
        [theirs],
      );
      assert.deepEqual(row, { status: 'new', assignee_staff_id: null });
      assert.equal((await q('SELECT 1 FROM inquiry_events WHERE inquiry_id = $1', [theirs])).length, 0);
      // And B's own staff sees it.
      assert.equal((await inquiries.get(staffB, b.operatorId, theirs)).id, theirs);
      const bList = await inquiries.list(agent, { limit: 100 });
      assert.ok(bList.items.every((i) => i.operatorId === a.operatorId));
      assert.ok(!ids(bList.items).includes(theirs));
    });

    it("refuses to assign another operator's staff member", async () => {
      const id = await submit(a);
      await rejectsWith(
        inquiries.assign(agent, a.operatorId, id, agentB),
        ErrorCode.ValidationFailed,
        'staffId',
      );
    });
  });

  describe('status', () => {
    it('requires a reason for rejected and spam, refuses one elsewhere, and records events in order', async () => {
      const id = await submit(a);
      await rejectsWith(
        inquiries.changeStatus(agent, a.operatorId, id, { to: 'rejected' }),
        ErrorCode.ValidationFailed,
        'reason',
      );
      await assert.rejects(inquiries.changeStatus(agent, a.operatorId, id, { to: 'spam' }), (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.match(e.message, /Укажите причину/u);
        return true;
      });
      await rejectsWith(
        inquiries.changeStatus(agent, a.operatorId, id, { to: 'done', reason: 'duplicate' }),
        ErrorCode.ValidationFailed,
        'reason',
      );
      await rejectsWith(
        inquiries.changeStatus(agent, a.operatorId, id, {
          to: 'rejected',
          reason: 'мне не понравилось' as never,
        }),
        ErrorCode.ValidationFailed,
        'reason',
      );
      assert.equal((await q('SELECT 1 FROM inquiry_events WHERE inquiry_id = $1', [id])).length, 0);

      const t0 = env.clock.now();
      assert.deepEqual(await inquiries.changeStatus(agent, a.operatorId, id, { to: 'in_progress' }), {
        status: 'in_progress',
        changed: true,
      });
      env.clock.advance(60_000);
      const t1 = env.clock.now();
      await inquiries.changeStatus(agent, a.operatorId, id, { to: 'rejected', reason: 'duplicate' });
      // The same status again: nothing written, not even an audit entry.
      const auditBefore = await q<{ n: string }>('SELECT count(*) AS n FROM audit_log');
      assert.deepEqual(
        await inquiries.changeStatus(agent, a.operatorId, id, { to: 'rejected', reason: 'other' }),
        { status: 'rejected', changed: false },
      );
      await env.ctx.services.audit.settle();
      assert.deepEqual(await q<{ n: string }>('SELECT count(*) AS n FROM audit_log'), auditBefore);
      // Reopened, at the same instant as the rejection: order still holds.
      await inquiries.changeStatus(agent, a.operatorId, id, { to: 'in_progress' });

      const [row] = await q<{ status: string; status_changed_at: Date }>(
        'SELECT status, status_changed_at FROM inquiries WHERE id = $1',
        [id],
      );
      assert.equal(row!.status, 'in_progress');
      assert.equal(row!.status_changed_at.getTime(), t1.getTime());
      const v = await inquiries.get(agent, a.operatorId, id);
      assert.deepEqual(
        v.events.map((e) => [e.kind, e.fromStatus, e.toStatus, e.reason, e.at]),
        [
          ['status', 'new', 'in_progress', null, t0.toISOString()],
          ['status', 'in_progress', 'rejected', 'duplicate', t1.toISOString()],
          ['status', 'rejected', 'in_progress', null, t1.toISOString()],
        ],
      );
      const audit = await q<{ action: string; subject_id: string; actor_id: string }>(
        "SELECT action, subject_id, actor_id FROM audit_log WHERE object_id = $1 AND action = 'inquiry.status'",
        [id],
      );
      assert.equal(audit.length, 3);
      assert.ok(audit.every((x) => x.subject_id === v.subjectId && x.actor_id === agentId));
    });

    it('lets an agent update; a moderator and a privacy officer get Forbidden', async () => {
      const id = await submit(a);
      for (const p of [moderator, officer]) {
        await rejectsWith(inquiries.changeStatus(p, a.operatorId, id, { to: 'done' }), ErrorCode.Forbidden);
        await rejectsWith(inquiries.addNote(p, a.operatorId, id, 'x'), ErrorCode.Forbidden);
        await rejectsWith(inquiries.assign(p, a.operatorId, id, agentId), ErrorCode.Forbidden);
      }
      await rejectsWith(inquiries.get(moderator, a.operatorId, id), ErrorCode.Forbidden);
      assert.equal((await q('SELECT 1 FROM inquiry_events WHERE inquiry_id = $1', [id])).length, 0);
      assert.equal((await inquiries.changeStatus(agent, a.operatorId, id, { to: 'done' })).changed, true);
    });
  });

  describe('notes and assignment', () => {
    it('stores a note as ciphertext under the subject key and decrypts it on read', async () => {
      const id = await submit(a);
      const { eventId } = await inquiries.addNote(agent, a.operatorId, id, `  ${NOTE}\nвторая строка  `);
      const [raw] = await q<{ note_enc: Buffer; kind: string; actor_id: string }>(
        'SELECT note_enc, kind, actor_id FROM inquiry_events WHERE id = $1',
        [eventId],
      );
      assert.equal(raw!.kind, 'note');
      assert.equal(raw!.actor_id, agentId);
      const bytes = raw!.note_enc;
      assert.ok(!bytes.includes(Buffer.from('колене', 'utf8')), 'the note text is not in the column');
      assert.ok(!bytes.includes(Buffer.from('18:00', 'utf8')));
      const v = await inquiries.get(agent, a.operatorId, id);
      assert.equal(v.events.at(-1)!.note, `${NOTE}\nвторая строка`);
      const audit = await q("SELECT 1 FROM audit_log WHERE object_id = $1 AND action = 'inquiry.note'", [id]);
      assert.equal(audit.length, 1);
    });

    it('refuses empty, too long or control-character notes', async () => {
      const id = await submit(a);
      await rejectsWith(inquiries.addNote(agent, a.operatorId, id, '   \n '), ErrorCode.ValidationFailed);
      await rejectsWith(
        inquiries.addNote(agent, a.operatorId, id, 'я'.repeat(5001)),
        ErrorCode.ValidationFailed,
      );
      await rejectsWith(inquiries.addNote(agent, a.operatorId, id, 'a\u0000b'), ErrorCode.ValidationFailed);
      await rejectsWith(inquiries.addNote(agent, a.operatorId, id, 'a\tb'), ErrorCode.ValidationFailed);
      await rejectsWith(inquiries.addNote(agent, a.operatorId, id, 'a\u001bb'), ErrorCode.ValidationFailed);
      // The edge: exactly 5000 characters (emoji count as one) and line breaks are fine.
      await inquiries.addNote(agent, a.operatorId, id, '🙂'.repeat(4998) + '\r\n');
      await inquiries.addNote(agent, a.operatorId, id, 'я'.repeat(5000));
      assert.equal((await q('SELECT 1 FROM inquiry_events WHERE inquiry_id = $1', [id])).length, 2);
    });

    it('assigns to staff who may work the inquiries, unassigns, and ignores a repeat', async () => {
      const id = await submit(a);
      assert.deepEqual(await inquiries.assign(agent, a.operatorId, id, agent2Id), {
        assigneeStaffId: agent2Id,
        changed: true,
      });
      assert.deepEqual(await inquiries.assign(agent, a.operatorId, id, agent2Id), {
        assigneeStaffId: agent2Id,
        changed: false,
      });
      // A privacy officer reads inquiries, so may be assigned one.
      await inquiries.assign(agent, a.operatorId, id, officerId);
      await inquiries.assign(agent, a.operatorId, id, null);
      const disabled = await insertStaff('Уволен', [[a.operatorId, 'agent']], true);
      for (const who of [moderatorId, disabled, randomUUID(), 'not-a-uuid']) {
        await rejectsWith(
          inquiries.assign(agent, a.operatorId, id, who),
          ErrorCode.ValidationFailed,
          'staffId',
        );
      }
      const v = await inquiries.get(agent, a.operatorId, id);
      assert.equal(v.assignee, null);
      assert.deepEqual(
        v.events.map((e) => [e.kind, e.assigneeStaffId]),
        [
          ['assign', agent2Id],
          ['assign', officerId],
          ['assign', null],
        ],
      );
      const audit = await q("SELECT 1 FROM audit_log WHERE object_id = $1 AND action = 'inquiry.assign'", [
        id,
      ]);
      assert.equal(audit.length, 3);
    });
  });

  it('never writes personal data into the log lines', async () => {
    const id = await submit(a, {
      fields: { name: 'Лог Проверкина', phone: '+7 912 777-66-55' },
    });
    await inquiries.get(agent, a.operatorId, id);
    await inquiries.addNote(agent, a.operatorId, id, 'Секретная заметка про аллергию');
    await inquiries.changeStatus(agent, a.operatorId, id, { to: 'spam', reason: 'abuse' });
    await inquiries.assign(agent, a.operatorId, id, agent2Id);
    await rejectsWith(
      inquiries.addNote(agent, a.operatorId, id, 'аллергия\u0000'),
      ErrorCode.ValidationFailed,
    );
    assertNoPersonalDataInLogs(
      env.logs,
      ['Проверкина', '79127776655', '777-66-55', 'аллерги', NOTE.slice(0, 10), 'Ольга'],
      { expect: id }, // the actions were logged, by id
    );
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import type { Database, Prepared, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { PublishedPolicy } from '../policy/index.ts';
import type { Principal } from '../staff/index.ts';
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

// Two patients of operator A and one of operator B who shares the first one's phone.
const PHONE = '+7 912 500-00-01';
const OTHER_PHONE = '+7 912 500-00-02';
const EMAIL = 'Anna.Poisk@Example.RU';

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  let caught: AppError | undefined;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    caught = e;
    return true;
  });
  return caught!;
}

describe('InquiriesService.search', () => {
  let env: TestEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let inquiries: InquiriesService;
  let agent: Principal;
  let agentB: Principal;
  const policies: Record<string, PublishedPolicy> = {};
  // Inquiry ids, newest last.
  const hers: string[] = [];
  let his: string;
  let byEmail: string;
  let herAtB: string;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  async function submit(op: TestOperator, over: Partial<IntakeInput> = {}): Promise<string> {
    const r = await intake.submit(callback(op, over));
    assert.equal(r.kind, 'created');
    env.clock.advance(1000);
    return (r as { inquiryId: string }).inquiryId;
  }

  const ids = (items: InboxItem[]) => items.map((i) => i.id);
  const newestFirst = (xs: string[]) => [...xs].reverse();

  async function searchEntries(
    staffId: string,
  ): Promise<{ subject_id: string | null; operator_id: string }[]> {
    return q(
      `SELECT subject_id, operator_id FROM audit_log
       WHERE action = 'subject.search' AND actor_id = $1 ORDER BY id`,
      [staffId],
    );
  }

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'search-a');
    b = await insertOperatorWithSite(env, 'search-b');
    for (const op of [a, b]) policies[op.operatorId] = await testPolicy(env, op.operatorId);
    intake = testIntake(env, policySource(policies));
    inquiries = env.ctx.services.inquiries;
    agent = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    agentB = staffPrincipal(randomUUID(), { [b.operatorId]: ['agent'] });
    // One patient writes three times with the phone spelled differently: one subject.
    hers.push(await submit(a, { fields: { name: 'Анна Поиск', phone: PHONE } }));
    hers.push(await submit(a, { fields: { name: 'Анна Поиск', phone: '89125000001' } }));
    his = await submit(a, { fields: { name: 'Иван Другой', phone: OTHER_PHONE } });
    hers.push(await submit(a, { channel: 'widget', fields: { name: 'Анна', phone: '8 (912) 500 00 01' } }));
    byEmail = await submit(a, {
      formId: 'feedback',
      fields: { name: 'Анна Почта', email: EMAIL, message: 'Вопрос о записи' },
    });
    herAtB = await submit(b, { fields: { name: 'Анна Поиск', phone: PHONE } });
  });
  after(() => env.close());

  it('finds the same inquiries by every usual spelling of the phone, and only those', async () => {
    for (const phone of ['8 912 500-00-01', '+7 912 500 00 01', '79125000001', '8 (912) 500-00-01']) {
      const page = await inquiries.search(agent, a.operatorId, { phone });
      assert.deepEqual(ids(page.items), newestFirst(hers), phone);
      assert.equal(page.nextCursor, null);
    }
    const other = await inquiries.search(agent, a.operatorId, { phone: OTHER_PHONE });
    assert.deepEqual(ids(other.items), [his]);
    // The same item shape as the inbox.
    const listed = await inquiries.list(agent, { operatorId: a.operatorId, limit: 100 });
    const fromList = listed.items.find((i) => i.id === his);
    assert.deepEqual(other.items[0], fromList);
  });

  it('finds by e-mail in any case and with spaces around it', async () => {
    for (const email of [EMAIL, 'anna.poisk@example.ru', '  ANNA.POISK@EXAMPLE.RU ']) {
      const page = await inquiries.search(agent, a.operatorId, { email });
      assert.deepEqual(ids(page.items), [byEmail], email);
    }
    const none = await inquiries.search(agent, a.operatorId, { email: 'anna.poisk@example.com' });
    assert.deepEqual(none.items, []);
  });

  it('pages with the inbox keyset and takes the inbox filters', async () => {
    const p1 = await inquiries.search(agent, a.operatorId, { phone: PHONE }, { limit: 2 });
    assert.deepEqual(ids(p1.items), newestFirst(hers).slice(0, 2));
    assert.ok(p1.nextCursor);
    const p2 = await inquiries.search(
      agent,
      a.operatorId,
      { phone: PHONE },
      { limit: 2, cursor: p1.nextCursor },
    );
    assert.deepEqual(ids(p2.items), newestFirst(hers).slice(2));
    assert.equal(p2.nextCursor, null);
    const widget = await inquiries.search(agent, a.operatorId, { phone: PHONE }, { channel: 'widget' });
    assert.deepEqual(ids(widget.items), [hers[2]]);
    await rejectsWith(
      inquiries.search(agent, a.operatorId, { phone: PHONE }, { cursor: 'not-a-cursor' }),
      ErrorCode.ValidationFailed,
    );
    await rejectsWith(
      inquiries.search(agent, a.operatorId, { phone: PHONE }, { operatorId: b.operatorId } as never),
      ErrorCode.ValidationFailed,
    );
  });

  it("never shows another operator's patient with the same phone", async () => {
    const atA = await inquiries.search(agent, a.operatorId, { phone: PHONE });
    assert.ok(!ids(atA.items).includes(herAtB));
    const atB = await inquiries.search(agentB, b.operatorId, { phone: PHONE });
    assert.deepEqual(ids(atB.items), [herAtB]);
    // Asking at an operator where one may not read inquiries is Forbidden, as for the inbox.
    await rejectsWith(inquiries.search(agent, b.operatorId, { phone: PHONE }), ErrorCode.Forbidden);
    await rejectsWith(inquiries.search(agentB, a.operatorId, { phone: PHONE }), ErrorCode.Forbidden);
    await rejectsWith(inquiries.search(agent, 'not-a-uuid', { phone: PHONE }), ErrorCode.Forbidden);
    const moderator = staffPrincipal(randomUUID(), { [a.operatorId]: ['moderator'] });
    await rejectsWith(inquiries.search(moderator, a.operatorId, { phone: PHONE }), ErrorCode.Forbidden);
    const admin = staffPrincipal(randomUUID(), { [a.operatorId]: ['administrator'] });
    await rejectsWith(inquiries.search(admin, a.operatorId, { phone: PHONE }), ErrorCode.Forbidden);
    // A privacy officer reads and searches.
    const officer = staffPrincipal(randomUUID(), { [a.operatorId]: ['privacy_officer'] });
    const found = await inquiries.search(officer, a.operatorId, { phone: PHONE });
    assert.deepEqual(ids(found.items), newestFirst(hers));
  });

  it('audits each search: one entry per subject found, one when nothing matched', async () => {
    const me = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    const meId = (me as { staffId: string }).staffId;
    const none = await inquiries.search(me, a.operatorId, { phone: '+7 912 599-99-99' });
    assert.deepEqual(none, { items: [], nextCursor: null });
    assert.deepEqual(await searchEntries(meId), [{ subject_id: null, operator_id: a.operatorId }]);
    await inquiries.search(me, a.operatorId, { phone: PHONE });
    const [subjectId] = (
      await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [hers[0]])
    ).map((r) => r.subject_id);
    assert.deepEqual((await searchEntries(meId)).slice(1), [
      { subject_id: subjectId, operator_id: a.operatorId },
    ]);
    // Refused searches leave nothing on record: neither a forbidden nor a malformed one.
    await rejectsWith(inquiries.search(me, b.operatorId, { phone: PHONE }), ErrorCode.Forbidden);
    await rejectsWith(inquiries.search(me, a.operatorId, { phone: 'abc' }), ErrorCode.ValidationFailed);
    assert.equal((await searchEntries(meId)).length, 2);
    // Nothing but the subjects module's entries: the listing adds none.
    const all = await q('SELECT action FROM audit_log WHERE actor_id = $1', [meId]);
    assert.deepEqual(
      all.map((r) => (r as { action: string }).action),
      ['subject.search', 'subject.search'],
    );
  });

  it('never decrypts: no data key is asked for and no statement of its one transaction reads ciphertext', async () => {
    const statements: string[] = [];
    const real = env.ctx.db;
    const recording = (tx: Tx): Tx =>
      ({
        query: (sql: string | Prepared, params?: readonly unknown[]) => {
          statements.push(typeof sql === 'string' ? sql : sql.text);
          return typeof sql === 'string' ? tx.query(sql, params) : tx.query(sql);
        },
      }) as Tx;
    const db = {
      scoped: <T>(ops: readonly string[], fn: (tx: Tx) => Promise<T>) =>
        real.scoped(ops, (tx) => fn(recording(tx))),
    } as unknown as Database;
    const s = env.ctx.services;
    const blind = new InquiriesService({
      db,
      subjects: s.subjects,
      keyring: {
        getDataKey: () => {
          throw new Error('search asked for a data key');
        },
        getDataKeys: () => {
          throw new Error('search asked for data keys');
        },
      },
      audit: s.audit,
      clock: env.clock,
      ids: env.ctx.ids,
      log: env.ctx.log,
    });
    const page = await blind.search(agent, a.operatorId, { phone: PHONE });
    assert.deepEqual(ids(page.items), newestFirst(hers));
    // One transaction of two statements: the subjects confirmed (ids and dates only) with the
    // search put on record, then the page; no statement touches ciphertext.
    assert.equal(statements.length, 2);
    const [confirm, listing] = statements as [string, string];
    assert.match(confirm, /SELECT id, created_at FROM subjects WHERE/);
    assert.match(confirm, /audit_stage\(/);
    assert.match(listing, /FROM inquiries WHERE/);
    assert.match(listing, /subject_id = ANY/);
    assert.doesNotMatch(listing, /subjects/i);
    for (const sql of statements) assert.doesNotMatch(sql, /_enc|decrypt|pgp_/i);
  });

  it('refuses a malformed phone or e-mail in Russian without repeating it', async () => {
    const bad: unknown[] = [
      { phone: 'abc-секрет-42' },
      { phone: '12' },
      { phone: '+7 912 500-00-01, +7 912 500-00-02' },
      { email: 'секрет@@example.ru' },
      { email: 'anna.poisk' },
      { phone: PHONE, email: EMAIL },
      {},
      { phone: 79125000001 },
      { phone: 'x'.repeat(100) + 'секрет' },
    ];
    for (const by of bad) {
      const e = await rejectsWith(
        inquiries.search(agent, a.operatorId, by as never),
        ErrorCode.ValidationFailed,
      );
      assert.match(e.message, /[А-Яа-яЁё]/, `a Russian message for ${JSON.stringify(by)}`);
      const shown = JSON.stringify({ message: e.message, details: e.details });
      for (const v of Object.values(by as Record<string, unknown>)) {
        for (const part of String(v)
          .split(/[\s,@]+/)
          .filter((p) => p.length >= 3)) {
          assert.ok(!shown.includes(part), `the error repeats ${part}`);
        }
      }
      assert.ok(!shown.includes('секрет'));
    }
  });

  it('never writes the searched phone or e-mail into the log lines', async () => {
    await inquiries.search(agent, a.operatorId, { phone: '8 912 500-00-01' });
    await inquiries.search(agent, a.operatorId, { email: EMAIL });
    await rejectsWith(
      inquiries.search(agent, a.operatorId, { phone: 'abc-секрет-42' }),
      ErrorCode.ValidationFailed,
    );
    assertNoPersonalDataInLogs(env.logs, [
      '9125000001',
      '500-00-01',
      '500 00 01',
      'anna.poisk',
      'Anna.Poisk',
      'секрет',
    ]);
  });
});

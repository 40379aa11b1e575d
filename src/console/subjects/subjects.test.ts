import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IntakeService } from '../../modules/inquiries/index.ts';
import {
  callback,
  insertOperatorWithSite,
  testIntakeFor,
  type TestOperator,
} from '../../modules/inquiries/intake.testing.ts';
import { createConsoleEnv, csrfOf, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const OFFICER_A = 'officer@a.example';
const OFFICER_B = 'officer@b.example';
const AGENT_A = 'agent@a.example';
const MERGE = '/console/subjects/merge';

describe('console: merging two records of one patient', () => {
  let c: ConsoleEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let officer: Browser;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await c.env.admin()).query<R>(sql, params)).rows;

  /** A callback inquiry; returns its number and its subject's id. */
  async function inquiry(
    op: TestOperator,
    name: string,
    phone: string,
  ): Promise<{ number: string; subject: string }> {
    const r = await intake.submit(callback(op, { fields: { name, phone } }));
    assert.equal(r.kind, 'created');
    const [row] = await q<{ number: string; subject_id: string }>(
      'SELECT number::text, subject_id FROM inquiries WHERE id = $1',
      [(r as { inquiryId: string }).inquiryId],
    );
    return { number: row!.number, subject: row!.subject_id };
  }

  before(async () => {
    c = await createConsoleEnv();
    a = await insertOperatorWithSite(c.env, 'cs-a');
    b = await insertOperatorWithSite(c.env, 'cs-b');
    intake = testIntakeFor(c.env, [a, b]);
    await c.createStaff({ email: OFFICER_A, roles: [{ operatorId: a.operatorId, role: 'privacy_officer' }] });
    await c.createStaff({ email: OFFICER_B, roles: [{ operatorId: b.operatorId, role: 'privacy_officer' }] });
    await c.createStaff({ email: AGENT_A, roles: [{ operatorId: a.operatorId, role: 'agent' }] });
    officer = c.browser();
    assert.equal((await officer.login(OFFICER_A)).statusCode, 303);
  });
  after(() => c.close());

  it('compares both records decrypted (audited), then merges on confirmation', async () => {
    const keep = await inquiry(a, 'Мария Лебедева', '+7 912 100-00-01');
    const merge = await inquiry(a, '<b>Маша</b> Лебедева', '+7 912 100-00-02');
    const form = await officer.get(MERGE);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, new RegExp(`name="operatorId" value="${a.operatorId}"`));
    const preview = await officer.get(
      `${MERGE}?operatorId=${a.operatorId}&keep=${keep.number}&merge=${encodeURIComponent(`№ ${merge.number}`)}`,
    );
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /Мария Лебедева/);
    assert.match(preview.body, /\+79121000002/);
    assert.ok(preview.body.includes('&lt;b&gt;Маша&lt;/b&gt; Лебедева'), 'escaped');
    assert.ok(!preview.body.includes('<b>Маша'));
    const reads = await c.audit({ action: 'subject.read' });
    assert.deepEqual(
      reads.slice(-2).map((r) => r.object_id),
      [keep.subject, merge.subject],
    );
    const done = await officer.post(MERGE, {
      _csrf: csrfOf(preview.body),
      operatorId: a.operatorId,
      keep: keep.subject,
      merge: merge.subject,
    });
    assert.equal(done.statusCode, 303);
    const notice = await officer.get(done.headers.location as string);
    assert.match(notice.body, new RegExp(`Записи объединены\\. Осталась запись ${keep.subject}\\.`));
    assert.equal((await q('SELECT 1 FROM subjects WHERE id = $1', [merge.subject])).length, 0);
    assert.equal((await q('SELECT 1 FROM inquiries WHERE subject_id = $1', [keep.subject])).length, 2);
    const entries = await c.audit({ action: 'subject.merge', objectId: merge.subject });
    assert.equal(entries.length, 1);
    // The merged record's number now leads to the kept one; its id says it was merged.
    const again = await officer.get(
      `${MERGE}?operatorId=${a.operatorId}&keep=${keep.number}&merge=${merge.subject}`,
    );
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /Субъект уже объединён с/);
  });

  it('puts problems beside the fields: unknown numbers, bad text, the same record twice', async () => {
    const one = await inquiry(a, 'Олег', '+7 912 100-00-03');
    const unknown = await officer.get(
      `${MERGE}?operatorId=${a.operatorId}&keep=${one.number}&merge=987654321`,
    );
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /id="merge-error">Обращение не найдено/);
    const bad = await officer.get(
      `${MERGE}?operatorId=${a.operatorId}&keep=${encodeURIComponent('<script>')}&merge=1`,
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="keep-error">Укажите номер обращения или идентификатор субъекта/);
    assert.ok(!bad.body.includes('<script>'));
    const same = await officer.get(
      `${MERGE}?operatorId=${a.operatorId}&keep=${one.number}&merge=${one.subject}`,
    );
    assert.equal(same.statusCode, 400);
    assert.match(same.body, /Это одна и та же запись/);
    const csrf = csrfOf(same.body);
    const self = await officer.post(MERGE, {
      _csrf: csrf,
      operatorId: a.operatorId,
      keep: one.subject,
      merge: one.subject,
    });
    assert.equal(self.statusCode, 400);
    assert.equal((await q('SELECT 1 FROM subjects WHERE id = $1', [one.subject])).length, 1);
  });

  it('gives another operator’s officer 404 and an agent 403, changing nothing', async () => {
    const x = await inquiry(a, 'Инна', '+7 912 100-00-04');
    const y = await inquiry(a, 'Инна', '+7 912 100-00-05');
    const other = c.browser({ ip: '127.0.0.2' });
    assert.equal((await other.login(OFFICER_B)).statusCode, 303);
    const csrfB = csrfOf((await other.get(MERGE)).body);
    assert.equal(
      (await other.get(`${MERGE}?operatorId=${a.operatorId}&keep=${x.number}&merge=${y.number}`)).statusCode,
      404,
    );
    const fields = { operatorId: a.operatorId, keep: x.subject, merge: y.subject };
    assert.equal((await other.post(MERGE, { _csrf: csrfB, ...fields })).statusCode, 404);
    // Under its own operator, A's records are simply not found.
    assert.equal(
      (await other.post(MERGE, { _csrf: csrfB, ...fields, operatorId: b.operatorId })).statusCode,
      404,
    );
    const agent = c.browser({ ip: '127.0.0.3' });
    assert.equal((await agent.login(AGENT_A)).statusCode, 303);
    const page = await agent.get(MERGE);
    assert.match(page.body, /Нет организаций, где вы можете объединять записи пациентов/);
    assert.equal(
      (await agent.get(`${MERGE}?operatorId=${a.operatorId}&keep=${x.number}&merge=${y.number}`)).statusCode,
      403,
    );
    assert.equal((await agent.post(MERGE, { _csrf: csrfOf(page.body), ...fields })).statusCode, 403);
    assert.equal(
      (await q('SELECT 1 FROM subjects WHERE id = ANY($1::uuid[])', [[x.subject, y.subject]])).length,
      2,
    );
    assert.equal((await c.audit({ action: 'subject.read', objectId: x.subject })).length, 0);
    assert.equal((await officer.post(MERGE, { _csrf: 'forged', ...fields })).statusCode, 403);
  });
});

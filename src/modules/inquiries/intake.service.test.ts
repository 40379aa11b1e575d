import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import { openString } from '../../platform/crypto/aead.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { PublishedPolicy } from '../policy/index.ts';
import { consentRepresentativeAad } from '../consent/index.ts';
import type { IntakeService } from './intake.service.ts';
import { inquiryFieldsAad } from './open-inquiry.ts';
import {
  callback,
  citations,
  insertOperatorWithSite,
  policySource,
  testIntake,
  testPolicy,
  type TestOperator,
} from './intake.testing.ts';

describe('IntakeService.submit', () => {
  let env: TestEnv;
  let op: TestOperator;
  let other: TestOperator;
  let policy: PublishedPolicy;
  let intake: IntakeService;

  before(async () => {
    env = await createTestEnv();
    op = await insertOperatorWithSite(env, 'intake-a');
    other = await insertOperatorWithSite(env, 'intake-b');
    policy = await testPolicy(env, op.operatorId);
    intake = testIntake(
      env,
      policySource({ [op.operatorId]: policy, [other.operatorId]: await testPolicy(env, other.operatorId) }),
    );
  });
  after(() => env.close());

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;
  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))[0]!.n);

  it('writes subject, consents, inquiry, audit entry and the confirmation e-mail in one transaction', async () => {
    const input = callback(op, {
      formId: 'appointment',
      fields: {
        name: "<b>Анна</b> '); DROP TABLE inquiries;-- 🙂 שלום",
        phone: '+7 912 000-11-22',
        email: 'Anna@Example.RU',
        preferredDate: '2026-03-10',
        preferredTime: '09:30',
        serviceOrDoctor: 'МРТ <script>alert(1)</script>',
      },
      consents: { processing: true, marketing: true },
      onBehalf: { representativeName: 'Пётр Иванов', relation: 'сын' },
    });
    const r = await intake.submit(input);
    assert.equal(r.kind, 'created');
    const inquiryId = (r as { inquiryId: string }).inquiryId;

    const [inq] = await q<{
      subject_id: string;
      fields_enc: Buffer;
      page: string;
      channel: string;
      form_id: string;
      site_id: string;
      possible_health_data: boolean;
      on_behalf: boolean;
      status: string;
    }>('SELECT * FROM inquiries WHERE id = $1', [inquiryId]);
    assert.ok(inq);
    assert.equal(inq.page, '/contacts', 'the query string is not kept');
    assert.equal(inq.form_id, 'appointment');
    assert.equal(inq.site_id, op.siteId);
    assert.equal(inq.status, 'new');
    assert.equal(inq.possible_health_data, true);
    assert.equal(inq.on_behalf, true);
    const key = (await env.ctx.services.keyring.getDataKey(inq.subject_id))!;
    const fields = JSON.parse(openString(key, inq.fields_enc, inquiryFieldsAad(inquiryId))) as Record<
      string,
      string
    >;
    assert.deepEqual(fields, {
      name: "<b>Анна</b> '); DROP TABLE inquiries;-- 🙂 שלום",
      phone: '+79120001122',
      email: 'anna@example.ru',
      preferredDate: '2026-03-10',
      preferredTime: '09:30',
      serviceOrDoctor: 'МРТ <script>alert(1)</script>',
    });
    // Bound to the inquiry: the same blob does not open as another inquiry's.
    assert.throws(() => openString(key, inq.fields_enc, inquiryFieldsAad(op.operatorId)), {
      name: 'DecryptError',
    });

    const consents = await q<{
      id: string;
      kind: string;
      document_id: string;
      document_version: number;
      document_sha256: string;
      policy_version: number;
      ip: string;
      user_agent: string;
      channel: string;
      form_id: string;
      representative_enc: Buffer;
      subject_id: string;
    }>('SELECT * FROM consent_records WHERE inquiry_id = $1 ORDER BY kind', [inquiryId]);
    assert.deepEqual(
      consents.map((c) => [c.kind, c.document_id, c.document_version, c.document_sha256, c.policy_version]),
      citations(policy, ['marketing', 'processing']),
    );
    for (const c of consents) {
      assert.equal(c.ip, input.ip);
      assert.equal(c.user_agent, 'Mozilla/5.0 test');
      assert.equal(c.channel, 'web_form');
      assert.equal(c.form_id, 'appointment');
      assert.equal(c.subject_id, inq.subject_id);
      assert.deepEqual(JSON.parse(openString(key, c.representative_enc, consentRepresentativeAad(c.id))), {
        name: 'Пётр Иванов',
        relation: 'сын',
      });
    }

    const audit = await q<{ actor_type: string; actor_id: string; subject_id: string; source: string }>(
      "SELECT * FROM audit_log WHERE action = 'inquiry.create' AND object_id = $1",
      [inquiryId],
    );
    assert.equal(audit.length, 1);
    assert.deepEqual(
      [audit[0]!.actor_type, audit[0]!.actor_id, audit[0]!.source],
      ['subject', inq.subject_id, 'web_form'],
    );

    const outbox = await q<{ channel: string; template: string; payload_enc: Buffer; id: string }>(
      'SELECT * FROM outbox WHERE subject_id = $1',
      [inq.subject_id],
    );
    assert.equal(outbox.length, 1);
    assert.equal(outbox[0]!.template, 'inquiry_confirmation');
    const payload = JSON.parse(openString(key, outbox[0]!.payload_enc, `outbox:${outbox[0]!.id}`)) as Record<
      string,
      string
    >;
    assert.equal(payload.to, 'anna@example.ru');
    assert.equal(payload.clinicName, 'МРТ Люкс');
    assert.match(payload.inquiryNumber!, /^\d+$/);
    assert.ok(!JSON.stringify(payload).includes('МРТ <script>'), 'the patient’s text is not in the e-mail');

    // Nothing the patient typed reaches a log line.
    // Whole spellings of the phone: a bare '912' can occur in a logged id.
    assertNoPersonalDataInLogs(
      env.logs,
      ['Анна', '912 000', '000-11-22', '9120001122', 'anna@', 'example.ru', 'alert', 'Пётр', input.ip],
      { expect: inquiryId }, // the inquiry id is logged
    );
  });

  it('writes nothing when a step fails midway (the outbox throws)', async () => {
    const failing = testIntake(env, policySource({ [op.operatorId]: policy }), {
      outbox: {
        sendsEmail: true,
        add: async () => {
          throw new Error('outbox down');
        },
      },
    });
    const before = await Promise.all(
      ['inquiries', 'consent_records', 'subjects', 'intake_idempotency', 'outbox'].map((t) => count(t)),
    );
    const auditBefore = await count('audit_log');
    const input = callback(op, { fields: { name: 'Олег', phone: '+79125550000' }, formId: 'feedback' });
    input.fields = { name: 'Олег', phone: '+79125550000', email: 'oleg@example.ru', message: 'Болит спина' };
    await assert.rejects(failing.submit(input), /outbox down/);
    const afterCounts = await Promise.all(
      ['inquiries', 'consent_records', 'subjects', 'intake_idempotency', 'outbox'].map((t) => count(t)),
    );
    assert.deepEqual(afterCounts, before);
    assert.equal(await count('audit_log'), auditBefore);
    // The same key works once the fault is gone: the failed attempt claimed nothing.
    const r = await intake.submit(input);
    assert.equal(r.kind, 'created');
  });

  it("sets the first contact's due time from the operator's hours: 15 open minutes, carried to the next opening", async () => {
    // The test operator keeps the default clinic hours (Mon-Fri 08:00-20:00, Sat 09:00-15:00) in Moscow.
    const dueOf = async (at: string) => {
      env.clock.set(new Date(at));
      const r = await intake.submit(callback(op, { startedAt: new Date(Date.parse(at) - 60_000) }));
      assert.equal(r.kind, 'created');
      const [row] = await q<{ due: Date }>(
        'SELECT first_contact_due_at AS due FROM inquiries WHERE id = $1',
        [(r as { inquiryId: string }).inquiryId],
      );
      return row!.due.toISOString();
    };
    // Monday 23 November 2026, Moscow = UTC+3.
    assert.equal(await dueOf('2026-11-23T07:00:00Z'), '2026-11-23T07:15:00.000Z', '10:00 -> 10:15');
    assert.equal(
      await dueOf('2026-11-23T16:45:00Z'),
      '2026-11-23T17:00:00.000Z',
      '19:45 -> 20:00, the closing',
    );
    assert.equal(
      await dueOf('2026-11-23T16:45:01Z'),
      '2026-11-24T05:00:01.000Z',
      '19:45:01 -> next morning 08:00:01',
    );
    assert.equal(await dueOf('2026-11-23T17:00:00Z'), '2026-11-24T05:15:00.000Z', '20:00 -> 08:15');
    // Friday 4 December 22:00 -> Saturday 09:15.
    assert.equal(await dueOf('2026-12-04T19:00:00Z'), '2026-12-05T06:15:00.000Z');
  });

  it('is idempotent: the same key and request again is a duplicate of the first inquiry', async () => {
    const input = callback(op);
    const first = await intake.submit(input);
    const [subjects, consents, audit] = [
      await count('subjects'),
      await count('consent_records'),
      await count('audit_log'),
    ];
    // A retry from another address and browser is the same request.
    const second = await intake.submit({ ...input, ip: '198.51.100.99', userAgent: 'retry/1.0' });
    assert.equal(first.kind, 'created');
    assert.deepEqual(second, { kind: 'duplicate', inquiryId: (first as { inquiryId: string }).inquiryId });
    assert.deepEqual(
      [await count('subjects'), await count('consent_records'), await count('audit_log')],
      [subjects, consents, audit],
    );
    // The key belongs to the operator: another operator's form may use the same key.
    const elsewhere = await intake.submit({ ...input, operatorId: other.operatorId, siteId: other.siteId });
    assert.equal(elsewhere.kind, 'created');
  });

  it('refuses the same key with a different request (409 idempotency_key_reused), writing nothing', async () => {
    const input = callback(op, { fields: { name: 'Первая', phone: '+79125553333' } });
    const first = await intake.submit(input);
    assert.equal(first.kind, 'created');
    const before = [await count('subjects'), await count('consent_records'), await count('audit_log')];
    for (const changed of [
      { ...input, fields: { name: 'Другое имя', phone: '+79125551111' } },
      { ...input, fields: { name: 'Первая ', phone: '+79125553333' } },
      { ...input, consents: { processing: true, marketing: true } },
      { ...input, page: '/other' },
    ]) {
      await assert.rejects(
        intake.submit(changed),
        (e: unknown) =>
          e instanceof AppError && e.code === ErrorCode.IdempotencyKeyReused && !e.message.includes('912'),
      );
    }
    // The refused requests' own work (a new subject for the other phone) was rolled back entirely.
    assert.deepEqual(
      [await count('subjects'), await count('consent_records'), await count('audit_log')],
      before,
    );
    const [row] = await q<{ request_hash: Buffer }>(
      'SELECT request_hash FROM intake_idempotency WHERE key = $1',
      [input.idempotencyKey],
    );
    assert.equal(row!.request_hash.length, 32, 'a keyed hash of the request is kept with the key');
  });

  it('is idempotent under concurrency: five simultaneous submissions make one inquiry', async () => {
    const input = callback(op, { fields: { name: 'Параллельная', phone: '+79125552222' } });
    const results = await Promise.all(Array.from({ length: 5 }, () => intake.submit(input)));
    const created = results.filter((r) => r.kind === 'created');
    assert.equal(created.length, 1);
    const id = (created[0] as { inquiryId: string }).inquiryId;
    for (const r of results) assert.equal((r as { inquiryId: string }).inquiryId, id);
    assert.equal(await count('intake_idempotency', 'key = $1', [input.idempotencyKey]), 1);
    assert.equal(await count('inquiries', 'id = $1', [id]), 1);
  });

  it('refuses a filled honeypot as spam, counts it and writes nothing else', async () => {
    const n = await count('inquiries');
    const r = await intake.submit(callback(op, { honeypot: 'http://spam.example' }));
    assert.deepEqual(r, { kind: 'spam' });
    assert.equal(await count('inquiries'), n);
    const [c] = await q<{ count: number }>(
      "SELECT count FROM spam_counters WHERE operator_id = $1 AND reason = 'honeypot'",
      [op.operatorId],
    );
    assert.equal(c!.count, 1);
    // Blank honeypots are what people send.
    assert.equal((await intake.submit(callback(op, { honeypot: '  ' }))).kind, 'created');
  });

  it('minimum fill time: exactly 3 s is accepted, 1 ms less is spam', async () => {
    const now = env.clock.now().getTime();
    const fast = await intake.submit(callback(op, { startedAt: new Date(now - 2999) }));
    assert.deepEqual(fast, { kind: 'spam' });
    const ok = await intake.submit(callback(op, { startedAt: new Date(now - 3000) }));
    assert.equal(ok.kind, 'created');
    const [c] = await q<{ count: number }>(
      "SELECT count FROM spam_counters WHERE operator_id = $1 AND reason = 'too_fast'",
      [op.operatorId],
    );
    assert.equal(c!.count, 1);
  });

  it('rate limit per address, in a sliding window: the Nth passes, the N+1th waits until the window has slid past enough', async () => {
    const limited = testIntake(env, policySource({ [op.operatorId]: policy }), {
      limits: { rateLimit: 3, rateWindowSeconds: 600 },
    });
    // 9:07:30 is 150 s before the next bucket (buckets start at 9:00, 9:10, ...).
    env.clock.set(new Date('2026-03-02T09:07:30Z'));
    const ip = '203.0.113.77';
    const phone = (k: number) => `+7912555300${k}`;
    for (let k = 1; k <= 3; k++) {
      const r = await limited.submit(callback(op, { ip, fields: { name: `N${k}`, phone: phone(k) } }));
      assert.equal(r.kind, 'created', `submission ${k}`);
    }
    // 3 in this bucket: the next is allowed once 3 × (remaining share of it) + 1 ≤ 3, i.e. a third
    // into the next bucket: 150 s + 200 s.
    const fourth = await limited.submit(callback(op, { ip, fields: { name: 'N4', phone: phone(4) } }));
    assert.deepEqual(fourth, { kind: 'rate_limited', retryAfterSeconds: 350 });
    // Another address is not affected.
    assert.equal((await limited.submit(callback(op, { ip: '203.0.113.78' }))).kind, 'created');
    // A fixed window would take 3 more right after the boundary; the sliding one does not, and
    // retries that are refused are not counted against the patient.
    env.clock.set(new Date('2026-03-02T09:10:00Z'));
    assert.equal(
      (await limited.submit(callback(op, { ip, fields: { name: 'N', phone: phone(5) } }))).kind,
      'rate_limited',
    );
    env.clock.set(new Date('2026-03-02T09:13:19.999Z'));
    assert.equal(
      (await limited.submit(callback(op, { ip, fields: { name: 'N', phone: phone(6) } }))).kind,
      'rate_limited',
    );
    env.clock.set(new Date('2026-03-02T09:13:20Z'));
    assert.equal(
      (await limited.submit(callback(op, { ip, fields: { name: 'N', phone: phone(7) } }))).kind,
      'created',
    );
    const [c] = await q<{ count: number }>(
      "SELECT count FROM spam_counters WHERE operator_id = $1 AND reason = 'rate_limited'",
      [op.operatorId],
    );
    assert.equal(c!.count, 3);
    // The address is kept only as an HMAC.
    const rows = await q<{ address_hmac: Buffer }>('SELECT address_hmac FROM intake_rate');
    assert.ok(rows.every((r) => !r.address_hmac.toString('latin1').includes(ip)));
    env.clock.set(new Date('2026-03-02T09:00:00Z'));
  });

  it('concurrent submissions from one address never pass more than the limit', async () => {
    const limited = testIntake(env, policySource({ [op.operatorId]: policy }), {
      limits: { rateLimit: 4, rateWindowSeconds: 600 },
    });
    env.clock.set(new Date('2026-03-04T10:00:00Z'));
    const ip = '203.0.113.150';
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        limited.submit(callback(op, { ip, fields: { name: `C${k}`, phone: `+7 912 444-00-${10 + k}` } })),
      ),
    );
    const kinds = results.map((r) => r.kind).sort();
    assert.deepEqual(kinds, [...Array<string>(4).fill('created'), ...Array<string>(6).fill('rate_limited')]);
    env.clock.set(new Date('2026-03-02T09:00:00Z'));
  });

  it('behind one carrier address, many patients pass while one phone or e-mail sent over and over is stopped', async () => {
    const limited = testIntake(env, policySource({ [op.operatorId]: policy }), {
      limits: { rateLimit: 30, contactRateLimit: 2, rateWindowSeconds: 600 },
    });
    env.clock.set(new Date('2026-03-03T10:00:00Z'));
    const carrier = '203.0.113.200';
    for (let k = 10; k < 30; k++) {
      const r = await limited.submit(
        callback(op, { ip: carrier, fields: { name: `P${k}`, phone: `+7 912 777-00-${k}` } }),
      );
      assert.equal(r.kind, 'created', `patient ${k}`);
    }
    // One number, spelt three ways, from three addresses: counted together.
    const spellings = ['+7 (913) 111-22-33', '8 913 1112233', '9131112233'];
    const sent = [];
    for (const [n, phone] of spellings.entries()) {
      sent.push(await limited.submit(callback(op, { ip: `192.0.2.${n + 1}`, fields: { name: 'X', phone } })));
    }
    assert.deepEqual(
      sent.map((r) => r.kind),
      ['created', 'created', 'rate_limited'],
    );
    const email = (e: string) =>
      limited.submit(callback(op, { formId: 'feedback', fields: { name: 'Y', email: e, message: 'm' } }));
    assert.equal((await email('victim@example.ru')).kind, 'created');
    assert.equal((await email(' Victim@Example.RU ')).kind, 'created');
    assert.equal((await email('victim@example.ru')).kind, 'rate_limited');
    // The refused ones took nothing from the carrier address: its patients still pass.
    assert.equal(
      (await limited.submit(callback(op, { ip: carrier, fields: { name: 'P', phone: '+7 912 777-00-99' } })))
        .kind,
      'created',
    );
    env.clock.set(new Date('2026-03-02T09:00:00Z'));
  });

  it('returns Russian field errors and writes nothing for invalid input', async () => {
    const n = await count('inquiries');
    const r = await intake.submit(
      callback(op, {
        formId: 'feedback',
        fields: { name: 'x'.repeat(10_000), message: 'ok\u0000', extra: 'y', 'bad key!': 'z' },
        consents: { processing: false, marketing: false },
        onBehalf: { representativeName: '  ' },
      }),
    );
    assert.equal(r.kind, 'invalid');
    const errors = (r as { errors: Record<string, string> }).errors;
    assert.deepEqual(Object.keys(errors).sort(), [
      '(unknown field)',
      'consents.processing',
      'email',
      'extra',
      'message',
      'name',
      'onBehalf.representativeName',
      'phone',
    ]);
    assert.equal(errors.name, 'Не больше 200 символов');
    assert.equal(errors.message, 'Поле содержит недопустимые символы');
    assert.equal(errors.phone, 'Укажите телефон или адрес электронной почты');
    assert.match(errors['consents.processing']!, /согласия на обработку/);
    assert.equal(await count('inquiries'), n);
  });

  it('takes a review without the optional publication consent, and records the author’s choice', async () => {
    const base = callback(op, {
      formId: 'review',
      fields: { name: 'Мария', message: 'Спасибо!', rating: '5' },
    });
    const unconsented = await intake.submit(base);
    assert.equal(unconsented.kind, 'created', JSON.stringify(unconsented));
    const only = await q<{ kind: string }>('SELECT kind FROM consent_records WHERE inquiry_id = $1', [
      (unconsented as { inquiryId: string }).inquiryId,
    ]);
    assert.deepEqual(only, [{ kind: 'processing' }], 'no publication consent is recorded');
    const ok = await intake.submit({
      ...base,
      fields: { ...base.fields, message: 'Спасибо ещё раз!' },
      idempotencyKey: `${base.idempotencyKey}-again`,
      consents: {
        processing: true,
        marketing: false,
        reviewPublication: { allowed: true, show: 'first_name_initial' },
      },
    });
    assert.equal(ok.kind, 'created');
    const rows = await q<{ kind: string; review_show: string | null; document_version: number }>(
      'SELECT kind, review_show, document_version FROM consent_records WHERE inquiry_id = $1 ORDER BY kind',
      [(ok as { inquiryId: string }).inquiryId],
    );
    assert.deepEqual(rows, [
      {
        kind: 'processing',
        review_show: null,
        document_version: policy.documents.consent_processing.version,
      },
      {
        kind: 'review_publication',
        review_show: 'first_name_initial',
        document_version: policy.documents.consent_review_publication.version,
      },
    ]);
    // No e-mail was given: no confirmation is queued.
  });

  it('refuses intake when the operator has published no policy, and a site of another operator', async () => {
    const none = testIntake(env, policySource({}));
    await assert.rejects(
      none.submit(callback(op)),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.Conflict,
    );
    await assert.rejects(
      intake.submit(callback(op, { siteId: other.siteId })),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.Forbidden,
    );
  });

  it('consent records are append-only for the app, and leave with their subject', async () => {
    const r = await intake.submit(callback(op, { fields: { name: 'Удаляемый', phone: '+79125554444' } }));
    const id = (r as { inquiryId: string }).inquiryId;
    await assert.rejects(
      env.ctx.db.scoped([op.operatorId], (tx) =>
        tx.query("UPDATE consent_records SET channel = 'api' WHERE inquiry_id = $1", [id]),
      ),
      /permission denied/,
    );
    await assert.rejects(
      env.ctx.db.scoped([op.operatorId], (tx) =>
        tx.query('DELETE FROM consent_records WHERE inquiry_id = $1', [id]),
      ),
      /permission denied/,
    );
    const [inq] = await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [id]);
    const { systemPrincipal } = await import('../staff/index.ts');
    await env.ctx.services.subjects.destroy(
      systemPrincipal('test'),
      op.operatorId,
      inq!.subject_id,
      'subject_request',
    );
    assert.equal(await count('inquiries', 'id = $1', [id]), 0);
    assert.equal(await count('consent_records', 'inquiry_id = $1', [id]), 0);
  });
});

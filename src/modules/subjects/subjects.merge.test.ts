import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { rejectsWith } from '../../../test/rejects.ts';
import { openString } from '../../platform/crypto/aead.ts';
import { ErrorCode } from '../../platform/errors.ts';
import type { InboundConnection } from '../channels/index.ts';
import { consentEvidenceAad } from '../consent/index.ts';
import { inquiryReplyToAad, subjectInquiryIndex, type IntakeService } from '../inquiries/index.ts';
import {
  insertOperatorWithSite,
  staffPrincipal,
  submitCallback,
  testIntakeFor,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import type { IntakeInput } from '../inquiries/index.ts';
import { SubjectLookupMoves } from '../keyring/index.ts';
import { outboxAad } from '../outbox/index.ts';
import { submitReview } from '../reviews/reviews.testing.ts';
import type { Principal } from '../staff/index.ts';
import { connectWhatsApp, publishDemoPolicy, receiveWhatsApp } from './subject-data.testing.ts';
import { SubjectMergeService } from './subjects.merge.service.ts';

describe('SubjectMergeService', () => {
  let env: TestEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let merges: SubjectMergeService;
  let officer: Principal;
  let officerId: string;
  let agent: Principal;
  let officerB: Principal;
  let k: pg.Client;
  let whatsapp: InboundConnection;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;
  const subjectOf = async (inquiryId: string): Promise<string> =>
    (await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [inquiryId]))[0]!
      .subject_id;
  const lookupsOf = async (subjectId: string): Promise<string[]> =>
    (
      await k.query<{ l: string }>(
        `SELECT field || ':' || encode(bidx, 'hex') AS l FROM subject_lookup WHERE subject_id = $1 ORDER BY 1`,
        [subjectId],
      )
    ).rows.map((r) => r.l);
  const keyOf = async (subjectId: string): Promise<Buffer> =>
    (await env.ctx.services.keyring.getDataKey(subjectId))!;

  const submit = (op: TestOperator, over: Partial<IntakeInput> = {}): Promise<string> =>
    submitCallback(intake, op, over);

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'mg-a');
    b = await insertOperatorWithSite(env, 'mg-b');
    intake = testIntakeFor(env, [a, b]);
    merges = env.ctx.services.subjectMerge;
    officerId = randomUUID();
    officer = staffPrincipal(officerId, { [a.operatorId]: ['privacy_officer'] });
    agent = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    officerB = staffPrincipal(randomUUID(), { [b.operatorId]: ['privacy_officer'] });
    k = new pg.Client({ connectionString: env.adminUrls.keyring });
    await k.connect();
    // Verbal consents are recorded against the operator's really published documents.
    await publishDemoPolicy(env, a.operatorId);
    whatsapp = await connectWhatsApp(env, a.operatorId);
  });
  after(async () => {
    await k.end();
    await env.close();
  });

  it('moves everything to the kept subject, re-sealed under its key, and destroys the merged key', async () => {
    // The kept subject: a phone call-back, name and phone, no e-mail.
    const keptInquiry = await submit(a, { fields: { name: 'Анна Иванова', phone: '8 912 345-67-89' } });
    const keep = await subjectOf(keptInquiry);
    // The merged one: the same person from another phone, with an e-mail, a representative, a
    // marketing consent since withdrawn, a note, a queued e-mail, a messenger reply address and
    // the evidence of a verbal consent.
    const mergedInquiry = await submit(a, {
      formId: 'feedback',
      fields: { name: 'Анна', phone: '+7 999 111-22-33', email: 'Anna@Example.com', message: 'Болит колено' },
      consents: { processing: true, marketing: true },
      onBehalf: { representativeName: 'Иван Иванов', relation: 'муж' },
    });
    const merge = await subjectOf(mergedInquiry);
    assert.notEqual(keep, merge);
    const agentA = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    const { eventId } = await env.ctx.services.inquiries.addNote(
      agentA,
      a.operatorId,
      mergedInquiry,
      'Перезвонить',
    );
    // A WhatsApp message from the same phone: an inquiry with a sealed reply address, and a verbal
    // consent recorded on it with the call recording's reference.
    const channelInquiry = await receiveWhatsApp(env, whatsapp, '+79991112233', 'Когда приём?');
    assert.equal(await subjectOf(channelInquiry), merge);
    const {
      consentIds: [verbal],
    } = await env.ctx.services.verbalConsent.recordVerbalConsent(agentA, a.operatorId, channelInquiry, {
      kinds: ['processing'],
      recordingRef: 'rec-77',
    });
    await q(
      `UPDATE consent_records SET withdrawn_at = now(), withdrawn_channel = 'email'
       WHERE inquiry_id = $1 AND kind = 'marketing'`,
      [mergedInquiry],
    );
    const hasTokens = (await q(`SELECT to_regclass('unsubscribe_tokens') AS t`))[0] as { t: string | null };
    if (hasTokens.t !== null) {
      await q(
        `INSERT INTO unsubscribe_tokens (token_sha256, operator_id, subject_id, created_at)
         VALUES (decode(repeat('ab', 32), 'hex'), $1, $2, now())`,
        [a.operatorId, merge],
      );
    }
    const mergedLookups = await lookupsOf(merge);
    assert.equal(mergedLookups.length, 2);
    const counts = await q<{ outbox: string; consents: string; events: string }>(
      `SELECT (SELECT count(*) FROM outbox WHERE subject_id = $1)::text AS outbox,
              (SELECT count(*) FROM consent_records WHERE subject_id = $1)::text AS consents,
              (SELECT count(*) FROM inquiry_events e JOIN inquiries i ON i.id = e.inquiry_id
                WHERE i.subject_id = $1 AND e.note_enc IS NOT NULL)::text AS events`,
      [merge],
    );

    env.clock.advance(60_000);
    const r = await merges.merge(officer, a.operatorId, { keep, merge });
    assert.deepEqual(r.moved, {
      inquiries: 2,
      consents: Number(counts[0]!.consents),
      events: Number(counts[0]!.events),
      outbox: Number(counts[0]!.outbox),
      reviews: 0,
      other: hasTokens.t !== null ? 1 : 0,
    });
    assert.ok(r.moved.consents >= 3 && r.moved.outbox >= 1 && r.moved.events >= 3);
    assert.deepEqual(r.filled, ['email']);

    // The merged subject is gone, its key and lookups with it; the record of the merge stays.
    assert.equal((await q('SELECT 1 FROM subjects WHERE id = $1', [merge])).length, 0);
    assert.equal(await env.ctx.services.keyring.getDataKey(merge), undefined);
    assert.deepEqual(await lookupsOf(merge), []);
    const [record] = await q<{ kept_subject_id: string; actor_id: string }>(
      'SELECT kept_subject_id, actor_id FROM subject_merges WHERE merged_subject_id = $1',
      [merge],
    );
    assert.deepEqual(record, { kept_subject_id: keep, actor_id: officerId });
    // The kept subject is found by every lookup of both.
    for (const l of mergedLookups) assert.ok((await lookupsOf(keep)).includes(l), l);
    const byEmail = await env.ctx.services.subjects.findByEmail(agentA, a.operatorId, 'anna@example.com');
    assert.deepEqual(
      byEmail.map((s) => s.id),
      [keep],
    );
    const byPhone = await env.ctx.services.subjects.findByPhone(agentA, a.operatorId, '+79991112233');
    assert.deepEqual(
      byPhone.map((s) => s.id),
      [keep],
    );

    // Everything reads with the kept key: the inquiry, its note, its consents with the
    // representative, the reply address, the evidence, the queued message.
    const keptKey = await keyOf(keep);
    const view = await env.ctx.services.inquiries.get(agentA, a.operatorId, mergedInquiry);
    assert.equal(view.subjectId, keep);
    assert.equal(view.fields.message, 'Болит колено');
    assert.equal(view.events.find((e) => e.id === eventId)?.note, 'Перезвонить');
    assert.deepEqual(view.consents.find((c) => c.kind === 'processing')?.representative, {
      name: 'Иван Иванов',
      relation: 'муж',
    });
    const channelView = await env.ctx.services.inquiries.get(agentA, a.operatorId, channelInquiry);
    assert.equal(channelView.events.find((e) => e.kind === 'message')?.note, 'Когда приём?');
    const mergeEvents = view.events.filter((e) => e.kind === 'merge');
    assert.equal(mergeEvents.length, 1);
    const [ev] = await q<{ ref_id: string; actor_id: string }>(
      `SELECT ref_id, actor_id FROM inquiry_events WHERE inquiry_id = $1 AND kind = 'merge'`,
      [mergedInquiry],
    );
    assert.deepEqual(ev, { ref_id: merge, actor_id: officerId });
    const [inq] = await q<{ reply_to_enc: Buffer }>('SELECT reply_to_enc FROM inquiries WHERE id = $1', [
      channelInquiry,
    ]);
    assert.equal(openString(keptKey, inq!.reply_to_enc, inquiryReplyToAad(channelInquiry)), '79991112233');
    const [ev2] = await q<{ evidence_enc: Buffer; subject_id: string }>(
      'SELECT evidence_enc, subject_id FROM consent_records WHERE id = $1',
      [verbal],
    );
    assert.equal(ev2!.subject_id, keep);
    assert.equal(openString(keptKey, ev2!.evidence_enc, consentEvidenceAad(verbal!)), 'rec-77');
    const [withdrawn] = await q<{ subject_id: string; withdrawn_at: Date | null }>(
      `SELECT subject_id, withdrawn_at FROM consent_records WHERE inquiry_id = $1 AND kind = 'marketing'`,
      [mergedInquiry],
    );
    assert.equal(withdrawn!.subject_id, keep);
    assert.ok(withdrawn!.withdrawn_at, 'the withdrawal moved with its record, unchanged');
    for (const o of await q<{ id: string; payload_enc: Buffer; subject_id: string }>(
      'SELECT id, payload_enc, subject_id FROM outbox WHERE inquiry_id = $1 OR subject_id = $2',
      [mergedInquiry, keep],
    )) {
      assert.equal(o.subject_id, keep);
      assert.match(openString(keptKey, o.payload_enc, outboxAad(o.id)), /anna@example\.com/);
    }
    // The kept subject took the e-mail it lacked; its own name and phone stayed.
    const s = await env.ctx.services.subjects.read(agentA, a.operatorId, keep);
    assert.deepEqual(
      { name: s.name, phone: s.phone, email: s.email },
      { name: 'Анна Иванова', phone: '+79123456789', email: 'anna@example.com' },
    );
    // Nothing of the operator is left under the merged subject.
    const left = await q<{ n: string }>(
      `SELECT ((SELECT count(*) FROM inquiries WHERE subject_id = $1) + (SELECT count(*) FROM consent_records
         WHERE subject_id = $1) + (SELECT count(*) FROM outbox WHERE subject_id = $1))::text AS n`,
      [merge],
    );
    assert.equal(left[0]!.n, '0');

    // One audit entry names both.
    const entries = await q<{ object_id: string; subject_id: string; actor_id: string; operator_id: string }>(
      `SELECT object_id, subject_id, actor_id, operator_id FROM audit_log WHERE action = 'subject.merge'
       AND object_id = $1`,
      [merge],
    );
    assert.deepEqual(entries, [
      { object_id: merge, subject_id: keep, actor_id: officerId, operator_id: a.operatorId },
    ]);

    // A new inquiry from the merged subject's e-mail lands on the kept subject.
    const again = await submit(a, {
      formId: 'feedback',
      fields: { name: 'Анна', email: 'anna@example.com', message: 'Ещё вопрос' },
    });
    assert.equal(await subjectOf(again), keep);

    // The merged id now names a merge, not a subject.
    await rejectsWith(merges.resolve(officer, a.operatorId, merge), ErrorCode.Conflict);
  });

  it('moves a published review, which stays published and readable', async () => {
    const reviewId = await submitReview(intake, a, { name: 'Зоя Крылова', message: 'Спасибо врачам' });
    const author = await subjectOf(reviewId);
    const moderator = staffPrincipal(randomUUID(), { [a.operatorId]: ['moderator'] });
    await env.ctx.services.reviews.publish(moderator, a.operatorId, reviewId);
    const keep = await subjectOf(
      await submit(a, { fields: { name: 'Зоя Крылова', phone: '+7 912 000-00-01' } }),
    );
    const r = await merges.merge(officer, a.operatorId, { keep, merge: author });
    assert.equal(r.moved.reviews, 1);
    assert.equal(r.moved.inquiries, 1);
    env.clock.advance(60_000);
    const page = await env.ctx.services.reviews.published(a.operatorId);
    const shown = page.items.find((i) => i.id === reviewId);
    assert.equal(shown?.author, 'Зоя К.');
    assert.equal(shown?.text, 'Спасибо врачам');
    const [row] = await q<{ subject_id: string }>('SELECT subject_id FROM reviews WHERE inquiry_id = $1', [
      reviewId,
    ]);
    assert.equal(row!.subject_id, keep);
  });

  it('shows both subjects side by side, each read audited, and resolves inquiry numbers', async () => {
    const i1 = await submit(a, { fields: { name: 'Пётр Сидоров', phone: '+7 912 000-00-02' } });
    const i2 = await submit(a, { fields: { name: 'П. Сидоров', phone: '+7 912 000-00-03' } });
    const [n1] = await q<{ number: string }>('SELECT number::text FROM inquiries WHERE id = $1', [i1]);
    const keep = await merges.resolve(officer, a.operatorId, `№ ${n1!.number}`);
    assert.equal(keep, await subjectOf(i1));
    const merge = await merges.resolve(officer, a.operatorId, (await subjectOf(i2)).toUpperCase());
    assert.equal(merge, await subjectOf(i2));
    await rejectsWith(merges.resolve(officer, a.operatorId, '99999999'), ErrorCode.NotFound);
    await rejectsWith(merges.resolve(officer, a.operatorId, 'Пётр'), ErrorCode.ValidationFailed);
    const p = await merges.preview(officer, a.operatorId, { keep, merge });
    assert.equal(p.keep.name, 'Пётр Сидоров');
    assert.equal(p.merge.phone, '+79120000003');
    assert.deepEqual(
      p.keep.inquiries.map((i) => i.id),
      [i1],
    );
    const reads = await q<{ object_id: string }>(
      `SELECT object_id FROM audit_log WHERE action = 'subject.read' AND actor_id = $1 ORDER BY id`,
      [officerId],
    );
    assert.deepEqual(
      reads.slice(-2).map((x) => x.object_id),
      [keep, merge],
    );
  });

  it('refuses itself, without the permission, and across operators, changing nothing', async () => {
    const keep = await subjectOf(await submit(a, { fields: { name: 'Ян', phone: '+7 912 000-00-04' } }));
    const other = await subjectOf(await submit(a, { fields: { name: 'Ян', phone: '+7 912 000-00-05' } }));
    const ofB = await subjectOf(await submit(b, { fields: { name: 'Ян', phone: '+7 912 000-00-06' } }));
    const before = { keep: await lookupsOf(keep), ofB: await lookupsOf(ofB) };
    await rejectsWith(merges.merge(officer, a.operatorId, { keep, merge: keep }), ErrorCode.ValidationFailed);
    await rejectsWith(merges.merge(agent, a.operatorId, { keep, merge: other }), ErrorCode.Forbidden);
    await rejectsWith(merges.preview(agent, a.operatorId, { keep, merge: other }), ErrorCode.Forbidden);
    await rejectsWith(merges.merge(officerB, a.operatorId, { keep, merge: other }), ErrorCode.Forbidden);
    // Another operator's subject is not found from this one, in either role.
    await rejectsWith(merges.merge(officer, a.operatorId, { keep, merge: ofB }), ErrorCode.NotFound);
    await rejectsWith(merges.merge(officer, a.operatorId, { keep: ofB, merge: keep }), ErrorCode.NotFound);
    await rejectsWith(merges.merge(officerB, b.operatorId, { keep: ofB, merge: keep }), ErrorCode.NotFound);
    await rejectsWith(merges.preview(officer, a.operatorId, { keep, merge: ofB }), ErrorCode.NotFound);
    await rejectsWith(merges.resolve(officer, a.operatorId, ofB), ErrorCode.NotFound);
    assert.deepEqual({ keep: await lookupsOf(keep), ofB: await lookupsOf(ofB) }, before);
    assert.equal(
      (await q('SELECT 1 FROM subjects WHERE id = ANY($1::uuid[])', [[keep, other, ofB]])).length,
      3,
    );
    assert.equal(
      (await q(`SELECT 1 FROM audit_log WHERE action = 'subject.merge' AND object_id = $1`, [other])).length,
      0,
    );
  });

  it('takes the copied lookups back when the data transaction fails', async () => {
    const keep = await subjectOf(await submit(a, { fields: { name: 'Ева', phone: '+7 912 000-00-07' } }));
    const merge = await subjectOf(await submit(a, { fields: { name: 'Ева', phone: '+7 912 000-00-08' } }));
    const before = await lookupsOf(keep);
    const s = env.ctx.services;
    const failing = new SubjectMergeService({
      db: env.ctx.db,
      keyring: {
        getDataKeys: () => Promise.reject(new Error('keyring down')),
        destroyDataKey: (id) => s.keyring.destroyDataKey(id),
      },
      lookups: new SubjectLookupMoves(env.ctx.keyringDb),
      audit: s.audit,
      registry: s.subjectData,
      inquiries: subjectInquiryIndex,
      clock: env.clock,
      ids: env.ctx.ids,
    });
    await assert.rejects(failing.merge(officer, a.operatorId, { keep, merge }), /keyring down/);
    assert.deepEqual(await lookupsOf(keep), before);
    assert.ok(await s.keyring.getDataKey(merge));
    assert.equal((await q('SELECT 1 FROM subjects WHERE id = $1', [merge])).length, 1);
  });

  it('leaves nothing unreadable when the key cannot be destroyed after the data moved', async () => {
    const keep = await subjectOf(await submit(a, { fields: { name: 'Ада', phone: '+7 912 000-00-09' } }));
    const mergedInquiry = await submit(a, { fields: { name: 'Ада', phone: '+7 912 000-00-10' } });
    const merge = await subjectOf(mergedInquiry);
    const s = env.ctx.services;
    const crashing = new SubjectMergeService({
      db: env.ctx.db,
      keyring: {
        getDataKeys: (ids) => s.keyring.getDataKeys(ids),
        destroyDataKey: () => Promise.reject(new Error('process died')),
      },
      lookups: new SubjectLookupMoves(env.ctx.keyringDb),
      audit: s.audit,
      registry: s.subjectData,
      inquiries: subjectInquiryIndex,
      clock: env.clock,
      ids: env.ctx.ids,
    });
    const r = await crashing.merge(officer, a.operatorId, { keep, merge });
    assert.equal(r.moved.inquiries, 1);
    // The merged key outlives it, but nothing in the data is sealed under it any more; lookups
    // that still name it find no subject, so only the kept one is found.
    assert.ok(await s.keyring.getDataKey(merge));
    const agentA = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    assert.deepEqual(
      (await s.subjects.findByPhone(agentA, a.operatorId, '+79120000010')).map((x) => x.id),
      [keep],
    );
    assert.equal((await s.inquiries.get(agentA, a.operatorId, mergedInquiry)).fields.name, 'Ада');
    // Neither a subject row nor a destruction record: the orphan-key job's definition of an orphan.
    const known = await q(
      `SELECT 1 FROM subjects WHERE id = $1 UNION ALL SELECT 1 FROM subject_destructions WHERE subject_id = $1`,
      [merge],
    );
    assert.equal(known.length, 0);
  });
});

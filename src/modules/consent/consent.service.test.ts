import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { rejectsWith } from '../../../test/rejects.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { IntakeService } from '../inquiries/index.ts';
import {
  insertOperatorWithSite,
  staffPrincipal,
  testIntakeFor,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import { submitReview } from '../reviews/reviews.testing.ts';
import type { Principal } from '../staff/index.ts';
import { ConsentService } from './index.ts';

describe('ConsentService: withdrawal', () => {
  let env: TestEnv;
  let a: TestOperator;
  let intake: IntakeService;
  let officer: Principal;
  let officerId: string;
  let moderator: Principal;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;
  const subjectOf = async (inquiryId: string) =>
    (await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [inquiryId]))[0]!
      .subject_id;
  /** A review submitted with its publication consent and published by a moderator. */
  const publishedReview = async () => {
    const id = await submitReview(intake, a);
    await env.ctx.services.reviews.publish(moderator, a.operatorId, id);
    return { id, subjectId: await subjectOf(id) };
  };
  const isPublic = async (id: string) =>
    (await env.ctx.services.reviews.published(a.operatorId)).items.some((i) => i.id === id);

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'consent-a');
    intake = testIntakeFor(env, [a], { limits: { minFillSeconds: 0 } });
    officerId = randomUUID();
    officer = staffPrincipal(officerId, { [a.operatorId]: ['privacy_officer'] });
    moderator = staffPrincipal(randomUUID(), { [a.operatorId]: ['moderator'] });
  });
  after(() => env.close());

  it('withdrawing a review-publication consent takes the published review down, recorded and audited', async () => {
    const { id, subjectId } = await publishedReview();
    assert.ok(await isPublic(id));
    env.clock.advance(60_000);

    const r = await env.ctx.services.consent.withdraw(officer, a.operatorId, {
      subjectId,
      kind: 'review_publication',
      channel: 'phone',
      method: 'oral',
    });

    assert.equal(r.consentIds.length, 1);
    assert.equal(await isPublic(id), false);
    const [review] = await q<{ state: string; unpublish_reason: string }>(
      'SELECT state, unpublish_reason FROM reviews WHERE inquiry_id = $1',
      [id],
    );
    assert.deepEqual(review, { state: 'unpublished', unpublish_reason: 'consent_withdrawn' });
    const rows = await q(
      `SELECT id, withdrawn_at, withdrawn_channel, withdrawn_method, withdrawn_by_type, withdrawn_by_id
       FROM consent_records WHERE subject_id = $1 AND kind = 'review_publication'`,
      [subjectId],
    );
    assert.deepEqual(rows, [
      {
        id: r.consentIds[0],
        withdrawn_at: env.clock.now(),
        withdrawn_channel: 'phone',
        withdrawn_method: 'oral',
        withdrawn_by_type: 'staff',
        withdrawn_by_id: officerId,
      },
    ]);
    const audit = await q<{ action: string; actor_type: string; actor_id: string }>(
      `SELECT action, actor_type, actor_id FROM audit_log
       WHERE subject_id = $1 AND action IN ('consent.withdraw', 'review.unpublish') ORDER BY id`,
      [subjectId],
    );
    assert.deepEqual(audit, [
      { action: 'consent.withdraw', actor_type: 'staff', actor_id: officerId },
      { action: 'review.unpublish', actor_type: 'staff', actor_id: officerId },
    ]);
    // The processing consent is another kind: untouched.
    const processing = await q(
      `SELECT 1 FROM consent_records WHERE subject_id = $1 AND kind = 'processing' AND withdrawn_at IS NULL`,
      [subjectId],
    );
    assert.equal(processing.length, 1);

    // Once withdrawn, nothing is left to withdraw: nothing written, no listener told.
    const before = await q('SELECT 1 FROM audit_log WHERE subject_id = $1', [subjectId]);
    const again = await env.ctx.services.consent.withdraw(officer, a.operatorId, {
      subjectId,
      kind: 'review_publication',
      channel: 'letter',
      method: 'written',
    });
    assert.deepEqual(again.consentIds, []);
    assert.equal(
      (await q('SELECT 1 FROM audit_log WHERE subject_id = $1', [subjectId])).length,
      before.length,
    );
  });

  it('a listener that throws rolls the whole withdrawal back', async () => {
    const { id, subjectId } = await publishedReview();
    const s = env.ctx.services;
    const consent = new ConsentService({ db: env.ctx.db, audit: s.audit, clock: env.clock });
    // The reviews' listener first (it takes the review down), then one that fails.
    consent.onWithdrawn('review_publication', (tx, w) => s.reviews.consentWithdrawn(tx, w.subjectId));
    const told: string[][] = [];
    consent.onWithdrawn('review_publication', (_tx, w) => {
      told.push(w.consentIds);
      return Promise.reject(new AppError(ErrorCode.Conflict, 'listener failed'));
    });
    consent.onWithdrawn('marketing', () => Promise.reject(new Error('not this kind')));

    await rejectsWith(
      consent.withdraw(officer, a.operatorId, {
        subjectId,
        kind: 'review_publication',
        channel: 'email',
        method: 'electronic',
      }),
      ErrorCode.Conflict,
    );

    assert.equal(told.length, 1);
    const live = await q(
      `SELECT 1 FROM consent_records
       WHERE subject_id = $1 AND kind = 'review_publication' AND withdrawn_at IS NULL AND withdrawn_by_type IS NULL`,
      [subjectId],
    );
    assert.equal(live.length, 1);
    const [review] = await q<{ state: string }>('SELECT state FROM reviews WHERE inquiry_id = $1', [id]);
    assert.equal(review?.state, 'published');
    assert.equal(
      (await q(`SELECT 1 FROM audit_log WHERE subject_id = $1 AND action = 'consent.withdraw'`, [subjectId]))
        .length,
      0,
    );
  });

  it('needs rights.manage at the operator and a channel staff can record', async () => {
    const { subjectId } = await publishedReview();
    const input = { subjectId, kind: 'review_publication', channel: 'phone', method: 'oral' } as const;
    await rejectsWith(env.ctx.services.consent.withdraw(moderator, a.operatorId, input), ErrorCode.Forbidden);
    const other = staffPrincipal(randomUUID(), { [randomUUID()]: ['privacy_officer'] });
    await rejectsWith(env.ctx.services.consent.withdraw(other, a.operatorId, input), ErrorCode.Forbidden);
    // The one-click link is the patient's own act, never recorded by staff.
    await rejectsWith(
      env.ctx.services.consent.withdraw(officer, a.operatorId, {
        ...input,
        channel: 'unsubscribe_link' as 'phone',
        method: 'link' as 'oral',
      }),
      ErrorCode.ValidationFailed,
    );
    await rejectsWith(
      env.ctx.services.consent.withdraw(officer, a.operatorId, {
        ...input,
        kind: 'everything' as 'marketing',
      }),
      ErrorCode.ValidationFailed,
    );
    const live = await q(`SELECT 1 FROM consent_records WHERE subject_id = $1 AND withdrawn_at IS NULL`, [
      subjectId,
    ]);
    assert.equal(live.length, 2);
  });

  it('a consent record cites a published document of its operator (foreign key)', async () => {
    const id = await submitReview(intake, a);
    const admin = await env.admin();
    await assert.rejects(
      admin.query(
        `INSERT INTO consent_records (id, operator_id, subject_id, inquiry_id, kind, document_id, document_version,
           document_sha256, policy_version, given_at, channel)
         SELECT $2, operator_id, subject_id, inquiry_id, kind, $3, document_version, document_sha256,
                policy_version, given_at, channel
         FROM consent_records WHERE inquiry_id = $1 AND kind = 'processing'`,
        [id, randomUUID(), randomUUID()],
      ),
      { code: '23503' },
    );
    // The right document with another hash is no citation of it either.
    await assert.rejects(
      admin.query(
        `INSERT INTO consent_records (id, operator_id, subject_id, inquiry_id, kind, document_id, document_version,
           document_sha256, policy_version, given_at, channel)
         SELECT $2, operator_id, subject_id, inquiry_id, kind, document_id, document_version, $3,
                policy_version, given_at, channel
         FROM consent_records WHERE inquiry_id = $1 AND kind = 'processing'`,
        [id, randomUUID(), 'f'.repeat(64)],
      ),
      { code: '23503' },
    );
  });
});

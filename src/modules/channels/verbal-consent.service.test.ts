import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import { openString } from '../../platform/crypto/aead.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { inquiryNoteAad, type IntakeService } from '../inquiries/index.ts';
import {
  callback,
  citations,
  insertOperatorWithSite,
  policySource,
  staffPrincipal,
  testIntake,
  testPolicy,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import type { PublishedPolicy } from '../policy/index.ts';
import type { Principal } from '../staff/index.ts';
import { consentEvidenceAad } from '../consent/index.ts';
import { VerbalConsentService } from './verbal-consent.service.ts';

const RECORDING = 'https://pbx.example/rec/2026-03-02/5531.mp3';

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.details?.fields?.[0]?.path, field);
    return true;
  });
}

describe('VerbalConsentService', () => {
  let env: TestEnv;
  let admin: pg.Client;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let service: VerbalConsentService;
  let inquiryId: string;
  let agent: Principal;
  const policies: Record<string, PublishedPolicy> = {};

  const rows = async <R extends object>(sql: string, params: unknown[]) =>
    (await admin.query<R>(sql, params)).rows;
  const consentCount = async () =>
    Number(
      (
        await rows<{ n: string }>('SELECT count(*) AS n FROM consent_records WHERE inquiry_id = $1', [
          inquiryId,
        ])
      )[0]!.n,
    );

  before(async () => {
    env = await createTestEnv();
    admin = await env.admin();
    a = await insertOperatorWithSite(env, 'verbal-a');
    b = await insertOperatorWithSite(env, 'verbal-b');
    policies[a.operatorId] = await testPolicy(env, a.operatorId);
    // B takes inquiries, but the service below knows no policy of B's (as if it were withdrawn).
    intake = testIntake(
      env,
      policySource({ ...policies, [b.operatorId]: await testPolicy(env, b.operatorId) }),
    );
    const s = env.ctx.services;
    service = new VerbalConsentService({
      db: env.ctx.db,
      keyring: s.keyring,
      policy: policySource(policies),
      audit: s.audit,
      clock: env.clock,
      ids: env.ctx.ids,
      log: env.ctx.log,
    });
    const r = await intake.submit(callback(a));
    assert.equal(r.kind, 'created');
    inquiryId = (r as { inquiryId: string }).inquiryId;
    agent = staffPrincipal('00000000-0000-4000-8000-0000000000a1', { [a.operatorId]: ['agent'] });
  });
  after(() => env.close());

  it('refuses without a kind or a recording, or with an unknown kind: nothing stored', async () => {
    const before = await consentCount();
    await rejectsWith(
      service.recordVerbalConsent(agent, a.operatorId, inquiryId, { kinds: [], recordingRef: RECORDING }),
      ErrorCode.ValidationFailed,
      'kinds',
    );
    await rejectsWith(
      service.recordVerbalConsent(agent, a.operatorId, inquiryId, {
        kinds: ['processing'],
        recordingRef: '  ',
      }),
      ErrorCode.ValidationFailed,
      'recordingRef',
    );
    await rejectsWith(
      service.recordVerbalConsent(agent, a.operatorId, inquiryId, {
        kinds: ['review_publication' as never],
        recordingRef: RECORDING,
      }),
      ErrorCode.ValidationFailed,
    );
    await rejectsWith(
      service.recordVerbalConsent(agent, a.operatorId, inquiryId, {
        kinds: ['processing'],
        recordingRef: 'a\u0007b',
      }),
      ErrorCode.ValidationFailed,
      'recordingRef',
    );
    assert.equal(await consentCount(), before);
  });

  it('is NotFound outside the operator and for unknown inquiries, Forbidden without inquiry.update', async () => {
    const input = { kinds: ['processing' as const], recordingRef: RECORDING };
    const outsider = staffPrincipal('00000000-0000-4000-8000-0000000000b1', { [b.operatorId]: ['agent'] });
    const moderator = staffPrincipal('00000000-0000-4000-8000-0000000000c1', {
      [a.operatorId]: ['moderator'],
    });
    await rejectsWith(
      service.recordVerbalConsent(outsider, a.operatorId, inquiryId, input),
      ErrorCode.NotFound,
    );
    // The right operator in the URL, but the inquiry is A's: B's agent at B finds nothing.
    await rejectsWith(
      service.recordVerbalConsent(outsider, b.operatorId, inquiryId, input),
      ErrorCode.NotFound,
    );
    await rejectsWith(
      service.recordVerbalConsent(moderator, a.operatorId, inquiryId, input),
      ErrorCode.Forbidden,
    );
    await rejectsWith(
      service.recordVerbalConsent(agent, a.operatorId, '00000000-0000-4000-8000-000000000000', input),
      ErrorCode.NotFound,
    );
    await rejectsWith(
      service.recordVerbalConsent(agent, a.operatorId, 'not-a-uuid', input),
      ErrorCode.NotFound,
    );
    const bAgent = staffPrincipal('00000000-0000-4000-8000-0000000000d1', { [b.operatorId]: ['agent'] });
    const bInquiry = await intake.submit(callback(b));
    assert.equal(bInquiry.kind, 'created');
    // The service knows no published policy of B's: nothing to consent to.
    await rejectsWith(
      service.recordVerbalConsent(bAgent, b.operatorId, (bInquiry as { inquiryId: string }).inquiryId, input),
      ErrorCode.Conflict,
    );
  });

  it('records each kind against the current documents, with the recording sealed as evidence', async () => {
    env.clock.advance(60_000);
    const { consentIds } = await service.recordVerbalConsent(agent, a.operatorId, inquiryId, {
      kinds: ['processing', 'marketing', 'processing'],
      recordingRef: ` ${RECORDING} `,
    });
    assert.equal(consentIds.length, 2);
    const records = await rows<{
      id: string;
      subject_id: string;
      kind: string;
      document_id: string;
      document_version: number;
      document_sha256: string;
      policy_version: number;
      given_at: Date;
      channel: string;
      form_id: string | null;
      ip: string | null;
      evidence_enc: Buffer;
    }>('SELECT * FROM consent_records WHERE id = ANY($1::uuid[]) ORDER BY kind DESC', [consentIds]);
    const p = policies[a.operatorId]!;
    assert.deepEqual(
      records.map((r) => [r.kind, r.document_id, r.document_version, r.document_sha256, r.policy_version]),
      citations(p, ['processing', 'marketing']),
    );
    const key = (await env.ctx.services.keyring.getDataKey(records[0]!.subject_id))!;
    for (const r of records) {
      assert.equal(r.channel, 'phone');
      assert.equal(r.form_id, null);
      assert.equal(r.ip, null);
      assert.deepEqual(r.given_at, env.clock.now());
      assert.equal(openString(key, r.evidence_enc, consentEvidenceAad(r.id)), RECORDING);
      assert.ok(!r.evidence_enc.toString('latin1').includes('pbx.example'));
    }
    const events = await rows<{
      id: string;
      kind: string;
      ref_id: string;
      note_enc: Buffer;
      actor_id: string;
    }>(
      `SELECT id, kind, ref_id, note_enc, actor_id FROM inquiry_events WHERE inquiry_id = $1 AND kind = 'consent'
       ORDER BY seq`,
      [inquiryId],
    );
    assert.deepEqual(
      events.map((e) => e.ref_id),
      consentIds,
    );
    assert.equal(events[0]!.actor_id, '00000000-0000-4000-8000-0000000000a1');
    assert.deepEqual(JSON.parse(openString(key, events[0]!.note_enc, inquiryNoteAad(events[0]!.id))), {
      kind: 'processing',
      channel: 'phone',
      documentId: p.documents.consent_processing.id,
      documentVersion: p.documents.consent_processing.version,
      recordingRef: RECORDING,
    });
    const audit = await rows<{ action: string; object_id: string; subject_id: string }>(
      `SELECT action, object_id, subject_id FROM audit_log WHERE action = 'consent.record' ORDER BY id`,
      [],
    );
    assert.deepEqual(
      audit.map((e) => e.object_id),
      consentIds,
    );
    assert.ok(audit.every((e) => e.subject_id === records[0]!.subject_id));
    assertNoPersonalDataInLogs(env.logs, ['pbx.example']); // the recording reference
  });
});

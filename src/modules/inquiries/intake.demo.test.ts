import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { loadDemo } from '../../cli/demo.ts';

/** Intake against the real policy module: the demo clinic's published declaration and documents. */
describe('intake with the demo clinic’s published policy', () => {
  let env: TestEnv;
  let operatorId: string;
  let siteId: string;

  before(async () => {
    env = await createTestEnv();
    ({ operatorId } = await loadDemo(env.ctx));
    const admin = await env.admin();
    siteId = (
      await admin.query<{ id: string }>('SELECT id FROM sites WHERE operator_id = $1 LIMIT 1', [operatorId])
    ).rows[0]!.id;
  });
  after(() => env.close());

  it('records consents pointing at the published documents, through a form token', async () => {
    const intake = env.ctx.services.intake;
    const token = (await intake.readFormToken(await intake.issueFormToken(operatorId, 'appointment')))!;
    env.clock.advance(5000);
    const input = {
      operatorId,
      siteId,
      formId: 'appointment' as const,
      fields: {
        name: 'Анна',
        phone: '+7 912 345-67-89',
        preferredDate: '2026-03-03',
        preferredTime: '10:00',
        serviceOrDoctor: 'МРТ колена',
      },
      consents: { processing: true, marketing: true },
      channel: 'web_form' as const,
      page: '/',
      ip: '192.0.2.10',
      userAgent: 'test',
      idempotencyKey: token.idempotencyKey,
      startedAt: token.issuedAt,
    };
    const r = await intake.submit(input);
    assert.equal(r.kind, 'created', JSON.stringify(r));
    assert.deepEqual(await intake.submit(input), {
      kind: 'duplicate',
      inquiryId: (r as { inquiryId: string }).inquiryId,
    });
    const policy = (await env.ctx.services.policy.current(operatorId))!;
    const admin = await env.admin();
    const { rows } = await admin.query<{
      kind: string;
      document_id: string;
      document_sha256: string;
      policy_version: number;
    }>(
      'SELECT kind, document_id, document_sha256, policy_version FROM consent_records WHERE inquiry_id = $1 ORDER BY kind',
      [(r as { inquiryId: string }).inquiryId],
    );
    assert.deepEqual(rows, [
      {
        kind: 'marketing',
        document_id: policy.documents.consent_marketing.id,
        document_sha256: policy.documents.consent_marketing.sha256,
        policy_version: policy.declarationVersion,
      },
      {
        kind: 'processing',
        document_id: policy.documents.consent_processing.id,
        document_sha256: policy.documents.consent_processing.sha256,
        policy_version: policy.declarationVersion,
      },
    ]);
  });

  it('refuses a consent the form does not offer (marketing on the review form)', async () => {
    const r = await env.ctx.services.intake.submit({
      operatorId,
      siteId,
      formId: 'review',
      fields: { name: 'Мария', message: 'Спасибо', rating: '5' },
      consents: {
        processing: true,
        marketing: true,
        reviewPublication: { allowed: true, show: 'anonymous' },
      },
      channel: 'web_form',
      page: '/',
      ip: '192.0.2.11',
      userAgent: 'test',
      idempotencyKey: 'form:demo-review-1',
    });
    assert.equal(r.kind, 'invalid');
    assert.deepEqual(Object.keys((r as { errors: object }).errors), ['consents.marketing']);
  });
});

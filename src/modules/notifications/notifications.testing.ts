/**
 * Test support for notifications (imported by tests only): an inquiry that arrived by messenger or
 * SMS made directly in the database as the channels module makes one (a subject, the sealed reply
 * address, optionally a processing consent citing the operator's really published document), reading an outbox message's decrypted payload, and a
 * JobRunner that dispatches to e-mail and the local providers.
 */
import { randomUUID } from 'node:crypto';
import type { TestEnv } from '../../../test/harness.ts';
import { openString, sealString } from '../../platform/crypto/aead.ts';
import { JobRunner } from '../../platform/jobs/index.ts';
import { recordConsents } from '../consent/index.ts';
import { inquiryFieldsAad, inquiryReplyToAad } from '../inquiries/index.ts';
import { OUTBOX_DISPATCH, outboxAad, outboxDispatchJob, type Sender } from '../outbox/index.ts';
import { insertSubject } from '../outbox/outbox.testing.ts';
import { publishTestPolicy } from '../policy/policy.testing.ts';

/** A messenger/SMS inquiry with its reply address; with a processing consent unless told not. */
export async function insertMessengerInquiry(
  env: TestEnv,
  operatorId: string,
  channel: 'telegram' | 'whatsapp' | 'sms' | 'max',
  replyTo: string,
  o: { consent?: boolean } = {},
): Promise<{ inquiryId: string; subjectId: string }> {
  const subjectId = await insertSubject(env, operatorId);
  const key = (await env.ctx.services.keyring.getDataKey(subjectId))!;
  const inquiryId = randomUUID();
  const admin = await env.admin();
  const now = env.clock.now();
  await admin.query(
    `INSERT INTO inquiries (id, operator_id, subject_id, form_id, channel, fields_enc, possible_health_data,
       on_behalf, created_at, reply_channel, reply_to_enc)
     VALUES ($1, $2, $3, 'message', $4, $5, true, false, $6, $4, $7)`,
    [
      inquiryId,
      operatorId,
      subjectId,
      channel,
      sealString(key, '{}', inquiryFieldsAad(inquiryId)),
      now,
      sealString(key, replyTo, inquiryReplyToAad(inquiryId)),
    ],
  );
  if (o.consent ?? true) {
    const policy = await publishTestPolicy(env, operatorId);
    const doc = policy.documents.consent_processing;
    await env.ctx.db.scoped([operatorId], (tx) =>
      recordConsents(tx, [
        {
          id: randomUUID(),
          operatorId,
          subjectId,
          inquiryId,
          kind: 'processing',
          document: { id: doc.id, version: doc.version, sha256: doc.sha256 },
          policyVersion: policy.declarationVersion,
          givenAt: now,
          channel,
          formId: null,
          ip: null,
          userAgent: null,
          representativeEnc: null,
          evidenceEnc: null,
          reviewShow: null,
        },
      ]),
    );
  }
  return { inquiryId, subjectId };
}

export interface OutboxView {
  id: string;
  channel: string;
  template: string;
  state: string;
  inquiry_id: string | null;
  quiet_hours: boolean;
  next_attempt_at: Date;
  last_error: string | null;
  payload: Record<string, unknown> | null;
}

/** The outbox rows of an inquiry (or of a subject), oldest first, with their payloads decrypted. */
export async function outboxOf(
  env: TestEnv,
  by: { inquiryId?: string; subjectId?: string },
): Promise<OutboxView[]> {
  const admin = await env.admin();
  const { rows } = await admin.query<
    Omit<OutboxView, 'payload'> & { subject_id: string; payload_enc: Buffer | null }
  >(
    `SELECT id, channel, template, state, inquiry_id, quiet_hours, next_attempt_at, last_error, subject_id, payload_enc
     FROM outbox WHERE ($1::uuid IS NULL OR inquiry_id = $1) AND ($2::uuid IS NULL OR subject_id = $2)
     ORDER BY created_at, id`,
    [by.inquiryId ?? null, by.subjectId ?? null],
  );
  const out: OutboxView[] = [];
  for (const r of rows) {
    const key = await env.ctx.services.keyring.getDataKey(r.subject_id);
    const payload =
      key && r.payload_enc
        ? (JSON.parse(openString(key, r.payload_enc, outboxAad(r.id))) as Record<string, unknown>)
        : null;
    out.push({
      id: r.id,
      channel: r.channel,
      template: r.template,
      state: r.state,
      inquiry_id: r.inquiry_id,
      quiet_hours: r.quiet_hours,
      next_attempt_at: r.next_attempt_at,
      last_error: r.last_error,
      payload,
    });
  }
  return out;
}

/** A runner with the outbox dispatcher over these senders and the context's quiet hours. */
export function dispatcher(env: TestEnv, senders: readonly Sender[]): { run(): Promise<void> } {
  const runner = new JobRunner({
    db: env.ctx.db,
    clock: env.clock,
    log: env.ctx.log,
    handlers: [
      outboxDispatchJob({
        keyring: env.ctx.services.keyring,
        audit: env.ctx.services.audit,
        jobs: env.ctx.services.jobs,
        clock: env.clock,
        senders,
        random: () => 0.5,
        ...(env.ctx.services.outbox.quietHours ? { quietHours: env.ctx.services.outbox.quietHours } : {}),
      }),
    ],
  });
  return {
    run: async () => {
      await env.ctx.db.transaction((tx) => env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH }));
      await runner.drain();
    },
  };
}

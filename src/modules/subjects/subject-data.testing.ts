/**
 * A patient with data in every part of the subject data registry, each row written through its
 * owner's real write path (intake, notes, channel inbound, verbal consent, marketing, review
 * moderation, merge), never sealed by a test's own formula.
 */
import { randomUUID } from 'node:crypto';
import type { TestEnv } from '../../../test/harness.ts';
import type { InboundConnection } from '../channels/index.ts';
import type { IntakeService } from '../inquiries/index.ts';
import { staffPrincipal, submitCallback, type TestOperator } from '../inquiries/intake.testing.ts';
import { Declaration, DEMO_DECLARATION } from '../policy/index.ts';
import { submitReview } from '../reviews/reviews.testing.ts';
import { systemPrincipal } from '../staff/index.ts';

const SYSTEM = systemPrincipal('test');

/** Publishes the demo policy at the operator, so that consents recorded by staff have documents. */
export async function publishDemoPolicy(env: TestEnv, operatorId: string): Promise<void> {
  await env.ctx.services.policy.saveDraft(SYSTEM, operatorId, Declaration.parse(DEMO_DECLARATION));
  await env.ctx.services.policy.publish(SYSTEM, operatorId);
}

/** A WhatsApp connection of the operator, to receive patients' messages on. */
export async function connectWhatsApp(env: TestEnv, operatorId: string): Promise<InboundConnection> {
  const { connection } = await env.ctx.services.channels.connect(SYSTEM, operatorId, {
    provider: 'whatsapp',
    accessToken: 'EAAG-access-token',
    phoneNumberId: '106540352242922',
    appSecret: 'meta-app-secret',
  });
  return { id: connection.id, operatorId, provider: 'whatsapp' };
}

/**
 * A message from this phone on the connection: opens a WhatsApp inquiry (sealed reply address and
 * message) for the patient with that phone. Returns the inquiry's id.
 */
export async function receiveWhatsApp(
  env: TestEnv,
  connection: InboundConnection,
  phone: string,
  text: string,
): Promise<string> {
  await env.ctx.services.channelInbound.receive(connection, [
    { eventId: randomUUID(), kind: 'message', phone, replyTo: phone.replace('+', ''), text, opens: true },
  ]);
  const { rows } = await (
    await env.admin()
  ).query<{ id: string }>(
    `SELECT i.id FROM inquiries i JOIN inquiry_events e ON e.inquiry_id = i.id
     WHERE i.operator_id = $1 AND i.channel = 'whatsapp' ORDER BY e.at DESC, e.seq DESC LIMIT 1`,
    [connection.operatorId],
  );
  return rows[0]!.id;
}

export interface EveryPart {
  subjectId: string;
  /** The web form's inquiry: fields, a representative, a note, a queued e-mail. */
  formInquiryId: string;
  /** The WhatsApp inquiry: a reply address, a message, a verbal consent with its evidence. */
  channelInquiryId: string;
  /** A published review, sent as another subject and merged into this one. */
  reviewId: string;
}

/**
 * A patient (phone `phone`, E.164) with rows in every part: the subject row, inquiries and history,
 * consent records with a representative and a recording's reference, outbox messages, an
 * unsubscribe link, a published review. The operator needs `publishDemoPolicy` and a WhatsApp
 * connection first.
 */
export async function subjectInEveryPart(
  env: TestEnv,
  intake: IntakeService,
  op: TestOperator,
  whatsapp: InboundConnection,
  phone: string,
): Promise<EveryPart> {
  const s = env.ctx.services;
  const agent = staffPrincipal(randomUUID(), { [op.operatorId]: ['agent'] });
  const subjectOf = async (inquiryId: string): Promise<string> =>
    (
      await (
        await env.admin()
      ).query<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [inquiryId])
    ).rows[0]!.subject_id;

  const formInquiryId = await submitCallback(intake, op, {
    formId: 'feedback',
    fields: { name: 'Анна', phone, email: `anna.${phone.slice(-4)}@example.com`, message: 'Болит колено' },
    consents: { processing: true, marketing: true },
    onBehalf: { representativeName: 'Иван Иванов', relation: 'муж' },
  });
  const subjectId = await subjectOf(formInquiryId);
  await s.inquiries.addNote(agent, op.operatorId, formInquiryId, 'Перезвонить');
  const channelInquiryId = await receiveWhatsApp(env, whatsapp, phone, 'Когда приём?');
  await s.verbalConsent.recordVerbalConsent(agent, op.operatorId, channelInquiryId, {
    kinds: ['processing'],
    recordingRef: 'rec-77',
  });
  await s.notifications.sendMarketing(SYSTEM, op.operatorId, {
    subjectIds: [subjectId],
    template: { subject: 'Новости клиники', text: 'Открыт новый кабинет.' },
  });
  const reviewId = await submitReview(intake, op, { name: 'Анна Петрова', message: 'Спасибо врачам' });
  const moderator = staffPrincipal(randomUUID(), { [op.operatorId]: ['moderator'] });
  await s.reviews.publish(moderator, op.operatorId, reviewId);
  const officer = staffPrincipal(randomUUID(), { [op.operatorId]: ['privacy_officer'] });
  await s.subjectMerge.merge(officer, op.operatorId, { keep: subjectId, merge: await subjectOf(reviewId) });
  return { subjectId, formInquiryId, channelInquiryId, reviewId };
}

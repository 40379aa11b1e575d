/**
 * The one place an inquiry is created, whatever brought it: a site form, the widget or the API
 * (IntakeService) or a message or call on a channel (the channels module). Whoever opens one, the
 * inquiry gets the same treatment in the caller's transaction:
 *
 * - its number from the one sequence (the column's identity) and its status counted (a trigger);
 * - its first-contact due time from the operator's working hours;
 * - its fields (and where to answer the patient, for a messenger or SMS) sealed under the
 *   subject's key, bound to the inquiry;
 * - the audit entry `inquiry.create`, written by the inquiry's own statement;
 * - `inquiry.created` announced to the outgoing webhooks.
 *
 * The intake's idempotency key and consent records ride on the same statement (one round trip).
 * Joining an open inquiry (`findOpenInquiry`) and adding to its history (`addInquiryEvent`) are
 * here too, so that no other module writes the inquiries' tables.
 *
 * @example
 *   const { number } = await openInquiry(tx, { audit, events }, {
 *     id, operatorId, subject, siteId: null, formId: 'message', channel: 'telegram', page: null,
 *     fields: {}, possibleHealthData: true, onBehalf: false, actor: { type: 'subject', id: subject.id },
 *     at, hours: operator, replyTo: { channel: 'telegram', address: chatId } });
 */
import { firstContactDue, type WorkingHours } from '../../platform/calendar/index.ts';
import { sealString } from '../../platform/crypto/aead.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { NewConsent } from '../consent/index.ts';
import { inquiriesRepository as repo } from './inquiries.repository.ts';
import type { InquiryEvents } from './inquiries.ports.ts';
import type { InquiryChannel, InquiryKind, MessagingChannel } from './workflow.schemas.ts';
import { workflowRepository } from './workflow.repository.ts';

/** What opening an inquiry needs besides the transaction. */
export interface OpenInquiryDeps {
  audit: Pick<AuditService, 'inline'>;
  events?: InquiryEvents | undefined;
}

/** A new inquiry, as the pipeline that brought it describes it. */
export interface NewInquiry {
  id: string;
  operatorId: string;
  /** The patient, and the data key their personal data is sealed under. */
  subject: { id: string; dataKey: Buffer };
  siteId: string | null;
  /** The form, or 'message' / 'call' for a channel's inquiry. */
  formId: InquiryKind;
  channel: InquiryChannel;
  /** The page's path (never its query string), when a site form sent it. */
  page: string | null;
  /** The form's fields; a message or a call has none (its history is the inquiry). */
  fields: Readonly<Record<string, string>>;
  possibleHealthData: boolean;
  onBehalf: boolean;
  /** Where to answer the patient on a messenger or by SMS. */
  replyTo?: { channel: MessagingChannel; address: string } | undefined;
  /** Who opened it, for the audit entry (the patient, or the API key that sent it). */
  actor: Actor;
  at: Date;
  /** The operator's working hours, from which the first contact is due. */
  hours: { workingHours: WorkingHours; timeZone: string };
}

/** The intake's rows written by the same statement as the inquiry. */
export interface IntakeRows {
  idempotency: { key: string; requestHash: Buffer };
  consents: readonly NewConsent[];
}

/** The inquiry just opened: its id and the number the patient is told. */
export interface OpenedInquiry {
  id: string;
  number: string;
}

/**
 * Creates the inquiry in the caller's transaction (see the file's comment for what that includes).
 * With `intake`, a key already taken fails with a unique violation of `intake_idempotency_pkey`.
 */
export async function openInquiry(
  tx: Tx,
  deps: OpenInquiryDeps,
  n: NewInquiry,
  intake?: IntakeRows,
): Promise<OpenedInquiry> {
  const key = n.subject.dataKey;
  const { number } = await repo.insertInquiry(
    tx,
    {
      id: n.id,
      operator_id: n.operatorId,
      site_id: n.siteId,
      subject_id: n.subject.id,
      form_id: n.formId,
      channel: n.channel,
      page: n.page,
      fields_enc: sealString(key, JSON.stringify(n.fields), inquiryFieldsAad(n.id)),
      possible_health_data: n.possibleHealthData,
      on_behalf: n.onBehalf,
      created_at: n.at,
      first_contact_due_at: firstContactDue(n.at, n.hours.workingHours, n.hours.timeZone),
      reply_channel: n.replyTo?.channel ?? null,
      reply_to_enc: n.replyTo ? sealString(key, n.replyTo.address, inquiryReplyToAad(n.id)) : null,
    },
    intake?.idempotency,
    intake?.consents ?? [],
    (offset) =>
      deps.audit.inline(
        {
          actor: n.actor,
          action: 'inquiry.create',
          objectType: 'inquiry',
          objectId: n.id,
          subjectId: n.subject.id,
          operatorId: n.operatorId,
          source: n.channel,
          result: 'success',
        },
        offset,
      ),
  );
  await deps.events?.emit(tx, {
    operatorId: n.operatorId,
    type: 'inquiry.created',
    inquiryId: n.id,
    data: { formId: n.formId, channel: n.channel, at: n.at.toISOString() },
  });
  return { id: n.id, number };
}

/** An inquiry that is not over yet, which a patient's next message joins. */
export interface OpenInquiry {
  id: string;
  number: string;
}

/**
 * The patient's newest inquiry that is not over (done, rejected or spam), on this channel (or any,
 * when null), share-locked so that a destruction of the subject waits for the caller's write.
 */
export async function findOpenInquiry(
  tx: Tx,
  operatorId: string,
  subjectId: string,
  channel: string | null,
): Promise<OpenInquiry | undefined> {
  return repo.findOpenInquiry(tx, operatorId, subjectId, channel);
}

/** An event added to an inquiry's history by another module (a message, a call, a consent, a notice). */
export interface NewInquiryEvent {
  id: string;
  operatorId: string;
  inquiryId: string;
  at: Date;
  kind: 'message' | 'call' | 'consent' | 'notification';
  /** Its text (a message, a call's or a consent's details), sealed here under the subject's key. */
  note?: { key: Buffer; text: string } | undefined;
  /** The row the event is about: a consent record, an outbox message. */
  refId?: string | null | undefined;
  actor: Actor;
}

/** Adds the event to the inquiry's history in the caller's transaction. */
export async function addInquiryEvent(tx: Tx, e: NewInquiryEvent): Promise<void> {
  await workflowRepository.insertEvent(tx, {
    id: e.id,
    operator_id: e.operatorId,
    inquiry_id: e.inquiryId,
    at: e.at,
    kind: e.kind,
    from_status: null,
    to_status: null,
    reason: null,
    note_enc: e.note ? sealString(e.note.key, e.note.text, inquiryNoteAad(e.id)) : null,
    assignee_staff_id: null,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    ref_id: e.refId ?? null,
  });
}

/** The associated data of an inquiry's fields: bound to the inquiry, under the subject's key. */
export function inquiryFieldsAad(inquiryId: string): string {
  return `inquiry:${inquiryId}:fields`;
}

/** Where a messenger or SMS patient is answered: sealed under the subject's key, bound to the inquiry. */
export function inquiryReplyToAad(inquiryId: string): string {
  return `inquiry:${inquiryId}:reply_to`;
}

/** The associated data of an event's text (a note, a message): bound to its event, under the subject's key. */
export function inquiryNoteAad(eventId: string): string {
  return `inquiry_event:${eventId}:note`;
}

/**
 * Working an inquiry: statuses, the reasons for rejecting one or marking it spam, the inbox's
 * filter and page, the decrypted inquiry with its consents and history.
 *
 * @example
 *   const f = InboxFilter.parse({ status: 'new', limit: 20 });
 */
import { z } from 'zod';
import { FormId } from '../policy/index.ts';
import { INTAKE_CHANNELS, ReviewShow } from './inquiries.schemas.ts';

/** Where inquiries come from: the site and the API (intake), a phone call, a messenger or SMS. */
export const MESSAGING_CHANNELS = ['whatsapp', 'telegram', 'sms', 'max'] as const;
export const MessagingChannel = z.enum(MESSAGING_CHANNELS);
export type MessagingChannel = z.infer<typeof MessagingChannel>;
export const INQUIRY_CHANNELS = [...INTAKE_CHANNELS, 'phone', ...MESSAGING_CHANNELS] as const;
export const InquiryChannel = z.enum(INQUIRY_CHANNELS);
export type InquiryChannel = z.infer<typeof InquiryChannel>;

/** What an inquiry is: one of the site's forms, or a phone call or messenger conversation. */
export const INQUIRY_KINDS = [...FormId.options, 'call', 'message'] as const;
export const InquiryKind = z.enum(INQUIRY_KINDS);
export type InquiryKind = z.infer<typeof InquiryKind>;

export const INQUIRY_STATUSES = [
  'new',
  'in_progress',
  'waiting_patient',
  'appointment_made',
  'done',
  'rejected',
  'spam',
] as const;
export const InquiryStatus = z.enum(INQUIRY_STATUSES);
export type InquiryStatus = z.infer<typeof InquiryStatus>;

/** Russian first, English second, for the console. */
export const INQUIRY_STATUS_TITLES: Record<InquiryStatus, { ru: string; en: string }> = {
  new: { ru: 'Новое', en: 'New' },
  in_progress: { ru: 'В работе', en: 'In progress' },
  waiting_patient: { ru: 'Ждём пациента', en: 'Waiting for the patient' },
  appointment_made: { ru: 'Записан на приём', en: 'Appointment made' },
  done: { ru: 'Выполнено', en: 'Done' },
  rejected: { ru: 'Отклонено', en: 'Rejected' },
  spam: { ru: 'Спам', en: 'Spam' },
};

/** Statuses that need a reason. */
export const STATUSES_WITH_REASON: ReadonlySet<InquiryStatus> = new Set(['rejected', 'spam']);

/**
 * Why an inquiry was rejected or marked spam: a code, never free text, so that it can be kept in
 * clear next to the status (free text could carry the patient's data; details go in a note).
 */
export const STATUS_REASONS = [
  'duplicate',
  'service_not_provided',
  'patient_declined',
  'unreachable',
  'wrong_contact',
  'advertising',
  'abuse',
  'test_submission',
  'other',
] as const;
export const StatusReason = z.enum(STATUS_REASONS);
export type StatusReason = z.infer<typeof StatusReason>;

export const STATUS_REASON_TITLES: Record<StatusReason, { ru: string; en: string }> = {
  duplicate: { ru: 'Повторное обращение', en: 'Duplicate' },
  service_not_provided: { ru: 'Услуга не оказывается', en: 'Service not provided' },
  patient_declined: { ru: 'Пациент отказался', en: 'The patient declined' },
  unreachable: { ru: 'Не удалось связаться', en: 'Could not reach the patient' },
  wrong_contact: { ru: 'Неверные контактные данные', en: 'Wrong contact details' },
  advertising: { ru: 'Реклама', en: 'Advertising' },
  abuse: { ru: 'Оскорбления или злоупотребление', en: 'Abuse' },
  test_submission: { ru: 'Тестовая заявка', en: 'Test submission' },
  other: { ru: 'Другое (см. заметку)', en: 'Other (see the note)' },
};

export const ChangeStatusInput = z.strictObject({
  to: InquiryStatus,
  reason: StatusReason.optional(),
});
export type ChangeStatusInput = z.input<typeof ChangeStatusInput>;

export const NOTE_MAX_CHARS = 5000;

// Control characters other than line breaks (a note is typed or pasted text).
const NOTE_FORBIDDEN = /(?![\n\r])\p{Cc}/u;

/** A note's text: trimmed, 1..5000 characters, line breaks allowed, other control characters not. */
export const NoteText = z
  .string()
  .max(NOTE_MAX_CHARS * 4)
  .transform((s) => s.trim())
  .refine((s) => s !== '', 'Заметка пуста / The note is empty')
  .refine(
    (s) => [...s].length <= NOTE_MAX_CHARS,
    `Не больше ${NOTE_MAX_CHARS} символов / At most ${NOTE_MAX_CHARS} characters`,
  )
  .refine((s) => !NOTE_FORBIDDEN.test(s), 'Недопустимые символы / Control characters are not allowed');

export const INBOX_MAX_LIMIT = 100;
export const INBOX_DEFAULT_LIMIT = 50;

/** Which inquiries an inbox shows. `assignee: 'none'` is the unassigned ones. */
export const InboxFilter = z.strictObject({
  operatorId: z.uuid().optional(),
  siteId: z.uuid().optional(),
  formId: InquiryKind.optional(),
  channel: InquiryChannel.optional(),
  status: InquiryStatus.optional(),
  assignee: z.union([z.uuid(), z.literal('none')]).optional(),
  /** Only new inquiries whose first contact is past due. */
  overdue: z.boolean().optional(),
});
export type InboxFilter = z.input<typeof InboxFilter>;

/**
 * The inbox's order: `newest` first (by arrival), or `due`: by the first contact's due time, the
 * soonest first, so overdue inquiries (due in the past) lead and rows without a due time come last.
 */
export const INBOX_SORTS = ['newest', 'due'] as const;
export const InboxSort = z.enum(INBOX_SORTS);
export type InboxSort = z.infer<typeof InboxSort>;

export const InboxPageInput = InboxFilter.extend({
  limit: z.number().int().min(1).max(INBOX_MAX_LIMIT).default(INBOX_DEFAULT_LIMIT),
  sort: InboxSort.default('newest'),
  /** The previous page's `nextCursor` of the same sort, opaque. */
  cursor: z.string().max(200).optional(),
});
export type InboxPageInput = z.input<typeof InboxPageInput>;

/**
 * What the inbox is searched by: exactly one phone (any usual spelling) or one e-mail. The lengths
 * only bound the work; the shape is checked when the value is normalised for the blind index.
 */
export const InboxSearch = z.union([
  z.strictObject({ phone: z.string().max(64) }),
  z.strictObject({ email: z.string().max(320) }),
]);
export type InboxSearch = z.input<typeof InboxSearch>;

/** A search result's page and the inbox's other filters; the operator is the search's own. */
export const InboxSearchPage = InboxPageInput.omit({ operatorId: true });
export type InboxSearchPage = z.input<typeof InboxSearchPage>;

/** A row of the inbox: ids and codes only, nothing decrypted. */
export const InboxItem = z.object({
  id: z.uuid(),
  number: z.string(),
  operatorId: z.uuid(),
  siteId: z.uuid().nullable(),
  formId: InquiryKind,
  channel: InquiryChannel,
  status: InquiryStatus,
  statusChangedAt: z.iso.datetime().nullable(),
  assigneeStaffId: z.uuid().nullable(),
  possibleHealthData: z.boolean(),
  onBehalf: z.boolean(),
  createdAt: z.iso.datetime(),
  /** When the first contact is due (from the operator's working hours); null for older rows. */
  firstContactDueAt: z.iso.datetime().nullable(),
  /** Still new after its first contact was due (strictly after the due time). */
  overdue: z.boolean(),
});
export type InboxItem = z.infer<typeof InboxItem>;

export interface InboxPage {
  items: InboxItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export type StatusCounts = Record<InquiryStatus, number>;

export const ConsentView = z.object({
  id: z.uuid(),
  kind: z.enum(['processing', 'marketing', 'review_publication']),
  documentId: z.uuid(),
  documentVersion: z.number().int(),
  documentSha256: z.string(),
  policyVersion: z.number().int(),
  givenAt: z.iso.datetime(),
  channel: z.string(),
  formId: z.string().nullable(),
  reviewShow: ReviewShow.nullable(),
  /** Who submitted for the patient (A7), decrypted; null when the patient did. */
  representative: z.object({ name: z.string(), relation: z.string().optional() }).nullable(),
});
export type ConsentView = z.infer<typeof ConsentView>;

export const InquiryEventView = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  kind: z.enum(['status', 'note', 'assign', 'message', 'call', 'consent', 'notification', 'merge']),
  fromStatus: InquiryStatus.nullable(),
  toStatus: InquiryStatus.nullable(),
  reason: StatusReason.nullable(),
  /** Decrypted. */
  note: z.string().nullable(),
  assigneeStaffId: z.uuid().nullable(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  /** The staff member's display name, when the actor is staff. */
  actorName: z.string().nullable(),
  /** The row the event is about: a consent record, an outbox message, the merged subject. */
  refId: z.uuid().nullable(),
});
export type InquiryEventView = z.infer<typeof InquiryEventView>;

/** One inquiry, decrypted for a person allowed to read it (the read is audited). */
export const InquiryView = InboxItem.extend({
  subjectId: z.uuid(),
  page: z.string().nullable(),
  /** What the patient typed, by field name. */
  fields: z.record(z.string(), z.string()),
  subject: z.object({
    name: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
  }),
  assignee: z.object({ staffId: z.uuid(), displayName: z.string() }).nullable(),
  consents: z.array(ConsentView),
  events: z.array(InquiryEventView),
});
export type InquiryView = z.infer<typeof InquiryView>;

export interface StatusChangeResult {
  status: InquiryStatus;
  /** False when the inquiry already had this status (nothing was written). */
  changed: boolean;
}

export interface AssignResult {
  assigneeStaffId: string | null;
  changed: boolean;
}

/** An outgoing message about an inquiry and how its delivery went (nothing decrypted). */
export const DeliveryView = z.object({
  id: z.uuid(),
  channel: z.string(),
  template: z.string(),
  state: z.enum(['pending', 'sent', 'failed', 'cancelled']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
  nextAttemptAt: z.iso.datetime(),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

/** Someone an inquiry of the operator may be assigned to. */
export const AssigneeOption = z.object({
  staffId: z.uuid(),
  operatorId: z.uuid(),
  displayName: z.string(),
});
export type AssigneeOption = z.infer<typeof AssigneeOption>;

/** The most inquiries one export may hold; a larger filter is refused, never cut short. */
export const INBOX_EXPORT_MAX_ROWS = 10_000;

/** A row of the inbox's export: the inbox item and its patient's contacts, decrypted. */
export interface InboxExportRow extends InboxItem {
  subjectId: string;
  /** Null when absent, or when the subject's key is gone (a destruction under way). */
  name: string | null;
  phone: string | null;
  email: string | null;
}

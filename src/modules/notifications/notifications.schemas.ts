/**
 * What the notifications module takes and gives: the statuses that tell the patient something,
 * the channel families of a template, the placeholders a text may use, the operator's settings
 * and template inputs, and the marketing send. The schemas are the types.
 */
import { z } from 'zod';

/**
 * Statuses worth telling the patient. `new` is the intake's own confirmation; `spam` is never
 * answered (a message would confirm the address to whoever abused the form).
 */
export const NOTIFIED_STATUSES = [
  'in_progress',
  'waiting_patient',
  'appointment_made',
  'done',
  'rejected',
] as const;
export const NotifiedStatus = z.enum(NOTIFIED_STATUSES);
export type NotifiedStatus = z.infer<typeof NotifiedStatus>;

export function isNotifiedStatus(s: string): s is NotifiedStatus {
  return (NOTIFIED_STATUSES as readonly string[]).includes(s);
}

/** 'email': a subject and a text; 'short': one text for SMS and messengers. */
export const TEMPLATE_FAMILIES = ['email', 'short'] as const;
export const TemplateFamily = z.enum(TEMPLATE_FAMILIES);
export type TemplateFamily = z.infer<typeof TemplateFamily>;

/** The only values a text may print, as `{name}`. Nothing the patient wrote is among them. */
export const PLACEHOLDERS = [
  'clinic_name',
  'inquiry_number',
  'status_title',
  'clinic_phone',
  'policy_url',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
/** Marketing is about no inquiry: its texts may print the clinic's facts only. */
export const MARKETING_PLACEHOLDERS: readonly Placeholder[] = ['clinic_name', 'clinic_phone', 'policy_url'];

export const EMAIL_SUBJECT_MAX = 200;
export const EMAIL_BODY_MAX = 4000;
export const SHORT_BODY_MAX = 300;

const clockTime = z
  .string()
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Время в формате ЧЧ:ММ, например 21:00 / Time as HH:MM');

/** The operator's settings as the console form gives them. */
export const SettingsInput = z
  .strictObject({
    /** null: no quiet hours at all. */
    quietHours: z.strictObject({ start: clockTime, end: clockTime }).nullable(),
    smsNotices: z.boolean(),
    clinicPhone: z
      .string()
      .trim()
      .max(60, 'Не длиннее 60 символов / At most 60 characters')
      .regex(/^[0-9+()\-.\s]*$/, 'Только цифры, пробелы и знаки + ( ) - / Digits, spaces and + ( ) - only')
      .transform((v) => (v === '' ? null : v))
      .nullable(),
  })
  .refine((s) => s.quietHours === null || s.quietHours.start !== s.quietHours.end, {
    path: ['quietHours', 'end'],
    message: 'Начало и конец тихих часов совпадают / Quiet hours start and end at the same time',
  });
export type SettingsInput = z.input<typeof SettingsInput>;

/** One status's template for one family: null (or empty) text keeps the default. */
export const TemplateInput = z.strictObject({
  status: NotifiedStatus,
  family: TemplateFamily,
  enabled: z.boolean(),
  subject: z.string().max(2000).nullable().optional(),
  body: z.string().max(20_000).nullable().optional(),
});
export type TemplateInput = z.input<typeof TemplateInput>;

/** A template as the console shows it: the text in force and whether it is the operator's own. */
export interface TemplateView {
  status: NotifiedStatus;
  family: TemplateFamily;
  enabled: boolean;
  /** E-mail only. */
  subject: string | null;
  body: string;
  /** The subject or the body is the operator's own wording. */
  custom: boolean;
}

export interface SettingsView {
  quietHours: { start: string; end: string } | null;
  smsNotices: boolean;
  clinicPhone: string | null;
  templates: TemplateView[];
}

/** A marketing message: to chosen subjects or to every subject with a live marketing consent. */
export const MarketingInput = z
  .strictObject({
    subjectIds: z.array(z.uuid()).min(1).max(1000).optional(),
    all: z.literal(true).optional(),
    template: z.strictObject({
      subject: z.string().max(2000),
      text: z.string().max(20_000),
    }),
  })
  .refine((m) => (m.subjectIds === undefined) !== (m.all === undefined), {
    path: ['subjectIds'],
    message: 'Укажите получателей или «всем» / Give the recipients or all',
  });
export type MarketingInput = z.input<typeof MarketingInput>;

export interface MarketingResult {
  /** Messages queued (one per subject with a live marketing consent and an e-mail). */
  queued: number;
}

/** What the status-change hook receives (contract 6). */
export interface StatusChangeEvent {
  operatorId: string;
  inquiryId: string;
  subjectId: string;
  from: string;
  to: string;
  at: Date;
}

/** What the unsubscribe page shows for a token. */
export interface UnsubscribeView {
  clinicName: string;
  /** The subject has no live marketing consent left at this operator. */
  withdrawn: boolean;
}

/**
 * Intake: what a submission is made of (the shared contract of issue 3) and what it can come to.
 * The field values stay raw strings here; fields.ts validates them per form.
 */
import { z } from 'zod';
import { FormId } from '../policy/index.ts';

export const INTAKE_CHANNELS = ['web_form', 'widget', 'api'] as const;
export const IntakeChannel = z.enum(INTAKE_CHANNELS);
export type IntakeChannel = z.infer<typeof IntakeChannel>;

export const ReviewShow = z.enum(['first_name_initial', 'first_name', 'anonymous']);
export type ReviewShow = z.infer<typeof ReviewShow>;

export const IntakeConsents = z.strictObject({
  processing: z.boolean(),
  marketing: z.boolean(),
  reviewPublication: z.strictObject({ allowed: z.boolean(), show: ReviewShow }).optional(),
});
export type IntakeConsents = z.infer<typeof IntakeConsents>;

export const OnBehalf = z.strictObject({
  representativeName: z.string().max(100_000),
  relation: z.string().max(100_000).optional(),
});
export type OnBehalf = z.infer<typeof OnBehalf>;

/** An idempotency key: the form token's, or the API client's own. */
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9:_.-]{8,200}$/, 'Ключ идемпотентности: 8–200 символов A-Z a-z 0-9 : _ . -');

export const IntakeInput = z.strictObject({
  operatorId: z.uuid(),
  siteId: z.uuid(),
  formId: FormId,
  /** Raw strings as posted; bounded here only against abuse, per field in fields.ts. */
  fields: z.record(z.string().max(200), z.string().max(100_000)),
  consents: IntakeConsents,
  onBehalf: OnBehalf.optional(),
  channel: IntakeChannel,
  page: z.string().max(100_000),
  ip: z.string().max(100),
  userAgent: z.string().max(100_000),
  idempotencyKey: IdempotencyKey,
  /** When the form was served (from its signed token), for the minimum fill time. */
  startedAt: z.date().optional(),
  honeypot: z.string().max(100_000).optional(),
  /** The language of the page the consents were given on: it picks the document versions cited. */
  lang: z.enum(['ru', 'en']).optional(),
});
export type IntakeInput = z.input<typeof IntakeInput>;

export type SpamReason = 'honeypot' | 'too_fast' | 'rate_limited';

export type IntakeResult =
  | { kind: 'created'; inquiryId: string }
  | { kind: 'duplicate'; inquiryId: string }
  | { kind: 'invalid'; errors: Record<string, string> }
  | { kind: 'spam' }
  | { kind: 'rate_limited'; retryAfterSeconds: number };

/** The confirmation e-mail's payload in the outbox: the e-mail sender renders the text from it. */
export const INQUIRY_CONFIRMATION_TEMPLATE = 'inquiry_confirmation';

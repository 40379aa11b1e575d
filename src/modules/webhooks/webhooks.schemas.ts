/**
 * Outgoing webhooks: the events an endpoint subscribes to, what an endpoint is made from, the body
 * each event sends (ids and codes only: strict schemas, so nothing else can get in) and the views
 * of endpoints, deliveries and attempts for the console.
 *
 * @example
 *   const input = WebhookEndpointInput.parse({ url: 'https://crm.example/hooks', events: ['inquiry.created'] });
 */
import { z } from 'zod';
import {
  INQUIRY_EVENT_TYPES,
  InquiryChannel,
  InquiryKind,
  InquiryStatus,
  StatusReason,
  type InquiryEvent,
} from '../inquiries/index.ts';

/** The events an endpoint can subscribe to: the changes the inquiries module announces. */
export const WEBHOOK_EVENT_TYPES = INQUIRY_EVENT_TYPES;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** Russian first, English second, for the console and the API reference. */
export const WEBHOOK_EVENT_TITLES: Record<WebhookEventType, { ru: string; en: string }> = {
  'inquiry.created': { ru: 'Новое обращение', en: 'Inquiry created' },
  'inquiry.status_changed': { ru: 'Статус обращения изменён', en: 'Inquiry status changed' },
};

/** The request headers of every delivery. */
export const SIGNATURE_HEADER = 'Soglasie-Signature';
export const EVENT_HEADER = 'Soglasie-Event';
export const DELIVERY_HEADER = 'Soglasie-Delivery';

const description = z
  .string()
  .trim()
  .max(200)
  .refine((s) => !/\p{Cc}/u.test(s), 'Недопустимые символы / Control characters are not allowed');

/** A new endpoint. The URL's own rules (https, host) depend on the mode: see the service. */
export const WebhookEndpointInput = z.strictObject({
  url: z.string().trim().min(8).max(2000),
  events: z
    .array(WebhookEventType)
    .min(1, 'Выберите хотя бы одно событие / Choose at least one event')
    .max(WEBHOOK_EVENT_TYPES.length * 2),
  description: description.optional(),
});
export type WebhookEndpointInput = z.input<typeof WebhookEndpointInput>;

const InquiryNumber = z
  .string()
  .regex(/^\d{1,19}$/)
  .describe('Номер обращения, который сообщают пациенту / The number the patient is told');
const At = z.iso.datetime().describe('Когда это произошло (UTC) / When it happened (UTC)');

/** `data` of `inquiry.created`. */
export const InquiryCreatedData = z.strictObject({
  inquiryId: z.uuid(),
  number: InquiryNumber,
  operatorId: z.uuid(),
  status: InquiryStatus,
  formId: InquiryKind.describe('Форма или вид обращения / The form or kind of inquiry'),
  channel: InquiryChannel,
  at: At,
});
export type InquiryCreatedData = z.infer<typeof InquiryCreatedData>;

/** `data` of `inquiry.status_changed`. */
export const InquiryStatusChangedData = z.strictObject({
  inquiryId: z.uuid(),
  number: InquiryNumber,
  operatorId: z.uuid(),
  status: InquiryStatus.describe('Текущий статус (= to) / The current status (= to)'),
  from: InquiryStatus,
  to: InquiryStatus,
  reason: StatusReason.nullable().describe(
    'Код причины для rejected и spam, иначе null / Reason code for rejected and spam, else null',
  ),
  at: At,
});
export type InquiryStatusChangedData = z.infer<typeof InquiryStatusChangedData>;

const envelope = <T extends WebhookEventType, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({
    id: z.uuid().describe('Идентификатор события / The event id'),
    type: z.literal(type),
    createdAt: z.iso.datetime(),
    data,
  });

/** The JSON body of an `inquiry.created` delivery. */
export const InquiryCreatedEvent = envelope('inquiry.created', InquiryCreatedData);
/** The JSON body of an `inquiry.status_changed` delivery. */
export const InquiryStatusChangedEvent = envelope('inquiry.status_changed', InquiryStatusChangedData);

export const WEBHOOK_EVENT_SCHEMAS = {
  'inquiry.created': InquiryCreatedEvent,
  'inquiry.status_changed': InquiryStatusChangedEvent,
} as const;

/**
 * What a change announces (the inquiries module's port type). `data` holds the event's own fields;
 * the inquiry's id, number, operator and current status are added by the webhooks module.
 */
export type InquiryEventInput = InquiryEvent;

export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface WebhookEndpointDto {
  id: string;
  operatorId: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  createdAt: string;
  disabledAt: string | null;
}

export interface WebhookDeliveryDto {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  inquiryId: string | null;
  state: DeliveryState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface WebhookAttemptDto {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

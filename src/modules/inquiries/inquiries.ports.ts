/**
 * What the inquiries module calls out to, as narrow ports the composition root wires (the webhooks
 * module satisfies `InquiryEvents`). Defined here, once, so the intake, the channels' intake and
 * the workflow announce an inquiry's changes through the same type.
 */
import type { Tx } from '../../platform/db/database.ts';

/** The changes of an inquiry that are announced to outgoing webhooks. */
export const INQUIRY_EVENT_TYPES = ['inquiry.created', 'inquiry.status_changed'] as const;
export type InquiryEventType = (typeof INQUIRY_EVENT_TYPES)[number];

/**
 * One announced change. `data` holds the event's own fields (codes, ids and times only: never
 * personal data); the receiver adds the inquiry's number and current status itself.
 */
export interface InquiryEvent {
  operatorId: string;
  type: InquiryEventType;
  inquiryId: string;
  data: Record<string, string | number | boolean | null>;
}

/**
 * Outgoing webhooks: queues an event inside the transaction of the change it announces, so a
 * rolled-back change announces nothing.
 *
 * @example
 *   await events.emit(tx, { operatorId, type: 'inquiry.created', inquiryId,
 *     data: { formId: 'callback', channel: 'web_form', at: at.toISOString() } });
 */
export interface InquiryEvents {
  emit(tx: Tx, e: InquiryEvent): Promise<void>;
}

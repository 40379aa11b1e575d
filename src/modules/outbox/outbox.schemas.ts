import { z } from 'zod';

/** What a module hands the outbox: who the message is about, where it goes and its content. */
export const outboxAddSchema = z.strictObject({
  operatorId: z.uuid(),
  subjectId: z.uuid(),
  /** A channel a sender is registered for: `email` now; `sms`, `telegram`, ... later. */
  channel: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  /** The template's name, kept in clear for statistics and support; the content is encrypted. */
  template: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/),
  /**
   * The rendered message for the channel: e-mail `{ to, subject, text, html?, unsubscribeUrl? }`,
   * sms `{ to: '+7…', text }`, telegram `{ chatId, text }`, whatsapp `{ to: '7…', text }`, max
   * `{ userId, text }`.
   */
  payload: z.record(z.string(), z.unknown()),
  /** The inquiry the message is about, so the inquiry shows its delivery state. */
  inquiryId: z.uuid().optional(),
  /**
   * Bound by the operator's quiet hours (status notices, marketing): queued for the next allowed
   * moment, and never sent or retried inside them. Replies in a conversation are not.
   */
  quietHours: z.boolean().optional(),
});
export type OutboxAddInput = z.infer<typeof outboxAddSchema>;

export const OUTBOX_STATES = ['pending', 'sent', 'failed', 'cancelled'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

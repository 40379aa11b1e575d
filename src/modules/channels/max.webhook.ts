/**
 * MAX Bot API updates (https://dev.max.ru/docs-api), as a webhook subscription (`POST
 * /subscriptions` with `url` and `secret`) delivers them: one JSON `Update` per request, with the
 * secret in `X-Max-Bot-Api-Secret`. A `message_created` update in a dialog with a person becomes a
 * message event; the patient is the sender's `user_id` (a blind index, `max`), answered by user id.
 * The message's `body.mid` is the replay key. Other updates are acknowledged and ignored; a
 * replay is answered 200 (MAX, like Telegram, retries what is not 2xx).
 *
 * @example
 *   parseMaxUpdate({ update_type: 'message_created', timestamp: 1739184000000, message: {
 *     sender: { user_id: 54321, first_name: 'Анна', is_bot: false },
 *     recipient: { chat_id: -100, chat_type: 'dialog' }, timestamp: 1739184000000,
 *     body: { mid: 'mid.1', seq: 0, text: 'Здравствуйте' } } });
 */
import { z } from 'zod';
import { displayName, malformed, MAX_TEXT_CHARS, type InboundEvent } from './inbound.schemas.ts';

const id = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

const Sender = z.object({
  user_id: id.positive(),
  first_name: z.string().max(1000).nullish(),
  last_name: z.string().max(1000).nullish(),
  name: z.string().max(1000).nullish(),
  is_bot: z.boolean().optional(),
});

const Message = z.object({
  sender: Sender.nullish(),
  recipient: z.object({ chat_id: id.nullish(), chat_type: z.string().optional() }),
  timestamp: z.number(),
  body: z.object({
    mid: z.string().min(1).max(200),
    seq: z.number().optional(),
    text: z.string().max(MAX_TEXT_CHARS).nullish(),
    attachments: z
      .array(z.object({ type: z.string().max(50) }))
      .max(100)
      .nullish(),
  }),
});

export const MaxUpdate = z.object({
  update_type: z.string().max(100),
  timestamp: z.number(),
  message: Message.optional(),
});

/** The update's events: none, or one message. ValidationFailed for a malformed update. */
export function parseMaxUpdate(json: unknown): InboundEvent[] {
  const r = MaxUpdate.safeParse(json);
  if (!r.success) throw malformed(r.error.issues);
  const u = r.data;
  const m = u.message;
  if (u.update_type !== 'message_created' || !m) return [];
  if (m.recipient.chat_type !== 'dialog' || !m.sender || m.sender.is_bot === true) return [];
  const attachment = m.body.attachments?.[0]?.type;
  const text = m.body.text ?? (attachment ? `[${attachment}]` : undefined);
  if (text === undefined || text === '') return [];
  const userId = String(m.sender.user_id);
  return [
    {
      eventId: m.body.mid,
      kind: 'message',
      messenger: { field: 'max', id: userId },
      name: displayName(m.sender.first_name, m.sender.last_name) ?? displayName(m.sender.name) ?? 'MAX',
      replyTo: userId,
      text,
      opens: true,
    },
  ];
}

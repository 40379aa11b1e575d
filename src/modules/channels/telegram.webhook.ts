/**
 * Telegram Bot API updates (https://core.telegram.org/bots/api#update), as the webhook set with
 * `setWebhook(url, secret_token)` delivers them: a JSON `Update` per request, with the secret token
 * in `X-Telegram-Bot-Api-Secret-Token`. A text (or captioned) message from a person in a private
 * chat becomes a message event; the patient is the sender's user id (a blind index, `telegram`),
 * answered in that chat. Everything else (edits, group chats, bots, button presses) is
 * acknowledged and ignored. Telegram retries any answer other than 2xx and holds the following
 * updates back meanwhile, so a replay (an `update_id` already stored) is answered 200, not 4xx.
 *
 * @example
 *   parseTelegramUpdate({ update_id: 10, message: { message_id: 1, date: 1700000000,
 *     from: { id: 42, is_bot: false, first_name: 'Анна' }, chat: { id: 42, type: 'private' },
 *     text: 'Здравствуйте' } });
 *   // [{ eventId: '10', kind: 'message', messenger: { field: 'telegram', id: '42' }, replyTo: '42', … }]
 */
import { z } from 'zod';
import { displayName, malformed, MAX_TEXT_CHARS, type InboundEvent } from './inbound.schemas.ts';

const User = z.object({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  is_bot: z.boolean().optional(),
  first_name: z.string().max(1000),
  last_name: z.string().max(1000).optional(),
});

// Loose: the kind of attachment is told by which key the message has.
const Message = z.looseObject({
  message_id: z.number().int(),
  date: z.number().int(),
  from: User.optional(),
  chat: z.object({
    id: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
    type: z.string(),
  }),
  text: z.string().max(MAX_TEXT_CHARS).optional(),
  caption: z.string().max(MAX_TEXT_CHARS).optional(),
});

export const TelegramUpdate = z.object({
  update_id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  message: Message.optional(),
});

const ATTACHMENTS = [
  'photo',
  'document',
  'voice',
  'audio',
  'video',
  'video_note',
  'animation',
  'sticker',
  'contact',
  'location',
] as const;

/** The update's events: none, or one message. ValidationFailed for a malformed update. */
export function parseTelegramUpdate(json: unknown): InboundEvent[] {
  const r = TelegramUpdate.safeParse(json);
  if (!r.success) throw malformed(r.error.issues);
  const m = r.data.message;
  if (!m || m.chat.type !== 'private' || !m.from || m.from.is_bot === true) return [];
  const attachment = ATTACHMENTS.find((k) => k in m);
  const text = m.text ?? m.caption ?? (attachment ? `[${attachment}]` : undefined);
  if (text === undefined) return [];
  const id = String(m.from.id);
  return [
    {
      eventId: String(r.data.update_id),
      kind: 'message',
      messenger: { field: 'telegram', id },
      name: displayName(m.from.first_name, m.from.last_name) ?? 'Telegram',
      replyTo: String(m.chat.id),
      text,
      opens: true,
    },
  ];
}

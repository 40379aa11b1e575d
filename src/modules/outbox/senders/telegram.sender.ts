/**
 * The Telegram channel through the Bot API's `sendMessage` (`POST <apiBaseUrl>/bot<token>/sendMessage`
 * with `{ chat_id, text }`), with each operator's own bot. The payload is `{ chatId, text }`: the
 * chat the patient wrote from (a numeric id) and plain text of at most 4096 characters.
 *
 * Replies, as the Bot API documents them (`{ ok, result }` or `{ ok: false, error_code,
 * description, parameters }`):
 * - `ok: true`: delivered;
 * - 429 Too Many Requests: retried no sooner than `parameters.retry_after` seconds (`telegram-429`);
 * - 403 Forbidden (the user blocked the bot, or never started it) and 400 Bad Request (chat not
 *   found, text refused): refused for good (`refused:telegram-403`, `refused:telegram-400`);
 * - 401/404 (a revoked or wrong token), 5xx, a network failure: retried (`telegram-401`, ...).
 * Only these codes are recorded; the description, which can quote the chat, never is.
 *
 * @example
 *   const telegram = createTelegramSender(channelConnections);
 *   await outbox.add(tx, { operatorId, subjectId, channel: 'telegram', template: 'reply',
 *     payload: { chatId: '123456789', text: 'Здравствуйте! ...' } });
 */
import { z } from 'zod';
import {
  ApiBaseUrl,
  credentialsOf,
  providerRequest,
  retryAfterMs,
  type ChannelCredentialSource,
  requestOptions,
  type ProviderSenderOptions,
} from './provider-http.ts';
import { SendFailed, SendRefused, type Sender } from './sender.ts';

export const TELEGRAM_CHANNEL = 'telegram';
export const TELEGRAM_TEXT_MAX = 4096;

export const telegramPayloadSchema = z.object({
  chatId: z.string().regex(/^-?\d{1,20}$/),
  text: z.string().min(1).max(TELEGRAM_TEXT_MAX),
});
export type TelegramPayload = z.infer<typeof telegramPayloadSchema>;

const Credentials = z.object({
  botToken: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/),
  apiBaseUrl: ApiBaseUrl,
});

const Reply = z.object({
  ok: z.boolean(),
  error_code: z.number().int().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});

export function createTelegramSender(
  credentials: ChannelCredentialSource,
  o: ProviderSenderOptions = {},
): Sender {
  const timeout = requestOptions(o);
  return {
    channel: TELEGRAM_CHANNEL,
    send: async (message) => {
      const p = telegramPayloadSchema.safeParse(message.payload);
      if (!p.success) throw new SendRefused('invalid_payload');
      const c = await credentialsOf(credentials, message.operatorId, 'telegram', 'telegram', Credentials);
      const r = await providerRequest(
        'telegram',
        `${c.apiBaseUrl}/bot${c.botToken}/sendMessage`,
        { method: 'POST', json: { chat_id: p.data.chatId, text: p.data.text } },
        timeout,
      );
      const reply = Reply.safeParse(r.body);
      if (r.status === 200 && reply.success && reply.data.ok) return;
      const status = reply.success ? (reply.data.error_code ?? r.status) : r.status;
      if (status === 429) {
        throw new SendFailed('telegram-429', retryAfterMs(reply.data?.parameters?.retry_after));
      }
      if (status === 400 || status === 403) throw new SendRefused(`telegram-${status}`);
      // A 200 without `ok: true` is not a delivery either: a proxy or a half-broken reply.
      throw new SendFailed(`telegram-${status === 200 ? 'bad_reply' : status}`);
    },
  };
}

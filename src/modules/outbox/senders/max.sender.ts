/**
 * The MAX channel through the MAX Bot API (dev.max.ru): `POST <apiBaseUrl>/messages?user_id=<id>`
 * with the bot's token in the `Authorization` header (MAX no longer accepts it as a query
 * parameter) and `{ text }` as the body. `apiBaseUrl` is `https://platform-api2.max.ru` by default.
 * The payload is `{ userId, text }` (a numeric user id; at most 4000 characters).
 *
 * Replies: 200 with the sent `message` is a delivery; 400 (a malformed request), 403 (the user has
 * not started or has blocked the bot) and 404 (no such user) are refused for good
 * (`refused:max-403`); 401 (a wrong token), 429 (too many requests: MAX allows two messages a
 * second per dialog), 5xx and network failures are retried (`max-429`).
 *
 * @example
 *   const max = createMaxSender(channelConnections);
 *   await outbox.add(tx, { operatorId, subjectId, channel: 'max', template: 'reply',
 *     payload: { userId: '123456', text: 'Здравствуйте! ...' } });
 */
import { z } from 'zod';
import {
  ApiBaseUrl,
  credentialsOf,
  providerRequest,
  type ChannelCredentialSource,
  requestOptions,
  type ProviderSenderOptions,
} from './provider-http.ts';
import { SendFailed, SendRefused, type Sender } from './sender.ts';

export const MAX_CHANNEL = 'max';
export const MAX_TEXT_MAX = 4000;

export const maxPayloadSchema = z.object({
  userId: z.string().regex(/^\d{1,20}$/),
  text: z.string().min(1).max(MAX_TEXT_MAX),
});
export type MaxPayload = z.infer<typeof maxPayloadSchema>;

const Credentials = z.object({ botToken: z.string().min(10).max(500), apiBaseUrl: ApiBaseUrl });
const Sent = z.object({ message: z.object({}).loose() });

export function createMaxSender(credentials: ChannelCredentialSource, o: ProviderSenderOptions = {}): Sender {
  const timeout = requestOptions(o);
  return {
    channel: MAX_CHANNEL,
    send: async (message) => {
      const p = maxPayloadSchema.safeParse(message.payload);
      if (!p.success) throw new SendRefused('invalid_payload');
      const c = await credentialsOf(credentials, message.operatorId, 'max', 'max', Credentials);
      const r = await providerRequest(
        'max',
        `${c.apiBaseUrl}/messages?user_id=${p.data.userId}`,
        { method: 'POST', headers: { authorization: c.botToken }, json: { text: p.data.text } },
        timeout,
      );
      if (r.status === 200 && Sent.safeParse(r.body).success) return;
      if (r.status === 400 || r.status === 403 || r.status === 404) throw new SendRefused(`max-${r.status}`);
      throw new SendFailed(`max-${r.status === 200 ? 'bad_reply' : r.status}`);
    },
  };
}

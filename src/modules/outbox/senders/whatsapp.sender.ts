/**
 * The WhatsApp channel through the WhatsApp Cloud API: `POST <apiBaseUrl>/<phone-number-id>/messages`
 * with `Authorization: Bearer <access token>` and a text message (`messaging_product: 'whatsapp'`,
 * `type: 'text'`). `apiBaseUrl` includes the Graph API version (`https://graph.facebook.com/v21.0`).
 * The payload is `{ to: '7…' (digits, E.164 without the plus), text }` (at most 4096 characters).
 *
 * WhatsApp accepts free-form text only within 24 hours of the patient's last message (the
 * customer service window); outside it the API refuses with code 131047, recorded as
 * `refused:whatsapp-131047`. Error codes (`error.code`) are sorted into refused for good (what is
 * wrong with this message or recipient: 100, 131008, 131009, 131021, 131026, 131030, 131047,
 * 131051, 133010) and retried (rate limits 4, 80007, 130429, 131048, 131056; server trouble;
 * expired tokens and permissions, which the operator can mend; anything else).
 *
 * @example
 *   const whatsapp = createWhatsAppSender(channelConnections);
 *   await outbox.add(tx, { operatorId, subjectId, channel: 'whatsapp', template: 'reply',
 *     payload: { to: '79123456789', text: 'Здравствуйте! ...' } });
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

export const WHATSAPP_CHANNEL = 'whatsapp';
export const WHATSAPP_TEXT_MAX = 4096;

export const whatsappPayloadSchema = z.object({
  to: z.string().regex(/^[1-9]\d{6,14}$/),
  text: z.string().min(1).max(WHATSAPP_TEXT_MAX),
});
export type WhatsAppPayload = z.infer<typeof whatsappPayloadSchema>;

const Credentials = z.object({
  accessToken: z.string().min(10).max(1000),
  phoneNumberId: z.string().regex(/^\d{1,30}$/),
  apiBaseUrl: ApiBaseUrl,
});

const Sent = z.object({ messages: z.array(z.object({ id: z.string() })).min(1) });
const Failed = z.object({ error: z.object({ code: z.number().int() }) });

const PERMANENT = new Set([100, 131008, 131009, 131021, 131026, 131030, 131047, 131051, 133010]);

export function createWhatsAppSender(
  credentials: ChannelCredentialSource,
  o: ProviderSenderOptions = {},
): Sender {
  const timeout = requestOptions(o);
  return {
    channel: WHATSAPP_CHANNEL,
    send: async (message) => {
      const p = whatsappPayloadSchema.safeParse(message.payload);
      if (!p.success) throw new SendRefused('invalid_payload');
      const c = await credentialsOf(credentials, message.operatorId, 'whatsapp', 'whatsapp', Credentials);
      const r = await providerRequest(
        'whatsapp',
        `${c.apiBaseUrl}/${c.phoneNumberId}/messages`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${c.accessToken}` },
          json: {
            messaging_product: 'whatsapp',
            recipient_type: 'individual',
            to: p.data.to,
            type: 'text',
            text: { preview_url: false, body: p.data.text },
          },
        },
        timeout,
      );
      if (r.status >= 200 && r.status < 300 && Sent.safeParse(r.body).success) return;
      const failed = Failed.safeParse(r.body);
      if (!failed.success) throw new SendFailed(`whatsapp-http-${r.status}`);
      const code = failed.data.error.code;
      if (PERMANENT.has(code)) throw new SendRefused(`whatsapp-${code}`);
      throw new SendFailed(`whatsapp-${code}`);
    },
  };
}

/**
 * WhatsApp Cloud API webhooks (Meta): the GET verification handshake (`hub.mode=subscribe`,
 * `hub.verify_token`, `hub.challenge` echoed back) and POSTed notifications signed with
 * `X-Hub-Signature-256` over the raw body. A notification batches entries and changes; each
 * `messages` change for this connection's phone number id carries messages (each becomes a message
 * event: the patient is the sender's `wa_id`, a phone, answered at it; the message `id` is the
 * replay key) and statuses of messages we sent (acknowledged, not stored: the outbox keeps its own
 * delivery state). Changes for another phone number id are ignored, so one connection can never
 * write as another's. Meta retries what is not 200, so a replay is answered 200.
 *
 * @example
 *   parseWhatsAppNotification(json, '106540352242922'); // InboundEvent[]
 */
import { z } from 'zod';
import { normalizePhone } from '../../platform/crypto/blind-index.ts';
import { displayName, malformed, MAX_TEXT_CHARS, type InboundEvent } from './inbound.schemas.ts';

const Value = z.object({
  metadata: z.object({ phone_number_id: z.string().max(100) }),
  contacts: z
    .array(
      z.object({ wa_id: z.string().max(100), profile: z.object({ name: z.string().max(1000) }).optional() }),
    )
    .max(1000)
    .optional(),
  messages: z
    .array(
      z.looseObject({
        from: z.string().regex(/^\d{6,20}$/),
        id: z.string().min(1).max(200),
        type: z.string().max(50),
        text: z.object({ body: z.string().max(MAX_TEXT_CHARS) }).optional(),
      }),
    )
    .max(1000)
    .optional(),
});

export const WhatsAppNotification = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z
    .array(
      z.object({
        id: z.string().max(100),
        changes: z.array(z.object({ field: z.string().max(100), value: z.unknown() })).max(1000),
      }),
    )
    .max(1000),
});

/** A caption of a media message, when it has one (image, video, document). */
function captionOf(m: Record<string, unknown>, type: string): string | undefined {
  const media = m[type];
  if (media && typeof media === 'object' && 'caption' in media) {
    const c = (media as { caption?: unknown }).caption;
    if (typeof c === 'string' && c.length <= MAX_TEXT_CHARS) return c;
  }
  return undefined;
}

/** The messages addressed to this phone number id. ValidationFailed for a malformed notification. */
export function parseWhatsAppNotification(json: unknown, phoneNumberId: string): InboundEvent[] {
  const r = WhatsAppNotification.safeParse(json);
  if (!r.success) throw malformed(r.error.issues);
  const events: InboundEvent[] = [];
  for (const entry of r.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const v = Value.safeParse(change.value);
      if (!v.success) throw malformed(v.error.issues);
      if (v.data.metadata.phone_number_id !== phoneNumberId) continue;
      for (const m of v.data.messages ?? []) {
        const text = m.text?.body ?? captionOf(m, m.type) ?? `[${m.type}]`;
        const phone = normalizePhone(`+${m.from}`, 'from').e164;
        const name = displayName(v.data.contacts?.find((c) => c.wa_id === m.from)?.profile?.name);
        events.push({
          eventId: m.id,
          kind: 'message',
          phone,
          ...(name !== undefined ? { name } : {}),
          replyTo: m.from,
          text,
          opens: true,
        });
      }
    }
  }
  return events;
}

/** The verification handshake's answer: the challenge to echo, or undefined (403). */
export function whatsAppChallenge(
  query: Record<string, unknown>,
  verifyToken: string,
  equal: (a: string, b: string) => boolean,
): string | undefined {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') return undefined;
  // Echoed as text/plain: only what a challenge looks like, never arbitrary markup.
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(challenge)) return undefined;
  return equal(token, verifyToken) ? challenge : undefined;
}

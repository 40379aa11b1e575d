/**
 * Inbound SMS. SMS.ru's callbacks (`data[N]` form entries: `sms_status`, `callcheck_status`,
 * `test`) carry the delivery state of messages sent and call-check results, not messages received,
 * and its documentation describes no signature for them. So inbound SMS use a generic format of
 * ours, which any gateway that forwards received messages by HTTP (or a small relay) can send: one
 * JSON message per POST to `/hooks/sms/<token>`, signed like telephony events (signatures.ts:
 * `X-Soglasie-Timestamp`, `X-Soglasie-Signature` keyed by the SMS connection's webhook secret).
 *
 *   { "id": "sms-881",                  unique per message: the replay key
 *     "from": "+7 912 345-67-89",       the patient's number
 *     "to": "+7 4912 00-00-00",         optional: the clinic's number it was sent to
 *     "text": "Здравствуйте, …" }
 *
 * The patient is answered by SMS at `from`. Answers as for telephony: 200, 400, 401, 404, 409 for
 * an id already stored (do not retry it).
 *
 * @example
 *   parseInboundSms({ id: 'sms-1', from: '89123456789', text: 'Добрый день' });
 */
import { z } from 'zod';
import { normalizePhone } from '../../platform/crypto/blind-index.ts';
import { malformed, MAX_TEXT_CHARS, type InboundEvent } from './inbound.schemas.ts';

export const InboundSms = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/),
  from: z.string().min(1).max(60),
  to: z.string().max(60).optional(),
  text: z.string().min(1).max(MAX_TEXT_CHARS),
});

/** The message as an inbound event. ValidationFailed for a malformed one or a bad number. */
export function parseInboundSms(json: unknown): InboundEvent[] {
  const r = InboundSms.safeParse(json);
  if (!r.success) throw malformed(r.error.issues);
  const phone = normalizePhone(r.data.from, 'from').e164;
  return [{ eventId: r.data.id, kind: 'message', phone, replyTo: phone, text: r.data.text, opens: true }];
}

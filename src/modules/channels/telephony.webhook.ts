/**
 * Telephony events, in a format of ours modelled on Russian virtual PBXs (Mango Office, UIS and
 * the like send call events by webhook): one JSON event per POST to `/hooks/telephony/<token>`,
 * signed as described in signatures.ts (`X-Soglasie-Timestamp`, `X-Soglasie-Signature`).
 *
 *   { "id": "evt-1001",                 unique per event: the replay key (A-Z a-z 0-9 . _ : -)
 *     "type": "call.started" | "call.ended" | "call.missed",
 *     "callId": "c-77",                 optional: ties the events of one call together
 *     "direction": "inbound" | "outbound",
 *     "caller": "+7 912 345-67-89",     who called (the patient, when inbound)
 *     "callee": "+7 4912 00-00-00",     who was called (the patient, when outbound)
 *     "duration": 125,                  optional: seconds, for call.ended
 *     "recording": "rec-5531" }         optional: the PBX's recording id or URL
 *
 * Unknown fields are refused (400): the format is ours and strict. An inbound call opens an
 * inquiry (or is added to the patient's open one); an outbound call is only added to an open one.
 * Answers: 200 stored (or acknowledged), 400 malformed, 401 bad signature or a timestamp more
 * than five minutes off, 404 unknown connection, 409 an event id already stored: do not retry it.
 *
 * @example
 *   parseTelephonyEvent({ id: 'e1', type: 'call.missed', direction: 'inbound',
 *     caller: '89123456789', callee: '+74912000000' });
 */
import { z } from 'zod';
import { normalizePhone } from '../../platform/crypto/blind-index.ts';
import { malformed, type InboundEvent } from './inbound.schemas.ts';

const EventId = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/);

export const TelephonyEvent = z.strictObject({
  id: EventId,
  type: z.enum(['call.started', 'call.ended', 'call.missed']),
  callId: EventId.optional(),
  direction: z.enum(['inbound', 'outbound']),
  caller: z.string().min(1).max(60),
  callee: z.string().min(1).max(60),
  duration: z.number().int().min(0).max(86_400).optional(),
  recording: z
    .string()
    .min(1)
    .max(2000)
    .refine((s) => !/\p{Cc}/u.test(s))
    .optional(),
});
export type TelephonyEvent = z.infer<typeof TelephonyEvent>;

/** The event as an inbound call event. ValidationFailed for a malformed one or a bad number. */
export function parseTelephonyEvent(json: unknown): InboundEvent[] {
  const r = TelephonyEvent.safeParse(json);
  if (!r.success) throw malformed(r.error.issues);
  const e = r.data;
  const inbound = e.direction === 'inbound';
  const phone = normalizePhone(inbound ? e.caller : e.callee, inbound ? 'caller' : 'callee').e164;
  return [
    {
      eventId: e.id,
      kind: 'call',
      phone,
      call: {
        type: e.type,
        direction: e.direction,
        callId: e.callId ?? null,
        duration: e.duration ?? null,
        recordingRef: e.recording ?? null,
      },
      opens: inbound,
    },
  ];
}

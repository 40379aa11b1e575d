/**
 * The SMS channel through SMS.ru's HTTP API: `POST <apiBaseUrl>/sms/send` with the form fields
 * `api_id`, `to` (the number, digits only), `msg`, `json=1` and `from` when the operator has an
 * approved sender name. The payload is `{ to: '+7…' (E.164), text }`.
 *
 * SMS.ru answers with the request's `status`/`status_code` and, per number, `sms[<number>]` with
 * its own `status_code` (100: accepted). Its codes are sorted here into:
 * - refused for good (`refused:smsru-<code>`): what is wrong with this message or number, which no
 *   retry mends: 202 bad recipient, 203 no text, 205 too long, 207 no route to the number,
 *   208/210/211 a malformed request, 209 the number is on the stop list, 212 not UTF-8, 213 too
 *   many numbers;
 * - retried (`smsru-<code>`): what the operator or SMS.ru can mend meanwhile: 200 wrong api_id,
 *   201 no money on the account, 204 sender name not approved, 206 daily limit, 220 service
 *   unavailable, 230-232 limits per number, 300-302 authorisation, and any code not listed.
 *
 * @example
 *   const sms = createSmsRuSender(channelConnections);
 *   await outbox.add(tx, { operatorId, subjectId, channel: 'sms', template: 'status.done',
 *     payload: { to: '+79123456789', text: 'МРТ Люкс: заявка № 42 выполнена.' }, quietHours: true });
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

export const SMS_CHANNEL = 'sms';
/** SMS.ru refuses texts longer than 8 parts (code 205); 8 × 67 Cyrillic characters is the floor. */
export const SMS_TEXT_MAX = 536;

export const smsPayloadSchema = z.object({
  to: z.string().regex(/^\+[1-9]\d{6,14}$/),
  text: z.string().min(1).max(SMS_TEXT_MAX),
});
export type SmsPayload = z.infer<typeof smsPayloadSchema>;

const Credentials = z.object({
  apiId: z.string().regex(/^[A-Za-z0-9-]{8,100}$/),
  from: z.string().min(1).max(11).optional().nullable(),
  apiBaseUrl: ApiBaseUrl,
});

const Code = z.coerce.number().int();
const Reply = z.object({
  status: z.string(),
  status_code: Code,
  sms: z.record(z.string(), z.object({ status: z.string(), status_code: Code })).optional(),
});

/** Codes that mean "this message to this number will never go": the rest are retried. */
const PERMANENT = new Set([202, 203, 205, 207, 208, 209, 210, 211, 212, 213]);

function fail(code: number): never {
  if (PERMANENT.has(code)) throw new SendRefused(`smsru-${code}`);
  throw new SendFailed(`smsru-${code}`);
}

export function createSmsRuSender(
  credentials: ChannelCredentialSource,
  o: ProviderSenderOptions = {},
): Sender {
  const timeout = requestOptions(o);
  return {
    channel: SMS_CHANNEL,
    send: async (message) => {
      const p = smsPayloadSchema.safeParse(message.payload);
      if (!p.success) throw new SendRefused('invalid_payload');
      const c = await credentialsOf(credentials, message.operatorId, 'sms_ru', 'smsru', Credentials);
      const number = p.data.to.slice(1);
      const form = new URLSearchParams({ api_id: c.apiId, to: number, msg: p.data.text, json: '1' });
      if (c.from) form.set('from', c.from);
      const r = await providerRequest('smsru', `${c.apiBaseUrl}/sms/send`, { method: 'POST', form }, timeout);
      if (r.status !== 200) throw new SendFailed(`smsru-http-${r.status}`);
      const reply = Reply.safeParse(r.body);
      if (!reply.success) throw new SendFailed('smsru-bad_reply');
      // The request as a whole (authorisation, balance, sender name) first, then this number.
      if (reply.data.status !== 'OK' || reply.data.status_code !== 100) fail(reply.data.status_code);
      const mine = reply.data.sms?.[number];
      if (!mine) throw new SendFailed('smsru-bad_reply');
      if (mine.status !== 'OK' || mine.status_code !== 100) fail(mine.status_code);
    },
  };
}

/**
 * How each provider's webhook proves it is the provider, checked over the exact bytes received:
 *
 * - Telegram: the `secret_token` given to setWebhook comes back in `X-Telegram-Bot-Api-Secret-Token`.
 * - MAX: the subscription's `secret` comes back in `X-Max-Bot-Api-Secret`.
 * - WhatsApp Cloud API (Meta): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed
 *   by the app secret>`.
 * - Ours (telephony, inbound SMS): `X-Soglasie-Timestamp: <unix seconds>` and
 *   `X-Soglasie-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>", keyed by the
 *   connection's secret>`; a timestamp more than five minutes away from our clock is refused, so a
 *   captured request cannot be sent again later (within the window, the event id stops it).
 *
 * Every comparison is constant-time.
 *
 * @example
 *   const ts = Math.floor(Date.now() / 1000);
 *   const sig = signTimestamped(secret, ts, body); // 'sha256=…'
 *   verifyTimestamped(body, { timestamp: String(ts), signature: sig }, secret, new Date()); // 'ok'
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';
export const MAX_SECRET_HEADER = 'x-max-bot-api-secret';
export const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';
export const TIMESTAMP_HEADER = 'x-soglasie-timestamp';
export const SIGNATURE_HEADER = 'x-soglasie-signature';

/** How far a signed timestamp may be from our clock, either way. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

/** Equal strings, compared in constant time whatever their lengths (their digests are compared). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** One header's value; a repeated header is refused (which copy would be the real one?). */
export function singleHeader(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A shared-secret header (Telegram, MAX): present and equal to the secret. */
export function verifySecretHeader(header: string | undefined, secret: string | undefined): boolean {
  if (header === undefined || secret === undefined || secret === '') return false;
  return safeEqual(header, secret);
}

export function hmacSha256Hex(key: string, ...parts: (string | Buffer)[]): string {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Meta's `X-Hub-Signature-256` over the raw body, keyed by the app secret. */
export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (header === undefined || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  return safeEqual(header.slice(7).toLowerCase(), hmacSha256Hex(appSecret, rawBody));
}

/** Our signature of a request body at a moment (what a PBX or SMS gateway sends). */
export function signTimestamped(secret: string, timestampSeconds: number, rawBody: Buffer | string): string {
  return `sha256=${hmacSha256Hex(secret, `${timestampSeconds}.`, rawBody)}`;
}

export type TimestampedCheck = 'ok' | 'bad_signature' | 'stale';

/**
 * Our timestamped HMAC. The signature is checked first (an unsigned request learns nothing about
 * the clock), then the age: exactly five minutes either way is still accepted.
 */
export function verifyTimestamped(
  rawBody: Buffer,
  headers: { timestamp: string | undefined; signature: string | undefined },
  secret: string,
  now: Date,
): TimestampedCheck {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return 'bad_signature';
  if (signature === undefined || !/^sha256=[0-9a-fA-F]{64}$/.test(signature)) return 'bad_signature';
  const expected = hmacSha256Hex(secret, `${timestamp}.`, rawBody);
  if (!safeEqual(signature.slice(7).toLowerCase(), expected)) return 'bad_signature';
  const skew = Math.abs(now.getTime() - Number(timestamp) * 1000);
  return skew > MAX_SIGNATURE_AGE_MS ? 'stale' : 'ok';
}

/**
 * Signing a delivery, as integrators verify it (the README's API section shows the same check):
 *
 *   Soglasie-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The HMAC key is the whole secret string as shown once at creation (`whsec_…`, its UTF-8 bytes).
 * The time is inside the signed text, so a receiver that refuses old `t` values (five minutes is
 * usual) cannot be fed a recorded delivery later; `Soglasie-Delivery` is the id to drop repeats by.
 *
 * @example
 *   const header = signatureHeader(secret, 1767225600, body); // 't=1767225600,v1=5f2c…'
 *   verifySignature(secret, header, body, { nowSeconds: 1767225630 }); // true
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.${body}`, 'utf8')
    .digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/**
 * The receiver's check: the header parses, one of its `v1` values matches in constant time, and
 * `t` is within `toleranceSeconds` (default 300) of the receiver's clock.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  o: { nowSeconds: number; toleranceSeconds?: number },
): boolean {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) v1.push(v);
  }
  if (t === undefined || v1.length === 0) return false;
  if (Math.abs(o.nowSeconds - t) > (o.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(secret, t, body), 'hex');
  return v1.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}

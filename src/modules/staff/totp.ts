/**
 * TOTP (RFC 6238) with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s.
 * A code is accepted one step either side of now (clock drift on phones), and its time step is
 * returned so the caller can refuse a second use of the same step.
 *
 * @example
 *   const secret = newTotpSecret();
 *   const step = checkTotp(secret, '123456', clock.now()); // bigint step, or undefined
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import QRCode from 'qrcode';
import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;
const DIGITS = 6;
const ALGORITHM = 'SHA1';
const ISSUER = 'Soglasie';

export function newTotpSecret(): Buffer {
  // 160 bits, the size RFC 4226 recommends for HMAC-SHA-1.
  return randomBytes(20);
}

function totpOf(secret: Buffer, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD,
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
  });
}

/** The step a code matches at `now` (within one step of drift), or undefined. */
export function checkTotp(secret: Buffer, code: string, now: Date): bigint | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const totp = totpOf(secret, 'check');
  const timestamp = now.getTime();
  const delta = totp.validate({ token, timestamp, window: 1 });
  if (delta === null) return undefined;
  return BigInt(totp.counter({ timestamp }) + delta);
}

/** The code for `now`; for tests and for nothing else. */
export function totpCodeAt(secret: Buffer, at: Date): string {
  return totpOf(secret, 'x').generate({ timestamp: at.getTime() });
}

export interface TotpEnrolment {
  /** Base32, grouped by four for typing into an app by hand. */
  secretText: string;
  uri: string;
  /** An SVG QR code of the URI as a data: URL for an <img>. */
  qrDataUrl: string;
}

export async function enrolmentOf(secret: Buffer, accountLabel: string): Promise<TotpEnrolment> {
  const totp = totpOf(secret, accountLabel);
  const uri = totp.toString();
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return {
    secretText: totp.secret.base32.replace(/(.{4})(?=.)/g, '$1 '),
    uri,
    qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
  };
}

// Recovery codes: 10 groups of `xxxxx-xxxxx` from an alphabet without look-alikes (no 0/o, 1/l/i),
// 49 bits each; stored only as SHA-256, which is enough at that entropy (no dictionary to try).
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCodes(): string[] {
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    let s = '';
    for (let j = 0; j < 10; j++) s += ALPHABET[randomInt(ALPHABET.length)];
    codes.push(`${s.slice(0, 5)}-${s.slice(5)}`);
  }
  return codes;
}

/** Normalises what a person typed (case, spaces, dashes) and hashes it. */
export function recoveryCodeHash(code: string): Buffer {
  const normalised = code.toLowerCase().replace(/[\s-]+/g, '');
  return createHash('sha256').update(`soglasie/recovery-code/${normalised}`).digest();
}

export function looksLikeTotp(code: string): boolean {
  return /^\d{6}$/.test(code.replace(/\s+/g, ''));
}

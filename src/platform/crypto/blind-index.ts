/**
 * Blind indexes: a keyed HMAC-SHA256 of a normalised phone (E.164) or e-mail (trimmed, lower-case),
 * so subjects can be found and de-duplicated by exact match without decrypting anyone. The key is
 * per operator (the keyring's `blind-index:<operatorId>`), so equal phones of two clinics do not
 * produce equal indexes, and the field name is mixed in, so a phone index never equals an e-mail's.
 *
 * Normalisation is what makes `8 (912) 345-67-89`, `+7 912 345 67 89` and `89123456789` one
 * person: all three become `+79123456789` before hashing.
 *
 * @example
 *   const phone = normalizePhone('8 (912) 345-67-89'); // { e164: '+79123456789', stored: '+79123456789' }
 *   const idx = blindIndex(key, 'phone', phone.e164); // 32 bytes, stored in the keyring's subject_lookup
 */
import { createHmac } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';

/**
 * What an index is over: a phone (E.164), an e-mail, or a messenger's user id (Telegram, MAX) for
 * patients who write from a messenger that does not reveal their phone.
 */
export type BlindIndexField = 'phone' | 'email' | 'telegram' | 'max';

export interface NormalizedPhone {
  /** E.164, the value the blind index is computed over. */
  e164: string;
  /** What is kept (encrypted): E.164 plus an extension if one was given (`+74912123456;ext=12`). */
  stored: string;
}

// Only what people type into a phone field: digits, spaces, + - ( ) . and an extension marker.
// Anything else (letters, `tel:` prefixes, several numbers) is refused rather than guessed at.
const PHONE_CHARS = /^\+?[\d\s().-]{5,30}(\s*(доб\.?|ext\.?|x)\s*\d{1,6})?$/iu;

/**
 * Parses a phone number as a person would write it (Russia by default) into E.164. Throws
 * AppError(ValidationFailed) with a field issue at `path`; the message never repeats the value.
 */
export function normalizePhone(
  input: string,
  path = 'phone',
  defaultCountry: CountryCode = 'RU',
): NormalizedPhone {
  const text = input.trim();
  const parsed = PHONE_CHARS.test(text)
    ? parsePhoneNumberFromString(text, { defaultCountry, extract: false })
    : undefined;
  if (!parsed?.isValid()) {
    throw invalid(path, 'Номер телефона указан неверно / The phone number is not valid');
  }
  const e164 = parsed.number;
  return { e164, stored: parsed.ext ? `${e164};ext=${parsed.ext}` : e164 };
}

const emailShape = z.email();

/** Trims and lower-cases an e-mail after checking its shape; throws like normalizePhone. */
export function normalizeEmail(input: string, path = 'email'): string {
  const e = input.trim().toLowerCase();
  if (e.length > 254 || !emailShape.safeParse(e).success) {
    throw invalid(path, 'Адрес электронной почты указан неверно / The e-mail address is not valid');
  }
  return e;
}

/**
 * HMAC-SHA256 over a normalised value. The domain prefix and field name keep indexes of different
 * fields (and any future version of this scheme) from ever colliding.
 */
export function blindIndex(key: Buffer, field: BlindIndexField, normalized: string): Buffer {
  if (key.length < 32) throw new Error('A blind-index key needs at least 32 bytes');
  return createHmac('sha256', key)
    .update(`soglasie/blind-index/v1/${field}\u0000`)
    .update(normalized, 'utf8')
    .digest();
}

function invalid(path: string, message: string): AppError {
  return new AppError(ErrorCode.ValidationFailed, 'The request did not pass validation', {
    fields: [{ path, message }],
  });
}

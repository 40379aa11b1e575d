/**
 * What every provider's webhook comes down to: events from a patient (a message or a call), with
 * who they are (a phone, or a messenger account), where to answer them, and the provider's own id
 * of the event (replay protection). The providers' parsers (`*.webhook.ts`) produce these; the
 * inbound service stores them. Also the small pieces the parsers share.
 */
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { MessengerIdentity } from '../subjects/index.ts';

/** A call's details, kept sealed on the inquiry's `call` event. */
export interface CallDetails {
  type: 'call.started' | 'call.ended' | 'call.missed';
  direction: 'inbound' | 'outbound';
  callId: string | null;
  /** Seconds, when the call has ended. */
  duration: number | null;
  /** The telephony system's reference to the recording (an id or a URL). */
  recordingRef: string | null;
}

export interface InboundEvent {
  /** The provider's id of the event: a second delivery of it is a replay. */
  eventId: string;
  kind: 'message' | 'call';
  /** The patient's phone, already normalised to E.164. */
  phone?: string;
  /** The patient's messenger account, when the provider identifies them by one. */
  messenger?: MessengerIdentity;
  /** The name the provider shows (a profile name); kept only for a new patient. */
  name?: string;
  /** Where the patient is answered on this channel (chat id, user id, phone). */
  replyTo?: string;
  /** A message's text (or a note of what was attached). */
  text?: string;
  call?: CallDetails;
  /** False: only added to an open inquiry, never opens one (a call the clinic made). */
  opens: boolean;
}

/** The longest message text kept; a provider's message never comes near it. */
export const MAX_TEXT_CHARS = 10_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The raw body as JSON, as strictly as the app's own JSON parser: valid UTF-8, no NUL (raw or
 * escaped), `__proto__` keys dropped. InvalidJson or BadRequest otherwise; never echoes the body.
 */
export function parseJsonBody(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    throw new AppError(ErrorCode.InvalidJson, 'The request body is empty');
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new AppError(ErrorCode.BadRequest, 'The request body is not valid UTF-8');
  }
  if (text.includes('\u0000') || /\\u0000/i.test(text)) {
    throw new AppError(ErrorCode.BadRequest, 'NUL characters are not allowed');
  }
  try {
    return JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v));
  } catch {
    throw new AppError(ErrorCode.InvalidJson, 'The request body is not valid JSON');
  }
}

/** A display name as a subject's name: control characters out, at most 300 characters, or none. */
export function displayName(...parts: (string | null | undefined)[]): string | undefined {
  const s = parts
    .filter((p): p is string => typeof p === 'string')
    .join(' ')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return s === '' ? undefined : [...s].slice(0, 300).join('');
}

/** A payload that does not have the provider's documented shape: 400, naming paths only. */
export function malformed(issues: readonly { path: PropertyKey[] }[] = []): AppError {
  return new AppError(ErrorCode.ValidationFailed, 'The webhook payload is malformed', {
    fields: issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), message: 'invalid' })),
  });
}

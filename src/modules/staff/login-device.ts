/**
 * Device cookies for the sign-in lockout (OWASP's "device cookie" scheme). A browser that has
 * signed in to an account carries a token bound to that account; its attempts on the account are
 * throttled on their own (account, device) counter and are exempt from the per-address and the
 * account-wide counters. So many people behind one address (a clinic's NAT, a mobile carrier) or
 * an attacker spreading guesses over many addresses cannot lock staff out of their own browsers,
 * while unknown browsers stay throttled per address and per account.
 *
 * The cookie holds up to five tokens (a shared reception PC), each `<nonce>.<mac>` with the MAC an
 * HMAC of the staff id and the nonce, so a token is useless for another account and cannot be
 * made without the key. Nothing in it names the person.
 *
 * @example
 *   const device = await knownDevice(keys, staff.id, req.cookies[DEVICE_COOKIE]); // nonce | undefined
 *   reply.setCookie(DEVICE_COOKIE, await withDevice(keys, staff.id, cookie), deviceCookieOptions(config));
 */
import { timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config/config.ts';
import { randomToken } from '../../platform/ids.ts';
import type { StaffKeys } from './staff-keys.ts';

export const DEVICE_COOKIE = 'sg_device';
const MAX_TOKENS = 5;
const TOKEN = /^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/u;

function tokensOf(cookie: string | undefined): { nonce: string; mac: string }[] {
  if (!cookie || cookie.length > 1000) return [];
  const out = [];
  for (const t of cookie.split('~').slice(0, MAX_TOKENS)) {
    const m = TOKEN.exec(t);
    if (m) out.push({ nonce: m[1]!, mac: m[2]! });
  }
  return out;
}

function macOf(keys: StaffKeys, staffId: string, nonce: string): Promise<string> {
  return keys.hmac('login-throttle', `device:${staffId}:${nonce}`);
}

/** The nonce of this account's token in the cookie, or undefined when it carries none. */
export async function knownDevice(
  keys: StaffKeys,
  staffId: string,
  cookie: string | undefined,
): Promise<string | undefined> {
  for (const t of tokensOf(cookie)) {
    const expected = Buffer.from(await macOf(keys, staffId, t.nonce));
    if (timingSafeEqual(expected, Buffer.from(t.mac))) return t.nonce;
  }
  return undefined;
}

/** The cookie's new value after a successful sign-in: this account's token first, then up to four others. */
export async function withDevice(
  keys: StaffKeys,
  staffId: string,
  cookie: string | undefined,
): Promise<string> {
  const nonce = (await knownDevice(keys, staffId, cookie)) ?? randomToken(16);
  const mine = `${nonce}.${await macOf(keys, staffId, nonce)}`;
  const others = tokensOf(cookie)
    .filter((t) => t.nonce !== nonce)
    .map((t) => `${t.nonce}.${t.mac}`);
  return [mine, ...others].slice(0, MAX_TOKENS).join('~');
}

/** Sent only to the sign-in pages, kept half a year. */
export function deviceCookieOptions(config: Pick<Config, 'secureCookies'>) {
  return {
    path: '/console/login',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.secureCookies,
    maxAge: 183 * 24 * 3600,
  };
}

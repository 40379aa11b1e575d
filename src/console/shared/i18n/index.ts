/**
 * Which language a console page speaks: a signed-in person's own setting (staff.locale), otherwise
 * the `sg_lang` cookie the language switch sets, otherwise Russian.
 *
 * @example
 *   const t = dictionaryFor(localeOf(req));
 *   html`<h1>${t.login.title}</h1>`;
 */
import type { FastifyRequest } from 'fastify';
import type { Locale } from '../../../modules/staff/index.ts';
import { en } from './en.ts';
import { ru, type Dictionary } from './ru.ts';

export type { Dictionary };

export const LANG_COOKIE = 'sg_lang';

export function dictionaryFor(locale: Locale): Dictionary {
  switch (locale) {
    case 'ru':
      return ru;
    case 'en':
      return en;
  }
}

export function parseLocale(value: unknown): Locale | undefined {
  return value === 'ru' || value === 'en' ? value : undefined;
}

export function localeOf(req: FastifyRequest): Locale {
  const session = req.staffSession;
  // A session still waiting for its second factor does not yet speak for the account.
  if (session && session.stage !== 'mfa') return session.locale;
  const cookies = (req as { cookies?: Record<string, string | undefined> }).cookies;
  return parseLocale(cookies?.[LANG_COOKIE]) ?? 'ru';
}

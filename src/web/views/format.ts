import type { Lang } from './texts.ts';

/**
 * Dates as the site shows them: in the operator's time zone, in the page's language ("21 ноября
 * 2026", "21 November 2026").
 */
export function formatDate(at: Date | string, timeZone: string, lang: Lang = 'ru'): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'ru-RU', { dateStyle: 'long', timeZone })
    .format(d)
    .replace(/ г\.$/u, '');
}

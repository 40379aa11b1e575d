/**
 * The public site's two languages in its URLs: Russian at the root (`/about`), English under `/en`
 * (`/en/about`, the home page `/en/`). Handlers and pages work with unprefixed paths and ask here
 * for the one to link to.
 *
 * @example
 *   localPath('en', '/about'); // '/en/about'
 *   localPath('en', '/'); // '/en/'
 *   langOfPath('/en/privacy?x=1'); // 'en'
 */
import type { Lang } from './texts.ts';

export const LANGS: readonly Lang[] = ['ru', 'en'];

/** The path of a page in a language, from its unprefixed path (which may carry a query). */
export function localPath(lang: Lang, path: string): string {
  return lang === 'ru' ? path : `/en${path}`;
}

/** The language a request's URL is in: English under `/en`, Russian everywhere else. */
export function langOfPath(url: string): Lang {
  return /^\/en(?:[/?#]|$)/.test(url) ? 'en' : 'ru';
}

/** The other language: where the switch in the header leads. */
export function otherLang(lang: Lang): Lang {
  return lang === 'ru' ? 'en' : 'ru';
}

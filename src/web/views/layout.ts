/**
 * The frame of every public page: the clinic's name, the language switch, a "call me back" link,
 * the sections, and the footer with the operator's details and the links to the privacy policy and
 * the cookie settings, all in the page's language. No inline scripts or styles (the CSP forbids
 * them); every page works with JavaScript off.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EMBED_FRAME_SCRIPT_PATH } from '../../modules/inquiries/index.ts';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import { BASE_CSS_TEXT, stylesheet } from '../../platform/http/stylesheet.ts';
import { localPath, otherLang } from './lang.ts';
import { SITE_TEXT, type Lang } from './texts.ts';

export const SITE_CSS_TEXT = readFileSync(new URL('../assets/site.css', import.meta.url), 'utf8');
/** Changes whenever the stylesheet does, so it can be cached for a year. */
export const SITE_CSS_VERSION = createHash('sha256').update(SITE_CSS_TEXT).digest('hex').slice(0, 12);
export const SITE_CSS_PATH = '/assets/site.css';
/** The base shared with the console, linked before the site's own stylesheet. */
export const BASE_CSS = stylesheet('/assets/base.css', BASE_CSS_TEXT);

/** What the frame shows of the operator (from the operators module's card), and the page's language. */
export interface SiteFrame {
  lang: Lang;
  clinicName: string;
  legalName: string;
  inn: string;
  ogrn: string;
  postalAddress: string;
}

export interface PageOptions {
  site: SiteFrame;
  title: string;
  /** The current path without the language prefix, to mark the current section ('' for none). */
  path: string;
  /**
   * The same page in the other language, without the prefix (a query allowed): where the language
   * switch leads. The current path, or the home page, when not given.
   */
  alternate?: string;
  body: SafeHtml;
}

function head(title: string, alternates: readonly { lang: Lang; href: string }[] = []): SafeHtml {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="same-origin" />
    <title>${title}</title>
    <link rel="stylesheet" href="${BASE_CSS.href}" />
    <link rel="stylesheet" href="${SITE_CSS_PATH}?v=${SITE_CSS_VERSION}" />
    ${alternates.map((a) => html`<link rel="alternate" hreflang="${a.lang}" href="${a.href}" /> `)}
  </head>`;
}

export function page(o: PageOptions): SafeHtml {
  const { site } = o;
  const { lang } = site;
  const t = SITE_TEXT[lang];
  const other = otherLang(lang);
  const alternate = o.alternate ?? (o.path || '/');
  const here = (path: string) => localPath(lang, path);
  return html`<!doctype html>
    <html lang="${lang}">
      ${head(`${o.title} · ${site.clinicName}`, [
        { lang: 'ru', href: localPath('ru', alternate) },
        { lang: 'en', href: localPath('en', alternate) },
      ])}
      <body>
        <a class="skip-link" href="#main">${t.layout.skipLink}</a>
        <header class="site-header">
          <div class="inner">
            <a class="brand" href="${here('/')}">${site.clinicName}</a>
            <div class="header-actions">
              <a class="lang-switch" href="${localPath(other, alternate)}" hreflang="${other}" lang="${other}"
                >${SITE_TEXT[other].languageName}</a
              >
              <a class="callback-link" href="${here('/callback')}">${t.layout.callback}</a>
            </div>
          </div>
          <nav class="site-nav" aria-label="${t.layout.navLabel}">
            <ul>
              ${t.nav.map(
                (n) =>
                  html`<li>
                    <a href="${here(n.path)}" ${n.path === o.path ? html` aria-current="page"` : null}
                      >${n.text}</a
                    >
                  </li>`,
              )}
            </ul>
          </nav>
        </header>
        <main id="main">${o.body}</main>
        <footer class="site-footer">
          <div class="inner">
            <ul>
              <li><a href="${here('/privacy')}">${t.layout.privacy}</a></li>
              <li><a href="${here('/cookies')}">${t.layout.cookies}</a></li>
              <li><a href="${here('/contacts')}">${t.layout.contacts}</a></li>
            </ul>
            <p class="muted">
              ${site.legalName}, ${t.layout.inn} ${site.inn}, ${t.layout.ogrn} ${site.ogrn}.
              ${site.postalAddress}
            </p>
          </div>
        </footer>
      </body>
    </html>`;
}

/** A page with no clinic behind it (an unknown host): no navigation, nothing of any operator. */
export function barePage(o: { title: string; body: SafeHtml; lang?: Lang }): SafeHtml {
  return html`<!doctype html>
    <html lang="${o.lang ?? 'ru'}">
      ${head(o.title)}
      <body>
        <main id="main">${o.body}</main>
      </body>
    </html>`;
}

/** The embedded form's frame: the form alone, the clinic's own page is around it. */
export function embedPage(o: { title: string; body: SafeHtml; lang?: Lang }): SafeHtml {
  return html`<!doctype html>
    <html lang="${o.lang ?? 'ru'}">
      ${head(o.title)}
      <body class="embed">
        <main id="main">${o.body}</main>
        <script src="${EMBED_FRAME_SCRIPT_PATH}" defer></script>
      </body>
    </html>`;
}

/**
 * The frame of every public page: the clinic's name, a "call me back" link, the sections, and the
 * footer with the operator's details and the links to the privacy policy and the cookie settings.
 * No inline scripts or styles (the CSP forbids them); every page works with JavaScript off.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import { BASE_CSS_TEXT, stylesheet } from '../../platform/http/stylesheet.ts';
import { NAV } from './texts.ts';

export const SITE_CSS_TEXT = readFileSync(new URL('../assets/site.css', import.meta.url), 'utf8');
/** Changes whenever the stylesheet does, so it can be cached for a year. */
export const SITE_CSS_VERSION = createHash('sha256').update(SITE_CSS_TEXT).digest('hex').slice(0, 12);
export const SITE_CSS_PATH = '/assets/site.css';
/** The base shared with the console, linked before the site's own stylesheet. */
export const BASE_CSS = stylesheet('/assets/base.css', BASE_CSS_TEXT);

/** What the frame shows of the operator (from the operators module's card). */
export interface SiteFrame {
  clinicName: string;
  legalName: string;
  inn: string;
  ogrn: string;
  postalAddress: string;
}

export interface PageOptions {
  site: SiteFrame;
  title: string;
  /** The current path, to mark the current section. */
  path: string;
  body: SafeHtml;
}

function head(title: string): SafeHtml {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="same-origin" />
    <title>${title}</title>
    <link rel="stylesheet" href="${BASE_CSS.href}" />
    <link rel="stylesheet" href="${SITE_CSS_PATH}?v=${SITE_CSS_VERSION}" />
  </head>`;
}

export function page(o: PageOptions): SafeHtml {
  const { site } = o;
  return html`<!doctype html>
    <html lang="ru">
      ${head(`${o.title} · ${site.clinicName}`)}
      <body>
        <a class="skip-link" href="#main">Перейти к содержанию</a>
        <header class="site-header">
          <div class="inner">
            <a class="brand" href="/">${site.clinicName}</a>
            <a class="callback-link" href="/callback">Заказать звонок</a>
          </div>
          <nav class="site-nav" aria-label="Разделы сайта">
            <ul>
              ${NAV.map(
                (n) =>
                  html`<li>
                    <a href="${n.href}" ${n.href === o.path ? html` aria-current="page"` : null}>${n.text}</a>
                  </li>`,
              )}
            </ul>
          </nav>
        </header>
        <main id="main">${o.body}</main>
        <footer class="site-footer">
          <div class="inner">
            <ul>
              <li><a href="/privacy">Политика конфиденциальности</a></li>
              <li><a href="/cookies">Настройки cookie</a></li>
              <li><a href="/contacts">Контакты</a></li>
            </ul>
            <p class="muted">${site.legalName}, ИНН ${site.inn}, ОГРН ${site.ogrn}. ${site.postalAddress}</p>
          </div>
        </footer>
      </body>
    </html>`;
}

/** A page with no clinic behind it (an unknown host): no navigation, nothing of any operator. */
export function barePage(o: { title: string; body: SafeHtml }): SafeHtml {
  return html`<!doctype html>
    <html lang="ru">
      ${head(o.title)}
      <body>
        <main id="main">${o.body}</main>
      </body>
    </html>`;
}

/** The embedded form's frame: the form alone, the clinic's own page is around it. */
export function embedPage(o: { title: string; body: SafeHtml }): SafeHtml {
  return html`<!doctype html>
    <html lang="ru">
      ${head(o.title)}
      <body class="embed">
        <main id="main">${o.body}</main>
      </body>
    </html>`;
}

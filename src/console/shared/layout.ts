/**
 * The page frame every console page shares: language, skip link, header with the sections and the
 * sign-out and language forms, and the stylesheet (no inline styles or scripts: the CSP forbids
 * them, and every page works with JavaScript off).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import { BASE_CSS_TEXT, stylesheet } from '../../platform/http/stylesheet.ts';
import type { Dictionary } from './i18n/index.ts';

export const CSS_TEXT = readFileSync(new URL('./assets/console.css', import.meta.url), 'utf8');
/** Changes whenever the stylesheet does, so it can be cached for a year. */
export const CSS_VERSION = createHash('sha256').update(CSS_TEXT).digest('hex').slice(0, 12);
export const CSS_PATH = '/console/assets/console.css';
/** The base shared with the public site, linked before the console's own stylesheet. */
export const BASE_CSS = stylesheet('/console/assets/base.css', BASE_CSS_TEXT);

export type Section =
  'home' | 'mfa' | 'password' | 'channels' | 'reviews' | 'notifications' | 'webhooks' | 'apiKeys' | undefined;

export interface LayoutOptions {
  t: Dictionary;
  title: string;
  body: SafeHtml;
  /** CSRF token for the header's forms. */
  csrf: string;
  /** Where the language switch comes back to. */
  path: string;
  /** Shown when someone is signed in (any stage): the sign-out button. */
  session?: { displayName?: string; full: boolean };
  section?: Section;
  narrow?: boolean;
}

export function layout(o: LayoutOptions): SafeHtml {
  const { t } = o;
  const nav = o.session?.full
    ? html`<nav class="site-nav" aria-label="${t.nav.label}">
        <ul>
          ${navLink('/console', t.nav.home, o.section === 'home')}
          ${navLink('/console/mfa', t.nav.mfa, o.section === 'mfa')}
          ${navLink('/console/password', t.nav.password, o.section === 'password')}
          ${navLink('/console/channels', t.nav.channels, o.section === 'channels')}
          ${navLink('/console/reviews', t.nav.reviews, o.section === 'reviews')}
          ${navLink('/console/notifications', t.nav.notifications, o.section === 'notifications')}
          ${navLink('/console/webhooks', t.nav.webhooks, o.section === 'webhooks')}
          ${navLink('/console/api-keys', t.nav.apiKeys, o.section === 'apiKeys')}
        </ul>
      </nav>`
    : null;
  const whoami =
    o.session?.displayName !== undefined
      ? html`<span class="whoami">${t.signedInAs} ${o.session.displayName}</span>`
      : null;
  const logout = o.session
    ? html`<form method="post" action="/console/logout">
        <input type="hidden" name="_csrf" value="${o.csrf}" />
        <button type="submit">${t.nav.logout}</button>
      </form>`
    : null;
  return html`<!doctype html>
    <html lang="${t.htmlLang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <meta name="csrf-token" content="${o.csrf}" />
        <title>${o.title} · ${t.appName}</title>
        <link rel="stylesheet" href="${BASE_CSS.href}" />
        <link rel="stylesheet" href="${CSS_PATH}?v=${CSS_VERSION}" />
      </head>
      <body>
        <a class="skip-link" href="#main">${t.skipToContent}</a>
        <header class="site-header">
          <a class="brand" href="/console">${t.appName} · ${t.consoleName}</a>
          ${nav}
          <div class="header-forms">
            ${whoami}
            <form method="post" action="/console/lang">
              <input type="hidden" name="_csrf" value="${o.csrf}" />
              <input type="hidden" name="back" value="${o.path}" />
              <button
                type="submit"
                name="lang"
                value="${t.language.switchToLang}"
                lang="${t.language.switchToLang}"
                aria-label="${t.language.label}: ${t.language.switchTo}"
              >
                ${t.language.switchTo}
              </button>
            </form>
            ${logout}
          </div>
        </header>
        <main id="main" ${o.narrow ? html` class="narrow"` : null}>${o.body}</main>
      </body>
    </html> `;
}

function navLink(href: string, text: string, current: boolean): SafeHtml {
  return html`<li><a href="${href}" ${current ? html` aria-current="page"` : null}>${text}</a></li>`;
}

/** The plain notice that e-mail is not configured, where staff would expect e-mail to go out. */
export function emailOffNotice(t: Dictionary, sendsEmail: boolean): SafeHtml | null {
  return sendsEmail
    ? null
    : html`<p class="alert alert-note" role="status" id="email-off">${t.home.emailOff}</p>`;
}

export function alert(kind: 'error' | 'ok' | 'note', text: string | undefined): SafeHtml | null {
  if (!text) return null;
  return kind === 'error'
    ? html`<p class="alert alert-error" role="alert">${text}</p>`
    : html`<p class="alert alert-${kind}" role="status">${text}</p>`;
}

/**
 * The HTML error page for browsers, for the app's one error handler (`buildApp(ctx, {
 * renderHtmlError })`). Russian unless the visitor chose English. It shows a title and a fixed
 * explanation per status and the correlation id, never the error's own message (which is English
 * and written for developers) and never anything from the request.
 *
 * @example
 *   buildApp(ctx, { surfaces: [registerConsole], renderHtmlError });
 */
import type { FastifyRequest } from 'fastify';
import type { HtmlErrorRenderer } from '../../platform/http/error-handler.ts';
import { ErrorCode } from '../../platform/errors.ts';
import { html } from '../../platform/http/html.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';
import { BASE_CSS, CSS_PATH, CSS_VERSION } from './layout.ts';

function safeLocale(req: FastifyRequest) {
  try {
    return localeOf(req);
  } catch {
    return 'ru' as const;
  }
}

export const renderHtmlError: HtmlErrorRenderer = (req, status, body) => {
  const t = dictionaryFor(safeLocale(req));
  const [title, text] =
    body.code === ErrorCode.CsrfFailed
      ? t.error.csrf
      : (t.error.byStatus[status] ?? t.error.byStatus[status >= 500 ? 500 : 400]!);
  const home = req.url.startsWith('/console') ? '/console' : '/';
  return html`<!doctype html>
    <html lang="${t.htmlLang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${t.appName}</title>
        <link rel="stylesheet" href="${BASE_CSS.href}" />
        <link rel="stylesheet" href="${CSS_PATH}?v=${CSS_VERSION}" />
      </head>
      <body>
        <header class="site-header"><a class="brand" href="${home}">${t.appName}</a></header>
        <main id="main" class="narrow">
          <h1>${title}</h1>
          <p>${text}</p>
          <p class="error-ref">${t.error.correlation}: <code>${body.correlationId}</code></p>
          <p><a href="${home}">${t.error.back}</a></p>
        </main>
      </body>
    </html> `.toString();
};

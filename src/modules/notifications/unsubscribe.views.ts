/**
 * The pages of the one-click unsubscribe link: the confirmation (a single button), the result, and
 * the page for a link that is not valid. Russian, no scripts, the base stylesheet only; every value
 * is escaped by `html`.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import { BASE_CSS_TEXT, stylesheet } from '../../platform/http/stylesheet.ts';

export const UNSUBSCRIBE_CSS = stylesheet('/u/assets/base.css', BASE_CSS_TEXT);

function page(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="ru">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <link rel="stylesheet" href="${UNSUBSCRIBE_CSS.href}" />
      </head>
      <body>
        <main id="main" class="narrow">${body}</main>
      </body>
    </html>`;
}

export function confirmPage(o: { clinicName: string; action: string; withdrawn: boolean }): SafeHtml {
  if (o.withdrawn) return donePage({ clinicName: o.clinicName, changed: false });
  const from = o.clinicName ? html` от «${o.clinicName}»` : null;
  return page(
    'Отписаться от рекламных сообщений',
    html`<h1>Отписаться от рекламных сообщений</h1>
      <p>Вы больше не будете получать рекламные и информационные рассылки${from}.</p>
      <p>Сообщения о ваших заявках (например, о записи на приём) продолжат приходить.</p>
      <form method="post" action="${o.action}">
        <button type="submit">Отписаться</button>
      </form>`,
  );
}

export function donePage(o: { clinicName: string; changed: boolean }): SafeHtml {
  const from = o.clinicName ? html` от «${o.clinicName}»` : null;
  return page(
    'Вы отписались',
    html`<h1>Вы отписались</h1>
      <p role="status">
        ${o.changed ? 'Готово: ' : 'Вы уже отписаны: '}рекламных сообщений${from} больше не будет. Согласие на
        их получение отозвано.
      </p>`,
  );
}

export function invalidPage(): SafeHtml {
  return page(
    'Ссылка недействительна',
    html`<h1>Ссылка недействительна</h1>
      <p>
        Проверьте, что ссылка скопирована из письма полностью. Отозвать согласие можно и по контактам клиники,
        указанным в её политике обработки персональных данных.
      </p>`,
  );
}

/**
 * The public pages. Each takes what it shows and returns markup; no data access here. Every
 * interpolation goes through `html`, which escapes it; document bodies come from the policy module
 * as SafeHtml it rendered itself.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import {
  DOCUMENT_TITLES,
  documentPath,
  type Cookie,
  type DocumentKind,
  type FormId,
  type PublishedDocument,
} from '../web.ports.ts';
import { formatDate } from './format.ts';
import { inquiryForm, type FormView } from './forms.ts';
import { barePage, embedPage, page, type SiteFrame } from './layout.ts';
import { FORM_TEXT, type ClinicTexts } from './texts.ts';

/** What pages show of the operator: its card from the operators module. */
export interface SiteInfo extends SiteFrame {
  /**
   * The clinic's own page texts. Only the demo clinic has them (written for it); any other operator
   * gets plain pages until texts can be edited, never the demo's phone or prices.
   */
  texts: ClinicTexts | undefined;
  requestsEmail: string;
  requestsPostalAddress: string;
  responsiblePerson: string;
  timeZone: string;
}

/** The pages that carry forms, and their forms in order. */
export const PAGE_FORMS = {
  home: { path: '/', forms: ['appointment', 'callback'] },
  callback: { path: '/callback', forms: ['callback'] },
  appointment: { path: '/appointment', forms: ['appointment'] },
  contacts: { path: '/contacts', forms: ['feedback'] },
  reviews: { path: '/reviews', forms: ['review'] },
  prices: { path: '/prices', forms: ['estimate'] },
} as const satisfies Record<string, { path: string; forms: readonly FormId[] }>;
export type PageKey = keyof typeof PAGE_FORMS;

export function isPageKey(v: unknown): v is PageKey {
  return typeof v === 'string' && Object.hasOwn(PAGE_FORMS, v);
}

/** The page a form lives on first, for submissions that name no page. */
export function homePageOf(formId: FormId): PageKey {
  switch (formId) {
    case 'callback':
      return 'callback';
    case 'appointment':
      return 'appointment';
    case 'feedback':
      return 'contacts';
    case 'review':
      return 'reviews';
    case 'estimate':
      return 'prices';
  }
}

function forms(site: SiteInfo, views: FormView[], headingLevel: 1 | 2 = 2): SafeHtml {
  if (views.length === 0) {
    return html`<p class="alert alert-note">
      Приём заявок через сайт ещё не открыт.${site.texts ? ` Позвоните нам: ${site.texts.phone}.` : null}
    </p>`;
  }
  return html`${views.map((v) => inquiryForm({ ...v, headingLevel }))}`;
}

export interface FormPageOptions {
  site: SiteInfo;
  key: PageKey;
  forms: FormView[];
}

/** A page that carries forms; `forms` is empty when the operator has published no policy yet. */
export function formPage(o: FormPageOptions): SafeHtml {
  const { site, key } = o;
  const path = PAGE_FORMS[key].path;
  switch (key) {
    case 'home':
      return page({
        site,
        path,
        title: 'Главная',
        body: html`<h1>${site.clinicName}</h1>
          ${
            site.texts
              ? html`<p class="lead">${site.texts.tagline}</p>
                  ${site.texts.homeIntro.map((p) => html`<p>${p}</p>`)}
                  <ul>
                    ${site.texts.highlights.map((h) => html`<li>${h}</li>`)}
                  </ul>
                  <p>${site.texts.hours}. Телефон: ${site.texts.phone}.</p>`
              : null
          }
          ${forms(site, o.forms)}`,
      });
    case 'callback':
    case 'appointment':
      return page({ site, path, title: FORM_TEXT[key].title, body: forms(site, o.forms, 1) });
    case 'contacts':
      return page({
        site,
        path,
        title: 'Контакты',
        body: html`<h1>Контакты</h1>
          <div class="columns">
            <div>
              <h2>Адрес</h2>
              <p>${site.postalAddress}</p>
              ${site.texts ? html`<p>Телефон: ${site.texts.phone}<br />${site.texts.hours}</p>` : null}
            </div>
            <div>
              <h2>Запросы о персональных данных</h2>
              <p>
                Узнать, какие ваши данные у нас есть, исправить их, отозвать согласие или потребовать удаления
                можно письмом:
              </p>
              <p>
                Электронная почта: <a href="mailto:${site.requestsEmail}">${site.requestsEmail}</a><br />
                Почтовый адрес: ${site.requestsPostalAddress}
              </p>
              <p class="muted">Ответственный за обработку персональных данных: ${site.responsiblePerson}.</p>
            </div>
          </div>
          ${forms(site, o.forms)}`,
      });
    case 'reviews':
      return page({
        site,
        path,
        title: 'Отзывы',
        body: html`<h1>Отзывы</h1>
          <p class="muted">
            Опубликованных отзывов пока нет. Мы публикуем отзыв только с согласия автора и показываем рядом с
            ним лишь то, что автор разрешил.
          </p>
          ${forms(site, o.forms)}`,
      });
    case 'prices':
      return page({
        site,
        path,
        title: 'Услуги и цены',
        body: html`<h1>Услуги и цены</h1>
          ${site.texts ? priceList(site.texts) : null} ${forms(site, o.forms)}`,
      });
  }
}

function priceList(texts: ClinicTexts): SafeHtml {
  return html`<table>
      <caption class="visually-hidden">
        Цены на исследования
      </caption>
      <thead>
        <tr>
          <th scope="col">Исследование</th>
          <th scope="col">Цена</th>
        </tr>
      </thead>
      <tbody>
        ${texts.prices.map(
          (p) =>
            html`<tr>
              <td>${p.name}</td>
              <td>${p.price}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="muted">Цены не являются публичной офертой; точную стоимость назовёт администратор.</p>`;
}

export function aboutPage(site: SiteInfo): SafeHtml {
  return page({
    site,
    path: '/about',
    title: 'О центре',
    body: html`<h1>О центре</h1>
      ${
        site.texts
          ? html`${site.texts.about.map((p) => html`<p>${p}</p>`)}
              <p>${site.texts.hours}. Телефон: ${site.texts.phone}.</p>`
          : html`<p>${site.legalName}. ${site.postalAddress}.</p>`
      }
      <p><a class="button" href="/appointment">Записаться на исследование</a></p>`,
  });
}

export function thanksPage(site: SiteInfo, formId: FormId | undefined): SafeHtml {
  return page({
    site,
    path: '/thanks',
    title: 'Заявка отправлена',
    body: html`<h1>Спасибо, заявка отправлена</h1>
      <p class="lead">${formId ? FORM_TEXT[formId].thanks : 'Мы свяжемся с вами в рабочее время.'}</p>
      <p>
        Если вы указали электронную почту, мы пришлём на неё подтверждение. Отозвать согласие или узнать,
        какие данные у нас есть, можно по адресу
        <a href="mailto:${site.requestsEmail}">${site.requestsEmail}</a>.
      </p>
      <p><a href="/">Вернуться на главную</a></p>`,
  });
}

export function rateLimitedPage(site: SiteInfo, retryAfterSeconds: number): SafeHtml {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return page({
    site,
    path: '',
    title: 'Слишком много заявок',
    body: html`<h1>Слишком много заявок</h1>
      <p>
        С вашего адреса только что отправили много заявок. Попробуйте ещё раз через ${minutes} мин. или
        позвоните нам${site.texts ? `: ${site.texts.phone}` : ''}.
      </p>`,
  });
}

const CATEGORY_TEXT: Record<Cookie['category'], string> = {
  technical: 'Технические (необходимые)',
  analytics: 'Аналитические',
  marketing: 'Рекламные',
};

export function cookiesPage(
  site: SiteInfo,
  cookies: readonly Cookie[] | undefined,
  notice?: string,
): SafeHtml {
  const categories = ['technical', 'analytics', 'marketing'] as const;
  const list = cookies ?? [];
  const hasOptional = list.some((c) => c.category !== 'technical');
  return page({
    site,
    path: '/cookies',
    title: 'Настройки cookie',
    body: html`<h1>Настройки cookie</h1>
      <p>
        Cookie — небольшие файлы, которые сайт сохраняет в вашем браузере. Технические cookie нужны, чтобы
        сайт работал, и включены всегда.
        ${
          hasOptional
            ? null
            : 'Аналитических и рекламных cookie на этом сайте нет: мы не подключаем счётчики посещений и рекламные сервисы, поэтому ничего, кроме технических cookie, не устанавливается и выбирать здесь нечего.'
        }
      </p>
      ${notice ? html`<p>Подробнее: <a href="${notice}">уведомление об использовании cookie</a>.</p>` : null}
      ${categories.map((cat) => {
        const items = list.filter((c) => c.category === cat);
        return html`<h2>${CATEGORY_TEXT[cat]}</h2>
          ${
            items.length === 0
              ? html`<p class="muted">Не используются.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th scope="col">Название</th>
                      <th scope="col">Зачем</th>
                      <th scope="col">Срок хранения</th>
                      <th scope="col">Состояние</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${items.map(
                      (c) =>
                        html`<tr>
                          <td><code>${c.name}</code></td>
                          <td>${c.purpose.ru}</td>
                          <td>${c.lifetime.ru}</td>
                          <td>${cat === 'technical' ? 'Всегда включены' : 'Выключены'}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }`;
      })}`,
  });
}

/** The public path of a document kind's current version ("/privacy", "/documents/consent-processing"). */
export function documentBase(kind: DocumentKind): string {
  return documentPath(kind);
}

/** A document page: the body rendered by the policy module (its own heading, version and date). */
export function documentPage(o: {
  site: SiteInfo;
  kind: DocumentKind;
  doc: PublishedDocument;
  body: SafeHtml;
  /** True when this is an archived version, not the current one. */
  archived: boolean;
  currentVersion?: number;
}): SafeHtml {
  const base = documentBase(o.kind);
  const title = DOCUMENT_TITLES[o.kind].ru;
  return page({
    site: o.site,
    path: o.archived ? '' : base,
    title: o.archived ? `${title}, редакция ${o.doc.version}` : title,
    body: html`${
        o.archived && o.currentVersion !== undefined && o.currentVersion !== o.doc.version
          ? html`<p class="alert alert-note">
              Это архивная редакция ${o.doc.version} от ${formatDate(o.doc.publishedAt, o.site.timeZone)}.
              <a href="${base}">Действующая редакция — ${o.currentVersion}</a>.
            </p>`
          : null
      }
      <div class="document">${o.body}</div>
      <p class="doc-meta">
        Редакция ${o.doc.version}, опубликована ${formatDate(o.doc.publishedAt, o.site.timeZone)}.
        <a href="${base}/versions">Все редакции документа</a>.
        <span class="muted">Контрольная сумма SHA-256: <code>${o.doc.sha256}</code></span>
      </p>`,
  });
}

export function versionsPage(o: {
  site: SiteInfo;
  kind: DocumentKind;
  versions: readonly PublishedDocument[];
}): SafeHtml {
  const base = documentBase(o.kind);
  const title = DOCUMENT_TITLES[o.kind].ru;
  const sorted = [...o.versions].sort((a, b) => b.version - a.version);
  return page({
    site: o.site,
    path: '',
    title: `${title}: все редакции`,
    body: html`<h1>${title}: все редакции</h1>
      ${
        sorted.length === 0
          ? html`<p>Документ ещё не опубликован.</p>`
          : html`<ol class="versions" reversed>
              ${sorted.map(
                (d, i) =>
                  html`<li>
                    <a href="${base}/versions/${d.version}">Редакция ${d.version}</a> от
                    ${formatDate(d.publishedAt, o.site.timeZone)}${i === 0 ? ' (действующая)' : null}${
                      sorted[i + 1]
                        ? html` ·
                            <a href="${base}/diff?from=${sorted[i + 1]!.version}&amp;to=${d.version}"
                              >что изменилось по сравнению с редакцией ${sorted[i + 1]!.version}</a
                            >`
                        : null
                    }
                  </li>`,
              )}
            </ol>`
      }
      <p><a href="${base}">Действующая редакция</a></p>`,
  });
}

export function diffPage(o: {
  site: SiteInfo;
  kind: DocumentKind;
  from: number;
  to: number;
  diff: SafeHtml;
}): SafeHtml {
  const base = documentBase(o.kind);
  const title = DOCUMENT_TITLES[o.kind].ru;
  return page({
    site: o.site,
    path: '',
    title: `${title}: изменения`,
    body: html`<h1>${title}: изменения между редакциями ${o.from} и ${o.to}</h1>
      <p class="muted">Добавленный текст подчёркнут, удалённый — зачёркнут.</p>
      <div class="diff">${o.diff}</div>
      <p>
        <a href="${base}/versions/${o.from}">Редакция ${o.from}</a> ·
        <a href="${base}/versions/${o.to}">Редакция ${o.to}</a> · <a href="${base}/versions">Все редакции</a>
      </p>`,
  });
}

export function notPublishedPage(site: SiteInfo, kind: DocumentKind): SafeHtml {
  return page({
    site,
    path: '',
    title: DOCUMENT_TITLES[kind].ru,
    body: html`<h1>${DOCUMENT_TITLES[kind].ru}</h1>
      <p>Документ ещё не опубликован.</p>`,
  });
}

export function siteNotFoundPage(): SafeHtml {
  return barePage({
    title: 'Сайт не найден',
    body: html`<h1>Сайт не найден</h1>
      <p>По этому адресу нет сайта клиники. Проверьте адрес в строке браузера.</p>`,
  });
}

export function pageNotFound(site: SiteInfo): SafeHtml {
  return page({
    site,
    path: '',
    title: 'Страница не найдена',
    body: html`<h1>Страница не найдена</h1>
      <p>Такой страницы на сайте нет. <a href="/">Перейти на главную</a>.</p>`,
  });
}

export function embedThanksPage(formId: FormId): SafeHtml {
  return embedPage({
    title: 'Заявка отправлена',
    body: html`<h1>Спасибо, заявка отправлена</h1>
      <p>${FORM_TEXT[formId].thanks}</p>`,
  });
}

export function embedClosedPage(): SafeHtml {
  return embedPage({
    title: 'Форма недоступна',
    body: html`<h1>Форма недоступна</h1>
      <p>Приём заявок через эту форму сейчас закрыт.</p>`,
  });
}

export function embedRateLimitedPage(retryAfterSeconds: number): SafeHtml {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return embedPage({
    title: 'Слишком много заявок',
    body: html`<h1>Слишком много заявок</h1>
      <p>С вашего адреса только что отправили много заявок. Попробуйте ещё раз через ${minutes} мин.</p>`,
  });
}

/**
 * The public pages, in the language of the site info they are given (Russian at the root, English
 * under `/en`). Each takes what it shows and returns markup; no data access here. Every
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
  type PublicReview,
  type PublicReviewPage,
  type PublishedDocument,
} from '../web.ports.ts';
import { formatDate } from './format.ts';
import { inquiryForm, type FormView } from './forms.ts';
import { localPath } from './lang.ts';
import { barePage, embedPage, page, type SiteFrame } from './layout.ts';
import { formWords, SITE_TEXT, type ClinicTexts, type Lang } from './texts.ts';

/** What pages show of the operator: its card from the operators module, in the page's language. */
export interface SiteInfo extends SiteFrame {
  /**
   * The clinic's own page texts in the page's language. Only the demo clinic has them (written for
   * it); any other operator gets plain pages until texts can be edited, never the demo's phone or
   * prices.
   */
  texts: ClinicTexts | undefined;
  requestsEmail: string;
  requestsPostalAddress: string;
  responsiblePerson: string;
  timeZone: string;
}

/** The pages that carry forms, and their forms in order (paths without the language prefix). */
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
    return html`<p class="alert alert-note">${SITE_TEXT[site.lang].pages.closed(site.texts?.phone)}</p>`;
  }
  return html`${views.map((v) => inquiryForm({ ...v, headingLevel }))}`;
}

export interface FormPageOptions {
  site: SiteInfo;
  key: PageKey;
  forms: FormView[];
  /** The reviews page's published reviews (its page of them). */
  reviews?: PublicReviewPage;
}

/** A page that carries forms; `forms` is empty when the operator has published no policy yet. */
export function formPage(o: FormPageOptions): SafeHtml {
  const { site, key } = o;
  const t = SITE_TEXT[site.lang];
  const path = PAGE_FORMS[key].path;
  switch (key) {
    case 'home':
      return page({
        site,
        path,
        title: t.pages.home,
        body: html`<h1>${site.clinicName}</h1>
          ${
            site.texts
              ? html`<p class="lead">${site.texts.tagline}</p>
                  ${site.texts.homeIntro.map((p) => html`<p>${p}</p>`)}
                  <ul>
                    ${site.texts.highlights.map((h) => html`<li>${h}</li>`)}
                  </ul>
                  <p>${t.pages.phoneLine(site.texts.hours, site.texts.phone)}</p>`
              : null
          }
          ${forms(site, o.forms)}`,
      });
    case 'callback':
    case 'appointment':
      return page({ site, path, title: t.forms[key].title, body: forms(site, o.forms, 1) });
    case 'contacts':
      return page({
        site,
        path,
        title: t.pages.contacts,
        body: html`<h1>${t.pages.contacts}</h1>
          <div class="columns">
            <div>
              <h2>${t.pages.address}</h2>
              <p>${site.postalAddress}</p>
              ${
                site.texts
                  ? html`<p>${t.pages.phone}: ${site.texts.phone}<br />${site.texts.hours}</p>`
                  : null
              }
            </div>
            <div>
              <h2>${t.pages.pdRequests}</h2>
              <p>${t.pages.pdRequestsText}</p>
              <p>
                ${t.pages.email}: <a href="mailto:${site.requestsEmail}">${site.requestsEmail}</a><br />
                ${t.pages.postalAddress}: ${site.requestsPostalAddress}
              </p>
              <p class="muted">${t.pages.responsible(site.responsiblePerson)}</p>
            </div>
          </div>
          ${forms(site, o.forms)}`,
      });
    case 'reviews': {
      const n = o.reviews?.page ?? 1;
      return page({
        site,
        path,
        alternate: n > 1 ? `${path}?page=${n}` : path,
        title: n > 1 ? t.publishedReviews.pageTitle(t.pages.reviews, n) : t.pages.reviews,
        body: html`<h1>${t.pages.reviews}</h1>
          ${publishedReviews(site, o.reviews)} ${forms(site, o.forms)}`,
      });
    }
    case 'prices':
      return page({
        site,
        path,
        title: t.pages.prices,
        body: html`<h1>${t.pages.prices}</h1>
          ${site.texts ? priceList(site.lang, site.texts) : null} ${forms(site, o.forms)}`,
      });
  }
}

/** Five stars, the first `n` filled: decoration beside the rating's text, hidden from screen readers. */
function stars(n: number): string {
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

function publishedReview(site: SiteInfo, r: PublicReview): SafeHtml {
  const t = SITE_TEXT[site.lang].publishedReviews;
  return html`<li class="review" id="review-${r.id}">
    <figure>
      ${
        r.rating === null
          ? null
          : html`<p class="review-rating">
              <span class="stars" aria-hidden="true">${stars(r.rating)}</span>
              <span class="rating-text">${t.rating(r.rating)}</span>
            </p>`
      }
      <blockquote class="review-text"><p>${r.text}</p></blockquote>
      <figcaption>
        <span class="review-author">${r.author ?? t.anonymous}</span>,
        <time datetime="${r.publishedAt}"
          >${t.published(formatDate(r.publishedAt, site.timeZone, site.lang))}</time
        >
      </figcaption>
    </figure>
  </li>`;
}

/** The operator's published reviews on the reviews page, newest first, with links between pages. */
function publishedReviews(site: SiteInfo, reviews: PublicReviewPage | undefined): SafeHtml {
  const t = SITE_TEXT[site.lang];
  const r = reviews ?? { items: [], page: 1, pages: 0, total: 0 };
  if (r.total === 0) return html`<p class="muted">${t.pages.noReviews}</p>`;
  const at = (n: number) => localPath(site.lang, n === 1 ? '/reviews' : `/reviews?page=${n}`);
  const pager =
    r.pages > 1
      ? html`<nav class="pager" aria-label="${t.publishedReviews.pagesLabel}">
          ${r.page > 1 ? html`<a href="${at(Math.min(r.page - 1, r.pages))}" rel="prev">${t.publishedReviews.newer}</a>` : null}
          <span>${t.publishedReviews.pageOf(r.page, r.pages)}</span>
          ${r.page < r.pages ? html`<a href="${at(r.page + 1)}" rel="next">${t.publishedReviews.older}</a>` : null}
        </nav>`
      : null;
  return html`<section class="published-reviews" aria-labelledby="published-reviews-heading">
    <h2 id="published-reviews-heading">${t.publishedReviews.heading}</h2>
    ${
      r.items.length === 0
        ? html`<p class="muted">${t.publishedReviews.none}</p>`
        : html`<ol class="review-list">
            ${r.items.map((item) => publishedReview(site, item))}
          </ol>`
    }
    ${pager}
  </section>`;
}

function priceList(lang: Lang, texts: ClinicTexts): SafeHtml {
  const t = SITE_TEXT[lang].pages;
  return html`<table>
      <caption class="visually-hidden">
        ${t.pricesCaption}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t.examination}</th>
          <th scope="col">${t.price}</th>
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
    <p class="muted">${t.notAnOffer}</p>`;
}

export function aboutPage(site: SiteInfo): SafeHtml {
  const t = SITE_TEXT[site.lang].pages;
  return page({
    site,
    path: '/about',
    title: t.about,
    body: html`<h1>${t.about}</h1>
      ${
        site.texts
          ? html`${site.texts.about.map((p) => html`<p>${p}</p>`)}
              <p>${t.phoneLine(site.texts.hours, site.texts.phone)}</p>`
          : html`<p>${site.legalName}. ${site.postalAddress}.</p>`
      }
      <p><a class="button" href="${localPath(site.lang, '/appointment')}">${t.bookExamination}</a></p>`,
  });
}

/**
 * The page after a form was taken. `confirmsByEmail`: a confirmation e-mail goes to an address
 * given in the form (e-mail is configured and the form asks for one); otherwise none is promised.
 */
export function thanksPage(site: SiteInfo, formId: FormId | undefined, confirmsByEmail: boolean): SafeHtml {
  const t = SITE_TEXT[site.lang];
  const w = formWords(t, formId);
  return page({
    site,
    path: '/thanks',
    alternate: formId ? `/thanks?form=${formId}` : '/thanks',
    title: w.thanksTitle,
    body: html`<h1>${w.thanksHeading}</h1>
      <p class="lead">${formId ? t.forms[formId].thanks : t.pages.thanksDefault}</p>
      <p>
        ${confirmsByEmail ? html`${t.pages.thanksEmail} ` : null}${t.pages.thanksText}
        <a href="mailto:${site.requestsEmail}">${site.requestsEmail}</a>.
      </p>
      <p><a href="${localPath(site.lang, '/')}">${t.pages.backHome}</a></p>`,
  });
}

export function cookiesPage(
  site: SiteInfo,
  cookies: readonly Cookie[] | undefined,
  notice?: string,
): SafeHtml {
  const t = SITE_TEXT[site.lang].pages;
  const text = (x: { ru: string; en?: string | undefined }) => (site.lang === 'en' ? (x.en ?? x.ru) : x.ru);
  const categories = ['technical', 'analytics', 'marketing'] as const;
  const list = cookies ?? [];
  const hasOptional = list.some((c) => c.category !== 'technical');
  return page({
    site,
    path: '/cookies',
    title: t.cookieSettings,
    body: html`<h1>${t.cookieSettings}</h1>
      <p>${t.cookiesIntro} ${hasOptional ? null : t.noOptionalCookies}</p>
      ${notice ? html`<p>${t.more} <a href="${notice}">${t.cookieNotice}</a>.</p>` : null}
      ${categories.map((cat) => {
        const items = list.filter((c) => c.category === cat);
        return html`<h2>${t.cookieCategories[cat]}</h2>
          ${
            items.length === 0
              ? html`<p class="muted">${t.notUsed}</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th scope="col">${t.cookieName}</th>
                      <th scope="col">${t.cookiePurpose}</th>
                      <th scope="col">${t.cookieLifetime}</th>
                      <th scope="col">${t.cookieState}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${items.map(
                      (c) =>
                        html`<tr>
                          <td><code>${c.name}</code></td>
                          <td>${text(c.purpose)}</td>
                          <td>${text(c.lifetime)}</td>
                          <td>${cat === 'technical' ? t.alwaysOn : t.off}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }`;
      })}`,
  });
}

/**
 * The public path of a document kind's current version in a language ("/privacy",
 * "/en/documents/consent-processing").
 */
export function documentBase(kind: DocumentKind, lang: Lang = 'ru'): string {
  return documentPath(kind, undefined, lang);
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
  const { lang } = o.site;
  const t = SITE_TEXT[lang].pages;
  const base = documentBase(o.kind, lang);
  const unprefixed = documentBase(o.kind);
  const title = DOCUMENT_TITLES[o.kind][lang];
  const date = formatDate(o.doc.publishedAt, o.site.timeZone, lang);
  return page({
    site: o.site,
    path: o.archived ? '' : unprefixed,
    // Versions are numbered per language: an archived version's counterpart is the other archive.
    alternate: o.archived ? `${unprefixed}/versions` : unprefixed,
    title: o.archived ? t.archivedTitle(title, o.doc.version) : title,
    body: html`${
        o.archived && o.currentVersion !== undefined && o.currentVersion !== o.doc.version
          ? html`<p class="alert alert-note">
              ${t.archivedNote(o.doc.version, date)} <a href="${base}">${t.inForce(o.currentVersion)}</a>.
            </p>`
          : null
      }
      <div class="document">${o.body}</div>
      <p class="doc-meta">
        ${t.versionPublished(o.doc.version, date)}
        <a href="${base}/versions">${t.allVersionsOfDocument}</a>.
        <span class="muted">${t.checksum} <code>${o.doc.sha256}</code></span>
      </p>
      ${
        t.bindingOriginal
          ? html`<p class="doc-original">
              ${t.bindingOriginal}
              <a href="${unprefixed}" hreflang="ru" lang="ru">${DOCUMENT_TITLES[o.kind].ru}</a>.
            </p>`
          : null
      }`,
  });
}

export function versionsPage(o: {
  site: SiteInfo;
  kind: DocumentKind;
  versions: readonly PublishedDocument[];
}): SafeHtml {
  const { lang } = o.site;
  const t = SITE_TEXT[lang].pages;
  const base = documentBase(o.kind, lang);
  const title = DOCUMENT_TITLES[o.kind][lang];
  const sorted = [...o.versions].sort((a, b) => b.version - a.version);
  return page({
    site: o.site,
    path: '',
    alternate: `${documentBase(o.kind)}/versions`,
    title: t.allVersionsTitle(title),
    body: html`<h1>${t.allVersionsTitle(title)}</h1>
      ${
        sorted.length === 0
          ? html`<p>${t.notPublished}</p>`
          : html`<ol class="versions" reversed>
              ${sorted.map(
                (d, i) =>
                  html`<li>
                    <a href="${base}/versions/${d.version}">${t.version(d.version)}</a> ${t.of}
                    ${formatDate(d.publishedAt, o.site.timeZone, lang)}${i === 0 ? t.current : null}${
                      sorted[i + 1]
                        ? html` ·
                            <a href="${base}/diff?from=${sorted[i + 1]!.version}&amp;to=${d.version}"
                              >${t.changesSince(sorted[i + 1]!.version)}</a
                            >`
                        : null
                    }
                  </li>`,
              )}
            </ol>`
      }
      <p><a href="${base}">${t.versionInForce}</a></p>`,
  });
}

export function diffPage(o: {
  site: SiteInfo;
  kind: DocumentKind;
  from: number;
  to: number;
  diff: SafeHtml;
}): SafeHtml {
  const { lang } = o.site;
  const t = SITE_TEXT[lang].pages;
  const base = documentBase(o.kind, lang);
  const title = DOCUMENT_TITLES[o.kind][lang];
  return page({
    site: o.site,
    path: '',
    alternate: `${documentBase(o.kind)}/versions`,
    title: t.changesTitle(title),
    body: html`<h1>${t.changesHeading(title, o.from, o.to)}</h1>
      <p class="muted">${t.diffLegend}</p>
      <div class="diff">${o.diff}</div>
      <p>
        <a href="${base}/versions/${o.from}">${t.version(o.from)}</a> ·
        <a href="${base}/versions/${o.to}">${t.version(o.to)}</a> ·
        <a href="${base}/versions">${t.allVersions}</a>
      </p>`,
  });
}

export function notPublishedPage(site: SiteInfo, kind: DocumentKind): SafeHtml {
  const title = DOCUMENT_TITLES[kind][site.lang];
  return page({
    site,
    path: '',
    alternate: documentBase(kind),
    title,
    body: html`<h1>${title}</h1>
      <p>${SITE_TEXT[site.lang].pages.notPublished}</p>`,
  });
}

export function siteNotFoundPage(lang: Lang = 'ru'): SafeHtml {
  const t = SITE_TEXT[lang].pages;
  return barePage({
    lang,
    title: t.siteNotFound,
    body: html`<h1>${t.siteNotFound}</h1>
      <p>${t.siteNotFoundText}</p>`,
  });
}

/**
 * An error page in the site's frame: 404 says the page does not exist, other 4xx that the request
 * was not accepted, 5xx that something went wrong, with the correlation id to quote. Nothing from
 * the request is shown (it could carry personal data).
 */
export function errorPage(site: SiteInfo, status: number, correlationId: string): SafeHtml {
  const t = SITE_TEXT[site.lang].pages;
  const [title, text] =
    status === 404
      ? [t.notFound, t.notFoundText]
      : status >= 500
        ? [t.error, t.errorText]
        : [t.badRequest, t.badRequestText];
  return page({
    site,
    path: '',
    alternate: '/',
    title,
    body: html`<h1>${title}</h1>
      <p>${text} <a href="${localPath(site.lang, '/')}">${t.toHome}</a>.</p>
      ${status === 404 ? null : html`<p class="muted">${t.errorRef}: <code>${correlationId}</code></p>`}`,
  });
}

export function embedThanksPage(formId: FormId, lang: Lang = 'ru'): SafeHtml {
  const t = SITE_TEXT[lang];
  const w = formWords(t, formId);
  return embedPage({
    lang,
    title: w.thanksTitle,
    body: html`<h1>${w.thanksHeading}</h1>
      <p>${t.forms[formId].thanks}</p>`,
  });
}

export function embedClosedPage(lang: Lang = 'ru'): SafeHtml {
  const t = SITE_TEXT[lang].pages;
  return embedPage({
    lang,
    title: t.formClosed,
    body: html`<h1>${t.formClosed}</h1>
      <p>${t.formClosedText}</p>`,
  });
}

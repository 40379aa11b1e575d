/**
 * The review pages of the console: the organisations whose reviews the reader moderates (with
 * how many wait), and one organisation's queue by state, pending first, each review with its
 * rating, text, consent and the exact signature it would be published with, and the decisions it
 * allows as plain form posts. Markup only: every interpolation is escaped by `html`; no scripts.
 */
import type { OperatorDto } from '../../modules/operators/index.ts';
import {
  REVIEW_STATES,
  type NameOrder,
  type ReviewItem,
  type ReviewQueuePage,
} from '../../modules/reviews/index.ts';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { ReviewsText } from './reviews.texts.ts';
import { alert, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  r: ReviewsText;
  csrf: string;
  path: string;
  displayName?: string;
}

export const reviewsUrl = (operatorId: string): string => `/console/operators/${operatorId}/reviews`;

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

const nameOf = (op: Pick<OperatorDto, 'name' | 'shortName'>): string => op.shortName ?? op.name;

function when(t: Dictionary, at: string, timeZone: string): string {
  return new Intl.DateTimeFormat(t.htmlLang, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(at),
  );
}

/** Text as written, its line breaks kept (escaped line by line). */
function paragraphs(text: string): SafeHtml {
  const lines = text.split(/\r?\n/u);
  return html`${lines.map((l, i) => (i === 0 ? html`${l}` : html`<br />${l}`))}`;
}

export function reviewsIndexPage(
  o: SignedIn & { operators: readonly { operator: OperatorDto; pending: number }[] },
): SafeHtml {
  const { r } = o;
  const list =
    o.operators.length === 0
      ? html`<p>${r.noOperators}</p>`
      : html`<ul class="review-operators">
          ${o.operators.map(
            (x) =>
              html`<li>
                <a href="${reviewsUrl(x.operator.id)}">${nameOf(x.operator)}</a>
                <span class="muted">(${r.pendingCount(x.pending)})</span>
              </li>`,
          )}
        </ul>`;
  return layout({
    ...o,
    title: r.indexTitle,
    section: 'reviews',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${r.indexTitle}</h1>
      <p>${r.indexIntro}</p>
      ${list}`,
  });
}

export interface ReviewsPageOptions extends SignedIn {
  operator: OperatorDto;
  queue: ReviewQueuePage;
  notice?: string;
  error?: string;
}

export function reviewsPage(o: ReviewsPageOptions): SafeHtml {
  const { r, t, operator: op, queue } = o;
  const base = reviewsUrl(op.id);
  const tabs = html`<nav aria-label="${r.tabsLabel}">
    <ul class="links review-tabs">
      ${REVIEW_STATES.map(
        (s) =>
          html`<li>
            <a href="${base}?state=${s}" ${s === queue.state ? html` aria-current="page"` : null}
              >${r.states[s]} (${queue.counts[s]})</a
            >
          </li>`,
      )}
    </ul>
  </nav>`;
  const items =
    queue.items.length === 0
      ? html`<p class="muted">${r.empty}</p>`
      : html`${queue.items.map((item) => reviewCard(o, item))}`;
  const pageLink = (n: number) => `${base}?state=${queue.state}&page=${n}`;
  const pager =
    queue.page > 1 || queue.hasNext
      ? html`<nav aria-label="${r.pagesLabel}">
          <p class="links">
            ${queue.page > 1 ? html`<a href="${pageLink(queue.page - 1)}" rel="prev">${r.prev}</a>` : null}
            <span>${r.page(queue.page)}</span>
            ${queue.hasNext ? html`<a href="${pageLink(queue.page + 1)}" rel="next">${r.next}</a>` : null}
          </p>
        </nav>`
      : null;
  return layout({
    ...o,
    title: r.title(nameOf(op)),
    section: 'reviews',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${r.title(nameOf(op))}</h1>
      ${alert('ok', o.notice)}
      ${o.error ? html`<p class="alert alert-error" role="alert">${r.refused}: ${o.error}</p>` : null}
      <p>${r.intro}</p>
      ${tabs} ${items} ${pager}
      <p class="muted"><a href="/console/reviews">${t.nav.reviews}</a></p>`,
  });
}

function reviewCard(o: ReviewsPageOptions, item: ReviewItem): SafeHtml {
  const { r, t, operator: op, queue } = o;
  const tz = op.timeZone;
  const headingId = `review-${item.id}`;
  const action = (verb: 'publish' | 'unpublish' | 'reject') => `${reviewsUrl(op.id)}/${item.id}/${verb}`;
  const back = html`<input type="hidden" name="state" value="${queue.state}" />
    <input type="hidden" name="page" value="${queue.page}" />`;
  const signatureText = (s: string | null) => s ?? r.anonymous;
  const publishable = item.consent === 'live' && item.text !== null && item.state !== 'published';
  const orders: NameOrder[] =
    item.show !== null &&
    item.show !== 'anonymous' &&
    item.signatures.surname_first !== item.signatures.given_first
      ? ['given_first', 'surname_first']
      : ['given_first'];
  const publishForm = publishable
    ? html`<form method="post" action="${action('publish')}" class="inline-form">
        ${csrfField(o.csrf)} ${back} ${orders.length > 1 ? html`<p class="hint">${r.orderLegend}</p>` : null}
        ${orders.map(
          (order) =>
            html`<button type="submit" name="order" value="${order}">
              ${orders.length > 1 ? r.publishAs(signatureText(item.signatures[order])) : r.publish}
            </button>`,
        )}
      </form>`
    : null;
  const rejectForm =
    item.state === 'pending' || item.state === 'unpublished'
      ? html`<form method="post" action="${action('reject')}" class="inline-form">
          ${csrfField(o.csrf)} ${back}
          <button type="submit" class="secondary">${r.reject}</button>
        </form>`
      : null;
  const unpublishForm =
    item.state === 'published'
      ? html`<form method="post" action="${action('unpublish')}" class="inline-form">
          ${csrfField(o.csrf)} ${back}
          <button type="submit" class="danger">${r.unpublish}</button>
        </form>`
      : null;
  return html`<article
    class="review-card"
    aria-labelledby="${headingId}"
    data-review="${item.id}"
    data-state="${item.state}"
  >
    <h2 id="${headingId}">${r.heading(item.number)}</h2>
    <dl class="card">
      <dt>${r.received}</dt>
      <dd>${when(t, item.createdAt, tz)}</dd>
      <dt>${r.rating}</dt>
      <dd>${item.rating === null ? r.noRating : r.ratingValue(item.rating)}</dd>
      <dt>${r.consentLabel}</dt>
      <dd data-consent="${item.consent}">${r.consent[item.consent]}</dd>
      ${
        item.show !== null
          ? html`<dt>${r.allowed}</dt>
              <dd>${r.show[item.show]}</dd>
              <dt>${r.signature}</dt>
              <dd class="review-signature">${signatureText(item.signatures.given_first)}</dd>`
          : null
      }
      ${
        item.publishedAt
          ? html`<dt>${r.publishedAt}</dt>
              <dd>${when(t, item.publishedAt, tz)}</dd>`
          : null
      }
      ${
        item.decidedAt && item.state !== 'pending'
          ? html`<dt>${r.decidedAt}</dt>
              <dd>
                ${when(t, item.decidedAt, tz)}${item.unpublishReason ? html`, ${r.unpublishReason[item.unpublishReason]}` : null}
              </dd>`
          : null
      }
    </dl>
    <h3 class="visually-hidden">${r.text}</h3>
    ${item.text === null ? html`<p class="muted">${r.noText}</p>` : html`<blockquote class="review-text"><p>${paragraphs(item.text)}</p></blockquote>`}
    ${
      publishForm || rejectForm || unpublishForm
        ? html`<div class="review-actions" role="group" aria-label="${r.actionsLabel(item.number)}">
            ${publishForm} ${rejectForm} ${unpublishForm}
          </div>`
        : null
    }
  </article>`;
}

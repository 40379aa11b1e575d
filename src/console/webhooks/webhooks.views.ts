/**
 * The webhook pages of the console: the organisations whose webhooks the reader manages, one
 * organisation's endpoints (add, disable) with its latest deliveries, the page shown once after
 * adding an endpoint (its signing secret), and one delivery with every attempt (retry). Markup
 * only: every interpolation is escaped by `html`; no scripts.
 */
import type { OperatorDto } from '../../modules/operators/index.ts';
import {
  WEBHOOK_EVENT_TYPES,
  type WebhookAttemptDto,
  type WebhookDeliveryDto,
  type WebhookEndpointDto,
} from '../../modules/webhooks/index.ts';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { WebhooksDictionary } from './webhooks.texts.ts';
import { checkboxGroup } from '../shared/checkbox-group.ts';
import { alert, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  w: WebhooksDictionary;
  csrf: string;
  path: string;
  displayName?: string;
}

export const webhooksUrl = (operatorId: string): string => `/console/operators/${operatorId}/webhooks`;
export const deliveryUrl = (operatorId: string, deliveryId: string): string =>
  `${webhooksUrl(operatorId)}/deliveries/${deliveryId}`;

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

const nameOf = (op: Pick<OperatorDto, 'name' | 'shortName'>): string => op.shortName ?? op.name;

function when(t: Dictionary, at: string, timeZone: string): string {
  return new Intl.DateTimeFormat(t.htmlLang, {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'medium',
  }).format(new Date(at));
}

function frame(o: SignedIn, title: string, body: SafeHtml): SafeHtml {
  return layout({
    ...o,
    title,
    section: 'webhooks',
    session: { displayName: o.displayName, full: true },
    body,
  });
}

export function webhooksIndexPage(o: SignedIn & { operators: readonly OperatorDto[] }): SafeHtml {
  const { w } = o;
  return frame(
    o,
    w.indexTitle,
    html`<h1>${w.indexTitle}</h1>
      <p>${w.indexIntro}</p>
      ${
        o.operators.length === 0
          ? html`<p>${w.noOperators}</p>`
          : html`<ul>
              ${o.operators.map((op) => html`<li><a href="${webhooksUrl(op.id)}">${nameOf(op)}</a></li>`)}
            </ul>`
      }`,
  );
}

/** The last answer of a delivery: an HTTP status or an error code, in words. */
function resultOf(w: WebhooksDictionary, status: number | null, error: string | null): string {
  if (status !== null) return w.httpStatus(status);
  if (error === null) return '—';
  return w.errors[error] ?? error;
}

export interface WebhooksPageOptions extends SignedIn {
  operator: OperatorDto;
  endpoints: readonly WebhookEndpointDto[];
  deliveries: readonly WebhookDeliveryDto[];
  /** The endpoint whose deliveries are shown, when one is picked. */
  endpointFilter?: WebhookEndpointDto;
  notice?: string;
  error?: string;
  /** The refused form: what was typed and the fields at fault. */
  refused?: { url: string; description: string; events: readonly string[]; errors: readonly string[] };
}

function createForm(o: WebhooksPageOptions): SafeHtml {
  const { w } = o;
  const r = o.refused;
  const invalid = (f: string) => r?.errors.includes(f) ?? false;
  const checked = (e: string) => (r ? r.events.includes(e) : true);
  const errorText = (f: string, text: string) =>
    invalid(f) ? html`<p class="field-error" id="webhook-${f}-error">${text}</p>` : null;
  return html`<form method="post" action="${webhooksUrl(o.operator.id)}" novalidate>
    ${csrfField(o.csrf)}
    <div class="field${invalid('url') ? ' field-invalid' : ''}">
      <label for="webhook-url">${w.url}</label>
      <input
        id="webhook-url"
        name="url"
        type="text"
        inputmode="url"
        value="${r?.url ?? ''}"
        maxlength="2000"
        autocomplete="off"
        required
        aria-describedby="webhook-url-hint${invalid('url') ? ' webhook-url-error' : ''}"
        ${invalid('url') ? html` aria-invalid="true"` : null}
      />
      <p class="hint" id="webhook-url-hint">${w.urlHint}</p>
      ${errorText('url', w.urlInvalid)}
    </div>
    <div class="field${invalid('description') ? ' field-invalid' : ''}">
      <label for="webhook-description">${w.description}</label>
      <input
        id="webhook-description"
        name="description"
        type="text"
        value="${r?.description ?? ''}"
        maxlength="200"
        autocomplete="off"
        ${
          invalid('description')
            ? html` aria-invalid="true" aria-describedby="webhook-description-error"`
            : null
        }
      />
      ${errorText('description', w.descriptionInvalid)}
    </div>
    ${checkboxGroup({
      name: 'events',
      idPrefix: 'webhook-event',
      errorId: 'webhook-events-error',
      legend: w.eventsLabel,
      values: WEBHOOK_EVENT_TYPES,
      labelOf: (e) => w.events[e],
      checked,
      error: invalid('events') ? w.eventsInvalid : undefined,
    })}
    <button type="submit">${w.create}</button>
  </form>`;
}

function deliveriesTable(o: WebhooksPageOptions): SafeHtml {
  const { t, w, operator: op } = o;
  if (o.deliveries.length === 0) return html`<p>${w.noDeliveries}</p>`;
  return html`<table id="deliveries">
    <thead>
      <tr>
        <th scope="col">${w.createdAt}</th>
        <th scope="col">${w.event}</th>
        <th scope="col">${w.deliveryState}</th>
        <th scope="col">${w.attempts}</th>
        <th scope="col">${w.lastResult}</th>
        <th scope="col">${w.nextAttempt}</th>
        <th scope="col"><span class="visually-hidden">${w.details}</span></th>
      </tr>
    </thead>
    <tbody>
      ${o.deliveries.map(
        (d) =>
          html`<tr data-delivery="${d.id}" data-state="${d.state}">
            <td>${when(t, d.createdAt, op.timeZone)}</td>
            <td><code>${d.eventType}</code></td>
            <td>${w.states[d.state]}</td>
            <td>${d.attempts}</td>
            <td>${resultOf(w, d.lastStatus, d.lastError)}</td>
            <td>${d.nextAttemptAt ? when(t, d.nextAttemptAt, op.timeZone) : '—'}</td>
            <td>
              <a href="${deliveryUrl(op.id, d.id)}" aria-label="${w.detailsLabel(d.id)}">${w.details}</a>
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function webhooksPage(o: WebhooksPageOptions): SafeHtml {
  const { t, w, operator: op } = o;
  const endpoints =
    o.endpoints.length === 0
      ? html`<p>${w.none}</p>`
      : html`<table id="endpoints">
          <thead>
            <tr>
              <th scope="col">${w.url}</th>
              <th scope="col">${w.eventsLabel}</th>
              <th scope="col">${w.state}</th>
              <th scope="col"><span class="visually-hidden">${w.showDeliveries}</span></th>
            </tr>
          </thead>
          <tbody>
            ${o.endpoints.map(
              (e) =>
                html`<tr
                  data-endpoint="${e.id}"
                  data-state="${e.disabledAt === null ? 'active' : 'disabled'}"
                >
                  <td>
                    <code class="uri">${e.url}</code>
                    ${e.description ? html`<br /><span class="muted">${e.description}</span>` : null}
                  </td>
                  <td>${e.events.map((ev) => html`<code>${ev}</code><br />`)}</td>
                  <td>
                    ${
                      e.disabledAt === null
                        ? w.active(when(t, e.createdAt, op.timeZone))
                        : w.disabledAt(when(t, e.disabledAt, op.timeZone))
                    }
                  </td>
                  <td>
                    <a
                      href="${webhooksUrl(op.id)}?endpoint=${e.id}#deliveries-h"
                      aria-label="${w.showDeliveriesLabel(e.url)}"
                      >${w.showDeliveries}</a
                    >
                    ${
                      e.disabledAt === null
                        ? html`<form
                            class="inline-form"
                            method="post"
                            action="${webhooksUrl(op.id)}/${e.id}/disable"
                          >
                            ${csrfField(o.csrf)}
                            <button
                              type="submit"
                              class="secondary small"
                              aria-label="${w.disableLabel(e.url)}"
                            >
                              ${w.disable}
                            </button>
                          </form>`
                        : null
                    }
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>`;
  return frame(
    o,
    w.title(nameOf(op)),
    html`<h1>${w.title(nameOf(op))}</h1>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <p>${w.intro} <a href="/api/docs#webhooks">${w.docsLink}</a></p>
      <h2>${w.endpointsHeading}</h2>
      ${endpoints}
      <h2>${w.createHeading}</h2>
      ${createForm(o)}
      <h2 id="deliveries-h">
        ${o.endpointFilter ? w.deliveriesOfEndpoint(o.endpointFilter.url) : w.deliveriesHeading}
      </h2>
      ${o.endpointFilter ? html`<p><a href="${webhooksUrl(op.id)}#deliveries-h">${w.allDeliveries}</a></p>` : null}
      ${deliveriesTable(o)}`,
  );
}

export function webhookCreatedPage(
  o: SignedIn & { operator: OperatorDto; endpoint: WebhookEndpointDto; secret: string },
): SafeHtml {
  const { w } = o;
  return frame(
    o,
    w.createdTitle,
    html`<h1>${w.createdTitle}</h1>
      <p>${w.createdIntro}</p>
      <dl class="card" id="created">
        <dt>${w.url}</dt>
        <dd><code class="uri">${o.endpoint.url}</code></dd>
        <dt>${w.eventsLabel}</dt>
        <dd>${o.endpoint.events.map((e) => html`<code>${e}</code> `)}</dd>
        <dt>${w.secret}</dt>
        <dd><code class="secret" id="webhook-secret">${o.secret}</code></dd>
      </dl>
      <p class="alert alert-note" role="status">${w.secretOnce}</p>
      <p><a href="/api/docs#webhooks">${w.docsLink}</a></p>
      <p><a href="${webhooksUrl(o.operator.id)}">${w.back}</a></p>`,
  );
}

export function deliveryPage(
  o: SignedIn & {
    operator: OperatorDto;
    delivery: WebhookDeliveryDto & { attemptLog: WebhookAttemptDto[] };
    endpoint: WebhookEndpointDto;
    notice?: string;
    error?: string;
  },
): SafeHtml {
  const { t, w, operator: op, delivery: d } = o;
  const retryable = o.endpoint.disabledAt === null && (d.state === 'failed' || d.state === 'pending');
  return frame(
    o,
    w.deliveryTitle,
    html`<h1>${w.deliveryTitle}</h1>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <dl class="card" id="delivery">
        <dt>${w.deliveryId}</dt>
        <dd><code>${d.id}</code></dd>
        <dt>${w.eventId}</dt>
        <dd><code>${d.eventId}</code></dd>
        <dt>${w.event}</dt>
        <dd><code>${d.eventType}</code></dd>
        <dt>${w.inquiry}</dt>
        <dd>${d.inquiryId ? html`<code>${d.inquiryId}</code>` : '—'}</dd>
        <dt>${w.endpoint}</dt>
        <dd><code class="uri">${o.endpoint.url}</code></dd>
        <dt>${w.createdAt}</dt>
        <dd>${when(t, d.createdAt, op.timeZone)}</dd>
        <dt>${w.deliveryState}</dt>
        <dd>${w.states[d.state]}</dd>
        <dt>${w.nextAttempt}</dt>
        <dd>${d.nextAttemptAt ? when(t, d.nextAttemptAt, op.timeZone) : '—'}</dd>
      </dl>
      ${
        retryable
          ? html`<form method="post" action="${deliveryUrl(op.id, d.id)}/retry">
              ${csrfField(o.csrf)}
              <button type="submit" aria-label="${w.retryLabel(d.id)}">${w.retry}</button>
            </form>`
          : null
      }
      <h2>${w.attemptsHeading}</h2>
      ${
        d.attemptLog.length === 0
          ? html`<p>${w.noAttempts}</p>`
          : html`<table id="attempts">
              <thead>
                <tr>
                  <th scope="col">${w.attempt}</th>
                  <th scope="col">${w.at}</th>
                  <th scope="col">${w.result}</th>
                  <th scope="col">${w.duration}</th>
                </tr>
              </thead>
              <tbody>
                ${d.attemptLog.map(
                  (a) =>
                    html`<tr>
                      <td>${a.attempt}</td>
                      <td>${when(t, a.at, op.timeZone)}</td>
                      <td>${resultOf(w, a.statusCode, a.error)}</td>
                      <td>${w.ms(a.durationMs)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <p><a href="${webhooksUrl(op.id)}">${w.back}</a></p>`,
  );
}

/**
 * The channel pages of the console: the organisations whose channels the reader manages, one
 * organisation's connections (webhook URLs, state, disable) with a form per provider to connect
 * one, the page shown once after connecting (the generated secrets and how to set the provider
 * up), and the refusal page of a verbal consent. Markup only: every interpolation is escaped by
 * `html`; no scripts.
 */
import {
  CHANNEL_PROVIDERS,
  type ChannelProvider,
  type ConnectionDto,
  type ConnectResult,
} from '../../modules/channels/index.ts';
import type { OperatorDto } from '../../modules/operators/index.ts';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { ChannelsDictionary } from './channels.texts.ts';
import { alert, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  c: ChannelsDictionary;
  csrf: string;
  path: string;
  displayName?: string;
}

export const channelsUrl = (operatorId: string): string => `/console/operators/${operatorId}/channels`;

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

const nameOf = (op: Pick<OperatorDto, 'name' | 'shortName'>): string => op.shortName ?? op.name;

function when(t: Dictionary, at: string, timeZone: string): string {
  return new Intl.DateTimeFormat(t.htmlLang, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(at),
  );
}

export function channelsIndexPage(o: SignedIn & { operators: readonly OperatorDto[] }): SafeHtml {
  const { c } = o;
  const list =
    o.operators.length === 0
      ? html`<p>${c.noOperators}</p>`
      : html`<ul class="channel-operators">
          ${o.operators.map((op) => html`<li><a href="${channelsUrl(op.id)}">${nameOf(op)}</a></li>`)}
        </ul>`;
  return layout({
    ...o,
    title: c.indexTitle,
    section: 'channels',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${c.indexTitle}</h1>
      <p>${c.indexIntro}</p>
      ${list}`,
  });
}

/** Which fields each provider's form has, in order; `secret` ones are never filled back in. */
const PROVIDER_FIELDS: Record<
  ChannelProvider,
  readonly { name: keyof ChannelsDictionary['fields']; secret: boolean; required: boolean }[]
> = {
  telegram: [
    { name: 'botToken', secret: true, required: true },
    { name: 'apiBaseUrl', secret: false, required: false },
  ],
  whatsapp: [
    { name: 'phoneNumberId', secret: false, required: true },
    { name: 'accessToken', secret: true, required: true },
    { name: 'appSecret', secret: true, required: true },
    { name: 'apiBaseUrl', secret: false, required: false },
  ],
  sms_ru: [
    { name: 'apiId', secret: true, required: true },
    { name: 'from', secret: false, required: false },
    { name: 'apiBaseUrl', secret: false, required: false },
  ],
  max: [
    { name: 'botToken', secret: true, required: true },
    { name: 'apiBaseUrl', secret: false, required: false },
  ],
  telephony: [],
};

export interface ChannelsPageOptions extends SignedIn {
  operator: OperatorDto;
  connections: readonly ConnectionDto[];
  notice?: string;
  error?: string;
  /** The refused form: its provider, the values typed (secrets left out) and the fields at fault. */
  refused?: { provider: ChannelProvider; values: Record<string, string>; errors: readonly string[] };
}

function connectForm(o: ChannelsPageOptions, provider: ChannelProvider): SafeHtml {
  const { c } = o;
  const refused = o.refused?.provider === provider ? o.refused : undefined;
  const active = o.connections.some((x) => x.provider === provider && x.disabledAt === null);
  const fields = PROVIDER_FIELDS[provider].map((f) => {
    const id = `${provider}-${f.name}`;
    const invalid = refused?.errors.includes(f.name) ?? false;
    const hint = f.name === 'apiBaseUrl' ? `${id}-hint` : undefined;
    const describedBy = [hint, invalid ? `${id}-error` : undefined].filter(Boolean).join(' ');
    return html`<div class="field${invalid ? ' field-invalid' : ''}">
      <label for="${id}">${c.fields[f.name]}</label>
      <input
        id="${id}"
        name="${f.name}"
        type="${f.secret ? 'password' : 'text'}"
        value="${f.secret ? '' : (refused?.values[f.name] ?? '')}"
        maxlength="500"
        autocomplete="off"
        ${f.required ? html` required` : null}
        ${invalid ? html` aria-invalid="true"` : null}
        ${describedBy ? html` aria-describedby="${describedBy}"` : null}
      />
      ${hint ? html`<p class="hint" id="${hint}">${c.apiBaseUrlHint}</p>` : null}
      ${invalid ? html`<p class="field-error" id="${id}-error">${c.fieldInvalid}</p>` : null}
    </div>`;
  });
  return html`<section class="card" aria-labelledby="connect-${provider}">
    <h3 id="connect-${provider}">${c.providers[provider]}</h3>
    ${provider === 'telephony' ? html`<p class="hint">${c.telephonyHint}</p>` : null}
    <form method="post" action="${channelsUrl(o.operator.id)}" novalidate>
      ${csrfField(o.csrf)}
      <input type="hidden" name="provider" value="${provider}" />
      ${fields}
      <button type="submit" ${active ? html` disabled` : null}>${c.connect}</button>
    </form>
  </section>`;
}

export function channelsPage(o: ChannelsPageOptions): SafeHtml {
  const { t, c, operator: op } = o;
  const rows =
    o.connections.length === 0
      ? html`<p>${c.none}</p>`
      : html`<table id="connections">
          <thead>
            <tr>
              <th scope="col">${c.provider}</th>
              <th scope="col">${c.webhookUrl}</th>
              <th scope="col">${c.state}</th>
              <th scope="col"><span class="visually-hidden">${c.disable}</span></th>
            </tr>
          </thead>
          <tbody>
            ${o.connections.map(
              (x) =>
                html`<tr
                  data-provider="${x.provider}"
                  data-state="${x.disabledAt === null ? 'active' : 'disabled'}"
                >
                  <td>${c.providers[x.provider]}</td>
                  <td><code class="webhook-url">${x.webhookUrl}</code></td>
                  <td>
                    ${
                      x.disabledAt === null
                        ? c.active(when(t, x.createdAt, op.timeZone))
                        : c.disabledAt(when(t, x.disabledAt, op.timeZone))
                    }
                  </td>
                  <td>
                    ${
                      x.disabledAt === null
                        ? html`<form method="post" action="${channelsUrl(op.id)}/${x.id}/disable">
                            ${csrfField(o.csrf)}
                            <button
                              type="submit"
                              class="secondary"
                              aria-label="${c.disableLabel(c.providers[x.provider])}"
                            >
                              ${c.disable}
                            </button>
                          </form>`
                        : null
                    }
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>`;
  return layout({
    ...o,
    title: c.title(nameOf(op)),
    section: 'channels',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${c.title(nameOf(op))}</h1>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <p>${c.intro}</p>
      <h2>${c.connectedHeading}</h2>
      ${rows}
      <h2>${c.connectHeading}</h2>
      ${CHANNEL_PROVIDERS.map((p) => connectForm(o, p))}`,
  });
}

export function channelConnectedPage(
  o: SignedIn & { operator: OperatorDto; result: ConnectResult },
): SafeHtml {
  const { c, result } = o;
  const provider = result.connection.provider;
  return layout({
    ...o,
    title: c.connectedTitle,
    section: 'channels',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${c.connectedTitle}</h1>
      <p>${c.connectedIntro(c.providers[provider])}</p>
      <p>${c.setup[provider]}</p>
      <dl class="card" id="connected">
        <dt>${c.webhookUrl}</dt>
        <dd><code id="webhook-url">${result.connection.webhookUrl}</code></dd>
        ${result.secrets.map(
          (s) =>
            html`<dt>${c.secretNames[s.name]}</dt>
              <dd><code data-secret="${s.name}">${s.value}</code></dd>`,
        )}
      </dl>
      <p class="alert alert-note" role="status">${c.secretsOnce}</p>
      <p><a href="${channelsUrl(o.operator.id)}">${c.back}</a></p>`,
  });
}

export function verbalConsentRefusedPage(o: SignedIn & { message: string; inquiryUrl: string }): SafeHtml {
  const { c } = o;
  return layout({
    ...o,
    title: c.consentTitle,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${c.consentTitle}</h1>
      ${alert('error', o.message)}
      <p><a href="${o.inquiryUrl}">${c.backToInquiry}</a></p>`,
  });
}

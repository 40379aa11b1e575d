/**
 * The API key pages of the console: the organisations whose keys the reader manages, one
 * organisation's keys (name, start of the key, rights, state, last use; create, revoke), and the
 * page shown once after creating a key (the key itself). Markup only: every interpolation is
 * escaped by `html`; no scripts.
 */
import { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPES, type ApiKeyDto } from '../../modules/apikeys/index.ts';
import type { OperatorDto } from '../../modules/operators/index.ts';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { ApiKeysDictionary } from './apikeys.texts.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import { checkboxGroup } from '../shared/checkbox-group.ts';
import { alert, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  k: ApiKeysDictionary;
  csrf: string;
  path: string;
  displayName?: string | undefined;
}

export const apiKeysUrl = (operatorId: string): string => `/console/operators/${operatorId}/api-keys`;

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

const nameOf = (op: Pick<OperatorDto, 'name' | 'shortName'>): string => op.shortName ?? op.name;

function when(t: Dictionary, at: string, timeZone: string): string {
  return new Intl.DateTimeFormat(t.htmlLang, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(at),
  );
}

function frame(o: SignedIn, title: string, body: SafeHtml): SafeHtml {
  return layout({
    ...o,
    title,
    section: 'apiKeys',
    session: { displayName: o.displayName, full: true },
    body,
  });
}

/** The start of a key as it is shown: enough to tell keys apart, never the secret. */
export const keyStart = (prefix: string): string => `sgl_${prefix}_…`;

export function apiKeysIndexPage(o: SignedIn & { operators: readonly OperatorDto[] }): SafeHtml {
  const { k } = o;
  return frame(
    o,
    k.indexTitle,
    html`<h1>${k.indexTitle}</h1>
      ${
        o.operators.length === 0
          ? html`<p>${k.noOperators}</p>`
          : html`<p>${k.indexIntro}</p>
              <ul>
                ${o.operators.map((op) => html`<li><a href="${apiKeysUrl(op.id)}">${nameOf(op)}</a></li>`)}
              </ul>`
      }`,
  );
}

export interface ApiKeysPageOptions extends SignedIn {
  operator: OperatorDto;
  keys: readonly ApiKeyDto[];
  notice?: string | undefined;
  error?: string | undefined;
  /** The refused form: what was typed and the fields at fault. */
  refused?: { name: string; scopes: readonly string[]; errors: readonly string[] };
}

function createForm(o: ApiKeysPageOptions): SafeHtml {
  const { k } = o;
  const r = o.refused;
  const invalid = (f: string) => r?.errors.includes(f) ?? false;
  const checked = (s: string) =>
    r ? r.scopes.includes(s) : (DEFAULT_API_KEY_SCOPES as string[]).includes(s);
  const errorText = (f: string, text: string) =>
    invalid(f) ? html`<p class="field-error" id="apikey-${f}-error">${text}</p>` : null;
  return html`<form method="post" action="${apiKeysUrl(o.operator.id)}" novalidate>
    ${csrfField(o.csrf)}
    <div class="field${invalid('name') ? ' field-invalid' : ''}">
      <label for="apikey-name">${k.name}</label>
      <input
        id="apikey-name"
        name="name"
        type="text"
        value="${r?.name ?? ''}"
        maxlength="200"
        autocomplete="off"
        required
        aria-describedby="apikey-name-hint${invalid('name') ? ' apikey-name-error' : ''}"
        ${invalid('name') ? html` aria-invalid="true"` : null}
      />
      <p class="hint" id="apikey-name-hint">${k.nameHint}</p>
      ${errorText('name', k.nameInvalid)}
    </div>
    ${checkboxGroup({
      name: 'scopes',
      idPrefix: 'apikey-scope',
      errorId: 'apikey-scopes-error',
      legend: k.scopesLabel,
      values: API_KEY_SCOPES,
      labelOf: (s) => k.scopes[s],
      checked,
      error: invalid('scopes') ? k.scopesInvalid : undefined,
    })}
    <button type="submit">${k.create}</button>
  </form>`;
}

function keysTable(o: ApiKeysPageOptions): SafeHtml {
  const { t, k, operator: op } = o;
  if (o.keys.length === 0) return html`<p>${k.none}</p>`;
  return html`<table id="api-keys">
    <thead>
      <tr>
        <th scope="col">${k.name}</th>
        <th scope="col">${k.prefix}</th>
        <th scope="col">${k.scopesLabel}</th>
        <th scope="col">${k.state}</th>
        <th scope="col">${k.lastUsed}</th>
        <th scope="col"><span class="visually-hidden">${k.revoke}</span></th>
      </tr>
    </thead>
    <tbody>
      ${o.keys.map(
        (key) =>
          html`<tr data-key="${key.id}" data-state="${key.revokedAt === null ? 'active' : 'revoked'}">
            <td>${key.name}</td>
            <td><code>${keyStart(key.prefix)}</code></td>
            <td>${key.scopes.map((s) => html`<code>${s}</code><br />`)}</td>
            <td>
              ${
                key.revokedAt === null
                  ? k.active(when(t, key.createdAt, op.timeZone))
                  : k.revokedAt(when(t, key.revokedAt, op.timeZone))
              }
            </td>
            <td>${key.lastUsedAt ? when(t, key.lastUsedAt, op.timeZone) : k.never}</td>
            <td>
              ${
                key.revokedAt === null
                  ? html`<form
                      class="inline-form"
                      method="post"
                      action="${apiKeysUrl(op.id)}/${key.id}/revoke"
                    >
                      ${csrfField(o.csrf)}
                      <button type="submit" class="secondary small" aria-label="${k.revokeLabel(key.name)}">
                        ${k.revoke}
                      </button>
                    </form>`
                  : null
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function apiKeysPage(o: ApiKeysPageOptions): SafeHtml {
  const { k, operator: op } = o;
  return frame(
    o,
    k.title(nameOf(op)),
    html`<h1>${k.title(nameOf(op))}</h1>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <p>${k.intro} <a href="/api/docs">${k.docsLink}</a></p>
      <h2>${k.keysHeading}</h2>
      ${keysTable(o)}
      <h2>${k.createHeading}</h2>
      ${createForm(o)}`,
  );
}

export function apiKeyCreatedPage(
  o: SignedIn & { operator: OperatorDto; apiKey: ApiKeyDto; key: string },
): SafeHtml {
  const { k } = o;
  return frame(
    o,
    k.createdTitle,
    html`<h1>${k.createdTitle}</h1>
      <p>${k.createdIntro}</p>
      <dl class="card" id="created">
        <dt>${k.name}</dt>
        <dd>${o.apiKey.name}</dd>
        <dt>${k.scopesLabel}</dt>
        <dd>${o.apiKey.scopes.map((s) => html`<code>${s}</code> `)}</dd>
        <dt>${k.key}</dt>
        <dd><code class="secret" id="api-key">${o.key}</code></dd>
      </dl>
      <p class="alert alert-note" role="status">${k.keyOnce}</p>
      <p><a href="${apiKeysUrl(o.operator.id)}">${k.back}</a></p>`,
  );
}

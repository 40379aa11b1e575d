import { html, type SafeHtml } from '../../platform/http/html.ts';

/**
 * A fieldset of checkboxes that share one name, with its error under them when refused (a
 * webhook's events, an API key's scopes). Ids are `<idPrefix>-<value>` with punctuation as dashes;
 * the error is shown under `errorId`, which the fieldset names as its description.
 *
 * @example
 *   checkboxGroup({ name: 'scopes', idPrefix: 'apikey-scope', errorId: 'apikey-scopes-error',
 *     legend: 'Права', values: API_KEY_SCOPES, labelOf: (s) => k.scopes[s], checked: (s) => true })
 */
export function checkboxGroup<V extends string>(o: {
  name: string;
  idPrefix: string;
  errorId: string;
  legend: string;
  values: readonly V[];
  labelOf: (value: V) => string;
  checked: (value: V) => boolean;
  /** The error's text when the group was refused; undefined when it was not. */
  error: string | undefined;
}): SafeHtml {
  const id = (v: V) => `${o.idPrefix}-${v.replace(/[^A-Za-z0-9_-]/gu, '-')}`;
  return html`<fieldset
    class="field${o.error !== undefined ? ' field-invalid' : ''}"
    ${o.error !== undefined ? html` aria-describedby="${o.errorId}"` : null}
  >
    <legend>${o.legend}</legend>
    ${o.values.map(
      (v) =>
        html`<div class="field checkbox">
          <input
            type="checkbox"
            id="${id(v)}"
            name="${o.name}"
            value="${v}"
            ${o.checked(v) ? html` checked` : null}
          />
          <label for="${id(v)}">${o.labelOf(v)}</label>
        </div>`,
    )}
    ${o.error !== undefined ? html`<p class="field-error" id="${o.errorId}">${o.error}</p>` : null}
  </fieldset>`;
}

/**
 * A tiny tagged template for server-rendered HTML that escapes every interpolation by default, so
 * a value typed by a user can never become markup. Nested `html` fragments and arrays of them are
 * inserted as they are; anything else is converted to text and escaped. `null`, `undefined` and
 * `false` render as nothing, which keeps conditionals short.
 *
 * Attribute values must be quoted in the template (`value="${v}"`): escaping covers both quote
 * characters, but an unquoted attribute could still be split by a space.
 *
 * @example
 *   const name = '<script>alert(1)</script>';
 *   const page = html`<p class="hello">Hello, ${name}</p>${items.map((i) => html`<li>${i}</li>`)}`;
 *   reply.type('text/html; charset=utf-8').send(page.toString());
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

const ESCAPE_RE = /[&<>"'`]/g;

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(ESCAPE_RE, (c) => ESCAPES[c]!);
}

/** Markup that is already safe: produced by `html` or explicitly trusted with `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue =
  SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHtml(out);
}

/**
 * Trusts a string as markup. Only for text the program itself produced (a generated SVG, a
 * constant); never for anything that came from a request or the database.
 */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

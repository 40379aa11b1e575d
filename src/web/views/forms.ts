/**
 * The five inquiry forms as the published declaration defines them: its fields with Russian labels,
 * the processing consent (unticked, next to the links to its document and to the policy), the
 * optional marketing consent, the review's publication consent with the author's choice of what is
 * shown, the "for another person" fields, a honeypot and the signed form token. Forms carry
 * `novalidate` so every message comes from the server, in the page's language, beside its field.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { FieldName, FormId, ReviewShow, FormDecl, PublishedDocument } from '../web.ports.ts';
import { formWords, SITE_TEXT, type Lang, type SiteText } from './texts.ts';
import { formatDate } from './format.ts';
import { localPath } from './lang.ts';

/** Names of the form's own inputs besides the declared fields. */
export const INPUT = {
  token: '_form_token',
  page: '_page',
  honeypot: 'website',
  consentProcessing: 'consent_processing',
  consentMarketing: 'consent_marketing',
  consentReview: 'consent_review',
  reviewShow: 'review_show',
  onBehalf: 'on_behalf',
  representativeName: 'representative_name',
  representativeRelation: 'representative_relation',
} as const;

/** Where the intake's error keys point in the form; a key not listed here is a field name. */
const ERROR_TARGET: Record<string, string> = {
  'consents.processing': INPUT.consentProcessing,
  'consents.marketing': INPUT.consentMarketing,
  'consents.reviewPublication': INPUT.consentReview,
  'consents.reviewPublication.allowed': INPUT.consentReview,
  'consents.reviewPublication.show': INPUT.reviewShow,
  onBehalf: INPUT.representativeName,
  'onBehalf.representativeName': INPUT.representativeName,
  'onBehalf.relation': INPUT.representativeRelation,
};

/** The intake's errors keyed by the form's input names (`_form` for those that belong to no input). */
export function errorsByInput(def: FormDecl, errors: Record<string, string>): Record<string, string> {
  const inputs = new Set<string>([...def.fields.map((f) => f.name), ...Object.values(INPUT)]);
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(errors)) {
    const target = ERROR_TARGET[key] ?? key;
    const at = inputs.has(target) ? target : '_form';
    out[at] = out[at] ? `${out[at]} ${message}` : message;
  }
  return out;
}

export interface FormDocs {
  policy?: PublishedDocument;
  processing?: PublishedDocument;
  marketing?: PublishedDocument;
  reviewPublication?: PublishedDocument;
}

export interface FormView {
  /** The page's language: the form's words, its document links and where it posts. */
  lang: Lang;
  def: FormDecl;
  token: string;
  /** Which page the form sits on, so an invalid submission comes back to it. */
  pageKey: string;
  docs: FormDocs;
  timeZone: string;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  /** The form's heading level: 1 when the form is the page. */
  headingLevel?: 1 | 2;
  action?: string;
}

interface Ctx {
  t: SiteText;
  lang: Lang;
  formId: FormId;
  values: Record<string, string>;
  errors: Record<string, string>;
}

const idOf = (c: Ctx, input: string) => `${c.formId}-${input.replace(/_/g, '-')}`;

function describedBy(ids: (string | false | undefined)[]): SafeHtml | null {
  const list = ids.filter((x): x is string => typeof x === 'string' && x.length > 0);
  return list.length > 0 ? html` aria-describedby="${list.join(' ')}"` : null;
}

function errorOf(c: Ctx, input: string): { id: string; text: string } | undefined {
  const text = c.errors[input];
  return text ? { id: `${idOf(c, input)}-error`, text } : undefined;
}

const requiredMark = html`<span class="required-mark" aria-hidden="true">*</span>`;

function fieldControl(c: Ctx, name: FieldName, required: boolean, extra: SafeHtml | null): SafeHtml {
  const id = idOf(c, name);
  const value = c.values[name] ?? '';
  const invalid = c.errors[name] ? html` aria-invalid="true"` : null;
  const req = required ? html` required aria-required="true"` : null;
  const attrs = html`id="${id}" name="${name}" ${req}${invalid}${extra}`;
  switch (name) {
    case 'message':
    case 'services':
      return html`<textarea ${attrs} rows="5">${value}</textarea>`;
    case 'rating':
      return html`<select ${attrs}>
        <option value="">${c.t.chooseRating}</option>
        ${['5', '4', '3', '2', '1'].map(
          (r) =>
            html`<option value="${r}" ${value === r ? html` selected` : null}>${c.t.ratings[r]}</option>`,
        )}
      </select>`;
    case 'phone':
      return html`<input type="tel" ${attrs} value="${value}" autocomplete="tel" inputmode="tel" />`;
    case 'email':
      return html`<input type="email" ${attrs} value="${value}" autocomplete="email" spellcheck="false" />`;
    case 'name':
      return html`<input type="text" ${attrs} value="${value}" autocomplete="name" />`;
    case 'preferredDate':
      return html`<input type="date" ${attrs} value="${value}" />`;
    case 'preferredTime':
      return html`<input type="time" ${attrs} value="${value}" />`;
    case 'serviceOrDoctor':
      return html`<input type="text" ${attrs} value="${value}" />`;
  }
}

function declaredField(c: Ctx, f: FormDecl['fields'][number]): SafeHtml {
  const id = idOf(c, f.name);
  const label = c.t.fieldByForm[c.formId]?.[f.name] ?? c.t.fields[f.name].label;
  const hintText = [c.t.fields[f.name].hint, f.possibleHealthData ? c.t.healthHint : undefined]
    .filter(Boolean)
    .join(' ');
  const hint = hintText ? { id: `${id}-hint`, text: hintText } : undefined;
  const error = errorOf(c, f.name);
  return html`<div class="field${error ? ' field-invalid' : ''}">
    <label for="${id}">${label}${f.required ? html` ${requiredMark}` : null}</label>
    ${fieldControl(c, f.name, f.required, describedBy([hint?.id, error?.id]))}
    ${hint ? html`<p class="hint" id="${hint.id}">${hint.text}</p>` : null}
    ${error ? html`<p class="field-error" id="${error.id}">${error.text}</p>` : null}
  </div>`;
}

function checkbox(
  c: Ctx,
  input: string,
  label: SafeHtml | string,
  o: { required?: boolean; describedById?: string } = {},
): SafeHtml {
  const id = idOf(c, input);
  const error = errorOf(c, input);
  const checked = c.values[input] === 'yes';
  return html`<div class="field${error ? ' field-invalid' : ''}">
    <div class="check">
      <input
        type="checkbox"
        id="${id}"
        name="${input}"
        value="yes"
        ${checked ? html` checked` : null}${o.required ? html` required aria-required="true"` : null}${
          error ? html` aria-invalid="true"` : null
        }${describedBy([o.describedById, error?.id])}
      />
      <label for="${id}">${label}${o.required ? html` ${requiredMark}` : null}</label>
    </div>
    ${error ? html`<p class="field-error" id="${error.id}">${error.text}</p>` : null}
  </div>`;
}

function docLink(c: Ctx, doc: PublishedDocument | undefined, text: string, timeZone: string): SafeHtml {
  if (!doc) return html`${text}`;
  return html`<a href="${doc.url}" target="_blank" rel="noopener"
      >${text}<span class="visually-hidden">${c.t.form.opensInNewTab}</span></a
    >
    ${c.t.form.docVersion(doc.version, formatDate(doc.publishedAt, timeZone, c.lang))}`;
}

function textInput(c: Ctx, input: string, label: string, hint?: string): SafeHtml {
  const id = idOf(c, input);
  const error = errorOf(c, input);
  const hintId = hint ? `${id}-hint` : undefined;
  return html`<div class="field${error ? ' field-invalid' : ''}">
    <label for="${id}">${label}</label>
    <input
      type="text"
      id="${id}"
      name="${input}"
      value="${c.values[input] ?? ''}"
      ${error ? html` aria-invalid="true"` : null}${describedBy([hintId, error?.id])}
    />
    ${hint ? html`<p class="hint" id="${hintId}">${hint}</p>` : null}
    ${error ? html`<p class="field-error" id="${error.id}">${error.text}</p>` : null}
  </div>`;
}

function reviewPublication(c: Ctx, docs: FormDocs, timeZone: string): SafeHtml {
  const descId = `${idOf(c, INPUT.consentReview)}-doc`;
  const chosen = (c.values[INPUT.reviewShow] as ReviewShow | undefined) ?? 'anonymous';
  const error = errorOf(c, INPUT.reviewShow);
  // Optional, as the consent's own document says: a review without it is taken and never published.
  // What is shown of the name stays the author's choice.
  const f = c.t.form;
  return html`${checkbox(c, INPUT.consentReview, f.allowReview, { describedById: descId })}
    <p class="hint" id="${descId}">
      ${f.reviewTerms} ${docLink(c, docs.reviewPublication, f.reviewConsentDoc, timeZone)}.
    </p>
    <fieldset${error ? html` aria-describedby="${error.id}"` : null}>
      <legend>${f.reviewShowLegend}</legend>
      <ul class="radio-list">
        ${(Object.keys(c.t.reviewShow) as ReviewShow[]).map((v) => {
          const id = `${idOf(c, INPUT.reviewShow)}-${v.replace(/_/g, '-')}`;
          return html`<li>
            <input
              type="radio"
              id="${id}"
              name="${INPUT.reviewShow}"
              value="${v}"
              ${v === chosen ? html` checked` : null}
            />
            <label for="${id}">${c.t.reviewShow[v]}</label>
          </li>`;
        })}
      </ul>
      ${error ? html`<p class="field-error" id="${error.id}">${error.text}</p>` : null}
    </fieldset>`;
}

function errorSummary(c: Ctx, def: FormDecl): SafeHtml | null {
  const entries = Object.entries(c.errors);
  if (entries.length === 0) return null;
  const labels = c.t.form.summaryLabels;
  const labelOf = (input: string): string | undefined => {
    const field = def.fields.find((f) => f.name === input);
    if (field) return c.t.fieldByForm[c.formId]?.[field.name] ?? c.t.fields[field.name].label;
    if (input === INPUT.consentProcessing) return labels.processing;
    if (input === INPUT.consentReview || input === INPUT.reviewShow) return labels.review;
    if (input === INPUT.representativeName || input === INPUT.representativeRelation) {
      return labels.representative;
    }
    return undefined;
  };
  return html`<div class="alert alert-error" role="alert" id="${c.formId}-errors">
    <p><strong>${formWords(c.t, c.formId).summaryHeading}</strong></p>
    <ul>
      ${entries.map(([input, text]) => {
        const label = labelOf(input);
        return label
          ? html`<li><a href="#${idOf(c, input)}">${label}</a>: ${text}</li>`
          : html`<li>${text}</li>`;
      })}
    </ul>
  </div>`;
}

/** One inquiry form; `values` and `errors` come back after a refusal (escaped, like everything). */
export function inquiryForm(o: FormView): SafeHtml {
  const formId = o.def.id;
  const t = SITE_TEXT[o.lang];
  // The review form speaks of a review where the other forms speak of a request.
  const f = formWords(t, formId);
  const c: Ctx = { t, lang: o.lang, formId, values: o.values ?? {}, errors: o.errors ?? {} };
  const text = t.forms[formId];
  const titleId = `${formId}-title`;
  const heading =
    o.headingLevel === 1
      ? html`<h1 id="${titleId}">${text.title}</h1>`
      : html`<h2 id="${titleId}">${text.title}</h2>`;
  const processingDocId = `${idOf(c, INPUT.consentProcessing)}-doc`;
  const marketingDocId = `${idOf(c, INPUT.consentMarketing)}-doc`;
  const offers = (consent: 'marketing' | 'review_publication') => o.def.optionalConsents.includes(consent);
  const marketing = html`${checkbox(c, INPUT.consentMarketing, f.marketing, { describedById: marketingDocId })}
    <p class="hint" id="${marketingDocId}">
      ${f.consentText} ${docLink(c, o.docs.marketing, f.marketingDoc, o.timeZone)}. ${f.optOut}
    </p>`;
  const oneOf = o.def.atLeastOneOf ?? [];
  return html`<section class="panel" aria-labelledby="${titleId}">
    ${heading}
    <p>${text.intro}</p>
    ${errorSummary(c, o.def)}
    <form
      class="site-form"
      method="post"
      action="${o.action ?? localPath(o.lang, `/forms/${formId}`)}"
      novalidate
    >
      <input type="hidden" name="${INPUT.token}" value="${o.token}" />
      <input type="hidden" name="${INPUT.page}" value="${o.pageKey}" />
      <div class="hp" aria-hidden="true">
        <label for="${idOf(c, INPUT.honeypot)}">${f.honeypot}</label>
        <input
          type="text"
          id="${idOf(c, INPUT.honeypot)}"
          name="${INPUT.honeypot}"
          value=""
          tabindex="-1"
          autocomplete="off"
        />
      </div>
      <p class="muted">
        ${f.requiredNote}${
          oneOf.length > 1 ? f.atLeastOne(oneOf.map((n) => t.fields[n].label.toLowerCase())) : null
        }
      </p>
      ${o.def.fields.map((f) => declaredField(c, f))}
      <fieldset>
        <legend>${f.onBehalfLegend}</legend>
        ${checkbox(c, INPUT.onBehalf, f.onBehalf, { describedById: `${idOf(c, INPUT.onBehalf)}-hint` })}
        <p class="hint" id="${idOf(c, INPUT.onBehalf)}-hint">${f.onBehalfHint}</p>
        ${textInput(c, INPUT.representativeName, f.representativeName)}
        ${textInput(c, INPUT.representativeRelation, f.representativeRelation, f.representativeRelationHint)}
      </fieldset>
      <fieldset class="consents">
        <legend>${f.consentsLegend}</legend>
        ${checkbox(c, INPUT.consentProcessing, f.processing, {
          required: true,
          describedById: processingDocId,
        })}
        <p class="hint" id="${processingDocId}">
          ${f.consentText} ${docLink(c, o.docs.processing, f.processingDoc, o.timeZone)}. ${f.howWeHandle}
          ${docLink(c, o.docs.policy, f.policyDoc, o.timeZone)}.
        </p>
        ${offers('review_publication') ? reviewPublication(c, o.docs, o.timeZone) : null}
        ${offers('marketing') ? marketing : null}
      </fieldset>
      <button type="submit">${text.submit}</button>
    </form>
  </section>`;
}

/**
 * The console's page for merging two records of one patient: a form that names both records (an
 * inquiry number or a subject id each), then both records decrypted side by side with what each
 * has, and the confirm button. Markup only: every interpolation is escaped by `html`; no scripts.
 */
import type { OperatorDto } from '../../modules/operators/index.ts';
import type { MergePreview, MergeSide } from '../../modules/subjects/index.ts';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { SubjectsText } from './subjects.texts.ts';
import { alert, layout } from '../shared/layout.ts';

export const MERGE_PATH = '/console/subjects/merge';

interface SignedIn {
  t: Dictionary;
  s: SubjectsText;
  csrf: string;
  path: string;
  displayName?: string;
}

const nameOf = (op: Pick<OperatorDto, 'name' | 'shortName'>): string => op.shortName ?? op.name;

function when(t: Dictionary, at: string, timeZone: string): string {
  return new Intl.DateTimeFormat(t.htmlLang, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(at),
  );
}

export interface MergeFormOptions extends SignedIn {
  operators: readonly OperatorDto[];
  operatorId?: string;
  keep?: string;
  merge?: string;
  errors?: Partial<Record<'keep' | 'merge' | 'form', string>>;
  notice?: string;
}

function field(o: MergeFormOptions, name: 'keep' | 'merge', label: string): SafeHtml {
  const error = o.errors?.[name];
  const describedBy = `${name}-hint${error ? ` ${name}-error` : ''}`;
  return html`<div class="field">
    <label for="${name}">${label}</label>
    <input
      id="${name}"
      name="${name}"
      value="${o[name] ?? ''}"
      required
      maxlength="100"
      autocomplete="off"
      spellcheck="false"
      aria-describedby="${describedBy}"
      ${error ? html` aria-invalid="true"` : null}
    />
    <p class="hint" id="${name}-hint">${o.s.refHint}</p>
    ${error ? html`<p class="alert alert-error" id="${name}-error">${error}</p>` : null}
  </div>`;
}

export function mergeFormPage(o: MergeFormOptions): SafeHtml {
  const { s } = o;
  const body =
    o.operators.length === 0
      ? html`<p>${s.noOperators}</p>`
      : html`<form method="get" action="${MERGE_PATH}">
          ${
            o.operators.length === 1
              ? html`<input type="hidden" name="operatorId" value="${o.operators[0]!.id}" />`
              : html`<div class="field">
                  <label for="operatorId">${s.operator}</label>
                  <select id="operatorId" name="operatorId">
                    ${o.operators.map(
                      (op) =>
                        html`<option value="${op.id}" ${op.id === o.operatorId ? html` selected` : null}>
                          ${nameOf(op)}
                        </option>`,
                    )}
                  </select>
                </div>`
          }
          ${field(o, 'keep', s.keep)} ${field(o, 'merge', s.merge)}
          <button type="submit">${s.compare}</button>
        </form>`;
  return layout({
    ...o,
    title: s.title,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${s.title}</h1>
      ${alert('ok', o.notice)}
      ${o.errors?.form ? html`<p class="alert alert-error" role="alert">${o.errors.form}</p>` : null}
      <p>${s.intro}</p>
      ${body}`,
  });
}

function side(o: SignedIn & { operator: OperatorDto }, m: MergeSide, heading: string, id: string): SafeHtml {
  const { s, t } = o;
  const value = (v: string | null) => (v === null ? html`<span class="muted">${s.none}</span>` : v);
  return html`<section aria-labelledby="${id}" class="merge-side" data-subject="${m.id}">
    <h3 id="${id}">${heading}</h3>
    <dl class="card">
      <dt>${s.name}</dt>
      <dd>${value(m.name)}</dd>
      <dt>${s.phone}</dt>
      <dd>${value(m.phone)}</dd>
      <dt>${s.email}</dt>
      <dd>${value(m.email)}</dd>
      <dt>${s.created}</dt>
      <dd>${when(t, m.createdAt, o.operator.timeZone)}</dd>
      <dt>${s.inquiries}</dt>
      <dd>
        ${
          m.inquiries.length === 0
            ? s.noInquiries
            : html`<ul>
                ${m.inquiries.map(
                  (i) =>
                    html`<li>
                      <a href="/console/operators/${o.operator.id}/inquiries/${i.id}"
                        >${s.inquiryNumber(i.number)}</a
                      >, ${when(t, i.createdAt, o.operator.timeZone)}
                    </li>`,
                )}
              </ul>`
        }
      </dd>
      <dt>${s.consents}</dt>
      <dd>${m.consents}</dd>
      <dt>${s.reviews}</dt>
      <dd>${m.publishedReviews}</dd>
      <dt>${s.subjectId}</dt>
      <dd><code>${m.id}</code></dd>
    </dl>
  </section>`;
}

export function mergePreviewPage(o: SignedIn & { operator: OperatorDto; preview: MergePreview }): SafeHtml {
  const { s, operator: op, preview: p } = o;
  const swap = `${MERGE_PATH}?operatorId=${op.id}&keep=${p.merge.id}&merge=${p.keep.id}`;
  return layout({
    ...o,
    title: s.title,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${s.title}</h1>
      <h2>${s.compareHeading}</h2>
      <p>${s.compareIntro}</p>
      <div class="columns merge-compare">
        ${side(o, p.keep, s.kept, 'merge-kept')} ${side(o, p.merge, s.merged, 'merge-merged')}
      </div>
      <p>${s.filled}</p>
      <form method="post" action="${MERGE_PATH}">
        <input type="hidden" name="_csrf" value="${o.csrf}" />
        <input type="hidden" name="operatorId" value="${op.id}" />
        <input type="hidden" name="keep" value="${p.keep.id}" />
        <input type="hidden" name="merge" value="${p.merge.id}" />
        <button type="submit" class="danger">${s.confirm}</button>
      </form>
      <p class="links">
        <a href="${swap}">${s.swap}</a>
        <a href="${MERGE_PATH}?operatorId=${op.id}">${s.cancel}</a>
      </p>`,
  });
}

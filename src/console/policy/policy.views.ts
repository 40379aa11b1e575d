/**
 * The policy pages of the console: the draft declaration as YAML in a textarea (which is also the
 * import), the linter's findings, the publish button, the published versions with links to their
 * public pages and to the changes between versions; and the page of one such diff. No scripts:
 * every action is a plain form post.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { OperatorDto } from '../../modules/operators/index.ts';
import {
  DOCUMENT_TITLES,
  type DocumentKind,
  type DocumentLang,
  type LintIssue,
  type PublicationSummary,
} from '../../modules/policy/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import { alert, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  csrf: string;
  path: string;
  displayName?: string;
}

export interface PolicyPageOptions extends SignedIn {
  operator: OperatorDto;
  yaml: string;
  /** When the saved draft was last changed; undefined without a draft. */
  draftUpdatedAt?: Date;
  /** The linter's findings on the saved draft. */
  issues: readonly LintIssue[];
  /** A refused save's or publish's problems (path and message). */
  errors?: readonly { path: string; message: string }[];
  publications: readonly PublicationSummary[];
  /** Where the operator's public pages are, e.g. `https://clinic.example`; undefined without a site. */
  publicBase?: string;
  notice?: string;
  error?: string;
}

const policyUrl = (operatorId: string): string => `/console/operators/${operatorId}/policy`;

function titleOf(t: Dictionary, kind: DocumentKind): string {
  return DOCUMENT_TITLES[kind][t.htmlLang === 'en' ? 'en' : 'ru'];
}

/** The language of a document version, as a code after its title (both languages are listed). */
function langTag(lang: DocumentLang): string {
  return ` (${lang.toUpperCase()})`;
}

function when(t: Dictionary, at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat(t.htmlLang, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
    at,
  );
}

function issueList(t: Dictionary, issues: readonly LintIssue[]): SafeHtml {
  if (issues.length === 0) return html`<p class="alert alert-ok" role="status">${t.policy.lintClean}</p>`;
  return html`<ul class="lint-list">
    ${issues.map(
      (i) =>
        html`<li class="lint-${i.level}" data-code="${i.code}">
          <strong>${i.level === 'error' ? t.policy.lintError : t.policy.lintWarning}:</strong>
          ${i.message} <code>${i.path}</code>
        </li>`,
    )}
  </ul>`;
}

export function policyPage(o: PolicyPageOptions): SafeHtml {
  const { t, operator: op } = o;
  const action = policyUrl(op.id);
  const name = op.shortName ?? op.name;
  const errors =
    o.errors && o.errors.length > 0
      ? html`<section aria-labelledby="errors-heading">
          <h2 id="errors-heading">${t.policy.errorsHeading}</h2>
          <ul class="lint-list" id="policy-errors">
            ${o.errors.map((e) => html`<li class="lint-error">${e.message} <code>${e.path}</code></li>`)}
          </ul>
        </section>`
      : null;

  const versions =
    o.publications.length === 0
      ? html`<p>${t.policy.noVersions}</p>`
      : html`<ol class="policy-versions" reversed>
          ${o.publications.map(
            (p) =>
              html`<li>
                <strong>${t.policy.declarationVersion(p.version)}</strong> ·
                ${when(t, p.publishedAt, op.timeZone)}
                <ul>
                  ${p.documents.map((d) => {
                    const title = titleOf(t, d.kind) + langTag(d.lang);
                    const label = t.policy.documentVersion(title, d.version);
                    const link = o.publicBase ? html`<a href="${o.publicBase}${d.url}">${label}</a>` : label;
                    const diff =
                      d.version > 1
                        ? html` ·
                            <a
                              href="${action}/diff?kind=${d.kind}&amp;from=${d.version - 1}&amp;to=${d.version}${d.lang === 'en' ? html`&amp;lang=en` : null}"
                              aria-label="${t.policy.changesLabel(title, d.version - 1, d.version)}"
                              >${t.policy.changes}</a
                            >`
                        : null;
                    return html`<li>${link}${diff}</li>`;
                  })}
                </ul>
              </li>`,
          )}
        </ol>`;

  return layout({
    ...o,
    title: t.policy.title(name),
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${t.policy.heading}</h1>
      <p><a href="/console/operators/${op.id}">${t.policy.toOperator}</a> · ${name}</p>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <p>${t.policy.intro}</p>
      ${errors}
      <h2>${t.policy.draftHeading}</h2>
      <p>
        ${o.draftUpdatedAt ? t.policy.draftUpdated(when(t, o.draftUpdatedAt, op.timeZone)) : t.policy.noDraft}
        ${o.draftUpdatedAt ? html` <a href="${action}/export" download>${t.policy.export}</a>` : null}
      </p>
      <form method="post" action="${action}">
        <input type="hidden" name="_csrf" value="${o.csrf}" />
        <div class="field">
          <label for="policy-yaml">${t.policy.draftLabel}</label>
          <textarea
            id="policy-yaml"
            name="yaml"
            rows="30"
            spellcheck="false"
            aria-describedby="policy-yaml-hint"
            class="code"
          >
${o.yaml}</textarea>
          <p class="hint" id="policy-yaml-hint">${t.policy.draftHint}</p>
        </div>
        <button type="submit">${t.policy.save}</button>
      </form>
      <h2>${t.policy.lintHeading}</h2>
      ${issueList(t, o.issues)}
      <h2>${t.policy.publishHeading}</h2>
      <p class="hint">${t.policy.publishHint}</p>
      <form method="post" action="${action}/publish">
        <input type="hidden" name="_csrf" value="${o.csrf}" />
        <button type="submit">${t.policy.publish}</button>
      </form>
      <h2>${t.policy.versionsHeading}</h2>
      ${versions}`,
  });
}

export interface PolicyDiffPageOptions extends SignedIn {
  operator: OperatorDto;
  kind: DocumentKind;
  lang: DocumentLang;
  from: number;
  to: number;
  diff: SafeHtml;
}

export function policyDiffPage(o: PolicyDiffPageOptions): SafeHtml {
  const { t } = o;
  const title = t.policy.diffTitle(titleOf(t, o.kind) + langTag(o.lang), o.from, o.to);
  return layout({
    ...o,
    title,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${title}</h1>
      <p><a href="${policyUrl(o.operator.id)}">${t.policy.toPolicy}</a></p>
      ${o.diff}`,
  });
}

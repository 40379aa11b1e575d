/**
 * The console's pages for patient notifications: the organisations the reader sets them up for,
 * and one organisation's page with the general settings (quiet hours, SMS switch, clinic phone),
 * a template form per status and channel family (switch, subject, text; save, preview, restore
 * the default) and the marketing form. Plain form posts, no scripts; a refused form comes back
 * with what was typed and a message beside each field at fault. Every value goes through `html`.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { OperatorDto } from '../../modules/operators/index.ts';
import {
  EMAIL_BODY_MAX,
  EMAIL_SUBJECT_MAX,
  NOTIFIED_STATUSES,
  PLACEHOLDERS,
  SHORT_BODY_MAX,
  TEMPLATE_FAMILIES,
  type NotifiedStatus,
  type SettingsView,
  type TemplateFamily,
} from '../../modules/notifications/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { NotificationsDictionary } from './notifications.texts.ts';
import { alert, emailOffNotice, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  n: NotificationsDictionary;
  csrf: string;
  path: string;
  displayName?: string;
}

export type Values = Readonly<Record<string, string | undefined>>;
export type Errors = Readonly<Record<string, string | undefined>>;

/** The form a request refused or previewed, shown again as it was sent. */
export type ShownForm =
  | { kind: 'settings'; values: Values; errors: Errors }
  | {
      kind: 'template';
      status: NotifiedStatus;
      family: TemplateFamily;
      values: Values;
      errors: Errors;
      preview?: { subject: string | null; text: string };
    }
  | { kind: 'marketing'; values: Values; errors: Errors };

export interface NotificationsPageOptions extends SignedIn {
  operator: OperatorDto;
  settings: SettingsView;
  form?: ShownForm;
  notice?: string;
  error?: string;
  /** Whether e-mail goes out; without it the page says so at the top. */
  sendsEmail: boolean;
}

export const notificationsUrl = (operatorId: string): string =>
  `/console/operators/${operatorId}/notifications`;

const nameOf = (op: Pick<OperatorDto, 'name' | 'shortName'>): string => op.shortName ?? op.name;
const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

/** The attributes and message of a field that may be at fault. */
function fault(id: string, error: string | undefined, hintId?: string) {
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  return {
    cls: error ? ' field-invalid' : '',
    attrs: html`${error ? html` aria-invalid="true"` : null}${describedBy ? html` aria-describedby="${describedBy}"` : null}`,
    message: error ? html`<p class="field-error" id="${errorId}">${error}</p>` : null,
  };
}

function checkbox(id: string, name: string, label: string, checked: boolean): SafeHtml {
  return html`<div class="field checkbox">
    <input id="${id}" name="${name}" type="checkbox" value="on" ${checked ? html` checked` : null} />
    <label for="${id}">${label}</label>
  </div>`;
}

function textField(o: {
  id: string;
  name: string;
  label: string;
  value: string;
  error: string | undefined;
  maxlength: number;
  type?: 'text' | 'time' | 'tel';
  hint?: string;
}): SafeHtml {
  const hintId = o.hint ? `${o.id}-hint` : undefined;
  const f = fault(o.id, o.error, hintId);
  return html`<div class="field${f.cls}">
    <label for="${o.id}">${o.label}</label>
    <input
      id="${o.id}"
      name="${o.name}"
      type="${o.type ?? 'text'}"
      value="${o.value}"
      maxlength="${o.maxlength}"
      ${f.attrs}
    />
    ${o.hint ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : null} ${f.message}
  </div>`;
}

function textArea(o: {
  id: string;
  name: string;
  label: string;
  value: string;
  error: string | undefined;
  maxlength: number;
  rows: number;
  hint?: string;
}): SafeHtml {
  const hintId = o.hint ? `${o.id}-hint` : undefined;
  const f = fault(o.id, o.error, hintId);
  // The value starts on the line after the tag: a leading newline there is dropped by the parser.
  return html`<div class="field${f.cls}">
    <label for="${o.id}">${o.label}</label>
    <textarea id="${o.id}" name="${o.name}" rows="${o.rows}" maxlength="${o.maxlength}" ${f.attrs}>
${o.value}</textarea>
    ${o.hint ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : null} ${f.message}
  </div>`;
}

function settingsForm(o: NotificationsPageOptions): SafeHtml {
  const { n, settings: s } = o;
  const shown = o.form?.kind === 'settings' ? o.form : undefined;
  const v = shown?.values ?? {
    quietEnabled: s.quietHours ? 'on' : undefined,
    quietStart: s.quietHours?.start ?? '21:00',
    quietEnd: s.quietHours?.end ?? '09:00',
    smsNotices: s.smsNotices ? 'on' : undefined,
    clinicPhone: s.clinicPhone ?? '',
  };
  const e = shown?.errors ?? {};
  return html`<section aria-labelledby="settings-heading">
    <h2 id="settings-heading">${n.settingsHeading}</h2>
    <form method="post" action="${notificationsUrl(o.operator.id)}/settings" novalidate>
      ${csrfField(o.csrf)}
      ${checkbox('settings-quietEnabled', 'quietEnabled', n.quietEnabled, v.quietEnabled === 'on')}
      ${textField({
        id: 'settings-quietStart',
        name: 'quietStart',
        label: n.quietStart,
        value: v.quietStart ?? '',
        error: e.quietStart,
        maxlength: 5,
        type: 'time',
        hint: n.quietHint(o.operator.timeZone),
      })}
      ${textField({
        id: 'settings-quietEnd',
        name: 'quietEnd',
        label: n.quietEnd,
        value: v.quietEnd ?? '',
        error: e.quietEnd,
        maxlength: 5,
        type: 'time',
      })}
      ${checkbox('settings-smsNotices', 'smsNotices', n.smsNotices, v.smsNotices === 'on')}
      ${textField({
        id: 'settings-clinicPhone',
        name: 'clinicPhone',
        label: n.clinicPhone,
        value: v.clinicPhone ?? '',
        error: e.clinicPhone,
        maxlength: 60,
        type: 'tel',
        hint: n.clinicPhoneHint,
      })}
      <button type="submit">${n.saveSettings}</button>
    </form>
  </section>`;
}

function templateForm(o: NotificationsPageOptions, status: NotifiedStatus, family: TemplateFamily): SafeHtml {
  const { n } = o;
  const tpl = o.settings.templates.find((x) => x.status === status && x.family === family)!;
  const shown =
    o.form?.kind === 'template' && o.form.status === status && o.form.family === family ? o.form : undefined;
  const v = shown?.values ?? {
    enabled: tpl.enabled ? 'on' : undefined,
    subject: tpl.subject ?? '',
    body: tpl.body,
  };
  const e = shown?.errors ?? {};
  const id = `tpl-${status}-${family}`;
  const preview = shown?.preview
    ? html`<div class="preview" role="status" aria-labelledby="${id}-preview">
        <h4 id="${id}-preview">${n.previewHeading}</h4>
        ${shown.preview.subject !== null ? html`<p><strong>${shown.preview.subject}</strong></p>` : null}
        <pre>${shown.preview.text}</pre>
      </div>`
    : null;
  return html`<form method="post" action="${notificationsUrl(o.operator.id)}/templates" id="${id}" novalidate>
    ${csrfField(o.csrf)}
    <input type="hidden" name="status" value="${status}" />
    <input type="hidden" name="family" value="${family}" />
    <fieldset>
      <legend>${n.families[family]} · ${tpl.custom ? n.custom : n.byDefault}</legend>
      ${checkbox(`${id}-enabled`, 'enabled', n.enabled(n.families[family], n.statuses[status]), v.enabled === 'on')}
      ${
        family === 'email'
          ? textField({
              id: `${id}-subject`,
              name: 'subject',
              label: n.subject,
              value: v.subject ?? '',
              error: e.subject,
              maxlength: EMAIL_SUBJECT_MAX * 2,
            })
          : null
      }
      ${textArea({
        id: `${id}-body`,
        name: 'body',
        label: n.body,
        value: v.body ?? '',
        error: e.body,
        maxlength: (family === 'email' ? EMAIL_BODY_MAX : SHORT_BODY_MAX) * 2,
        rows: family === 'email' ? 10 : 3,
      })}
      <button type="submit" name="action" value="save">${n.save}</button>
      <button type="submit" name="action" value="preview" class="secondary">${n.preview}</button>
      ${
        tpl.custom
          ? html`<button type="submit" name="action" value="reset" class="secondary">${n.reset}</button>`
          : null
      }
    </fieldset>
    ${preview}
  </form>`;
}

function marketingForm(o: NotificationsPageOptions): SafeHtml {
  const { n } = o;
  const shown = o.form?.kind === 'marketing' ? o.form : undefined;
  const v = shown?.values ?? {};
  const e = shown?.errors ?? {};
  return html`<section aria-labelledby="marketing-heading">
    <h2 id="marketing-heading">${n.marketingHeading}</h2>
    <p>${n.marketingIntro}</p>
    <form method="post" action="${notificationsUrl(o.operator.id)}/marketing" novalidate>
      ${csrfField(o.csrf)}
      ${textField({
        id: 'marketing-subject',
        name: 'subject',
        label: n.marketingSubject,
        value: v.subject ?? '',
        error: e.subject,
        maxlength: EMAIL_SUBJECT_MAX * 2,
      })}
      ${textArea({
        id: 'marketing-text',
        name: 'text',
        label: n.marketingText,
        value: v.text ?? '',
        error: e.text,
        maxlength: EMAIL_BODY_MAX * 2,
        rows: 8,
        hint: n.marketingHint,
      })}
      <button type="submit">${n.marketingSend}</button>
    </form>
  </section>`;
}

export function notificationsPage(o: NotificationsPageOptions): SafeHtml {
  const { n, operator: op } = o;
  return layout({
    ...o,
    title: n.title(nameOf(op)),
    section: 'notifications',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${n.title(nameOf(op))}</h1>
      <p><a href="/console/operators/${op.id}">${n.toOperator}</a></p>
      ${alert('error', o.error)} ${alert('ok', o.notice)} ${emailOffNotice(o.t, o.sendsEmail)}
      <p>${n.intro}</p>
      ${settingsForm(o)}
      <section aria-labelledby="templates-heading">
        <h2 id="templates-heading">${n.templatesHeading}</h2>
        <p>${n.placeholdersIntro}</p>
        <dl class="placeholders">
          ${PLACEHOLDERS.map(
            (p) =>
              html`<dt><code>{${p}}</code></dt>
                <dd>${n.placeholders[p]}</dd>`,
          )}
        </dl>
        ${NOTIFIED_STATUSES.map(
          (s) =>
            html`<section aria-labelledby="status-${s}">
              <h3 id="status-${s}">${n.statuses[s]}</h3>
              ${TEMPLATE_FAMILIES.map((f) => templateForm(o, s, f))}
            </section>`,
        )}
      </section>
      ${marketingForm(o)}`,
  });
}

export function notificationsIndexPage(o: SignedIn & { operators: readonly OperatorDto[] }): SafeHtml {
  const { n } = o;
  return layout({
    ...o,
    title: n.indexTitle,
    section: 'notifications',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${n.indexTitle}</h1>
      ${
        o.operators.length === 0
          ? html`<p>${n.noOperators}</p>`
          : html`<p>${n.indexIntro}</p>
              <ul class="links">
                ${o.operators.map((op) => html`<li><a href="${notificationsUrl(op.id)}">${nameOf(op)}</a></li>`)}
              </ul>`
      }`,
  });
}

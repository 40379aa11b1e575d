/**
 * The administrator's pages: the operators list, an operator's details, sites and MFA rule, a new
 * operator, and an operator's staff. Each takes what it shows and returns markup; no data access
 * and no access decisions here (the routes pass `canManage` hints; the services enforce). Every
 * interpolation goes through `html`, which escapes it.
 */
import { domainToUnicode } from 'node:url';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { OperatorDto } from '../../modules/operators/index.ts';
import { ROLES, type OperatorStaffMember, type Role } from '../../modules/staff/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import { alert, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  csrf: string;
  path: string;
  displayName?: string;
}

/** What a form shows again after a refusal: the typed values and a message per field. */
export type FormValues = Readonly<Record<string, string | undefined>>;
export type FieldErrors = Readonly<Record<string, string | undefined>>;

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

const operatorUrl = (id: string): string => `/console/operators/${id}`;
const staffUrl = (operatorId: string): string => `/console/operators/${operatorId}/staff`;

// The zones of Russia, offered as suggestions; any IANA name is accepted.
const RUSSIAN_TIME_ZONES = [
  'Europe/Kaliningrad',
  'Europe/Moscow',
  'Europe/Samara',
  'Asia/Yekaterinburg',
  'Asia/Omsk',
  'Asia/Novosibirsk',
  'Asia/Krasnoyarsk',
  'Asia/Irkutsk',
  'Asia/Yakutsk',
  'Asia/Vladivostok',
  'Asia/Magadan',
  'Asia/Kamchatka',
];

interface FieldSpec {
  /** The form field's name, also the key of its value and error. */
  name: string;
  /** Prefix of the element ids, unique on the page. */
  form: string;
  label: string;
  values: FormValues;
  errors: FieldErrors;
  hint?: string;
  type?: 'text' | 'email';
  required?: boolean;
  maxlength: number;
  autocomplete?: string;
  list?: string;
  inputmode?: 'numeric';
}

function field(f: FieldSpec): SafeHtml {
  const id = `${f.form}-${f.name}`;
  const error = f.errors[f.name];
  const hintId = f.hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-invalid' : ''}">
    <label for="${id}">${f.label}</label>
    <input
      id="${id}"
      name="${f.name}"
      type="${f.type ?? 'text'}"
      value="${f.values[f.name] ?? ''}"
      maxlength="${f.maxlength}"
      ${f.required ? html` required` : null}
      ${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : null}
      ${f.list ? html` list="${f.list}"` : null}
      ${f.inputmode ? html` inputmode="${f.inputmode}"` : null}
      ${error ? html` aria-invalid="true"` : null}
      ${describedBy ? html` aria-describedby="${describedBy}"` : null}
    />
    ${f.hint ? html`<p class="hint" id="${hintId}">${f.hint}</p>` : null}
    ${error ? html`<p class="field-error" id="${errorId}">${error}</p>` : null}
  </div>`;
}

function timeZoneList(): SafeHtml {
  return html`<datalist id="time-zones">
    ${RUSSIAN_TIME_ZONES.map((z) => html`<option value="${z}"></option>`)}
  </datalist>`;
}

/** The fields of an operator's card, shared by the settings and the creation forms. */
function detailFields(t: Dictionary, form: string, values: FormValues, errors: FieldErrors): SafeHtml {
  const f = (name: keyof Dictionary['fields'], o: Partial<FieldSpec> & { maxlength: number }): SafeHtml =>
    field({ name, form, label: t.fields[name], values, errors, required: true, ...o });
  return html`${f('name', { maxlength: 500, autocomplete: 'organization' })}
  ${f('shortName', { maxlength: 200, required: false, hint: t.fieldHints.shortName })}
  ${f('inn', { maxlength: 12, inputmode: 'numeric' })} ${f('ogrn', { maxlength: 15, inputmode: 'numeric' })}
  ${f('postalAddress', { maxlength: 1000 })} ${f('responsiblePerson', { maxlength: 300 })}
  ${f('requestsEmail', { maxlength: 254, type: 'email' })} ${f('requestsPostalAddress', { maxlength: 1000 })}
  ${f('timeZone', { maxlength: 100, list: 'time-zones', hint: t.fieldHints.timeZone })} ${timeZoneList()}`;
}

/** The form values of an operator as it is stored. */
export function valuesOf(op: OperatorDto): FormValues {
  return {
    name: op.name,
    shortName: op.shortName ?? '',
    inn: op.inn,
    ogrn: op.ogrn,
    postalAddress: op.postalAddress,
    responsiblePerson: op.responsiblePerson,
    requestsEmail: op.requestsEmail,
    requestsPostalAddress: op.requestsPostalAddress,
    timeZone: op.timeZone,
  };
}

const displayNameOf = (op: Pick<OperatorDto, 'name' | 'shortName'>): string => op.shortName ?? op.name;

// --- the operators list ---------------------------------------------------------------------------

export function operatorsPage(
  o: SignedIn & { operators: OperatorDto[]; canCreate: boolean; notice?: string },
): SafeHtml {
  const { t } = o;
  const list =
    o.operators.length === 0
      ? html`<p>${t.operators.empty}</p>`
      : html`<table>
          <thead>
            <tr>
              <th scope="col">${t.home.operator}</th>
              <th scope="col">${t.operators.slug}</th>
              <th scope="col">${t.operators.sites}</th>
            </tr>
          </thead>
          <tbody>
            ${o.operators.map(
              (op) =>
                html`<tr>
                  <td><a href="${operatorUrl(op.id)}">${displayNameOf(op)}</a></td>
                  <td><code>${op.slug}</code></td>
                  <td>${op.sites.length}</td>
                </tr>`,
            )}
          </tbody>
        </table>`;
  return layout({
    ...o,
    title: t.operators.title,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${t.operators.title}</h1>
      ${alert('ok', o.notice)}
      <p class="muted">${t.operators.intro}</p>
      ${o.canCreate ? html`<p><a class="button" href="/console/operators/new">${t.operators.create}</a></p>` : null}
      ${list}`,
  });
}

// --- one operator -----------------------------------------------------------------------------------

export interface OperatorPageOptions extends SignedIn {
  operator: OperatorDto;
  /** Show the forms (the service checks again on every change). */
  canManage: boolean;
  canManageStaff: boolean;
  /** Typed values and errors of the details form, after a refusal. */
  details?: { values: FormValues; errors: FieldErrors };
  /** Typed values and errors of the add-site form, after a refusal. */
  site?: { values: FormValues; errors: FieldErrors };
  error?: string;
  notice?: string;
}

export function operatorPage(o: OperatorPageOptions): SafeHtml {
  const { t, operator: op } = o;
  const action = operatorUrl(op.id);

  const details = o.canManage
    ? html`<form method="post" action="${action}" novalidate>
        ${csrfField(o.csrf)}
        <div class="field">
          <span class="label">${t.fields.slug}</span>
          <code id="operator-slug">${op.slug}</code>
        </div>
        ${detailFields(t, 'op', o.details?.values ?? valuesOf(op), o.details?.errors ?? {})}
        <button type="submit">${t.operator.save}</button>
      </form>`
    : html`<p class="alert alert-note" id="read-only">${t.operator.readOnly}</p>
        <dl class="card">
          <dt>${t.fields.slug}</dt>
          <dd><code>${op.slug}</code></dd>
          <dt>${t.fields.name}</dt>
          <dd>${op.name}</dd>
          <dt>${t.fields.shortName}</dt>
          <dd>${op.shortName ?? html`<span class="muted">${t.operator.notSet}</span>`}</dd>
          <dt>${t.fields.inn}</dt>
          <dd>${op.inn}</dd>
          <dt>${t.fields.ogrn}</dt>
          <dd>${op.ogrn}</dd>
          <dt>${t.fields.postalAddress}</dt>
          <dd>${op.postalAddress}</dd>
          <dt>${t.fields.responsiblePerson}</dt>
          <dd>${op.responsiblePerson}</dd>
          <dt>${t.fields.requestsEmail}</dt>
          <dd>${op.requestsEmail}</dd>
          <dt>${t.fields.requestsPostalAddress}</dt>
          <dd>${op.requestsPostalAddress}</dd>
          <dt>${t.fields.timeZone}</dt>
          <dd>${op.timeZone}</dd>
        </dl>`;

  const sites =
    op.sites.length === 0
      ? html`<p>${t.operator.noSites}</p>`
      : html`<ul class="sites" id="sites">
          ${op.sites.map((s) => {
            const shown =
              domainToUnicode(s.domain.replace(/:\d+$/, '')) + (/:\d+$/.exec(s.domain)?.[0] ?? '');
            return html`<li>
              <span class="site-title">${s.title}</span>
              <code class="site-domain">${shown}</code>
              ${
                o.canManage
                  ? html`<form method="post" action="${action}/sites/${s.id}/remove" class="inline-form">
                      ${csrfField(o.csrf)}
                      <button
                        type="submit"
                        class="danger small"
                        aria-label="${t.operator.removeSiteLabel(shown)}"
                      >
                        ${t.operator.removeSite}
                      </button>
                    </form>`
                  : null
              }
            </li>`;
          })}
        </ul>`;

  const siteValues = o.site?.values ?? {};
  const siteErrors = o.site?.errors ?? {};
  const addSite = o.canManage
    ? html`${op.sites.length > 0 ? html`<p class="hint">${t.operator.removeSiteHint}</p>` : null}
        <h3>${t.operator.addSiteHeading}</h3>
        <form method="post" action="${action}/sites" novalidate>
          ${csrfField(o.csrf)}
          ${field({
            name: 'domain',
            form: 'site',
            label: t.fields.domain,
            values: siteValues,
            errors: siteErrors,
            hint: t.fieldHints.domain,
            required: true,
            maxlength: 300,
          })}
          ${field({
            name: 'title',
            form: 'site',
            label: t.fields.siteTitle,
            values: siteValues,
            errors: { title: siteErrors.title },
            hint: t.fieldHints.siteTitle,
            maxlength: 200,
          })}
          <button type="submit" class="secondary">${t.operator.addSite}</button>
        </form>`
    : null;

  const mfa = html`<p id="mfa-rule" data-required="${op.requireMfa ? 'yes' : 'no'}">
      ${op.requireMfa ? t.operator.mfaOn : t.operator.mfaOff}
    </p>
    ${
      o.canManage
        ? html`<form method="post" action="${action}/mfa">
            ${csrfField(o.csrf)}
            <input type="hidden" name="requireMfa" value="${op.requireMfa ? 'off' : 'on'}" />
            <button type="submit" class="secondary">
              ${op.requireMfa ? t.operator.mfaTurnOff : t.operator.mfaTurnOn}
            </button>
            ${op.requireMfa ? null : html`<p class="hint">${t.operator.mfaSelfHint}</p>`}
          </form>`
        : null
    }`;

  return layout({
    ...o,
    title: displayNameOf(op),
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${displayNameOf(op)}</h1>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      ${o.canManageStaff ? html`<p><a href="${staffUrl(op.id)}" id="staff-link">${t.operator.staffLink}</a></p>` : null}
      <p><a href="/console/operators/${op.id}/policy" id="policy-link">${t.operator.policyLink}</a></p>
      <h2>${t.operator.detailsHeading}</h2>
      ${details}
      <h2>${t.operator.sitesHeading}</h2>
      ${sites} ${addSite}
      <h2>${t.operator.mfaHeading}</h2>
      ${mfa}`,
  });
}

// --- a new operator -------------------------------------------------------------------------------------

export function newOperatorPage(
  o: SignedIn & { values?: FormValues; errors?: FieldErrors; error?: string },
): SafeHtml {
  const { t } = o;
  const values = o.values ?? { timeZone: 'Europe/Moscow' };
  const errors = o.errors ?? {};
  return layout({
    ...o,
    title: t.operators.createTitle,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${t.operators.createTitle}</h1>
      ${alert('error', o.error)}
      <p class="muted">${t.operators.createIntro}</p>
      <form method="post" action="/console/operators/new" novalidate>
        ${csrfField(o.csrf)}
        <h2>${t.operators.cardHeading}</h2>
        ${field({
          name: 'slug',
          form: 'new',
          label: t.fields.slug,
          values,
          errors,
          hint: t.fieldHints.slug,
          required: true,
          maxlength: 63,
        })}
        ${detailFields(t, 'new', values, errors)}
        <h2>${t.operators.firstSite}</h2>
        ${field({
          name: 'domain',
          form: 'new',
          label: t.fields.domain,
          values,
          errors,
          hint: t.fieldHints.domain,
          required: true,
          maxlength: 300,
        })}
        ${field({
          name: 'siteTitle',
          form: 'new',
          label: t.fields.siteTitle,
          values,
          errors,
          hint: t.fieldHints.siteTitle,
          maxlength: 200,
        })}
        <div class="field checkbox">
          <input
            id="new-requireMfa"
            name="requireMfa"
            type="checkbox"
            value="on"
            ${values.requireMfa === 'on' ? html` checked` : null}
          />
          <label for="new-requireMfa">${t.operators.requireMfa}</label>
        </div>
        <button type="submit">${t.operators.submit}</button>
      </form>`,
  });
}

// --- staff --------------------------------------------------------------------------------------------

export interface StaffPageOptions extends SignedIn {
  operator: Pick<OperatorDto, 'id' | 'name' | 'shortName'>;
  staff: OperatorStaffMember[];
  /** The signed-in person, marked in the list. */
  selfId: string;
  add?: { values: FormValues; errors: FieldErrors };
  error?: string;
  notice?: string;
}

function roleOptions(t: Dictionary, roles: readonly Role[], selected: string | undefined): SafeHtml[] {
  return roles.map(
    (r) => html`<option value="${r}" ${r === selected ? html` selected` : null}>${t.roles[r]}</option>`,
  );
}

function staffCard(o: StaffPageOptions, s: OperatorStaffMember): SafeHtml {
  const { t } = o;
  const base = `${staffUrl(o.operator.id)}/${s.id}`;
  const missing = ROLES.filter((r) => !s.roles.includes(r));
  return html`<li class="staff-card" data-staff-id="${s.id}">
    <h3>
      ${s.displayName} ${s.id === o.selfId ? html`<span class="muted">(${t.staffAdmin.you})</span>` : null}
    </h3>
    <p class="staff-email">${s.email}</p>
    <dl class="card">
      <dt>${t.staffAdmin.mfa}</dt>
      <dd data-mfa="${s.mfaEnabled ? 'on' : 'off'}">
        ${s.mfaEnabled ? t.staffAdmin.mfaOn : t.staffAdmin.mfaOff}
      </dd>
      <dt>${t.staffAdmin.status}</dt>
      <dd data-disabled="${s.disabled ? 'yes' : 'no'}">
        ${s.disabled ? html`<strong>${t.staffAdmin.disabled}</strong>` : t.staffAdmin.active}
        ${s.installationAdmin ? html`· ${t.staffAdmin.installationAdmin}` : null}
      </dd>
      <dt>${t.staffAdmin.rolesHere}</dt>
      <dd>
        <ul class="roles">
          ${s.roles.map(
            (r) =>
              html`<li data-role="${r}">
                ${t.roles[r]}
                <form method="post" action="${base}/roles/revoke" class="inline-form">
                  ${csrfField(o.csrf)}
                  <input type="hidden" name="role" value="${r}" />
                  <button
                    type="submit"
                    class="secondary small"
                    aria-label="${t.staffAdmin.revokeLabel(t.roles[r], s.displayName)}"
                  >
                    ${t.staffAdmin.revoke}
                  </button>
                </form>
              </li>`,
          )}
        </ul>
      </dd>
    </dl>
    ${
      missing.length > 0
        ? html`<form method="post" action="${base}/roles/grant" class="grant-form">
            ${csrfField(o.csrf)}
            <label for="grant-${s.id}" class="visually-hidden"
              >${t.staffAdmin.grantLabel(s.displayName)}</label
            >
            <select id="grant-${s.id}" name="role">
              ${roleOptions(t, missing, undefined)}
            </select>
            <button type="submit" class="secondary small">${t.staffAdmin.grant}</button>
          </form>`
        : null
    }
    ${
      !s.disabled && s.mayDisable && s.id !== o.selfId
        ? html`<p><a href="${base}/disable" class="danger-link">${t.staffAdmin.disable}</a></p>`
        : null
    }
  </li>`;
}

export function staffPage(o: StaffPageOptions): SafeHtml {
  const { t } = o;
  const name = displayNameOf(o.operator);
  const values = o.add?.values ?? {};
  const errors = o.add?.errors ?? {};
  const roleError = errors.role;
  return layout({
    ...o,
    title: t.staffAdmin.title(name),
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${t.staffAdmin.title(name)}</h1>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <p><a href="${operatorUrl(o.operator.id)}">${t.staffAdmin.toOperator}</a></p>
      <p class="muted">${t.staffAdmin.intro}</p>
      ${
        o.staff.length === 0
          ? html`<p>${t.staffAdmin.empty}</p>`
          : html`<ul class="staff-list" id="staff">
              ${o.staff.map((s) => staffCard(o, s))}
            </ul>`
      }
      <h2>${t.staffAdmin.addHeading}</h2>
      <p class="muted">${t.staffAdmin.addIntro}</p>
      <form method="post" action="${staffUrl(o.operator.id)}" novalidate>
        ${csrfField(o.csrf)}
        ${field({
          name: 'displayName',
          form: 'add',
          label: t.fields.displayName,
          values,
          errors,
          required: true,
          maxlength: 200,
          autocomplete: 'off',
        })}
        ${field({
          name: 'email',
          form: 'add',
          label: t.fields.email,
          values,
          errors,
          type: 'email',
          required: true,
          maxlength: 320,
          autocomplete: 'off',
        })}
        <div class="field${roleError ? ' field-invalid' : ''}">
          <label for="add-role">${t.fields.role}</label>
          <select id="add-role" name="role" required>
            ${roleOptions(t, ROLES, values.role ?? 'agent')}
          </select>
          ${roleError ? html`<p class="field-error">${roleError}</p>` : null}
        </div>
        <button type="submit">${t.staffAdmin.add}</button>
      </form>`,
  });
}

export function disableStaffPage(
  o: SignedIn & { operatorId: string; member: OperatorStaffMember },
): SafeHtml {
  const { t, member: s } = o;
  let content: SafeHtml;
  if (s.disabled) content = html`<p>${t.staffAdmin.alreadyDisabled}</p>`;
  else if (!s.mayDisable) content = html`<p class="alert alert-note">${t.staffAdmin.disableNotAllowed}</p>`;
  else {
    content = html`<p>${t.staffAdmin.disableExplain}</p>
      <form method="post" action="${staffUrl(o.operatorId)}/${s.id}/disable">
        ${csrfField(o.csrf)}
        <button type="submit" class="danger">${t.staffAdmin.disableConfirm}</button>
      </form>`;
  }
  return layout({
    ...o,
    title: t.staffAdmin.disableTitle,
    narrow: true,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${t.staffAdmin.disableTitle}</h1>
      <p><strong>${s.displayName}</strong> <span class="muted">${s.email}</span></p>
      ${content}
      <p>
        <a href="${staffUrl(o.operatorId)}"
          >${s.disabled || !s.mayDisable ? t.staffAdmin.backToStaff : t.staffAdmin.cancel}</a
        >
      </p>`,
  });
}

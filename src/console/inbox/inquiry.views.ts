/**
 * The inquiry page: what the patient gave (decrypted by the service, which audited the read), the
 * consents with their documents' versions and hashes, the history of every kind of event, the
 * delivery state of messages to the patient, and the forms that work the inquiry: status, assignee,
 * note, verbal consent on a call. Everything the patient typed is text, escaped by `html`; nothing
 * here reads data or decides access (the routes pass `canUpdate`; the services enforce).
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import {
  INQUIRY_STATUSES,
  STATUS_REASONS,
  STATUS_REASON_TITLES,
  type AssigneeOption,
  type DeliveryView,
  type InquiryEventView,
  type InquiryView,
} from '../../modules/inquiries/index.ts';
import { FIELD_LABELS, FieldName } from '../../modules/policy/index.ts';
import type { Locale } from '../../modules/staff/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { InboxTexts } from './inbox.texts.ts';
import {
  channelTitle,
  inboxStylesheet,
  inquiryPath,
  kindTitle,
  siteTitle,
  statusTitle,
  when,
  type OperatorChoice,
} from './inbox.views.ts';
import { alert, emailOffNotice, layout } from '../shared/layout.ts';

/** Errors shown beside the fields of the page's forms, and what was typed in the note. */
export interface InquiryFormState {
  statusError?: string;
  status?: { to?: string | undefined; reason?: string | undefined };
  noteError?: string;
  noteText?: string;
  assignError?: string;
}

export interface InquiryPageData {
  t: Dictionary;
  x: InboxTexts;
  locale: Locale;
  csrf: string;
  path: string;
  displayName?: string | undefined;
  view: InquiryView;
  operator: OperatorChoice;
  deliveries: DeliveryView[];
  /** Whom the inquiry may be assigned to (empty without the right to update it). */
  assignees: AssigneeOption[];
  /** The signed-in staff member. */
  me: string | undefined;
  canUpdate: boolean;
  notice?: string | undefined;
  form?: InquiryFormState;
  /** Whether e-mail goes out; without it the page says so beside the deliveries. */
  sendsEmail: boolean;
}

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

function dl(rows: readonly (readonly [string, SafeHtml | string | null])[]): SafeHtml {
  return html`<dl class="card">
    ${rows.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v ?? '—'}</dd>`,
    )}
  </dl>`;
}

function fieldLabel(locale: Locale, name: string): string {
  const known = FieldName.safeParse(name);
  return known.success ? FIELD_LABELS[known.data][locale] : name;
}

function summary(o: InquiryPageData): SafeHtml {
  const { x, locale, view: v, operator: op } = o;
  const tz = op.timeZone;
  const i = x.inquiry;
  return html`<section aria-labelledby="summary-heading">
    <h2 id="summary-heading">${i.summary}</h2>
    ${dl([
      [i.operator, op.name],
      [i.site, siteTitle(op, v.siteId)],
      [i.page, v.page],
      [i.kind, kindTitle(x, locale, v.formId)],
      [i.channel, channelTitle(x, v.channel)],
      [i.received, when(locale, tz, v.createdAt)],
      [i.status, statusTitle(locale, v.status)],
      [i.statusSince, when(locale, tz, v.statusChangedAt)],
      [
        i.due,
        v.firstContactDueAt === null
          ? null
          : html`${when(locale, tz, v.firstContactDueAt)}
            ${v.overdue ? html`<span class="badge badge-overdue">${i.overdue}</span>` : null}`,
      ],
    ])}
    ${v.possibleHealthData ? html`<p class="alert alert-note">${i.health}</p>` : null}
    ${v.onBehalf ? html`<p class="alert alert-note">${i.onBehalf}</p>` : null}
  </section>`;
}

function patient(o: InquiryPageData): SafeHtml {
  const { x, view: v, locale } = o;
  const i = x.inquiry;
  const fields = Object.entries(v.fields);
  return html`<section aria-labelledby="patient-heading">
      <h2 id="patient-heading">${i.patient}</h2>
      ${dl([
        [i.name, v.subject.name ?? html`<span class="muted">${i.none}</span>`],
        [i.phone, v.subject.phone ?? html`<span class="muted">${i.none}</span>`],
        [i.email, v.subject.email ?? html`<span class="muted">${i.none}</span>`],
      ])}
    </section>
    <section aria-labelledby="fields-heading">
      <h2 id="fields-heading">${i.fields}</h2>
      ${
        fields.length === 0
          ? html`<p>${i.noFields}</p>`
          : dl(
              fields.map(([k, val]) => [
                fieldLabel(locale, k),
                html`<span class="patient-text">${val}</span>`,
              ]),
            )
      }
    </section>`;
}

function consents(o: InquiryPageData): SafeHtml {
  const { x, locale, view: v, operator: op } = o;
  const i = x.inquiry;
  const channelOf = (c: string): string =>
    c in x.channels ? x.channels[c as keyof InboxTexts['channels']] : c;
  return html`<section aria-labelledby="consents-heading">
    <h2 id="consents-heading">${i.consents}</h2>
    ${
      v.consents.length === 0
        ? html`<p>${i.noConsents}</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">${i.consentKind}</th>
                <th scope="col">${i.document}</th>
                <th scope="col">${i.givenAt}</th>
                <th scope="col">${i.consentChannel}</th>
                <th scope="col">${i.representative}</th>
              </tr>
            </thead>
            <tbody>
              ${v.consents.map(
                (c) =>
                  html`<tr>
                    <th scope="row">${i.consentKinds[c.kind]}</th>
                    <td>
                      ${i.documentVersion(c.documentVersion, c.policyVersion)}<br />
                      <span class="muted">${i.sha256}:</span> <code class="sha">${c.documentSha256}</code>
                    </td>
                    <td>${when(locale, op.timeZone, c.givenAt)}</td>
                    <td>${channelOf(c.channel)}</td>
                    <td>
                      ${
                        c.representative === null
                          ? html`<span class="muted">${i.representativeNone}</span>`
                          : html`${c.representative.name}${
                              c.representative.relation ? html` (${c.representative.relation})` : null
                            }`
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

/** A call's or consent's sealed details (JSON) as a list; anything else as text. */
function details(x: InboxTexts, text: string): SafeHtml {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return html`<p class="patient-text">${text}</p>`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return html`<p class="patient-text">${text}</p>`;
  }
  const words = (v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—';
    if (typeof v === 'string') return x.inquiry.detailValues[v] ?? v;
    if (Array.isArray(v)) return v.map(words).join(', ');
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  };
  const entries = Object.entries(parsed as Record<string, unknown>).map(
    ([k, val]) => [x.inquiry.callDetails[k] ?? k, words(val)] as const,
  );
  return dl(entries);
}

function actor(o: InquiryPageData, e: InquiryEventView): string {
  const i = o.x.inquiry;
  switch (e.actorType) {
    case 'staff':
      return e.actorName ?? i.actorStaff;
    case 'api_key':
      return i.actorApiKey;
    case 'subject':
      return i.actorSubject;
    default:
      return i.actorSystem;
  }
}

function eventBody(o: InquiryPageData, e: InquiryEventView): SafeHtml | null {
  const { x, locale } = o;
  const i = x.inquiry;
  switch (e.kind) {
    case 'status':
      return html`<p>
        ${e.fromStatus ? statusTitle(locale, e.fromStatus) : '—'} →
        ${e.toStatus ? statusTitle(locale, e.toStatus) : '—'}
        ${e.reason ? html`<br /><span class="muted">${i.reason}:</span> ${STATUS_REASON_TITLES[e.reason][locale]}` : null}
      </p>`;
    case 'assign': {
      if (e.assigneeStaffId === null) return html`<p>${i.unassigned}</p>`;
      const name = o.assignees.find((a) => a.staffId === e.assigneeStaffId)?.displayName;
      return html`<p>${name ?? i.actorStaff}</p>`;
    }
    case 'note':
    case 'message':
      return e.note === null ? null : html`<p class="patient-text">${e.note}</p>`;
    case 'call':
    case 'consent':
      return e.note === null ? null : details(x, e.note);
    case 'notification': {
      const d = o.deliveries.find((m) => m.id === e.refId);
      return d ? html`<p>${deliveryChannel(x, d.channel)}, ${d.template}: ${i.states[d.state]}</p>` : null;
    }
    case 'merge':
      return e.refId ? html`<p><span class="muted">${i.refId}:</span> <code>${e.refId}</code></p>` : null;
  }
}

function history(o: InquiryPageData): SafeHtml {
  const { x, locale, view: v, operator: op } = o;
  const i = x.inquiry;
  return html`<section aria-labelledby="history-heading">
    <h2 id="history-heading">${i.history}</h2>
    ${
      v.events.length === 0
        ? html`<p>${i.noHistory}</p>`
        : html`<ol class="history">
            ${v.events.map(
              (e) =>
                html`<li data-event="${e.kind}">
                  <span class="event-head">${i.events[e.kind]}</span>
                  <span class="event-meta">· ${when(locale, op.timeZone, e.at)} · ${actor(o, e)}</span>
                  ${eventBody(o, e)}
                </li>`,
            )}
          </ol>`
    }
  </section>`;
}

const deliveryChannel = (x: InboxTexts, c: string): string => x.inquiry.deliveryChannels[c] ?? c;

function deliveries(o: InquiryPageData): SafeHtml {
  const { x, locale, operator: op } = o;
  const i = x.inquiry;
  const tz = op.timeZone;
  return html`<section aria-labelledby="deliveries-heading">
    <h2 id="deliveries-heading">${i.deliveries}</h2>
    ${emailOffNotice(o.t, o.sendsEmail)}
    ${
      o.deliveries.length === 0
        ? html`<p>${i.noDeliveries}</p>`
        : html`<table class="deliveries">
            <thead>
              <tr>
                <th scope="col">${i.deliveryChannel}</th>
                <th scope="col">${i.template}</th>
                <th scope="col">${i.state}</th>
                <th scope="col">${i.attempts}</th>
                <th scope="col">${i.created}</th>
                <th scope="col">${i.sentAt}</th>
                <th scope="col">${i.nextAttempt}</th>
                <th scope="col">${i.lastError}</th>
              </tr>
            </thead>
            <tbody>
              ${o.deliveries.map(
                (d) =>
                  html`<tr data-delivery="${d.id}" data-state="${d.state}">
                    <th scope="row">${deliveryChannel(x, d.channel)}</th>
                    <td><code>${d.template}</code></td>
                    <td>${i.states[d.state]}</td>
                    <td>${d.attempts}</td>
                    <td>${when(locale, tz, d.createdAt)}</td>
                    <td>${when(locale, tz, d.sentAt) ?? '—'}</td>
                    <td>${d.state === 'pending' ? when(locale, tz, d.nextAttemptAt) : '—'}</td>
                    <td>${d.lastError ?? '—'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

function fieldError(id: string, error: string | undefined): SafeHtml | null {
  return error ? html`<p class="field-error" id="${id}">${error}</p>` : null;
}

function statusForm(o: InquiryPageData, action: string): SafeHtml {
  const { x, locale, view: v } = o;
  const i = x.inquiry;
  const f = o.form ?? {};
  const selectedTo = f.status?.to ?? v.status;
  const error = f.statusError;
  return html`<form method="post" action="${action}/status" aria-labelledby="status-heading">
    <h3 id="status-heading">${i.statusHeading}</h3>
    ${csrfField(o.csrf)}
    <div class="field">
      <label for="status-to">${i.newStatus}</label>
      <select id="status-to" name="to">
        ${INQUIRY_STATUSES.map(
          (s) =>
            html`<option value="${s}" ${s === selectedTo ? html`selected` : null}>
              ${statusTitle(locale, s)}
            </option>`,
        )}
      </select>
    </div>
    <div class="field${error ? ' field-invalid' : ''}">
      <label for="status-reason">${i.reasonLabel}</label>
      <select
        id="status-reason"
        name="reason"
        ${error ? html`aria-invalid="true" aria-describedby="status-reason-error"` : null}
      >
        <option value="">${i.reasonNone}</option>
        ${STATUS_REASONS.map(
          (r) =>
            html`<option value="${r}" ${r === f.status?.reason ? html`selected` : null}>
              ${STATUS_REASON_TITLES[r][locale]}
            </option>`,
        )}
      </select>
      ${fieldError('status-reason-error', error)}
    </div>
    <button type="submit">${i.changeStatus}</button>
  </form>`;
}

function assignForms(o: InquiryPageData, action: string): SafeHtml {
  const { x, view: v } = o;
  const i = x.inquiry;
  const error = o.form?.assignError;
  const current = v.assignee?.staffId;
  return html`<section aria-labelledby="assign-heading">
    <h3 id="assign-heading">${i.assignHeading}</h3>
    <p>
      ${i.currentAssignee}:
      ${v.assignee ? v.assignee.displayName : html`<span class="muted">${x.inbox.nobody}</span>`}
    </p>
    ${
      o.me !== undefined && current !== o.me
        ? html`<form method="post" action="${action}/assign">
            ${csrfField(o.csrf)}
            <input type="hidden" name="assignee" value="me" />
            <button type="submit" class="secondary">${i.assignToMe}</button>
          </form>`
        : null
    }
    <form method="post" action="${action}/assign">
      ${csrfField(o.csrf)}
      <div class="field${error ? ' field-invalid' : ''}">
        <label for="assign-to">${i.assignTo}</label>
        <select
          id="assign-to"
          name="assignee"
          ${error ? html`aria-invalid="true" aria-describedby="assign-error"` : null}
        >
          <option value="none">${i.assignNobody}</option>
          ${o.assignees.map(
            (a) =>
              html`<option value="${a.staffId}" ${a.staffId === current ? html`selected` : null}>
                ${a.displayName}
              </option>`,
          )}
        </select>
        ${fieldError('assign-error', error)}
      </div>
      <button type="submit">${i.assign}</button>
    </form>
  </section>`;
}

function noteForm(o: InquiryPageData, action: string): SafeHtml {
  const i = o.x.inquiry;
  const error = o.form?.noteError;
  return html`<form method="post" action="${action}/notes" aria-labelledby="note-heading">
    <h3 id="note-heading">${i.noteHeading}</h3>
    ${csrfField(o.csrf)}
    <div class="field${error ? ' field-invalid' : ''}">
      <label for="note-text">${i.noteLabel}</label>
      <textarea
        id="note-text"
        name="text"
        required
        aria-describedby="note-hint${error ? ' note-error' : ''}"
        ${error ? html`aria-invalid="true"` : null}
      >
${o.form?.noteText ?? ''}</textarea>
      <p class="hint" id="note-hint">${i.noteHint}</p>
      ${fieldError('note-error', error)}
    </div>
    <button type="submit">${i.addNote}</button>
  </form>`;
}

/** Contract 2: the channels module owns the POST; field names exactly `_csrf`, `kind`, `recordingRef`. */
function verbalConsentForm(o: InquiryPageData, action: string): SafeHtml {
  const i = o.x.inquiry;
  return html`<form method="post" action="${action}/verbal-consent" aria-labelledby="verbal-heading">
    <h3 id="verbal-heading">${i.verbalHeading}</h3>
    <p class="hint">${i.verbalIntro}</p>
    ${csrfField(o.csrf)}
    <fieldset class="kinds">
      <legend>${i.verbalKinds}</legend>
      <div class="field checkbox">
        <input type="checkbox" id="verbal-processing" name="kind" value="processing" />
        <label for="verbal-processing">${i.verbalProcessing}</label>
      </div>
      <div class="field checkbox">
        <input type="checkbox" id="verbal-marketing" name="kind" value="marketing" />
        <label for="verbal-marketing">${i.verbalMarketing}</label>
      </div>
    </fieldset>
    <div class="field">
      <label for="verbal-recording">${i.recordingRef}</label>
      <input
        id="verbal-recording"
        name="recordingRef"
        type="text"
        required
        maxlength="500"
        autocomplete="off"
      />
    </div>
    <button type="submit" class="secondary">${i.verbalSubmit}</button>
  </form>`;
}

function work(o: InquiryPageData): SafeHtml {
  const i = o.x.inquiry;
  const action = inquiryPath(o.view.operatorId, o.view.id);
  return html`<section class="work" aria-labelledby="work-heading">
    <h2 id="work-heading">${i.work}</h2>
    ${
      o.canUpdate
        ? html`${statusForm(o, action)} ${assignForms(o, action)} ${noteForm(o, action)}
          ${verbalConsentForm(o, action)}`
        : html`<p class="alert alert-note">${i.readOnly}</p>`
    }
  </section>`;
}

export function inquiryPage(o: InquiryPageData): SafeHtml {
  const { t, x, locale, view: v } = o;
  const i = x.inquiry;
  const f = o.form ?? {};
  const failed = f.statusError ?? f.noteError ?? f.assignError;
  return layout({
    t,
    csrf: o.csrf,
    path: o.path,
    title: i.title(v.number),
    section: 'home',
    session: { displayName: o.displayName, full: true },
    body: html`${inboxStylesheet()}
      <div class="inquiry">
        <p><a href="/console">${i.back}</a></p>
        <h1>
          ${i.title(v.number)}
          <span class="badge inquiry-status status-${v.status}">${statusTitle(locale, v.status)}</span>
          ${v.overdue ? html`<span class="badge badge-overdue">${i.overdue}</span>` : null}
        </h1>
        ${alert('ok', o.notice)} ${failed ? alert('error', i.fixErrors) : null}
        <div class="inquiry-grid">
          <div>${summary(o)} ${patient(o)} ${consents(o)} ${history(o)} ${deliveries(o)}</div>
          <div>${work(o)}</div>
        </div>
      </div>`,
  });
}

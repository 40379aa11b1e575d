/**
 * The inbox's markup: status tabs with counts, the filter form, the table of inquiries (ids, codes
 * and times only: nothing of the patient is decrypted for a list), paging, the search and export
 * forms, the keyboard help, and the rows fragment that the page's script polls for. No data access
 * here; every interpolation goes through `html`, which escapes it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import {
  INQUIRY_CHANNELS,
  INQUIRY_KINDS,
  INQUIRY_STATUSES,
  INQUIRY_STATUS_TITLES,
  type InboxItem,
  type InboxSort,
  type InquiryChannel,
  type InquiryKind,
  type InquiryStatus,
  type StatusCounts,
} from '../../modules/inquiries/index.ts';
import { FORM_TITLES, FormId } from '../../modules/policy/index.ts';
import type { Locale } from '../../modules/staff/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { InboxTexts } from './inbox.texts.ts';
import type { InboxQuery } from './inbox.schemas.ts';
import { alert, layout } from '../shared/layout.ts';

// --- assets ---------------------------------------------------------------------------------------

function asset(name: string) {
  const text = readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
  const version = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const path = `/console/assets/${name}`;
  return { path, text, href: `${path}?v=${version}` };
}

/** The inbox's script (live rows, keyboard) and stylesheet, cached for a year under a hashed URL. */
export const INBOX_JS = asset('inbox.js');
export const INBOX_CSS = asset('inbox.css');

/** Links the inbox's stylesheet from the body (allowed there; the shared layout owns the head). */
export const inboxStylesheet = (): SafeHtml => html`<link rel="stylesheet" href="${INBOX_CSS.href}" />`;

// --- shared formatting ----------------------------------------------------------------------------

export interface SiteChoice {
  id: string;
  title: string;
  domain: string;
}

export interface OperatorChoice {
  id: string;
  name: string;
  timeZone: string;
  sites: SiteChoice[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day and time on the clinic's wall clock, in the reader's language. */
export function formatWhen(locale: Locale, timeZone: string, iso: string): string {
  const key = `${locale}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(key, f);
  }
  return f.format(new Date(iso));
}

export function when(locale: Locale, timeZone: string, iso: string | null): SafeHtml | null {
  if (iso === null) return null;
  return html`<time datetime="${iso}">${formatWhen(locale, timeZone, iso)}</time>`;
}

export function statusTitle(locale: Locale, s: InquiryStatus): string {
  return INQUIRY_STATUS_TITLES[s][locale];
}

export function kindTitle(x: InboxTexts, locale: Locale, k: InquiryKind): string {
  const form = FormId.safeParse(k);
  return form.success ? FORM_TITLES[form.data][locale] : x.kinds[k as 'call' | 'message'];
}

export function channelTitle(x: InboxTexts, c: InquiryChannel): string {
  return x.channels[c];
}

export function siteTitle(op: OperatorChoice | undefined, siteId: string | null): string | null {
  if (siteId === null) return null;
  return op?.sites.find((s) => s.id === siteId)?.title ?? null;
}

export const inquiryPath = (operatorId: string, inquiryId: string): string =>
  `/console/operators/${operatorId}/inquiries/${inquiryId}`;

// --- the filter's state ---------------------------------------------------------------------------

export interface InboxState {
  operator?: string | undefined;
  site?: string | undefined;
  kind?: InquiryKind | undefined;
  channel?: InquiryChannel | undefined;
  status: InquiryStatus | 'all';
  assignee?: 'me' | 'none' | undefined;
  overdue: boolean;
  sort: InboxSort;
  cursor?: string | undefined;
}

/** New inquiries are worked by due time; the rest are looked up, newest first. */
export const defaultSort = (status: InquiryStatus | 'all'): InboxSort =>
  status === 'new' ? 'due' : 'newest';

export function stateOf(q: Omit<InboxQuery, 'm' | 'cursor'> & { cursor?: string | undefined }): InboxState {
  const status = q.status ?? 'new';
  return {
    operator: q.operator,
    site: q.site,
    kind: q.kind,
    channel: q.channel,
    status,
    assignee: q.assignee,
    overdue: q.overdue === '1',
    sort: q.sort ?? defaultSort(status),
    cursor: q.cursor,
  };
}

/** The state's query string (defaults left out), without the page cursor unless asked. */
export function queryOf(s: InboxState, withCursor = false): string {
  const p = new URLSearchParams();
  if (s.operator) p.set('operator', s.operator);
  if (s.site) p.set('site', s.site);
  if (s.kind) p.set('kind', s.kind);
  if (s.channel) p.set('channel', s.channel);
  if (s.status !== 'new') p.set('status', s.status);
  if (s.assignee) p.set('assignee', s.assignee);
  if (s.overdue) p.set('overdue', '1');
  if (s.sort !== defaultSort(s.status)) p.set('sort', s.sort);
  if (withCursor && s.cursor) p.set('cursor', s.cursor);
  const text = p.toString();
  return text === '' ? '' : `?${text}`;
}

// --- rows -----------------------------------------------------------------------------------------

export interface RowContext {
  x: InboxTexts;
  locale: Locale;
  operators: ReadonlyMap<string, OperatorChoice>;
  /** Show the operator's column (the person works for more than one). */
  multiOperator: boolean;
  /** Display names of staff by id. */
  staffNames: ReadonlyMap<string, string>;
}

/** The number of columns a row has, for the empty row's colspan. */
const columns = (c: RowContext): number => (c.multiOperator ? 9 : 8);

function row(c: RowContext, item: InboxItem): SafeHtml {
  const { x, locale } = c;
  const op = c.operators.get(item.operatorId);
  const tz = op?.timeZone ?? 'Europe/Moscow';
  const assignee =
    item.assigneeStaffId === null
      ? html`<span class="muted">${x.inbox.nobody}</span>`
      : (c.staffNames.get(item.assigneeStaffId) ?? '—');
  return html`<tr data-inquiry="${item.id}" class="${item.overdue ? 'overdue' : null}">
    <th scope="row">
      <a
        class="row-link"
        href="${inquiryPath(item.operatorId, item.id)}"
        aria-label="${x.inbox.open(item.number)}"
        >${item.number}</a
      >
      <span class="badge badge-arrived" hidden>${x.inbox.arrivedMarker}</span>
      ${
        item.possibleHealthData
          ? html`<span class="badge badge-health" title="${x.inbox.healthMarker}"
              ><span aria-hidden="true">♥</span
              ><span class="visually-hidden">${x.inbox.healthMarker}</span></span
            >`
          : null
      }
    </th>
    <td>${when(locale, tz, item.createdAt)}</td>
    <td>
      ${when(locale, tz, item.firstContactDueAt) ?? '—'}
      ${item.overdue ? html`<span class="badge badge-overdue">${x.inbox.overdueMarker}</span>` : null}
    </td>
    <td><span class="status status-${item.status}">${statusTitle(locale, item.status)}</span></td>
    <td>${kindTitle(x, locale, item.formId)}</td>
    <td>${channelTitle(x, item.channel)}</td>
    ${c.multiOperator ? html`<td>${op?.name ?? '—'}</td>` : null}
    <td>${siteTitle(op, item.siteId) ?? '—'}</td>
    <td>${assignee}</td>
  </tr>`;
}

export function inboxRows(c: RowContext, items: readonly InboxItem[]): SafeHtml {
  if (items.length === 0) {
    return html`<tr class="empty-row">
      <td colspan="${columns(c)}">${c.x.inbox.empty}</td>
    </tr>`;
  }
  return html`${items.map((i) => row(c, i))}`;
}

function table(c: RowContext, items: readonly InboxItem[], liveUrl: string | null): SafeHtml {
  const { x } = c;
  return html`<table class="inbox-table" id="inbox-table" ${liveUrl ? html`data-live="${liveUrl}"` : null}>
    <caption class="visually-hidden">
      ${x.inbox.caption(items.length)}
    </caption>
    <thead>
      <tr>
        <th scope="col">${x.inbox.number}</th>
        <th scope="col">${x.inbox.received}</th>
        <th scope="col">${x.inbox.due}</th>
        <th scope="col">${x.inbox.status}</th>
        <th scope="col">${x.inbox.kind}</th>
        <th scope="col">${x.inbox.channel}</th>
        ${c.multiOperator ? html`<th scope="col">${x.inbox.operator}</th>` : null}
        <th scope="col">${x.inbox.site}</th>
        <th scope="col">${x.inbox.assignee}</th>
      </tr>
    </thead>
    <tbody>
      ${inboxRows(c, items)}
    </tbody>
  </table>`;
}

/** What the page's script fetches: the first page's rows as they are now, and the counts. */
export function liveFragment(c: RowContext, items: readonly InboxItem[], counts: StatusCounts): string {
  return html`<table>
      <tbody>
        ${inboxRows(c, items)}
      </tbody>
    </table>
    <ul>
      ${INQUIRY_STATUSES.map((s) => html`<li data-count-status="${s}">${counts[s]}</li>`)}
      <li data-count-status="all">${total(counts)}</li>
    </ul>`.toString();
}

const total = (counts: StatusCounts): number => INQUIRY_STATUSES.reduce((n, s) => n + counts[s], 0);

// --- the page -------------------------------------------------------------------------------------

export interface SearchState {
  value: string;
  operator?: string | undefined;
  error?: string | undefined;
}

export interface InboxPageData {
  t: Dictionary;
  x: InboxTexts;
  locale: Locale;
  csrf: string;
  path: string;
  displayName?: string | undefined;
  state: InboxState;
  operators: OperatorChoice[];
  counts: StatusCounts;
  items: InboxItem[];
  nextCursor: string | null;
  staffNames: ReadonlyMap<string, string>;
  canExport: boolean;
  /** Operators where the person may search by phone or e-mail. */
  searchOperators: OperatorChoice[];
  /** Present on the search's results page. */
  search?: (SearchState & { results: boolean }) | undefined;
  notice?: string | undefined;
  error?: string | undefined;
  /** The person's operators and roles (what the home page shows). */
  home: SafeHtml;
  /** Notices for the account (two-factor off, installation administrator). */
  accountNotes: SafeHtml | null;
}

/** What rows need to know: the texts, the person's operators and staff names. */
export function rowContextOf(
  x: InboxTexts,
  locale: Locale,
  operators: readonly OperatorChoice[],
  staffNames: ReadonlyMap<string, string>,
): RowContext {
  return {
    x,
    locale,
    operators: new Map(operators.map((op) => [op.id, op])),
    multiOperator: operators.length > 1,
    staffNames,
  };
}

function statusTabs(o: InboxPageData): SafeHtml {
  const { x, locale, state } = o;
  const tab = (status: InquiryStatus | 'all', title: string, count: number) => {
    const s: InboxState = { ...state, status, sort: defaultSort(status), cursor: undefined };
    if (status !== 'new') s.overdue = false;
    return html`<li>
      <a
        href="/console${queryOf(s)}"
        data-status="${status}"
        ${state.status === status ? html`aria-current="page"` : null}
        >${title} <span class="count" data-count="${status}">${count}</span></a
      >
    </li>`;
  };
  return html`<nav class="status-tabs" aria-label="${x.inbox.statusTabs}">
    <ul>
      ${INQUIRY_STATUSES.map((s) => tab(s, statusTitle(locale, s), o.counts[s]))}
      ${tab('all', x.inbox.all, total(o.counts))}
    </ul>
  </nav>`;
}

function select(
  id: string,
  name: string,
  label: string,
  options: readonly (readonly [value: string, title: string])[],
  selected: string | undefined,
  anyTitle: string | null,
): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <select id="${id}" name="${name}">
      ${anyTitle !== null ? html`<option value="">${anyTitle}</option>` : null}
      ${options.map(
        ([v, title]) =>
          html`<option value="${v}" ${v === selected ? html`selected` : null}>${title}</option>`,
      )}
    </select>
  </div>`;
}

function filters(o: InboxPageData): SafeHtml {
  const { x, locale, state } = o;
  const multi = o.operators.length > 1;
  const sites = o.operators.flatMap((op) =>
    op.sites.map((s) => [s.id, multi ? `${s.title} (${op.name})` : s.title] as const),
  );
  return html`<form method="get" action="/console" class="filters" aria-labelledby="filters-heading">
    <h2 id="filters-heading" class="visually-hidden">${x.inbox.filtersHeading}</h2>
    ${state.status !== 'new' ? html`<input type="hidden" name="status" value="${state.status}" />` : null}
    ${
      multi
        ? select(
            'f-operator',
            'operator',
            x.inbox.operator,
            o.operators.map((op) => [op.id, op.name] as const),
            state.operator,
            x.inbox.any,
          )
        : null
    }
    ${sites.length > 1 ? select('f-site', 'site', x.inbox.site, sites, state.site, x.inbox.any) : null}
    ${select(
      'f-kind',
      'kind',
      x.inbox.kind,
      INQUIRY_KINDS.map((k) => [k, kindTitle(x, locale, k)] as const),
      state.kind,
      x.inbox.any,
    )}
    ${select(
      'f-channel',
      'channel',
      x.inbox.channel,
      INQUIRY_CHANNELS.map((c) => [c, channelTitle(x, c)] as const),
      state.channel,
      x.inbox.any,
    )}
    ${select(
      'f-assignee',
      'assignee',
      x.inbox.assignee,
      [
        ['me', x.inbox.assigneeMe],
        ['none', x.inbox.assigneeNone],
      ],
      state.assignee,
      x.inbox.any,
    )}
    ${select(
      'f-sort',
      'sort',
      x.inbox.sort,
      [
        ['due', x.inbox.sortDue],
        ['newest', x.inbox.sortNewest],
      ],
      state.sort,
      null,
    )}
    <div class="field checkbox">
      <input
        type="checkbox"
        id="f-overdue"
        name="overdue"
        value="1"
        ${state.overdue ? html`checked` : null}
      />
      <label for="f-overdue">${x.inbox.overdue}</label>
    </div>
    <div class="filter-actions">
      <button type="submit">${x.inbox.apply}</button>
      <a href="/console${queryOf({ status: state.status, overdue: false, sort: defaultSort(state.status) })}"
        >${x.inbox.reset}</a
      >
    </div>
  </form>`;
}

/** The current filter as hidden fields (the export form posts it). */
function filterFields(s: InboxState): SafeHtml {
  const pairs: [string, string | undefined][] = [
    ['operator', s.operator],
    ['site', s.site],
    ['kind', s.kind],
    ['channel', s.channel],
    ['status', s.status],
    ['assignee', s.assignee],
    ['overdue', s.overdue ? '1' : undefined],
    ['sort', s.sort],
  ];
  return html`${pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}`;
}

function searchForm(o: InboxPageData): SafeHtml | null {
  const { x } = o;
  if (o.searchOperators.length === 0) return null;
  const s = o.search;
  const error = s?.error;
  const multi = o.searchOperators.length > 1;
  return html`<section class="inbox-search" aria-labelledby="search-heading">
    <h2 id="search-heading">${x.inbox.searchHeading}</h2>
    <form method="post" action="/console/inbox/search" role="search">
      <input type="hidden" name="_csrf" value="${o.csrf}" />
      <div class="field${error ? ' field-invalid' : ''}">
        <label for="inbox-search">${x.inbox.searchLabel}</label>
        <input
          id="inbox-search"
          name="q"
          type="text"
          value="${s?.value ?? ''}"
          maxlength="320"
          autocomplete="off"
          spellcheck="false"
          required
          aria-describedby="inbox-search-hint${error ? ' inbox-search-error' : ''}"
          ${error ? html`aria-invalid="true"` : null}
        />
        <p class="hint" id="inbox-search-hint">${x.inbox.searchHint}</p>
        ${error ? html`<p class="field-error" id="inbox-search-error">${error}</p>` : null}
      </div>
      ${
        multi
          ? select(
              'search-operator',
              'operator',
              x.inbox.searchOperator,
              o.searchOperators.map((op) => [op.id, op.name] as const),
              s?.operator ?? o.state.operator,
              null,
            )
          : html`<input type="hidden" name="operator" value="${o.searchOperators[0]!.id}" />`
      }
      <button type="submit">${x.inbox.searchSubmit}</button>
    </form>
  </section>`;
}

function exportForm(o: InboxPageData): SafeHtml | null {
  if (!o.canExport) return null;
  const { x } = o;
  return html`<section class="inbox-export" aria-labelledby="export-heading">
    <h2 id="export-heading">${x.inbox.exportHeading}</h2>
    <p class="hint" id="export-hint">${x.inbox.exportHint}</p>
    <form method="post" action="/console/inbox/export">
      <input type="hidden" name="_csrf" value="${o.csrf}" />
      ${filterFields(o.state)}
      <button type="submit" class="secondary" aria-describedby="export-hint">${x.inbox.exportSubmit}</button>
    </form>
  </section>`;
}

function keyboardHelp(x: InboxTexts): SafeHtml {
  return html`<section class="inbox-keys" aria-labelledby="keys-heading">
    <h2 id="keys-heading">${x.inbox.keysHeading}</h2>
    <dl class="keys">
      ${x.inbox.keys.map(
        ([k, what]) =>
          html`<dt><kbd>${k}</kbd></dt>
            <dd>${what}</dd>`,
      )}
    </dl>
    <p class="hint">${x.inbox.keysNote}</p>
  </section>`;
}

function paging(o: InboxPageData): SafeHtml | null {
  const { x, state } = o;
  const links: SafeHtml[] = [];
  if (state.cursor)
    links.push(html`<a href="/console${queryOf({ ...state, cursor: undefined })}">${x.inbox.first}</a>`);
  if (o.nextCursor) {
    links.push(
      html`<a href="/console${queryOf({ ...state, cursor: o.nextCursor }, true)}" rel="next"
        >${x.inbox.next}</a
      >`,
    );
  }
  return links.length > 0 ? html`<nav class="paging" aria-label="${x.inbox.next}">${links}</nav>` : null;
}

/** Paging of search results: the value goes again in a POST body, never in a link. */
function searchPaging(o: InboxPageData): SafeHtml | null {
  const s = o.search;
  if (!s || !o.nextCursor) return null;
  return html`<form method="post" action="/console/inbox/search" class="paging">
    <input type="hidden" name="_csrf" value="${o.csrf}" />
    <input type="hidden" name="q" value="${s.value}" />
    ${s.operator ? html`<input type="hidden" name="operator" value="${s.operator}" />` : null}
    <input type="hidden" name="cursor" value="${o.nextCursor}" />
    <button type="submit" class="secondary">${o.x.inbox.next}</button>
  </form>`;
}

export function inboxPage(o: InboxPageData): SafeHtml {
  const { t, x, state } = o;
  const c = rowContextOf(o.x, o.locale, o.operators, o.staffNames);
  const searching = o.search?.results === true;
  // Only the first page of the list follows new arrivals; later pages and search results stay put.
  const liveUrl = !searching && !state.cursor ? `/console/inbox/live${queryOf(state)}` : null;
  const list = searching
    ? html`<h2>${x.inbox.searchTitle}</h2>
        <p>${o.items.length > 0 ? x.inbox.searchIntro : x.inbox.searchNone}</p>
        ${o.items.length > 0 ? table(c, o.items, null) : null} ${searchPaging(o)}
        <p><a href="/console">${x.inbox.searchClear}</a></p>`
    : html`${statusTabs(o)} ${filters(o)}
        <p
          id="inbox-live"
          class="visually-hidden"
          role="status"
          aria-live="polite"
          data-message="${x.inbox.arrived}"
        ></p>
        ${table(c, o.items, liveUrl)} ${paging(o)}
        <p class="links">
          <a href="/console${queryOf(state, true)}">${x.inbox.refresh}</a>
          ${liveUrl ? html`<span class="hint">${x.inbox.liveHint}</span>` : null}
        </p>`;
  return layout({
    t,
    csrf: o.csrf,
    path: o.path,
    title: searching ? x.inbox.searchTitle : x.inbox.title,
    section: 'home',
    session: { displayName: o.displayName, full: true },
    body: html`${inboxStylesheet()}
      <div class="inbox">
        <h1>${x.inbox.title}</h1>
        ${alert('note', o.notice)} ${alert('error', o.error)} ${o.accountNotes} ${list} ${searchForm(o)}
        ${searching ? null : exportForm(o)} ${keyboardHelp(x)}
        <section class="inbox-home" aria-labelledby="home-heading">
          <h2 id="home-heading">${x.inbox.homeHeading}</h2>
          ${o.home}
        </section>
      </div>
      <script src="${INBOX_JS.href}" defer></script>`,
  });
}

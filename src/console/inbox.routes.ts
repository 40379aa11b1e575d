/**
 * The console's home, `/console`: the inbox for staff who may read inquiries anywhere, today's
 * home page for everyone else. Filters travel in the query string (ids and codes only); the search
 * by phone or e-mail is a POST, so that a patient's contact never lands in a URL, a log or the
 * browser's history; the CSV export is a POST too (an audited action, CSRF-checked). The page's
 * script polls `/console/inbox/live` for new rows (see assets/inbox.js for why polling).
 *
 * Handlers are thin: parse, call the inquiries service (which checks access and audits), render.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import {
  INBOX_EXPORT_MAX_ROWS,
  type InboxExportRow,
  type InboxFilter,
  type InboxPage,
} from '../modules/inquiries/index.ts';
import {
  csrfTokenForForm,
  operatorsWith,
  principalOf,
  requireCsrf,
  requireStaff,
  type Locale,
  type Principal,
} from '../modules/staff/index.ts';
import { send } from './console.routes.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';
import { inboxTexts } from './i18n/inbox.ts';
import { csvLine, CSV_BOM } from './inbox.csv.ts';
import { ExportForm, InboxQuery, SearchForm } from './inbox.schemas.ts';
import {
  channelTitle,
  formatWhen,
  INBOX_CSS,
  INBOX_JS,
  inboxPage,
  kindTitle,
  liveFragment,
  rowContextOf,
  siteTitle,
  stateOf,
  statusTitle,
  type InboxPageData,
  type InboxState,
  type OperatorChoice,
  type SearchState,
} from './inbox.views.ts';
import { emailOffNotice } from './views/layout.ts';
import { homePage, operatorsAndRoles } from './views/pages.ts';
import { html } from '../platform/http/html.ts';

const YEAR_SECONDS = 365 * 24 * 3600;
/** Rows per page of the inbox (the first page is also what the live script compares against). */
export const INBOX_PAGE_SIZE = 50;

/** The service's filter for the page's state; `me` is the signed-in person. */
export function filterOf(state: InboxState, principal: Principal): InboxFilter {
  return {
    operatorId: state.operator,
    siteId: state.site,
    formId: state.kind,
    channel: state.channel,
    status: state.status === 'all' ? undefined : state.status,
    assignee:
      state.assignee === 'me' ? (principal.kind === 'staff' ? principal.staffId : undefined) : state.assignee,
    overdue: state.overdue ? true : undefined,
  };
}

const isValidation = (e: unknown): e is AppError =>
  e instanceof AppError && e.code === ErrorCode.ValidationFailed;

/** Registers the inbox; the staff hooks must be registered already. */
export async function registerInboxRoutes(app: App, ctx: AppContext): Promise<void> {
  const { inquiries, operators, staff, staffMfa } = ctx.services;

  for (const a of [INBOX_JS, INBOX_CSS]) {
    const type = a.path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8';
    app.get(a.path, async (_req, reply) =>
      reply.header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`).type(type).send(a.text),
    );
  }

  /** The operators whose inquiries the person reads, with their names, time zones and sites. */
  const readableOperators = async (principal: Principal): Promise<OperatorChoice[]> => {
    const readable = new Set(operatorsWith(principal, 'inquiry.read'));
    const list = await operators.list(principal);
    return list
      .filter((op) => readable.has(op.id))
      .map((op) => ({
        id: op.id,
        name: op.shortName ?? op.name,
        timeZone: op.timeZone,
        sites: op.sites.map((s) => ({ id: s.id, title: s.title, domain: s.domain })),
      }));
  };

  const staffNames = async (principal: Principal): Promise<Map<string, string>> =>
    new Map((await inquiries.assignees(principal)).map((a) => [a.staffId, a.displayName]));

  /** Everything the inbox page shows besides its list. */
  const pageData = async (
    req: FastifyRequest,
    reply: FastifyReply,
    state: InboxState,
    list: InboxPage,
    o: { notice?: string; error?: string; search?: InboxPageData['search'] } = {},
  ): Promise<InboxPageData> => {
    const principal = principalOf(req);
    const locale = localeOf(req);
    const t = dictionaryFor(locale);
    const x = inboxTexts(locale);
    const [ops, counts, names, overview] = await Promise.all([
      readableOperators(principal),
      inquiries.countsByStatus(principal, filterOf(state, principal)),
      staffNames(principal),
      staff.overview(principal),
    ]);
    const searchable = new Set(operatorsWith(principal, 'subject.search'));
    const exportable = operatorsWith(principal, 'inquiry.export');
    const canExport = state.operator ? exportable.includes(state.operator) : exportable.length > 0;
    return {
      t,
      x,
      locale,
      csrf: await csrfTokenForForm(req, reply),
      path: '/console',
      displayName: req.staffSession?.displayName,
      state,
      operators: ops,
      counts,
      items: list.items,
      nextCursor: list.nextCursor,
      staffNames: names,
      canExport,
      searchOperators: ops.filter((op) => searchable.has(op.id)),
      search: o.search,
      notice: o.notice,
      error: o.error,
      home: operatorsAndRoles(t, overview),
      accountNotes: html`${
        overview.mfaEnabled
          ? null
          : html`<p class="alert alert-note">
              ${t.home.mfaOff} <a href="/console/mfa">${t.home.mfaOffLink}</a>
            </p>`
      }
      ${emailOffNotice(t, ctx.services.outbox.sendsEmail)}`,
    };
  };

  const listOf = (principal: Principal, state: InboxState): Promise<InboxPage> =>
    inquiries.list(principal, {
      ...filterOf(state, principal),
      sort: state.sort,
      cursor: state.cursor,
      limit: INBOX_PAGE_SIZE,
    });

  const defaultState = (): InboxState => stateOf({});

  // --- the home page: the inbox, or today's home for staff without inquiries --------------------

  app.get(
    '/console',
    { preHandler: requireStaff, schema: { querystring: InboxQuery } },
    async (req, reply) => {
      const principal = principalOf(req);
      const t = dictionaryFor(localeOf(req));
      let notice: string | undefined;
      if (req.query.m === 'recovery-code' && principal.kind === 'staff') {
        notice = t.mfaStep.recoveryUsed((await staffMfa.status(principal.staffId)).recoveryCodesLeft);
      }
      if (operatorsWith(principal, 'inquiry.read').length === 0) {
        return send(
          reply,
          200,
          homePage({
            t,
            csrf: await csrfTokenForForm(req, reply),
            path: '/console',
            displayName: req.staffSession?.displayName,
            full: true,
            overview: await staff.overview(principal),
            notice,
            sendsEmail: ctx.services.outbox.sendsEmail,
          }),
        );
      }
      const state = stateOf(req.query);
      const list = await listOf(principal, state);
      return send(reply, 200, inboxPage(await pageData(req, reply, state, list, { notice })));
    },
  );

  // The live script's question: the first page of this filter as it is now, and the counts.
  app.get(
    '/console/inbox/live',
    { preHandler: requireStaff, schema: { querystring: InboxQuery } },
    async (req, reply) => {
      const principal = principalOf(req);
      const locale = localeOf(req);
      const state = { ...stateOf(req.query), cursor: undefined };
      const [list, counts, ops, names] = await Promise.all([
        listOf(principal, state),
        inquiries.countsByStatus(principal, filterOf(state, principal)),
        readableOperators(principal),
        staffNames(principal),
      ]);
      const c = rowContextOf(inboxTexts(locale), locale, ops, names);
      return reply
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(liveFragment(c, list.items, counts));
    },
  );

  // --- search by phone or e-mail (POST: the value never goes in a URL) ----------------------------

  app.post(
    '/console/inbox/search',
    { preValidation: [requireStaff, requireCsrf], schema: { body: SearchForm } },
    async (req, reply) => {
      const principal = principalOf(req);
      const x = inboxTexts(localeOf(req));
      const value = req.body.q.trim();
      const searchable = operatorsWith(principal, 'subject.search').filter((op) =>
        operatorsWith(principal, 'inquiry.read').includes(op),
      );
      const operatorId = req.body.operator ?? (searchable.length === 1 ? searchable[0] : undefined);
      const search: SearchState = { value: req.body.q, operator: operatorId };
      const refuse = async (error: string) => {
        const state = defaultState();
        const list = await listOf(principal, state);
        return send(
          reply,
          400,
          inboxPage(
            await pageData(req, reply, state, list, { search: { ...search, error, results: false } }),
          ),
        );
      };
      if (value === '') return refuse(x.inbox.searchEmpty);
      if (operatorId === undefined) throw new AppError(ErrorCode.Forbidden, 'No operator to search');
      const byEmail = value.includes('@');
      let list: InboxPage;
      try {
        list = await inquiries.search(principal, operatorId, byEmail ? { email: value } : { phone: value }, {
          cursor: req.body.cursor,
          limit: INBOX_PAGE_SIZE,
        });
      } catch (e) {
        const onCursor = isValidation(e) && e.details?.fields?.some((f) => f.path === 'cursor');
        if (!isValidation(e) || onCursor) throw e;
        return refuse(byEmail ? x.inbox.searchBadEmail : x.inbox.searchBadPhone);
      }
      const state: InboxState = { ...defaultState(), status: 'all', sort: 'newest' };
      return send(
        reply,
        200,
        inboxPage(await pageData(req, reply, state, list, { search: { ...search, results: true } })),
      );
    },
  );

  // --- CSV export of the current filter (audited per inquiry by the service) ----------------------

  app.post(
    '/console/inbox/export',
    { preValidation: [requireStaff, requireCsrf], schema: { body: ExportForm } },
    async (req, reply) => {
      const principal = principalOf(req);
      const locale = localeOf(req);
      const x = inboxTexts(locale);
      const state = stateOf(req.body);
      let rows: InboxExportRow[];
      try {
        rows = await inquiries.export(principal, filterOf(state, principal));
      } catch (e) {
        if (!isValidation(e) || !e.details?.fields?.some((f) => f.path === 'filter')) throw e;
        const list = await listOf(principal, state);
        return send(
          reply,
          400,
          inboxPage(
            await pageData(req, reply, state, list, { error: x.inbox.exportTooMany(INBOX_EXPORT_MAX_ROWS) }),
          ),
        );
      }
      const [ops, names] = await Promise.all([readableOperators(principal), staffNames(principal)]);
      const csv = exportCsv(locale, rows, new Map(ops.map((op) => [op.id, op])), names);
      const stamp = ctx.clock.now().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="inquiries-${stamp}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(csv);
    },
  );
}

/** The export as CSV text: one header line in the reader's language, one line per inquiry. */
export function exportCsv(
  locale: Locale,
  rows: readonly InboxExportRow[],
  operators: ReadonlyMap<string, OperatorChoice>,
  staffNames: ReadonlyMap<string, string>,
): string {
  const x = inboxTexts(locale);
  const c = x.csv;
  let out =
    CSV_BOM +
    csvLine([
      c.number,
      c.received,
      c.operator,
      c.site,
      c.kind,
      c.channel,
      c.status,
      c.assignee,
      c.due,
      c.overdue,
      c.name,
      c.phone,
      c.email,
    ]);
  for (const r of rows) {
    const op = operators.get(r.operatorId);
    const tz = op?.timeZone ?? 'Europe/Moscow';
    out += csvLine([
      r.number,
      formatWhen(locale, tz, r.createdAt),
      op?.name ?? r.operatorId,
      siteTitle(op, r.siteId) ?? '',
      kindTitle(x, locale, r.formId),
      channelTitle(x, r.channel),
      statusTitle(locale, r.status),
      r.assigneeStaffId === null ? '' : (staffNames.get(r.assigneeStaffId) ?? r.assigneeStaffId),
      r.firstContactDueAt === null ? '' : formatWhen(locale, tz, r.firstContactDueAt),
      r.overdue ? c.yes : c.no,
      r.name ?? '',
      r.phone ?? '',
      r.email ?? '',
    ]);
  }
  return out;
}

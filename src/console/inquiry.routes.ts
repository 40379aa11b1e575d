/**
 * The inquiry page, `GET /console/operators/:operatorId/inquiries/:inquiryId` (contract 1: other
 * console pages post forms that redirect back here), and its forms: status, note, assignee. Each
 * POST is CSRF-checked and answers 303 back to the page; a refused form comes back on the page with
 * a 400, the message beside its field and the typed note kept (never put in a URL). Another
 * operator's inquiry, an unknown id and a malformed one are the same 404.
 *
 * Handlers are thin: parse the form, call one InquiriesService method (which checks access and
 * audits), render or redirect.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { NOTE_MAX_CHARS, STATUSES_WITH_REASON } from '../modules/inquiries/index.ts';
import { can, csrfTokenForForm, principalOf, requireCsrf, requireStaff } from '../modules/staff/index.ts';
import { send } from './console.routes.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';
import { inboxTexts } from './i18n/inbox.ts';
import { AssignForm, InquiryNoticeQuery, InquiryParams, NoteForm, StatusForm } from './inbox.schemas.ts';
import { inquiryPath } from './inbox.views.ts';
import { inquiryPage, type InquiryFormState } from './inquiry.views.ts';

const isValidation = (e: unknown): e is AppError =>
  e instanceof AppError && e.code === ErrorCode.ValidationFailed;

/** Notices after a redirect back to the page, by key; other modules' forms may use them too. */
const NOTICES = {
  'status-changed': 'statusChanged',
  'status-same': 'statusSame',
  'note-added': 'noteAdded',
  assigned: 'assigned',
  'consent-recorded': 'consentRecorded',
} as const;

/** Registers the inquiry page and its forms; the staff hooks must be registered already. */
export async function registerInquiryRoutes(app: App, ctx: AppContext): Promise<void> {
  const { inquiries, operators } = ctx.services;

  const render = async (
    req: FastifyRequest,
    reply: FastifyReply,
    ids: { operatorId: string; inquiryId: string },
    status: number,
    o: { notice?: string; form?: InquiryFormState } = {},
  ) => {
    const principal = principalOf(req);
    const { operatorId, inquiryId } = ids;
    // First: NotFound for anyone without a role at the operator, before anything else is read.
    const view = await inquiries.get(principal, operatorId, inquiryId);
    const [deliveries, operator, assignees] = await Promise.all([
      inquiries.deliveries(principal, operatorId, inquiryId),
      operators.get(principal, operatorId),
      inquiries.assignees(principal, [operatorId]),
    ]);
    const locale = localeOf(req);
    return send(
      reply,
      status,
      inquiryPage({
        t: dictionaryFor(locale),
        x: inboxTexts(locale),
        locale,
        csrf: await csrfTokenForForm(req, reply),
        path: inquiryPath(operatorId, inquiryId),
        displayName: req.staffSession?.displayName,
        view,
        operator: {
          id: operator.id,
          name: operator.shortName ?? operator.name,
          timeZone: operator.timeZone,
          sites: operator.sites.map((s) => ({ id: s.id, title: s.title, domain: s.domain })),
        },
        deliveries,
        assignees,
        me: principal.kind === 'staff' ? principal.staffId : undefined,
        canUpdate: can(principal, 'inquiry.update', operatorId),
        notice: o.notice,
        form: o.form,
        sendsEmail: ctx.services.outbox.sendsEmail,
      }),
    );
  };

  const back = (reply: FastifyReply, operatorId: string, inquiryId: string, notice: keyof typeof NOTICES) =>
    reply.redirect(`${inquiryPath(operatorId, inquiryId)}?m=${notice}`, 303);

  app.get(
    '/console/operators/:operatorId/inquiries/:inquiryId',
    { preHandler: requireStaff, schema: { params: InquiryParams, querystring: InquiryNoticeQuery } },
    async (req, reply) => {
      const key = req.query.m as keyof typeof NOTICES | undefined;
      const noticeKey = key !== undefined && Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
      const notice = noticeKey ? inboxTexts(localeOf(req)).inquiry[noticeKey] : undefined;
      return render(req, reply, req.params, 200, { notice });
    },
  );

  app.post(
    '/console/operators/:operatorId/inquiries/:inquiryId/status',
    { preValidation: [requireStaff, requireCsrf], schema: { params: InquiryParams, body: StatusForm } },
    async (req, reply) => {
      const { operatorId, inquiryId } = req.params;
      const { to } = req.body;
      // A reason left selected while choosing a status that takes none is the form's leftover.
      const reason = STATUSES_WITH_REASON.has(to) ? req.body.reason : undefined;
      try {
        const r = await inquiries.changeStatus(principalOf(req), operatorId, inquiryId, { to, reason });
        return back(reply, operatorId, inquiryId, r.changed ? 'status-changed' : 'status-same');
      } catch (e) {
        if (!isValidation(e)) throw e;
        const x = inboxTexts(localeOf(req));
        return render(req, reply, req.params, 400, {
          form: { statusError: x.inquiry.reasonRequired, status: { to, reason: req.body.reason } },
        });
      }
    },
  );

  app.post(
    '/console/operators/:operatorId/inquiries/:inquiryId/notes',
    { preValidation: [requireStaff, requireCsrf], schema: { params: InquiryParams, body: NoteForm } },
    async (req, reply) => {
      const { operatorId, inquiryId } = req.params;
      try {
        await inquiries.addNote(principalOf(req), operatorId, inquiryId, req.body.text);
        return back(reply, operatorId, inquiryId, 'note-added');
      } catch (e) {
        if (!isValidation(e)) throw e;
        const x = inboxTexts(localeOf(req));
        const empty = req.body.text.trim() === '';
        return render(req, reply, req.params, 400, {
          form: {
            noteError: empty ? x.inquiry.noteEmpty : x.inquiry.noteInvalid(NOTE_MAX_CHARS),
            noteText: req.body.text,
          },
        });
      }
    },
  );

  app.post(
    '/console/operators/:operatorId/inquiries/:inquiryId/assign',
    { preValidation: [requireStaff, requireCsrf], schema: { params: InquiryParams, body: AssignForm } },
    async (req, reply) => {
      const principal = principalOf(req);
      const { operatorId, inquiryId } = req.params;
      const { assignee } = req.body;
      const staffId =
        assignee === 'none'
          ? null
          : assignee === 'me' && principal.kind === 'staff'
            ? principal.staffId
            : assignee;
      try {
        await inquiries.assign(principal, operatorId, inquiryId, staffId);
        return back(reply, operatorId, inquiryId, 'assigned');
      } catch (e) {
        if (!isValidation(e)) throw e;
        const x = inboxTexts(localeOf(req));
        return render(req, reply, req.params, 400, { form: { assignError: x.inquiry.assignInvalid } });
      }
    },
  );
}

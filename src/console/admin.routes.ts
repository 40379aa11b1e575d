/**
 * The administrator's console pages: operators (list, creation, details, sites, the MFA rule) and
 * an operator's staff (roles, disabling, new accounts). Handlers are thin: parse the form, call one
 * service method, render the outcome or redirect. The services check access; the handlers only use
 * `can` to decide which forms to show. Refused input comes back on the same page with the typed
 * values and a Russian (or English) message beside each field.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { AppError, ErrorCode, type FieldIssue } from '../platform/errors.ts';
import {
  can,
  isInstallationAdmin,
  principalOf,
  requireInstallationAdmin,
  type Principal,
} from '../modules/staff/index.ts';
import {
  NewStaffForm,
  OperatorCreateForm,
  OperatorDetailsForm,
  OperatorParams,
  RequireMfaForm,
  RoleForm,
  SiteForm,
  SiteParams,
  StaffParams,
} from './admin.schemas.ts';
import { EmptyForm, NoticeQuery } from './console.schemas.ts';
import { send } from './console.routes.ts';
import { pageBase, READ, WRITE } from './section.ts';
import { dictionaryFor, localeOf, type Dictionary } from './i18n/index.ts';
import { invitationTexts } from './i18n/invitations.ts';
import { invitationPath } from './invitations.routes.ts';
import { invitationCreatedPage } from './views/invitation-pages.ts';
import {
  disableStaffPage,
  newOperatorPage,
  operatorPage,
  operatorsPage,
  staffPage,
  type FieldErrors,
  type FormValues,
} from './views/admin-pages.ts';

type FieldErrorKey = keyof Dictionary['fieldErrors'];

/**
 * A refused form's errors by field, from the service's validation issues. `fields` maps an issue's
 * path to the form field it belongs to and the message key; the message is the console's own, in
 * the reader's language (the services' messages are for the API). Undefined for any other error.
 */
function fieldErrorsOf(
  e: unknown,
  t: Dictionary,
  fields: Readonly<Record<string, readonly [field: string, message: FieldErrorKey]>>,
): FieldErrors | undefined {
  if (!(e instanceof AppError) || e.code !== ErrorCode.ValidationFailed) return undefined;
  const errors: Record<string, string> = {};
  for (const issue of e.details?.fields ?? ([] as FieldIssue[])) {
    const target = fields[issue.path];
    if (target) errors[target[0]] ??= t.fieldErrors[target[1]];
  }
  return errors;
}

const isConflict = (e: unknown): boolean => e instanceof AppError && e.code === ErrorCode.Conflict;

/** Each field of an operator's card is its own message key. */
const DETAIL_FIELDS = {
  name: ['name', 'name'],
  shortName: ['shortName', 'shortName'],
  inn: ['inn', 'inn'],
  ogrn: ['ogrn', 'ogrn'],
  postalAddress: ['postalAddress', 'postalAddress'],
  responsiblePerson: ['responsiblePerson', 'responsiblePerson'],
  requestsEmail: ['requestsEmail', 'requestsEmail'],
  requestsPostalAddress: ['requestsPostalAddress', 'requestsPostalAddress'],
  timeZone: ['timeZone', 'timeZone'],
} as const;

const CREATE_FIELDS = {
  ...DETAIL_FIELDS,
  slug: ['slug', 'slug'],
  'sites.0.domain': ['domain', 'domain'],
  'sites.0.title': ['siteTitle', 'siteTitle'],
} as const;

const SITE_FIELDS = { domain: ['domain', 'domain'], title: ['title', 'siteTitle'] } as const;

const STAFF_FIELDS = {
  email: ['email', 'email'],
  displayName: ['displayName', 'displayName'],
  'roles.0.role': ['role', 'role'],
} as const;

/** What was typed, without the CSRF token, to fill the form again. */
function typed(body: Readonly<Record<string, unknown>>): FormValues {
  return Object.fromEntries(
    Object.entries(body).filter((e): e is [string, string] => e[0] !== '_csrf' && typeof e[1] === 'string'),
  );
}

// An empty optional field means "none", not "an empty name".
const optional = (s: string): string | undefined => (s.trim() === '' ? undefined : s);

const operatorPath = (id: string): string => `/console/operators/${id}`;
const staffPath = (id: string): string => `/console/operators/${id}/staff`;

/** Registers the administrator's pages; the staff hooks must be registered already. */
export async function registerAdminRoutes(app: App, ctx: AppContext): Promise<void> {
  const { operators, staff } = ctx.services;

  // --- operators ------------------------------------------------------------------------------------

  app.get('/console/operators', { ...READ, schema: { querystring: NoticeQuery } }, async (req, reply) => {
    const principal = principalOf(req);
    const list = await operators.list(principal);
    const p = await pageBase(req, reply, '/console/operators');
    return send(
      reply,
      200,
      operatorsPage({ ...p, operators: list, canCreate: isInstallationAdmin(principal) }),
    );
  });

  app.get('/console/operators/new', READ, async (req, reply) => {
    // A blank form touches no data; this only spares others a form they could not send.
    requireInstallationAdmin(principalOf(req));
    return send(reply, 200, newOperatorPage(await pageBase(req, reply, '/console/operators/new')));
  });

  app.post(
    '/console/operators/new',
    { ...WRITE, schema: { body: OperatorCreateForm } },
    async (req, reply) => {
      const b = req.body;
      try {
        const created = await operators.create(principalOf(req), {
          slug: b.slug,
          name: b.name,
          shortName: optional(b.shortName) ?? null,
          inn: b.inn,
          ogrn: b.ogrn,
          postalAddress: b.postalAddress,
          responsiblePerson: b.responsiblePerson,
          requestsEmail: b.requestsEmail,
          requestsPostalAddress: b.requestsPostalAddress,
          timeZone: b.timeZone,
          requireMfa: b.requireMfa === 'on',
          sites: [{ domain: b.domain, title: optional(b.siteTitle) }],
        });
        return reply.redirect(`${operatorPath(created.id)}?m=created`, 303);
      } catch (e) {
        const p = await pageBase(req, reply, '/console/operators/new');
        const errors = fieldErrorsOf(e, p.t, CREATE_FIELDS);
        if (errors) {
          return send(
            reply,
            400,
            newOperatorPage({ ...p, values: typed(b), errors, error: p.t.operators.invalid }),
          );
        }
        // The slug or the domain is taken; the service does not say which.
        if (isConflict(e)) {
          return send(reply, 409, newOperatorPage({ ...p, values: typed(b), error: p.t.operators.conflict }));
        }
        throw e;
      }
    },
  );

  const operatorView = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    status: number,
    extra: Pick<Parameters<typeof operatorPage>[0], 'details' | 'site' | 'error' | 'notice'> = {},
  ) => {
    const principal: Principal = principalOf(req);
    const operator = await operators.get(principal, operatorId);
    const p = await pageBase(req, reply, operatorPath(operatorId));
    return send(
      reply,
      status,
      operatorPage({
        ...p,
        operator,
        canManage: can(principal, 'operator.manage', operatorId),
        canManageStaff: can(principal, 'staff.manage', operatorId),
        ...extra,
      }),
    );
  };

  app.get(
    '/console/operators/:operatorId',
    { ...READ, schema: { params: OperatorParams, querystring: NoticeQuery } },
    async (req, reply) => {
      const t = dictionaryFor(localeOf(req));
      const notices: Record<string, string> = {
        created: t.operators.created,
        saved: t.operator.saved,
        'site-added': t.operator.siteAdded,
        'site-removed': t.operator.siteRemoved,
        'mfa-on': t.operator.mfaNowOn,
        'mfa-off': t.operator.mfaNowOff,
      };
      return operatorView(req, reply, req.params.operatorId, 200, {
        notice: req.query.m ? notices[req.query.m] : undefined,
      });
    },
  );

  app.post(
    '/console/operators/:operatorId',
    { ...WRITE, schema: { params: OperatorParams, body: OperatorDetailsForm } },
    async (req, reply) => {
      const b = req.body;
      try {
        await operators.update(principalOf(req), req.params.operatorId, {
          name: b.name,
          shortName: optional(b.shortName) ?? null,
          inn: b.inn,
          ogrn: b.ogrn,
          postalAddress: b.postalAddress,
          responsiblePerson: b.responsiblePerson,
          requestsEmail: b.requestsEmail,
          requestsPostalAddress: b.requestsPostalAddress,
          timeZone: b.timeZone,
        });
      } catch (e) {
        const t = dictionaryFor(localeOf(req));
        const errors = fieldErrorsOf(e, t, DETAIL_FIELDS);
        if (!errors) throw e;
        return operatorView(req, reply, req.params.operatorId, 400, {
          details: { values: typed(b), errors },
          error: t.operator.invalid,
        });
      }
      return reply.redirect(`${operatorPath(req.params.operatorId)}?m=saved`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/mfa',
    { ...WRITE, schema: { params: OperatorParams, body: RequireMfaForm } },
    async (req, reply) => {
      const on = req.body.requireMfa === 'on';
      await operators.setRequireMfa(principalOf(req), req.params.operatorId, on);
      // If the administrator lacks MFA themself, the next page sends them to enrolment.
      return reply.redirect(`${operatorPath(req.params.operatorId)}?m=${on ? 'mfa-on' : 'mfa-off'}`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/sites',
    { ...WRITE, schema: { params: OperatorParams, body: SiteForm } },
    async (req, reply) => {
      const b = req.body;
      try {
        await operators.addSite(principalOf(req), req.params.operatorId, {
          domain: b.domain,
          title: optional(b.title),
        });
      } catch (e) {
        const t = dictionaryFor(localeOf(req));
        const errors = fieldErrorsOf(e, t, SITE_FIELDS);
        if (errors) {
          return operatorView(req, reply, req.params.operatorId, 400, {
            site: { values: typed(b), errors },
            error: t.operator.siteInvalid,
          });
        }
        if (isConflict(e)) {
          return operatorView(req, reply, req.params.operatorId, 409, {
            site: { values: typed(b), errors: { domain: t.fieldErrors.domainTaken } },
            error: t.operator.siteInvalid,
          });
        }
        throw e;
      }
      return reply.redirect(`${operatorPath(req.params.operatorId)}?m=site-added`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/sites/:siteId/remove',
    { ...WRITE, schema: { params: SiteParams, body: EmptyForm } },
    async (req, reply) => {
      await operators.removeSite(principalOf(req), req.params.operatorId, req.params.siteId);
      return reply.redirect(`${operatorPath(req.params.operatorId)}?m=site-removed`, 303);
    },
  );

  // --- staff ------------------------------------------------------------------------------------------

  const staffView = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    status: number,
    extra: Pick<Parameters<typeof staffPage>[0], 'add' | 'error' | 'notice'> = {},
  ) => {
    const principal = principalOf(req);
    // The staff list first: it is the one that needs staff.manage.
    const members = await staff.listForOperator(principal, operatorId);
    const operator = await operators.get(principal, operatorId);
    const p = await pageBase(req, reply, staffPath(operatorId));
    return send(
      reply,
      status,
      staffPage({
        ...p,
        operator,
        staff: members,
        selfId: principal.kind === 'staff' ? principal.staffId : '',
        ...extra,
      }),
    );
  };

  app.get(
    '/console/operators/:operatorId/staff',
    { ...READ, schema: { params: OperatorParams, querystring: NoticeQuery } },
    async (req, reply) => {
      const t = dictionaryFor(localeOf(req));
      const notices: Record<string, string> = {
        granted: t.staffAdmin.granted,
        revoked: t.staffAdmin.revoked,
        disabled: t.staffAdmin.disabledNotice,
      };
      return staffView(req, reply, req.params.operatorId, 200, {
        notice: req.query.m ? notices[req.query.m] : undefined,
      });
    },
  );

  // Adding someone is an invitation, answered alike whether the e-mail has an account elsewhere.
  app.post(
    '/console/operators/:operatorId/staff',
    { ...WRITE, schema: { params: OperatorParams, body: NewStaffForm } },
    async (req, reply) => {
      const b = req.body;
      const { operatorId } = req.params;
      let invitation;
      try {
        invitation = await staff.invite(principalOf(req), {
          operatorId,
          email: b.email,
          displayName: b.displayName,
          role: b.role,
        });
      } catch (e) {
        const t = dictionaryFor(localeOf(req));
        const errors = fieldErrorsOf(e, t, STAFF_FIELDS);
        if (errors)
          return staffView(req, reply, req.params.operatorId, 400, {
            add: { values: typed(b), errors },
            error: t.staffAdmin.addInvalid,
          });
        throw e;
      }
      const p = await pageBase(req, reply, staffPath(operatorId));
      const locale = localeOf(req);
      return send(
        reply,
        200,
        invitationCreatedPage({
          ...p,
          it: invitationTexts(locale),
          operatorId,
          email: b.email.trim(),
          role: b.role,
          link: `${ctx.config.publicUrl}${invitationPath(invitation.token)}`,
          expiresAt: invitation.expiresAt.toLocaleDateString(locale === 'en' ? 'en-GB' : 'ru-RU', {
            timeZone: 'Europe/Moscow',
          }),
        }),
      );
    },
  );

  app.post(
    '/console/operators/:operatorId/staff/:staffId/roles/grant',
    { ...WRITE, schema: { params: StaffParams, body: RoleForm } },
    async (req, reply) => {
      const { operatorId, staffId } = req.params;
      await staff.grantRole(principalOf(req), { staffId, operatorId, role: req.body.role });
      return reply.redirect(`${staffPath(operatorId)}?m=granted`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/staff/:staffId/roles/revoke',
    { ...WRITE, schema: { params: StaffParams, body: RoleForm } },
    async (req, reply) => {
      const { operatorId, staffId } = req.params;
      const principal = principalOf(req);
      await staff.revokeRole(principal, { staffId, operatorId, role: req.body.role });
      // Someone who gave up their own administrator role may no longer see the staff page.
      const self = principal.kind === 'staff' && principal.staffId === staffId;
      if (self && req.body.role === 'administrator') return reply.redirect('/console', 303);
      return reply.redirect(`${staffPath(operatorId)}?m=revoked`, 303);
    },
  );

  // Disabling cannot be undone in the console, so it has a page of its own to confirm it.
  app.get(
    '/console/operators/:operatorId/staff/:staffId/disable',
    { ...READ, schema: { params: StaffParams } },
    async (req, reply) => {
      const { operatorId, staffId } = req.params;
      const members = await staff.listForOperator(principalOf(req), operatorId);
      const member = members.find((m) => m.id === staffId);
      if (!member) throw new AppError(ErrorCode.NotFound, 'Staff member not found');
      const p = await pageBase(req, reply, `${staffPath(operatorId)}/${staffId}/disable`);
      return send(reply, 200, disableStaffPage({ ...p, operatorId, member }));
    },
  );

  app.post(
    '/console/operators/:operatorId/staff/:staffId/disable',
    { ...WRITE, schema: { params: StaffParams, body: EmptyForm } },
    async (req, reply) => {
      await staff.disable(principalOf(req), req.params.staffId);
      return reply.redirect(`${staffPath(req.params.operatorId)}?m=disabled`, 303);
    },
  );
}

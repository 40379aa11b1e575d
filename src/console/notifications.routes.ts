/**
 * Console routes for patient notifications: /console/notifications lists the organisations the
 * reader sets them up for; /console/operators/:operatorId/notifications shows the settings, the
 * templates and the marketing form, and takes their posts (settings; a template's save, preview or
 * restore; a marketing send to everyone with a live marketing consent). Handlers are thin: the
 * notifications service checks `notification.manage` first, validates and audits; a refused form
 * comes back (400) with what was typed and the service's message beside each field.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { NotifiedStatus, TemplateFamily } from '../modules/notifications/index.ts';
import { principalOf } from '../modules/staff/index.ts';
import { AppError, ErrorCode, type FieldIssue } from '../platform/errors.ts';
import { OperatorParams } from './admin.schemas.ts';
import { send } from './console.routes.ts';
import { operatorsWhere, pageBase, READ, WRITE } from './section.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';
import { notificationsDictionary } from './i18n/notifications.ts';
import {
  notificationsIndexPage,
  notificationsPage,
  notificationsUrl,
  type Errors,
  type ShownForm,
} from './notifications.views.ts';

const csrf = z.string().max(200);
// Above every service limit, so that a too-long value comes back as a field error.
const text = z.string().max(20_000);
const on = z.literal('on').optional();

export const SettingsForm = z.strictObject({
  _csrf: csrf,
  quietEnabled: on,
  quietStart: z.string().max(100),
  quietEnd: z.string().max(100),
  smsNotices: on,
  clinicPhone: z.string().max(1000),
});

export const TemplateForm = z.strictObject({
  _csrf: csrf,
  status: NotifiedStatus,
  family: TemplateFamily,
  enabled: on,
  subject: z.string().max(2000).optional(),
  body: text,
  action: z.enum(['save', 'preview', 'reset']),
});

export const MarketingForm = z.strictObject({ _csrf: csrf, subject: z.string().max(2000), text });

/** A notice after a redirect, by key (never free text from the URL), and the marketing count. */
export const NotificationsQuery = z.object({
  m: z.string().max(40).optional(),
  n: z.coerce.number().int().min(0).max(100_000_000).optional(),
});

/** The service's field paths as the form's field names. */
function errorsOf(e: AppError, names: Record<string, string>): Errors {
  const out: Record<string, string> = {};
  for (const f of e.details?.fields ?? ([] as FieldIssue[])) {
    const name = names[f.path] ?? f.path;
    out[name] ??= f.message;
  }
  return out;
}

export async function registerNotificationRoutes(app: App, ctx: AppContext): Promise<void> {
  const { notifications, operators } = ctx.services;

  const signedIn = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    const base = await pageBase(req, reply, path);
    return { ...base, n: notificationsDictionary(base.t.htmlLang) };
  };

  const view = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    status: number,
    extra: { form?: ShownForm; notice?: string; error?: string } = {},
  ) => {
    const principal = principalOf(req);
    // The permission first: someone without it learns nothing of the operator.
    const settings = await notifications.getSettings(principal, operatorId);
    const operator = await operators.get(principal, operatorId);
    return send(
      reply,
      status,
      notificationsPage({
        ...(await signedIn(req, reply, notificationsUrl(operatorId))),
        operator,
        settings,
        sendsEmail: ctx.services.outbox.sendsEmail,
        ...extra,
      }),
    );
  };

  app.get('/console/notifications', READ, async (req, reply) => {
    const mine = await operatorsWhere(operators, principalOf(req), 'notification.manage');
    return send(
      reply,
      200,
      notificationsIndexPage({ ...(await signedIn(req, reply, '/console/notifications')), operators: mine }),
    );
  });

  app.get(
    '/console/operators/:operatorId/notifications',
    { ...READ, schema: { params: OperatorParams, querystring: NotificationsQuery } },
    async (req, reply) => {
      const n = notificationsDictionary(dictionaryFor(localeOf(req)).htmlLang);
      const notices: Record<string, string> = {
        settings: n.settingsSaved,
        saved: n.templateSaved,
        reset: n.templateReset,
        queued: n.marketingQueued(req.query.n ?? 0),
      };
      return view(req, reply, req.params.operatorId, 200, {
        notice: req.query.m ? notices[req.query.m] : undefined,
      });
    },
  );

  app.post(
    '/console/operators/:operatorId/notifications/settings',
    { ...WRITE, schema: { params: OperatorParams, body: SettingsForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      const f = req.body;
      try {
        await notifications.saveSettings(principalOf(req), operatorId, {
          quietHours: f.quietEnabled === 'on' ? { start: f.quietStart, end: f.quietEnd } : null,
          smsNotices: f.smsNotices === 'on',
          clinicPhone: f.clinicPhone,
        });
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== ErrorCode.ValidationFailed) throw e;
        const n = notificationsDictionary(dictionaryFor(localeOf(req)).htmlLang);
        return view(req, reply, operatorId, 400, {
          error: n.invalid,
          form: {
            kind: 'settings',
            values: {
              quietEnabled: f.quietEnabled,
              quietStart: f.quietStart,
              quietEnd: f.quietEnd,
              smsNotices: f.smsNotices,
              clinicPhone: f.clinicPhone,
            },
            errors: errorsOf(e, { 'quietHours.start': 'quietStart', 'quietHours.end': 'quietEnd' }),
          },
        });
      }
      return reply.redirect(`${notificationsUrl(operatorId)}?m=settings`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/notifications/templates',
    { ...WRITE, schema: { params: OperatorParams, body: TemplateForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      const principal = principalOf(req);
      const f = req.body;
      const reset = f.action === 'reset';
      const input = {
        status: f.status,
        family: f.family,
        enabled: f.enabled === 'on',
        subject: reset ? null : (f.subject ?? null),
        body: reset ? null : f.body,
      };
      const n = notificationsDictionary(dictionaryFor(localeOf(req)).htmlLang);
      const values = { enabled: f.enabled, subject: f.subject, body: f.body };
      try {
        if (f.action === 'preview') {
          const preview = await notifications.preview(principal, operatorId, input);
          return view(req, reply, operatorId, 200, {
            form: { kind: 'template', status: f.status, family: f.family, values, errors: {}, preview },
          });
        }
        await notifications.saveTemplate(principal, operatorId, input);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== ErrorCode.ValidationFailed) throw e;
        return view(req, reply, operatorId, 400, {
          error: n.invalid,
          form: { kind: 'template', status: f.status, family: f.family, values, errors: errorsOf(e, {}) },
        });
      }
      const anchor = `#tpl-${f.status}-${f.family}`;
      return reply.redirect(`${notificationsUrl(operatorId)}?m=${reset ? 'reset' : 'saved'}${anchor}`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/notifications/marketing',
    { ...WRITE, schema: { params: OperatorParams, body: MarketingForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      const f = req.body;
      const n = notificationsDictionary(dictionaryFor(localeOf(req)).htmlLang);
      try {
        const r = await notifications.sendMarketing(principalOf(req), operatorId, {
          all: true,
          template: { subject: f.subject, text: f.text },
        });
        // Redirected, so that reloading the page does not send the mailing again.
        return reply.redirect(`${notificationsUrl(operatorId)}?m=queued&n=${r.queued}`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        if (e.code === ErrorCode.Conflict) {
          // E-mail is not configured: nothing was queued; the typed mailing stays in the form.
          return view(req, reply, operatorId, 409, {
            error: n.emailOff,
            form: { kind: 'marketing', values: { subject: f.subject, text: f.text }, errors: {} },
          });
        }
        if (e.code !== ErrorCode.ValidationFailed) throw e;
        return view(req, reply, operatorId, 400, {
          error: n.invalid,
          form: {
            kind: 'marketing',
            values: { subject: f.subject, text: f.text },
            errors: errorsOf(e, { 'template.subject': 'subject', 'template.text': 'text' }),
          },
        });
      }
    },
  );
}

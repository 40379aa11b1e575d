/**
 * The console's pages: sign-in (password, then the second factor), sign-out, the home page, the
 * two-factor settings, password change and the language switch. Handlers are thin: parse the form,
 * call one service method, render the outcome. Pages work with JavaScript off.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import type { SafeHtml } from '../platform/http/html.ts';
import {
  csrfTokenForForm,
  DEVICE_COOKIE,
  deviceCookieOptions,
  formCsrfToken,
  requireCsrf,
  requireFormCsrf,
  requireStaff,
  requireStage,
  SESSION_COOKIE,
  sessionCookieOptions,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type SessionStage,
  type StaffSession,
} from '../modules/staff/index.ts';
import {
  ChangePasswordForm,
  CodeForm,
  EmptyForm,
  LanguageForm,
  LoginForm,
  NoticeQuery,
  PasswordConfirmForm,
} from './console.schemas.ts';
import { dictionaryFor, LANG_COOKIE, localeOf, type Dictionary } from './i18n/index.ts';
import { BASE_CSS, CSS_PATH, CSS_TEXT } from './views/layout.ts';
import { serveStylesheet } from '../platform/http/stylesheet.ts';
import { loginPage, mfaPage, mfaStepPage, passwordPage, recoveryCodesPage } from './views/pages.ts';

const YEAR_SECONDS = 365 * 24 * 3600;

export function send(reply: FastifyReply, status: number, markup: SafeHtml): FastifyReply {
  // Pages carry CSRF tokens and, once, recovery codes: never store them in any cache.
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(markup.toString());
}

function pathOfStage(stage: SessionStage): string {
  switch (stage) {
    case 'full':
      return '/console';
    case 'mfa':
      return '/console/login/mfa';
    case 'enrol':
      return '/console/mfa';
  }
}

function minutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

function sessionOf(req: FastifyRequest): StaffSession {
  const s = req.staffSession;
  if (!s) throw new AppError(ErrorCode.Unauthenticated, 'Sign in first');
  return s;
}

// Only console pages may be returned to after switching the language (no open redirect).
const BACK_RE = /^\/console(\/[a-z0-9/-]*)?$/;

/** Registers the console surface's routes. */
export async function registerConsoleRoutes(app: App, ctx: AppContext): Promise<void> {
  const { staff, staffAuth, staffMfa } = ctx.services;
  const cookieOptions = sessionCookieOptions(ctx.config);
  const fullOrEnrol = requireStage('full', 'enrol');
  const mfaStep = requireStage('mfa');

  const common = async (req: FastifyRequest, reply: FastifyReply, path: string) => ({
    t: dictionaryFor(localeOf(req)),
    csrf: await csrfTokenForForm(req, reply),
    path,
  });
  const signedIn = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    const session = sessionOf(req);
    return {
      ...(await common(req, reply, path)),
      displayName: session.displayName,
      full: session.stage === 'full',
    };
  };

  app.get(CSS_PATH, async (_req, reply) =>
    reply
      .header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`)
      .type('text/css; charset=utf-8')
      .send(CSS_TEXT),
  );
  serveStylesheet(app, BASE_CSS);

  // --- sign-in ----------------------------------------------------------------------------------

  const loginView = async (
    req: FastifyRequest,
    reply: FastifyReply,
    o: { error?: string; notice?: string } = {},
  ) => {
    const t = dictionaryFor(localeOf(req));
    return loginPage({
      t,
      csrf: await formCsrfToken(req, reply),
      path: '/console/login',
      hasSession: req.staffSession !== undefined,
      ...o,
    });
  };

  app.get('/console/login', { schema: { querystring: NoticeQuery } }, async (req, reply) => {
    if (req.staffSession) return reply.redirect(pathOfStage(req.staffSession.stage), 303);
    const t = dictionaryFor(localeOf(req));
    const notice =
      req.query.m === 'logged-out'
        ? t.login.loggedOut
        : req.query.m === 'password-changed'
          ? t.login.passwordChanged
          : undefined;
    return send(reply, 200, await loginView(req, reply, { notice }));
  });

  app.post(
    '/console/login',
    { preValidation: requireFormCsrf, schema: { body: LoginForm } },
    async (req, reply) => {
      const result = await staffAuth.login({
        email: req.body.email,
        password: req.body.password,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
        device: req.cookies[DEVICE_COOKIE],
      });
      const t = dictionaryFor(localeOf(req));
      switch (result.kind) {
        case 'ok':
          void reply.setCookie(SESSION_COOKIE, result.token, cookieOptions);
          void reply.setCookie(DEVICE_COOKIE, result.device, deviceCookieOptions(ctx.config));
          return reply.redirect(pathOfStage(result.stage), 303);
        case 'invalid':
          return send(reply, 401, await loginView(req, reply, { error: t.login.invalid }));
        case 'locked':
          void reply.header('retry-after', String(result.retryAfterSeconds));
          return send(
            reply,
            429,
            await loginView(req, reply, { error: t.login.locked(minutes(result.retryAfterSeconds)) }),
          );
      }
    },
  );

  app.get('/console/login/mfa', { preHandler: mfaStep }, async (req, reply) =>
    send(reply, 200, mfaStepPage(await common(req, reply, '/console/login/mfa'))),
  );

  app.post(
    '/console/login/mfa',
    { preValidation: [mfaStep, requireCsrf], schema: { body: CodeForm } },
    async (req, reply) => {
      const result = await staffAuth.completeSecondFactor(
        sessionOf(req),
        req.body.code,
        req.ip,
        req.cookies[DEVICE_COOKIE],
      );
      const t = dictionaryFor(localeOf(req));
      switch (result.kind) {
        case 'ok':
          void reply.setCookie(SESSION_COOKIE, result.token, cookieOptions);
          return reply.redirect(result.usedRecoveryCode ? '/console?m=recovery-code' : '/console', 303);
        case 'invalid':
          return send(
            reply,
            401,
            mfaStepPage({ ...(await common(req, reply, '/console/login/mfa')), error: t.mfaStep.invalid }),
          );
        case 'locked':
          void reply.header('retry-after', String(result.retryAfterSeconds));
          return send(
            reply,
            429,
            mfaStepPage({
              ...(await common(req, reply, '/console/login/mfa')),
              error: t.locked(minutes(result.retryAfterSeconds)),
            }),
          );
      }
    },
  );

  app.post(
    '/console/logout',
    { preValidation: requireCsrf, schema: { body: EmptyForm } },
    async (req, reply) => {
      await staffAuth.logout(req.cookies[SESSION_COOKIE], req.ip);
      void reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.redirect('/console/login?m=logged-out', 303);
    },
  );

  // The home page, /console, is the inbox's (inbox.routes.ts): it shows today's home to staff who
  // read no inquiries.

  // --- two-factor settings --------------------------------------------------------------------------

  const mfaView = async (
    req: FastifyRequest,
    reply: FastifyReply,
    o: { error?: string; notice?: string } = {},
  ) =>
    mfaPage({
      ...(await signedIn(req, reply, '/console/mfa')),
      status: await staffMfa.status(sessionOf(req).staffId),
      ...o,
    });

  app.get(
    '/console/mfa',
    { preHandler: fullOrEnrol, schema: { querystring: NoticeQuery } },
    async (req, reply) => {
      const t = dictionaryFor(localeOf(req));
      return send(
        reply,
        200,
        await mfaView(req, reply, { notice: req.query.m === 'disabled' ? t.mfa.disabled : undefined }),
      );
    },
  );

  app.post(
    '/console/mfa/enrol',
    { preValidation: [fullOrEnrol, requireCsrf], schema: { body: EmptyForm } },
    async (req, reply) => {
      await staffMfa.startEnrolment(sessionOf(req).staffId, req.ip);
      return reply.redirect('/console/mfa', 303);
    },
  );

  app.post(
    '/console/mfa/confirm',
    { preValidation: [fullOrEnrol, requireCsrf], schema: { body: CodeForm } },
    async (req, reply) => {
      const result = await staffMfa.confirmEnrolment(sessionOf(req), req.body.code, req.ip);
      if (result.kind === 'invalid') {
        return send(
          reply,
          400,
          await mfaView(req, reply, { error: dictionaryFor(localeOf(req)).mfa.invalidCode }),
        );
      }
      const page = await signedIn(req, reply, '/console/mfa');
      // The session has just passed the second factor, whatever stage it was at.
      return send(reply, 200, recoveryCodesPage({ ...page, full: true, codes: result.recoveryCodes }));
    },
  );

  const passwordRefused = async (
    req: FastifyRequest,
    reply: FastifyReply,
    t: Dictionary,
    result: { kind: 'invalid' } | { kind: 'locked'; retryAfterSeconds: number },
  ) => {
    if (result.kind === 'locked') {
      void reply.header('retry-after', String(result.retryAfterSeconds));
      return send(
        reply,
        429,
        await mfaView(req, reply, { error: t.locked(minutes(result.retryAfterSeconds)) }),
      );
    }
    return send(reply, 400, await mfaView(req, reply, { error: t.mfa.wrongPassword }));
  };

  app.post(
    '/console/mfa/recovery-codes',
    { preValidation: [requireStaff, requireCsrf], schema: { body: PasswordConfirmForm } },
    async (req, reply) => {
      const t = dictionaryFor(localeOf(req));
      const result = await staffMfa.regenerateRecoveryCodes(
        sessionOf(req).staffId,
        req.body.password,
        req.ip,
      );
      if (result.kind !== 'ok') return passwordRefused(req, reply, t, result);
      const page = await signedIn(req, reply, '/console/mfa');
      return send(reply, 200, recoveryCodesPage({ ...page, codes: result.recoveryCodes }));
    },
  );

  app.post(
    '/console/mfa/disable',
    { preValidation: [requireStaff, requireCsrf], schema: { body: PasswordConfirmForm } },
    async (req, reply) => {
      const t = dictionaryFor(localeOf(req));
      const result = await staffMfa.disable(sessionOf(req).staffId, req.body.password, req.ip);
      if (result.kind !== 'ok') return passwordRefused(req, reply, t, result);
      return reply.redirect('/console/mfa?m=disabled', 303);
    },
  );

  // --- password -------------------------------------------------------------------------------------

  app.get('/console/password', { preHandler: requireStaff }, async (req, reply) =>
    send(reply, 200, passwordPage(await signedIn(req, reply, '/console/password'))),
  );

  app.post(
    '/console/password',
    { preValidation: [requireStaff, requireCsrf], schema: { body: ChangePasswordForm } },
    async (req, reply) => {
      const page = await signedIn(req, reply, '/console/password');
      const { t } = page;
      if (req.body.next !== req.body.repeat)
        return send(reply, 400, passwordPage({ ...page, error: t.password.mismatch }));
      let result;
      try {
        result = await staff.changeOwnPassword(
          sessionOf(req).staffId,
          req.body.current,
          req.body.next,
          req.ip,
        );
      } catch (e) {
        if (e instanceof AppError && e.code === ErrorCode.ValidationFailed) {
          return send(
            reply,
            400,
            passwordPage({ ...page, error: t.password.policy(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH) }),
          );
        }
        throw e;
      }
      switch (result.kind) {
        case 'ok':
          void reply.clearCookie(SESSION_COOKIE, cookieOptions);
          return reply.redirect('/console/login?m=password-changed', 303);
        case 'invalid':
          return send(reply, 400, passwordPage({ ...page, error: t.password.wrong }));
        case 'locked':
          void reply.header('retry-after', String(result.retryAfterSeconds));
          return send(
            reply,
            429,
            passwordPage({ ...page, error: t.locked(minutes(result.retryAfterSeconds)) }),
          );
      }
    },
  );

  // --- language -----------------------------------------------------------------------------------

  app.post(
    '/console/lang',
    { preValidation: requireCsrf, schema: { body: LanguageForm } },
    async (req, reply) => {
      const { lang, back } = req.body;
      void reply.setCookie(LANG_COOKIE, lang, {
        path: '/',
        maxAge: YEAR_SECONDS,
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.config.secureCookies,
      });
      const session = req.staffSession;
      // A session still waiting for its second factor may not change the account.
      if (session && session.stage !== 'mfa') await staff.setOwnLocale(session.staffId, lang);
      return reply.redirect(back && BACK_RE.test(back) ? back : '/console', 303);
    },
  );
}

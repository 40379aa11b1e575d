/**
 * The HTTP side of staff sessions, shared by the console and the JSON API:
 *
 * - `registerStaffAuth(app, ctx)` (once, idempotent) adds `req.staffSession` and `req.principal`
 *   and resolves the `sg_session` cookie on requests under /console and /api/;
 * - `requireStaff` (preHandler) lets fully signed-in staff through; browsers are sent to the sign-in
 *   page (303) or to the pending step, requests under /api/ get 401 JSON;
 * - `requireCsrf` (preValidation or preHandler) refuses a state-changing request whose Origin is
 *   foreign, or whose token (`_csrf` form field or `x-csrf-token` header) does not match the
 *   session's; before sign-in, the token of a signed double-submit cookie is checked instead.
 *
 * @example
 *   registerStaffAuth(app, ctx);
 *   app.post('/api/v1/things', { preHandler: [requireStaff, requireCsrf] }, async (req) =>
 *     things.create(principalOf(req), req.body));
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.ts';
import type { Config } from '../../config/config.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { randomToken } from '../../platform/ids.ts';
import type { Principal } from './access.ts';
import type { AuthService, SessionStage, StaffSession } from './auth.service.ts';
import { prepareDummyHash } from './password.ts';

export const SESSION_COOKIE = 'sg_session';
/** The double-submit cookie of forms shown before sign-in. */
export const FORM_CSRF_COOKIE = 'sg_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

export const LOGIN_PATH = '/console/login';
export const MFA_STEP_PATH = '/console/login/mfa';
export const MFA_ENROL_PATH = '/console/mfa';

declare module 'fastify' {
  interface FastifyRequest {
    /** The staff session of the cookie, at whatever stage; undefined without a valid one. */
    staffSession: StaffSession | undefined;
    /** The fully signed-in staff member; undefined otherwise. */
    principal: Principal | undefined;
    /** Set by registerStaffAuth; read by requireCsrf. */
    staffAuthRuntime: StaffAuthRuntime | undefined;
  }
}

interface StaffAuthRuntime {
  readonly ownOrigin: string;
  readonly secureCookies: boolean;
  formKey(): Promise<Buffer>;
}

/** Cookie attributes of the session: HttpOnly, SameSite=Lax, Path=/, Secure over https. */
export function sessionCookieOptions(config: Pick<Config, 'secureCookies'>) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies };
}

function isApi(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/');
}

function wantsSession(url: string): boolean {
  return (
    (url === '/console' ||
      url.startsWith('/console/') ||
      url.startsWith('/console?') ||
      url.startsWith('/api/')) &&
    !url.startsWith('/console/assets/')
  );
}

/**
 * Adds the request decorations and the hook that resolves sessions. Safe to call from several
 * surfaces: only the first call registers anything.
 */
/** What the staff hooks use of the app: the sign-in service and the cookie settings. */
export interface StaffAuthDeps {
  readonly config: Config;
  readonly services: { readonly staffAuth: AuthService };
}

export function registerStaffAuth(app: App, ctx: StaffAuthDeps): void {
  if (app.hasRequestDecorator('staffSession')) return;
  app.decorateRequest('staffSession', undefined);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('staffAuthRuntime', undefined);
  prepareDummyHash();
  const auth = ctx.services.staffAuth;
  const runtime: StaffAuthRuntime = {
    ownOrigin: new URL(ctx.config.publicUrl).origin,
    secureCookies: ctx.config.secureCookies,
    formKey: () => auth.formCsrfKey(),
  };
  app.addHook('onRequest', async (req, reply) => {
    req.staffAuthRuntime = runtime;
    if (!wantsSession(req.url)) return;
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await auth.resolve(token);
    if (!session) {
      // Expired or unknown: forget it in the browser too.
      void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx.config));
      return;
    }
    req.staffSession = session;
    req.principal = auth.principalOf(session, req.ip);
  });
}

function pathForStage(stage: SessionStage | undefined): string {
  switch (stage) {
    case undefined:
      return LOGIN_PATH;
    case 'mfa':
      return MFA_STEP_PATH;
    case 'enrol':
      return MFA_ENROL_PATH;
    case 'full':
      return '/console';
  }
}

/** Lets through sessions at one of these stages; sends everyone else where they belong. */
export function requireStage(...stages: SessionStage[]) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const stage = req.staffSession?.stage;
    if (stage && stages.includes(stage)) return;
    if (isApi(req)) {
      throw stage
        ? new AppError(ErrorCode.MfaRequired, 'Finish two-factor sign-in in the console first')
        : new AppError(ErrorCode.Unauthenticated, 'Sign in first');
    }
    // Awaiting the reply waits until it is sent, which stops the rest of the hook chain.
    await reply.redirect(pathForStage(stage), 303);
  };
}

/** preHandler: a fully signed-in staff member, or a redirect to sign-in (401 under /api/). */
export const requireStaff = requireStage('full');

/** The principal established for this request; throws Unauthenticated without one. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError(ErrorCode.Unauthenticated, 'Sign in first');
  return req.principal;
}

/** The token to put in forms (`_csrf`) or send as `x-csrf-token`, for a request with a session. */
export function csrfTokenOf(req: FastifyRequest): string | undefined {
  return req.staffSession?.csrfToken;
}

function runtimeOf(req: FastifyRequest): StaffAuthRuntime {
  const r = req.staffAuthRuntime;
  if (!r) throw new Error('registerStaffAuth(app, ctx) must run before routes use the staff hooks');
  return r;
}

/** Scheme, host and port as a browser writes them (default ports left out); undefined if malformed. */
function normalisedOrigin(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function originOf(req: FastifyRequest): string | undefined {
  return normalisedOrigin(`${req.protocol}://${req.host}`);
}

/**
 * A present Origin must be the configured public URL's or the one the request was sent to (the
 * same host, for installs reached by address before SOGLASIE_PUBLIC_URL is set). Browsers send
 * Origin on every cross-site POST; `null` (sandboxed frames, some redirects) is refused too.
 */
function checkOrigin(req: FastifyRequest, runtime: StaffAuthRuntime): void {
  const header = req.headers.origin;
  if (header === undefined) return;
  const origin = normalisedOrigin(header);
  if (origin !== undefined && (origin === runtime.ownOrigin || origin === originOf(req))) return;
  throw new AppError(ErrorCode.CsrfFailed, 'The request came from another site');
}

function suppliedToken(req: FastifyRequest): string | undefined {
  const header = req.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = req.body;
  if (body && typeof body === 'object' && CSRF_FIELD in body) {
    const v = (body as Record<string, unknown>)[CSRF_FIELD];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

const csrfFailed = (): AppError =>
  new AppError(ErrorCode.CsrfFailed, 'The form has expired or did not come from this site; reload the page');

function signNonce(key: Buffer, nonce: string): string {
  return createHmac('sha256', key).update(`soglasie/form-csrf/${nonce}`).digest('base64url');
}

async function formCookieNonce(req: FastifyRequest, runtime: StaffAuthRuntime): Promise<string | undefined> {
  const cookie = req.cookies[FORM_CSRF_COOKIE];
  if (!cookie || cookie.length > 200) return undefined;
  const [nonce, sig] = cookie.split('.');
  if (!nonce || !sig) return undefined;
  return sameToken(sig, signNonce(await runtime.formKey(), nonce)) ? nonce : undefined;
}

/**
 * The double-submit token for a form shown before sign-in: reuses a valid `sg_csrf` cookie or sets
 * a new one. The cookie is signed with a key from the keyring, so a cookie planted from a sibling
 * subdomain with a value of the attacker's choosing does not verify.
 */
export async function formCsrfToken(req: FastifyRequest, reply: FastifyReply): Promise<string> {
  const runtime = runtimeOf(req);
  const existing = await formCookieNonce(req, runtime);
  if (existing) return existing;
  const nonce = randomToken(24);
  void reply.setCookie(FORM_CSRF_COOKIE, `${nonce}.${signNonce(await runtime.formKey(), nonce)}`, {
    path: '/console',
    httpOnly: true,
    sameSite: 'strict',
    secure: runtime.secureCookies,
  });
  return nonce;
}

/** The token for a form on this page: the session's, or before sign-in the double-submit one. */
export async function csrfTokenForForm(req: FastifyRequest, reply: FastifyReply): Promise<string> {
  return req.staffSession ? req.staffSession.csrfToken : formCsrfToken(req, reply);
}

/**
 * preValidation or preHandler for every state-changing request. With a session, only the
 * session's token is accepted; without one, the signed double-submit token.
 */
export async function requireCsrf(req: FastifyRequest): Promise<void> {
  const runtime = runtimeOf(req);
  checkOrigin(req, runtime);
  const supplied = suppliedToken(req);
  if (req.staffSession) {
    if (!sameToken(supplied, req.staffSession.csrfToken)) throw csrfFailed();
    return;
  }
  if (!sameToken(supplied, await formCookieNonce(req, runtime))) throw csrfFailed();
}

/** For the sign-in form: Origin and the double-submit token only, whatever session is present. */
export async function requireFormCsrf(req: FastifyRequest): Promise<void> {
  const runtime = runtimeOf(req);
  checkOrigin(req, runtime);
  if (!sameToken(suppliedToken(req), await formCookieNonce(req, runtime))) throw csrfFailed();
}

/** The three hooks as one object, for surfaces that take them as a dependency. */
export const staffAuth = {
  requireStaff,
  requireCsrf: async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => requireCsrf(req),
  principalOf,
};

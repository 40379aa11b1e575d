/**
 * Invitations to an organisation, as their holder sees them: `/console/invitations/<token>` shows
 * who invites them to what; signed in as the invited e-mail's account they accept it, otherwise
 * they set a password for a new account (answered alike whether the e-mail had an account). The
 * administrator's side (making an invitation) is on the staff page (admin.routes.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { principalOf, requireCsrf } from '../modules/staff/index.ts';
import { EmptyForm, PasswordConfirmForm } from './console.schemas.ts';
import { send } from './console.routes.ts';
import { localeOf } from './i18n/index.ts';
import { invitationTexts } from './i18n/invitations.ts';
import { pageBase, WRITE } from './section.ts';
import { invitationDonePage, invitationPage } from './views/invitation-pages.ts';

const TokenParams = z.object({ token: z.string().min(1).max(128) });

/** The path of an invitation's page, for its link. */
export const invitationPath = (token: string): string => `/console/invitations/${encodeURIComponent(token)}`;

export async function registerInvitationRoutes(app: App, ctx: AppContext): Promise<void> {
  const { staff } = ctx.services;

  const view = async (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    status: number,
    extra: { error?: string } = {},
  ) => {
    const session = req.staffSession;
    const signedIn = session?.stage === 'full';
    const invitation = await staff.invitation(token, signedIn ? session.staffId : undefined);
    const base = await pageBase(req, reply, invitationPath(token));
    return send(
      reply,
      status,
      invitationPage({
        ...base,
        it: invitationTexts(localeOf(req)),
        token,
        view: invitation,
        signedIn,
        ...extra,
      }),
    );
  };

  app.get('/console/invitations/:token', { schema: { params: TokenParams } }, async (req, reply) =>
    view(req, reply, req.params.token, 200),
  );

  app.post(
    '/console/invitations/:token/accept',
    { ...WRITE, schema: { params: TokenParams, body: EmptyForm } },
    async (req, reply) => {
      await staff.acceptInvitation(principalOf(req), req.params.token);
      return reply.redirect('/console', 303);
    },
  );

  app.post(
    '/console/invitations/:token/password',
    { preValidation: requireCsrf, schema: { params: TokenParams, body: PasswordConfirmForm } },
    async (req, reply) => {
      const { token } = req.params;
      const it = invitationTexts(localeOf(req));
      try {
        await staff.acceptInvitationWithPassword(token, req.body.password, req.ip);
      } catch (e) {
        if (e instanceof AppError && e.code === ErrorCode.ValidationFailed) {
          return view(req, reply, token, 400, { error: it.weakPassword });
        }
        throw e;
      }
      // The invitation may now be used up: the answer does not read it again.
      const base = await pageBase(req, reply, invitationPath(token));
      return send(reply, 200, invitationDonePage({ ...base, it }));
    },
  );
}

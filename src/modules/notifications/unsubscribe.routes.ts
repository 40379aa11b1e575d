/**
 * The one-click unsubscribe link of marketing messages, `/u/:token`, a surface of its own (mounted
 * by serve through SURFACES):
 * - `GET /u/:token` shows a confirmation page with one button (mail scanners follow GET links, so a
 *   GET never withdraws anything);
 * - `POST /u/:token` withdraws the marketing consent and shows the result. It is what the button
 *   sends, and what a mail client sends for RFC 8058's `List-Unsubscribe-Post:
 *   List-Unsubscribe=One-Click` (a form body, `application/x-www-form-urlencoded` or
 *   `multipart/form-data`, without cookies). No session and no CSRF token: the random token in the
 *   URL is the proof, and a repeated POST changes nothing.
 * A malformed or unknown token gets 404 with a plain page. The token never reaches a log: the
 * route's URL is not logged with its parameters by this code, and request logging is off by default.
 *
 * @example
 *   const app = await buildApp(ctx, { surfaces: [unsubscribeRoutes] });
 *   await app.inject({ method: 'POST', url: `/u/${token}`, payload: 'List-Unsubscribe=One-Click',
 *     headers: { 'content-type': 'application/x-www-form-urlencoded' } });
 */
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { AppContext } from '../../composition/context.ts';
import type { SafeHtml } from '../../platform/http/html.ts';
import { serveStylesheet } from '../../platform/http/stylesheet.ts';
import type { NotificationsService } from './notifications.service.ts';
import { UNSUBSCRIBE_PATH } from './notifications.service.ts';
import { confirmPage, donePage, invalidPage, UNSUBSCRIBE_CSS } from './unsubscribe.views.ts';

const TokenParams = z.object({ token: z.string().max(200) });

function sendPage(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .type('text/html; charset=utf-8')
    .send(page.toString());
}

/** Registers the unsubscribe pages with the given service (the context's by default). */
export async function unsubscribeRoutes(app: App, ctx: AppContext): Promise<void> {
  const notifications: Pick<NotificationsService, 'unsubscribeView' | 'unsubscribe'> =
    ctx.services.notifications;
  serveStylesheet(app, UNSUBSCRIBE_CSS);

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    // RFC 8058 allows the one-click POST as multipart/form-data too. Its body says nothing the
    // route needs (the token is in the URL), so it is read, bounded and dropped.
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: 16 * 1024 },
      (_r, _b, done) => done(null, {}),
    );

    scope.get(`${UNSUBSCRIBE_PATH}/:token`, { schema: { params: TokenParams } }, async (req, reply) => {
      const view = await notifications.unsubscribeView(req.params.token);
      if (!view) return sendPage(reply, 404, invalidPage());
      return sendPage(
        reply,
        200,
        // Only a well-formed, known token gets here: it is the form's own address.
        confirmPage({
          clinicName: view.clinicName,
          withdrawn: view.withdrawn,
          action: `${UNSUBSCRIBE_PATH}/${req.params.token}`,
        }),
      );
    });

    scope.post(`${UNSUBSCRIBE_PATH}/:token`, { schema: { params: TokenParams } }, async (req, reply) => {
      const done = await notifications.unsubscribe(req.params.token);
      if (!done) return sendPage(reply, 404, invalidPage());
      return sendPage(reply, 200, donePage({ clinicName: done.clinicName, changed: done.changed }));
    });
  });
}

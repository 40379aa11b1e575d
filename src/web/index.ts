/**
 * The public site surface: each clinic's pages, documents and inquiry forms, chosen by the
 * request's Host, server-rendered in Russian (and in English under `/en`) and working with
 * JavaScript off. Register it with `buildApp(ctx, { surfaces: [registerWeb] })` (serve does,
 * through SURFACES).
 *
 * @example
 *   const app = await buildApp(ctx, { surfaces: [registerWeb], renderHtmlError });
 *   await app.inject({ method: 'GET', url: '/', headers: { host: 'localhost' } });
 */
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import type { WebDeps } from './web.ports.ts';
import { registerWebRoutes } from './web.routes.ts';

export type { WebDeps } from './web.ports.ts';

/** The public site surface with the context's operators, policy, intake and reviews services. */
export async function registerWeb(app: App, ctx: AppContext): Promise<void> {
  const deps: WebDeps = {
    sites: ctx.services.operators,
    policy: ctx.services.policy,
    intake: ctx.services.intake,
    reviews: ctx.services.reviews,
    sendsEmail: ctx.services.outbox.sendsEmail,
  };
  await registerWebRoutes(app, deps);
}

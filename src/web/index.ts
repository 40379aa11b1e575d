/**
 * The public site surface: each clinic's pages, documents and inquiry forms, chosen by the
 * request's Host, server-rendered in Russian and working with JavaScript off. Register it with
 * `buildApp(ctx, { surfaces: [registerWeb] })` (serve does, through SURFACES).
 *
 * @example
 *   const app = await buildApp(ctx, { surfaces: [registerWeb], renderHtmlError });
 *   await app.inject({ method: 'GET', url: '/', headers: { host: 'localhost' } });
 */
import type { App } from '../app.ts';
import type { AppContext } from '../context.ts';
import type { WebDeps } from './web.ports.ts';
import { registerWebRoutes } from './web.routes.ts';

export type { WebDeps } from './web.ports.ts';

/** The policy and intake services from the context, where this build has them. */
export function webDepsOf(ctx: AppContext): Partial<WebDeps> {
  const services = ctx.services as unknown as Partial<WebDeps>;
  return { policy: services.policy, intake: services.intake };
}

/** The site surface with the context's services, or with `deps` given (tests). */
export function webSurface(deps?: Partial<WebDeps>): (app: App, ctx: AppContext) => Promise<void> {
  return (app, ctx) => registerWebRoutes(app, ctx, { ...webDepsOf(ctx), ...deps });
}

export const registerWeb = webSurface();

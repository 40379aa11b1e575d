/**
 * buildApp(ctx): the HTTP application, without listening. Tests import it and call `app.inject`;
 * `serve` listens on it. External plugins first, then platform hooks, then the surfaces' routes.
 */
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { AppContext } from './composition/context.ts';
import type { App } from './platform/http/app.ts';
import { registerBodyParsers } from './platform/http/body-parsers.ts';
import { registerErrorHandler, type HtmlErrorRenderer } from './platform/http/error-handler.ts';
import { registerSecurityHeaders } from './platform/http/security-headers.ts';
import { registerHealthRoutes } from './platform/http/health.routes.ts';

// Surfaces import the type from here; the platform's own HTTP parts from platform/http.
export type { App };

export interface BuildOptions {
  /** Extra route plugins; each surface registers itself through this list. */
  surfaces?: ((app: App, ctx: AppContext) => Promise<void>)[];
  renderHtmlError?: HtmlErrorRenderer;
}

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<App> {
  const { config } = ctx;
  // Typed as Fastify's base logger so the instance type stays the plain one routes are written for.
  const loggerInstance: FastifyBaseLogger = ctx.log;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({
      disableRequestLogging: !config.logRequests,
      requestIdLogLabel: 'reqId',
    }),
    bodyLimit: config.bodyLimitBytes,
    // Only the named proxies' X-Forwarded-For is believed: walking the chain from the nearest hop,
    // the client is the first address that is not a trusted proxy, so a client's own forged
    // entries end up to the left of it and are ignored.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerBodyParsers(app);
  registerErrorHandler(app, opts.renderHtmlError, { databaseReachable: () => ctx.dbHealth.probe() });
  await registerSecurityHeaders(app, { https: config.secureCookies });
  await app.register(cookie);

  // The correlation id is returned on every response so a user can quote it to support.
  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });

  registerHealthRoutes(app, ctx.dbHealth);
  for (const surface of opts.surfaces ?? []) await surface(app, ctx);
  return app;
}

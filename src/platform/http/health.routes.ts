import type { App } from '../../app.ts';
import type { AppContext } from '../../context.ts';

/** `/healthz`: the process is up. `/readyz`: the data and keyring databases answer. */
export function registerHealthRoutes(app: App, ctx: AppContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await Promise.all([ctx.db.ping(), ctx.keyringDb.ping()]);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}

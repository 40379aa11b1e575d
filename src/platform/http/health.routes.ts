import type { DatabaseHealth } from '../db/health.ts';
import type { App } from './app.ts';

/**
 * Failed restarts of the embedded server in a row after which `/healthz` answers 503: with the
 * back-off that is about half a minute of trying, and restarting the process is the next step.
 */
export const FAILING_AFTER_RESTART_ATTEMPTS = 10;

/**
 * `/healthz`: the process is up, with the database's state for an orchestrator to decide on a
 * restart: `{ status: 'ok' | 'degraded' | 'failing', database: { state: 'up' | 'down' |
 * 'restarting', since, embedded, restarts, failedRestarts } }`. It answers 200 while the process can
 * heal by itself (the embedded server restarting, the pools reconnecting to an external server
 * that comes back), and 503 (`failing`) once the embedded server has failed to restart
 * FAILING_AFTER_RESTART_ATTEMPTS times in a row.
 * `/readyz`: the data and keyring databases answer now (200), or not (503): take the instance out
 * of rotation.
 */
export function registerHealthRoutes(app: App, health: Pick<DatabaseHealth, 'snapshot' | 'probe'>): void {
  app.get('/healthz', async (_req, reply) => {
    const database = health.snapshot();
    const failing = database.embedded && database.failedRestarts >= FAILING_AFTER_RESTART_ATTEMPTS;
    const status = failing ? 'failing' : database.state === 'up' ? 'ok' : 'degraded';
    return reply.code(failing ? 503 : 200).send({ status, database });
  });
  app.get('/readyz', async (_req, reply) => {
    if (await health.probe()) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable', database: health.snapshot().state });
  });
}

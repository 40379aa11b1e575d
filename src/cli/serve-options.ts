import { registerConsole, renderHtmlError } from '../console/index.ts';
import { channelWebhooks } from '../modules/channels/index.ts';
import type { AppContext } from '../context.ts';
import { apiDocs, publicApi } from '../modules/api/index.ts';
import { operatorsApi } from '../modules/operators/index.ts';
import { embedWidget, intakeApi } from '../modules/inquiries/index.ts';
import { unsubscribeRoutes } from '../modules/notifications/index.ts';
import { registerStaffAuth, staffAuth } from '../modules/staff/index.ts';
import { startJobRunner } from '../platform/jobs/production.ts';
import type { ServeOptions } from '../server.ts';
import { registerWeb } from '../web/index.ts';
import { describeDemoLogin, loadDemo, type DemoLoaded } from './demo.ts';

/** The surfaces every server mounts: console, JSON APIs, public site. Tests mount the same list. */
export const SURFACES: NonNullable<ServeOptions['surfaces']> = [
  // First: the OpenAPI generator only sees the routes registered after it.
  apiDocs,
  registerConsole,
  operatorsApi({ ...staffAuth, register: registerStaffAuth }),
  intakeApi,
  publicApi,
  embedWidget,
  registerWeb,
  channelWebhooks,
  unsubscribeRoutes,
];

/**
 * What `serve` wires in: the surfaces, background work and the demo clinic. Modules add themselves
 * here as they arrive.
 */
export function serveOptions(o: { demo: boolean }): ServeOptions {
  let demo: DemoLoaded | undefined;
  return {
    surfaces: SURFACES,
    renderHtmlError,
    prepare: async (ctx: AppContext) => {
      if (o.demo) demo = await loadDemo(ctx);
    },
    // The job runner, unless SOGLASIE_JOBS=false (for instances that only serve requests).
    background: (ctx) => (ctx.config.jobsEnabled ? startJobRunner(ctx) : { stop: async () => undefined }),
    onListening: (url) => {
      process.stdout.write(`Soglasie is listening on ${url}${demo ? ' (demo clinic loaded)' : ''}\n`);
      if (demo) process.stdout.write(describeDemoLogin(url, demo));
    },
  };
}

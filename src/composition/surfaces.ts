/**
 * Which surfaces run: the HTTP surfaces every server mounts, and what `serve` adds around them
 * (background jobs, the demo clinic).
 */
import { describeDemoLogin, loadDemo, type DemoLoaded } from '../cli/demo.ts';
import { registerConsole, renderHtmlError } from '../console/index.ts';
import { apiDocs, publicApi } from '../modules/api/index.ts';
import { channelWebhooks } from '../modules/channels/index.ts';
import { embedWidget, intakeApi } from '../modules/inquiries/index.ts';
import { unsubscribeRoutes } from '../modules/notifications/index.ts';
import { operatorsApi } from '../modules/operators/index.ts';
import { registerStaffAuth, staffAuth } from '../modules/staff/index.ts';
import type { ServeOptions } from '../server.ts';
import { registerWeb } from '../web/index.ts';
import type { AppContext } from './context.ts';
import { startJobRunner } from './jobs.ts';

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

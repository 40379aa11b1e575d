/**
 * Which surfaces run: the HTTP surfaces every server mounts, and what `serve` adds around them
 * (background jobs, the demo clinic).
 */
import type { App } from '../app.ts';
import { registerApi } from '../api/index.ts';
import { describeDemoLogin, loadDemo, type DemoLoaded } from '../cli/demo.ts';
import { registerConsole, renderHtmlError } from '../console/index.ts';
import { channelWebhooks } from '../modules/channels/index.ts';
import { embedWidget } from '../modules/inquiries/index.ts';
import { unsubscribeRoutes } from '../modules/notifications/index.ts';
import type { ServeOptions } from '../server.ts';
import { registerWeb } from '../web/index.ts';
import type { AppContext } from './context.ts';
import { startJobRunner } from './jobs.ts';

/** The surfaces every server mounts: console, JSON APIs, public site. Tests mount the same list. */
export const SURFACES: NonNullable<ServeOptions['surfaces']> = [
  // First: the OpenAPI generator only sees the routes registered after it.
  registerApi,
  registerConsole,
  registerWidget,
  registerWeb,
  registerChannelWebhooks,
  registerUnsubscribe,
];

/** The embed widget (inquiries module), beside the public site whose form pages it frames. */
export async function registerWidget(app: App, ctx: AppContext): Promise<void> {
  await embedWidget(app, { operators: ctx.services.operators, secureCookies: ctx.config.secureCookies });
}

/** The messaging providers' webhooks (channels module). */
export async function registerChannelWebhooks(app: App, ctx: AppContext): Promise<void> {
  const { channels, channelInbound } = ctx.services;
  await channelWebhooks(app, { connections: channels, inbound: channelInbound, clock: ctx.clock });
}

/** The one-click unsubscribe pages (notifications module). */
export async function registerUnsubscribe(app: App, ctx: AppContext): Promise<void> {
  await unsubscribeRoutes(app, { notifications: ctx.services.notifications });
}

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

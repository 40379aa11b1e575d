/**
 * The console surface at /console: server-rendered pages for staff, Russian first. Register it
 * with `buildApp(ctx, { surfaces: [registerConsole], renderHtmlError })`. It also registers the
 * staff session hooks (`req.staffSession`, `req.principal`) that the JSON API shares.
 *
 * @example
 *   const app = await buildApp(ctx, { surfaces: [registerConsole], renderHtmlError });
 *   await app.inject({ method: 'GET', url: '/console/login' });
 */
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { registerStaffAuth } from '../modules/staff/index.ts';
import { registerAdminRoutes } from './admin.routes.ts';
import { registerApiKeyRoutes } from './apikeys.routes.ts';
import { registerChannelRoutes } from './channels.routes.ts';
import { registerConsoleRoutes } from './console.routes.ts';
import { registerInboxRoutes } from './inbox.routes.ts';
import { registerInvitationRoutes } from './invitations.routes.ts';
import { registerInquiryRoutes } from './inquiry.routes.ts';
import { registerNotificationRoutes } from './notifications.routes.ts';
import { registerPolicyRoutes } from './policy.routes.ts';
import { registerReviewRoutes } from './reviews.routes.ts';
import { registerSubjectRoutes } from './subjects.routes.ts';
import { registerWebhookRoutes } from './webhooks.routes.ts';

export { renderHtmlError } from './views/error-page.ts';
export { dictionaryFor, localeOf, LANG_COOKIE, type Dictionary } from './i18n/index.ts';
export {
  csrfTokenOf,
  principalOf,
  registerStaffAuth,
  requireCsrf,
  requireStaff,
  staffAuth,
} from '../modules/staff/index.ts';

/** The console surface: staff session hooks, then the pages (the administrator's ones last). */
export async function registerConsole(app: App, ctx: AppContext): Promise<void> {
  registerStaffAuth(app, ctx);
  await registerConsoleRoutes(app, ctx);
  await registerInboxRoutes(app, ctx);
  await registerInquiryRoutes(app, ctx);
  await registerAdminRoutes(app, ctx);
  await registerInvitationRoutes(app, ctx);
  await registerPolicyRoutes(app, ctx);
  await registerNotificationRoutes(app, ctx);
  await registerChannelRoutes(app, ctx);
  await registerReviewRoutes(app, ctx);
  await registerSubjectRoutes(app, ctx);
  await registerWebhookRoutes(app, ctx);
  await registerApiKeyRoutes(app, ctx);
}

/**
 * The console surface at /console: server-rendered pages for staff, Russian first. Register it
 * with `buildApp(ctx, { surfaces: [registerConsole], renderHtmlError })`. It also registers the
 * staff session hooks (`req.staffSession`, `req.principal`) that the JSON API shares.
 *
 * Each feature is a folder with its routes, views, texts, assets and tests (`inbox/` also holds
 * the inquiry page, which shares its texts); `shared/` has the layout, the error page, the
 * dictionaries, the stylesheet, what every section's routes use and the test helper.
 *
 * @example
 *   const app = await buildApp(ctx, { surfaces: [registerConsole], renderHtmlError });
 *   await app.inject({ method: 'GET', url: '/console/login' });
 */
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { registerStaffAuth } from '../modules/staff/index.ts';
import { registerAccountRoutes } from './account/account.routes.ts';
import { registerAdminRoutes } from './admin/admin.routes.ts';
import { registerApiKeyRoutes } from './apikeys/apikeys.routes.ts';
import { registerChannelRoutes } from './channels/channels.routes.ts';
import { registerInboxRoutes } from './inbox/inbox.routes.ts';
import { registerInvitationRoutes } from './invitations/invitations.routes.ts';
import { registerInquiryRoutes } from './inbox/inquiry.routes.ts';
import { registerNotificationRoutes } from './notifications/notifications.routes.ts';
import { registerPolicyRoutes } from './policy/policy.routes.ts';
import { registerReviewRoutes } from './reviews/reviews.routes.ts';
import { registerSubjectRoutes } from './subjects/subjects.routes.ts';
import { registerWebhookRoutes } from './webhooks/webhooks.routes.ts';

export { renderHtmlError } from './shared/error-page.ts';
export { dictionaryFor, localeOf, LANG_COOKIE, type Dictionary } from './shared/i18n/index.ts';
export {
  csrfTokenOf,
  principalOf,
  registerStaffAuth,
  requireCsrf,
  requireStaff,
  staffAuth,
} from '../modules/staff/index.ts';

/**
 * The console surface: staff session hooks, then the pages (the administrator's ones last). Each
 * feature's routes get only the services and settings they call, taken here from the context.
 */
export async function registerConsole(app: App, ctx: AppContext): Promise<void> {
  const { config, clock } = ctx;
  const { publicUrl } = config;
  const s = ctx.services;
  const { operators, staff, staffMfa } = s;
  const sendsEmail = s.outbox.sendsEmail;
  registerStaffAuth(app, { staffAuth: s.staffAuth, config });
  await registerAccountRoutes(app, { staff, staffAuth: s.staffAuth, staffMfa, config });
  await registerInboxRoutes(app, { inquiries: s.inquiries, operators, staff, staffMfa, sendsEmail, clock });
  await registerInquiryRoutes(app, { inquiries: s.inquiries, operators, sendsEmail });
  await registerAdminRoutes(app, { operators, staff, publicUrl });
  await registerInvitationRoutes(app, { staff });
  await registerPolicyRoutes(app, { operators, policy: s.policy, publicUrl });
  await registerNotificationRoutes(app, { notifications: s.notifications, operators, sendsEmail });
  await registerChannelRoutes(app, { channels: s.channels, operators, verbalConsent: s.verbalConsent });
  await registerReviewRoutes(app, { reviews: s.reviews, operators });
  await registerSubjectRoutes(app, { subjectMerge: s.subjectMerge, operators });
  await registerWebhookRoutes(app, { webhooks: s.webhooks, operators });
  await registerApiKeyRoutes(app, { apiKeys: s.apiKeys, operators });
}

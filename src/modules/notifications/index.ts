/**
 * Messages to the patient: status notices queued inside the status change (per channel the patient
 * gave and agreed to, from the operator's templates, outside its quiet hours), marketing with a
 * one-click unsubscribe link, and the operator's notification settings.
 *
 * @example
 *   const quietHours = new QuietHoursStore({ db, clock });
 *   const outbox = new OutboxService(keyring, clock, ids, quietHours);
 *   const notifications = new NotificationsService({ db, keyring, outbox, audit, quietHours,
 *     clock, ids, publicUrl, log });
 *   new InquiriesService({ ..., notifier: notifications });
 */
export {
  NotificationsService,
  NOTIFICATIONS_ACTOR,
  MARKETING_TEMPLATE,
  UNSUBSCRIBE_PATH,
  publicBaseOf,
  type NotificationsDeps,
} from './notifications.service.ts';
export { QuietHoursStore, DEFAULT_TIME_ZONE } from './quiet-hours.store.ts';
export {
  EMAIL_BODY_MAX,
  EMAIL_SUBJECT_MAX,
  isNotifiedStatus,
  MARKETING_PLACEHOLDERS,
  MarketingInput,
  NOTIFIED_STATUSES,
  NotifiedStatus,
  PLACEHOLDERS,
  SettingsInput,
  SHORT_BODY_MAX,
  TEMPLATE_FAMILIES,
  TemplateFamily,
  TemplateInput,
  type MarketingResult,
  type Placeholder,
  type SettingsView,
  type StatusChangeEvent,
  type TemplateView,
  type UnsubscribeView,
} from './notifications.schemas.ts';
export { defaultTemplate, PATIENT_STATUS_TITLES, renderText } from './notifications.templates.ts';
export { unsubscribeRoutes, type UnsubscribePorts } from './unsubscribe.routes.ts';
export { unsubscribeDataPart } from './unsubscribe.data-part.ts';

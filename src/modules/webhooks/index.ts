export {
  WebhooksService,
  checkUrl,
  webhookSecretAad,
  WEBHOOK_MAX_ATTEMPTS,
  MAX_ENDPOINTS,
  type WebhooksDeps,
} from './webhooks.service.ts';
export {
  webhooksDispatchJob,
  WEBHOOKS_DISPATCH,
  WEBHOOKS_BATCH,
  WEBHOOK_TIMEOUT_MS,
  type WebhooksDispatchDeps,
} from './webhooks-dispatch.job.ts';
export {
  purgeWebhookDeliveriesJob,
  PURGE_WEBHOOK_DELIVERIES,
  KEEP_WEBHOOK_DELIVERIES_MS,
} from './webhooks-purge.job.ts';
export { signatureHeader, verifySignature, generateWebhookSecret } from './webhooks.signature.ts';
export {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_EVENT_TITLES,
  WebhookEventType,
  WebhookEndpointInput,
  InquiryCreatedData,
  InquiryStatusChangedData,
  InquiryCreatedEvent,
  InquiryStatusChangedEvent,
  WEBHOOK_EVENT_SCHEMAS,
  SIGNATURE_HEADER,
  EVENT_HEADER,
  DELIVERY_HEADER,
  DELIVERY_STATES,
  type DeliveryState,
  type InquiryEventInput,
  type WebhookEndpointDto,
  type WebhookDeliveryDto,
  type WebhookAttemptDto,
} from './webhooks.schemas.ts';

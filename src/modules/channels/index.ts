/**
 * Channels in (issue 4, section 4): per-operator connections to Telegram, WhatsApp, MAX, the SMS
 * gateway and telephony; their signed webhooks, which open an inquiry or add to the patient's open
 * one; the consent link in the first reply; and verbal consent recorded on a call. Other code
 * imports the module through this file only.
 *
 * @example
 *   await channelWebhooks(app, { connections: ctx.services.channels, inbound: ctx.services.channelInbound, clock: ctx.clock });
 *   const creds = await ctx.services.channels.credentials(operatorId, 'telegram'); // for a sender
 *   await ctx.services.verbalConsent.recordVerbalConsent(agent, operatorId, inquiryId,
 *     { kinds: ['processing'], recordingRef: 'rec-5531' });
 */
export {
  CHANNEL_PROVIDERS,
  ChannelProvider,
  ConnectInput,
  DEFAULT_API_BASE_URL,
  PROVIDER_CHANNEL,
  PROVIDER_REPLY_CHANNEL,
  webhookPath,
  type ChannelCredentials,
  type ConnectionDto,
  type ConnectResult,
  type GeneratedSecret,
} from './channels.schemas.ts';
export {
  ChannelConnectionsService,
  credentialsAad,
  type ChannelConnectionsDeps,
  type ChannelCredentialsSource,
  type ResolvedConnection,
} from './connections.service.ts';
export {
  ChannelInboundService,
  CONSENT_REQUEST_TEMPLATE,
  publicBaseOf,
  replyPayload,
  type ChannelInboundDeps,
  type InboundConnection,
  type ReceiveResult,
} from './inbound.service.ts';
export type { CallDetails, InboundEvent } from './inbound.schemas.ts';
export {
  VerbalConsentService,
  VerbalConsentInput,
  VERBAL_CONSENT_KINDS,
  type VerbalConsentDeps,
} from './verbal-consent.service.ts';
export { channelWebhooks, WEBHOOK_BODY_LIMITS, type ChannelWebhooksPorts } from './channels.routes.ts';
export { MAX_SIGNATURE_AGE_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, signTimestamped } from './signatures.ts';
export { PURGE_CHANNEL_SEEN, SEEN_RETENTION_MS, purgeChannelSeenJob } from './purge-seen.job.ts';

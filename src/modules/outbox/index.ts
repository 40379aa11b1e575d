export { OutboxService, outboxAad, EMAIL_NOT_CONFIGURED } from './outbox.service.ts';
export { outboxAddSchema, type OutboxAddInput, type OutboxState } from './outbox.schemas.ts';
export {
  outboxDispatchJob,
  OUTBOX_DISPATCH,
  OUTBOX_MAX_ATTEMPTS,
  QUIET_HOURS,
  SUBJECT_KEY_DESTROYED,
  type OutboxDispatchDeps,
} from './outbox-dispatch.job.ts';
export {
  DEFAULT_QUIET_WINDOW,
  formatClockTime,
  isQuiet,
  nextAllowedMoment,
  parseClockTime,
  type QuietHoursSource,
  type QuietWindow,
} from './quiet-hours.ts';
export { SendFailed, SendRefused, type OutboxMessage, type Sender } from './senders/sender.ts';
export {
  createEmailSender,
  sendersFromConfig,
  emailPayloadSchema,
  EMAIL_CHANNEL,
  type EmailPayload,
  type EmailSender,
} from './senders/email.sender.ts';
export {
  type ChannelCredentialSource,
  type ProviderSenderOptions,
  type SenderProvider,
} from './senders/provider-http.ts';
export { createMessagingSenders } from './senders/messaging.ts';
export {
  createSmsRuSender,
  smsPayloadSchema,
  SMS_CHANNEL,
  SMS_TEXT_MAX,
  type SmsPayload,
} from './senders/sms-ru.sender.ts';
export {
  createTelegramSender,
  telegramPayloadSchema,
  TELEGRAM_CHANNEL,
  TELEGRAM_TEXT_MAX,
  type TelegramPayload,
} from './senders/telegram.sender.ts';
export {
  createWhatsAppSender,
  whatsappPayloadSchema,
  WHATSAPP_CHANNEL,
  WHATSAPP_TEXT_MAX,
  type WhatsAppPayload,
} from './senders/whatsapp.sender.ts';
export {
  createMaxSender,
  maxPayloadSchema,
  MAX_CHANNEL,
  MAX_TEXT_MAX,
  type MaxPayload,
} from './senders/max.sender.ts';
export { outboxDataPart } from './outbox.data-part.ts';

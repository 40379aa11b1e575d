/**
 * Channel connections: the providers an operator can connect (messengers, the SMS gateway,
 * telephony), what an administrator types to connect one, the credentials kept for it (sealed),
 * and what is shown of a connection (never a secret).
 *
 * @example
 *   const input = ConnectInput.parse({ provider: 'telegram', botToken: '123456:AAE…' });
 *   webhookPath('sms_ru', token); // '/hooks/sms/<token>'
 */
import { z } from 'zod';
import type { InquiryChannel, MessagingChannel } from '../inquiries/index.ts';

export const CHANNEL_PROVIDERS = ['telegram', 'whatsapp', 'sms_ru', 'max', 'telephony'] as const;
export const ChannelProvider = z.enum(CHANNEL_PROVIDERS);
export type ChannelProvider = z.infer<typeof ChannelProvider>;

/** The inquiry channel each provider's patients arrive on. */
export const PROVIDER_CHANNEL: Readonly<Record<ChannelProvider, InquiryChannel>> = {
  telegram: 'telegram',
  whatsapp: 'whatsapp',
  sms_ru: 'sms',
  max: 'max',
  telephony: 'phone',
};

/** Where a provider's patients are answered (the outbox channel); telephony answers nobody. */
export const PROVIDER_REPLY_CHANNEL: Readonly<Record<ChannelProvider, MessagingChannel | null>> = {
  telegram: 'telegram',
  whatsapp: 'whatsapp',
  sms_ru: 'sms',
  max: 'max',
  telephony: null,
};

/** The provider's public API; a connection may name another (a local Bot API server, a test fake). */
export const DEFAULT_API_BASE_URL = {
  telegram: 'https://api.telegram.org',
  whatsapp: 'https://graph.facebook.com/v21.0',
  sms_ru: 'https://sms.ru',
  max: 'https://platform-api.max.ru',
} as const;

/** The segment of `/hooks/<segment>/<token>` each provider calls. */
const HOOK_SEGMENT: Readonly<Record<ChannelProvider, string>> = {
  telegram: 'telegram',
  whatsapp: 'whatsapp',
  sms_ru: 'sms',
  max: 'max',
  telephony: 'telephony',
};

/** The path a provider posts to for one connection. */
export function webhookPath(provider: ChannelProvider, token: string): string {
  return `/hooks/${HOOK_SEGMENT[provider]}/${token}`;
}

export function hookSegment(provider: ChannelProvider): string {
  return HOOK_SEGMENT[provider];
}

/** A connection's path token: random, URL-safe. */
export const PATH_TOKEN = /^[A-Za-z0-9_-]{32,100}$/;

const secret = (label: string) =>
  z
    .string()
    .trim()
    .min(8, `${label}: не короче 8 символов / at least 8 characters`)
    .max(500, `${label}: не длиннее 500 символов / at most 500 characters`)
    .regex(/^[\x21-\x7e]+$/, `${label}: только латинские буквы, цифры и знаки без пробелов / no spaces`);

// An empty field is the provider's public API; http is allowed for a local server (and tests).
const apiBaseUrl = z
  .string()
  .trim()
  .max(500)
  .transform((s) => (s === '' ? undefined : s.replace(/\/+$/, '')))
  .pipe(z.url({ protocol: /^https?$/, error: 'Адрес API: http(s)://… / API URL: http(s)://…' }).optional())
  .optional();

/** What an administrator types to connect a provider; the webhook secrets are generated. */
export const ConnectInput = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('telegram'),
    // The shape BotFather gives (and the sender checks): `<bot id>:<35 or so URL-safe characters>`.
    botToken: z
      .string()
      .trim()
      .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'Токен бота: вида 123456789:AA… / Bot token: 123456789:AA…'),
    apiBaseUrl,
  }),
  z.strictObject({
    provider: z.literal('whatsapp'),
    accessToken: secret('Токен доступа'),
    phoneNumberId: z
      .string()
      .trim()
      .regex(/^\d{5,30}$/, 'Phone number ID: только цифры / digits only'),
    appSecret: secret('Секрет приложения'),
    apiBaseUrl,
  }),
  z.strictObject({
    provider: z.literal('sms_ru'),
    apiId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{8,100}$/, 'api_id: из личного кабинета SMS.ru / api_id: from the SMS.ru account'),
    // SMS.ru sender names have at most 11 characters.
    from: z
      .string()
      .trim()
      .max(11, 'Имя отправителя: не длиннее 11 символов / Sender name: at most 11 characters')
      .regex(/^[A-Za-z0-9 ._-]*$/, 'Имя отправителя: латиница и цифры / Latin letters and digits')
      .transform((s) => (s === '' ? undefined : s))
      .optional(),
    apiBaseUrl,
  }),
  z.strictObject({ provider: z.literal('max'), botToken: secret('Токен бота'), apiBaseUrl }),
  z.strictObject({ provider: z.literal('telephony') }),
]);
export type ConnectInput = z.input<typeof ConnectInput>;

/** The credentials kept (sealed) per provider: contract 5 of issue 4, plus our inbound secrets. */
export const TelegramCredentials = z.strictObject({
  botToken: z.string(),
  /** Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token` (setWebhook's secret_token). */
  webhookSecret: z.string(),
  apiBaseUrl: z.string(),
});
export const WhatsAppCredentials = z.strictObject({
  accessToken: z.string(),
  phoneNumberId: z.string(),
  /** The Meta app's secret: the key of `X-Hub-Signature-256`. */
  appSecret: z.string(),
  /** What Meta's verification request must carry in `hub.verify_token`. */
  verifyToken: z.string(),
  apiBaseUrl: z.string(),
});
export const SmsRuCredentials = z.strictObject({
  apiId: z.string(),
  from: z.string().optional(),
  apiBaseUrl: z.string(),
  /** The key of our HMAC on inbound SMS (SMS.ru itself does not forward them: see sms.webhook.ts). */
  webhookSecret: z.string(),
});
export const MaxCredentials = z.strictObject({
  botToken: z.string(),
  /** MAX sends it back in `X-Max-Bot-Api-Secret` (the subscription's `secret`). */
  webhookSecret: z.string().optional(),
  apiBaseUrl: z.string(),
});
export const TelephonyCredentials = z.strictObject({
  /** The key of the PBX's HMAC-SHA256 over `<timestamp>.<body>`. */
  secret: z.string(),
});

const CREDENTIALS = {
  telegram: TelegramCredentials,
  whatsapp: WhatsAppCredentials,
  sms_ru: SmsRuCredentials,
  max: MaxCredentials,
  telephony: TelephonyCredentials,
} as const;

export interface ChannelCredentials {
  telegram: z.infer<typeof TelegramCredentials>;
  whatsapp: z.infer<typeof WhatsAppCredentials>;
  sms_ru: z.infer<typeof SmsRuCredentials>;
  max: z.infer<typeof MaxCredentials>;
  telephony: z.infer<typeof TelephonyCredentials>;
}

/** Reads a decrypted credentials blob; a blob that does not fit its provider is a bug, not input. */
export function parseCredentials<P extends ChannelProvider>(
  provider: P,
  json: unknown,
): ChannelCredentials[P] {
  return CREDENTIALS[provider].parse(json) as ChannelCredentials[P];
}

/** A connection as lists show it: never a credential. */
export interface ConnectionDto {
  id: string;
  operatorId: string;
  provider: ChannelProvider;
  /** The full URL to give the provider. */
  webhookUrl: string;
  createdAt: string;
  disabledAt: string | null;
}

/** The secrets generated for a new connection, shown once (the provider's settings need them). */
export interface GeneratedSecret {
  name: 'webhookSecret' | 'verifyToken' | 'secret';
  value: string;
}

export interface ConnectResult {
  connection: ConnectionDto;
  secrets: GeneratedSecret[];
}

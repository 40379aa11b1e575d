/**
 * The console's texts for channel connections and verbal consent: Russian first, English with
 * the same shape (a missing key is a type error).
 */
import type { ChannelProvider, GeneratedSecret } from '../../modules/channels/index.ts';

const ruProviders: Record<ChannelProvider, string> = {
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  sms_ru: 'SMS (SMS.ru)',
  max: 'MAX',
  telephony: 'Телефония (АТС)',
};

const ruSetup: Record<ChannelProvider, string> = {
  telegram:
    'Зарегистрируйте вебхук методом setWebhook Bot API: url — адрес вебхука, secret_token — секрет вебхука.',
  whatsapp:
    'В настройках приложения Meta (WhatsApp → Configuration) укажите Callback URL — адрес вебхука и Verify token — маркер проверки, затем подпишитесь на поле messages.',
  sms_ru:
    'Шлюз или ретранслятор входящих SMS отправляет каждое сообщение POST-запросом в формате JSON ({"id", "from", "text"}) с заголовками X-Soglasie-Timestamp и X-Soglasie-Signature (HMAC-SHA256 этим секретом). Ответ 409 значит «уже получено, не повторяйте».',
  max: 'Создайте подписку методом POST /subscriptions API MAX: url — адрес вебхука, secret — секрет вебхука.',
  telephony:
    'Настройте АТС отправлять события звонков (call.started, call.ended, call.missed) POST-запросом в формате JSON с заголовками X-Soglasie-Timestamp и X-Soglasie-Signature (HMAC-SHA256 этим секретом). Ответ 409 значит «уже получено, не повторяйте».',
};

const ruSecrets: Record<GeneratedSecret['name'], string> = {
  webhookSecret: 'Секрет вебхука',
  verifyToken: 'Маркер проверки (verify token)',
  secret: 'Секрет подписи',
};

export const ru = {
  indexTitle: 'Каналы связи',
  indexIntro: 'Выберите организацию, чтобы подключить мессенджеры, SMS и телефонию.',
  noOperators: 'Нет организаций, где вы управляете каналами связи: это может администратор организации.',
  title: (name: string) => `Каналы связи: ${name}`,
  heading: 'Каналы связи',
  intro:
    'Сообщения и звонки пациентов из подключённых каналов становятся обращениями во входящих. Адрес вебхука вставьте в настройки провайдера.',
  providers: ruProviders,
  connectedHeading: 'Подключения',
  none: 'Ни один канал ещё не подключён.',
  provider: 'Канал',
  webhookUrl: 'Адрес вебхука',
  state: 'Состояние',
  active: (at: string) => `Работает с ${at}`,
  disabledAt: (at: string) => `Отключён ${at}`,
  disable: 'Отключить',
  disableLabel: (provider: string) => `Отключить канал ${provider}`,
  connectHeading: 'Подключить канал',
  connect: 'Подключить',
  fields: {
    botToken: 'Токен бота',
    accessToken: 'Токен доступа (access token)',
    phoneNumberId: 'Phone number ID',
    appSecret: 'Секрет приложения (App Secret)',
    apiId: 'api_id',
    from: 'Имя отправителя (необязательно)',
    apiBaseUrl: 'Адрес API (необязательно)',
  },
  apiBaseUrlHint: 'Пусто — публичный адрес провайдера. Укажите свой, если используете локальный сервер API.',
  telephonyHint: 'Для телефонии вводить ничего не нужно: секрет подписи будет создан.',
  fieldInvalid: 'Проверьте это поле.',
  invalid: 'Канал не подключён: проверьте поля.',
  alreadyConnected: 'Этот канал уже подключён. Отключите его, чтобы подключить заново.',
  disabledNotice: 'Канал отключён: его адрес вебхука больше не принимает запросы.',
  connectedTitle: 'Канал подключён',
  connectedIntro: (provider: string) => `${provider} подключён. Настройте провайдера:`,
  secretsOnce:
    'Сохраните секреты сейчас: они показываются один раз. Потом их можно только заменить, подключив канал заново.',
  secretNames: ruSecrets,
  setup: ruSetup,
  back: 'К каналам связи',
  consentTitle: 'Согласие не записано',
  consentInvalid: 'Согласие не записано: отметьте, на что пациент согласился, и укажите запись разговора.',
  consentNoPolicy: 'Согласие не записано: организация не опубликовала тексты согласий.',
  backToInquiry: 'Вернуться к обращению',
};

export type ChannelsDictionary = typeof ru;

export const en: ChannelsDictionary = {
  indexTitle: 'Channels',
  indexIntro: 'Choose an organisation to connect messengers, SMS and telephony.',
  noOperators: 'There is no organisation whose channels you manage: its administrator can.',
  title: (name) => `Channels: ${name}`,
  heading: 'Channels',
  intro:
    "Patients' messages and calls from connected channels become inquiries in the inbox. Paste the webhook URL into the provider's settings.",
  providers: {
    telegram: 'Telegram',
    whatsapp: 'WhatsApp',
    sms_ru: 'SMS (SMS.ru)',
    max: 'MAX',
    telephony: 'Telephony (PBX)',
  },
  connectedHeading: 'Connections',
  none: 'No channel is connected yet.',
  provider: 'Channel',
  webhookUrl: 'Webhook URL',
  state: 'State',
  active: (at) => `Working since ${at}`,
  disabledAt: (at) => `Disabled ${at}`,
  disable: 'Disable',
  disableLabel: (provider) => `Disable the ${provider} channel`,
  connectHeading: 'Connect a channel',
  connect: 'Connect',
  fields: {
    botToken: 'Bot token',
    accessToken: 'Access token',
    phoneNumberId: 'Phone number ID',
    appSecret: 'App secret',
    apiId: 'api_id',
    from: 'Sender name (optional)',
    apiBaseUrl: 'API URL (optional)',
  },
  apiBaseUrlHint: "Empty: the provider's public URL. Give your own for a local API server.",
  telephonyHint: 'Nothing to type for telephony: a signing secret is generated.',
  fieldInvalid: 'Check this field.',
  invalid: 'The channel was not connected: check the fields.',
  alreadyConnected: 'This channel is already connected. Disable it to connect it again.',
  disabledNotice: 'The channel is disabled: its webhook URL no longer accepts requests.',
  connectedTitle: 'Channel connected',
  connectedIntro: (provider) => `${provider} is connected. Set the provider up:`,
  secretsOnce:
    'Save the secrets now: they are shown once. Later they can only be replaced by connecting again.',
  secretNames: {
    webhookSecret: 'Webhook secret',
    verifyToken: 'Verify token',
    secret: 'Signing secret',
  },
  setup: {
    telegram:
      "Register the webhook with the Bot API's setWebhook: url is the webhook URL, secret_token the webhook secret.",
    whatsapp:
      "In the Meta app's settings (WhatsApp → Configuration) set the Callback URL to the webhook URL and the Verify token to the verify token, then subscribe to the messages field.",
    sms_ru:
      'The gateway or relay of inbound SMS posts each message as JSON ({"id", "from", "text"}) with the headers X-Soglasie-Timestamp and X-Soglasie-Signature (HMAC-SHA256 with this secret). A 409 answer means "already received, do not retry".',
    max: "Create a subscription with MAX's POST /subscriptions: url is the webhook URL, secret the webhook secret.",
    telephony:
      'Have the PBX post call events (call.started, call.ended, call.missed) as JSON with the headers X-Soglasie-Timestamp and X-Soglasie-Signature (HMAC-SHA256 with this secret). A 409 answer means "already received, do not retry".',
  },
  back: 'Back to channels',
  consentTitle: 'Consent not recorded',
  consentInvalid: 'Consent not recorded: choose what the patient agreed to and give the call recording.',
  consentNoPolicy: 'Consent not recorded: the organisation has not published its consent documents.',
  backToInquiry: 'Back to the inquiry',
};

export function channelsDictionary(lang: string): ChannelsDictionary {
  return lang === 'en' ? en : ru;
}

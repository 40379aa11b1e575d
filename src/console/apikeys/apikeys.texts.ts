/**
 * The console's texts for API keys: Russian first, English with the same shape (a missing key is a
 * type error).
 */
import type { ApiKeyScope } from '../../modules/apikeys/index.ts';

export const ru = {
  indexTitle: 'API-ключи',
  indexIntro: 'Выберите организацию, чтобы выдать ключ её CRM или сайту для работы с API.',
  noOperators: 'Нет организаций, где вы управляете API-ключами: это может администратор организации.',
  title: (name: string) => `API-ключи: ${name}`,
  intro:
    'Ключ даёт внешней системе (CRM, сайту) доступ к API от имени организации — только в пределах выбранных прав. ' +
    'Ключ передаётся в заголовке Authorization: Bearer <ключ>.',
  docsLink: 'Справочник API',
  keysHeading: 'Ключи',
  none: 'Ключей пока нет.',
  name: 'Название',
  prefix: 'Начало ключа',
  scopesLabel: 'Права',
  state: 'Состояние',
  lastUsed: 'Последнее использование',
  never: 'не использовался',
  active: (at: string) => `Действует с ${at}`,
  revokedAt: (at: string) => `Отозван ${at}`,
  revoke: 'Отозвать',
  revokeLabel: (name: string) => `Отозвать ключ «${name}»`,
  revoked: 'Ключ отозван: запросы с ним больше не принимаются.',
  scopes: {
    'inquiries:write': 'Создавать обращения (inquiries:write)',
    'inquiries:read': 'Читать обращения (inquiries:read)',
    'inquiries:status': 'Менять статус обращений (inquiries:status)',
    'subjects:read': 'Читать карточки пациентов (subjects:read)',
  } satisfies Record<ApiKeyScope, string>,
  createHeading: 'Выдать ключ',
  nameHint: 'Для чего ключ, например: «CRM клиники». Видно только сотрудникам.',
  create: 'Выдать ключ',
  invalid: 'Ключ не выдан: проверьте поля.',
  nameInvalid: 'Укажите название: до 200 символов, без управляющих символов.',
  scopesInvalid: 'Выберите хотя бы одно право.',
  createdTitle: 'Ключ выдан',
  createdIntro: 'Передайте ключ системе, которой он выдан, и сохраните его там:',
  key: 'Ключ',
  keyOnce:
    'Ключ показывается один раз: «Согласие» хранит только его хеш. Потеряли ключ — отзовите его и выдайте новый.',
  back: 'К API-ключам',
};

export type ApiKeysDictionary = typeof ru;

export const en: ApiKeysDictionary = {
  indexTitle: 'API keys',
  indexIntro: 'Choose an organisation to give its CRM or website a key to the API.',
  noOperators: 'There is no organisation whose API keys you manage: an organisation administrator can.',
  title: (name) => `API keys: ${name}`,
  intro:
    'A key gives another system (a CRM, a website) access to the API on behalf of the organisation, within the chosen rights only. ' +
    'It is sent in the header Authorization: Bearer <key>.',
  docsLink: 'API reference',
  keysHeading: 'Keys',
  none: 'No keys yet.',
  name: 'Name',
  prefix: 'Key starts with',
  scopesLabel: 'Rights',
  state: 'State',
  lastUsed: 'Last used',
  never: 'never',
  active: (at) => `Active since ${at}`,
  revokedAt: (at) => `Revoked ${at}`,
  revoke: 'Revoke',
  revokeLabel: (name) => `Revoke the key “${name}”`,
  revoked: 'The key is revoked: requests with it are no longer accepted.',
  scopes: {
    'inquiries:write': 'Create inquiries (inquiries:write)',
    'inquiries:read': 'Read inquiries (inquiries:read)',
    'inquiries:status': 'Change the status of inquiries (inquiries:status)',
    'subjects:read': 'Read patient cards (subjects:read)',
  },
  createHeading: 'Create a key',
  nameHint: 'What the key is for, for example “Clinic CRM”. Seen by staff only.',
  create: 'Create the key',
  invalid: 'The key was not created: check the fields.',
  nameInvalid: 'Give a name: up to 200 characters, no control characters.',
  scopesInvalid: 'Choose at least one right.',
  createdTitle: 'Key created',
  createdIntro: 'Give the key to the system it is meant for and keep it there:',
  key: 'Key',
  keyOnce:
    'The key is shown only once: Soglasie keeps only its hash. If it is lost, revoke it and create a new one.',
  back: 'Back to API keys',
};

export function apiKeysDictionary(lang: string): ApiKeysDictionary {
  return lang === 'en' ? en : ru;
}

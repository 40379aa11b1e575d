/**
 * The console's texts for patient notifications (templates, switches, quiet hours, marketing):
 * Russian first, English with the same shape (a missing key is a type error).
 */
import type { NotifiedStatus, Placeholder, TemplateFamily } from '../../modules/notifications/index.ts';

const ruStatuses: Record<NotifiedStatus, string> = {
  in_progress: 'В работе',
  waiting_patient: 'Ждём пациента',
  appointment_made: 'Записан на приём',
  done: 'Выполнено',
  rejected: 'Отклонено',
};

const ruPlaceholders: Record<Placeholder, string> = {
  clinic_name: 'название клиники',
  inquiry_number: 'номер заявки',
  status_title: 'статус заявки, как его прочтёт пациент',
  clinic_phone: 'телефон клиники (из настроек ниже)',
  policy_url: 'ссылка на политику обработки персональных данных',
};

export const ru = {
  indexTitle: 'Сообщения пациентам',
  indexIntro: 'Выберите организацию, чтобы настроить сообщения пациентам о заявках и рекламные рассылки.',
  noOperators:
    'Нет организаций, где вы настраиваете сообщения пациентам: это может администратор организации или ответственный за обработку персональных данных.',
  title: (name: string) => `Сообщения пациентам: ${name}`,
  intro:
    'Когда статус заявки меняется, пациент получает сообщение по каналам, которые он сам указал и на которые согласился: на электронную почту из заявки, в мессенджер или SMS, откуда он написал, и — если включено ниже — SMS на телефон из формы. О спаме и новых заявках сообщения не отправляются.',
  settingsHeading: 'Общие настройки',
  quietEnabled: 'Тихие часы: не отправлять сообщения ночью',
  quietStart: 'Начало тихих часов',
  quietEnd: 'Конец тихих часов',
  quietHint: (zone: string) =>
    `Время клиники (${zone}). Сообщения, попавшие в тихие часы, уйдут, когда они закончатся; повторные попытки тоже.`,
  smsNotices: 'Отправлять SMS на телефон, указанный в форме (каждое SMS платное)',
  clinicPhone: 'Телефон клиники для сообщений',
  clinicPhoneHint: 'Подставляется вместо {clinic_phone}. Пусто — строки с ним в сообщениях пропускаются.',
  saveSettings: 'Сохранить настройки',
  settingsSaved: 'Настройки сохранены.',
  templatesHeading: 'Шаблоны сообщений',
  placeholdersIntro:
    'В тексте можно использовать только эти подстановки; другие фигурные скобки не допускаются. Строка, в которой подстановке нечего подставить, пропускается целиком.',
  placeholders: ruPlaceholders,
  statuses: ruStatuses,
  families: { email: 'Электронная почта', short: 'SMS и мессенджеры' } satisfies Record<
    TemplateFamily,
    string
  >,
  enabled: (family: string, status: string) => `Отправлять: ${family} («${status}»)`,
  subject: 'Тема письма',
  body: 'Текст',
  custom: 'Свой текст',
  byDefault: 'Текст по умолчанию',
  save: 'Сохранить',
  preview: 'Предпросмотр',
  reset: 'Вернуть текст по умолчанию',
  previewHeading: 'Так сообщение увидит пациент (номер заявки — пример)',
  templateSaved: 'Шаблон сохранён.',
  templateReset: 'Восстановлен текст по умолчанию.',
  invalid: 'Исправьте ошибки, отмеченные у полей.',
  emailOff: 'Рассылка не отправлена: электронная почта не настроена.',
  marketingHeading: 'Рекламная рассылка',
  marketingIntro:
    'Письмо получат только пациенты с действующим согласием на рекламные сообщения и адресом электронной почты. В каждое письмо добавляется ссылка, по которой можно отписаться одним нажатием; тихие часы соблюдаются.',
  marketingSubject: 'Тема письма',
  marketingText: 'Текст письма',
  marketingHint: 'Подстановки: {clinic_name}, {clinic_phone}, {policy_url}.',
  marketingSend: 'Отправить всем, кто согласился',
  marketingQueued: (n: number) => `Поставлено в очередь писем: ${n}.`,
  toOperator: 'Карточка организации',
};

export type NotificationsDictionary = typeof ru;

export const en: NotificationsDictionary = {
  indexTitle: 'Patient messages',
  indexIntro:
    'Choose an organisation to set up messages to patients about their inquiries and marketing e-mails.',
  noOperators:
    'There is no organisation where you set up patient messages: an organisation administrator or privacy officer can.',
  title: (name: string) => `Patient messages: ${name}`,
  intro:
    'When an inquiry’s status changes, the patient gets a message on the channels they gave and agreed to: the e-mail in the inquiry, the messenger or SMS they wrote from and, if switched on below, an SMS to the phone in the form. Spam and new inquiries get no message.',
  settingsHeading: 'General settings',
  quietEnabled: 'Quiet hours: send no messages at night',
  quietStart: 'Quiet hours start',
  quietEnd: 'Quiet hours end',
  quietHint: (zone: string) =>
    `The clinic’s time (${zone}). Messages falling in quiet hours go when they end; so do retries.`,
  smsNotices: 'Send SMS to the phone given in the form (each SMS costs money)',
  clinicPhone: 'Clinic phone for messages',
  clinicPhoneHint: 'Put in place of {clinic_phone}. Empty: lines with it are left out of messages.',
  saveSettings: 'Save settings',
  settingsSaved: 'Settings saved.',
  templatesHeading: 'Message templates',
  placeholdersIntro:
    'A text may use these placeholders only; no other braces are allowed. A line whose placeholder has nothing to print is left out whole.',
  placeholders: {
    clinic_name: 'the clinic’s name',
    inquiry_number: 'the inquiry number',
    status_title: 'the inquiry status as the patient reads it',
    clinic_phone: 'the clinic phone (from the settings below)',
    policy_url: 'a link to the privacy policy',
  },
  statuses: {
    in_progress: 'In progress',
    waiting_patient: 'Waiting for the patient',
    appointment_made: 'Appointment made',
    done: 'Done',
    rejected: 'Rejected',
  },
  families: { email: 'E-mail', short: 'SMS and messengers' },
  enabled: (family: string, status: string) => `Send: ${family} (“${status}”)`,
  subject: 'Subject',
  body: 'Text',
  custom: 'Own text',
  byDefault: 'Default text',
  save: 'Save',
  preview: 'Preview',
  reset: 'Restore the default text',
  previewHeading: 'What the patient will see (a sample inquiry number)',
  templateSaved: 'Template saved.',
  templateReset: 'The default text is back.',
  invalid: 'Correct the errors marked at the fields.',
  emailOff: 'The mailing was not sent: e-mail is not configured.',
  marketingHeading: 'Marketing e-mail',
  marketingIntro:
    'Only patients with a live marketing consent and an e-mail address get it. Every e-mail carries a one-click unsubscribe link; quiet hours apply.',
  marketingSubject: 'Subject',
  marketingText: 'Text',
  marketingHint: 'Placeholders: {clinic_name}, {clinic_phone}, {policy_url}.',
  marketingSend: 'Send to everyone who agreed',
  marketingQueued: (n: number) => `E-mails queued: ${n}.`,
  toOperator: 'Organisation card',
};

export function notificationsDictionary(lang: string): NotificationsDictionary {
  return lang === 'en' ? en : ru;
}

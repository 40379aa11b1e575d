/**
 * The demo clinic's declaration: a fictional MRI centre with the pages and forms of the seed policy
 * seeds/003 (callback, feedback, reviews, appointment, cost estimate), the channels of seeds/000
 * (phone call, WhatsApp call and message, booking and cost-estimate forms) and a retention of 24
 * months from consent. The wording is ours; the recipients' names and addresses are fictional.
 *
 * @example
 *   await policy.saveDraft(system, operatorId, DEMO_DECLARATION);
 *   await policy.publish(system, operatorId);
 */
import type { DeclarationInput } from './declaration.schemas.ts';

const RETENTION = { months: 24, from: 'consent' } as const;
const HANDLING_ACTIONS = [
  'collection',
  'recording',
  'systematisation',
  'accumulation',
  'storage',
  'clarification',
  'extraction',
  'use',
  'blocking',
  'deletion',
  'destruction',
] as const;

export const DEMO_DECLARATION: DeclarationInput = {
  version: 1,
  operatorDetails: {
    website: 'http://localhost',
    phone: '+7 4912 00-00-00',
  },
  categories: [
    { id: 'identity', title: { ru: 'Имя', en: 'Name' }, special: null },
    {
      id: 'contacts',
      title: { ru: 'Номер телефона и адрес электронной почты', en: 'Phone and e-mail' },
      special: null,
    },
    {
      id: 'visit',
      title: { ru: 'Желаемые дата и время приёма', en: 'Preferred date and time of the visit' },
      special: null,
    },
    {
      id: 'inquiry-text',
      title: {
        ru: 'Текст обращения или отзыва, выбранные услуга или врач (могут содержать сведения о здоровье)',
        en: 'Text of the inquiry or review, chosen service or doctor (may contain health data)',
      },
      special: 'health',
    },
    { id: 'rating', title: { ru: 'Оценка в отзыве', en: 'Review rating' }, special: null },
    {
      id: 'technical',
      title: { ru: 'IP-адрес, сведения о браузере, файлы cookie', en: 'IP address, browser data, cookies' },
      special: null,
    },
  ],
  subjects: [
    {
      id: 'patients',
      title: {
        ru: 'Пациенты и лица, обратившиеся в центр',
        en: 'Patients and people who contact the centre',
      },
    },
    {
      id: 'representatives',
      title: { ru: 'Законные и иные представители пациентов', en: "Patients' representatives" },
    },
    { id: 'visitors', title: { ru: 'Посетители сайта', en: 'Website visitors' } },
  ],
  purposes: [
    {
      id: 'inquiries',
      title: {
        ru: 'Ответ на обращение, обратный звонок, запись на приём и расчёт стоимости обследования',
        en: 'Answering an inquiry, calling back, booking a visit and estimating the cost',
      },
      legalBasis: 'consent',
      categories: ['identity', 'contacts', 'visit', 'inquiry-text'],
      subjectCategories: ['patients', 'representatives'],
      actions: [...HANDLING_ACTIONS],
      methods: 'mixed',
      retention: RETENTION,
      recipients: ['hosting', 'mail', 'whatsapp'],
      consentDocument: 'processing',
    },
    {
      id: 'reviews',
      title: { ru: 'Приём и модерация отзывов о центре', en: 'Receiving and moderating reviews' },
      legalBasis: 'consent',
      categories: ['identity', 'inquiry-text', 'rating'],
      subjectCategories: ['patients', 'representatives'],
      actions: [...HANDLING_ACTIONS],
      methods: 'mixed',
      retention: RETENTION,
      recipients: ['hosting'],
      consentDocument: 'processing',
    },
    {
      id: 'review-publication',
      title: { ru: 'Публикация отзыва на сайте центра', en: "Publishing a review on the centre's site" },
      legalBasis: 'consent',
      categories: ['identity', 'inquiry-text', 'rating'],
      subjectCategories: ['patients', 'representatives'],
      actions: ['storage', 'use', 'distribution', 'blocking', 'deletion', 'destruction'],
      methods: 'mixed',
      retention: RETENTION,
      recipients: ['hosting'],
      consentDocument: 'review_publication',
    },
    {
      id: 'marketing',
      title: {
        ru: 'Информирование об услугах, акциях и ценах центра',
        en: "Information about the centre's services, offers and prices",
      },
      legalBasis: 'consent',
      categories: ['identity', 'contacts'],
      subjectCategories: ['patients'],
      actions: ['collection', 'recording', 'storage', 'use', 'blocking', 'deletion', 'destruction'],
      methods: 'automated',
      retention: RETENTION,
      recipients: ['mail'],
      consentDocument: 'marketing',
    },
    {
      id: 'site-security',
      title: {
        ru: 'Работа и защита сайта, защита форм от автоматической отправки',
        en: 'Running and protecting the site and its forms',
      },
      legalBasis: 'legitimate_interests',
      categories: ['technical'],
      subjectCategories: ['visitors'],
      actions: ['collection', 'recording', 'storage', 'use', 'deletion', 'destruction'],
      methods: 'automated',
      retention: { months: 12, from: 'collection' },
      recipients: ['hosting'],
      consentDocument: null,
    },
  ],
  recipients: [
    {
      id: 'hosting',
      name: 'ООО «Демо-Хостинг»',
      kind: 'processor',
      country: 'RU',
      address: '390000, г. Рязань, ул. Серверная, д. 1',
      role: {
        ru: 'размещает сайт и базу данных центра на серверах в России',
        en: 'hosts the site and database in Russia',
      },
    },
    {
      id: 'mail',
      name: 'ООО «Демо-Почта»',
      kind: 'processor',
      country: 'RU',
      address: '390000, г. Рязань, ул. Почтовая, д. 2',
      role: { ru: 'доставляет письма с подтверждением обращения', en: 'delivers confirmation e-mails' },
    },
    {
      id: 'whatsapp',
      name: 'WhatsApp LLC',
      kind: 'third_party',
      country: 'US',
      address: '1 Hacker Way, Menlo Park, California 94025, USA',
      role: {
        ru: 'передаёт звонки и сообщения, если пациент сам выбрал WhatsApp для связи',
        en: 'carries calls and messages when the patient chose WhatsApp',
      },
      crossBorderNote: {
        ru: 'США не входят в перечень государств, обеспечивающих адекватную защиту прав субъектов; данные попадают в WhatsApp только когда пациент сам пишет или звонит через него, и центр уведомил Роскомнадзор о трансграничной передаче (ст. 12 Закона). Медицинские сведения через WhatsApp центр не запрашивает.',
        en: 'The USA is not on the list of countries with adequate protection; data reaches WhatsApp only when the patient chooses it, and the centre notified Roskomnadzor of the transfer (art. 12). The centre does not ask for medical details over WhatsApp.',
      },
    },
  ],
  channels: [
    { id: 'phone', kind: 'phone_call', title: { ru: 'Телефон центра', en: 'Phone' }, purposeId: 'inquiries' },
    {
      id: 'whatsapp-call',
      kind: 'whatsapp_call',
      title: { ru: 'Звонок в WhatsApp', en: 'WhatsApp call' },
      purposeId: 'inquiries',
      recipientId: 'whatsapp',
    },
    {
      id: 'whatsapp-message',
      kind: 'whatsapp_message',
      title: { ru: 'Сообщение в WhatsApp', en: 'WhatsApp message' },
      purposeId: 'inquiries',
      recipientId: 'whatsapp',
    },
    {
      id: 'booking-form',
      kind: 'web_form',
      title: { ru: 'Форма записи на приём', en: 'Booking form' },
      purposeId: 'inquiries',
    },
    {
      id: 'estimate-form',
      kind: 'web_form',
      title: { ru: 'Форма расчёта стоимости', en: 'Cost-estimate form' },
      purposeId: 'inquiries',
    },
  ],
  cookies: [
    {
      name: 'cookie_consent',
      category: 'technical',
      purpose: {
        ru: 'запоминает выбор посетителя в настройках cookie',
        en: "remembers the visitor's cookie choices",
      },
      lifetime: { ru: '12 месяцев', en: '12 months' },
    },
  ],
  forms: [
    {
      id: 'callback',
      purposeId: 'inquiries',
      fields: [
        { name: 'name', required: true, category: 'identity' },
        { name: 'phone', required: true, category: 'contacts' },
      ],
      optionalConsents: ['marketing'],
    },
    {
      id: 'feedback',
      purposeId: 'inquiries',
      fields: [
        { name: 'name', required: true, category: 'identity' },
        { name: 'phone', required: false, category: 'contacts' },
        { name: 'email', required: false, category: 'contacts' },
        { name: 'message', required: true, category: 'inquiry-text' },
      ],
      atLeastOneOf: ['phone', 'email'],
      optionalConsents: ['marketing'],
    },
    {
      id: 'review',
      purposeId: 'reviews',
      fields: [
        { name: 'name', required: true, category: 'identity' },
        { name: 'message', required: true, category: 'inquiry-text' },
        { name: 'rating', required: true, category: 'rating' },
      ],
      optionalConsents: ['review_publication'],
    },
    {
      id: 'appointment',
      purposeId: 'inquiries',
      fields: [
        { name: 'name', required: true, category: 'identity' },
        { name: 'phone', required: true, category: 'contacts' },
        { name: 'preferredDate', required: true, category: 'visit' },
        { name: 'preferredTime', required: false, category: 'visit' },
        { name: 'serviceOrDoctor', required: true, category: 'inquiry-text' },
      ],
      optionalConsents: ['marketing'],
    },
    {
      id: 'estimate',
      purposeId: 'inquiries',
      fields: [
        { name: 'name', required: true, category: 'identity' },
        { name: 'phone', required: true, category: 'contacts' },
        { name: 'services', required: true, category: 'inquiry-text' },
      ],
      optionalConsents: ['marketing'],
    },
  ],
  requests: {
    withdrawalMethods: ['email', 'post', 'in_person'],
    answerWorkingDays: 10,
  },
};

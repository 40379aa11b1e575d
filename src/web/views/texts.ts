/**
 * The public site's words, in Russian (the site's language) and English (its second language, at
 * `/en/...`), and the demo clinic's static page texts in both (written for the fictional MRI
 * centre, not copied from the seed policy). Pages pick one language's set with `SITE_TEXT[lang]`.
 *
 * @example
 *   const t = SITE_TEXT[site.lang];
 *   html`<a href="${t.paths.home}">${t.layout.home}</a>`;
 */
import type { FieldName, FormId, ReviewShow } from '../web.ports.ts';

/**
 * A form's words: the review form's own (a review, not a request) over the common ones, with the
 * headings of the page that thanks for it.
 */
export function formWords(
  t: SiteText,
  formId: FormId | undefined,
): SiteText['form'] & Pick<SiteText['pages'], 'thanksTitle' | 'thanksHeading'> {
  const common = { ...t.form, thanksTitle: t.pages.thanksTitle, thanksHeading: t.pages.thanksHeading };
  return formId === 'review' ? { ...common, ...t.reviewForm } : common;
}

/** The languages of the public site: Russian at the root, English under `/en`. */
export type Lang = 'ru' | 'en';

type FormTexts = Record<FormId, { title: string; intro: string; submit: string; thanks: string }>;

export interface SiteText {
  /** The name of the language in itself, for the switch that leads to it. */
  languageName: string;
  nav: readonly { path: string; text: string }[];
  layout: {
    skipLink: string;
    callback: string;
    navLabel: string;
    switchLabel: string;
    privacy: string;
    cookies: string;
    contacts: string;
    inn: string;
    ogrn: string;
  };
  forms: FormTexts;
  fields: Record<FieldName, { label: string; hint?: string }>;
  /** Labels that read better on a particular form. */
  fieldByForm: Partial<Record<FormId, Partial<Record<FieldName, string>>>>;
  healthHint: string;
  ratings: Record<string, string>;
  chooseRating: string;
  reviewShow: Record<ReviewShow, string>;
  /** The published reviews on the reviews page. */
  publishedReviews: {
    heading: string;
    rating(n: number): string;
    anonymous: string;
    published(date: string): string;
    pagesLabel: string;
    newer: string;
    older: string;
    pageOf(n: number, of: number): string;
    pageTitle(title: string, n: number): string;
    none: string;
  };
  /** The review form's own words where the other forms speak of a request (заявка). */
  reviewForm: Pick<SiteText['form'], 'summaryHeading' | 'onBehalfLegend' | 'onBehalf' | 'processing'> & {
    thanksTitle: string;
    thanksHeading: string;
  };
  form: {
    opensInNewTab: string;
    docVersion(version: number, date: string): string;
    allowReview: string;
    reviewTerms: string;
    reviewConsentDoc: string;
    reviewShowLegend: string;
    summaryHeading: string;
    summaryLabels: { processing: string; review: string; representative: string };
    honeypot: string;
    requiredNote: string;
    atLeastOne(labels: string[]): string;
    onBehalfLegend: string;
    onBehalf: string;
    onBehalfHint: string;
    representativeName: string;
    representativeRelation: string;
    representativeRelationHint: string;
    consentsLegend: string;
    processing: string;
    consentText: string;
    processingDoc: string;
    howWeHandle: string;
    policyDoc: string;
    marketing: string;
    marketingDoc: string;
    optOut: string;
    stale: string;
    /** A refused submission: the form comes back with what was typed, and when to send it again. */
    tooMany(minutes: number, phone: string | undefined): string;
  };
  pages: {
    closed(phone: string | undefined): string;
    home: string;
    phoneLine(hours: string, phone: string): string;
    phone: string;
    contacts: string;
    address: string;
    pdRequests: string;
    pdRequestsText: string;
    email: string;
    postalAddress: string;
    responsible(name: string): string;
    reviews: string;
    noReviews: string;
    prices: string;
    pricesCaption: string;
    examination: string;
    price: string;
    notAnOffer: string;
    about: string;
    bookExamination: string;
    thanksTitle: string;
    thanksHeading: string;
    thanksDefault: string;
    /** Said only when a confirmation e-mail will really be sent (SMTP configured, an e-mail field). */
    thanksEmail: string;
    thanksText: string;
    backHome: string;
    cookieSettings: string;
    cookiesIntro: string;
    noOptionalCookies: string;
    more: string;
    cookieNotice: string;
    cookieCategories: Record<'technical' | 'analytics' | 'marketing', string>;
    notUsed: string;
    cookieName: string;
    cookiePurpose: string;
    cookieLifetime: string;
    cookieState: string;
    alwaysOn: string;
    off: string;
    archivedTitle(title: string, version: number): string;
    archivedNote(version: number, date: string): string;
    inForce(version: number): string;
    versionPublished(version: number, date: string): string;
    allVersionsOfDocument: string;
    checksum: string;
    /** Under an English document: the Russian text binds (undefined on Russian pages). */
    bindingOriginal: string | undefined;
    allVersionsTitle(title: string): string;
    notPublished: string;
    version(n: number): string;
    of: string;
    current: string;
    changesSince(version: number): string;
    versionInForce: string;
    changesTitle(title: string): string;
    changesHeading(title: string, from: number, to: number): string;
    diffLegend: string;
    allVersions: string;
    notFound: string;
    notFoundText: string;
    toHome: string;
    error: string;
    errorText: string;
    badRequest: string;
    badRequestText: string;
    errorRef: string;
    siteNotFound: string;
    siteNotFoundText: string;
    formClosed: string;
    formClosedText: string;
  };
}

const RU: SiteText = {
  languageName: 'Русский',
  nav: [
    { path: '/', text: 'Главная' },
    { path: '/about', text: 'О центре' },
    { path: '/prices', text: 'Услуги и цены' },
    { path: '/appointment', text: 'Запись на приём' },
    { path: '/reviews', text: 'Отзывы' },
    { path: '/contacts', text: 'Контакты' },
  ],
  layout: {
    skipLink: 'Перейти к содержанию',
    callback: 'Заказать звонок',
    navLabel: 'Разделы сайта',
    switchLabel: 'Язык',
    privacy: 'Политика конфиденциальности',
    cookies: 'Настройки cookie',
    contacts: 'Контакты',
    inn: 'ИНН',
    ogrn: 'ОГРН',
  },
  forms: {
    callback: {
      title: 'Заказать звонок',
      intro: 'Оставьте номер телефона — администратор перезвонит вам в рабочее время.',
      submit: 'Жду звонка',
      thanks: 'Администратор перезвонит вам в рабочее время.',
    },
    feedback: {
      title: 'Обратная связь',
      intro: 'Задайте вопрос или напишите нам. Ответим по телефону или по электронной почте.',
      submit: 'Отправить сообщение',
      thanks: 'Мы ответим вам по телефону или по электронной почте.',
    },
    review: {
      title: 'Оставить отзыв',
      intro: 'Расскажите о своём визите. Отзыв появится на сайте после проверки и только с вашего согласия.',
      submit: 'Отправить отзыв',
      thanks: 'Спасибо за отзыв. Он появится на сайте после проверки, если вы разрешили публикацию.',
    },
    appointment: {
      title: 'Запись на приём',
      intro: 'Выберите удобные дату и время — администратор позвонит, чтобы подтвердить запись.',
      submit: 'Записаться',
      thanks: 'Администратор позвонит вам, чтобы подтвердить дату и время.',
    },
    estimate: {
      title: 'Расчёт стоимости',
      intro: 'Перечислите исследования, которые вам нужны, — мы рассчитаем стоимость и перезвоним.',
      submit: 'Рассчитать стоимость',
      thanks: 'Мы рассчитаем стоимость и сообщим вам.',
    },
  },
  fields: {
    name: { label: 'Имя' },
    phone: { label: 'Телефон', hint: 'Например, +7 912 345-67-89' },
    email: { label: 'Электронная почта' },
    message: { label: 'Сообщение' },
    rating: { label: 'Оценка' },
    preferredDate: { label: 'Желаемая дата' },
    preferredTime: { label: 'Желаемое время' },
    serviceOrDoctor: { label: 'Услуга или врач' },
    services: { label: 'Какие исследования вас интересуют' },
  },
  fieldByForm: { review: { message: 'Текст отзыва' } },
  healthHint:
    'Подробности о здоровье писать не нужно: достаточно того, что поможет нам ответить. ' +
    'Если вы их укажете, мы обработаем их как сведения о здоровье, с особой защитой.',
  ratings: {
    '5': '5 — отлично',
    '4': '4 — хорошо',
    '3': '3 — удовлетворительно',
    '2': '2 — плохо',
    '1': '1 — очень плохо',
  },
  chooseRating: 'Выберите оценку',
  reviewShow: {
    first_name_initial: 'Имя и первую букву фамилии',
    first_name: 'Только имя',
    anonymous: 'Ничего: опубликовать анонимно',
  },
  publishedReviews: {
    heading: 'Что пишут пациенты',
    rating: (n) => `Оценка: ${n} из 5`,
    anonymous: 'Пациент клиники',
    published: (date) => `опубликован ${date}`,
    pagesLabel: 'Страницы отзывов',
    newer: 'Более новые отзывы',
    older: 'Более ранние отзывы',
    pageOf: (n, of) => `Страница ${n} из ${of}`,
    pageTitle: (title, n) => `${title}, страница ${n}`,
    none: 'На этой странице отзывов нет.',
  },
  reviewForm: {
    summaryHeading: 'Отзыв не отправлен. Исправьте, пожалуйста:',
    onBehalfLegend: 'Я пишу отзыв за другого человека',
    onBehalf: 'Да, отзыв за другого человека (например, за ребёнка или родственника)',
    processing: 'Даю согласие на обработку моих персональных данных для рассмотрения этого отзыва',
    thanksTitle: 'Отзыв отправлен',
    thanksHeading: 'Спасибо, отзыв отправлен',
  },
  form: {
    opensInNewTab: ' (откроется в новой вкладке)',
    docVersion: (v, date) => `(редакция ${v} от ${date})`,
    allowReview: 'Разрешаю опубликовать мой отзыв на сайте центра (необязательно)',
    reviewTerms: 'Условия публикации:',
    reviewConsentDoc: 'согласие на публикацию отзыва',
    reviewShowLegend: 'Что показать рядом с отзывом',
    summaryHeading: 'Заявка не отправлена. Исправьте, пожалуйста:',
    summaryLabels: {
      processing: 'Согласие на обработку',
      review: 'Публикация отзыва',
      representative: 'Представитель',
    },
    honeypot: 'Оставьте это поле пустым',
    requiredNote: 'Поля, отмеченные звёздочкой (*), обязательны.',
    atLeastOne: (labels) => ` Заполните хотя бы одно из полей: ${labels.join(' или ')}.`,
    onBehalfLegend: 'Я отправляю заявку за другого человека',
    onBehalf: 'Да, заявка за другого человека (например, за ребёнка или родственника)',
    onBehalfHint:
      'Тогда выше укажите данные пациента, а здесь — своё имя. Мы сообщим пациенту, что получили его данные от вас.',
    representativeName: 'Ваше имя (представителя)',
    representativeRelation: 'Кем вы приходитесь пациенту',
    representativeRelationHint: 'Необязательно. Например: мать, сын, опекун.',
    consentsLegend: 'Согласия',
    processing: 'Даю согласие на обработку моих персональных данных для ответа на эту заявку',
    consentText: 'Текст согласия:',
    processingDoc: 'согласие на обработку персональных данных',
    howWeHandle: 'Как мы обращаемся с данными:',
    policyDoc: 'политика конфиденциальности',
    marketing: 'Хочу получать сообщения об акциях и новостях центра (необязательно)',
    marketingDoc: 'согласие на получение рекламных сообщений',
    optOut: 'Отказаться можно в любой момент.',
    stale:
      'Форма устарела (страница была открыта слишком давно или загрузилась не полностью). ' +
      'Проверьте данные и отправьте ещё раз.',
    tooMany: (minutes, phone) =>
      `Слишком много заявок за короткое время. Заявка не отправлена, введённые данные сохранены ниже: ` +
      `отправьте её ещё раз через ${minutes} мин.${phone ? ` или позвоните нам: ${phone}` : ''}.`,
  },
  pages: {
    closed: (phone) => `Приём заявок через сайт ещё не открыт.${phone ? ` Позвоните нам: ${phone}.` : ''}`,
    home: 'Главная',
    phoneLine: (hours, phone) => `${hours}. Телефон: ${phone}.`,
    phone: 'Телефон',
    contacts: 'Контакты',
    address: 'Адрес',
    pdRequests: 'Запросы о персональных данных',
    pdRequestsText:
      'Узнать, какие ваши данные у нас есть, исправить их, отозвать согласие или потребовать удаления можно письмом:',
    email: 'Электронная почта',
    postalAddress: 'Почтовый адрес',
    responsible: (name) => `Ответственный за обработку персональных данных: ${name}.`,
    reviews: 'Отзывы',
    noReviews:
      'Опубликованных отзывов пока нет. Мы публикуем отзыв только с согласия автора и показываем рядом с ним лишь то, что автор разрешил.',
    prices: 'Услуги и цены',
    pricesCaption: 'Цены на исследования',
    examination: 'Исследование',
    price: 'Цена',
    notAnOffer: 'Цены не являются публичной офертой; точную стоимость назовёт администратор.',
    about: 'О центре',
    bookExamination: 'Записаться на исследование',
    thanksTitle: 'Заявка отправлена',
    thanksHeading: 'Спасибо, заявка отправлена',
    thanksDefault: 'Мы свяжемся с вами в рабочее время.',
    thanksEmail: 'Если вы указали электронную почту, мы пришлём на неё подтверждение.',
    thanksText: 'Отозвать согласие или узнать, какие данные у нас есть, можно по адресу',
    backHome: 'Вернуться на главную',
    cookieSettings: 'Настройки cookie',
    cookiesIntro:
      'Cookie — небольшие файлы, которые сайт сохраняет в вашем браузере. Технические cookie нужны, чтобы сайт работал, и включены всегда.',
    noOptionalCookies:
      'Аналитических и рекламных cookie на этом сайте нет: мы не подключаем счётчики посещений и рекламные сервисы, поэтому ничего, кроме технических cookie, не устанавливается и выбирать здесь нечего.',
    more: 'Подробнее:',
    cookieNotice: 'уведомление об использовании cookie',
    cookieCategories: {
      technical: 'Технические (необходимые)',
      analytics: 'Аналитические',
      marketing: 'Рекламные',
    },
    notUsed: 'Не используются.',
    cookieName: 'Название',
    cookiePurpose: 'Зачем',
    cookieLifetime: 'Срок хранения',
    cookieState: 'Состояние',
    alwaysOn: 'Всегда включены',
    off: 'Выключены',
    archivedTitle: (title, v) => `${title}, редакция ${v}`,
    archivedNote: (v, date) => `Это архивная редакция ${v} от ${date}.`,
    inForce: (v) => `Действующая редакция — ${v}`,
    versionPublished: (v, date) => `Редакция ${v}, опубликована ${date}.`,
    allVersionsOfDocument: 'Все редакции документа',
    checksum: 'Контрольная сумма SHA-256:',
    bindingOriginal: undefined,
    allVersionsTitle: (title) => `${title}: все редакции`,
    notPublished: 'Документ ещё не опубликован.',
    version: (n) => `Редакция ${n}`,
    of: 'от',
    current: ' (действующая)',
    changesSince: (v) => `что изменилось по сравнению с редакцией ${v}`,
    versionInForce: 'Действующая редакция',
    changesTitle: (title) => `${title}: изменения`,
    changesHeading: (title, from, to) => `${title}: изменения между редакциями ${from} и ${to}`,
    diffLegend: 'Добавленный текст подчёркнут, удалённый — зачёркнут.',
    allVersions: 'Все редакции',
    notFound: 'Страница не найдена',
    notFoundText: 'Такой страницы на сайте нет.',
    toHome: 'Перейти на главную',
    error: 'Что-то пошло не так',
    errorText:
      'Мы не смогли обработать запрос. Попробуйте ещё раз чуть позже; если ошибка повторится, назовите нам её номер.',
    badRequest: 'Запрос не принят',
    badRequestText: 'Адрес или данные запроса неверны. Проверьте адрес страницы или вернитесь на главную.',
    errorRef: 'Номер ошибки',
    siteNotFound: 'Сайт не найден',
    siteNotFoundText: 'По этому адресу нет сайта клиники. Проверьте адрес в строке браузера.',
    formClosed: 'Форма недоступна',
    formClosedText: 'Приём заявок через эту форму сейчас закрыт.',
  },
};

const EN: SiteText = {
  languageName: 'English',
  nav: [
    { path: '/', text: 'Home' },
    { path: '/about', text: 'About the centre' },
    { path: '/prices', text: 'Services and prices' },
    { path: '/appointment', text: 'Book an appointment' },
    { path: '/reviews', text: 'Reviews' },
    { path: '/contacts', text: 'Contacts' },
  ],
  layout: {
    skipLink: 'Skip to content',
    callback: 'Request a call',
    navLabel: 'Site sections',
    switchLabel: 'Language',
    privacy: 'Privacy policy',
    cookies: 'Cookie settings',
    contacts: 'Contacts',
    inn: 'INN',
    ogrn: 'OGRN',
  },
  forms: {
    callback: {
      title: 'Request a call',
      intro: 'Leave your phone number and the administrator will call you back during working hours.',
      submit: 'Call me back',
      thanks: 'The administrator will call you back during working hours.',
    },
    feedback: {
      title: 'Feedback',
      intro: 'Ask a question or write to us. We will answer by phone or by e-mail.',
      submit: 'Send message',
      thanks: 'We will answer you by phone or by e-mail.',
    },
    review: {
      title: 'Leave a review',
      intro:
        'Tell us about your visit. Your review will appear on the site after a check, and only with your consent.',
      submit: 'Send review',
      thanks:
        'Thank you for your review. It will appear on the site after a check, if you allowed it to be published.',
    },
    appointment: {
      title: 'Book an appointment',
      intro: 'Choose a convenient date and time and the administrator will call you to confirm the booking.',
      submit: 'Book',
      thanks: 'The administrator will call you to confirm the date and time.',
    },
    estimate: {
      title: 'Cost estimate',
      intro: 'List the examinations you need and we will work out the cost and call you back.',
      submit: 'Estimate the cost',
      thanks: 'We will work out the cost and let you know.',
    },
  },
  fields: {
    name: { label: 'Name' },
    phone: { label: 'Phone', hint: 'For example, +7 912 345-67-89' },
    email: { label: 'E-mail' },
    message: { label: 'Message' },
    rating: { label: 'Rating' },
    preferredDate: { label: 'Preferred date' },
    preferredTime: { label: 'Preferred time' },
    serviceOrDoctor: { label: 'Service or doctor' },
    services: { label: 'Which examinations are you interested in' },
  },
  fieldByForm: { review: { message: 'Your review' } },
  healthHint:
    'There is no need to describe your health: only what helps us answer. ' +
    'If you do mention it, we will treat it as health data, with special protection.',
  ratings: {
    '5': '5 — excellent',
    '4': '4 — good',
    '3': '3 — satisfactory',
    '2': '2 — poor',
    '1': '1 — very poor',
  },
  chooseRating: 'Choose a rating',
  reviewShow: {
    first_name_initial: 'My first name and the initial of my surname',
    first_name: 'My first name only',
    anonymous: 'Nothing: publish it anonymously',
  },
  publishedReviews: {
    heading: 'What patients write',
    rating: (n) => `Rating: ${n} out of 5`,
    anonymous: 'Clinic patient',
    published: (date) => `published ${date}`,
    pagesLabel: 'Review pages',
    newer: 'Newer reviews',
    older: 'Earlier reviews',
    pageOf: (n, of) => `Page ${n} of ${of}`,
    pageTitle: (title, n) => `${title}, page ${n}`,
    none: 'There are no reviews on this page.',
  },
  reviewForm: {
    summaryHeading: 'The review was not sent. Please correct:',
    onBehalfLegend: 'I am writing the review for another person',
    onBehalf: 'Yes, the review is for another person (for example, a child or a relative)',
    processing: 'I consent to the processing of my personal data to consider this review',
    thanksTitle: 'Review sent',
    thanksHeading: 'Thank you, your review has been sent',
  },
  form: {
    opensInNewTab: ' (opens in a new tab)',
    docVersion: (v, date) => `(version ${v} of ${date})`,
    allowReview: "I allow my review to be published on the centre's website (optional)",
    reviewTerms: 'Terms of publication:',
    reviewConsentDoc: 'consent to publishing the review',
    reviewShowLegend: 'What to show with the review',
    summaryHeading: 'The request was not sent. Please correct:',
    summaryLabels: {
      processing: 'Consent to processing',
      review: 'Publishing the review',
      representative: 'Representative',
    },
    honeypot: 'Leave this field empty',
    requiredNote: 'Fields marked with an asterisk (*) are required.',
    atLeastOne: (labels) => ` Fill in at least one of these fields: ${labels.join(' or ')}.`,
    onBehalfLegend: 'I am sending the request for another person',
    onBehalf: 'Yes, the request is for another person (for example, a child or a relative)',
    onBehalfHint:
      "Then enter the patient's details above and your own name here. We will tell the patient that we received their details from you.",
    representativeName: 'Your name (the representative)',
    representativeRelation: 'Your relation to the patient',
    representativeRelationHint: 'Optional. For example: mother, son, guardian.',
    consentsLegend: 'Consents',
    processing: 'I consent to the processing of my personal data to answer this request',
    consentText: 'Text of the consent:',
    processingDoc: 'consent to the processing of personal data',
    howWeHandle: 'How we handle data:',
    policyDoc: 'privacy policy',
    marketing: "I would like to receive messages about the centre's offers and news (optional)",
    marketingDoc: 'consent to receiving advertising messages',
    optOut: 'You can opt out at any time.',
    stale:
      'The form has expired (the page was open for too long or did not load completely). ' +
      'Please check your details and send it again.',
    tooMany: (minutes, phone) =>
      `Too many requests in a short time. Your request was not sent; what you typed is kept below: ` +
      `please send it again in ${minutes} min.${phone ? ` or call us: ${phone}` : ''}.`,
  },
  pages: {
    closed: (phone) => `The site does not take requests yet.${phone ? ` Please call us: ${phone}.` : ''}`,
    home: 'Home',
    phoneLine: (hours, phone) => `${hours}. Phone: ${phone}.`,
    phone: 'Phone',
    contacts: 'Contacts',
    address: 'Address',
    pdRequests: 'Requests about personal data',
    pdRequestsText:
      'To find out what data of yours we hold, to correct them, to withdraw your consent or to ask for their deletion, write to us:',
    email: 'E-mail',
    postalAddress: 'Postal address',
    responsible: (name) => `Person responsible for the processing of personal data: ${name}.`,
    reviews: 'Reviews',
    noReviews:
      "There are no published reviews yet. We publish a review only with its author's consent and show beside it only what the author allowed.",
    prices: 'Services and prices',
    pricesCaption: 'Prices of examinations',
    examination: 'Examination',
    price: 'Price',
    notAnOffer: 'The prices are not a public offer; the administrator will tell you the exact cost.',
    about: 'About the centre',
    bookExamination: 'Book an examination',
    thanksTitle: 'Request sent',
    thanksHeading: 'Thank you, your request has been sent',
    thanksDefault: 'We will contact you during working hours.',
    thanksEmail: 'If you gave an e-mail address, we will send a confirmation to it.',
    thanksText: 'To withdraw your consent or to find out what data we hold, write to',
    backHome: 'Back to the home page',
    cookieSettings: 'Cookie settings',
    cookiesIntro:
      'Cookies are small files that a website stores in your browser. Technical cookies are needed for the site to work and are always on.',
    noOptionalCookies:
      'This site has no analytics or advertising cookies: we use no visitor counters and no advertising services, so nothing but technical cookies is set and there is nothing to choose here.',
    more: 'More:',
    cookieNotice: 'cookie notice',
    cookieCategories: {
      technical: 'Technical (necessary)',
      analytics: 'Analytics',
      marketing: 'Advertising',
    },
    notUsed: 'None.',
    cookieName: 'Name',
    cookiePurpose: 'Purpose',
    cookieLifetime: 'Lifetime',
    cookieState: 'State',
    alwaysOn: 'Always on',
    off: 'Off',
    archivedTitle: (title, v) => `${title}, version ${v}`,
    archivedNote: (v, date) => `This is archived version ${v} of ${date}.`,
    inForce: (v) => `The version in force is ${v}`,
    versionPublished: (v, date) => `Version ${v}, published ${date}.`,
    allVersionsOfDocument: 'All versions of the document',
    checksum: 'SHA-256 checksum:',
    bindingOriginal: 'This is a translation; the binding text is the Russian one:',
    allVersionsTitle: (title) => `${title}: all versions`,
    notPublished: 'The document has not been published yet.',
    version: (n) => `Version ${n}`,
    of: 'of',
    current: ' (in force)',
    changesSince: (v) => `what changed since version ${v}`,
    versionInForce: 'The version in force',
    changesTitle: (title) => `${title}: changes`,
    changesHeading: (title, from, to) => `${title}: changes between versions ${from} and ${to}`,
    diffLegend: 'Added text is underlined, removed text is struck through.',
    allVersions: 'All versions',
    notFound: 'Page not found',
    notFoundText: 'There is no such page on this site.',
    toHome: 'Go to the home page',
    error: 'Something went wrong',
    errorText:
      'We could not handle the request. Please try again a little later; if the error happens again, tell us its number.',
    badRequest: 'The request was not accepted',
    badRequestText:
      'The address or the data of the request are not valid. Check the address or go to the home page.',
    errorRef: 'Error number',
    siteNotFound: 'Site not found',
    siteNotFoundText:
      "There is no clinic's site at this address. Check the address in the browser's address bar.",
    formClosed: 'Form unavailable',
    formClosedText: 'This form does not take requests at the moment.',
  },
};

export const SITE_TEXT: Record<Lang, SiteText> = { ru: RU, en: EN };

/** The demo clinic's static texts (its address and contacts come from the operator's card). */
export const CLINIC: Record<Lang, ClinicTexts> = {
  ru: {
    tagline: 'Магнитно-резонансная томография на современном высокопольном аппарате',
    homeIntro: [
      'Центр «Люкс-Демо» — вымышленный диагностический центр для демонстрации системы «Согласие».',
      'Мы проводим МРТ головного мозга, позвоночника, суставов и органов брюшной полости. ' +
        'Заключение врача-рентгенолога — в день исследования.',
    ],
    highlights: [
      'Исследования без очереди, в том числе вечером и в выходные',
      'Опытные врачи-рентгенологи, повторный просмотр снимков по запросу',
      'Запись на удобное время, звонок администратора для подтверждения',
    ],
    about: [
      'Центр работает с 2021 года. В нём установлен томограф с напряжённостью поля 1,5 Тл ' +
        'и открытым просветом, в котором комфортно даже тем, кто боится закрытых пространств.',
      'Врачи центра — рентгенологи с опытом от десяти лет. Сложные случаи они обсуждают на консилиуме ' +
        'и, если нужно, дают второе мнение по снимкам из других клиник.',
      'Перед исследованием администратор расскажет о подготовке и противопоказаниях. ' +
        'Результаты выдаются на диске и в электронном виде.',
    ],
    hours: 'Ежедневно с 8:00 до 22:00',
    phone: '+7 (4912) 00-00-00',
    prices: [
      { name: 'МРТ головного мозга', price: 'от 4 500 ₽' },
      { name: 'МРТ шейного отдела позвоночника', price: 'от 4 200 ₽' },
      { name: 'МРТ поясничного отдела позвоночника', price: 'от 4 200 ₽' },
      { name: 'МРТ коленного сустава', price: 'от 4 800 ₽' },
      { name: 'МРТ органов брюшной полости', price: 'от 6 500 ₽' },
      { name: 'Консультация врача-рентгенолога по готовым снимкам', price: 'от 1 500 ₽' },
    ],
  },
  en: {
    tagline: 'Magnetic resonance imaging on a modern high-field scanner',
    homeIntro: [
      'The Lux-Demo centre is a fictional diagnostic centre that demonstrates the Soglasie system.',
      'We do MRI of the brain, the spine, the joints and the abdominal organs. ' +
        "The radiologist's report is ready on the day of the examination.",
    ],
    highlights: [
      'Examinations without waiting lists, in the evenings and at weekends too',
      'Experienced radiologists; images looked at again on request',
      'Booking at a time that suits you, with a call from the administrator to confirm it',
    ],
    about: [
      'The centre has been open since 2021. Its scanner has a field strength of 1.5 T ' +
        'and an open bore that is comfortable even for people who are afraid of enclosed spaces.',
      "The centre's doctors are radiologists with at least ten years' experience. They discuss difficult cases " +
        'together and, when needed, give a second opinion on images from other clinics.',
      'Before the examination the administrator will tell you how to prepare for it and about contraindications. ' +
        'Results are given on a disc and electronically.',
    ],
    hours: 'Every day from 8:00 to 22:00',
    phone: '+7 (4912) 00-00-00',
    prices: [
      { name: 'MRI of the brain', price: 'from 4,500 ₽' },
      { name: 'MRI of the cervical spine', price: 'from 4,200 ₽' },
      { name: 'MRI of the lumbar spine', price: 'from 4,200 ₽' },
      { name: 'MRI of the knee joint', price: 'from 4,800 ₽' },
      { name: 'MRI of the abdominal organs', price: 'from 6,500 ₽' },
      { name: "Radiologist's opinion on existing images", price: 'from 1,500 ₽' },
    ],
  },
};

export interface ClinicTexts {
  tagline: string;
  homeIntro: readonly string[];
  highlights: readonly string[];
  about: readonly string[];
  hours: string;
  phone: string;
  prices: readonly { name: string; price: string }[];
}

/**
 * Renders the five public documents from a declaration and the operator's details, in Russian (the
 * binding text) and in English (a translation that says so in its header). Each document is built
 * once per language as a list of blocks, from which both the plain text (whose SHA-256 is recorded
 * and cited by consent records) and the HTML fragment are produced, so the two can never say
 * different things. The header (title, version, "last updated" date) is part of both.
 *
 * Both languages run through the same builders with a dictionary of their own words, so the English
 * document has the same sections in the same order as the Russian one. The declaration's own texts
 * (titles, descriptions) are taken in the document's language, falling back to Russian where the
 * declaration has no English.
 *
 * @example
 *   const body = documentBody('consent_processing', declaration, operator, 'en');
 *   const text = documentText('consent_processing', body, { version: 2, publishedAt, timeZone, lang: 'en' });
 */
import { createHash } from 'node:crypto';
import { html, type SafeHtml } from '../../platform/http/html.ts';
import {
  DOCUMENT_TITLES,
  FIELD_LABELS,
  FORM_TITLES,
  type Action,
  type ChannelKind,
  type ConsentDocument,
  type Declaration,
  type DocumentKind,
  type DocumentLang,
  type LegalBasis,
  type LocalizedText,
  type Purpose,
  type Recipient,
  type Retention,
  type WithdrawalMethod,
} from './declaration.schemas.ts';
import type { EffectiveOperator } from './policy.linter.ts';

/** A piece of a document: a section heading, a paragraph, or a bulleted list. */
export type Block = { h: string } | { p: string } | { ul: string[] };

type CookieCategory = 'technical' | 'analytics' | 'marketing';

/** Every word of the documents that is not the declaration's own, in one language. */
interface Words {
  legalBasis: Record<LegalBasis, string>;
  actions: Record<Action, string>;
  methods: Record<Purpose['methods'], string>;
  retentionFrom: Record<Retention['from'], string>;
  recipientKind: Record<Recipient['kind'], string>;
  channels: Record<ChannelKind, string>;
  cookieCategory: Record<CookieCategory, string>;
  months(n: number): string;
  notSet: string;
  withdrawal: {
    email(address: string): string;
    post(address: string): string;
    inPerson: string;
    webForm: string;
    phone(phone: string): string;
  };
  inn: string;
  ogrn: string;
  address: string;
  healthCategory(title: string): string;
  country: string;
  /** A form's title in quotation marks. */
  quoted(s: string): string;
  purpose: {
    legalBasis(s: string): string;
    notStated: string;
    categories(s: string): string;
    subjects(s: string): string;
    actions(s: string): string;
    method(s: string): string;
    notStatedPlural: string;
    retention(term: string, consent: boolean): string;
    recipients(s: string): string;
    noRecipients: string;
  };
  policy: {
    generalHeading: string;
    intro(operator: string, website: string | undefined): string;
    separateConsents: string;
    contactsHeading: string;
    email(s: string): string;
    postalAddress(s: string): string;
    phone(s: string): string;
    responsible(s: string): string;
    purposesHeading: string;
    purposesIntro: string;
    sourcesHeading: string;
    form(title: string, fields: string): string;
    sourcesIntro: string;
    otherPerson: string;
    healthHeading: string;
    healthFields: string;
    medicalSecrecy: string;
    transferHeading: string;
    noTransfer: string;
    noCrossBorder: string;
    crossBorder(name: string, country: string, note: string): string;
    cookiesHeading: string;
    noCookies: string;
    cookies(categories: string): string;
    storageHeading: string;
    storage: string[];
    rightsHeading: string;
    rights: string[];
    answer(days: number): string;
    withdrawHeading: string;
    noWithdrawal: string;
    afterWithdrawal: string;
    changesHeading: string;
    changes: string;
  };
  consent: {
    durationHeading: string;
    duration(terms: string): string;
    noWithdrawal: string;
    afterWithdrawal: string;
    confirmationHeading: string;
    confirmation: string;
    whoHeading: string;
    who: string;
    representative: string;
    operatorHeading: string;
    notRequested: string;
    actionsHeading: string;
    noActions: string;
    dataHeading: string;
  };
  processing: {
    intro: string;
    purposeHeading: string;
    forms(list: string[]): string;
    health: string;
    recipientsHeading: string;
    noRecipients: string;
  };
  marketing: {
    intro: string;
    purposeHeading: string;
    agreement: string;
    recipientsHeading: string;
    noRecipients: string;
    optOut: string;
  };
  review: {
    sites(website: string | undefined): string;
    intro: string;
    whatHeading: string;
    what(sites: string): string;
    signatures: string[];
    neverPublished: string;
    conditionsHeading: string;
    conditions: string;
    endHeading: string;
    end: string;
  };
  cookies: {
    intro(operator: string): string;
    item(name: string, purpose: string, lifetime: string, recipient: string | undefined): string;
    settingsHeading: string;
    settings: string;
  };
  header: {
    version: string;
    lastUpdated: string;
    /** Said under the title of a translation: which text binds. */
    translation: string | undefined;
  };
  dateLocale: string;
  dateOptions: Intl.DateTimeFormatOptions;
}

const RU: Words = {
  legalBasis: {
    consent: 'согласие субъекта персональных данных (п. 1 ч. 1 ст. 6 Федерального закона № 152-ФЗ)',
    legal_obligation: 'исполнение обязанностей, возложенных на оператора законодательством (п. 2 ч. 1 ст. 6)',
    justice: 'осуществление правосудия и исполнение судебных актов (п. 3 ч. 1 ст. 6)',
    public_function: 'исполнение государственных и муниципальных функций (п. 4 ч. 1 ст. 6)',
    contract: 'исполнение договора, стороной которого является субъект (п. 5 ч. 1 ст. 6)',
    contract_steps:
      'действия по запросу субъекта, предшествующие заключению договора с ним (п. 5 ч. 1 ст. 6)',
    vital_interests: 'защита жизни, здоровья или иных жизненно важных интересов субъекта (п. 6 ч. 1 ст. 6)',
    legitimate_interests: 'законные интересы оператора или третьих лиц (п. 7 ч. 1 ст. 6)',
    research: 'статистические или иные исследовательские цели при обезличивании (п. 9 ч. 1 ст. 6)',
    medical_care:
      'медицинские цели при обработке лицом, обязанным сохранять врачебную тайну (п. 4 ч. 2 ст. 10)',
  },
  actions: {
    collection: 'сбор',
    recording: 'запись',
    systematisation: 'систематизация',
    accumulation: 'накопление',
    storage: 'хранение',
    clarification: 'уточнение (обновление, изменение)',
    extraction: 'извлечение',
    use: 'использование',
    transfer: 'передача',
    distribution: 'распространение',
    provision: 'предоставление',
    access: 'доступ',
    depersonalisation: 'обезличивание',
    blocking: 'блокирование',
    deletion: 'удаление',
    destruction: 'уничтожение',
  },
  methods: {
    automated: 'автоматизированная обработка',
    mixed: 'смешанная обработка (с использованием средств автоматизации и без них)',
    manual: 'обработка без использования средств автоматизации',
  },
  retentionFrom: {
    consent: 'со дня получения согласия',
    collection: 'со дня получения данных',
    purpose_end: 'со дня достижения цели обработки',
  },
  recipientKind: {
    processor: 'обрабатывает данные по поручению оператора',
    third_party: 'третье лицо',
    authority: 'государственный орган',
  },
  channels: {
    phone_call: 'телефонный звонок',
    whatsapp_call: 'звонок в WhatsApp',
    whatsapp_message: 'сообщение в WhatsApp',
    telegram_message: 'сообщение в Telegram',
    email: 'электронная почта',
    web_form: 'форма на сайте',
    widget: 'форма на сайте-партнёре (виджет)',
    api: 'передача через программный интерфейс',
    in_person: 'личное обращение',
  },
  cookieCategory: {
    technical: 'Технические (необходимые для работы сайта)',
    analytics: 'Аналитические',
    marketing: 'Рекламные',
  },
  months: (n) => {
    const m10 = n % 10;
    const m100 = n % 100;
    const word =
      m10 === 1 && m100 !== 11
        ? 'месяц'
        : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)
          ? 'месяца'
          : 'месяцев';
    return `${n} ${word}`;
  },
  notSet: 'не указан',
  withdrawal: {
    email: (a) => `письмом на адрес электронной почты ${a}`.trim(),
    post: (a) => `письменным заявлением по почте на адрес: ${a}`.trim(),
    inPerson: 'письменным заявлением, поданным лично по адресу оператора',
    webForm: 'через форму обратной связи на сайте оператора',
    phone: (p) => `по телефону ${p}`.trim(),
  },
  inn: 'ИНН',
  ogrn: 'ОГРН',
  address: 'адрес',
  healthCategory: (t) => `${t} (специальная категория: сведения о здоровье)`,
  country: 'страна',
  quoted: (s) => `«${s}»`,
  purpose: {
    legalBasis: (s) => `Правовое основание: ${s}.`,
    notStated: 'не указано',
    categories: (s) => `Категории персональных данных: ${s}.`,
    subjects: (s) => `Категории субъектов: ${s}.`,
    actions: (s) => `Действия с данными: ${s}.`,
    method: (s) => `Способ обработки: ${s}.`,
    notStatedPlural: 'не указаны',
    retention: (term, consent) =>
      `Срок обработки и хранения: ${term}; по его истечении, при достижении цели${consent ? ' или при отзыве согласия' : ''} данные уничтожаются.`,
    recipients: (s) => `Получатели: ${s}.`,
    noRecipients: 'Данные третьим лицам не передаются.',
  },
  policy: {
    generalHeading: '1. Общие положения',
    intro: (operator, website) =>
      `Настоящая политика описывает, какие персональные данные, для чего, на каком основании и как долго обрабатывает оператор — ${operator}${website ? ` (сайт ${website})` : ''} — и как субъект может реализовать свои права. Политика принята во исполнение Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных» и опубликована в свободном доступе (ч. 2 ст. 18.1).`,
    separateConsents:
      'Согласия на обработку персональных данных, на получение рекламных сообщений и на публикацию отзыва оформляются отдельными документами; настоящая политика согласием не является.',
    contactsHeading: '2. Контакты для обращений',
    email: (s) => `Электронная почта: ${s}`,
    postalAddress: (s) => `Почтовый адрес: ${s}`,
    phone: (s) => `Телефон: ${s}`,
    responsible: (s) => `Лицо, ответственное за организацию обработки персональных данных: ${s}`,
    purposesHeading: '3. Цели обработки',
    purposesIntro:
      'Для каждой цели ниже указаны правовое основание, состав данных, категории субъектов, действия, способ, срок и получатели. Данные не обрабатываются для целей, не указанных в политике.',
    sourcesHeading: '4. Источники данных и каналы обращений',
    form: (title, fields) => `форма «${title}»: ${fields}`,
    sourcesIntro:
      'Оператор получает персональные данные от самих субъектов или их представителей через следующие каналы:',
    otherPerson:
      'Если данные о человеке передаёт другое лицо (например, родственник записывает пациента), оператор отмечает это и до начала обработки сообщает самому субъекту сведения, предусмотренные ч. 3 ст. 18 Закона.',
    healthHeading: '5. Сведения о здоровье и врачебная тайна',
    healthFields:
      'В свободных полях форм (сообщение, услуга или врач, перечень услуг) человек может сообщить сведения о состоянии здоровья. Оператор относит такие поля к специальной категории персональных данных (ст. 10 Закона), обрабатывает их только на основании согласия или в медицинских целях, ограничивает доступ к ним работниками, которым они нужны для ответа, и хранит их в зашифрованном виде.',
    medicalSecrecy:
      'Сам факт обращения за медицинской помощью составляет врачебную тайну (ст. 13 Федерального закона № 323-ФЗ): сведения из обращений не раскрываются третьим лицам без письменного согласия пациента, кроме случаев, прямо предусмотренных законом; каждое раскрытие регистрируется.',
    transferHeading: 'Передача данных',
    noTransfer:
      'Оператор не передаёт персональные данные третьим лицам и не поручает их обработку другим лицам.',
    noCrossBorder: 'Трансграничная передача персональных данных не осуществляется.',
    crossBorder: (name, country, note) => `Трансграничная передача: ${name} (${country}). ${note}`.trim(),
    cookiesHeading: 'Файлы cookie',
    noCookies: 'Сайт не использует файлы cookie, кроме необходимых для его работы.',
    cookies: (categories) =>
      `Сайт использует файлы cookie: ${categories}. Состав, цели и сроки описаны в отдельном уведомлении об использовании файлов cookie; аналитические и рекламные cookie применяются только с согласия посетителя, которое можно изменить в настройках cookie внизу каждой страницы.`,
    storageHeading: 'Хранение, защита и уничтожение',
    storage: [
      'Запись, систематизация, накопление, хранение, уточнение и извлечение персональных данных граждан России ведутся в базах данных, находящихся на территории Российской Федерации (ч. 5 ст. 18 Закона).',
      'Данные каждого субъекта шифруются отдельным ключом; доступ работников разграничен по ролям; каждое обращение к данным записывается в журнал, защищённый от изменения.',
      'По истечении срока хранения, при достижении цели, при отзыве согласия (если нет иного основания) или по требованию субъекта данные уничтожаются в сроки, установленные ст. 21 Закона (не более 30 дней), способом, исключающим их восстановление; об уничтожении составляется акт.',
    ],
    rightsHeading: 'Права субъекта',
    rights: [
      'получить сведения об обработке своих данных и их копию (ст. 14 Закона);',
      'потребовать уточнить, заблокировать или уничтожить данные, если они неполные, устаревшие, неточные, незаконно полученные или не нужны для заявленной цели;',
      'в любой момент отозвать согласие на обработку, на получение рекламных сообщений и на публикацию отзыва;',
      'потребовать прекратить рекламную рассылку — она прекращается немедленно (ст. 15 Закона);',
      'обжаловать действия оператора в Роскомнадзоре или в суде.',
    ],
    answer: (days) =>
      `Оператор отвечает на запрос в течение ${days} рабочих дней со дня его получения; срок может быть продлён не более чем на 5 рабочих дней с уведомлением о причинах.`,
    withdrawHeading: 'Как отозвать согласие',
    noWithdrawal: 'Способы отзыва согласия не указаны.',
    afterWithdrawal:
      'После отзыва согласия обработка для соответствующей цели прекращается, а данные уничтожаются в течение 30 дней, если их обработка не требуется по другому основанию, предусмотренному законом.',
    changesHeading: 'Изменение политики',
    changes:
      'При изменении политики публикуется её новая версия с номером и датой последнего обновления в заголовке. Все прежние версии остаются доступны в архиве по своим адресам.',
  },
  consent: {
    durationHeading: 'Срок действия и отзыв',
    duration: (terms) =>
      `Согласие действует ${terms || 'до достижения цели обработки'}, если не отозвано раньше. Его можно отозвать в любой момент:`,
    noWithdrawal: 'Способы отзыва не указаны.',
    afterWithdrawal:
      'После отзыва обработка прекращается, а данные уничтожаются в течение 30 дней, если их обработка не требуется по другому основанию, предусмотренному законом.',
    confirmationHeading: 'Подтверждение',
    confirmation:
      'Согласие даётся в электронной форме: отдельной отметкой в форме на сайте, которая по умолчанию не проставлена, и отправкой формы. Оператор сохраняет дату и время, форму и канал, номер версии и контрольную сумму SHA-256 текста этого документа, сведения о представителе (если форма заполнена за другое лицо), IP-адрес и сведения о браузере.',
    whoHeading: 'Кто даёт согласие',
    who: 'Согласие даёт субъект персональных данных — человек, чьи данные указаны в форме; его имя и контактные данные — те, что указаны в отправленной форме.',
    representative:
      'Если форму заполняет представитель (например, родитель или иной законный представитель), он отмечает это в форме и указывает свои данные и основание полномочий; согласие тогда даётся от имени представляемого, а оператор до начала обработки уведомляет самого субъекта.',
    operatorHeading: 'Оператор',
    notRequested: 'Оператор не запрашивает это согласие.',
    actionsHeading: 'Действия и способы обработки',
    noActions: 'действия не указаны',
    dataHeading: 'Перечень персональных данных',
  },
  processing: {
    intro:
      'Отправляя форму с отметкой о согласии, я свободно, своей волей и в своём интересе даю согласие на обработку моих персональных данных на условиях, изложенных ниже. Это согласие — отдельный документ; оно не входит в политику обработки персональных данных и не заменяет её.',
    purposeHeading: 'Цель обработки',
    forms: (list) => `Согласие запрашивается в формах: ${list.map((f) => `«${f}»`).join(', ')}.`,
    health:
      'Я понимаю, что в тексте обращения могу сообщить сведения о состоянии здоровья, и даю согласие на их обработку для той же цели (п. 1 ч. 2 ст. 10 Закона).',
    recipientsHeading: 'Лица, обрабатывающие данные по поручению оператора, и получатели',
    noRecipients: 'Данные не передаются другим лицам и не обрабатываются по поручению оператора.',
  },
  marketing: {
    intro:
      'Это согласие необязательно: без него обращение будет принято и обработано так же. Отметка ставится отдельно от согласия на обработку данных для ответа на обращение.',
    purposeHeading: 'Цель',
    agreement:
      'Я соглашаюсь получать от оператора информационные и рекламные сообщения о его услугах, акциях и ценах по телефону, SMS, в мессенджерах и по электронной почте, используя указанные мной контактные данные (ст. 15 Закона № 152-ФЗ, ст. 18 Федерального закона № 38-ФЗ «О рекламе»).',
    recipientsHeading: 'Получатели',
    noRecipients: 'Данные для рассылки другим лицам не передаются.',
    optOut:
      'Отказаться от сообщений можно в любой момент, в том числе по ссылке или ответом в самом сообщении; отправка прекращается немедленно после получения требования.',
  },
  review: {
    sites: (website) => (website ? `на сайте оператора ${website}` : 'на сайтах оператора'),
    intro:
      'Это согласие на распространение персональных данных (ст. 10.1 Закона № 152-ФЗ) оформляется отдельно от других согласий. Оно нужно только для публикации отзыва; без него отзыв будет принят, но не опубликован.',
    whatHeading: 'Что может быть опубликовано',
    what: (sites) =>
      `Текст отзыва и оценка публикуются ${sites} для неограниченного круга лиц. Автор сам выбирает в форме, как его подписать:`,
    signatures: ['имя и первая буква фамилии;', 'только имя;', 'без имени (анонимно).'],
    neverPublished:
      'Телефон, адрес электронной почты и иные контактные данные не публикуются никогда. Оператор не публикует сведения о здоровье, если автор сам не включил их в текст отзыва; перед публикацией отзыв проверяет модератор.',
    conditionsHeading: 'Условия и запреты',
    conditions:
      'Автор вправе установить запреты и условия на передачу и обработку опубликованных данных неограниченным кругом лиц (ч. 9 ст. 10.1 Закона), сообщив о них оператору по адресам для обращений. Молчание или бездействие автора не считается согласием на распространение.',
    endHeading: 'Прекращение публикации',
    end: 'По требованию автора отзыв снимается с публикации не позднее трёх рабочих дней с момента получения требования (ч. 14 ст. 10.1 Закона).',
  },
  cookies: {
    intro: (operator) =>
      `Сайт оператора — ${operator} — сохраняет в браузере посетителя небольшие файлы (cookie). Ниже перечислены все используемые cookie, их цели и сроки хранения.`,
    item: (name, purpose, lifetime, recipient) =>
      `${name}: ${purpose}; срок хранения: ${lifetime}${recipient ? `; получатель: ${recipient}` : ''}`,
    settingsHeading: 'Согласие и настройки',
    settings:
      'Технические cookie нужны для работы сайта (например, для защиты форм) и используются без согласия. Аналитические и рекламные cookie устанавливаются только после согласия посетителя. Выбор можно изменить в любой момент в настройках cookie (ссылка внизу каждой страницы) или удалить cookie в настройках браузера.',
  },
  header: { version: 'Версия', lastUpdated: 'Последнее обновление:', translation: undefined },
  dateLocale: 'ru-RU',
  dateOptions: { day: '2-digit', month: '2-digit', year: 'numeric' },
};

const EN: Words = {
  legalBasis: {
    consent: "the data subject's consent (art. 6 part 1 item 1 of Federal Law No. 152-FZ)",
    legal_obligation: 'performance of duties imposed on the operator by law (art. 6 part 1 item 2)',
    justice: 'administration of justice and enforcement of court decisions (art. 6 part 1 item 3)',
    public_function: 'performance of state and municipal functions (art. 6 part 1 item 4)',
    contract: 'performance of a contract to which the data subject is a party (art. 6 part 1 item 5)',
    contract_steps:
      "steps taken at the data subject's request before a contract is made with them (art. 6 part 1 item 5)",
    vital_interests:
      "protection of the data subject's life, health or other vital interests (art. 6 part 1 item 6)",
    legitimate_interests: 'legitimate interests of the operator or of third parties (art. 6 part 1 item 7)',
    research: 'statistical or other research purposes, with depersonalisation (art. 6 part 1 item 9)',
    medical_care:
      'medical purposes, the processing being done by a person bound by medical secrecy (art. 10 part 2 item 4)',
  },
  actions: {
    collection: 'collection',
    recording: 'recording',
    systematisation: 'systematisation',
    accumulation: 'accumulation',
    storage: 'storage',
    clarification: 'clarification (updating, alteration)',
    extraction: 'extraction',
    use: 'use',
    transfer: 'transfer',
    distribution: 'distribution',
    provision: 'provision',
    access: 'access',
    depersonalisation: 'depersonalisation',
    blocking: 'blocking',
    deletion: 'deletion',
    destruction: 'destruction',
  },
  methods: {
    automated: 'automated processing',
    mixed: 'mixed processing (with and without automation tools)',
    manual: 'processing without automation tools',
  },
  retentionFrom: {
    consent: 'from the day consent is given',
    collection: 'from the day the data are received',
    purpose_end: 'from the day the purpose of processing is achieved',
  },
  recipientKind: {
    processor: "processes the data on the operator's behalf",
    third_party: 'third party',
    authority: 'state authority',
  },
  channels: {
    phone_call: 'phone call',
    whatsapp_call: 'WhatsApp call',
    whatsapp_message: 'WhatsApp message',
    telegram_message: 'Telegram message',
    email: 'e-mail',
    web_form: 'form on the website',
    widget: "form on a partner's website (widget)",
    api: 'transfer through a programming interface',
    in_person: 'visit in person',
  },
  cookieCategory: {
    technical: 'Technical (needed for the website to work)',
    analytics: 'Analytics',
    marketing: 'Advertising',
  },
  months: (n) => `${n} ${n === 1 ? 'month' : 'months'}`,
  notSet: 'not specified',
  withdrawal: {
    email: (a) => `by e-mail to ${a}`.trim(),
    post: (a) => `by a written request sent by post to: ${a}`.trim(),
    inPerson: "by a written request handed in at the operator's address",
    webForm: "through the feedback form on the operator's website",
    phone: (p) => `by phone at ${p}`.trim(),
  },
  inn: 'INN',
  ogrn: 'OGRN',
  address: 'address',
  healthCategory: (t) => `${t} (special category: health data)`,
  country: 'country',
  quoted: (s) => `"${s}"`,
  purpose: {
    legalBasis: (s) => `Legal basis: ${s}.`,
    notStated: 'not specified',
    categories: (s) => `Categories of personal data: ${s}.`,
    subjects: (s) => `Categories of data subjects: ${s}.`,
    actions: (s) => `Actions with the data: ${s}.`,
    method: (s) => `Method of processing: ${s}.`,
    notStatedPlural: 'not specified',
    retention: (term, consent) =>
      `Processing and retention period: ${term}; when it ends, when the purpose is achieved${consent ? ' or when consent is withdrawn' : ''}, the data are destroyed.`,
    recipients: (s) => `Recipients: ${s}.`,
    noRecipients: 'The data are not passed to third parties.',
  },
  policy: {
    generalHeading: '1. General provisions',
    intro: (operator, website) =>
      `This policy describes which personal data the operator — ${operator}${website ? ` (website ${website})` : ''} — processes, for what purposes, on what legal basis and for how long, and how data subjects can exercise their rights. The policy is adopted under Federal Law No. 152-FZ of 27 July 2006 "On Personal Data" and is published in open access (art. 18.1 part 2).`,
    separateConsents:
      'The consent to the processing of personal data, the consent to receiving advertising messages and the consent to publishing a review are separate documents; this policy is not a consent.',
    contactsHeading: '2. Contacts for requests',
    email: (s) => `E-mail: ${s}`,
    postalAddress: (s) => `Postal address: ${s}`,
    phone: (s) => `Phone: ${s}`,
    responsible: (s) => `Person responsible for organising the processing of personal data: ${s}`,
    purposesHeading: '3. Purposes of processing',
    purposesIntro:
      'For each purpose below, the legal basis, the data, the categories of data subjects, the actions, the method, the period and the recipients are stated. Data are not processed for purposes not stated in this policy.',
    sourcesHeading: '4. Sources of data and channels of inquiries',
    form: (title, fields) => `the "${title}" form: ${fields}`,
    sourcesIntro:
      'The operator receives personal data from the data subjects themselves or from their representatives through the following channels:',
    otherPerson:
      "If a person's data are provided by someone else (for example, a relative books a visit for a patient), the operator records this and, before processing begins, gives the data subject the information required by art. 18 part 3 of the Law.",
    healthHeading: '5. Health data and medical secrecy',
    healthFields:
      'In the free-text fields of the forms (message, service or doctor, list of services) a person may give information about their health. The operator treats these fields as a special category of personal data (art. 10 of the Law), processes them only with consent or for medical purposes, limits access to them to the employees who need them to answer, and stores them encrypted.',
    medicalSecrecy:
      "The very fact of seeking medical care is protected by medical secrecy (art. 13 of Federal Law No. 323-FZ): information from inquiries is not disclosed to third parties without the patient's written consent, except where the law expressly provides for it; every disclosure is recorded.",
    transferHeading: 'Transfer of data',
    noTransfer:
      'The operator does not pass personal data to third parties and does not entrust their processing to other persons.',
    noCrossBorder: 'Personal data are not transferred across borders.',
    crossBorder: (name, country, note) => `Cross-border transfer: ${name} (${country}). ${note}`.trim(),
    cookiesHeading: 'Cookies',
    noCookies: 'The website uses no cookies other than those it needs to work.',
    cookies: (categories) =>
      `The website uses cookies: ${categories}. Which cookies, their purposes and lifetimes are described in a separate cookie notice; analytics and advertising cookies are used only with the visitor's consent, which can be changed in the cookie settings at the bottom of every page.`,
    storageHeading: 'Storage, protection and destruction',
    storage: [
      'The recording, systematisation, accumulation, storage, clarification and extraction of personal data of Russian citizens take place in databases located in the Russian Federation (art. 18 part 5 of the Law).',
      "Each data subject's data are encrypted with a key of their own; employees' access is limited by role; every access to the data is recorded in a log protected against alteration.",
      "When the retention period ends, when the purpose is achieved, when consent is withdrawn (unless there is another basis) or at the data subject's request, the data are destroyed within the time set by art. 21 of the Law (no more than 30 days) in a way that rules out their recovery; a record of the destruction is drawn up.",
    ],
    rightsHeading: 'Rights of the data subject',
    rights: [
      'to obtain information about the processing of their data and a copy of the data (art. 14 of the Law);',
      'to demand that the data be clarified, blocked or destroyed if they are incomplete, out of date, inaccurate, unlawfully obtained or not needed for the stated purpose;',
      'to withdraw at any time the consent to processing, to receiving advertising messages and to publishing a review;',
      'to demand that advertising messages stop — they stop immediately (art. 15 of the Law);',
      "to appeal against the operator's actions to Roskomnadzor or to a court.",
    ],
    answer: (days) =>
      `The operator answers a request within ${days} working days of receiving it; this period may be extended by no more than 5 working days with notice of the reasons.`,
    withdrawHeading: 'How to withdraw consent',
    noWithdrawal: 'No ways to withdraw consent are stated.',
    afterWithdrawal:
      'Once consent is withdrawn, processing for the purpose concerned stops and the data are destroyed within 30 days unless their processing is required on another basis provided for by law.',
    changesHeading: 'Changes to the policy',
    changes:
      'When the policy changes, a new version is published with its number and the date of its last update in the header. All earlier versions remain available in the archive at their own addresses.',
  },
  consent: {
    durationHeading: 'Duration and withdrawal',
    duration: (terms) =>
      terms
        ? `The consent is valid for ${terms}, unless withdrawn earlier. It can be withdrawn at any time:`
        : 'The consent is valid until the purpose of processing is achieved, unless withdrawn earlier. It can be withdrawn at any time:',
    noWithdrawal: 'No ways to withdraw it are stated.',
    afterWithdrawal:
      'Once the consent is withdrawn, processing stops and the data are destroyed within 30 days unless their processing is required on another basis provided for by law.',
    confirmationHeading: 'Confirmation',
    confirmation:
      "The consent is given electronically: by a separate tick in the form on the website, which is not ticked by default, and by sending the form. The operator keeps the date and time, the form and the channel, the version number and the SHA-256 checksum of the text of this document, the representative's details (if the form was filled in for another person), the IP address and information about the browser.",
    whoHeading: 'Who gives the consent',
    who: 'The consent is given by the data subject — the person whose data are entered in the form; their name and contact details are those entered in the form as sent.',
    representative:
      'If the form is filled in by a representative (for example, a parent or another legal representative), the representative marks this in the form and gives their own details and the grounds of their authority; the consent is then given on behalf of the person represented, and the operator informs the data subject before processing begins.',
    operatorHeading: 'Operator',
    notRequested: 'The operator does not ask for this consent.',
    actionsHeading: 'Actions and methods of processing',
    noActions: 'no actions specified',
    dataHeading: 'Personal data covered',
  },
  processing: {
    intro:
      'By sending the form with the consent box ticked, I freely, of my own will and in my own interest, consent to the processing of my personal data on the terms set out below. This consent is a separate document; it is not part of the personal data processing policy and does not replace it.',
    purposeHeading: 'Purpose of processing',
    forms: (list) => `The consent is asked for in the forms: ${list.map((f) => `"${f}"`).join(', ')}.`,
    health:
      'I understand that I may give information about my health in the text of the inquiry, and I consent to its processing for the same purpose (art. 10 part 2 item 1 of the Law).',
    recipientsHeading: "Persons processing the data on the operator's behalf, and recipients",
    noRecipients:
      "The data are not passed to other persons and are not processed by anyone on the operator's behalf.",
  },
  marketing: {
    intro:
      'This consent is optional: without it the inquiry is accepted and handled just the same. It is ticked separately from the consent to processing the data to answer the inquiry.',
    purposeHeading: 'Purpose',
    agreement:
      'I agree to receive from the operator information and advertising messages about its services, offers and prices by phone, SMS, messengers and e-mail, at the contact details I have given (art. 15 of Law No. 152-FZ, art. 18 of Federal Law No. 38-FZ "On Advertising").',
    recipientsHeading: 'Recipients',
    noRecipients: 'The data used for these messages are not passed to other persons.',
    optOut:
      'The messages can be refused at any time, including by the link in a message or by replying to it; sending stops immediately once the request is received.',
  },
  review: {
    sites: (website) => (website ? `on the operator's website ${website}` : "on the operator's websites"),
    intro:
      'This consent to the distribution of personal data (art. 10.1 of Law No. 152-FZ) is given separately from the other consents. It is needed only to publish a review; without it the review is accepted but not published.',
    whatHeading: 'What may be published',
    what: (sites) =>
      `The text of the review and the rating are published ${sites} for an unlimited number of people. The author chooses in the form how the review is signed:`,
    signatures: ['first name and the initial of the surname;', 'first name only;', 'no name (anonymous).'],
    neverPublished:
      'The phone number, e-mail address and other contact details are never published. The operator does not publish health data unless the author included them in the text of the review; a moderator checks the review before it is published.',
    conditionsHeading: 'Conditions and prohibitions',
    conditions:
      "The author may set prohibitions and conditions on the transfer and processing of the published data by an unlimited number of people (art. 10.1 part 9 of the Law) by informing the operator at the addresses for requests. The author's silence or inaction is not consent to distribution.",
    endHeading: 'Ending publication',
    end: "At the author's request the review is taken down no later than three working days after the request is received (art. 10.1 part 14 of the Law).",
  },
  cookies: {
    intro: (operator) =>
      `The website of the operator — ${operator} — stores small files (cookies) in the visitor's browser. All the cookies used, their purposes and lifetimes are listed below.`,
    item: (name, purpose, lifetime, recipient) =>
      `${name}: ${purpose}; lifetime: ${lifetime}${recipient ? `; recipient: ${recipient}` : ''}`,
    settingsHeading: 'Consent and settings',
    settings:
      "Technical cookies are needed for the website to work (for example, to protect the forms) and are used without consent. Analytics and advertising cookies are set only after the visitor consents. The choice can be changed at any time in the cookie settings (a link at the bottom of every page), or cookies can be deleted in the browser's settings.",
  },
  header: {
    version: 'Version',
    lastUpdated: 'Last updated:',
    translation:
      'This is an English translation, published for convenience. The Russian text is the binding one and prevails in case of any discrepancy.',
  },
  dateLocale: 'en-GB',
  dateOptions: { day: 'numeric', month: 'long', year: 'numeric' },
};

const WORDS: Record<DocumentLang, Words> = { ru: RU, en: EN };

/** The renderer's view of one language: its words and the declaration's texts in that language. */
interface R {
  w: Words;
  /** A declaration text in the document's language, Russian where it has no translation. */
  t(text: LocalizedText): string;
  lang: DocumentLang;
}

function rendererOf(lang: DocumentLang): R {
  return { w: WORDS[lang], t: (x) => (lang === 'en' ? (x.en ?? x.ru) : x.ru), lang };
}

function retentionText(r: R, ret: Retention | undefined): string {
  return ret ? `${r.w.months(ret.months)} ${r.w.retentionFrom[ret.from]}` : r.w.notSet;
}

function withdrawalText(r: R, m: WithdrawalMethod, op: EffectiveOperator, d: Declaration): string {
  switch (m) {
    case 'email':
      return r.w.withdrawal.email(op.requestsEmail ?? '');
    case 'post':
      return r.w.withdrawal.post(op.requestsPostalAddress ?? '');
    case 'in_person':
      return r.w.withdrawal.inPerson;
    case 'web_form':
      return r.w.withdrawal.webForm;
    case 'phone':
      return r.w.withdrawal.phone(d.requests.phone ?? op.phone ?? '');
  }
}

function operatorLine(r: R, op: EffectiveOperator): string {
  const parts = [op.name];
  if (op.inn) parts.push(`${r.w.inn} ${op.inn}`);
  if (op.ogrn) parts.push(`${r.w.ogrn} ${op.ogrn}`);
  if (op.postalAddress) parts.push(`${r.w.address}: ${op.postalAddress}`);
  return parts.join(', ');
}

function categoryTitles(r: R, d: Declaration, ids: readonly string[]): string[] {
  return ids.map((id) => {
    const c = d.categories.find((x) => x.id === id);
    if (!c) return id;
    return c.special === 'health' ? r.w.healthCategory(r.t(c.title)) : r.t(c.title);
  });
}

function subjectTitles(r: R, d: Declaration, ids: readonly string[]): string[] {
  return ids.map((id) => {
    const s = d.subjects.find((x) => x.id === id);
    return s ? r.t(s.title) : id;
  });
}

function recipientText(r: R, x: Recipient): string {
  const parts = [`${x.name} (${r.w.recipientKind[x.kind]}`];
  parts[0] += x.country === 'RU' ? ')' : `; ${r.w.country}: ${x.country})`;
  if (x.address) parts.push(`${r.w.address}: ${x.address}`);
  if (x.role) parts.push(r.t(x.role));
  return parts.join(', ');
}

function purposesFor(d: Declaration, doc: ConsentDocument): Purpose[] {
  return d.purposes.filter((p) => p.consentDocument === doc);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function formsOf(r: R, d: Declaration, purposes: readonly Purpose[]): string[] {
  const ids = new Set(purposes.map((p) => p.id));
  return d.forms.filter((f) => ids.has(f.purposeId)).map((f) => FORM_TITLES[f.id][r.lang]);
}

function purposeLines(r: R, purposes: readonly Purpose[]): string[] {
  return purposes.map((p) => (p.description ? `${r.t(p.title)}: ${r.t(p.description)}` : r.t(p.title)));
}

/**
 * The body of one document (everything under its header), in Russian unless `lang` says otherwise.
 *
 * @example
 *   documentBody('privacy_policy', declaration, operator, 'en'); // [{ h: '1. General provisions' }, ...]
 */
export function documentBody(
  kind: DocumentKind,
  d: Declaration,
  op: EffectiveOperator,
  lang: DocumentLang = 'ru',
): Block[] {
  const r = rendererOf(lang);
  switch (kind) {
    case 'privacy_policy':
      return privacyPolicy(r, d, op);
    case 'consent_processing':
      return processingConsent(r, d, op);
    case 'consent_marketing':
      return marketingConsent(r, d, op);
    case 'consent_review_publication':
      return reviewConsent(r, d, op);
    case 'cookie_notice':
      return cookieNotice(r, d, op);
  }
}

function purposeBlocks(r: R, d: Declaration, p: Purpose, n: string): Block[] {
  const { w } = r;
  const recipients = p.recipients
    .map((id) => d.recipients.find((x) => x.id === id))
    .filter((x): x is Recipient => x !== undefined);
  const items = [
    w.purpose.legalBasis(p.legalBasis ? w.legalBasis[p.legalBasis] : w.purpose.notStated),
    w.purpose.categories(categoryTitles(r, d, p.categories).join('; ') || w.purpose.notStatedPlural),
    w.purpose.subjects(subjectTitles(r, d, p.subjectCategories).join('; ') || w.purpose.notStatedPlural),
    w.purpose.actions(p.actions.map((a) => w.actions[a]).join(', ') || w.purpose.notStatedPlural),
    w.purpose.method(w.methods[p.methods]),
    w.purpose.retention(retentionText(r, p.retention), p.legalBasis === 'consent'),
    recipients.length > 0
      ? w.purpose.recipients(recipients.map((x) => recipientText(r, x)).join('; '))
      : w.purpose.noRecipients,
  ];
  const blocks: Block[] = [{ h: `${n}. ${r.t(p.title)}` }];
  if (p.description) blocks.push({ p: r.t(p.description) });
  blocks.push({ ul: items });
  return blocks;
}

function privacyPolicy(r: R, d: Declaration, op: EffectiveOperator): Block[] {
  const w = r.w.policy;
  const blocks: Block[] = [];
  const hasHealth = d.categories.some((c) => c.special === 'health');
  const phone = d.requests.phone ?? op.phone;
  blocks.push(
    { h: w.generalHeading },
    { p: w.intro(operatorLine(r, op), op.website) },
    { p: w.separateConsents },
    { h: w.contactsHeading },
    {
      ul: [
        op.requestsEmail ? w.email(op.requestsEmail) : undefined,
        op.requestsPostalAddress ? w.postalAddress(op.requestsPostalAddress) : undefined,
        phone ? w.phone(phone) : undefined,
        op.responsiblePerson ? w.responsible(op.responsiblePerson) : undefined,
      ].filter((s): s is string => s !== undefined),
    },
    { h: w.purposesHeading },
    { p: w.purposesIntro },
  );
  d.purposes.forEach((p, i) => blocks.push(...purposeBlocks(r, d, p, `3.${i + 1}`)));

  blocks.push({ h: w.sourcesHeading });
  const channels = d.channels.map((c) => `${r.t(c.title)} (${r.w.channels[c.kind]})`);
  const forms = d.forms.map((f) =>
    w.form(
      FORM_TITLES[f.id][r.lang],
      f.fields.map((x) => FIELD_LABELS[x.name][r.lang].toLowerCase()).join(', '),
    ),
  );
  blocks.push({ p: w.sourcesIntro });
  blocks.push({ ul: [...channels, ...forms] });
  blocks.push({ p: w.otherPerson });

  if (hasHealth) blocks.push({ h: w.healthHeading }, { p: w.healthFields }, { p: w.medicalSecrecy });

  const abroad = d.recipients.filter((x) => x.country !== 'RU');
  blocks.push({ h: `${hasHealth ? 6 : 5}. ${w.transferHeading}` });
  if (d.recipients.length === 0) {
    blocks.push({ p: w.noTransfer });
  } else {
    blocks.push({ ul: d.recipients.map((x) => recipientText(r, x)) });
  }
  if (abroad.length === 0) {
    blocks.push({ p: w.noCrossBorder });
  } else {
    for (const x of abroad) {
      blocks.push({ p: w.crossBorder(x.name, x.country, x.crossBorderNote ? r.t(x.crossBorderNote) : '') });
    }
  }

  let n = hasHealth ? 7 : 6;
  blocks.push(
    { h: `${n++}. ${w.cookiesHeading}` },
    {
      p:
        d.cookies.length === 0
          ? w.noCookies
          : w.cookies(unique(d.cookies.map((c) => r.w.cookieCategory[c.category].toLowerCase())).join(', ')),
    },
    { h: `${n++}. ${w.storageHeading}` },
    { ul: [...w.storage] },
    { h: `${n++}. ${w.rightsHeading}` },
    { ul: [...w.rights] },
    { p: w.answer(d.requests.answerWorkingDays) },
    { h: `${n++}. ${w.withdrawHeading}` },
  );
  const methods = d.requests.withdrawalMethods.map((m) => withdrawalText(r, m, op, d));
  blocks.push(
    methods.length > 0 ? { ul: methods } : { p: w.noWithdrawal },
    { p: w.afterWithdrawal },
    { h: `${n++}. ${w.changesHeading}` },
    { p: w.changes },
  );
  return blocks;
}

function consentTail(r: R, d: Declaration, op: EffectiveOperator, purposes: readonly Purpose[]): Block[] {
  const w = r.w.consent;
  const terms = unique(purposes.map((p) => retentionText(r, p.retention)));
  const methods = d.requests.withdrawalMethods.map((m) => withdrawalText(r, m, op, d));
  return [
    { h: w.durationHeading },
    { p: w.duration(terms.join('; ')) },
    methods.length > 0 ? { ul: methods } : { p: w.noWithdrawal },
    { p: w.afterWithdrawal },
    { h: w.confirmationHeading },
    { p: w.confirmation },
  ];
}

function consentHead(r: R, op: EffectiveOperator, representative: boolean): Block[] {
  const w = r.w.consent;
  const blocks: Block[] = [{ h: w.whoHeading }, { p: w.who }];
  if (representative) blocks.push({ p: w.representative });
  blocks.push({ h: w.operatorHeading }, { p: operatorLine(r, op) });
  return blocks;
}

function actionsAndMethods(r: R, purposes: readonly Purpose[]): Block {
  const actions = unique(purposes.flatMap((p) => p.actions))
    .map((a) => r.w.actions[a])
    .join(', ');
  const methods = unique(purposes.map((p) => r.w.methods[p.methods])).join('; ');
  return { p: `${actions || r.w.consent.noActions}; ${methods}.` };
}

function recipientsOf(d: Declaration, purposes: readonly Purpose[]): Recipient[] {
  return unique(purposes.flatMap((p) => p.recipients))
    .map((id) => d.recipients.find((x) => x.id === id))
    .filter((x): x is Recipient => x !== undefined);
}

function processingConsent(r: R, d: Declaration, op: EffectiveOperator): Block[] {
  const w = r.w.processing;
  const purposes = purposesFor(d, 'processing');
  if (purposes.length === 0) return notRequested(r);
  const cats = unique(purposes.flatMap((p) => p.categories));
  const processors = recipientsOf(d, purposes);
  const forms = formsOf(r, d, purposes);
  const blocks: Block[] = [
    { p: w.intro },
    ...consentHead(r, op, true),
    { h: w.purposeHeading },
    { ul: purposeLines(r, purposes) },
  ];
  if (forms.length > 0) blocks.push({ p: w.forms(forms) });
  blocks.push({ h: r.w.consent.dataHeading }, { ul: categoryTitles(r, d, cats) });
  if (cats.some((c) => d.categories.find((x) => x.id === c)?.special === 'health')) {
    blocks.push({ p: w.health });
  }
  blocks.push({ h: w.recipientsHeading });
  blocks.push(
    processors.length > 0 ? { ul: processors.map((x) => recipientText(r, x)) } : { p: w.noRecipients },
  );
  blocks.push(
    { h: r.w.consent.actionsHeading },
    actionsAndMethods(r, purposes),
    ...consentTail(r, d, op, purposes),
  );
  return blocks;
}

function marketingConsent(r: R, d: Declaration, op: EffectiveOperator): Block[] {
  const w = r.w.marketing;
  const purposes = purposesFor(d, 'marketing');
  if (purposes.length === 0) return notRequested(r);
  const cats = unique(purposes.flatMap((p) => p.categories));
  const recipients = recipientsOf(d, purposes);
  return [
    { p: w.intro },
    ...consentHead(r, op, false),
    { h: w.purposeHeading },
    { ul: purposeLines(r, purposes) },
    { p: w.agreement },
    { h: r.w.consent.dataHeading },
    { ul: categoryTitles(r, d, cats) },
    { h: w.recipientsHeading },
    recipients.length > 0 ? { ul: recipients.map((x) => recipientText(r, x)) } : { p: w.noRecipients },
    { h: r.w.consent.actionsHeading },
    actionsAndMethods(r, purposes),
    { p: w.optOut },
    ...consentTail(r, d, op, purposes),
  ];
}

function reviewConsent(r: R, d: Declaration, op: EffectiveOperator): Block[] {
  const w = r.w.review;
  const purposes = purposesFor(d, 'review_publication');
  if (purposes.length === 0) return notRequested(r);
  return [
    { p: w.intro },
    ...consentHead(r, op, false),
    { h: r.w.marketing.purposeHeading },
    { ul: purposeLines(r, purposes) },
    { h: w.whatHeading },
    { p: w.what(w.sites(op.website)) },
    { ul: [...w.signatures] },
    { p: w.neverPublished },
    { h: w.conditionsHeading },
    { p: w.conditions },
    { h: w.endHeading },
    { p: w.end },
    ...consentTail(r, d, op, purposes),
  ];
}

function cookieNotice(r: R, d: Declaration, op: EffectiveOperator): Block[] {
  const w = r.w.cookies;
  const blocks: Block[] = [{ p: w.intro(op.name) }];
  for (const cat of ['technical', 'analytics', 'marketing'] as const) {
    const list = d.cookies.filter((c) => c.category === cat);
    if (list.length === 0) continue;
    blocks.push({ h: r.w.cookieCategory[cat] });
    blocks.push({
      ul: list.map((c) => {
        const x = c.recipientId ? d.recipients.find((y) => y.id === c.recipientId) : undefined;
        const recipient = x ? `${x.name}${x.country !== 'RU' ? ` (${x.country})` : ''}` : undefined;
        return w.item(c.name, r.t(c.purpose), r.t(c.lifetime), recipient);
      }),
    });
  }
  blocks.push({ h: w.settingsHeading }, { p: w.settings });
  return blocks;
}

function notRequested(r: R): Block[] {
  return [{ p: r.w.consent.notRequested }];
}

/** How a version is identified in its header. */
export interface DocumentHeader {
  version: number;
  publishedAt: Date;
  /** The operator's IANA time zone, for the date. */
  timeZone: string;
  /** The document's language; Russian when absent. */
  lang?: DocumentLang;
}

/**
 * The "last updated" date as a document's header shows it: 02.03.2026 in Russian, 2 March 2026 in
 * English.
 */
export function formatDate(at: Date, timeZone: string, lang: DocumentLang = 'ru'): string {
  const w = WORDS[lang];
  return new Intl.DateTimeFormat(w.dateLocale, { timeZone, ...w.dateOptions }).format(at);
}

function headerLines(kind: DocumentKind, h: DocumentHeader): string[] {
  const lang = h.lang ?? 'ru';
  const w = WORDS[lang].header;
  const lines = [
    DOCUMENT_TITLES[kind][lang],
    `${w.version} ${h.version}. ${w.lastUpdated} ${formatDate(h.publishedAt, h.timeZone, lang)}`,
  ];
  if (w.translation) lines.push(w.translation);
  return lines;
}

/** The plain text of a document: the text whose SHA-256 is recorded. */
export function documentText(kind: DocumentKind, body: readonly Block[], h: DocumentHeader): string {
  const lines = [...headerLines(kind, h), ''];
  for (const b of body) {
    if ('h' in b) lines.push(b.h, '');
    else if ('p' in b) lines.push(b.p, '');
    else lines.push(...b.ul.map((i) => `— ${i}`), '');
  }
  return lines.join('\n').trimEnd() + '\n';
}

/** The HTML fragment of a document (an <article>), to be placed in a page by the site. */
export function documentHtml(kind: DocumentKind, body: readonly Block[], h: DocumentHeader): SafeHtml {
  const lang = h.lang ?? 'ru';
  const w = WORDS[lang].header;
  const title = DOCUMENT_TITLES[kind][lang];
  const iso = h.publishedAt.toISOString().slice(0, 10);
  const note = w.translation ? html`<p class="policy-translation">${w.translation}</p>` : null;
  // Kept as written: the note sits right after the meta line so that the Russian markup stays
  // byte for byte what it was before documents had an English version.
  // prettier-ignore
  return html`<article class="policy-document" lang="${lang}">
    <header>
      <h1>${title}</h1>
      <p class="policy-meta">
        ${w.version} ${h.version}. ${w.lastUpdated}
        <time datetime="${iso}">${formatDate(h.publishedAt, h.timeZone, lang)}</time>
      </p>${note}
    </header>
    ${body.map((b) =>
      'h' in b
        ? html`<h2>${b.h}</h2> `
        : 'p' in b
          ? html`<p>${b.p}</p> `
          : html`<ul>
              ${b.ul.map((i) => html`<li>${i}</li>`)}
            </ul> `,
    )}
  </article>`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Renders the five public documents from a declaration and the operator's details, in Russian.
 * Each document is built once as a list of blocks, from which both the plain text (whose SHA-256
 * is recorded and cited by consent records) and the HTML fragment are produced, so the two can
 * never say different things. The header (title, version, "last updated" date) is part of both.
 *
 * @example
 *   const body = documentBody('consent_processing', declaration, operator);
 *   const { text, html } = renderDocumentText('consent_processing', body, { version: 2, publishedAt, timeZone });
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
  type LegalBasis,
  type Purpose,
  type Recipient,
  type Retention,
  type WithdrawalMethod,
} from './declaration.schemas.ts';
import type { EffectiveOperator } from './policy.linter.ts';

/** A piece of a document: a section heading, a paragraph, or a bulleted list. */
export type Block = { h: string } | { p: string } | { ul: string[] };

const LEGAL_BASIS: Record<LegalBasis, string> = {
  consent: 'согласие субъекта персональных данных (п. 1 ч. 1 ст. 6 Федерального закона № 152-ФЗ)',
  legal_obligation: 'исполнение обязанностей, возложенных на оператора законодательством (п. 2 ч. 1 ст. 6)',
  justice: 'осуществление правосудия и исполнение судебных актов (п. 3 ч. 1 ст. 6)',
  public_function: 'исполнение государственных и муниципальных функций (п. 4 ч. 1 ст. 6)',
  contract: 'исполнение договора, стороной которого является субъект (п. 5 ч. 1 ст. 6)',
  contract_steps: 'действия по запросу субъекта, предшествующие заключению договора с ним (п. 5 ч. 1 ст. 6)',
  vital_interests: 'защита жизни, здоровья или иных жизненно важных интересов субъекта (п. 6 ч. 1 ст. 6)',
  legitimate_interests: 'законные интересы оператора или третьих лиц (п. 7 ч. 1 ст. 6)',
  research: 'статистические или иные исследовательские цели при обезличивании (п. 9 ч. 1 ст. 6)',
  medical_care:
    'медицинские цели при обработке лицом, обязанным сохранять врачебную тайну (п. 4 ч. 2 ст. 10)',
};

const ACTIONS: Record<Action, string> = {
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
};

const METHODS: Record<Purpose['methods'], string> = {
  automated: 'автоматизированная обработка',
  mixed: 'смешанная обработка (с использованием средств автоматизации и без них)',
  manual: 'обработка без использования средств автоматизации',
};

const RETENTION_FROM: Record<Retention['from'], string> = {
  consent: 'со дня получения согласия',
  collection: 'со дня получения данных',
  purpose_end: 'со дня достижения цели обработки',
};

const RECIPIENT_KIND: Record<Recipient['kind'], string> = {
  processor: 'обрабатывает данные по поручению оператора',
  third_party: 'третье лицо',
  authority: 'государственный орган',
};

const CHANNELS: Record<ChannelKind, string> = {
  phone_call: 'телефонный звонок',
  whatsapp_call: 'звонок в WhatsApp',
  whatsapp_message: 'сообщение в WhatsApp',
  telegram_message: 'сообщение в Telegram',
  email: 'электронная почта',
  web_form: 'форма на сайте',
  widget: 'форма на сайте-партнёре (виджет)',
  api: 'передача через программный интерфейс',
  in_person: 'личное обращение',
};

const COOKIE_CATEGORY: Record<'technical' | 'analytics' | 'marketing', string> = {
  technical: 'Технические (необходимые для работы сайта)',
  analytics: 'Аналитические',
  marketing: 'Рекламные',
};

function months(n: number): string {
  const m10 = n % 10;
  const m100 = n % 100;
  const word =
    m10 === 1 && m100 !== 11
      ? 'месяц'
      : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)
        ? 'месяца'
        : 'месяцев';
  return `${n} ${word}`;
}

function retentionText(r: Retention | undefined): string {
  return r ? `${months(r.months)} ${RETENTION_FROM[r.from]}` : 'не указан';
}

function withdrawalText(m: WithdrawalMethod, op: EffectiveOperator, d: Declaration): string {
  switch (m) {
    case 'email':
      return `письмом на адрес электронной почты ${op.requestsEmail ?? ''}`.trim();
    case 'post':
      return `письменным заявлением по почте на адрес: ${op.requestsPostalAddress ?? ''}`.trim();
    case 'in_person':
      return 'письменным заявлением, поданным лично по адресу оператора';
    case 'web_form':
      return 'через форму обратной связи на сайте оператора';
    case 'phone':
      return `по телефону ${d.requests.phone ?? op.phone ?? ''}`.trim();
  }
}

function operatorLine(op: EffectiveOperator): string {
  const parts = [op.name];
  if (op.inn) parts.push(`ИНН ${op.inn}`);
  if (op.ogrn) parts.push(`ОГРН ${op.ogrn}`);
  if (op.postalAddress) parts.push(`адрес: ${op.postalAddress}`);
  return parts.join(', ');
}

function categoryTitles(d: Declaration, ids: readonly string[]): string[] {
  return ids.map((id) => {
    const c = d.categories.find((x) => x.id === id);
    if (!c) return id;
    return c.special === 'health' ? `${c.title.ru} (специальная категория: сведения о здоровье)` : c.title.ru;
  });
}

function subjectTitles(d: Declaration, ids: readonly string[]): string[] {
  return ids.map((id) => d.subjects.find((s) => s.id === id)?.title.ru ?? id);
}

function recipientText(r: Recipient): string {
  const parts = [`${r.name} (${RECIPIENT_KIND[r.kind]}`];
  parts[0] += r.country === 'RU' ? ')' : `; страна: ${r.country})`;
  if (r.address) parts.push(`адрес: ${r.address}`);
  if (r.role) parts.push(r.role.ru);
  return parts.join(', ');
}

function purposesFor(d: Declaration, doc: ConsentDocument): Purpose[] {
  return d.purposes.filter((p) => p.consentDocument === doc);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function formsOf(d: Declaration, purposes: readonly Purpose[]): string[] {
  const ids = new Set(purposes.map((p) => p.id));
  return d.forms.filter((f) => ids.has(f.purposeId)).map((f) => FORM_TITLES[f.id].ru);
}

/** The body of one document (everything under its header). */
export function documentBody(kind: DocumentKind, d: Declaration, op: EffectiveOperator): Block[] {
  switch (kind) {
    case 'privacy_policy':
      return privacyPolicy(d, op);
    case 'consent_processing':
      return processingConsent(d, op);
    case 'consent_marketing':
      return marketingConsent(d, op);
    case 'consent_review_publication':
      return reviewConsent(d, op);
    case 'cookie_notice':
      return cookieNotice(d, op);
  }
}

function purposeBlocks(d: Declaration, p: Purpose, n: string): Block[] {
  const recipients = p.recipients
    .map((id) => d.recipients.find((r) => r.id === id))
    .filter((r): r is Recipient => r !== undefined);
  const items = [
    `Правовое основание: ${p.legalBasis ? LEGAL_BASIS[p.legalBasis] : 'не указано'}.`,
    `Категории персональных данных: ${categoryTitles(d, p.categories).join('; ') || 'не указаны'}.`,
    `Категории субъектов: ${subjectTitles(d, p.subjectCategories).join('; ') || 'не указаны'}.`,
    `Действия с данными: ${p.actions.map((a) => ACTIONS[a]).join(', ') || 'не указаны'}.`,
    `Способ обработки: ${METHODS[p.methods]}.`,
    `Срок обработки и хранения: ${retentionText(p.retention)}; по его истечении, при достижении цели${p.legalBasis === 'consent' ? ' или при отзыве согласия' : ''} данные уничтожаются.`,
    recipients.length > 0
      ? `Получатели: ${recipients.map(recipientText).join('; ')}.`
      : 'Данные третьим лицам не передаются.',
  ];
  const blocks: Block[] = [{ h: `${n}. ${p.title.ru}` }];
  if (p.description) blocks.push({ p: p.description.ru });
  blocks.push({ ul: items });
  return blocks;
}

function privacyPolicy(d: Declaration, op: EffectiveOperator): Block[] {
  const blocks: Block[] = [];
  const hasHealth = d.categories.some((c) => c.special === 'health');
  blocks.push(
    { h: '1. Общие положения' },
    {
      p: `Настоящая политика описывает, какие персональные данные, для чего, на каком основании и как долго обрабатывает оператор — ${operatorLine(op)}${op.website ? ` (сайт ${op.website})` : ''} — и как субъект может реализовать свои права. Политика принята во исполнение Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных» и опубликована в свободном доступе (ч. 2 ст. 18.1).`,
    },
    {
      p: 'Согласия на обработку персональных данных, на получение рекламных сообщений и на публикацию отзыва оформляются отдельными документами; настоящая политика согласием не является.',
    },
    { h: '2. Контакты для обращений' },
    {
      ul: [
        op.requestsEmail ? `Электронная почта: ${op.requestsEmail}` : undefined,
        op.requestsPostalAddress ? `Почтовый адрес: ${op.requestsPostalAddress}` : undefined,
        (d.requests.phone ?? op.phone) ? `Телефон: ${d.requests.phone ?? op.phone}` : undefined,
        op.responsiblePerson
          ? `Лицо, ответственное за организацию обработки персональных данных: ${op.responsiblePerson}`
          : undefined,
      ].filter((s): s is string => s !== undefined),
    },
    { h: '3. Цели обработки' },
    {
      p: 'Для каждой цели ниже указаны правовое основание, состав данных, категории субъектов, действия, способ, срок и получатели. Данные не обрабатываются для целей, не указанных в политике.',
    },
  );
  d.purposes.forEach((p, i) => blocks.push(...purposeBlocks(d, p, `3.${i + 1}`)));

  blocks.push({ h: '4. Источники данных и каналы обращений' });
  const channels = d.channels.map((c) => `${c.title.ru} (${CHANNELS[c.kind]})`);
  const forms = d.forms.map(
    (f) =>
      `форма «${FORM_TITLES[f.id].ru}»: ${f.fields.map((x) => FIELD_LABELS[x.name].ru.toLowerCase()).join(', ')}`,
  );
  blocks.push({
    p: 'Оператор получает персональные данные от самих субъектов или их представителей через следующие каналы:',
  });
  blocks.push({ ul: [...channels, ...forms] });
  blocks.push({
    p: 'Если данные о человеке передаёт другое лицо (например, родственник записывает пациента), оператор отмечает это и до начала обработки сообщает самому субъекту сведения, предусмотренные ч. 3 ст. 18 Закона.',
  });

  if (hasHealth) {
    blocks.push(
      { h: '5. Сведения о здоровье и врачебная тайна' },
      {
        p: 'В свободных полях форм (сообщение, услуга или врач, перечень услуг) человек может сообщить сведения о состоянии здоровья. Оператор относит такие поля к специальной категории персональных данных (ст. 10 Закона), обрабатывает их только на основании согласия или в медицинских целях, ограничивает доступ к ним работниками, которым они нужны для ответа, и хранит их в зашифрованном виде.',
      },
      {
        p: 'Сам факт обращения за медицинской помощью составляет врачебную тайну (ст. 13 Федерального закона № 323-ФЗ): сведения из обращений не раскрываются третьим лицам без письменного согласия пациента, кроме случаев, прямо предусмотренных законом; каждое раскрытие регистрируется.',
      },
    );
  }

  const abroad = d.recipients.filter((r) => r.country !== 'RU');
  blocks.push({ h: `${hasHealth ? 6 : 5}. Передача данных` });
  if (d.recipients.length === 0) {
    blocks.push({
      p: 'Оператор не передаёт персональные данные третьим лицам и не поручает их обработку другим лицам.',
    });
  } else {
    blocks.push({ ul: d.recipients.map(recipientText) });
  }
  if (abroad.length === 0) {
    blocks.push({ p: 'Трансграничная передача персональных данных не осуществляется.' });
  } else {
    for (const r of abroad) {
      blocks.push({
        p: `Трансграничная передача: ${r.name} (${r.country}). ${r.crossBorderNote?.ru ?? ''}`.trim(),
      });
    }
  }

  let n = hasHealth ? 7 : 6;
  blocks.push(
    { h: `${n++}. Файлы cookie` },
    {
      p:
        d.cookies.length === 0
          ? 'Сайт не использует файлы cookie, кроме необходимых для его работы.'
          : `Сайт использует файлы cookie: ${unique(d.cookies.map((c) => COOKIE_CATEGORY[c.category].toLowerCase())).join(', ')}. Состав, цели и сроки описаны в отдельном уведомлении об использовании файлов cookie; аналитические и рекламные cookie применяются только с согласия посетителя, которое можно изменить в настройках cookie внизу каждой страницы.`,
    },
    { h: `${n++}. Хранение, защита и уничтожение` },
    {
      ul: [
        'Запись, систематизация, накопление, хранение, уточнение и извлечение персональных данных граждан России ведутся в базах данных, находящихся на территории Российской Федерации (ч. 5 ст. 18 Закона).',
        'Данные каждого субъекта шифруются отдельным ключом; доступ работников разграничен по ролям; каждое обращение к данным записывается в журнал, защищённый от изменения.',
        'По истечении срока хранения, при достижении цели, при отзыве согласия (если нет иного основания) или по требованию субъекта данные уничтожаются в сроки, установленные ст. 21 Закона (не более 30 дней), способом, исключающим их восстановление; об уничтожении составляется акт.',
      ],
    },
    { h: `${n++}. Права субъекта` },
    {
      ul: [
        'получить сведения об обработке своих данных и их копию (ст. 14 Закона);',
        'потребовать уточнить, заблокировать или уничтожить данные, если они неполные, устаревшие, неточные, незаконно полученные или не нужны для заявленной цели;',
        'в любой момент отозвать согласие на обработку, на получение рекламных сообщений и на публикацию отзыва;',
        'потребовать прекратить рекламную рассылку — она прекращается немедленно (ст. 15 Закона);',
        'обжаловать действия оператора в Роскомнадзоре или в суде.',
      ],
    },
    {
      p: `Оператор отвечает на запрос в течение ${d.requests.answerWorkingDays} рабочих дней со дня его получения; срок может быть продлён не более чем на 5 рабочих дней с уведомлением о причинах.`,
    },
    { h: `${n++}. Как отозвать согласие` },
  );
  const methods = d.requests.withdrawalMethods.map((m) => withdrawalText(m, op, d));
  blocks.push(
    methods.length > 0 ? { ul: methods } : { p: 'Способы отзыва согласия не указаны.' },
    {
      p: 'После отзыва согласия обработка для соответствующей цели прекращается, а данные уничтожаются в течение 30 дней, если их обработка не требуется по другому основанию, предусмотренному законом.',
    },
    { h: `${n++}. Изменение политики` },
    {
      p: 'При изменении политики публикуется её новая версия с номером и датой последнего обновления в заголовке. Все прежние версии остаются доступны в архиве по своим адресам.',
    },
  );
  return blocks;
}

function consentTail(d: Declaration, op: EffectiveOperator, purposes: readonly Purpose[]): Block[] {
  const terms = unique(purposes.map((p) => retentionText(p.retention)));
  const methods = d.requests.withdrawalMethods.map((m) => withdrawalText(m, op, d));
  return [
    { h: 'Срок действия и отзыв' },
    {
      p: `Согласие действует ${terms.join('; ') || 'до достижения цели обработки'}, если не отозвано раньше. Его можно отозвать в любой момент:`,
    },
    methods.length > 0 ? { ul: methods } : { p: 'Способы отзыва не указаны.' },
    {
      p: 'После отзыва обработка прекращается, а данные уничтожаются в течение 30 дней, если их обработка не требуется по другому основанию, предусмотренному законом.',
    },
    { h: 'Подтверждение' },
    {
      p: 'Согласие даётся в электронной форме: отдельной отметкой в форме на сайте, которая по умолчанию не проставлена, и отправкой формы. Оператор сохраняет дату и время, форму и канал, номер версии и контрольную сумму SHA-256 текста этого документа, сведения о представителе (если форма заполнена за другое лицо), IP-адрес и сведения о браузере.',
    },
  ];
}

function consentHead(op: EffectiveOperator, representative: boolean): Block[] {
  const blocks: Block[] = [
    { h: 'Кто даёт согласие' },
    {
      p: 'Согласие даёт субъект персональных данных — человек, чьи данные указаны в форме; его имя и контактные данные — те, что указаны в отправленной форме.',
    },
  ];
  if (representative) {
    blocks.push({
      p: 'Если форму заполняет представитель (например, родитель или иной законный представитель), он отмечает это в форме и указывает свои данные и основание полномочий; согласие тогда даётся от имени представляемого, а оператор до начала обработки уведомляет самого субъекта.',
    });
  }
  blocks.push({ h: 'Оператор' }, { p: operatorLine(op) });
  return blocks;
}

function processingConsent(d: Declaration, op: EffectiveOperator): Block[] {
  const purposes = purposesFor(d, 'processing');
  if (purposes.length === 0) return notRequested();
  const cats = unique(purposes.flatMap((p) => p.categories));
  const processors = unique(purposes.flatMap((p) => p.recipients))
    .map((id) => d.recipients.find((r) => r.id === id))
    .filter((r): r is Recipient => r !== undefined);
  const forms = formsOf(d, purposes);
  const blocks: Block[] = [
    {
      p: 'Отправляя форму с отметкой о согласии, я свободно, своей волей и в своём интересе даю согласие на обработку моих персональных данных на условиях, изложенных ниже. Это согласие — отдельный документ; оно не входит в политику обработки персональных данных и не заменяет её.',
    },
    ...consentHead(op, true),
    { h: 'Цель обработки' },
    { ul: purposes.map((p) => (p.description ? `${p.title.ru}: ${p.description.ru}` : p.title.ru)) },
  ];
  if (forms.length > 0)
    blocks.push({ p: `Согласие запрашивается в формах: ${forms.map((f) => `«${f}»`).join(', ')}.` });
  blocks.push({ h: 'Перечень персональных данных' }, { ul: categoryTitles(d, cats) });
  if (cats.some((c) => d.categories.find((x) => x.id === c)?.special === 'health')) {
    blocks.push({
      p: 'Я понимаю, что в тексте обращения могу сообщить сведения о состоянии здоровья, и даю согласие на их обработку для той же цели (п. 1 ч. 2 ст. 10 Закона).',
    });
  }
  blocks.push({ h: 'Лица, обрабатывающие данные по поручению оператора, и получатели' });
  blocks.push(
    processors.length > 0
      ? { ul: processors.map(recipientText) }
      : { p: 'Данные не передаются другим лицам и не обрабатываются по поручению оператора.' },
  );
  blocks.push(
    { h: 'Действия и способы обработки' },
    {
      p: `${
        unique(purposes.flatMap((p) => p.actions))
          .map((a) => ACTIONS[a])
          .join(', ') || 'действия не указаны'
      }; ${unique(purposes.map((p) => METHODS[p.methods])).join('; ')}.`,
    },
    ...consentTail(d, op, purposes),
  );
  return blocks;
}

function marketingConsent(d: Declaration, op: EffectiveOperator): Block[] {
  const purposes = purposesFor(d, 'marketing');
  if (purposes.length === 0) return notRequested();
  const cats = unique(purposes.flatMap((p) => p.categories));
  const recipients = unique(purposes.flatMap((p) => p.recipients))
    .map((id) => d.recipients.find((r) => r.id === id))
    .filter((r): r is Recipient => r !== undefined);
  return [
    {
      p: 'Это согласие необязательно: без него обращение будет принято и обработано так же. Отметка ставится отдельно от согласия на обработку данных для ответа на обращение.',
    },
    ...consentHead(op, false),
    { h: 'Цель' },
    { ul: purposes.map((p) => (p.description ? `${p.title.ru}: ${p.description.ru}` : p.title.ru)) },
    {
      p: 'Я соглашаюсь получать от оператора информационные и рекламные сообщения о его услугах, акциях и ценах по телефону, SMS, в мессенджерах и по электронной почте, используя указанные мной контактные данные (ст. 15 Закона № 152-ФЗ, ст. 18 Федерального закона № 38-ФЗ «О рекламе»).',
    },
    { h: 'Перечень персональных данных' },
    { ul: categoryTitles(d, cats) },
    { h: 'Получатели' },
    recipients.length > 0
      ? { ul: recipients.map(recipientText) }
      : { p: 'Данные для рассылки другим лицам не передаются.' },
    { h: 'Действия и способы обработки' },
    {
      p: `${
        unique(purposes.flatMap((p) => p.actions))
          .map((a) => ACTIONS[a])
          .join(', ') || 'действия не указаны'
      }; ${unique(purposes.map((p) => METHODS[p.methods])).join('; ')}.`,
    },
    {
      p: 'Отказаться от сообщений можно в любой момент, в том числе по ссылке или ответом в самом сообщении; отправка прекращается немедленно после получения требования.',
    },
    ...consentTail(d, op, purposes),
  ];
}

function reviewConsent(d: Declaration, op: EffectiveOperator): Block[] {
  const purposes = purposesFor(d, 'review_publication');
  if (purposes.length === 0) return notRequested();
  const sites = op.website ? `на сайте оператора ${op.website}` : 'на сайтах оператора';
  return [
    {
      p: 'Это согласие на распространение персональных данных (ст. 10.1 Закона № 152-ФЗ) оформляется отдельно от других согласий. Оно нужно только для публикации отзыва; без него отзыв будет принят, но не опубликован.',
    },
    ...consentHead(op, false),
    { h: 'Цель' },
    { ul: purposes.map((p) => (p.description ? `${p.title.ru}: ${p.description.ru}` : p.title.ru)) },
    { h: 'Что может быть опубликовано' },
    {
      p: `Текст отзыва и оценка публикуются ${sites} для неограниченного круга лиц. Автор сам выбирает в форме, как его подписать:`,
    },
    {
      ul: ['имя и первая буква фамилии;', 'только имя;', 'без имени (анонимно).'],
    },
    {
      p: 'Телефон, адрес электронной почты и иные контактные данные не публикуются никогда. Оператор не публикует сведения о здоровье, если автор сам не включил их в текст отзыва; перед публикацией отзыв проверяет модератор.',
    },
    { h: 'Условия и запреты' },
    {
      p: 'Автор вправе установить запреты и условия на передачу и обработку опубликованных данных неограниченным кругом лиц (ч. 9 ст. 10.1 Закона), сообщив о них оператору по адресам для обращений. Молчание или бездействие автора не считается согласием на распространение.',
    },
    { h: 'Прекращение публикации' },
    {
      p: 'По требованию автора отзыв снимается с публикации не позднее трёх рабочих дней с момента получения требования (ч. 14 ст. 10.1 Закона).',
    },
    ...consentTail(d, op, purposes),
  ];
}

function cookieNotice(d: Declaration, op: EffectiveOperator): Block[] {
  const blocks: Block[] = [
    {
      p: `Сайт оператора — ${op.name} — сохраняет в браузере посетителя небольшие файлы (cookie). Ниже перечислены все используемые cookie, их цели и сроки хранения.`,
    },
  ];
  for (const cat of ['technical', 'analytics', 'marketing'] as const) {
    const list = d.cookies.filter((c) => c.category === cat);
    if (list.length === 0) continue;
    blocks.push({ h: COOKIE_CATEGORY[cat] });
    blocks.push({
      ul: list.map((c) => {
        const r = c.recipientId ? d.recipients.find((x) => x.id === c.recipientId) : undefined;
        return `${c.name}: ${c.purpose.ru}; срок хранения: ${c.lifetime.ru}${r ? `; получатель: ${r.name}${r.country !== 'RU' ? ` (${r.country})` : ''}` : ''}`;
      }),
    });
  }
  blocks.push(
    { h: 'Согласие и настройки' },
    {
      p: 'Технические cookie нужны для работы сайта (например, для защиты форм) и используются без согласия. Аналитические и рекламные cookie устанавливаются только после согласия посетителя. Выбор можно изменить в любой момент в настройках cookie (ссылка внизу каждой страницы) или удалить cookie в настройках браузера.',
    },
  );
  return blocks;
}

function notRequested(): Block[] {
  return [{ p: 'Оператор не запрашивает это согласие.' }];
}

/** How a version is identified in its header. */
export interface DocumentHeader {
  version: number;
  publishedAt: Date;
  /** The operator's IANA time zone, for the date. */
  timeZone: string;
}

export function formatDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(at);
}

function headerLines(kind: DocumentKind, h: DocumentHeader): [string, string] {
  return [
    DOCUMENT_TITLES[kind].ru,
    `Версия ${h.version}. Последнее обновление: ${formatDate(h.publishedAt, h.timeZone)}`,
  ];
}

/** The plain text of a document: the text whose SHA-256 is recorded. */
export function documentText(kind: DocumentKind, body: readonly Block[], h: DocumentHeader): string {
  const [title, meta] = headerLines(kind, h);
  const lines = [title, meta, ''];
  for (const b of body) {
    if ('h' in b) lines.push(b.h, '');
    else if ('p' in b) lines.push(b.p, '');
    else lines.push(...b.ul.map((i) => `— ${i}`), '');
  }
  return lines.join('\n').trimEnd() + '\n';
}

/** The HTML fragment of a document (an <article>), to be placed in a page by the site. */
export function documentHtml(kind: DocumentKind, body: readonly Block[], h: DocumentHeader): SafeHtml {
  const [title] = headerLines(kind, h);
  const iso = h.publishedAt.toISOString().slice(0, 10);
  return html`<article class="policy-document" lang="ru">
    <header>
      <h1>${title}</h1>
      <p class="policy-meta">
        Версия ${h.version}. Последнее обновление:
        <time datetime="${iso}">${formatDate(h.publishedAt, h.timeZone)}</time>
      </p>
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

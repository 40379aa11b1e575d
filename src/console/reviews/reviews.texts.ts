/**
 * The console's texts for review moderation: Russian first, English with the same shape (a
 * missing key is a type error).
 */
import type { NameOrder, ReviewConsentState, ReviewShow, ReviewState } from '../../modules/reviews/index.ts';

export const ru = {
  indexTitle: 'Отзывы',
  indexIntro: 'Выберите организацию, чьи отзывы нужно проверить.',
  pendingCount: (n: number) => `ждут решения: ${n}`,
  noOperators: 'Нет организаций, где вы модерируете отзывы: эту роль назначает администратор организации.',
  title: (name: string) => `Отзывы: ${name}`,
  intro:
    'Отзыв публикуется только с согласия автора на публикацию и только с той подписью, которую автор разрешил. Телефон, почта и полное имя не публикуются никогда.',
  tabsLabel: 'Отзывы по состоянию',
  states: {
    pending: 'Ждут решения',
    published: 'Опубликованы',
    unpublished: 'Сняты с публикации',
    rejected: 'Отклонены',
  } satisfies Record<ReviewState, string>,
  empty: 'Здесь отзывов нет.',
  heading: (number: string) => `Отзыв к обращению № ${number}`,
  received: 'Получен',
  rating: 'Оценка',
  ratingValue: (n: number) => `${n} из 5`,
  noRating: 'без оценки',
  text: 'Текст',
  noText: 'Текста нет: публиковать нечего.',
  consentLabel: 'Согласие на публикацию',
  consent: {
    live: 'дано',
    withdrawn: 'отозвано: публиковать нельзя',
    none: 'не дано: публиковать нельзя',
  } satisfies Record<ReviewConsentState, string>,
  show: {
    first_name_initial: 'имя и первая буква фамилии',
    first_name: 'только имя',
    anonymous: 'без имени',
  } satisfies Record<ReviewShow, string>,
  allowed: 'Автор разрешил показать',
  signature: 'Подпись на сайте',
  anonymous: 'Пациент клиники (без имени)',
  publishedAt: 'Опубликован',
  decidedAt: 'Последнее решение',
  unpublishReason: {
    staff: 'снят сотрудником',
    consent_withdrawn: 'автор отозвал согласие',
  } as Record<'staff' | 'consent_withdrawn', string>,
  publish: 'Опубликовать',
  publishAs: (signature: string) => `Опубликовать с подписью «${signature}»`,
  orderHint: {
    given_first: 'имя записано первым',
    surname_first: 'фамилия записана первой',
  } satisfies Record<NameOrder, string>,
  orderLegend: 'Если автор написал сначала фамилию, выберите вторую подпись.',
  reject: 'Отклонить',
  unpublish: 'Снять с публикации',
  actionsLabel: (number: string) => `Решение по отзыву № ${number}`,
  notices: {
    published: 'Отзыв опубликован.',
    unpublished: 'Отзыв снят с публикации.',
    rejected: 'Отзыв отклонён.',
    unchanged: 'Отзыв уже в этом состоянии.',
  } as Record<string, string>,
  refused: 'Не получилось',
  pagesLabel: 'Страницы',
  prev: 'Предыдущая страница',
  next: 'Следующая страница',
  page: (n: number) => `Страница ${n}`,
};

export type ReviewsText = typeof ru;

export const en: ReviewsText = {
  indexTitle: 'Reviews',
  indexIntro: 'Choose the organisation whose reviews to check.',
  pendingCount: (n) => `awaiting a decision: ${n}`,
  noOperators:
    "There is no organisation where you moderate reviews: the organisation's administrator assigns that role.",
  title: (name) => `Reviews: ${name}`,
  intro:
    "A review is published only with its author's consent to publication, and signed only as the author allowed. A phone, an e-mail or a full name is never published.",
  tabsLabel: 'Reviews by state',
  states: {
    pending: 'Awaiting a decision',
    published: 'Published',
    unpublished: 'Taken down',
    rejected: 'Rejected',
  },
  empty: 'No reviews here.',
  heading: (number) => `Review with inquiry no. ${number}`,
  received: 'Received',
  rating: 'Rating',
  ratingValue: (n) => `${n} out of 5`,
  noRating: 'no rating',
  text: 'Text',
  noText: 'No text: nothing to publish.',
  consentLabel: 'Consent to publication',
  consent: {
    live: 'given',
    withdrawn: 'withdrawn: cannot be published',
    none: 'not given: cannot be published',
  },
  show: {
    first_name_initial: "first name and the surname's initial",
    first_name: 'first name only',
    anonymous: 'no name',
  },
  allowed: 'The author allowed to show',
  signature: 'Signature on the site',
  anonymous: 'Clinic patient (no name)',
  publishedAt: 'Published',
  decidedAt: 'Last decision',
  unpublishReason: {
    staff: 'taken down by staff',
    consent_withdrawn: 'the author withdrew the consent',
  },
  publish: 'Publish',
  publishAs: (signature) => `Publish signed “${signature}”`,
  orderHint: {
    given_first: 'first name written first',
    surname_first: 'surname written first',
  },
  orderLegend: 'If the author wrote the surname first, choose the second signature.',
  reject: 'Reject',
  unpublish: 'Take down',
  actionsLabel: (number) => `Decision on review no. ${number}`,
  notices: {
    published: 'The review is published.',
    unpublished: 'The review is taken down.',
    rejected: 'The review is rejected.',
    unchanged: 'The review already is in that state.',
  },
  refused: 'Not done',
  pagesLabel: 'Pages',
  prev: 'Previous page',
  next: 'Next page',
  page: (n) => `Page ${n}`,
};

/**
 * The policy declaration: one validated, YAML-importable description of an operator's processing
 * (purposes, personal-data categories, subjects, recipients, channels, cookies, forms, the address
 * for requests), from which the privacy policy and each consent document are rendered. The zod
 * schemas are the types. Structure is checked here; cross-references and completeness (a purpose
 * naming an undeclared category, a recipient abroad without a note, ...) are the linter's job, so
 * a half-written draft can still be saved and shown with its problems.
 *
 * Also the published-document types that the intake and the public site read.
 *
 * @example
 *   const d = Declaration.parse(yamlParse(text));
 *   d.forms.find((f) => f.id === 'callback')?.fields; // [{ name: 'name', required: true, category: 'identity', ... }]
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Building blocks

const noControl = (s: string) => !/[\p{Cc}]/u.test(s.replace(/[\n\t]/g, ''));
const CONTROL_MESSAGE = 'Недопустимые символы / Control characters are not allowed';

/** One line of text (titles, names): trimmed, non-empty, bounded, no control characters. */
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Поле не заполнено / Required')
    .max(max, `Не длиннее ${max} символов / At most ${max} characters`)
    .refine((s) => !/\p{Cc}/u.test(s), CONTROL_MESSAGE);

/** A paragraph: newlines and tabs allowed. */
const paragraph = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Поле не заполнено / Required')
    .max(max, `Не длиннее ${max} символов / At most ${max} characters`)
    .refine(noControl, CONTROL_MESSAGE);

/** Text in Russian (always) and English (optional: renderers fall back to Russian). */
export const LocalizedText = z.strictObject({ ru: paragraph(2000), en: paragraph(2000).optional() });
export type LocalizedText = z.infer<typeof LocalizedText>;

/** Ids that declarations use to refer to their own entries: `health`, `inquiry-handling`. */
export const DeclId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'Латинские строчные буквы, цифры, _ и - / a-z, 0-9, _ and -');

const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('Адрес электронной почты указан неверно / Invalid e-mail address'));

// ---------------------------------------------------------------------------------------------
// Forms and fields (shared with the intake and the public site)

export const FORM_IDS = ['callback', 'feedback', 'review', 'appointment', 'estimate'] as const;
/** The five web forms: Заказать звонок, Обратная связь, Отзывы, Запись на приём, Расчёт стоимости. */
export const FormId = z.enum(FORM_IDS);
export type FormId = z.infer<typeof FormId>;

export const FIELD_NAMES = [
  'name',
  'phone',
  'email',
  'message',
  'rating',
  'preferredDate',
  'preferredTime',
  'serviceOrDoctor',
  'services',
] as const;
export const FieldName = z.enum(FIELD_NAMES);
export type FieldName = z.infer<typeof FieldName>;

/**
 * Free-text fields: a patient may write a complaint, a symptom or the doctor they need in them, so
 * they are treated as possible health data (COMPLIANCE A8) whatever the declaration says.
 */
export const POSSIBLE_HEALTH_DATA_FIELDS: ReadonlySet<FieldName> = new Set<FieldName>([
  'message',
  'serviceOrDoctor',
  'services',
]);

/** Russian and English labels of the fields, for documents and forms. */
export const FIELD_LABELS: Record<FieldName, { ru: string; en: string }> = {
  name: { ru: 'Имя', en: 'Name' },
  phone: { ru: 'Телефон', en: 'Phone' },
  email: { ru: 'Электронная почта', en: 'E-mail' },
  message: { ru: 'Сообщение', en: 'Message' },
  rating: { ru: 'Оценка', en: 'Rating' },
  preferredDate: { ru: 'Желаемая дата', en: 'Preferred date' },
  preferredTime: { ru: 'Желаемое время', en: 'Preferred time' },
  serviceOrDoctor: { ru: 'Услуга или врач', en: 'Service or doctor' },
  services: { ru: 'Услуги', en: 'Services' },
};

export const FORM_TITLES: Record<FormId, { ru: string; en: string }> = {
  callback: { ru: 'Заказать звонок', en: 'Request a call' },
  feedback: { ru: 'Обратная связь', en: 'Feedback' },
  review: { ru: 'Отзывы', en: 'Reviews' },
  appointment: { ru: 'Запись на приём', en: 'Book an appointment' },
  estimate: { ru: 'Расчёт стоимости', en: 'Cost estimate' },
};

/** A field of a form; `possibleHealthData` is always true for the free-text fields. */
export const FormField = z
  .strictObject({
    name: FieldName,
    required: z.boolean(),
    /** A personal-data category id declared in `categories` and in the form's purpose. */
    category: DeclId,
    possibleHealthData: z.boolean().optional(),
  })
  .transform((f) => ({
    ...f,
    possibleHealthData: POSSIBLE_HEALTH_DATA_FIELDS.has(f.name) || f.possibleHealthData === true,
  }));
export type FormField = z.output<typeof FormField>;

/** Optional consents a form may offer beside the required consent to processing. */
export const OptionalConsent = z.enum(['marketing', 'review_publication']);
export type OptionalConsent = z.infer<typeof OptionalConsent>;

export const FormDecl = z.strictObject({
  id: FormId,
  /** The purpose the form's data is processed for; its consent document is the checkbox's. */
  purposeId: DeclId,
  fields: z.array(FormField).min(1).max(FIELD_NAMES.length),
  /** At least one of these must be filled (feedback: phone or e-mail). */
  atLeastOneOf: z.array(FieldName).max(FIELD_NAMES.length).optional(),
  /** Separate, optional checkboxes; each needs a purpose with that consent document. */
  optionalConsents: z.array(OptionalConsent).max(2).default([]),
});
export type FormDecl = z.output<typeof FormDecl>;

// ---------------------------------------------------------------------------------------------
// The register

export const Category = z.strictObject({
  id: DeclId,
  title: LocalizedText,
  /** Special categories (art. 10); health above all. */
  special: z.enum(['health']).nullable().default(null),
  description: LocalizedText.optional(),
});
export type Category = z.output<typeof Category>;

export const SubjectCategory = z.strictObject({ id: DeclId, title: LocalizedText });
export type SubjectCategory = z.output<typeof SubjectCategory>;

/**
 * Legal bases of art. 6 p.1 (item numbers in comments), plus art. 10 p.2 item 4 for health data
 * processed for medical purposes by people bound by medical secrecy.
 */
export const LegalBasis = z.enum([
  'consent', // item 1
  'legal_obligation', // item 2
  'justice', // item 3
  'public_function', // item 4
  'contract', // item 5: performance of a contract the subject is party to
  'contract_steps', // item 5: steps at the subject's request before a contract
  'vital_interests', // item 6
  'legitimate_interests', // item 7
  'research', // item 9
  'medical_care', // art. 10 p.2 item 4
]);
export type LegalBasis = z.infer<typeof LegalBasis>;

/** Actions (operations) with personal data as art. 3 item 3 lists them. */
export const Action = z.enum([
  'collection',
  'recording',
  'systematisation',
  'accumulation',
  'storage',
  'clarification',
  'extraction',
  'use',
  'transfer',
  'distribution',
  'provision',
  'access',
  'depersonalisation',
  'blocking',
  'deletion',
  'destruction',
]);
export type Action = z.infer<typeof Action>;

export const ConsentDocument = z.enum(['processing', 'marketing', 'review_publication']);
export type ConsentDocument = z.infer<typeof ConsentDocument>;

export const Retention = z.strictObject({
  months: z.number().int().min(1).max(1200),
  /** The moment the term runs from. */
  from: z.enum(['consent', 'collection', 'purpose_end']),
});
export type Retention = z.infer<typeof Retention>;

export const Purpose = z.strictObject({
  id: DeclId,
  title: LocalizedText,
  description: LocalizedText.optional(),
  /** Optional while drafting; the linter refuses to publish without it. */
  legalBasis: LegalBasis.optional(),
  categories: z.array(DeclId).max(100).default([]),
  subjectCategories: z.array(DeclId).max(50).default([]),
  actions: z.array(Action).max(Action.options.length).default([]),
  /** Automated, or mixed (automated and by hand). */
  methods: z.enum(['automated', 'mixed', 'manual']).default('mixed'),
  /** Optional while drafting; the linter refuses to publish without it. */
  retention: Retention.optional(),
  recipients: z.array(DeclId).max(50).default([]),
  /** The consent document a subject confirms for this purpose, when the basis is consent. */
  consentDocument: ConsentDocument.nullable().default(null),
});
export type Purpose = z.output<typeof Purpose>;

/** ISO 3166-1 alpha-2, upper case. */
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'Код страны ISO 3166 / ISO 3166 alpha-2 code');

export const Recipient = z.strictObject({
  id: DeclId,
  name: line(500),
  kind: z.enum(['processor', 'third_party', 'authority']),
  country: CountryCode,
  address: line(1000).optional(),
  /** What the recipient does with the data. */
  role: LocalizedText.optional(),
  /** Required for a recipient outside Russia (art. 12): the country's protection and the basis. */
  crossBorderNote: LocalizedText.optional(),
});
export type Recipient = z.output<typeof Recipient>;

export const ChannelKind = z.enum([
  'phone_call',
  'whatsapp_call',
  'whatsapp_message',
  'telegram_message',
  'email',
  'web_form',
  'widget',
  'api',
  'in_person',
]);
export type ChannelKind = z.infer<typeof ChannelKind>;

export const Channel = z.strictObject({
  id: DeclId,
  kind: ChannelKind,
  title: LocalizedText,
  /** The purpose data arriving through the channel is processed for. */
  purposeId: DeclId.optional(),
  /** A recipient the channel passes data through (a messenger's provider, for example). */
  recipientId: DeclId.optional(),
});
export type Channel = z.output<typeof Channel>;

export const Cookie = z.strictObject({
  name: line(200),
  category: z.enum(['technical', 'analytics', 'marketing']),
  purpose: LocalizedText,
  lifetime: LocalizedText,
  /** The recipient (an analytics service) that sets or receives it, if any. */
  recipientId: DeclId.optional(),
});
export type Cookie = z.output<typeof Cookie>;

export const WithdrawalMethod = z.enum(['email', 'post', 'in_person', 'web_form', 'phone']);
export type WithdrawalMethod = z.infer<typeof WithdrawalMethod>;

/** Where subjects send requests and withdrawals; falls back to the operator's card. */
export const Requests = z.strictObject({
  email: Email.optional(),
  postalAddress: line(1000).optional(),
  phone: line(60).optional(),
  /** How a consent can be withdrawn; at least one is needed to publish. */
  withdrawalMethods: z.array(WithdrawalMethod).max(5).default([]),
  /** Answer time for a subject's request, in working days (art. 14 p.7, art. 20). */
  answerWorkingDays: z.number().int().min(1).max(30).default(10),
});
export type Requests = z.output<typeof Requests>;

/** Overrides of the operator's card (the console's legal details) for the documents. */
export const OperatorDetails = z.strictObject({
  name: line(500).optional(),
  shortName: line(200).optional(),
  inn: z
    .string()
    .trim()
    .regex(/^\d{10}(\d{2})?$/, 'ИНН: 10 или 12 цифр / INN: 10 or 12 digits')
    .optional(),
  ogrn: z
    .string()
    .trim()
    .regex(/^\d{13}(\d{2})?$/, 'ОГРН: 13 или 15 цифр / OGRN: 13 or 15 digits')
    .optional(),
  postalAddress: line(1000).optional(),
  responsiblePerson: line(300).optional(),
  website: line(300).optional(),
  phone: line(60).optional(),
});
export type OperatorDetails = z.output<typeof OperatorDetails>;

/** The whole declaration (version 1 of the format). */
export const Declaration = z.strictObject({
  version: z.literal(1),
  operatorDetails: OperatorDetails.optional(),
  categories: z.array(Category).max(100).default([]),
  subjects: z.array(SubjectCategory).max(50).default([]),
  purposes: z.array(Purpose).max(50).default([]),
  recipients: z.array(Recipient).max(50).default([]),
  channels: z.array(Channel).max(50).default([]),
  cookies: z.array(Cookie).max(100).default([]),
  forms: z.array(FormDecl).max(FORM_IDS.length).default([]),
  requests: Requests.default({ withdrawalMethods: [], answerWorkingDays: 10 }),
});
/** A parsed declaration (defaults filled in). */
export type Declaration = z.output<typeof Declaration>;
/** A declaration as written (YAML, console), before defaults. */
export type DeclarationInput = z.input<typeof Declaration>;

// ---------------------------------------------------------------------------------------------
// Published documents

export const DOCUMENT_KINDS = [
  'privacy_policy',
  'consent_processing',
  'consent_marketing',
  'consent_review_publication',
  'cookie_notice',
] as const;
export const DocumentKind = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof DocumentKind>;

/** The consent document kind for a purpose's consent, or for a form's optional consent. */
export const CONSENT_DOCUMENT_KIND: Record<ConsentDocument, DocumentKind> = {
  processing: 'consent_processing',
  marketing: 'consent_marketing',
  review_publication: 'consent_review_publication',
};

const DOCUMENT_SLUGS: Record<Exclude<DocumentKind, 'privacy_policy'>, string> = {
  consent_processing: 'consent-processing',
  consent_marketing: 'consent-marketing',
  consent_review_publication: 'consent-review-publication',
  cookie_notice: 'cookie-notice',
};

/** The languages documents are published in: Russian (binding) and an English translation. */
export const DOCUMENT_LANGS = ['ru', 'en'] as const;
export const DocumentLang = z.enum(DOCUMENT_LANGS);
export type DocumentLang = z.infer<typeof DocumentLang>;

/** Where the public site serves a language's pages: Russian at the root, English under `/en`. */
export function langPrefix(lang: DocumentLang): string {
  return lang === 'en' ? '/en' : '';
}

/**
 * The public path of a document: the current one without a version, a fixed version with it; the
 * English documents live under `/en`.
 *
 * @example
 *   documentPath('privacy_policy'); // '/privacy'
 *   documentPath('consent_processing', 2); // '/documents/consent-processing/versions/2'
 *   documentPath('privacy_policy', 1, 'en'); // '/en/privacy/versions/1'
 */
export function documentPath(kind: DocumentKind, version?: number, lang: DocumentLang = 'ru'): string {
  const base = `${langPrefix(lang)}${kind === 'privacy_policy' ? '/privacy' : `/documents/${DOCUMENT_SLUGS[kind]}`}`;
  return version === undefined ? base : `${base}/versions/${version}`;
}

/** The document kind for a URL slug (`consent-processing`), or undefined. */
export function documentKindOfSlug(slug: string): DocumentKind | undefined {
  if (slug === 'privacy') return 'privacy_policy';
  const hit = Object.entries(DOCUMENT_SLUGS).find(([, s]) => s === slug);
  return hit ? (hit[0] as DocumentKind) : undefined;
}

export const DOCUMENT_TITLES: Record<DocumentKind, { ru: string; en: string }> = {
  privacy_policy: { ru: 'Политика в отношении обработки персональных данных', en: 'Privacy policy' },
  consent_processing: {
    ru: 'Согласие на обработку персональных данных',
    en: 'Consent to the processing of personal data',
  },
  consent_marketing: {
    ru: 'Согласие на получение информационных и рекламных сообщений',
    en: 'Consent to receiving information and advertising messages',
  },
  consent_review_publication: {
    ru: 'Согласие на распространение персональных данных (публикация отзыва)',
    en: 'Consent to the distribution of personal data (publishing a review)',
  },
  cookie_notice: { ru: 'Уведомление об использовании файлов cookie', en: 'Cookie notice' },
};

/** One immutable published version of one document. */
export const PublishedDocument = z.object({
  id: z.uuid(),
  operatorId: z.uuid(),
  kind: DocumentKind,
  version: z.number().int().min(1),
  publishedAt: z.date(),
  /** Hex SHA-256 of the document's rendered plain text (UTF-8). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  lang: z.enum(['ru', 'en']),
  /** Public path of this version, e.g. `/privacy/versions/3`. */
  url: z.string(),
});
export type PublishedDocument = z.infer<typeof PublishedDocument>;

/** What is in force for an operator: the declaration last published and its documents. */
export interface PublishedPolicy {
  /** The number of the publication (1, 2, ...) whose declaration this is. */
  declarationVersion: number;
  declaration: Declaration;
  publishedAt: Date;
  /** The Russian documents: the binding texts. */
  documents: Record<DocumentKind, PublishedDocument>;
  /** The English versions, when the publication rendered them (a consent given on an English page cites these). */
  documentsEn?: Record<DocumentKind, PublishedDocument>;
}

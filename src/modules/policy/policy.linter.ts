/**
 * The declaration linter: what is missing or inconsistent before a declaration may be published.
 * Errors refuse the publish; warnings are shown and allowed. Each issue has a stable code, the path
 * of the entry it is about, and a Russian message (English after a slash, as elsewhere).
 *
 * @example
 *   const issues = lintDeclaration(declaration, operatorCard);
 *   if (issues.some((i) => i.level === 'error')) throw ...;
 */
import {
  CONSENT_DOCUMENT_KIND,
  FIELD_LABELS,
  type ConsentDocument,
  type Declaration,
} from './declaration.schemas.ts';

export interface LintIssue {
  level: 'error' | 'warning';
  code: string;
  /** Where in the declaration: `purposes.0.retention`, `forms.2.fields.1`. */
  path: string;
  message: string;
}

/** The operator's card as far as the documents need it (the console's legal details). */
export interface OperatorCard {
  name: string;
  shortName?: string | null;
  inn?: string;
  ogrn?: string;
  postalAddress?: string;
  responsiblePerson?: string;
  requestsEmail?: string;
  requestsPostalAddress?: string;
}

/** The operator's details for the documents: the declaration's overrides over the card. */
export interface EffectiveOperator {
  name: string;
  shortName: string | undefined;
  inn: string | undefined;
  ogrn: string | undefined;
  postalAddress: string | undefined;
  responsiblePerson: string | undefined;
  website: string | undefined;
  phone: string | undefined;
  requestsEmail: string | undefined;
  requestsPostalAddress: string | undefined;
}

export function effectiveOperator(d: Declaration, card: OperatorCard | undefined): EffectiveOperator {
  const o = d.operatorDetails ?? {};
  const nonEmpty = (s: string | null | undefined) => (s && s.trim() !== '' ? s : undefined);
  return {
    name: o.name ?? card?.name ?? '',
    shortName: o.shortName ?? nonEmpty(card?.shortName),
    inn: o.inn ?? nonEmpty(card?.inn),
    ogrn: o.ogrn ?? nonEmpty(card?.ogrn),
    postalAddress: o.postalAddress ?? nonEmpty(card?.postalAddress),
    responsiblePerson: o.responsiblePerson ?? nonEmpty(card?.responsiblePerson),
    website: o.website,
    phone: o.phone,
    requestsEmail: d.requests.email ?? nonEmpty(card?.requestsEmail),
    requestsPostalAddress:
      d.requests.postalAddress ?? nonEmpty(card?.requestsPostalAddress) ?? nonEmpty(card?.postalAddress),
  };
}

/** Lints a parsed declaration against the operator's card. Issues come in declaration order. */
export function lintDeclaration(d: Declaration, card: OperatorCard | undefined): LintIssue[] {
  const out: LintIssue[] = [];
  const error = (code: string, path: string, message: string) =>
    out.push({ level: 'error', code, path, message });
  const warning = (code: string, path: string, message: string) =>
    out.push({ level: 'warning', code, path, message });

  duplicates(d.categories, 'categories', error);
  duplicates(d.subjects, 'subjects', error);
  duplicates(d.purposes, 'purposes', error);
  duplicates(d.recipients, 'recipients', error);
  duplicates(d.channels, 'channels', error);
  duplicates(d.forms, 'forms', error);

  const categories = new Map(d.categories.map((c) => [c.id, c]));
  const subjects = new Set(d.subjects.map((s) => s.id));
  const recipients = new Map(d.recipients.map((r) => [r.id, r]));
  const purposes = new Map(d.purposes.map((p) => [p.id, p]));

  // The operator and where subjects write to.
  const op = effectiveOperator(d, card);
  if (op.name === '')
    error(
      'operator.name',
      'operatorDetails.name',
      'Не указано наименование оператора / Operator name missing',
    );
  if (!op.postalAddress) {
    error(
      'operator.address',
      'operatorDetails.postalAddress',
      'Не указан адрес оператора / Operator address missing',
    );
  }
  if (!op.requestsEmail && !op.requestsPostalAddress) {
    error(
      'requests.address',
      'requests',
      'Не указан адрес (почтовый или электронный) для обращений субъектов / No address for requests',
    );
  } else if (!op.requestsEmail) {
    warning(
      'requests.email',
      'requests.email',
      'Не указан адрес электронной почты для обращений / No e-mail for requests',
    );
  }
  if (d.requests.withdrawalMethods.length === 0) {
    error(
      'requests.withdrawal',
      'requests.withdrawalMethods',
      'Не указан ни один способ отозвать согласие / No way to withdraw consent',
    );
  }
  if (d.requests.withdrawalMethods.includes('email') && !op.requestsEmail) {
    error(
      'requests.withdrawal_email',
      'requests.withdrawalMethods',
      'Отзыв по e-mail без адреса e-mail / Withdrawal by e-mail without an e-mail address',
    );
  }
  if (d.requests.withdrawalMethods.includes('phone') && !d.requests.phone && !op.phone) {
    error(
      'requests.withdrawal_phone',
      'requests.withdrawalMethods',
      'Отзыв по телефону без номера / Withdrawal by phone without a number',
    );
  }
  if (!op.responsiblePerson) {
    warning(
      'operator.responsible',
      'operatorDetails.responsiblePerson',
      'Не назначено лицо, ответственное за обработку ПДн / No responsible person',
    );
  }

  if (d.purposes.length === 0)
    error('purposes.none', 'purposes', 'Не объявлено ни одной цели обработки / No purposes declared');

  // Purposes.
  d.purposes.forEach((p, i) => {
    const at = `purposes.${i}`;
    const name = `«${p.title.ru}»`;
    if (!p.legalBasis)
      error(
        'purpose.legal_basis',
        `${at}.legalBasis`,
        `Цель ${name}: не указано правовое основание / No legal basis`,
      );
    if (!p.retention)
      error(
        'purpose.retention',
        `${at}.retention`,
        `Цель ${name}: не указан срок хранения / No retention term`,
      );
    if (p.categories.length === 0)
      error(
        'purpose.categories',
        `${at}.categories`,
        `Цель ${name}: не указаны категории ПДн / No categories`,
      );
    p.categories.forEach((c, j) => {
      if (!categories.has(c)) {
        error(
          'purpose.category_undeclared',
          `${at}.categories.${j}`,
          `Цель ${name}: категория «${c}» не объявлена / Undeclared category`,
        );
      }
    });
    if (p.subjectCategories.length === 0) {
      warning(
        'purpose.subjects',
        `${at}.subjectCategories`,
        `Цель ${name}: не указаны категории субъектов / No subject categories`,
      );
    }
    p.subjectCategories.forEach((s, j) => {
      if (!subjects.has(s)) {
        error(
          'purpose.subject_undeclared',
          `${at}.subjectCategories.${j}`,
          `Цель ${name}: категория субъектов «${s}» не объявлена / Undeclared subject category`,
        );
      }
    });
    if (p.actions.length === 0)
      warning('purpose.actions', `${at}.actions`, `Цель ${name}: не перечислены действия с ПДн / No actions`);
    p.recipients.forEach((r, j) => {
      if (!recipients.has(r)) {
        error(
          'purpose.recipient_undeclared',
          `${at}.recipients.${j}`,
          `Цель ${name}: получатель «${r}» не объявлен / Undeclared recipient`,
        );
      }
    });
    if (p.legalBasis === 'consent' && p.consentDocument === null) {
      error(
        'purpose.consent_document',
        `${at}.consentDocument`,
        `Цель ${name}: основание — согласие, но документ согласия не выбран / Consent basis without a consent document`,
      );
    }
    if (p.consentDocument !== null && p.legalBasis !== undefined && p.legalBasis !== 'consent') {
      warning(
        'purpose.consent_not_basis',
        `${at}.consentDocument`,
        `Цель ${name}: документ согласия при основании, отличном от согласия / Consent document with another basis`,
      );
    }
    const special = p.categories.filter((c) => categories.get(c)?.special === 'health');
    if (
      special.length > 0 &&
      p.legalBasis !== undefined &&
      p.legalBasis !== 'consent' &&
      p.legalBasis !== 'medical_care'
    ) {
      error(
        'purpose.special_without_consent',
        `${at}.legalBasis`,
        `Цель ${name}: сведения о здоровье без согласия (ст. 10) / Health data without consent`,
      );
    }
    if (p.consentDocument === 'review_publication' && p.legalBasis !== 'consent') {
      error(
        'purpose.review_basis',
        `${at}.legalBasis`,
        `Цель ${name}: публикация отзыва возможна только с согласия (ст. 10.1) / Publishing needs consent`,
      );
    }
  });

  // Special categories need a purpose that processes them on consent.
  d.categories.forEach((c, i) => {
    if (c.special !== 'health') return;
    const users = d.purposes.filter((p) => p.categories.includes(c.id));
    if (!users.some((p) => p.legalBasis === 'consent' || p.legalBasis === 'medical_care')) {
      error(
        'category.special_without_consent',
        `categories.${i}`,
        `Категория «${c.title.ru}» (здоровье) без цели на основании согласия / Health category without a consent-based purpose`,
      );
    }
  });

  // Recipients.
  d.recipients.forEach((r, i) => {
    const at = `recipients.${i}`;
    if (r.country !== 'RU' && !r.crossBorderNote) {
      error(
        'recipient.cross_border',
        `${at}.crossBorderNote`,
        `Получатель «${r.name}» за рубежом (${r.country}) без сведений о трансграничной передаче / Recipient abroad without a cross-border note`,
      );
    }
    if (r.kind === 'processor' && !r.address) {
      warning(
        'recipient.address',
        `${at}.address`,
        `Обработчик «${r.name}»: не указан адрес (ст. 9 ч. 4 п. 5) / Processor without an address`,
      );
    }
  });
  d.channels.forEach((c, i) => {
    if (c.purposeId !== undefined && !purposes.has(c.purposeId)) {
      error(
        'channel.purpose_undeclared',
        `channels.${i}.purposeId`,
        `Канал «${c.title.ru}»: цель «${c.purposeId}» не объявлена / Undeclared purpose`,
      );
    }
    if (c.recipientId !== undefined && !recipients.has(c.recipientId)) {
      error(
        'channel.recipient_undeclared',
        `channels.${i}.recipientId`,
        `Канал «${c.title.ru}»: получатель «${c.recipientId}» не объявлен / Undeclared recipient`,
      );
    }
  });
  d.cookies.forEach((c, i) => {
    if (c.recipientId !== undefined && !recipients.has(c.recipientId)) {
      error(
        'cookie.recipient_undeclared',
        `cookies.${i}.recipientId`,
        `Cookie «${c.name}»: получатель «${c.recipientId}» не объявлен / Undeclared recipient`,
      );
    }
  });

  // Forms: the purpose with its consent document, and only fields the purpose declares.
  d.forms.forEach((f, i) => {
    const at = `forms.${i}`;
    const purpose = purposes.get(f.purposeId);
    if (!purpose) {
      error(
        'form.purpose_undeclared',
        `${at}.purposeId`,
        `Форма «${f.id}»: цель «${f.purposeId}» не объявлена / Undeclared purpose`,
      );
    } else if (purpose.consentDocument !== 'processing') {
      error(
        'form.no_processing_consent',
        `${at}.purposeId`,
        `Форма «${f.id}»: у цели нет документа согласия на обработку / Purpose without a processing consent document`,
      );
    }
    const seen = new Set<string>();
    f.fields.forEach((field, j) => {
      const fat = `${at}.fields.${j}`;
      const label = FIELD_LABELS[field.name].ru;
      if (seen.has(field.name))
        error('form.field_duplicate', fat, `Форма «${f.id}»: поле «${label}» повторяется / Duplicate field`);
      seen.add(field.name);
      const category = categories.get(field.category);
      if (!category) {
        error(
          'form.field_category_undeclared',
          `${fat}.category`,
          `Форма «${f.id}»: категория поля «${label}» не объявлена / Undeclared category`,
        );
      } else if (purpose && !purpose.categories.includes(field.category)) {
        error(
          'form.field_not_in_purpose',
          `${fat}.category`,
          `Форма «${f.id}»: поле «${label}» собирает категорию, которой нет в цели «${purpose.title.ru}» / Field category not declared by the purpose`,
        );
      }
      if (field.possibleHealthData && category && category.special !== 'health') {
        warning(
          'form.field_health',
          `${fat}.category`,
          `Форма «${f.id}»: в свободном поле «${label}» могут оказаться сведения о здоровье, а категория не отмечена как специальная / Free text may hold health data`,
        );
      }
    });
    (f.atLeastOneOf ?? []).forEach((name, j) => {
      if (!seen.has(name))
        error(
          'form.one_of_unknown',
          `${at}.atLeastOneOf.${j}`,
          `Форма «${f.id}»: поля «${name}» нет в форме / Field not in form`,
        );
    });
    f.optionalConsents.forEach((c, j) => {
      if (!d.purposes.some((p) => p.consentDocument === c)) {
        error(
          'form.optional_consent_purpose',
          `${at}.optionalConsents.${j}`,
          `Форма «${f.id}»: нет цели с документом согласия «${c}» / No purpose with this consent document`,
        );
      }
    });
    if (f.id === 'review' && !f.optionalConsents.includes('review_publication')) {
      warning(
        'form.review_publication',
        `${at}.optionalConsents`,
        'Форма отзывов без согласия на публикацию: отзывы нельзя будет публиковать / Reviews without publication consent cannot be published',
      );
    }
  });

  // Consent documents nobody asks for are still published (the set is fixed), but say so.
  for (const doc of ['marketing', 'review_publication'] as ConsentDocument[]) {
    if (!d.purposes.some((p) => p.consentDocument === doc)) {
      warning(
        'document.unused',
        'purposes',
        `Документ «${CONSENT_DOCUMENT_KIND[doc]}» не используется ни одной целью / Consent document not used by any purpose`,
      );
    }
  }
  if (d.cookies.length === 0)
    warning('cookies.none', 'cookies', 'Не перечислены файлы cookie / No cookies declared');
  return out;
}

function duplicates(
  items: readonly { id: string }[],
  at: string,
  error: (code: string, path: string, message: string) => void,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id))
      error('id.duplicate', `${at}.${i}.id`, `Идентификатор «${item.id}» повторяется / Duplicate id`);
    seen.add(item.id);
  });
}

export function hasErrors(issues: readonly LintIssue[]): boolean {
  return issues.some((i) => i.level === 'error');
}

/**
 * Field validation for the five web forms. Each FieldName has one rule and Russian messages; which
 * fields a form accepts, and which of them are required, comes from the form's declaration in the
 * published policy (a form collects only what its purpose declares). Values are trimmed and, for
 * phone and e-mail, normalised; anything else is kept exactly as typed (markup, quotes, emoji and
 * right-to-left text are data, escaped wherever they are shown), or refused with a clear message.
 * Messages never quote the value.
 *
 * @example
 *   const r = validateFields(formDecl, { name: 'Анна', phone: '8 912 345-67-89' }, { today: '2026-03-02' });
 *   if (!r.ok) r.errors; // { phone: 'Номер телефона указан неверно' }
 *   else r.values; // { name: 'Анна', phone: '+79123456789' }
 */
import { normalizeEmail, normalizePhone } from '../../platform/crypto/blind-index.ts';
import { safeFieldName } from '../../platform/validation.ts';
import { FIELD_NAMES, type FieldName, type FormDecl } from '../policy/index.ts';

/** Validated values by field name; absent fields are left out. */
export type FieldValues = Partial<Record<FieldName, string>>;

export type FieldErrors = Record<string, string>;

export type FieldsResult = { ok: true; values: FieldValues } | { ok: false; errors: FieldErrors };

/** What a form declares about its fields (the policy's FormDecl satisfies it). */
export type FormFields = Pick<FormDecl, 'fields'> & { atLeastOneOf?: readonly FieldName[] | undefined };

export interface FieldContext {
  /** Today's date (YYYY-MM-DD) in the operator's time zone, from the injected clock. */
  today: string;
}

// Control characters other than tab and line breaks: NUL never gets past the body parsers, but a
// service caller is not a body parser.
const FORBIDDEN_CONTROL = /(?![\t\n\r])\p{Cc}/u;
const LINE_BREAK = /[\r\n\u2028\u2029]/u;

const MESSAGES = {
  required: 'Заполните это поле',
  control: 'Поле содержит недопустимые символы',
  multiline: 'Поле должно умещаться в одну строку',
  tooLong: (max: number) => `Не больше ${max} символов`,
  phone: 'Номер телефона указан неверно',
  email: 'Адрес электронной почты указан неверно',
  rating: 'Поставьте оценку от 1 до 5',
  date: 'Укажите дату в формате ГГГГ-ММ-ДД',
  datePast: 'Дата уже прошла',
  dateFar: 'Запись возможна не больше чем на год вперёд',
  time: 'Укажите время в формате ЧЧ:ММ',
  unknown: 'Это поле не предусмотрено формой',
  atLeastOne: (labels: string) => `Укажите ${labels}`,
} as const;

const LABELS_GENITIVE: Partial<Record<FieldName, string>> = {
  phone: 'телефон',
  email: 'адрес электронной почты',
};

type Rule = (value: string, ctx: FieldContext) => { value: string } | { error: string };

function text(max: number, multiline: boolean): Rule {
  return (v) => {
    if (FORBIDDEN_CONTROL.test(v)) return { error: MESSAGES.control };
    if (!multiline && LINE_BREAK.test(v)) return { error: MESSAGES.multiline };
    // Characters as people count them (an emoji is one), not UTF-16 units.
    if ([...v].length > max) return { error: MESSAGES.tooLong(max) };
    return { value: v };
  };
}

const RULES: Record<FieldName, Rule> = {
  name: text(200, false),
  phone: (v) => {
    if (FORBIDDEN_CONTROL.test(v)) return { error: MESSAGES.control };
    try {
      return { value: normalizePhone(v).stored };
    } catch {
      return { error: MESSAGES.phone };
    }
  },
  email: (v) => {
    if (FORBIDDEN_CONTROL.test(v)) return { error: MESSAGES.control };
    try {
      return { value: normalizeEmail(v) };
    } catch {
      return { error: MESSAGES.email };
    }
  },
  message: text(5000, true),
  rating: (v) => (/^[1-5]$/.test(v) ? { value: v } : { error: MESSAGES.rating }),
  preferredDate: (v, ctx) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !isCalendarDate(v)) return { error: MESSAGES.date };
    if (v < ctx.today) return { error: MESSAGES.datePast };
    if (v > addYears(ctx.today, 1)) return { error: MESSAGES.dateFar };
    return { value: v };
  },
  preferredTime: (v) => (/^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? { value: v } : { error: MESSAGES.time }),
  serviceOrDoctor: text(1000, false),
  services: text(1000, true),
};

/**
 * Validates the raw strings a form posted against what the form declares. Empty strings count as
 * absent (browsers send every input). Every problem is reported at once, keyed by field name.
 */
export function validateFields(
  form: FormFields,
  raw: Readonly<Record<string, string>>,
  ctx: FieldContext,
): FieldsResult {
  const errors: FieldErrors = {};
  const values: FieldValues = {};
  const declared = new Map(form.fields.map((f) => [f.name, f]));
  let unknown = 0;
  for (const key of Object.keys(raw)) {
    if (!declared.has(key as FieldName)) {
      // The key is the client's own text: echoed only when it looks like a field name, and only a few.
      if (unknown++ < 5) errors[safeFieldName(key)] = MESSAGES.unknown;
    }
  }
  for (const f of form.fields) {
    const rawValue = Object.hasOwn(raw, f.name) ? raw[f.name] : undefined;
    const v = typeof rawValue === 'string' ? rawValue.trim() : '';
    if (v === '') {
      if (f.required) errors[f.name] = MESSAGES.required;
      continue;
    }
    const r = RULES[f.name](v, ctx);
    if ('error' in r) errors[f.name] = r.error;
    else values[f.name] = r.value;
  }
  const oneOf = form.atLeastOneOf ?? [];
  if (oneOf.length > 0 && !oneOf.some((n) => values[n] !== undefined || errors[n] !== undefined)) {
    const labels = oneOf.map((n) => LABELS_GENITIVE[n] ?? n).join(' или ');
    for (const n of oneOf) errors[n] = MESSAGES.atLeastOne(labels);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values };
}

function isCalendarDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The same day `years` later (29 February becomes 28 February). */
function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y + years, m - 1, d));
  if (t.getUTCDate() !== d) t.setUTCDate(0);
  return t.toISOString().slice(0, 10);
}

/** Every field name the forms know (for tests and documentation). */
export const KNOWN_FIELDS: readonly FieldName[] = FIELD_NAMES;

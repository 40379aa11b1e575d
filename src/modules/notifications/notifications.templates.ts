/**
 * The wording of status notices: the default texts (Russian), the check of an operator's own
 * texts, and the rendering.
 *
 * A text may print only the fixed placeholders (`{clinic_name}`, `{inquiry_number}`,
 * `{status_title}`, `{clinic_phone}`, `{policy_url}`); any other brace is refused when the text is
 * saved. Rendering is one pass over the template, so a value that itself contains `{...}` is never
 * expanded; control characters are removed from values (and line breaks from a subject), and a
 * line whose placeholder has no value (no clinic phone set) is left out whole rather than printed
 * half empty. The result is plain text: e-mails go out as text, never HTML.
 *
 * @example
 *   renderText('{clinic_name}: заявка № {inquiry_number}\nТел. {clinic_phone}',
 *     { clinic_name: 'МРТ Люкс', inquiry_number: '42', clinic_phone: '' });
 *   // 'МРТ Люкс: заявка № 42'
 */
import type { FieldIssue } from '../../platform/errors.ts';
import {
  EMAIL_BODY_MAX,
  EMAIL_SUBJECT_MAX,
  PLACEHOLDERS,
  SHORT_BODY_MAX,
  type NotifiedStatus,
  type Placeholder,
  type TemplateFamily,
} from './notifications.schemas.ts';

export type PlaceholderValues = Partial<Record<Placeholder, string>>;

/** How each status reads to the patient (not the console's titles, which speak to staff). */
export const PATIENT_STATUS_TITLES: Record<NotifiedStatus, string> = {
  in_progress: 'в работе',
  waiting_patient: 'ждём вашего ответа',
  appointment_made: 'вы записаны на приём',
  done: 'выполнена',
  rejected: 'закрыта',
};

const INTRO: Record<NotifiedStatus, string> = {
  in_progress: 'Ваша заявка № {inquiry_number} принята в работу. Мы свяжемся с вами в ближайшее время.',
  waiting_patient:
    'По вашей заявке № {inquiry_number} нам нужен ваш ответ. Пожалуйста, перезвоните нам или ответьте на наш звонок.',
  appointment_made:
    'По вашей заявке № {inquiry_number} вы записаны на приём. Подробности вам сообщил администратор.',
  done: 'Ваша заявка № {inquiry_number} выполнена. Спасибо, что обратились к нам.',
  rejected:
    'Ваша заявка № {inquiry_number} закрыта: мы не можем её выполнить. Если это ошибка, свяжитесь с нами.',
};

export interface DefaultTemplate {
  subject: string | null;
  body: string;
}

export function defaultTemplate(status: NotifiedStatus, family: TemplateFamily): DefaultTemplate {
  if (family === 'short') {
    return {
      subject: null,
      body: '{clinic_name}: заявка № {inquiry_number} — {status_title}.\nТел. {clinic_phone}',
    };
  }
  return {
    subject: 'Заявка № {inquiry_number}: {status_title} — {clinic_name}',
    body: [
      'Здравствуйте!',
      '',
      INTRO[status],
      '',
      'Вопросы по заявке: {clinic_phone}',
      '',
      'Письмо отправлено автоматически, отвечать на него не нужно.',
      'Как мы обрабатываем персональные данные: {policy_url}',
      '',
      '— {clinic_name}',
    ].join('\n'),
  };
}

const PLACEHOLDER_RE = /\{([^{}\n]*)\}/g;
// Control characters except the line break, which a body keeps; and all of them.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_IN_BODY = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/;
const CONTROL = /\p{Cc}/u;
const CONTROL_ALL = /\p{Cc}/gu;

/**
 * The problems of a text: an unknown `{placeholder}`, a stray brace, a control character, a
 * length over `max`. Messages name the problem, never repeat the text.
 */
export function checkText(
  path: string,
  text: string,
  max: number,
  allowed: readonly Placeholder[] = PLACEHOLDERS,
  o: { singleLine?: boolean } = {},
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (text.trim() === '') {
    issues.push({ path, message: 'Текст не может быть пустым / The text cannot be empty' });
    return issues;
  }
  if ([...text].length > max) {
    issues.push({ path, message: `Не длиннее ${max} символов / At most ${max} characters` });
  }
  const unknown = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    if (!(allowed as readonly string[]).includes(m[1]!)) unknown.add(m[1]!);
  }
  if (unknown.size > 0) {
    const names = [...unknown].map((u) => `{${[...u].slice(0, 40).join('')}}`).join(', ');
    issues.push({
      path,
      message: `Неизвестная подстановка ${names}; можно: ${allowed.map((a) => `{${a}}`).join(', ')} / Unknown placeholder`,
    });
  }
  if (/[{}]/.test(text.replace(PLACEHOLDER_RE, ''))) {
    issues.push({
      path,
      message:
        'Фигурные скобки — только для подстановок вида {clinic_name} / Braces only around placeholders',
    });
  }
  const control = o.singleLine ? CONTROL : CONTROL_IN_BODY;
  if (control.test(text.replace(/\r\n/g, '\n'))) {
    issues.push({
      path,
      message: o.singleLine
        ? 'Тема — одна строка без управляющих символов / The subject is one line without control characters'
        : 'Управляющие символы не допускаются / Control characters are not allowed',
    });
  }
  return issues;
}

/** Problems of a template's parts for its family (an empty part means: the default). */
export function checkTemplate(
  family: TemplateFamily,
  subject: string | null,
  body: string | null,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (family === 'email' && subject !== null) {
    issues.push(...checkText('subject', subject, EMAIL_SUBJECT_MAX, PLACEHOLDERS, { singleLine: true }));
  }
  if (body !== null)
    issues.push(...checkText('body', body, family === 'email' ? EMAIL_BODY_MAX : SHORT_BODY_MAX));
  return issues;
}

function clean(value: string, singleLine: boolean): string {
  const v = singleLine ? value.replace(/\s+/g, ' ') : value;
  return v.replace(CONTROL_ALL, '').trim();
}

/** Renders a text: one pass, lines with an empty placeholder dropped. */
export function renderText(
  template: string,
  values: PlaceholderValues,
  o: { singleLine?: boolean } = {},
): string {
  const lines = template.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    let empty = false;
    const rendered = line.replace(PLACEHOLDER_RE, (_m, name: string) => {
      const v = clean(values[name as Placeholder] ?? '', true);
      if (v === '') empty = true;
      return v;
    });
    if (!empty) out.push(rendered);
  }
  const text = out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return o.singleLine ? clean(text, true) : text;
}

/** Shortens a text to `max` characters (code points), ending with an ellipsis when cut. */
export function fitText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max
    ? text
    : chars
        .slice(0, max - 1)
        .join('')
        .trimEnd() + '…';
}

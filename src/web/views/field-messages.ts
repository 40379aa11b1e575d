/**
 * English field messages for the English pages. The intake answers in Russian, keyed by field (its
 * messages are the product's first language, and the API's clients read them as they are); the
 * site's English forms show each known message in English, and a plain "check this field" for any
 * message this table does not know yet, so an English page never shows a Russian sentence.
 *
 * @example
 *   englishFieldMessage('Заполните это поле'); // 'Please fill in this field'
 *   englishFieldMessage('Не больше 200 символов'); // 'At most 200 characters'
 */

/** Every message of the field rules (inquiries/fields.ts) and of the intake's own checks. */
const MESSAGES: Readonly<Record<string, string>> = {
  // Field rules.
  'Заполните это поле': 'Please fill in this field',
  'Поле содержит недопустимые символы': 'The field contains characters that are not allowed',
  'Поле должно умещаться в одну строку': 'The field must fit on one line',
  'Номер телефона указан неверно': 'The phone number is not valid',
  'Адрес электронной почты указан неверно': 'The e-mail address is not valid',
  'Поставьте оценку от 1 до 5': 'Choose a rating from 1 to 5',
  'Укажите дату в формате ГГГГ-ММ-ДД': 'Enter the date as YYYY-MM-DD',
  'Дата уже прошла': 'This date has already passed',
  'Запись возможна не больше чем на год вперёд': 'Bookings can be made at most one year ahead',
  'Укажите время в формате ЧЧ:ММ': 'Enter the time as HH:MM',
  'Это поле не предусмотрено формой': 'This field is not part of the form',
  'Укажите телефон или адрес электронной почты': 'Enter a phone number or an e-mail address',
  // The intake's consent and representative checks.
  'Без согласия на обработку персональных данных мы не сможем принять обращение':
    'We cannot accept the request without your consent to the processing of personal data',
  'Эта форма не предлагает согласие на рекламные рассылки':
    'This form does not offer the consent to advertising messages',
  'Чтобы оставить отзыв, разрешите его публикацию': 'To leave a review, allow it to be published',
  'Укажите, кто отправляет обращение': 'Enter who is sending the request',
};

const TOO_LONG = /^Не больше (\d+) символов$/u;

/** The generic message for one the table does not know. */
export const UNKNOWN_MESSAGE_EN = 'Please check this field';

/** A Russian field message from the intake, in English. */
export function englishFieldMessage(message: string): string {
  const known = MESSAGES[message];
  if (known !== undefined) return known;
  const long = TOO_LONG.exec(message);
  if (long) return `At most ${long[1]} characters`;
  return UNKNOWN_MESSAGE_EN;
}

/** Every message of an intake's answer, in English, keyed as it was. */
export function englishFieldErrors(errors: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, englishFieldMessage(v)]));
}

/**
 * The public site's words, Russian (the site's language), and the demo clinic's static page texts
 * (written for the fictional MRI centre, not copied from the seed policy).
 */
import type { FieldName, FormId, ReviewShow } from '../web.ports.ts';

export const NAV = [
  { href: '/', text: 'Главная' },
  { href: '/about', text: 'О центре' },
  { href: '/prices', text: 'Услуги и цены' },
  { href: '/appointment', text: 'Запись на приём' },
  { href: '/reviews', text: 'Отзывы' },
  { href: '/contacts', text: 'Контакты' },
] as const;

export const FORM_TEXT: Record<FormId, { title: string; intro: string; submit: string; thanks: string }> = {
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
};

export const FIELD_TEXT: Record<FieldName, { label: string; hint?: string }> = {
  name: { label: 'Имя' },
  phone: { label: 'Телефон', hint: 'Например, +7 912 345-67-89' },
  email: { label: 'Электронная почта' },
  message: { label: 'Сообщение' },
  rating: { label: 'Оценка' },
  preferredDate: { label: 'Желаемая дата' },
  preferredTime: { label: 'Желаемое время' },
  serviceOrDoctor: { label: 'Услуга или врач' },
  services: { label: 'Какие исследования вас интересуют' },
};

/** Labels that read better on a particular form. */
export const FIELD_LABEL_BY_FORM: Partial<Record<FormId, Partial<Record<FieldName, string>>>> = {
  review: { message: 'Текст отзыва' },
};

export const HEALTH_HINT =
  'Подробности о здоровье писать не нужно: достаточно того, что поможет нам ответить. ' +
  'Если вы их укажете, мы обработаем их как сведения о здоровье, с особой защитой.';

export const RATING_TEXT: Record<string, string> = {
  '5': '5 — отлично',
  '4': '4 — хорошо',
  '3': '3 — удовлетворительно',
  '2': '2 — плохо',
  '1': '1 — очень плохо',
};

export const REVIEW_SHOW_TEXT: Record<ReviewShow, string> = {
  first_name_initial: 'Имя и первую букву фамилии',
  first_name: 'Только имя',
  anonymous: 'Ничего: опубликовать анонимно',
};

/** The demo clinic's static texts (its address and contacts come from the operator's card). */
export const CLINIC: ClinicTexts = {
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

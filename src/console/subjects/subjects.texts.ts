/**
 * The console's texts for merging two patients' records: Russian first, English with the same
 * shape (a missing key is a type error).
 */
export const ru = {
  title: 'Объединение записей пациента',
  intro:
    'Если один человек обращался с разных телефонов или адресов, его записи можно объединить. Все обращения, согласия, история и опубликованные отзывы переходят к оставляемой записи; присоединяемая запись удаляется. Действие необратимо и записывается в журнал аудита.',
  noOperators:
    'Нет организаций, где вы можете объединять записи пациентов: это делает ответственный за обработку персональных данных.',
  operator: 'Организация',
  keep: 'Оставить запись',
  merge: 'Присоединить запись',
  refHint: 'Номер обращения (например, 123) или идентификатор субъекта.',
  compare: 'Сравнить',
  compareHeading: 'Проверьте, что это один человек',
  compareIntro: 'Данные обеих записей расшифрованы для сравнения; просмотр записан в журнал аудита.',
  kept: 'Останется',
  merged: 'Будет присоединена и удалена',
  name: 'Имя',
  phone: 'Телефон',
  email: 'Электронная почта',
  none: 'не указано',
  created: 'Создана',
  inquiries: 'Обращения',
  noInquiries: 'нет',
  inquiryNumber: (n: string) => `№ ${n}`,
  consents: 'Записей о согласиях',
  reviews: 'Опубликованных отзывов',
  subjectId: 'Идентификатор',
  filled:
    'Пустые поля оставляемой записи будут заполнены из присоединяемой; где есть оба значения, останется значение оставляемой записи.',
  swap: 'Поменять местами',
  confirm: 'Объединить записи',
  cancel: 'Отмена',
  done: (id: string) => `Записи объединены. Осталась запись ${id}.`,
  sameSubject: 'Это одна и та же запись: объединять нечего.',
  errorsHeading: 'Проверьте поля',
};

export type SubjectsText = typeof ru;

export const en: SubjectsText = {
  title: "Merging a patient's records",
  intro:
    'When one person came in from different phones or addresses, their records can be merged. All inquiries, consents, history and published reviews move to the record that is kept; the merged record is deleted. This cannot be undone and is written to the audit log.',
  noOperators:
    "There is no organisation where you may merge patients' records: that is the personal data officer's task.",
  operator: 'Organisation',
  keep: 'Record to keep',
  merge: 'Record to merge into it',
  refHint: 'An inquiry number (for example 123) or a subject id.',
  compare: 'Compare',
  compareHeading: 'Check that this is one person',
  compareIntro: 'Both records are decrypted for the comparison; the view is written to the audit log.',
  kept: 'Kept',
  merged: 'Merged and deleted',
  name: 'Name',
  phone: 'Phone',
  email: 'E-mail',
  none: 'not given',
  created: 'Created',
  inquiries: 'Inquiries',
  noInquiries: 'none',
  inquiryNumber: (n) => `No. ${n}`,
  consents: 'Consent records',
  reviews: 'Published reviews',
  subjectId: 'Id',
  filled:
    "The kept record's empty fields are filled from the merged one; where both have a value, the kept record's stays.",
  swap: 'Swap',
  confirm: 'Merge the records',
  cancel: 'Cancel',
  done: (id) => `The records are merged. Record ${id} remains.`,
  sameSubject: 'This is one and the same record: there is nothing to merge.',
  errorsHeading: 'Check the fields',
};

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../../platform/clock.ts';
import { localDateOf as localDate } from '../../platform/calendar/index.ts';
import { validateFields, type FormFields } from './fields.ts';
import { FormTokens, FORM_TOKEN_TTL_MS } from './form-token.ts';
import { TEST_FORMS } from './intake.testing.ts';

const form = (id: string): FormFields => TEST_FORMS.find((f) => f.id === id)!;
const today = '2026-03-02';
const check = (id: string, raw: Record<string, string>) => validateFields(form(id), raw, { today });
const errorsOf = (id: string, raw: Record<string, string>) => {
  const r = check(id, raw);
  return r.ok ? {} : r.errors;
};

describe('field rules', () => {
  it('stores hostile but harmless text exactly (markup, SQL, emoji, right-to-left)', () => {
    const hostile = [
      '<script>alert("x")</script>',
      "Robert'); DROP TABLE subjects;--",
      '👩‍⚕️ Анна 🙂',
      '\u202eأحمد\u202c',
      '&lt;b&gt; " \' ` $ { }',
    ];
    for (const h of hostile) {
      const r = check('estimate', { name: h, phone: '+79123456789', services: h });
      assert.ok(r.ok, h);
      assert.equal(r.values.name, h.trim());
      assert.equal(r.values.services, h.trim());
    }
  });

  it('name: 200 characters as people count them; 201 or a line break is an error', () => {
    assert.ok(check('callback', { name: '🙂'.repeat(200), phone: '+79123456789' }).ok, 'emoji count once');
    assert.equal(
      errorsOf('callback', { name: 'a'.repeat(201), phone: '+79123456789' }).name,
      'Не больше 200 символов',
    );
    assert.equal(
      errorsOf('callback', { name: 'a\nb', phone: '+79123456789' }).name,
      'Поле должно умещаться в одну строку',
    );
    assert.equal(errorsOf('callback', { name: '   ', phone: '+79123456789' }).name, 'Заполните это поле');
  });

  it('message: up to 5000 characters, line breaks allowed, 10 kB refused, NUL refused', () => {
    const base = { name: 'A', email: 'a@example.ru' };
    assert.ok(check('feedback', { ...base, message: 'x\n'.repeat(2500).trim() + 'y' }).ok);
    assert.equal(
      errorsOf('feedback', { ...base, message: 'x'.repeat(5001) }).message,
      'Не больше 5000 символов',
    );
    assert.equal(
      errorsOf('feedback', { ...base, message: 'x'.repeat(10_240) }).message,
      'Не больше 5000 символов',
    );
    assert.equal(
      errorsOf('feedback', { ...base, message: 'a\u0000b' }).message,
      'Поле содержит недопустимые символы',
    );
    assert.equal(
      errorsOf('feedback', { ...base, message: 'a\u0007b' }).message,
      'Поле содержит недопустимые символы',
    );
  });

  it('phone is normalised by libphonenumber-js; garbage is an error', () => {
    const r = check('callback', { name: 'A', phone: '8 (912) 345-67-89' });
    assert.ok(r.ok);
    assert.equal(r.values.phone, '+79123456789');
    for (const bad of ['12', 'позвоните', '<script>', '+7 912 345 67 89 0000000', "1' OR '1'='1"]) {
      assert.equal(
        errorsOf('callback', { name: 'A', phone: bad }).phone,
        'Номер телефона указан неверно',
        bad,
      );
    }
  });

  it('e-mail is checked and lower-cased', () => {
    const r = check('feedback', { name: 'A', email: ' Anna@Example.RU ', message: 'm' });
    assert.ok(r.ok);
    assert.equal(r.values.email, 'anna@example.ru');
    assert.equal(
      errorsOf('feedback', { name: 'A', email: 'anna@', message: 'm' }).email,
      'Адрес электронной почты указан неверно',
    );
  });

  it('feedback needs a phone or an e-mail', () => {
    const e = errorsOf('feedback', { name: 'A', message: 'm' });
    assert.equal(e.phone, 'Укажите телефон или адрес электронной почты');
    assert.equal(e.email, 'Укажите телефон или адрес электронной почты');
    assert.ok(check('feedback', { name: 'A', phone: '+79123456789', message: 'm' }).ok);
  });

  it('rating 1-5 only', () => {
    for (const ok of ['1', '5']) assert.ok(check('review', { name: 'A', message: 'm', rating: ok }).ok);
    for (const bad of ['0', '6', '4.5', '55', 'пять']) {
      const e = errorsOf('review', { name: 'A', message: 'm', rating: bad });
      assert.equal(e.rating, 'Поставьте оценку от 1 до 5', bad);
    }
  });

  it('preferred date: today is fine, yesterday is past, exactly a year ahead is fine, a day more is not', () => {
    const base = { name: 'A', phone: '+79123456789' };
    const d = (preferredDate: string) => errorsOf('appointment', { ...base, preferredDate }).preferredDate;
    assert.equal(d('2026-03-02'), undefined);
    assert.equal(d('2026-03-01'), 'Дата уже прошла');
    assert.equal(d('2027-03-02'), undefined);
    assert.equal(d('2027-03-03'), 'Запись возможна не больше чем на год вперёд');
    assert.equal(d('2026-02-30'), 'Укажите дату в формате ГГГГ-ММ-ДД');
    assert.equal(d('02.03.2026'), 'Укажите дату в формате ГГГГ-ММ-ДД');
  });

  it('today is the operator’s: 21:30 UTC is already tomorrow in Moscow', () => {
    assert.equal(localDate(new Date('2026-03-01T21:30:00Z'), 'Europe/Moscow'), '2026-03-02');
    assert.equal(localDate(new Date('2026-03-01T20:59:59Z'), 'Europe/Moscow'), '2026-03-01');
    assert.equal(localDate(new Date('2026-03-01T21:30:00Z'), 'Europe/Kaliningrad'), '2026-03-01');
  });

  it('preferred time HH:MM', () => {
    const t = (preferredTime: string) =>
      errorsOf('appointment', { name: 'A', phone: '+79123456789', preferredTime }).preferredTime;
    assert.equal(t('00:00'), undefined);
    assert.equal(t('23:59'), undefined);
    for (const bad of ['24:00', '9:30', '12:60', '12-30'])
      assert.equal(t(bad), 'Укажите время в формате ЧЧ:ММ', bad);
  });

  it('only declared fields: an unknown one is an error, its name echoed only when it is a plain identifier', () => {
    const e = errorsOf('callback', { name: 'A', phone: '+79123456789', email: 'a@b.ru', '<img src=x>': '1' });
    assert.deepEqual(Object.keys(e).sort(), ['(unknown field)', 'email']);
    assert.equal(e.email, 'Это поле не предусмотрено формой');
  });
});

describe('form tokens', () => {
  const key = Buffer.alloc(32, 7);
  const clock = fixedClock(new Date('2026-03-02T09:00:00Z'));
  const tokens = new FormTokens(async () => key, clock);
  const operatorId = '4b1f3b0e-4a5e-4c1a-9c4e-2f7d6f1a0b11';

  it('round-trips operator, form, issue time and a fresh idempotency key', async () => {
    const a = await tokens.issue(operatorId, 'callback');
    const b = await tokens.issue(operatorId, 'callback');
    const ta = await tokens.read(a);
    assert.deepEqual(
      { ...ta, idempotencyKey: undefined },
      { operatorId, formId: 'callback', issuedAt: clock.now(), idempotencyKey: undefined },
    );
    assert.notEqual(ta!.idempotencyKey, (await tokens.read(b))!.idempotencyKey);
  });

  it('expires after exactly 24 hours', async () => {
    const t = await tokens.issue(operatorId, 'review');
    clock.advance(FORM_TOKEN_TTL_MS);
    assert.ok(await tokens.read(t), 'at the edge');
    clock.advance(1);
    assert.equal(await tokens.read(t), undefined, '1 ms later');
  });

  it('refuses tampered, foreign and malformed tokens', async () => {
    const t = await tokens.issue(operatorId, 'callback');
    const [v, payload, sig] = t.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    forged.f = 'review';
    assert.equal(
      await tokens.read(`${v}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`),
      undefined,
    );
    const other = new FormTokens(async () => Buffer.alloc(32, 8), clock);
    assert.equal(await other.read(t), undefined);
    for (const bad of ['', 'v1..', 'x.y.z', `${t}.x`, 'v1.' + '\u0000'.repeat(5) + '.a']) {
      assert.equal(await tokens.read(bad), undefined);
    }
  });
});

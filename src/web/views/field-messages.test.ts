import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateFields } from '../../modules/inquiries/index.ts';
import type { FormDecl } from '../web.ports.ts';
import { englishFieldErrors, englishFieldMessage, UNKNOWN_MESSAGE_EN } from './field-messages.ts';

const field = (name: FormDecl['fields'][number]['name'], required = false) => ({
  name,
  required,
  category: 'c',
  possibleHealthData: false,
});

describe('English field messages', () => {
  it('knows every message the field rules give, so an English page never shows the fallback', () => {
    const form = {
      fields: [
        field('name', true),
        field('phone'),
        field('email'),
        field('rating'),
        field('preferredDate'),
        field('preferredTime'),
        field('serviceOrDoctor'),
      ],
    };
    const ctx = { today: '2026-03-02' };
    const cases: Record<string, string>[] = [
      { name: '' },
      { name: 'a\u0001' },
      { name: 'a\nb' },
      { name: 'x'.repeat(201) },
      { name: 'A', phone: 'не телефон', email: 'no-at', rating: '9', preferredDate: 'x', preferredTime: 'x' },
      { name: 'A', preferredDate: '2026-03-01' },
      { name: 'A', preferredDate: '2027-03-03' },
      { name: 'A', bogus: 'x' },
    ];
    const seen = new Set<string>();
    for (const raw of cases) {
      const r = validateFields(form, raw, ctx);
      assert.equal(r.ok, false, JSON.stringify(raw));
      if (!r.ok) for (const m of Object.values(r.errors)) seen.add(m);
    }
    const oneOf = validateFields(
      { fields: [field('name'), field('phone'), field('email')], atLeastOneOf: ['phone', 'email'] },
      { name: 'A' },
      ctx,
    );
    assert.equal(oneOf.ok, false);
    if (!oneOf.ok) for (const m of Object.values(oneOf.errors)) seen.add(m);
    assert.ok(seen.size >= 13, `only ${seen.size} messages were produced`);
    for (const m of seen) {
      const en = englishFieldMessage(m);
      assert.notEqual(en, UNKNOWN_MESSAGE_EN, `no English for «${m}»`);
      assert.doesNotMatch(en, /[\u0400-\u04ff]/u);
    }
  });

  it('translates the length limit with its number, and falls back for a message it does not know', () => {
    assert.equal(englishFieldMessage('Не больше 200 символов'), 'At most 200 characters');
    assert.equal(englishFieldMessage('Какое-то новое сообщение'), UNKNOWN_MESSAGE_EN);
    assert.deepEqual(englishFieldErrors({ phone: 'Номер телефона указан неверно' }), {
      phone: 'The phone number is not valid',
    });
  });
});

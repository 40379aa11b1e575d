import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError, ErrorCode } from '../errors.ts';
import { blindIndex, normalizeEmail, normalizePhone } from './blind-index.ts';

const key = randomBytes(32);
const phoneIdx = (s: string): string => blindIndex(key, 'phone', normalizePhone(s).e164).toString('hex');

describe('blind index', () => {
  it('gives the three usual Russian spellings of one number the same index', () => {
    const forms = ['8 (912) 345-67-89', '+7 912 345 67 89', '89123456789'];
    for (const f of forms) assert.equal(normalizePhone(f).e164, '+79123456789');
    const idx = forms.map(phoneIdx);
    assert.equal(new Set(idx).size, 1);
    assert.equal(idx[0]!.length, 64);
  });

  it('gives different numbers different indexes', () => {
    const a = phoneIdx('+7 912 345 67 89');
    assert.notEqual(phoneIdx('+7 912 345 67 88'), a);
    assert.notEqual(phoneIdx('+7 (4912) 34-56-78'), a);
    // A foreign number stays foreign: with its country code it is not read as Russian.
    assert.equal(normalizePhone('+375 29 123 45 67').e164, '+375291234567');
    assert.notEqual(phoneIdx('+375 29 123 45 67'), a);
  });

  it('depends on the key and separates fields', () => {
    const other = randomBytes(32);
    assert.notDeepEqual(blindIndex(other, 'phone', '+79123456789'), blindIndex(key, 'phone', '+79123456789'));
    assert.notDeepEqual(blindIndex(key, 'email', 'x'), blindIndex(key, 'phone', 'x'));
  });

  it('keeps an extension in the stored value but not in the index', () => {
    const p = normalizePhone('8 (4912) 12-34-56 доб. 12');
    assert.equal(p.e164, '+74912123456');
    assert.equal(p.stored, '+74912123456;ext=12');
  });

  it('refuses invalid phones with a field issue that does not echo the value', () => {
    for (const bad of [
      '12345',
      '+7 000 000 00 00',
      'позвоните мне',
      '+79123456789x',
      'tel:+79123456789',
      '',
    ]) {
      assert.throws(
        () => normalizePhone(bad, 'contact.phone'),
        (e: unknown) => {
          assert.ok(e instanceof AppError);
          assert.equal(e.code, ErrorCode.ValidationFailed);
          assert.equal(e.details?.fields?.[0]?.path, 'contact.phone');
          if (bad) assert.ok(!JSON.stringify(e.details).includes(bad) && !e.message.includes(bad));
          return true;
        },
      );
    }
  });

  it('lower-cases and trims e-mails, and refuses malformed ones', () => {
    assert.equal(normalizeEmail('  Anna.Petrova@Example.RU '), 'anna.petrova@example.ru');
    assert.equal(
      blindIndex(key, 'email', normalizeEmail('ANNA@example.ru')).toString('hex'),
      blindIndex(key, 'email', normalizeEmail('anna@example.ru')).toString('hex'),
    );
    for (const bad of ['anna', 'anna@', '@example.ru', 'a b@example.ru', 'anna@example']) {
      assert.throws(
        () => normalizeEmail(bad),
        (e: unknown) => e instanceof AppError && e.code === ErrorCode.ValidationFailed,
      );
    }
  });
});

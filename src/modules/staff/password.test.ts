import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { checkPasswordPolicy, generatePassword, hashPassword, verifyPassword } from './password.ts';

describe('passwords', () => {
  it('hashes with argon2id at the OWASP parameters and verifies', async () => {
    const stored = await hashPassword('пароль-для-проверки-1');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(stored, 'пароль-для-проверки-1'), true);
    assert.equal(await verifyPassword(stored, 'пароль-для-проверки-2'), false);
    assert.equal(await verifyPassword('not a hash', 'whatever'), false);
  });

  it('enforces length in characters and refuses NUL', () => {
    const refused = (p: string) =>
      assert.throws(
        () => checkPasswordPolicy(p),
        (e: unknown) => e instanceof AppError && e.code === ErrorCode.ValidationFailed,
      );
    refused('a'.repeat(11));
    checkPasswordPolicy('a'.repeat(12));
    checkPasswordPolicy('ж'.repeat(12)); // 24 bytes, 12 characters
    refused('ж'.repeat(11));
    checkPasswordPolicy('a'.repeat(256));
    refused('a'.repeat(257));
    refused('abcdefghijkl\u0000m');
  });

  it('generates passwords that pass the policy and differ', () => {
    const a = generatePassword();
    checkPasswordPolicy(a);
    assert.notEqual(a, generatePassword());
  });
});

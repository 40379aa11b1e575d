/**
 * Staff passwords: argon2id with OWASP's parameters (m = 19456 KiB, t = 2, p = 1), about 65 ms per
 * hash on the reference 2-core machine. The PHC string records the parameters, so raising them later
 * keeps old hashes verifiable.
 *
 * @example
 *   const stored = await hashPassword('correct horse battery staple');
 *   await verifyPassword(stored, 'correct horse battery staple'); // true
 */
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../../platform/errors.ts';

export const ARGON2_OPTIONS = {
  // Algorithm.Argon2id: the package's enum is an ambient const enum, which isolated modules cannot
  // read, so its value is written out.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password and for a malformed stored hash alike; never throws on input. */
export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/**
 * The policy for a new password: length in characters (code points, so a Cyrillic password counts
 * as many characters as it shows), and no NUL. Composition rules are left out on purpose (NIST SP
 * 800-63B): length is what makes a password strong.
 */
export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (password.includes('\u0000')) {
    throw new AppError(ErrorCode.ValidationFailed, 'The password must not contain NUL characters', {
      fields: [{ path: 'password', message: 'NUL characters are not allowed' }],
    });
  }
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`,
      { fields: [{ path: 'password', message: 'too short or too long' }] },
    );
  }
}

/** A strong random password for accounts created from the command line (about 120 bits). */
export function generatePassword(): string {
  return randomBytes(15)
    .toString('base64url')
    .replace(/(.{5})(?=.)/g, '$1-');
}

let dummyHash: Promise<string> | undefined;

function dummy(): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));
}

/**
 * Computes the dummy hash ahead of the first sign-in, so that first unknown e-mail is not the one
 * request that takes twice as long.
 */
export function prepareDummyHash(): void {
  void dummy();
}

/**
 * Verifies against a throw-away hash of the same cost, so a login for an e-mail that has no
 * account takes as long as a wrong password for one that has.
 */
export async function verifyDummy(password: string): Promise<false> {
  await verifyPassword(await dummy(), password);
  return false;
}

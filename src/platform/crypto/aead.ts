/**
 * AES-256-GCM with a versioned envelope: `0x01 | iv (12) | tag (16) | ciphertext`. The associated
 * data binds a ciphertext to its place (for example subject id and field name), so a value copied
 * into another row or column does not decrypt.
 *
 * @example
 *   const blob = seal(key, Buffer.from('+79123456789'), 'subject:42:phone');
 *   open(key, blob, 'subject:42:phone').toString(); // '+79123456789'
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_LEN = 12;
const TAG_LEN = 16;
export const KEY_LEN = 32;

export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  if (key.length !== KEY_LEN) throw new Error('AES-256-GCM needs a 32-byte key');
  const iv = randomBytes(IV_LEN);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]);
}

/** Throws DecryptError when the key is wrong, the data was altered or the aad does not match. */
export function open(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob.length < 1 + IV_LEN + TAG_LEN || blob[0] !== VERSION) throw new DecryptError();
  const iv = blob.subarray(1, 1 + IV_LEN);
  const tag = blob.subarray(1 + IV_LEN, 1 + IV_LEN + TAG_LEN);
  const ct = blob.subarray(1 + IV_LEN + TAG_LEN);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw new DecryptError();
  }
}

export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor() {
    super('Ciphertext could not be decrypted with this key');
  }
}

export function sealString(key: Buffer, s: string, aad: string): Buffer {
  return seal(key, Buffer.from(s, 'utf8'), aad);
}

export function openString(key: Buffer, blob: Buffer, aad: string): string {
  return open(key, blob, aad).toString('utf8');
}

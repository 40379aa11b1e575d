import { createHmac } from 'node:crypto';
import type { KeyringService } from '../keyring/index.ts';

/**
 * The keyring's named keys this module uses, fetched once per process: each fetch is a round trip
 * to the keyring database and unwraps with the master key, too much to repeat on every sign-in.
 *
 * - `staff-secrets`: seals TOTP secrets (AAD bound to the staff id);
 * - `login-throttle`: HMAC of e-mails and addresses in `login_throttle`;
 * - `console-csrf`: signs the double-submit CSRF cookie of forms shown before sign-in.
 */
export type StaffKeyName = 'staff-secrets' | 'login-throttle' | 'console-csrf';

export class StaffKeys {
  private readonly cache = new Map<StaffKeyName, Promise<Buffer>>();

  constructor(private readonly keyring: KeyringService) {}

  get(name: StaffKeyName): Promise<Buffer> {
    let p = this.cache.get(name);
    if (!p) {
      p = this.keyring.namedKey(name);
      // A failed fetch (database briefly down) must not be remembered.
      void p.catch(() => this.cache.delete(name));
      this.cache.set(name, p);
    }
    return p;
  }

  async hmac(name: StaffKeyName, text: string): Promise<string> {
    return createHmac('sha256', await this.get(name))
      .update(text, 'utf8')
      .digest('base64url');
  }
}

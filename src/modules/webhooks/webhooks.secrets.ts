/**
 * The key that seals endpoints' signing secrets: the keyring's named key `webhook-secrets`, read
 * once per process (a failed read is not remembered).
 *
 * @example
 *   const secrets = new WebhookSecrets(keyring);
 *   const key = await secrets.key();
 */
import type { KeyringService } from '../keyring/index.ts';

export const WEBHOOK_SECRETS_KEY = 'webhook-secrets';

export class WebhookSecrets {
  private loaded: Promise<Buffer> | undefined;

  constructor(private readonly keyring: Pick<KeyringService, 'namedKey'>) {}

  key(): Promise<Buffer> {
    if (!this.loaded) {
      this.loaded = this.keyring.namedKey(WEBHOOK_SECRETS_KEY);
      this.loaded.catch(() => (this.loaded = undefined));
    }
    return this.loaded;
  }
}

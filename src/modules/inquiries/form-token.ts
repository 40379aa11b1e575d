/**
 * Form tokens: the hidden `_form_token` of each public form. A token carries the operator, the
 * form, when the form was served and a random idempotency key, signed with HMAC-SHA256 under the
 * keyring's named key `form-tokens`. The intake uses the issue time for the minimum fill time and
 * the key for idempotency, so a double click or a re-sent POST of the same page makes one inquiry.
 * Tokens hold no personal data; they expire after a day.
 *
 * @example
 *   const token = await tokens.issue(operatorId, 'callback');
 *   const t = await tokens.read(token); // { operatorId, formId, issuedAt, idempotencyKey } | undefined
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { FormId } from '../policy/index.ts';

export const FORM_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const FORM_TOKEN_KEY = 'form-tokens';

export interface FormToken {
  operatorId: string;
  formId: FormId;
  issuedAt: Date;
  idempotencyKey: string;
}

const Payload = z.strictObject({
  o: z.uuid(),
  f: FormId,
  t: z.number().int().nonnegative(),
  k: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});

export class FormTokens {
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly namedKey: (name: string) => Promise<Buffer>,
    private readonly clock: Clock,
  ) {}

  /** A fresh token for one rendering of a form. */
  async issue(operatorId: string, formId: FormId): Promise<string> {
    const payload = Buffer.from(
      JSON.stringify({
        o: operatorId,
        f: formId,
        t: this.clock.now().getTime(),
        k: randomBytes(18).toString('base64url'),
      }),
    ).toString('base64url');
    return `v1.${payload}.${this.sign(await this.secret(), payload)}`;
  }

  /** The token's content, or undefined when it is malformed, forged or expired. */
  async read(token: string): Promise<FormToken | undefined> {
    const parts = typeof token === 'string' && token.length <= 1000 ? token.split('.') : [];
    if (parts.length !== 3 || parts[0] !== 'v1') return undefined;
    const [, payload, sig] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(await this.secret(), payload));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const p = Payload.safeParse(json);
    if (!p.success) return undefined;
    const age = this.clock.now().getTime() - p.data.t;
    // A token from the future (clock skew between instances) is accepted up to a minute.
    if (age > FORM_TOKEN_TTL_MS || age < -60_000) return undefined;
    return {
      operatorId: p.data.o,
      formId: p.data.f,
      issuedAt: new Date(p.data.t),
      idempotencyKey: `form:${p.data.k}`,
    };
  }

  private sign(key: Buffer, payload: string): string {
    return createHmac('sha256', key).update(`soglasie/form-token/v1\u0000${payload}`).digest('base64url');
  }

  private secret(): Promise<Buffer> {
    if (!this.key) {
      this.key = this.namedKey(FORM_TOKEN_KEY);
      // A failed fetch must not be remembered.
      this.key.catch(() => (this.key = undefined));
    }
    return this.key;
  }
}

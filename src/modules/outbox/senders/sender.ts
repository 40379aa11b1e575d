/**
 * A channel that delivers outbox messages (e-mail, SMS, messengers). The dispatcher hands a sender
 * the decrypted message; the sender either delivers it, throws `SendRefused` when retrying cannot
 * help (the payload is not a message for this channel, the provider refused the recipient), throws
 * `SendFailed` for "try again later" with a short code and, when the provider said how long to
 * wait, that delay; anything else thrown is also retried.
 *
 * @example
 *   const sender: Sender = { channel: 'email', send: async (m) => { await mailer.sendMail(...) } };
 */
import { AppError, ErrorCode } from '../../../platform/errors.ts';

export interface OutboxMessage {
  readonly id: string;
  readonly operatorId: string;
  readonly subjectId: string;
  readonly channel: string;
  readonly template: string;
  /** The decrypted payload, as given to `OutboxService.add`; each sender validates its own shape. */
  readonly payload: unknown;
  /** 1 on the first attempt. */
  readonly attempt: number;
}

export interface Sender {
  readonly channel: string;
  send(message: OutboxMessage): Promise<void>;
}

/**
 * The message cannot be delivered as it is; the outbox marks it failed at once. `reason` is a short
 * code (`invalid_payload`, `smtp-550`), recorded instead of the error message, which may quote the
 * recipient.
 */
export class SendRefused extends AppError {
  constructor(readonly reason: string) {
    super(ErrorCode.BadRequest, 'The message was refused');
  }
}

/**
 * The message did not go out this time and may on a later attempt (the provider is down, asked to
 * slow down, or the channel is not connected yet). `reason` is a short code recorded on the outbox
 * row (`telegram-429`, `smsru-220`); `retryAfterMs` is the provider's own hint (Telegram's
 * `retry_after`), which the next attempt waits out at least.
 */
export class SendFailed extends Error {
  override readonly name = 'SendFailed';
  constructor(
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super('The message could not be sent this time');
  }
}

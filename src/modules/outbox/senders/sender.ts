/**
 * A channel that delivers outbox messages (e-mail now; SMS and messengers in later issues). The
 * dispatcher hands a sender the decrypted message; the sender either delivers it, throws
 * `SendRefused` when retrying cannot help (the payload is not a message for this channel, the
 * server refused the recipient), or throws anything else for "try again later".
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

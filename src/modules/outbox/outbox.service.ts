/**
 * The outbox: messages to patients, written in the same transaction as the change that causes
 * them, so a message exists if and only if the change committed. The recipient and the content are
 * encrypted with the subject's data key (AAD `outbox:<id>`): destroying the subject makes queued
 * messages unreadable too, and the dispatcher cancels them.
 *
 * `add` has no permission check of its own: it is a step inside another service's transaction,
 * whose method has already checked the principal, and the table's row-level security confines the
 * insert to the operators of that transaction's scope.
 *
 * A message bound by quiet hours (`quietHours: true`: status notices, marketing) is queued for the
 * first moment outside the operator's quiet hours, read from the `QuietHoursSource` given.
 *
 * @example
 *   await db.scoped([operatorId], async (tx) => {
 *     // ... record the inquiry ...
 *     await outbox.add(tx, { operatorId, subjectId, channel: 'email', template: 'inquiry.received',
 *       payload: { to, subject: 'Ваша заявка получена', text } });
 *   });
 */
import type { KeyringService } from '../keyring/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { sealString } from '../../platform/crypto/aead.ts';
import type { Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { Ids } from '../../platform/ids.ts';
import { outboxRepository as repo } from './outbox.repository.ts';
import { outboxAddSchema, type OutboxAddInput } from './outbox.schemas.ts';
import type { QuietHoursSource } from './quiet-hours.ts';

const EMAIL = 'email';

/** Why nothing can be sent by e-mail: said to the staff member who asked for it. */
export const EMAIL_NOT_CONFIGURED =
  'Электронная почта не настроена (SMTP_HOST, SMTP_FROM): письма не отправляются / E-mail is not configured';

export function outboxAad(id: string): string {
  return `outbox:${id}`;
}

export class OutboxService {
  constructor(
    private readonly keyring: KeyringService,
    private readonly clock: Clock,
    private readonly ids: Ids,
    /** The operators' quiet hours; without it, messages are never held back when queued. */
    readonly quietHours?: QuietHoursSource,
    /**
     * Whether e-mail goes out (SMTP is configured). Without it no e-mail is queued: callers check
     * this first and leave e-mails out, rather than queue messages that would wait forever.
     */
    readonly sendsEmail = true,
  ) {}

  /** Queues a message in the caller's transaction; returns the outbox row's id. */
  async add(tx: Tx, input: OutboxAddInput, subjectKey?: Buffer): Promise<string> {
    const parsed = outboxAddSchema.safeParse(input);
    if (!parsed.success) {
      // Field paths only: the issues' messages could quote the payload.
      throw new AppError(ErrorCode.ValidationFailed, 'Invalid outbox message', {
        fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.code })),
      });
    }
    const m = parsed.data;
    if (m.channel === EMAIL && !this.sendsEmail) {
      throw new AppError(ErrorCode.Conflict, EMAIL_NOT_CONFIGURED);
    }
    // A caller that holds the subject's key (the intake) saves the keyring a round trip.
    const key = subjectKey ?? (await this.keyring.getDataKey(m.subjectId));
    if (!key) throw new AppError(ErrorCode.SubjectDestroyed, 'The data subject has been destroyed');
    const id = this.ids.uuid();
    const at = this.clock.now();
    const due =
      m.quietHours && this.quietHours ? await this.quietHours.nextAllowed(m.operatorId, at, tx) : at;
    const inserted = await repo.insert(tx, {
      id,
      operatorId: m.operatorId,
      subjectId: m.subjectId,
      channel: m.channel,
      template: m.template,
      payloadEnc: sealString(key, JSON.stringify(m.payload), outboxAad(id)),
      at,
      due,
      inquiryId: m.inquiryId ?? null,
      quietHours: m.quietHours ?? false,
    });
    if (!inserted) throw new AppError(ErrorCode.NotFound, 'No such data subject for this operator');
    return id;
  }

  /**
   * Cancels the subject's messages of these templates that have not gone out yet (a withdrawn
   * marketing consent stops the marketing already queued); returns how many.
   */
  cancelPending(
    tx: Tx,
    o: { operatorId: string; subjectId: string; templates: readonly string[]; reason: string },
  ): Promise<number> {
    return repo.cancelPendingOf(tx, o.operatorId, o.subjectId, o.templates, o.reason);
  }
}

/** SQL for the outbox table. Every function takes the caller's transaction. */
import type { Tx } from '../../platform/db/database.ts';

export interface OutboxRow {
  id: string;
  operator_id: string;
  subject_id: string | null;
  channel: string;
  template: string;
  payload_enc: Buffer | null;
  attempts: number;
  quiet_hours: boolean;
}

export const outboxRepository = {
  /**
   * Inserts the row only if the subject belongs to the operator (and is visible in the caller's
   * scope), and the inquiry, when given, too; returns false otherwise.
   */
  async insert(
    tx: Tx,
    r: {
      id: string;
      operatorId: string;
      subjectId: string;
      channel: string;
      template: string;
      payloadEnc: Buffer;
      at: Date;
      /** When the first attempt is due (the end of quiet hours); `at` otherwise. */
      due: Date;
      inquiryId: string | null;
      quietHours: boolean;
    },
  ): Promise<boolean> {
    const { rowCount } = await tx.query(
      `INSERT INTO outbox (id, operator_id, subject_id, channel, template, payload_enc, next_attempt_at, created_at,
         inquiry_id, quiet_hours)
       SELECT $1, s.operator_id, s.id, $4, $5, $6, $8, $7, $9, $10 FROM subjects s
       WHERE s.id = $3 AND s.operator_id = $2
         AND ($9::uuid IS NULL OR EXISTS (SELECT 1 FROM inquiries i WHERE i.id = $9 AND i.operator_id = $2))`,
      [
        r.id,
        r.operatorId,
        r.subjectId,
        r.channel,
        r.template,
        r.payloadEnc,
        r.at,
        r.due,
        r.inquiryId,
        r.quietHours,
      ],
    );
    return rowCount === 1;
  },

  /** Locks due pending rows of the given channels, skipping rows another dispatcher holds. */
  async claimDue(tx: Tx, now: Date, channels: readonly string[], limit: number): Promise<OutboxRow[]> {
    const { rows } = await tx.query<OutboxRow>(
      `SELECT id, operator_id, subject_id, channel, template, payload_enc, attempts, quiet_hours FROM outbox
       WHERE state = 'pending' AND next_attempt_at <= $1 AND channel = ANY($2::text[])
       ORDER BY next_attempt_at, id
       LIMIT $3
       FOR UPDATE SKIP LOCKED`,
      [now, channels, limit],
    );
    return rows;
  },

  async markSent(tx: Tx, id: string, attempts: number, at: Date): Promise<void> {
    await tx.query(
      `UPDATE outbox SET state = 'sent', attempts = $2, sent_at = $3, last_error = NULL WHERE id = $1`,
      [id, attempts, at],
    );
  },

  async markRetry(tx: Tx, id: string, attempts: number, error: string, nextAt: Date): Promise<void> {
    await tx.query(`UPDATE outbox SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1`, [
      id,
      attempts,
      error,
      nextAt,
    ]);
  },

  async markFailed(tx: Tx, id: string, attempts: number, error: string): Promise<void> {
    await tx.query(`UPDATE outbox SET state = 'failed', attempts = $2, last_error = $3 WHERE id = $1`, [
      id,
      attempts,
      error,
    ]);
  },

  /** Moves a message out of quiet hours without counting an attempt. */
  async markDeferred(tx: Tx, id: string, error: string, nextAt: Date): Promise<void> {
    await tx.query(`UPDATE outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1`, [
      id,
      error,
      nextAt,
    ]);
  },

  /** Cancels a message that can no longer be read; its ciphertext is dropped with it. */
  async markCancelled(tx: Tx, id: string, error: string): Promise<void> {
    await tx.query(
      `UPDATE outbox SET state = 'cancelled', last_error = $2, payload_enc = NULL WHERE id = $1`,
      [id, error],
    );
  },

  /** Cancels the subject's pending messages of these templates, dropping their ciphertext. */
  async cancelPendingOf(
    tx: Tx,
    operatorId: string,
    subjectId: string,
    templates: readonly string[],
    error: string,
  ): Promise<number> {
    const { rowCount } = await tx.query(
      `UPDATE outbox SET state = 'cancelled', last_error = $4, payload_enc = NULL
       WHERE operator_id = $1 AND subject_id = $2 AND state = 'pending' AND template = ANY ($3::text[])`,
      [operatorId, subjectId, templates, error],
    );
    return rowCount ?? 0;
  },
};

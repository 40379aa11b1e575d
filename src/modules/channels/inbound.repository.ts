/**
 * The inquiry rows a channel writes: an inquiry opened by a message or a call (with where to
 * answer the patient) and its history events (message, call, consent, notification); consent
 * records are the consent module's. The inquiries module owns these tables' meaning (0006, 0011, 0013); the
 * statements here are the channels' own kinds of rows. Every function takes a Tx scoped to the
 * operator (row-level security).
 */
import type { Tx } from '../../platform/db/database.ts';

/** Statuses in which an inquiry is over: a new message opens another one. */
export const CLOSED_STATUSES = ['done', 'rejected', 'spam'] as const;

export interface OpenInquiry {
  id: string;
  number: string;
  subject_id: string;
  channel: string;
}

export interface ChannelInquiryRow {
  id: string;
  operator_id: string;
  subject_id: string;
  form_id: 'message' | 'call';
  channel: string;
  fields_enc: Buffer;
  possible_health_data: boolean;
  created_at: Date;
  first_contact_due_at: Date;
  reply_channel: string | null;
  reply_to_enc: Buffer | null;
}

export interface ChannelEventRow {
  id: string;
  operator_id: string;
  inquiry_id: string;
  at: Date;
  kind: 'message' | 'call' | 'consent' | 'notification';
  note_enc: Buffer | null;
  ref_id: string | null;
  actor_type: string;
  actor_id: string | null;
}

export const inboundRepository = {
  /**
   * The patient's newest inquiry that is not over, on this channel (or any, when null), share-locked
   * so that a destruction of the subject waits for the caller's write.
   */
  async findOpenInquiry(
    tx: Tx,
    operatorId: string,
    subjectId: string,
    channel: string | null,
  ): Promise<OpenInquiry | undefined> {
    const { rows } = await tx.query<OpenInquiry>(
      `SELECT id, number, subject_id, channel FROM inquiries
       WHERE operator_id = $1 AND subject_id = $2 AND ($3::text IS NULL OR channel = $3)
         AND status <> ALL ($4::text[])
       ORDER BY created_at DESC, id DESC LIMIT 1 FOR SHARE`,
      [operatorId, subjectId, channel, CLOSED_STATUSES],
    );
    return rows[0];
  },

  /** Inserts the inquiry; returns its number (what the patient is told). */
  async insertInquiry(tx: Tx, r: ChannelInquiryRow): Promise<string> {
    const { rows } = await tx.query<{ number: string }>(
      `INSERT INTO inquiries (id, operator_id, site_id, subject_id, form_id, channel, page, fields_enc,
         possible_health_data, on_behalf, created_at, first_contact_due_at, reply_channel, reply_to_enc)
       VALUES ($1, $2, NULL, $3, $4, $5, NULL, $6, $7, false, $8, $9, $10, $11) RETURNING number`,
      [
        r.id,
        r.operator_id,
        r.subject_id,
        r.form_id,
        r.channel,
        r.fields_enc,
        r.possible_health_data,
        r.created_at,
        r.first_contact_due_at,
        r.reply_channel,
        r.reply_to_enc,
      ],
    );
    return rows[0]!.number;
  },

  async insertEvent(tx: Tx, e: ChannelEventRow): Promise<void> {
    await tx.query(
      `INSERT INTO inquiry_events (id, operator_id, inquiry_id, at, kind, note_enc, ref_id, actor_type, actor_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.id, e.operator_id, e.inquiry_id, e.at, e.kind, e.note_enc, e.ref_id, e.actor_type, e.actor_id],
    );
  },

  /**
   * Whether a message of this template was already queued for the inquiry: tied to it by a
   * `notification` event, or by the outbox row's own inquiry id.
   */
  async templateQueued(tx: Tx, operatorId: string, inquiryId: string, template: string): Promise<boolean> {
    const { rows } = await tx.query<{ yes: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM inquiry_events e JOIN outbox o ON o.id = e.ref_id
         WHERE e.operator_id = $1 AND e.inquiry_id = $2 AND e.kind = 'notification' AND o.template = $3
       ) OR EXISTS (
         SELECT 1 FROM outbox WHERE operator_id = $1 AND inquiry_id = $2 AND template = $3
       ) AS yes`,
      [operatorId, inquiryId, template],
    );
    return rows[0]!.yes;
  },

  /** The inquiry's subject, share-locked (a destruction waits for the caller's write). */
  async subjectOf(tx: Tx, operatorId: string, inquiryId: string): Promise<string | undefined> {
    const { rows } = await tx.query<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE id = $1 AND operator_id = $2 FOR SHARE',
      [inquiryId, operatorId],
    );
    return rows[0]?.subject_id;
  },
};

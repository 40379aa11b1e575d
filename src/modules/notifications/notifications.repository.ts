/**
 * SQL of the notifications module: the operator's settings and template overrides (no personal
 * data, no RLS), what a status notice needs of an inquiry, the consents that allow a message, the
 * history event of a queued notice, marketing recipients, unsubscribe tokens and the withdrawal of
 * a marketing consent. Every function takes the caller's transaction (scoped to the operator where
 * the tables have row-level security); the service owns it.
 */
import type { Tx } from '../../platform/db/database.ts';

export interface SettingsRow {
  quiet_start: number | null;
  quiet_end: number | null;
  sms_notices: boolean;
  clinic_phone: string | null;
}

export interface TemplateRow {
  status: string;
  family: string;
  enabled: boolean;
  subject: string | null;
  body: string | null;
}

export interface NoticeInquiryRow {
  id: string;
  number: string;
  subject_id: string;
  channel: string;
  fields_enc: Buffer;
  reply_channel: string | null;
  reply_to_enc: Buffer | null;
}

export interface RecipientRow {
  id: string;
  email_enc: Buffer;
}

export interface TokenRow {
  subject_id: string;
  used_at: Date | null;
}

export interface ClinicRow {
  name: string;
  short_name: string | null;
  /** The operator's site domains, oldest first. */
  domains: string[];
}

export const notificationsRepository = {
  /** The operator's name and sites: what the placeholders print (no personal data). */
  async clinicOf(tx: Pick<Tx, 'query'>, operatorId: string): Promise<ClinicRow | undefined> {
    const { rows } = await tx.query<ClinicRow>(
      `SELECT o.name, o.short_name,
         coalesce((SELECT array_agg(s.domain ORDER BY s.created_at, s.id) FROM sites s WHERE s.operator_id = o.id),
           '{}') AS domains
       FROM operators o WHERE o.id = $1`,
      [operatorId],
    );
    return rows[0];
  },

  async settings(tx: Pick<Tx, 'query'>, operatorId: string): Promise<SettingsRow | undefined> {
    const { rows } = await tx.query<SettingsRow>(
      `SELECT quiet_start, quiet_end, sms_notices, clinic_phone FROM notification_settings WHERE operator_id = $1`,
      [operatorId],
    );
    return rows[0];
  },

  /** The operator's quiet hours and time zone (defaults when it has no settings row). */
  async quietOf(
    tx: Pick<Tx, 'query'>,
    operatorId: string,
  ): Promise<
    | { time_zone: string; has_settings: boolean; quiet_start: number | null; quiet_end: number | null }
    | undefined
  > {
    const { rows } = await tx.query<{
      time_zone: string;
      has_settings: boolean;
      quiet_start: number | null;
      quiet_end: number | null;
    }>(
      `SELECT o.time_zone, s.operator_id IS NOT NULL AS has_settings, s.quiet_start, s.quiet_end
       FROM operators o LEFT JOIN notification_settings s ON s.operator_id = o.id WHERE o.id = $1`,
      [operatorId],
    );
    return rows[0];
  },

  async upsertSettings(tx: Tx, operatorId: string, s: SettingsRow, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO notification_settings (operator_id, quiet_start, quiet_end, sms_notices, clinic_phone, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (operator_id) DO UPDATE SET quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
         sms_notices = EXCLUDED.sms_notices, clinic_phone = EXCLUDED.clinic_phone, updated_at = EXCLUDED.updated_at`,
      [operatorId, s.quiet_start, s.quiet_end, s.sms_notices, s.clinic_phone, at],
    );
  },

  async templates(tx: Tx, operatorId: string): Promise<TemplateRow[]> {
    const { rows } = await tx.query<TemplateRow>(
      `SELECT status, family, enabled, subject, body FROM notification_templates WHERE operator_id = $1`,
      [operatorId],
    );
    return rows;
  },

  async upsertTemplate(tx: Tx, operatorId: string, t: TemplateRow, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO notification_templates (operator_id, status, family, enabled, subject, body, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (operator_id, status, family) DO UPDATE SET enabled = EXCLUDED.enabled,
         subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`,
      [operatorId, t.status, t.family, t.enabled, t.subject, t.body, at],
    );
  },

  /** The inquiry as a notice needs it; share-locked so a destruction of the subject waits. */
  async inquiryForNotice(
    tx: Tx,
    operatorId: string,
    inquiryId: string,
  ): Promise<NoticeInquiryRow | undefined> {
    const { rows } = await tx.query<NoticeInquiryRow>(
      `SELECT id, number::text AS number, subject_id, channel, fields_enc, reply_channel, reply_to_enc
       FROM inquiries WHERE id = $1 AND operator_id = $2 FOR SHARE`,
      [inquiryId, operatorId],
    );
    return rows[0];
  },

  /** Those of the subjects (of the operator) that have an e-mail address, in id order. */
  async recipientsAmong(tx: Tx, operatorId: string, subjectIds: readonly string[]): Promise<RecipientRow[]> {
    const { rows } = await tx.query<RecipientRow>(
      `SELECT id, email_enc FROM subjects
       WHERE operator_id = $1 AND id = ANY ($2::uuid[]) AND email_enc IS NOT NULL ORDER BY id`,
      [operatorId, subjectIds],
    );
    return rows;
  },

  async insertToken(
    tx: Tx,
    t: { hash: Buffer; operatorId: string; subjectId: string; at: Date },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO unsubscribe_tokens (token_sha256, operator_id, subject_id, created_at) VALUES ($1, $2, $3, $4)`,
      [t.hash, t.operatorId, t.subjectId, t.at],
    );
  },

  /** The operator a token belongs to, without any scope (a SECURITY DEFINER function). */
  async tokenOperator(db: Pick<Tx, 'query'>, hash: Buffer): Promise<string | undefined> {
    const { rows } = await db.query<{ operator_id: string | null }>(
      'SELECT unsubscribe_token_operator($1) AS operator_id',
      [hash],
    );
    return rows[0]?.operator_id ?? undefined;
  },

  async findToken(tx: Tx, operatorId: string, hash: Buffer, lock: boolean): Promise<TokenRow | undefined> {
    const { rows } = await tx.query<TokenRow>(
      `SELECT subject_id, used_at FROM unsubscribe_tokens WHERE token_sha256 = $1 AND operator_id = $2
       ${lock ? 'FOR UPDATE' : ''}`,
      [hash, operatorId],
    );
    return rows[0];
  },

  async markTokenUsed(tx: Tx, hash: Buffer, at: Date): Promise<void> {
    await tx.query(`UPDATE unsubscribe_tokens SET used_at = $2 WHERE token_sha256 = $1 AND used_at IS NULL`, [
      hash,
      at,
    ]);
  },
};

/**
 * What a channel reads and writes besides the inquiries (which the inquiries module opens and
 * adds events to): whether a patient consented, whether a reply was already queued, an inquiry's
 * subject, and consent records given by voice. Every function takes a Tx scoped to the operator
 * (row-level security).
 */
import type { Tx } from '../../platform/db/database.ts';

export interface VerbalConsentRow {
  id: string;
  operator_id: string;
  subject_id: string;
  inquiry_id: string;
  kind: 'processing' | 'marketing';
  document_id: string;
  document_version: number;
  document_sha256: string;
  policy_version: number;
  given_at: Date;
  evidence_enc: Buffer;
}

export const inboundRepository = {
  /** Whether the subject gave this operator consent to processing (any channel, any time). */
  async hasProcessingConsent(tx: Tx, operatorId: string, subjectId: string): Promise<boolean> {
    const { rows } = await tx.query<{ yes: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM consent_records
         WHERE operator_id = $1 AND subject_id = $2 AND kind = 'processing') AS yes`,
      [operatorId, subjectId],
    );
    return rows[0]!.yes;
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

  async insertVerbalConsent(tx: Tx, c: VerbalConsentRow): Promise<void> {
    await tx.query(
      `INSERT INTO consent_records (id, operator_id, subject_id, inquiry_id, kind, document_id, document_version,
         document_sha256, policy_version, given_at, channel, form_id, ip, user_agent, evidence_enc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'phone', NULL, NULL, NULL, $11)`,
      [
        c.id,
        c.operator_id,
        c.subject_id,
        c.inquiry_id,
        c.kind,
        c.document_id,
        c.document_version,
        c.document_sha256,
        c.policy_version,
        c.given_at,
        c.evidence_enc,
      ],
    );
  },
};

/**
 * Data access for `consent_records`, the consent log (COMPLIANCE A5, A6): the only code that
 * writes, reads or withdraws its rows. Every function takes the caller's transaction, scoped to
 * the operator (the table has row-level security); the service owns the transaction.
 */
import type { Tx } from '../../platform/db/database.ts';
import type {
  ConsentEntry,
  ConsentKind,
  InlineStatement,
  InquiryConsent,
  NewConsent,
  Withdrawal,
} from './consent.schemas.ts';

const COLUMNS = [
  'id',
  'operator_id',
  'subject_id',
  'inquiry_id',
  'kind',
  'document_id',
  'document_version',
  'document_sha256',
  'policy_version',
  'given_at',
  'channel',
  'form_id',
  'ip',
  'user_agent',
  'representative_enc',
  'evidence_enc',
  'review_show',
] as const;

function valuesOf(c: NewConsent): unknown[] {
  return [
    c.id,
    c.operatorId,
    c.subjectId,
    c.inquiryId,
    c.kind,
    c.document.id,
    c.document.version,
    c.document.sha256,
    c.policyVersion,
    c.givenAt,
    c.channel,
    c.formId,
    c.ip,
    c.userAgent,
    c.representativeEnc,
    c.evidenceEnc,
    c.reviewShow,
  ];
}

interface EntryRow {
  id: string;
  kind: ConsentKind;
  document_id: string;
  document_version: number;
  document_sha256: string;
  policy_version: number;
  given_at: Date;
  channel: string;
  form_id: string | null;
  review_show: string | null;
  representative_enc: Buffer | null;
}

export const consentRepository = {
  /**
   * The INSERT of these records with its parameters numbered after `offset`, for a caller that
   * writes them within a statement of its own (a CTE). The text depends only on how many records
   * there are, so it suits a prepared statement.
   */
  insertStatement(records: readonly NewConsent[], offset: number): InlineStatement {
    const params: unknown[] = [];
    const tuples = records.map((c) => {
      const start = offset + params.length;
      params.push(...valuesOf(c));
      return `(${COLUMNS.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    return { sql: `INSERT INTO consent_records (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params };
  },

  async insert(tx: Tx, records: readonly NewConsent[]): Promise<void> {
    if (records.length === 0) return;
    const s = consentRepository.insertStatement(records, 0);
    await tx.query(s.sql, s.params);
  },

  /** Whether the subject has a consent of the kind at the operator (`live`: not withdrawn). */
  async exists(
    tx: Tx,
    operatorId: string,
    subjectId: string,
    kind: ConsentKind,
    live: boolean,
  ): Promise<boolean> {
    // Two texts rather than a flag in one: each is planned for what it asks.
    const { rowCount } = await tx.query(
      `SELECT 1 FROM consent_records
       WHERE operator_id = $1 AND subject_id = $2 AND kind = $3${live ? ' AND withdrawn_at IS NULL' : ''} LIMIT 1`,
      [operatorId, subjectId, kind],
    );
    return rowCount === 1;
  },

  async ofInquiry(tx: Tx, operatorId: string, inquiryId: string): Promise<ConsentEntry[]> {
    const { rows } = await tx.query<EntryRow>(
      `SELECT id, kind, document_id, document_version, document_sha256, policy_version, given_at, channel,
              form_id, review_show, representative_enc
       FROM consent_records WHERE inquiry_id = $1 AND operator_id = $2 ORDER BY given_at, kind`,
      [inquiryId, operatorId],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      documentId: r.document_id,
      documentVersion: r.document_version,
      documentSha256: r.document_sha256,
      policyVersion: r.policy_version,
      givenAt: r.given_at,
      channel: r.channel,
      formId: r.form_id,
      reviewShow: r.review_show,
      representativeEnc: r.representative_enc,
    }));
  },

  /** Per inquiry, its latest consent of the kind given by the inquiry's own subject. */
  async latestOfInquiries(
    tx: Tx,
    kind: ConsentKind,
    inquiries: readonly { id: string; subjectId: string }[],
  ): Promise<Map<string, InquiryConsent>> {
    if (inquiries.length === 0) return new Map();
    const { rows } = await tx.query<{
      inquiry_id: string;
      id: string;
      review_show: string | null;
      withdrawn_at: Date | null;
    }>(
      `SELECT DISTINCT ON (c.inquiry_id) c.inquiry_id, c.id, c.review_show, c.withdrawn_at
       FROM unnest($1::uuid[], $2::uuid[]) AS q (inquiry_id, subject_id)
       JOIN consent_records c ON c.inquiry_id = q.inquiry_id AND c.subject_id = q.subject_id
       WHERE c.kind = $3
       ORDER BY c.inquiry_id, c.given_at DESC, c.id DESC`,
      [inquiries.map((i) => i.id), inquiries.map((i) => i.subjectId), kind],
    );
    return new Map(
      rows.map((r) => [r.inquiry_id, { id: r.id, reviewShow: r.review_show, withdrawnAt: r.withdrawn_at }]),
    );
  },

  /**
   * Subjects of the operator with a live consent of the kind, in id order after `after` (a page
   * of `limit`), optionally only among `among`.
   */
  async liveSubjects(
    tx: Tx,
    operatorId: string,
    kind: ConsentKind,
    among: readonly string[] | null,
    after: string | null,
    limit: number,
  ): Promise<string[]> {
    const { rows } = await tx.query<{ subject_id: string }>(
      `SELECT DISTINCT subject_id FROM consent_records
       WHERE operator_id = $1 AND kind = $2 AND withdrawn_at IS NULL
         AND ($3::uuid[] IS NULL OR subject_id = ANY ($3::uuid[]))
         AND ($4::uuid IS NULL OR subject_id > $4::uuid)
       ORDER BY subject_id LIMIT $5`,
      [operatorId, kind, among, after, limit],
    );
    return rows.map((r) => r.subject_id);
  },

  /** Withdraws every live consent of the kind of the subject; returns the withdrawn records' ids. */
  async withdraw(tx: Tx, w: Withdrawal, at: Date): Promise<string[]> {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE consent_records
          SET withdrawn_at = $4, withdrawn_channel = $5, withdrawn_method = $6,
              withdrawn_by_type = $7, withdrawn_by_id = $8
        WHERE operator_id = $1 AND subject_id = $2 AND kind = $3 AND withdrawn_at IS NULL
        RETURNING id`,
      [w.operatorId, w.subjectId, w.kind, at, w.channel, w.method, w.by.type, w.by.id],
    );
    return rows.map((r) => r.id);
  },
};

/**
 * Rows of `reviews`, read together with the review inquiries they belong to (the publication
 * consents are the consent module's; the service adds them). A review without a row is pending. Every table here has row-level
 * security: calls run in a transaction scoped to the operator.
 */
import type { Tx } from '../../platform/db/database.ts';

/** A review inquiry with its decision (if any). */
export interface ReviewBaseRow {
  id: string;
  number: string;
  operator_id: string;
  subject_id: string;
  created_at: Date;
  fields_enc: Buffer;
  state: string;
  published_at: Date | null;
  decided_at: Date | null;
  unpublish_reason: 'staff' | 'consent_withdrawn' | null;
  actor_id: string | null;
  review_withdrawn_at: Date | null;
}

/** The review with its inquiry's latest publication consent (if any). */
export interface ReviewRow extends ReviewBaseRow {
  consent_id: string | null;
  consent_show: string | null;
  consent_withdrawn_at: Date | null;
}

export interface PublishedRow {
  inquiry_id: string;
  subject_id: string;
  author_enc: Buffer | null;
  text_enc: Buffer;
  rating: number | null;
  published_at: Date;
}

export interface Decision {
  inquiryId: string;
  operatorId: string;
  subjectId: string;
  at: Date;
  actorType: string;
  actorId: string | null;
}

const REVIEW_SELECT = `
  SELECT i.id, i.number::text AS number, i.operator_id, i.subject_id, i.created_at, i.fields_enc,
         coalesce(r.state, 'pending') AS state, r.published_at, r.decided_at, r.unpublish_reason, r.actor_id,
         r.consent_withdrawn_at AS review_withdrawn_at
  FROM inquiries i
  LEFT JOIN reviews r ON r.inquiry_id = i.id`;

export const reviewsRepository = {
  async countByState(tx: Tx, operatorId: string): Promise<{ state: string; n: string }[]> {
    const { rows } = await tx.query<{ state: string; n: string }>(
      `SELECT coalesce(r.state, 'pending') AS state, count(*)::text AS n
       FROM inquiries i LEFT JOIN reviews r ON r.inquiry_id = i.id
       WHERE i.operator_id = $1 AND i.form_id = 'review'
       GROUP BY 1`,
      [operatorId],
    );
    return rows;
  },

  /** One page of the operator's reviews in a state, newest first. */
  async listPage(
    tx: Tx,
    operatorId: string,
    state: string,
    limit: number,
    offset: number,
  ): Promise<ReviewBaseRow[]> {
    const { rows } = await tx.query<ReviewBaseRow>(
      `${REVIEW_SELECT}
       WHERE i.operator_id = $1 AND i.form_id = 'review' AND coalesce(r.state, 'pending') = $2
       ORDER BY i.created_at DESC, i.id DESC LIMIT $3 OFFSET $4`,
      [operatorId, state, limit, offset],
    );
    return rows;
  },

  /** The review, its inquiry row locked: decisions on one review are serialised. */
  async lock(tx: Tx, operatorId: string, id: string): Promise<ReviewBaseRow | undefined> {
    const { rows } = await tx.query<ReviewBaseRow>(
      `${REVIEW_SELECT}
       WHERE i.id = $1 AND i.operator_id = $2 AND i.form_id = 'review'
       FOR UPDATE OF i`,
      [id, operatorId],
    );
    return rows[0];
  },

  /** The subject's review inquiries, locked (a withdrawal of the publication consent). */
  async lockOfSubject(tx: Tx, subjectId: string): Promise<ReviewBaseRow[]> {
    const { rows } = await tx.query<ReviewBaseRow>(
      `${REVIEW_SELECT}
       WHERE i.subject_id = $1 AND i.form_id = 'review'
       ORDER BY i.created_at, i.id
       FOR UPDATE OF i`,
      [subjectId],
    );
    return rows;
  },

  async upsertPublished(
    tx: Tx,
    d: Decision,
    p: {
      consentId: string;
      show: string;
      authorEnc: Buffer | null;
      textEnc: Buffer;
      rating: number | null;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO reviews (inquiry_id, operator_id, subject_id, state, consent_id, review_show, author_enc,
         text_enc, rating, published_at, decided_at, actor_type, actor_id)
       VALUES ($1, $2, $3, 'published', $4, $5, $6, $7, $8, $9, $9, $10, $11)
       ON CONFLICT (inquiry_id) DO UPDATE SET state = 'published', consent_id = EXCLUDED.consent_id,
         review_show = EXCLUDED.review_show, author_enc = EXCLUDED.author_enc, text_enc = EXCLUDED.text_enc,
         rating = EXCLUDED.rating, published_at = EXCLUDED.published_at, decided_at = EXCLUDED.decided_at,
         actor_type = EXCLUDED.actor_type, actor_id = EXCLUDED.actor_id, unpublish_reason = NULL`,
      [
        d.inquiryId,
        d.operatorId,
        d.subjectId,
        p.consentId,
        p.show,
        p.authorEnc,
        p.textEnc,
        p.rating,
        d.at,
        d.actorType,
        d.actorId,
      ],
    );
  },

  /**
   * Takes the review down to 'unpublished' or 'rejected' (inserting its row if it had none),
   * erasing the published copy. `withdrawn` also records that the publication consent was
   * withdrawn (the review is never published again).
   */
  async upsertTakenDown(
    tx: Tx,
    d: Decision,
    state: 'unpublished' | 'rejected',
    o: { reason?: 'staff' | 'consent_withdrawn'; withdrawn?: boolean } = {},
  ): Promise<void> {
    await tx.query(
      `INSERT INTO reviews (inquiry_id, operator_id, subject_id, state, decided_at, actor_type, actor_id,
         unpublish_reason, consent_withdrawn_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::boolean THEN $5::timestamptz END)
       ON CONFLICT (inquiry_id) DO UPDATE SET state = EXCLUDED.state, author_enc = NULL, text_enc = NULL,
         rating = NULL, decided_at = EXCLUDED.decided_at, actor_type = EXCLUDED.actor_type,
         actor_id = EXCLUDED.actor_id, unpublish_reason = EXCLUDED.unpublish_reason,
         consent_withdrawn_at = coalesce(reviews.consent_withdrawn_at, EXCLUDED.consent_withdrawn_at)`,
      [
        d.inquiryId,
        d.operatorId,
        d.subjectId,
        state,
        d.at,
        d.actorType,
        d.actorId,
        state === 'unpublished' ? (o.reason ?? 'staff') : null,
        o.withdrawn === true,
      ],
    );
  },

  /**
   * Records that the publication consent of a review that is not published was withdrawn; its
   * state and last decision stay as they are (a review without a row gets a pending one).
   */
  async markWithdrawn(tx: Tx, d: Decision): Promise<void> {
    await tx.query(
      `INSERT INTO reviews (inquiry_id, operator_id, subject_id, state, decided_at, actor_type, actor_id,
         consent_withdrawn_at)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $4)
       ON CONFLICT (inquiry_id) DO UPDATE
         SET consent_withdrawn_at = coalesce(reviews.consent_withdrawn_at, EXCLUDED.consent_withdrawn_at)`,
      [d.inquiryId, d.operatorId, d.subjectId, d.at, d.actorType, d.actorId],
    );
  },

  async countPublished(tx: Tx, operatorId: string): Promise<number> {
    const { rows } = await tx.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM reviews WHERE operator_id = $1 AND state = 'published'`,
      [operatorId],
    );
    return Number(rows[0]!.n);
  },

  async publishedPage(tx: Tx, operatorId: string, limit: number, offset: number): Promise<PublishedRow[]> {
    const { rows } = await tx.query<PublishedRow>(
      `SELECT inquiry_id, subject_id, author_enc, text_enc, rating, published_at FROM reviews
       WHERE operator_id = $1 AND state = 'published'
       ORDER BY published_at DESC, inquiry_id DESC LIMIT $2 OFFSET $3`,
      [operatorId, limit, offset],
    );
    return rows;
  },
};

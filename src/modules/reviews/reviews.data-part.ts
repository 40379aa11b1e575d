/**
 * The reviews module's part of a patient's data: the moderation decision on each of their reviews
 * and, while one is published, the copy the page shows (signature and text, sealed under the
 * subject's key, AAD `review:<id>:author` and `review:<id>:text`; the id is the inquiry's).
 *
 * @example
 *   new SubjectDataRegistry([reviewsDataPart, ...], subjectRowPart);
 */
import { openString } from '../../platform/crypto/aead.ts';
import type { SubjectDataPart } from '../subjects/index.ts';
import { reviewAad } from './reviews.service.ts';

export const reviewsDataPart: SubjectDataPart = {
  name: 'reviews',
  tables: ['reviews'],
  sealed: [
    { table: 'reviews', column: 'author_enc', aad: (id) => reviewAad(id, 'author') },
    { table: 'reviews', column: 'text_enc', aad: (id) => reviewAad(id, 'text') },
  ],

  async merge({ tx, operatorId, mergedId, keptId, reseal }) {
    const { rows } = await tx.query<{ id: string; author_enc: Buffer | null; text_enc: Buffer | null }>(
      `SELECT inquiry_id AS id, author_enc, text_enc FROM reviews
       WHERE operator_id = $1 AND subject_id = $2 FOR UPDATE`,
      [operatorId, mergedId],
    );
    if (rows.length === 0) return { reviews: 0 };
    await tx.query(
      `UPDATE reviews r SET subject_id = $2, author_enc = v.author, text_enc = v.text
       FROM unnest($3::uuid[], $4::bytea[], $5::bytea[]) AS v (id, author, text)
       WHERE r.inquiry_id = v.id AND r.operator_id = $1`,
      [
        operatorId,
        keptId,
        rows.map((r) => r.id),
        rows.map((r) => reseal(r.author_enc, reviewAad(r.id, 'author'))),
        rows.map((r) => reseal(r.text_enc, reviewAad(r.id, 'text'))),
      ],
    );
    return { reviews: rows.length };
  },

  async export({ tx, operatorId, subjectId, key }) {
    const { rows } = await tx.query<{
      id: string;
      state: string;
      review_show: string | null;
      author_enc: Buffer | null;
      text_enc: Buffer | null;
      rating: number | null;
      published_at: Date | null;
      decided_at: Date;
      consent_withdrawn_at: Date | null;
    }>(
      `SELECT inquiry_id AS id, state, review_show, author_enc, text_enc, rating, published_at, decided_at,
         consent_withdrawn_at
       FROM reviews WHERE operator_id = $1 AND subject_id = $2 ORDER BY decided_at, inquiry_id`,
      [operatorId, subjectId],
    );
    const open = (blob: Buffer | null, aad: string): string | null =>
      blob === null ? null : openString(key, blob, aad);
    return {
      reviews: rows.map((r) => ({
        id: r.id,
        state: r.state,
        show: r.review_show,
        author: open(r.author_enc, reviewAad(r.id, 'author')),
        text: open(r.text_enc, reviewAad(r.id, 'text')),
        rating: r.rating,
        publishedAt: r.published_at?.toISOString() ?? null,
        decidedAt: r.decided_at.toISOString(),
        consentWithdrawnAt: r.consent_withdrawn_at?.toISOString() ?? null,
      })),
    };
  },

  async count({ tx, operatorId, subjectId }) {
    const { rows } = await tx.query<{ reviews: number; published_reviews: number }>(
      `SELECT count(*)::int AS reviews, count(*) FILTER (WHERE state = 'published')::int AS published_reviews
       FROM reviews WHERE operator_id = $1 AND subject_id = $2`,
      [operatorId, subjectId],
    );
    return rows[0]!;
  },

  async destroy({ tx, operatorId, subjectId }) {
    await tx.query('DELETE FROM reviews WHERE operator_id = $1 AND subject_id = $2', [operatorId, subjectId]);
  },
};

/**
 * The subjects' own rows a merge reads and rewrites: the pair of subjects, the kept one's filled
 * fields, the merged one's row, and the record of the merge. Every other module's rows move through
 * its part of the subject data registry. All calls run in one transaction scoped to the operator.
 */
import type { Tx } from '../../platform/db/database.ts';
import type { SubjectRow } from './subjects.repository.ts';

export interface MergeRecord {
  merged_subject_id: string;
  kept_subject_id: string;
  operator_id: string;
  actor_type: string;
  actor_id: string | null;
  merged_at: Date;
}

export const mergeRepository = {
  /** Both subjects' rows, locked (in id order, so two merges of one pair cannot deadlock). */
  async lockPair(
    tx: Tx,
    operatorId: string,
    ids: readonly [string, string],
  ): Promise<Map<string, SubjectRow>> {
    const { rows } = await tx.query<SubjectRow>(
      `SELECT * FROM subjects WHERE operator_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [operatorId, ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  },

  async findPair(
    tx: Tx,
    operatorId: string,
    ids: readonly [string, string],
  ): Promise<Map<string, SubjectRow>> {
    const { rows } = await tx.query<SubjectRow>(
      `SELECT * FROM subjects WHERE operator_id = $1 AND id = ANY($2::uuid[])`,
      [operatorId, ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  },

  async fillSubject(
    tx: Tx,
    operatorId: string,
    keptId: string,
    fields: Partial<Record<'name_enc' | 'phone_enc' | 'email_enc', Buffer>>,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE subjects SET name_enc = coalesce($3, name_enc), phone_enc = coalesce($4, phone_enc),
         email_enc = coalesce($5, email_enc), updated_at = $6
       WHERE id = $2 AND operator_id = $1`,
      [operatorId, keptId, fields.name_enc ?? null, fields.phone_enc ?? null, fields.email_enc ?? null, at],
    );
  },

  async insertMerge(tx: Tx, m: MergeRecord): Promise<void> {
    await tx.query(
      `INSERT INTO subject_merges (merged_subject_id, kept_subject_id, operator_id, actor_type, actor_id, merged_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [m.merged_subject_id, m.kept_subject_id, m.operator_id, m.actor_type, m.actor_id, m.merged_at],
    );
  },

  async findMerge(tx: Tx, operatorId: string, mergedId: string): Promise<MergeRecord | undefined> {
    const { rows } = await tx.query<MergeRecord>(
      'SELECT * FROM subject_merges WHERE merged_subject_id = $1 AND operator_id = $2',
      [mergedId, operatorId],
    );
    return rows[0];
  },

  async subjectExists(tx: Tx, operatorId: string, id: string): Promise<boolean> {
    const { rows } = await tx.query('SELECT 1 FROM subjects WHERE id = $1 AND operator_id = $2', [
      id,
      operatorId,
    ]);
    return rows.length > 0;
  },
};

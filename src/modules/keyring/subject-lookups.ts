/**
 * Moving blind-index lookups from one subject to another, for a merge of two subjects: the kept
 * subject is then found by every phone, e-mail and messenger id that found either. The merged
 * subject's own lookups go with its data key (KeyringService.destroyDataKey) once its data has
 * been re-sealed under the kept subject's key; until then both subjects are found, which is
 * harmless (a lookup id without a subject row is no match).
 *
 * @example
 *   const added = await lookups.copy(mergedId, keptId); // in the keyring, committed
 *   // ... the data transaction fails:
 *   await lookups.remove(keptId, added); // back to how it was
 */
import type { Database } from '../../platform/db/database.ts';

/** One lookup row of a subject, as `copy` reports the ones it added. */
export interface LookupRow {
  field: string;
  bidx: Buffer;
}

export class SubjectLookupMoves {
  constructor(private readonly db: Database) {}

  /**
   * Gives `toSubjectId` every lookup `fromSubjectId` has (one statement), but only when both keys
   * exist and belong to one operator; returns the rows it added (those the kept subject did not
   * already have), so that a failed merge can take exactly those back.
   */
  async copy(fromSubjectId: string, toSubjectId: string): Promise<LookupRow[]> {
    const { rows } = await this.db.query<LookupRow>(
      `INSERT INTO subject_lookup (operator_id, field, bidx, subject_id)
       SELECT l.operator_id, l.field, l.bidx, t.subject_id
       FROM subject_lookup l
       JOIN data_keys f ON f.subject_id = l.subject_id
       JOIN data_keys t ON t.subject_id = $2 AND t.operator_id = f.operator_id
       WHERE l.subject_id = $1
       ON CONFLICT DO NOTHING
       RETURNING field, bidx`,
      [fromSubjectId, toSubjectId],
    );
    return rows;
  }

  /** Deletes these lookups of the subject (the undo of `copy`). */
  async remove(subjectId: string, lookups: readonly LookupRow[]): Promise<number> {
    if (lookups.length === 0) return 0;
    const { rowCount } = await this.db.query(
      `DELETE FROM subject_lookup l USING unnest($2::text[], $3::bytea[]) AS r (field, bidx)
       WHERE l.subject_id = $1 AND l.field = r.field AND l.bidx = r.bidx`,
      [subjectId, lookups.map((l) => l.field), lookups.map((l) => l.bidx)],
    );
    return rowCount ?? 0;
  }
}

/**
 * The notifications module's part of a patient's data: the one-click unsubscribe links of the
 * marketing messages sent to them. Only each token's SHA-256 is kept, nothing sealed; a merge points
 * them at the kept subject (a link from an old message still unsubscribes the patient).
 *
 * @example
 *   new SubjectDataRegistry([..., unsubscribeDataPart], subjectRowPart);
 */
import type { SubjectDataPart } from '../subjects/index.ts';

export const unsubscribeDataPart: SubjectDataPart = {
  name: 'unsubscribe',
  tables: ['unsubscribe_tokens'],
  sealed: [],

  async merge({ tx, operatorId, mergedId, keptId }) {
    const { rowCount } = await tx.query(
      'UPDATE unsubscribe_tokens SET subject_id = $3 WHERE operator_id = $1 AND subject_id = $2',
      [operatorId, mergedId, keptId],
    );
    return { other: rowCount ?? 0 };
  },

  async export({ tx, operatorId, subjectId }) {
    // The token's hash is no one's business: when a link was made and whether it was used.
    const { rows } = await tx.query<{ created_at: Date; used_at: Date | null }>(
      `SELECT created_at, used_at FROM unsubscribe_tokens WHERE operator_id = $1 AND subject_id = $2
       ORDER BY created_at`,
      [operatorId, subjectId],
    );
    return {
      unsubscribe_tokens: rows.map((r) => ({
        createdAt: r.created_at.toISOString(),
        usedAt: r.used_at?.toISOString() ?? null,
      })),
    };
  },

  async count({ tx, operatorId, subjectId }) {
    const { rows } = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM unsubscribe_tokens WHERE operator_id = $1 AND subject_id = $2',
      [operatorId, subjectId],
    );
    return { unsubscribe_tokens: rows[0]!.n };
  },

  async destroy({ tx, operatorId, subjectId }) {
    await tx.query('DELETE FROM unsubscribe_tokens WHERE operator_id = $1 AND subject_id = $2', [
      operatorId,
      subjectId,
    ]);
  },
};

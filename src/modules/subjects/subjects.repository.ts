import { prepared, type Tx } from '../../platform/db/database.ts';
import type { InlineAudit } from '../audit/index.ts';

export interface SubjectRow {
  id: string;
  operator_id: string;
  name_enc: Buffer | null;
  phone_enc: Buffer | null;
  email_enc: Buffer | null;
  created_at: Date;
  updated_at: Date;
}

export interface DestructionRow {
  subject_id: string;
  operator_id: string;
  reason: string;
  categories: string[];
  actor_type: string;
  actor_id: string | null;
  destroyed_at: Date;
}

/**
 * Rows of `subjects` and `subject_destructions`. Both have row-level security: every call must run
 * in a transaction scoped to the operator (db.scoped), or it raises.
 */
export const subjectsRepository = {
  /** Inserts the row and, in the same statement, stages its audit entry. */
  async insert(db: Tx, row: SubjectRow, audit: (offset: number) => InlineAudit): Promise<void> {
    const a = audit(7);
    await db.query(
      prepared(
        `WITH s AS (
         INSERT INTO subjects (id, operator_id, name_enc, phone_enc, email_enc, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id)
       SELECT ${a.sql} FROM s`,
        [
          row.id,
          row.operator_id,
          row.name_enc,
          row.phone_enc,
          row.email_enc,
          row.created_at,
          row.updated_at,
          ...a.params,
        ],
      ),
    );
  },

  async findById(db: Tx, operatorId: string, id: string): Promise<SubjectRow | undefined> {
    const { rows } = await db.query<SubjectRow>('SELECT * FROM subjects WHERE id = $1 AND operator_id = $2', [
      id,
      operatorId,
    ]);
    return rows[0];
  },

  async lockById(db: Tx, operatorId: string, id: string): Promise<SubjectRow | undefined> {
    const { rows } = await db.query<SubjectRow>(
      'SELECT * FROM subjects WHERE id = $1 AND operator_id = $2 FOR UPDATE',
      [id, operatorId],
    );
    return rows[0];
  },

  /**
   * The subjects of $1 (operator) among $2 (ids), each staging its audit entry (`each`: a CASE
   * branch per candidate id), or the entry `none` staged when no row is found; one statement.
   */
  async findByIdsStaging(
    db: Tx,
    none: string,
    each: readonly string[],
    params: readonly unknown[],
  ): Promise<Pick<SubjectRow, 'id' | 'created_at'>[]> {
    const perRow = each.length === 0 ? 'NULL' : `CASE f.id ${each.join(' ')} END`;
    const text = `WITH found AS (
         SELECT id, created_at FROM subjects WHERE operator_id = $1 AND id = ANY ($2::uuid[])
         ORDER BY created_at, id
       ), staged AS (
         SELECT f.id, f.created_at, ${perRow} AS entry FROM found f
         UNION ALL
         SELECT NULL, NULL, ${none} WHERE NOT EXISTS (SELECT 1 FROM found)
       )
       SELECT id, created_at FROM staged WHERE id IS NOT NULL ORDER BY created_at, id`;
    // A phone or e-mail usually has one or two subjects: those few texts are planned once per
    // connection; a longer list runs unnamed rather than add a statement per length.
    const { rows } =
      each.length <= 4
        ? await db.query<Pick<SubjectRow, 'id' | 'created_at'>>(prepared(text, params))
        : await db.query<Pick<SubjectRow, 'id' | 'created_at'>>(text, params);
    return rows;
  },

  /**
   * Those of these ids that are subjects of the operator, oldest first (the first one is the one
   * intake attaches to); ids without a row are left out. With `share`, the rows are share-locked,
   * so a destruction cannot remove them before the caller's transaction (an intake attaching to
   * one of them) ends.
   */
  async findByIds(
    db: Tx,
    operatorId: string,
    ids: readonly string[],
    share = false,
  ): Promise<Pick<SubjectRow, 'id' | 'created_at'>[]> {
    if (ids.length === 0) return [];
    const { rows } = await db.query<Pick<SubjectRow, 'id' | 'created_at'>>(
      `SELECT id, created_at FROM subjects WHERE operator_id = $1 AND id = ANY($2::uuid[])
       ORDER BY created_at, id${share ? ' FOR SHARE' : ''}`,
      [operatorId, ids],
    );
    return rows;
  },

  /** Serialises intake of one phone or e-mail of one operator until the transaction ends. */
  async lockBlindIndexes(db: Tx, operatorId: string, bidxs: readonly Buffer[]): Promise<void> {
    // Sorted, so two intakes locking the same pair never deadlock.
    const keys = bidxs.map((b) => `subject-bidx:${operatorId}:${b.toString('hex')}`).sort();
    if (keys.length === 0) return;
    // One round trip: a select list is evaluated left to right, so the locks are taken in order.
    const locks = keys.map((_, i) => `pg_advisory_xact_lock(hashtextextended($${i + 1}, 0))`);
    await db.query(prepared(`SELECT ${locks.join(', ')}`, keys));
  },

  /** Deletes the subject; rows that reference it (outbox, ...) go with it by foreign-key cascade. */
  async deleteById(db: Tx, operatorId: string, id: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM subjects WHERE id = $1 AND operator_id = $2', [
      id,
      operatorId,
    ]);
    return (rowCount ?? 0) > 0;
  },

  /** Which of these ids have a subject row or a destruction record (any operator: system scope). */
  async findKnownIds(db: Tx, ids: readonly string[]): Promise<Set<string>> {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM subjects WHERE id = ANY($1::uuid[])
       UNION SELECT subject_id FROM subject_destructions WHERE subject_id = ANY($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  },

  async insertDestruction(db: Tx, row: DestructionRow): Promise<void> {
    await db.query(
      `INSERT INTO subject_destructions (subject_id, operator_id, reason, categories, actor_type, actor_id,
         destroyed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        row.subject_id,
        row.operator_id,
        row.reason,
        row.categories,
        row.actor_type,
        row.actor_id,
        row.destroyed_at,
      ],
    );
  },

  async findDestruction(db: Tx, operatorId: string, subjectId: string): Promise<DestructionRow | undefined> {
    const { rows } = await db.query<DestructionRow>(
      'SELECT * FROM subject_destructions WHERE subject_id = $1 AND operator_id = $2',
      [subjectId, operatorId],
    );
    return rows[0];
  },
};

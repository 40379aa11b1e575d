import { prepared, type Tx } from '../../platform/db/database.ts';

export type LookupField = 'phone' | 'email' | 'telegram' | 'max';

export interface WrappedRow {
  wrapped: Buffer;
  master_key_id: string;
}

interface NewKey {
  subjectId: string;
  operatorId: string;
  wrapped: Buffer;
  masterKeyId: string;
  at: Date;
}

/** $1..$7 of the statements that store a new key with its lookups. */
function keyWithLookupsParams(
  row: NewKey,
  lookups: readonly { field: LookupField; bidx: Buffer }[],
): unknown[] {
  return [
    row.subjectId,
    row.operatorId,
    row.wrapped,
    row.masterKeyId,
    row.at,
    lookups.map((l) => l.field),
    lookups.map((l) => l.bidx),
  ];
}

/** Rows of the keyring database. Keys arrive and leave wrapped; this file never sees a raw key. */
export const keyringRepository = {
  async findDataKey(db: Tx, subjectId: string): Promise<WrappedRow | undefined> {
    const { rows } = await db.query<WrappedRow>(
      'SELECT wrapped, master_key_id FROM data_keys WHERE subject_id = $1',
      [subjectId],
    );
    return rows[0];
  },

  async findDataKeys(db: Tx, subjectIds: readonly string[]): Promise<Map<string, WrappedRow>> {
    const { rows } = await db.query<WrappedRow & { subject_id: string }>(
      'SELECT subject_id, wrapped, master_key_id FROM data_keys WHERE subject_id = ANY($1::uuid[])',
      [subjectIds],
    );
    return new Map(rows.map((r) => [r.subject_id, r]));
  },

  async deleteDataKey(db: Tx, subjectId: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM data_keys WHERE subject_id = $1', [subjectId]);
    return (rowCount ?? 0) > 0;
  },

  /** Subject ids of data keys created before `cutoff`, in id order after `afterId`. */
  async findDataKeyIdsCreatedBefore(db: Tx, cutoff: Date, afterId: string, limit: number): Promise<string[]> {
    const { rows } = await db.query<{ subject_id: string }>(
      `SELECT subject_id FROM data_keys WHERE created_at < $1 AND subject_id > $2
       ORDER BY subject_id LIMIT $3`,
      [cutoff, afterId, limit],
    );
    return rows.map((r) => r.subject_id);
  },

  /**
   * A new subject's data key and its lookups in one statement: atomic without a transaction of
   * its own, and one round trip instead of four on the intake's path.
   */
  async insertDataKeyWithLookups(
    db: Tx,
    row: NewKey,
    lookups: readonly { field: LookupField; bidx: Buffer }[],
  ): Promise<void> {
    await db.query(
      `WITH k AS (
         INSERT INTO data_keys (subject_id, operator_id, wrapped, master_key_id, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING subject_id, operator_id)
       INSERT INTO subject_lookup (operator_id, field, bidx, subject_id)
       SELECT k.operator_id, t.f, t.b, k.subject_id FROM k, unnest($6::text[], $7::bytea[]) AS t (f, b)`,
      keyWithLookupsParams(row, lookups),
    );
  },

  /**
   * Subject ids with this blind index, oldest key first. Bounded: subjects are de-duplicated on
   * intake, so more than a handful per index means something else is wrong.
   */
  async findLookups(db: Tx, operatorId: string, field: LookupField, bidx: Buffer): Promise<string[]> {
    const { rows } = await db.query<{ subject_id: string }>(
      `SELECT l.subject_id FROM subject_lookup l JOIN data_keys k USING (subject_id)
       WHERE l.operator_id = $1 AND l.field = $2 AND l.bidx = $3
       ORDER BY k.created_at, l.subject_id LIMIT 100`,
      [operatorId, field, bidx],
    );
    return rows.map((r) => r.subject_id);
  },

  /**
   * findLookups over several indexes (in the order given, an id once), and when nothing matches,
   * insertDataKeyWithLookups, as one statement: a new subject's key costs the intake one keyring
   * round trip. Returns the matches (empty when the key was stored).
   */
  async findOrInsertDataKeyWithLookups(
    db: Tx,
    row: NewKey,
    lookups: readonly { field: LookupField; bidx: Buffer }[],
  ): Promise<string[]> {
    const { rows } = await db.query<{ subject_id: string }>(
      prepared(
        `WITH found AS (
         SELECT l.subject_id, q.n, k.created_at
         FROM unnest($6::text[], $7::bytea[]) WITH ORDINALITY AS q (field, bidx, n)
         JOIN subject_lookup l ON l.operator_id = $2 AND l.field = q.field AND l.bidx = q.bidx
         JOIN data_keys k ON k.subject_id = l.subject_id),
       k AS (
         INSERT INTO data_keys (subject_id, operator_id, wrapped, master_key_id, created_at)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM found)
         RETURNING subject_id, operator_id),
       l AS (
         INSERT INTO subject_lookup (operator_id, field, bidx, subject_id)
         SELECT k.operator_id, t.f, t.b, k.subject_id FROM k, unnest($6::text[], $7::bytea[]) AS t (f, b))
       SELECT subject_id FROM found ORDER BY n, created_at, subject_id LIMIT 200`,
        keyWithLookupsParams(row, lookups),
      ),
    );
    return [...new Set(rows.map((r) => r.subject_id))];
  },

  async deleteLookups(db: Tx, subjectId: string): Promise<number> {
    const { rowCount } = await db.query('DELETE FROM subject_lookup WHERE subject_id = $1', [subjectId]);
    return rowCount ?? 0;
  },

  async findNamedKey(db: Tx, name: string): Promise<WrappedRow | undefined> {
    const { rows } = await db.query<WrappedRow>(
      'SELECT wrapped, master_key_id FROM named_keys WHERE name = $1',
      [name],
    );
    return rows[0];
  },

  /** Inserts unless another instance did first; returns what is stored either way. */
  async insertNamedKey(
    db: Tx,
    row: { name: string; wrapped: Buffer; masterKeyId: string; at: Date },
  ): Promise<WrappedRow> {
    await db.query(
      `INSERT INTO named_keys (name, wrapped, master_key_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING`,
      [row.name, row.wrapped, row.masterKeyId, row.at],
    );
    const stored = await keyringRepository.findNamedKey(db, row.name);
    if (!stored) throw new Error('named key vanished after insert');
    return stored;
  },

  /** A batch of wraps made by any master key other than `activeId`, locked for re-wrapping. */
  async lockStaleBatch(
    db: Tx,
    table: 'data_keys' | 'named_keys',
    activeId: string,
    limit: number,
  ): Promise<(WrappedRow & { id: string })[]> {
    const idColumn = table === 'data_keys' ? 'subject_id::text' : 'name';
    const { rows } = await db.query<WrappedRow & { id: string }>(
      `SELECT ${idColumn} AS id, wrapped, master_key_id FROM ${table}
       WHERE master_key_id <> $1 ORDER BY 1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [activeId, limit],
    );
    return rows;
  },

  async updateWrap(
    db: Tx,
    table: 'data_keys' | 'named_keys',
    id: string,
    wrapped: Buffer,
    masterKeyId: string,
    at: Date,
  ): Promise<void> {
    const idColumn = table === 'data_keys' ? 'subject_id' : 'name';
    await db.query(
      `UPDATE ${table} SET wrapped = $2, master_key_id = $3, rewrapped_at = $4 WHERE ${idColumn} = $1`,
      [id, wrapped, masterKeyId, at],
    );
  },
};

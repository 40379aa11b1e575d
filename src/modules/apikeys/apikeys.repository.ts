/** Data access for API keys (no personal data: a name, a prefix and a hash). */
import type { Tx } from '../../platform/db/database.ts';

export interface ApiKeyRow {
  id: string;
  operator_id: string;
  name: string;
  prefix: string;
  secret_sha256: Buffer;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export const apiKeysRepository = {
  async insert(db: Tx, r: Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'>): Promise<void> {
    await db.query(
      `INSERT INTO api_keys (id, operator_id, name, prefix, secret_sha256, scopes, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.id, r.operator_id, r.name, r.prefix, r.secret_sha256, r.scopes, r.created_at],
    );
  },

  async findByPrefix(db: Tx, prefix: string): Promise<ApiKeyRow | undefined> {
    const { rows } = await db.query<ApiKeyRow>('SELECT * FROM api_keys WHERE prefix = $1', [prefix]);
    return rows[0];
  },

  async findById(db: Tx, id: string): Promise<ApiKeyRow | undefined> {
    const { rows } = await db.query<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return rows[0];
  },

  async list(db: Tx, operatorId?: string): Promise<ApiKeyRow[]> {
    const { rows } = await db.query<ApiKeyRow>(
      `SELECT * FROM api_keys WHERE ($1::uuid IS NULL OR operator_id = $1) ORDER BY created_at, id`,
      [operatorId ?? null],
    );
    return rows;
  },

  async revoke(db: Tx, id: string, at: Date): Promise<boolean> {
    const r = await db.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
      id,
      at,
    ]);
    return r.rowCount === 1;
  },

  /** Records use at most once a minute per key, so a busy integration does not write on every call. */
  async touch(db: Tx, id: string, at: Date): Promise<void> {
    await db.query(
      `UPDATE api_keys SET last_used_at = $2::timestamptz
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
      [id, at],
    );
  },
};

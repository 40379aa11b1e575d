/**
 * Rows of `channel_connections` (no personal data, no row-level security: a webhook finds its
 * connection by path token before it knows the operator) and `channel_inbound_seen`.
 */
import type { Tx } from '../../platform/db/database.ts';

export interface ConnectionRow {
  id: string;
  operator_id: string;
  provider: string;
  path_token: string;
  credentials_enc: Buffer;
  created_at: Date;
  created_by: string | null;
  disabled_at: Date | null;
  disabled_by: string | null;
}

export const ACTIVE_CONNECTION_CONSTRAINT = 'channel_connections_active';

export const connectionsRepository = {
  /** Fails with a unique violation of `channel_connections_active` when one is already active. */
  async insert(tx: Tx, r: Omit<ConnectionRow, 'disabled_at' | 'disabled_by'>): Promise<void> {
    await tx.query(
      `INSERT INTO channel_connections (id, operator_id, provider, path_token, credentials_enc, created_at,
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.id, r.operator_id, r.provider, r.path_token, r.credentials_enc, r.created_at, r.created_by],
    );
  },

  /** The operator's connections, active first, then newest first. */
  async listByOperator(tx: Tx, operatorId: string): Promise<ConnectionRow[]> {
    const { rows } = await tx.query<ConnectionRow>(
      `SELECT * FROM channel_connections WHERE operator_id = $1
       ORDER BY disabled_at IS NOT NULL, created_at DESC, id`,
      [operatorId],
    );
    return rows;
  },

  async findActive(tx: Tx, operatorId: string, provider: string): Promise<ConnectionRow | undefined> {
    const { rows } = await tx.query<ConnectionRow>(
      `SELECT * FROM channel_connections WHERE operator_id = $1 AND provider = $2 AND disabled_at IS NULL`,
      [operatorId, provider],
    );
    return rows[0];
  },

  /** The active connection a webhook's path names. */
  async findActiveByToken(tx: Tx, provider: string, token: string): Promise<ConnectionRow | undefined> {
    const { rows } = await tx.query<ConnectionRow>(
      `SELECT * FROM channel_connections WHERE path_token = $1 AND provider = $2 AND disabled_at IS NULL`,
      [token, provider],
    );
    return rows[0];
  },

  /** Disables the operator's active connection; false when there is none with this id. */
  async disable(tx: Tx, operatorId: string, id: string, at: Date, by: string | null): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE channel_connections SET disabled_at = $3, disabled_by = $4
       WHERE id = $1 AND operator_id = $2 AND disabled_at IS NULL`,
      [id, operatorId, at, by],
    );
    return rowCount === 1;
  },

  async existsForOperator(tx: Tx, operatorId: string, id: string): Promise<boolean> {
    const { rowCount } = await tx.query(
      'SELECT 1 FROM channel_connections WHERE id = $1 AND operator_id = $2',
      [id, operatorId],
    );
    return rowCount === 1;
  },

  /**
   * Takes a provider event id for the connection; false when it was taken before (a replay). A
   * concurrent delivery of the same id waits here for the first transaction and then gets false.
   */
  async markSeen(tx: Tx, connectionId: string, eventId: string, at: Date): Promise<boolean> {
    const { rowCount } = await tx.query(
      `INSERT INTO channel_inbound_seen (connection_id, event_id, seen_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [connectionId, eventId, at],
    );
    return rowCount === 1;
  },

  async purgeSeen(tx: Tx, before: Date): Promise<number> {
    const { rowCount } = await tx.query('DELETE FROM channel_inbound_seen WHERE seen_at < $1', [before]);
    return rowCount ?? 0;
  },
};

import type { Tx } from '../../platform/db/database.ts';
import type { Locale } from './staff.schemas.ts';
import type { Role } from './access.ts';

/** A session joined with what resolving it needs about its staff member, in one round trip. */
export interface SessionWithStaffRow {
  staff_id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  mfa_verified_at: Date | null;
  csrf_secret: string;
  locale: Locale;
  display_name: string;
  disabled_at: Date | null;
  totp_enabled_at: Date | null;
  is_installation_admin: boolean;
  roles: { operatorId: string; role: Role; requireMfa: boolean }[];
}

/** Rows of `sessions`. Sessions are found by the SHA-256 of their token, never by the token. */
export const sessionRepository = {
  async insert(
    tx: Tx,
    row: {
      idHash: Buffer;
      staffId: string;
      at: Date;
      expiresAt: Date;
      csrfSecret: string;
      mfaVerifiedAt: Date | null;
      ip: string | null;
      userAgent: string | null;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO sessions (id_hash, staff_id, created_at, last_seen_at, expires_at, mfa_verified_at,
         csrf_secret, ip, user_agent)
       VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)`,
      [
        row.idHash,
        row.staffId,
        row.at,
        row.expiresAt,
        row.mfaVerifiedAt,
        row.csrfSecret,
        row.ip,
        row.userAgent,
      ],
    );
  },

  async findWithStaff(tx: Tx, idHash: Buffer): Promise<SessionWithStaffRow | undefined> {
    const { rows } = await tx.query<SessionWithStaffRow>(
      `SELECT s.staff_id, s.created_at, s.last_seen_at, s.expires_at, s.mfa_verified_at, s.csrf_secret,
              st.locale, st.display_name, st.disabled_at, st.totp_enabled_at, st.is_installation_admin,
              coalesce((SELECT json_agg(json_build_object('operatorId', r.operator_id, 'role', r.role,
                                                          'requireMfa', o.require_mfa))
                        FROM staff_roles r JOIN operators o ON o.id = r.operator_id
                        WHERE r.staff_id = s.staff_id), '[]'::json) AS roles
       FROM sessions s JOIN staff st ON st.id = s.staff_id
       WHERE s.id_hash = $1`,
      [idHash],
    );
    return rows[0];
  },

  async touch(tx: Tx, idHash: Buffer, at: Date): Promise<void> {
    await tx.query('UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1', [idHash, at]);
  },

  /** Completes the second step and rotates the token and CSRF secret with it. */
  async markMfaVerified(
    tx: Tx,
    idHash: Buffer,
    next: { idHash: Buffer; csrfSecret: string; at: Date },
  ): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE sessions SET id_hash = $2, csrf_secret = $3, mfa_verified_at = $4, last_seen_at = $4
       WHERE id_hash = $1`,
      [idHash, next.idHash, next.csrfSecret, next.at],
    );
    return (rowCount ?? 0) > 0;
  },

  /** After TOTP enrolment the current session has just proved a code. */
  async setMfaVerified(tx: Tx, idHash: Buffer, at: Date): Promise<void> {
    await tx.query('UPDATE sessions SET mfa_verified_at = $2 WHERE id_hash = $1', [idHash, at]);
  },

  async delete(tx: Tx, idHash: Buffer): Promise<string | undefined> {
    const { rows } = await tx.query<{ staff_id: string }>(
      'DELETE FROM sessions WHERE id_hash = $1 RETURNING staff_id',
      [idHash],
    );
    return rows[0]?.staff_id;
  },

  async deleteAllOf(tx: Tx, staffId: string): Promise<number> {
    const { rowCount } = await tx.query('DELETE FROM sessions WHERE staff_id = $1', [staffId]);
    return rowCount ?? 0;
  },
};

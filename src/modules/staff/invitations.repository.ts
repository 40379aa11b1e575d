import type { Tx } from '../../platform/db/database.ts';
import type { Role } from './access.ts';

export interface InvitationRow {
  id: string;
  operator_id: string;
  role: Role;
  email_lower: string;
  display_name: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
}

const COLUMNS = 'id, operator_id, role, email_lower, display_name, created_at, expires_at, accepted_at';

/** Rows of staff_invitations. Data only. */
export const invitationsRepository = {
  async insert(
    tx: Tx,
    r: {
      id: string;
      tokenHash: Buffer;
      operatorId: string;
      role: Role;
      emailLower: string;
      displayName: string;
      invitedBy: string | null;
      at: Date;
      expiresAt: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO staff_invitations (id, token_hash, operator_id, role, email_lower, display_name, invited_by,
         created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [r.id, r.tokenHash, r.operatorId, r.role, r.emailLower, r.displayName, r.invitedBy, r.at, r.expiresAt],
    );
  },

  async findByTokenHash(
    tx: Tx,
    tokenHash: Buffer,
    opts: { forUpdate?: boolean } = {},
  ): Promise<InvitationRow | undefined> {
    const { rows } = await tx.query<InvitationRow>(
      `SELECT ${COLUMNS} FROM staff_invitations WHERE token_hash = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
      [tokenHash],
    );
    return rows[0];
  },

  async markAccepted(tx: Tx, id: string, staffId: string, at: Date): Promise<void> {
    await tx.query('UPDATE staff_invitations SET accepted_at = $2, accepted_by = $3 WHERE id = $1', [
      id,
      at,
      staffId,
    ]);
  },
};

import type { Tx } from '../../platform/db/database.ts';
import type { Role } from './access.ts';
import type { Locale } from './staff.schemas.ts';

export interface StaffRow {
  id: string;
  email: string;
  email_lower: string;
  display_name: string;
  password_hash: string;
  locale: Locale;
  is_installation_admin: boolean;
  totp_secret_enc: Buffer | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
  disabled_at: Date | null;
}

export interface RoleRow {
  operator_id: string;
  role: Role;
  require_mfa: boolean;
}

export interface OperatorRow {
  id: string;
  slug: string;
  name: string;
  short_name: string | null;
  require_mfa: boolean;
}

const STAFF_COLUMNS = `id, email, email_lower, display_name, password_hash, locale, is_installation_admin,
  totp_secret_enc, totp_enabled_at, totp_last_step, disabled_at`;

/** Rows of staff, staff_roles and staff_recovery_codes (and a read of operators). Data only. */
export const staffRepository = {
  async insert(
    tx: Tx,
    row: {
      id: string;
      email: string;
      displayName: string;
      passwordHash: string;
      locale: Locale;
      installationAdmin: boolean;
      at: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO staff (id, email, display_name, password_hash, locale, is_installation_admin,
         password_changed_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)`,
      [row.id, row.email, row.displayName, row.passwordHash, row.locale, row.installationAdmin, row.at],
    );
  },

  async findById(tx: Tx, id: string, opts: { forUpdate?: boolean } = {}): Promise<StaffRow | undefined> {
    const { rows } = await tx.query<StaffRow>(
      `SELECT ${STAFF_COLUMNS} FROM staff WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0];
  },

  async findByEmail(tx: Tx, email: string): Promise<StaffRow | undefined> {
    const { rows } = await tx.query<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE email_lower = $1`, [
      email.toLowerCase(),
    ]);
    return rows[0];
  },

  async listAll(tx: Tx): Promise<StaffRow[]> {
    const { rows } = await tx.query<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff ORDER BY email_lower`);
    return rows;
  },

  /** Accounts holding at least one role in the operator, by e-mail. */
  async listByOperator(tx: Tx, operatorId: string): Promise<StaffRow[]> {
    const { rows } = await tx.query<StaffRow>(
      `SELECT ${STAFF_COLUMNS} FROM staff s
       WHERE EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = s.id AND r.operator_id = $1)
       ORDER BY email_lower`,
      [operatorId],
    );
    return rows;
  },

  /** Every role (in any operator) of these accounts. */
  async rolesOfMany(tx: Tx, staffIds: readonly string[]): Promise<(RoleRow & { staff_id: string })[]> {
    const { rows } = await tx.query<RoleRow & { staff_id: string }>(
      `SELECT r.staff_id, r.operator_id, r.role, o.require_mfa
       FROM staff_roles r JOIN operators o ON o.id = r.operator_id
       WHERE r.staff_id = ANY($1::uuid[]) ORDER BY o.slug, r.role`,
      [staffIds],
    );
    return rows;
  },

  async rolesOf(tx: Tx, staffId: string): Promise<RoleRow[]> {
    const { rows } = await tx.query<RoleRow>(
      `SELECT r.operator_id, r.role, o.require_mfa
       FROM staff_roles r JOIN operators o ON o.id = r.operator_id
       WHERE r.staff_id = $1 ORDER BY o.slug, r.role`,
      [staffId],
    );
    return rows;
  },

  async rolesOfAll(tx: Tx): Promise<(RoleRow & { staff_id: string })[]> {
    const { rows } = await tx.query<RoleRow & { staff_id: string }>(
      `SELECT r.staff_id, r.operator_id, r.role, o.require_mfa
       FROM staff_roles r JOIN operators o ON o.id = r.operator_id ORDER BY o.slug, r.role`,
    );
    return rows;
  },

  /** True when the role was new. */
  async insertRole(tx: Tx, staffId: string, operatorId: string, role: Role, at: Date): Promise<boolean> {
    const { rowCount } = await tx.query(
      `INSERT INTO staff_roles (staff_id, operator_id, role, granted_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [staffId, operatorId, role, at],
    );
    return (rowCount ?? 0) > 0;
  },

  async deleteRole(tx: Tx, staffId: string, operatorId: string, role: Role): Promise<boolean> {
    const { rowCount } = await tx.query(
      'DELETE FROM staff_roles WHERE staff_id = $1 AND operator_id = $2 AND role = $3',
      [staffId, operatorId, role],
    );
    return (rowCount ?? 0) > 0;
  },

  async setDisabled(tx: Tx, id: string, at: Date): Promise<boolean> {
    const { rowCount } = await tx.query(
      'UPDATE staff SET disabled_at = $2, updated_at = $2 WHERE id = $1 AND disabled_at IS NULL',
      [id, at],
    );
    return (rowCount ?? 0) > 0;
  },

  async updatePassword(tx: Tx, id: string, passwordHash: string, at: Date): Promise<void> {
    await tx.query(
      'UPDATE staff SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1',
      [id, passwordHash, at],
    );
  },

  async updateLocale(tx: Tx, id: string, locale: Locale, at: Date): Promise<void> {
    await tx.query('UPDATE staff SET locale = $2, updated_at = $3 WHERE id = $1', [id, locale, at]);
  },

  /** Stores a secret awaiting its first code; refuses to touch an account whose TOTP is enabled. */
  async setPendingTotp(tx: Tx, id: string, secretEnc: Buffer, at: Date): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE staff SET totp_secret_enc = $2, totp_last_step = NULL, updated_at = $3
       WHERE id = $1 AND totp_enabled_at IS NULL`,
      [id, secretEnc, at],
    );
    return (rowCount ?? 0) > 0;
  },

  async enableTotp(tx: Tx, id: string, step: bigint, at: Date): Promise<void> {
    await tx.query(
      'UPDATE staff SET totp_enabled_at = $3, totp_last_step = $2, updated_at = $3 WHERE id = $1',
      [id, step.toString(), at],
    );
  },

  async clearTotp(tx: Tx, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE staff SET totp_secret_enc = NULL, totp_enabled_at = NULL, totp_last_step = NULL,
         updated_at = $2 WHERE id = $1`,
      [id, at],
    );
    await tx.query('DELETE FROM staff_recovery_codes WHERE staff_id = $1', [id]);
  },

  /**
   * Records a used time step, only if it is later than the last one: the condition in the UPDATE
   * makes a replayed code fail even when two requests race.
   */
  async advanceTotpStep(tx: Tx, id: string, step: bigint): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE staff SET totp_last_step = $2
       WHERE id = $1 AND totp_enabled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)`,
      [id, step.toString()],
    );
    return (rowCount ?? 0) > 0;
  },

  async replaceRecoveryCodes(tx: Tx, id: string, hashes: readonly Buffer[]): Promise<void> {
    await tx.query('DELETE FROM staff_recovery_codes WHERE staff_id = $1', [id]);
    await tx.query('INSERT INTO staff_recovery_codes (staff_id, code_hash) SELECT $1, unnest($2::bytea[])', [
      id,
      hashes,
    ]);
  },

  /** Marks a code used; false when it is unknown or was used before. */
  async useRecoveryCode(tx: Tx, id: string, hash: Buffer, at: Date): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE staff_recovery_codes SET used_at = $3
       WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [id, hash, at],
    );
    return (rowCount ?? 0) > 0;
  },

  async countUnusedRecoveryCodes(tx: Tx, id: string): Promise<number> {
    const { rows } = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL',
      [id],
    );
    return rows[0]?.n ?? 0;
  },

  async findOperatorsByIds(tx: Tx, ids: readonly string[]): Promise<OperatorRow[]> {
    const { rows } = await tx.query<OperatorRow>(
      'SELECT id, slug, name, short_name, require_mfa FROM operators WHERE id = ANY($1::uuid[]) ORDER BY slug',
      [ids],
    );
    return rows;
  },

  async findOperatorBySlugOrId(tx: Tx, slugOrId: string, isId: boolean): Promise<OperatorRow | undefined> {
    const { rows } = await tx.query<OperatorRow>(
      `SELECT id, slug, name, short_name, require_mfa FROM operators WHERE ${isId ? 'id = $1::uuid' : 'slug = $1'}`,
      [slugOrId],
    );
    return rows[0];
  },
};

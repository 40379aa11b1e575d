/**
 * Two-factor sign-in with TOTP, managed by the staff member themself: enrolment (a secret shown as
 * a QR code and as text, confirmed by a first code), one-time recovery codes (shown once, stored as
 * SHA-256), and turning it off with the password unless an operator of theirs requires it.
 *
 * The secret is sealed with the keyring's `staff-secrets` key and bound to the staff id, so a copied
 * column does not decrypt under another account.
 *
 * @example
 *   await mfa.startEnrolment(session.staffId, req.ip);
 *   const r = await mfa.confirmEnrolment(session, '123456', req.ip); // r.recoveryCodes: show once
 */
import type { Clock } from '../../platform/clock.ts';
import { seal } from '../../platform/crypto/aead.ts';
import type { Database } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { AuditEntry, AuditResult, AuditService } from '../audit/index.ts';
import { totpAad, type AuthService, type PasswordCheck, type StaffSession } from './auth.service.ts';
import { sessionRepository } from './session.repository.ts';
import type { StaffKeys } from './staff-keys.ts';
import { staffRepository } from './staff.repository.ts';
import {
  checkTotp,
  enrolmentOf,
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeHash,
  type TotpEnrolment,
} from './totp.ts';

export interface MfaStatus {
  enabled: boolean;
  /** An operator of this person requires two-factor sign-in. */
  required: boolean;
  /** Set while a secret awaits its first code. */
  pending: TotpEnrolment | undefined;
  recoveryCodesLeft: number;
}

export type RecoveryCodesResult =
  { kind: 'ok'; recoveryCodes: string[] } | Exclude<PasswordCheck, { kind: 'ok' }>;

export class MfaService {
  constructor(
    private readonly deps: {
      db: Database;
      clock: Clock;
      audit: AuditService;
      keys: StaffKeys;
      auth: AuthService;
    },
  ) {}

  private async staffOf(staffId: string) {
    const staff = await staffRepository.findById(this.deps.db.pool, staffId);
    if (!staff || staff.disabled_at) throw new AppError(ErrorCode.Unauthenticated, 'Sign in again');
    return staff;
  }

  async status(staffId: string): Promise<MfaStatus> {
    const staff = await this.staffOf(staffId);
    const roles = await staffRepository.rolesOf(this.deps.db.pool, staffId);
    const enabled = staff.totp_enabled_at !== null;
    const pending =
      !enabled && staff.totp_secret_enc
        ? await enrolmentOf(await this.deps.auth.totpSecretOf(staff), staff.email)
        : undefined;
    return {
      enabled,
      required: roles.some((r) => r.require_mfa),
      pending,
      recoveryCodesLeft: enabled
        ? await staffRepository.countUnusedRecoveryCodes(this.deps.db.pool, staffId)
        : 0,
    };
  }

  /** Creates (or replaces) the secret awaiting confirmation. */
  async startEnrolment(staffId: string, ip: string): Promise<void> {
    await this.staffOf(staffId);
    const key = await this.deps.keys.get('staff-secrets');
    const secretEnc = seal(key, newTotpSecret(), totpAad(staffId));
    await this.deps.db.transaction(async (tx) => {
      const stored = await staffRepository.setPendingTotp(tx, staffId, secretEnc, this.deps.clock.now());
      if (!stored) throw new AppError(ErrorCode.Conflict, 'Two-factor sign-in is already on');
      await this.deps.audit.record(tx, selfEntry(staffId, 'staff.mfa_enrol_start', ip, 'success'));
    });
  }

  /**
   * Turns TOTP on once the first code matches; the code's step is recorded so it cannot be used
   * again to sign in. The current session counts as having passed the second factor.
   */
  async confirmEnrolment(
    session: StaffSession,
    code: string,
    ip: string,
  ): Promise<{ kind: 'ok'; recoveryCodes: string[] } | { kind: 'invalid' }> {
    const staffId = session.staffId;
    return this.deps.db.transaction(async (tx) => {
      const staff = await staffRepository.findById(tx, staffId, { forUpdate: true });
      if (!staff || staff.disabled_at) throw new AppError(ErrorCode.Unauthenticated, 'Sign in again');
      if (staff.totp_enabled_at) throw new AppError(ErrorCode.Conflict, 'Two-factor sign-in is already on');
      if (!staff.totp_secret_enc) throw new AppError(ErrorCode.Conflict, 'Start the set-up first');
      const now = this.deps.clock.now();
      const step = checkTotp(await this.deps.auth.totpSecretOf(staff), code, now);
      if (step === undefined) {
        await this.deps.audit.record(tx, selfEntry(staffId, 'staff.mfa_enable', ip, 'failure'));
        return { kind: 'invalid' as const };
      }
      await staffRepository.enableTotp(tx, staffId, step, now);
      const recoveryCodes = newRecoveryCodes();
      await staffRepository.replaceRecoveryCodes(tx, staffId, recoveryCodes.map(recoveryCodeHash));
      await sessionRepository.setMfaVerified(tx, session.tokenHash, now);
      await this.deps.audit.record(tx, selfEntry(staffId, 'staff.mfa_enable', ip, 'success'));
      return { kind: 'ok' as const, recoveryCodes };
    });
  }

  /** Replaces all recovery codes (the old ones stop working); needs the password. */
  async regenerateRecoveryCodes(staffId: string, password: string, ip: string): Promise<RecoveryCodesResult> {
    const staff = await this.staffOf(staffId);
    if (!staff.totp_enabled_at) throw new AppError(ErrorCode.Conflict, 'Two-factor sign-in is off');
    const check = await this.deps.auth.checkOwnPassword(
      staffId,
      password,
      ip,
      'staff.recovery_codes_regenerate',
    );
    if (check.kind !== 'ok') return check;
    return this.deps.db.transaction(async (tx) => {
      const recoveryCodes = newRecoveryCodes();
      await staffRepository.replaceRecoveryCodes(tx, staffId, recoveryCodes.map(recoveryCodeHash));
      await this.deps.audit.record(tx, selfEntry(staffId, 'staff.recovery_codes_regenerate', ip, 'success'));
      return { kind: 'ok' as const, recoveryCodes };
    });
  }

  /** Turns TOTP off with the password; refused while an operator of this person requires it. */
  async disable(staffId: string, password: string, ip: string): Promise<PasswordCheck> {
    const staff = await this.staffOf(staffId);
    if (!staff.totp_enabled_at) throw new AppError(ErrorCode.Conflict, 'Two-factor sign-in is off');
    const roles = await staffRepository.rolesOf(this.deps.db.pool, staffId);
    if (roles.some((r) => r.require_mfa)) {
      throw new AppError(ErrorCode.Forbidden, 'An operator you work for requires two-factor sign-in');
    }
    const check = await this.deps.auth.checkOwnPassword(staffId, password, ip, 'staff.mfa_disable');
    if (check.kind !== 'ok') return check;
    await this.deps.db.transaction(async (tx) => {
      await staffRepository.clearTotp(tx, staffId, this.deps.clock.now());
      await this.deps.audit.record(tx, selfEntry(staffId, 'staff.mfa_disable', ip, 'success'));
    });
    return check;
  }
}

/** An audit entry for a staff member acting on their own account. */
function selfEntry(staffId: string, action: string, ip: string, result: AuditResult): AuditEntry {
  return {
    actor: { type: 'staff', id: staffId },
    action,
    objectType: 'staff',
    objectId: staffId,
    source: ip,
    result,
  };
}

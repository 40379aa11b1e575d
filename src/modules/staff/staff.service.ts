/**
 * Staff accounts: creation, roles per operator, disabling, password changes, and what the console
 * shows a signed-in person about themself. Every change is an audit entry in its own transaction;
 * entries carry ids only, never an e-mail or a name.
 *
 * @example
 *   const staff = await staffService.create(systemPrincipal('cli'), {
 *     email: 'admin@clinic.example', displayName: 'Администратор', password,
 *     roles: [{ operatorId, role: 'administrator' }],
 *   });
 *   await staffService.grantRole(principal, { staffId: staff.id, operatorId, role: 'agent' });
 *
 * Staff join an operator by an invitation they accept: `invite` gives a one-time link, answered
 * the same whether the e-mail has an account (at another operator, say) or not; its holder accepts
 * it signed in as that e-mail's account, or sets a password to create the account. Only
 * installation administrators create accounts with roles, or grant a role to someone who holds
 * none at that operator, directly.
 */
import type { Clock } from '../../platform/clock.ts';
import { PgCode, pgErrorCode, type Database, type Tx } from '../../platform/db/database.ts';
import { parseInput } from '../../platform/validation.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, randomToken, type Ids } from '../../platform/ids.ts';
import type { AuditService } from '../audit/index.ts';
import {
  auditEntryBy,
  can,
  isInstallationAdmin,
  requireInstallationAdmin,
  requirePermission,
  type Principal,
  type Role,
} from './access.ts';
import { hashToken, type AuthService, type PasswordCheck } from './auth.service.ts';
import { invitationsRepository, type InvitationRow } from './invitations.repository.ts';
import { checkPasswordPolicy, hashPassword } from './password.ts';
import { staffRepository, type RoleRow, type StaffRow } from './staff.repository.ts';
import {
  CreateStaffSchema,
  InviteStaffSchema,
  RoleGrantSchema,
  type CreateStaffInput,
  type InvitationView,
  type InviteStaffInput,
  type Locale,
  type OperatorStaffMember,
  type StaffDto,
  type StaffOverview,
} from './staff.schemas.ts';

export class StaffService {
  constructor(
    private readonly deps: {
      db: Database;
      clock: Clock;
      ids: Ids;
      audit: AuditService;
      auth: AuthService;
    },
  ) {}

  /**
   * Creates an account: installation administrators only (an operator's administrator invites).
   */
  async create(principal: Principal, input: CreateStaffInput): Promise<StaffDto> {
    const data = parseInput(CreateStaffSchema, input, 'The account data is not valid');
    requireInstallationAdmin(principal);
    checkPasswordPolicy(data.password);
    const passwordHash = await hashPassword(data.password);
    const id = this.deps.ids.uuid();
    try {
      return await this.deps.db.transaction(async (tx) => {
        const now = this.deps.clock.now();
        await staffRepository.insert(tx, {
          id,
          email: data.email,
          displayName: data.displayName,
          passwordHash,
          locale: data.locale,
          installationAdmin: data.installationAdmin,
          at: now,
        });
        await this.audit(tx, principal, 'staff.create', id, null);
        for (const r of data.roles) {
          if (await staffRepository.insertRole(tx, id, r.operatorId, r.role, now)) {
            await this.audit(tx, principal, `staff.role_grant.${r.role}`, id, r.operatorId);
          }
        }
        return this.dtoOf(tx, id);
      });
    } catch (e) {
      throw mapWriteError(e);
    }
  }

  /**
   * Grants a role in an operator; true when it is new. An operator's administrator may only give
   * another role to someone who already holds one there (who joined by an invitation); anyone else
   * is "not found", exactly like an unknown id, so ids of other operators' staff tell nothing.
   */
  async grantRole(
    principal: Principal,
    grant: { staffId: string; operatorId: string; role: Role },
  ): Promise<boolean> {
    const g = parseGrant(grant);
    requirePermission(principal, 'staff.manage', g.operatorId);
    try {
      return await this.deps.db.transaction(async (tx) => {
        await this.existing(tx, grant.staffId);
        if (!isInstallationAdmin(principal)) {
          const roles = await staffRepository.rolesOf(tx, grant.staffId);
          if (!roles.some((r) => r.operator_id === g.operatorId)) {
            throw new AppError(ErrorCode.NotFound, 'Staff member not found');
          }
        }
        const added = await staffRepository.insertRole(
          tx,
          grant.staffId,
          g.operatorId,
          g.role,
          this.deps.clock.now(),
        );
        if (added) await this.audit(tx, principal, `staff.role_grant.${g.role}`, grant.staffId, g.operatorId);
        return added;
      });
    } catch (e) {
      throw mapWriteError(e);
    }
  }

  /**
   * Invites someone to a role in an operator: a one-time token for the link, valid for
   * INVITATION_TTL_MS. The answer is the same whether the e-mail has an account or not.
   */
  async invite(principal: Principal, input: InviteStaffInput): Promise<{ token: string; expiresAt: Date }> {
    const data = parseInput(InviteStaffSchema, input, 'The invitation is not valid');
    requirePermission(principal, 'staff.manage', data.operatorId);
    const token = randomToken(32);
    const id = this.deps.ids.uuid();
    const at = this.deps.clock.now();
    const expiresAt = new Date(at.getTime() + INVITATION_TTL_MS);
    try {
      await this.deps.db.transaction(async (tx) => {
        await invitationsRepository.insert(tx, {
          id,
          tokenHash: hashToken(token),
          operatorId: data.operatorId,
          role: data.role,
          emailLower: data.email.toLowerCase(),
          displayName: data.displayName,
          invitedBy: principal.kind === 'staff' ? principal.staffId : null,
          at,
          expiresAt,
        });
        await this.deps.audit.record(
          tx,
          auditEntryBy(principal, `staff.invite.${data.role}`, {
            objectType: 'staff_invitation',
            objectId: id,
            operatorId: data.operatorId,
          }),
        );
      });
    } catch (e) {
      throw mapWriteError(e);
    }
    return { token, expiresAt };
  }

  /**
   * What an invitation's page shows; NotFound for an unknown, used or expired token. A signed-in
   * visitor learns whether it is for their own account.
   */
  async invitation(token: string, signedInStaffId?: string): Promise<InvitationView> {
    const db = this.deps.db.pool;
    const inv = await this.liveInvitation(db, token);
    const [operator] = await staffRepository.findOperatorsByIds(db, [inv.operator_id]);
    const me = signedInStaffId ? await staffRepository.findById(db, signedInStaffId) : undefined;
    return {
      operatorName: operator?.short_name ?? operator?.name ?? '',
      role: inv.role,
      email: inv.email_lower,
      displayName: inv.display_name,
      forSignedIn: me ? me.email_lower === inv.email_lower : undefined,
    };
  }

  /** The signed-in person accepts an invitation to their own e-mail; returns its operator's id. */
  async acceptInvitation(principal: Principal, token: string): Promise<string> {
    if (principal.kind !== 'staff') throw new AppError(ErrorCode.Forbidden, 'Only staff accept invitations');
    return this.deps.db.transaction(async (tx) => {
      const inv = await this.liveInvitation(tx, token, true);
      const me = await this.existing(tx, principal.staffId);
      // Someone else's invitation is as unknown as a made-up token.
      if (me.email_lower !== inv.email_lower) throw invitationNotFound();
      await this.join(tx, inv, me.id, principal.source);
      return inv.operator_id;
    });
  }

  /**
   * The invitation's holder sets a password: the account of its e-mail is created and joins the
   * operator. When the e-mail already has an account nothing changes (its owner signs in and
   * accepts) and the answer is the same, so the link tells no one whether the account existed.
   */
  async acceptInvitationWithPassword(token: string, password: string, ip: string): Promise<void> {
    checkPasswordPolicy(password);
    // Hashed either way, so both answers take as long.
    const passwordHash = await hashPassword(password);
    await this.deps.db.transaction(async (tx) => {
      const inv = await this.liveInvitation(tx, token, true);
      if (await staffRepository.findByEmail(tx, inv.email_lower)) return;
      const id = this.deps.ids.uuid();
      await staffRepository.insert(tx, {
        id,
        email: inv.email_lower,
        displayName: inv.display_name,
        passwordHash,
        locale: 'ru',
        installationAdmin: false,
        at: this.deps.clock.now(),
      });
      await this.deps.audit.record(tx, {
        actor: { type: 'staff', id },
        action: 'staff.create',
        objectType: 'staff',
        objectId: id,
        operatorId: inv.operator_id,
        source: ip,
        result: 'success',
      });
      await this.join(tx, inv, id, ip);
    });
  }

  private async liveInvitation(tx: Tx, token: string, forUpdate = false): Promise<InvitationRow> {
    const inv =
      token.length > 0 && token.length <= 128
        ? await invitationsRepository.findByTokenHash(tx, hashToken(token), { forUpdate })
        : undefined;
    if (!inv || inv.accepted_at || this.deps.clock.now().getTime() >= inv.expires_at.getTime()) {
      throw invitationNotFound();
    }
    return inv;
  }

  private async join(tx: Tx, inv: InvitationRow, staffId: string, source: string | null): Promise<void> {
    const now = this.deps.clock.now();
    await staffRepository.insertRole(tx, staffId, inv.operator_id, inv.role, now);
    await invitationsRepository.markAccepted(tx, inv.id, staffId, now);
    for (const [action, objectType, objectId] of [
      ['staff.invitation_accept', 'staff_invitation', inv.id],
      [`staff.role_grant.${inv.role}`, 'staff', staffId],
    ] as const) {
      await this.deps.audit.record(tx, {
        actor: { type: 'staff', id: staffId },
        action,
        objectType,
        objectId,
        operatorId: inv.operator_id,
        source,
        result: 'success',
      });
    }
  }

  /** Revokes a role in an operator; true when it was held. */
  async revokeRole(
    principal: Principal,
    grant: { staffId: string; operatorId: string; role: Role },
  ): Promise<boolean> {
    const g = parseGrant(grant);
    requirePermission(principal, 'staff.manage', g.operatorId);
    return this.deps.db.transaction(async (tx) => {
      await this.existing(tx, grant.staffId);
      const removed = await staffRepository.deleteRole(tx, grant.staffId, g.operatorId, g.role);
      if (removed)
        await this.audit(tx, principal, `staff.role_revoke.${g.role}`, grant.staffId, g.operatorId);
      return removed;
    });
  }

  /**
   * Disables an account and ends its sessions. An installation administrator may disable anyone; an
   * operator's administrator only someone whose every role is in operators they administer.
   */
  async disable(principal: Principal, staffId: string): Promise<void> {
    if (!isUuid(staffId)) throw new AppError(ErrorCode.NotFound, 'Staff member not found');
    await this.deps.db.transaction(async (tx) => {
      const staff = await this.existing(tx, staffId);
      const roles = await staffRepository.rolesOf(tx, staffId);
      if (!mayDisable(principal, staff, roles)) {
        throw new AppError(ErrorCode.Forbidden, 'You do not have access to this');
      }
      if (!(await staffRepository.setDisabled(tx, staffId, this.deps.clock.now()))) return;
      await this.deps.auth.endAllSessions(tx, staffId);
      await this.audit(tx, principal, 'staff.disable', staffId, null);
    });
  }

  /** A person changes their own password; every session of theirs ends, this one included. */
  async changeOwnPassword(
    staffId: string,
    current: string,
    next: string,
    ip: string,
  ): Promise<PasswordCheck> {
    checkPasswordPolicy(next);
    const check = await this.deps.auth.checkOwnPassword(staffId, current, ip, 'staff.password_change');
    if (check.kind !== 'ok') return check;
    const passwordHash = await hashPassword(next);
    await this.deps.db.transaction(async (tx) => {
      await staffRepository.updatePassword(tx, staffId, passwordHash, this.deps.clock.now());
      await this.deps.auth.endAllSessions(tx, staffId);
      await this.deps.audit.record(tx, {
        actor: { type: 'staff', id: staffId },
        action: 'staff.password_change',
        objectType: 'staff',
        objectId: staffId,
        source: ip,
        result: 'success',
      });
    });
    return check;
  }

  /** A person's interface language. */
  async setOwnLocale(staffId: string, locale: Locale): Promise<void> {
    await staffRepository.updateLocale(this.deps.db.pool, staffId, locale, this.deps.clock.now());
  }

  /** Every account with its roles (installation administrators only). */
  async list(principal: Principal): Promise<StaffDto[]> {
    requireInstallationAdmin(principal);
    const [staff, roles] = await Promise.all([
      staffRepository.listAll(this.deps.db.pool),
      staffRepository.rolesOfAll(this.deps.db.pool),
    ]);
    return staff.map((s) =>
      toDto(
        s,
        roles.filter((r) => r.staff_id === s.id),
      ),
    );
  }

  /**
   * The accounts holding a role in one operator, with their roles there and whether the caller may
   * disable each (for the console's staff page). Needs staff.manage in that operator.
   */
  async listForOperator(principal: Principal, operatorId: string): Promise<OperatorStaffMember[]> {
    requirePermission(principal, 'staff.manage', operatorId);
    if (!isUuid(operatorId)) throw new AppError(ErrorCode.NotFound, 'Operator not found');
    const db = this.deps.db.pool;
    const staff = await staffRepository.listByOperator(db, operatorId);
    if (staff.length === 0) return [];
    const roles = await staffRepository.rolesOfMany(
      db,
      staff.map((s) => s.id),
    );
    return staff.map((s) => {
      const own = roles.filter((r) => r.staff_id === s.id);
      return {
        id: s.id,
        email: s.email,
        displayName: s.display_name,
        installationAdmin: s.is_installation_admin,
        mfaEnabled: s.totp_enabled_at !== null,
        disabled: s.disabled_at !== null,
        roles: own.filter((r) => r.operator_id === operatorId).map((r) => r.role),
        mayDisable: mayDisable(principal, s, own),
      };
    });
  }

  async get(principal: Principal, staffId: string): Promise<StaffDto> {
    if (!isUuid(staffId)) throw new AppError(ErrorCode.NotFound, 'Staff member not found');
    const dto = await this.dtoOf(this.deps.db.pool, staffId);
    const self = principal.kind === 'staff' && principal.staffId === staffId;
    if (!self && !isInstallationAdmin(principal)) {
      if (!dto.roles.some((r) => can(principal, 'staff.manage', r.operatorId))) {
        throw new AppError(ErrorCode.NotFound, 'Staff member not found');
      }
    }
    return dto;
  }

  /** The signed-in person's own summary: their operators and roles. */
  async overview(principal: Principal): Promise<StaffOverview> {
    if (principal.kind !== 'staff') throw new AppError(ErrorCode.Forbidden, 'Only staff have an overview');
    const staff = await this.existing(this.deps.db.pool, principal.staffId);
    const operators = await staffRepository.findOperatorsByIds(this.deps.db.pool, [
      ...principal.roles.keys(),
    ]);
    return {
      staffId: staff.id,
      displayName: staff.display_name,
      installationAdmin: staff.is_installation_admin,
      mfaEnabled: staff.totp_enabled_at !== null,
      operators: operators.map((o) => ({
        id: o.id,
        slug: o.slug,
        name: o.short_name ?? o.name,
        roles: [...(principal.roles.get(o.id) ?? [])].sort(),
      })),
    };
  }

  /** An operator's id from its slug or id (for the command line). */
  async operatorIdOf(slugOrId: string): Promise<string> {
    const op = await staffRepository.findOperatorBySlugOrId(this.deps.db.pool, slugOrId, isUuid(slugOrId));
    if (!op) throw new AppError(ErrorCode.NotFound, 'Operator not found');
    return op.id;
  }

  /** Slugs of operators by id (for listings). */
  async operatorSlugs(ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await staffRepository.findOperatorsByIds(this.deps.db.pool, ids);
    return new Map(rows.map((o) => [o.id, o.slug]));
  }

  /** The account id for an e-mail (for the command line). */
  async idByEmail(principal: Principal, email: string): Promise<string | undefined> {
    requireInstallationAdmin(principal);
    return (await staffRepository.findByEmail(this.deps.db.pool, email))?.id;
  }

  private async existing(tx: Tx, staffId: string): Promise<StaffRow> {
    const staff = isUuid(staffId) ? await staffRepository.findById(tx, staffId) : undefined;
    if (!staff) throw new AppError(ErrorCode.NotFound, 'Staff member not found');
    return staff;
  }

  private async dtoOf(tx: Tx, staffId: string): Promise<StaffDto> {
    const staff = await this.existing(tx, staffId);
    return toDto(staff, await staffRepository.rolesOf(tx, staffId));
  }

  private async audit(
    tx: Tx,
    principal: Principal,
    action: string,
    staffId: string,
    operatorId: string | null,
  ): Promise<void> {
    await this.deps.audit.record(
      tx,
      auditEntryBy(principal, action, {
        objectType: 'staff',
        objectId: staffId,
        operatorId,
      }),
    );
  }
}

/**
 * An installation administrator may disable anyone; an operator's administrator only someone whose
 * every role is in operators they administer (so one clinic cannot lock out another's staff).
 */
function mayDisable(principal: Principal, staff: StaffRow, roles: readonly RoleRow[]): boolean {
  return (
    isInstallationAdmin(principal) ||
    (!staff.is_installation_admin &&
      roles.length > 0 &&
      roles.every((r) => can(principal, 'staff.manage', r.operator_id)))
  );
}

/** How long an invitation's link works. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

function invitationNotFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'The invitation is unknown, used or expired');
}

function parseGrant(grant: { operatorId: string; role: Role }): { operatorId: string; role: Role } {
  const parsed = RoleGrantSchema.safeParse({ operatorId: grant.operatorId, role: grant.role });
  if (!parsed.success) throw new AppError(ErrorCode.ValidationFailed, 'Unknown operator or role');
  return parsed.data;
}

function toDto(s: StaffRow, roles: RoleRow[]): StaffDto {
  return {
    id: s.id,
    email: s.email,
    displayName: s.display_name,
    locale: s.locale,
    installationAdmin: s.is_installation_admin,
    mfaEnabled: s.totp_enabled_at !== null,
    disabled: s.disabled_at !== null,
    roles: roles.map((r) => ({ operatorId: r.operator_id, role: r.role })),
  };
}

function mapWriteError(e: unknown): unknown {
  const code = pgErrorCode(e);
  // The message must not quote the e-mail.
  if (code === PgCode.UniqueViolation)
    return new AppError(ErrorCode.Conflict, 'An account with this e-mail already exists');
  if (code === PgCode.ForeignKeyViolation) return new AppError(ErrorCode.NotFound, 'Operator not found');
  return e;
}

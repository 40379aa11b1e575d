/**
 * Who may do what, for which operator. Every service method that touches personal data begins with
 * `requirePermission(principal, permission, operatorId)`: it checks the role and scopes by operator
 * in one statement, and throws AppError(Forbidden) otherwise.
 *
 * @example
 *   requirePermission(principal, 'subject.read', operatorId);
 *   return db.scoped([operatorId], (tx) => repo.findById(tx, id));
 */
import type { Actor, AuditEntry } from '../audit/index.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';

export const ROLES = ['agent', 'moderator', 'privacy_officer', 'administrator'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'subject.create'
  | 'subject.read'
  | 'subject.search'
  | 'subject.destroy'
  | 'subject.merge'
  | 'inquiry.create'
  | 'inquiry.read'
  | 'inquiry.update'
  | 'inquiry.export'
  | 'review.moderate'
  | 'rights.manage'
  | 'retention.manage'
  | 'audit.read'
  | 'policy.manage'
  | 'notification.manage'
  | 'operator.read'
  | 'operator.manage'
  | 'staff.manage';

/**
 * Least privilege: agents work inquiries; moderators reviews; privacy officers the rights desk,
 * retention, audit and policy, including destruction; administrators the operator, its sites and
 * staff, and they do not read patients' data by virtue of the role alone (separation of duties).
 */
const GRANTS: Record<Role, readonly Permission[]> = {
  agent: [
    'subject.create',
    'subject.read',
    'subject.search',
    'inquiry.read',
    'inquiry.update',
    'operator.read',
  ],
  moderator: ['review.moderate', 'operator.read'],
  privacy_officer: [
    'subject.read',
    'subject.search',
    'subject.destroy',
    // Merging two records of one patient re-assigns consents and history: the officer's call.
    'subject.merge',
    'inquiry.read',
    // Bulk export of decrypted contacts is oversight, not an agent's daily work (audited per row).
    'inquiry.export',
    'rights.manage',
    'retention.manage',
    'audit.read',
    'policy.manage',
    'notification.manage',
    'operator.read',
  ],
  // Notification templates, quiet hours and marketing sends: the clinic's settings, no patient data.
  administrator: [
    'operator.read',
    'operator.manage',
    'staff.manage',
    'policy.manage',
    'audit.read',
    'notification.manage',
  ],
};

export function roleGrants(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export type Principal =
  | {
      readonly kind: 'staff';
      readonly staffId: string;
      /** Roles per operator id. */
      readonly roles: ReadonlyMap<string, ReadonlySet<Role>>;
      /** Installation administrators create operators and manage staff everywhere. */
      readonly installationAdmin: boolean;
      readonly source: string | null;
    }
  | {
      /** A scheduled job or a CLI command acting for the installation. */
      readonly kind: 'system';
      readonly name: string;
    }
  | {
      /** An integrator's API key: acts for its one operator, within its scopes, nothing else. */
      readonly kind: 'api_key';
      readonly keyId: string;
      readonly operatorId: string;
      readonly scopes: readonly string[];
      readonly source: string | null;
    };

/** What an API key may do with each of its scopes, for its own operator only. */
const API_KEY_GRANTS: Readonly<Record<string, readonly Permission[]>> = {
  'inquiries:write': ['subject.create', 'inquiry.create'],
  'inquiries:read': ['inquiry.read'],
  'inquiries:status': ['inquiry.update'],
  'subjects:read': ['subject.read'],
};

export function can(principal: Principal, permission: Permission, operatorId: string): boolean {
  switch (principal.kind) {
    case 'system':
      return true;
    case 'staff': {
      if (
        principal.installationAdmin &&
        (permission === 'operator.manage' || permission === 'staff.manage')
      ) {
        return true;
      }
      const roles = principal.roles.get(operatorId);
      if (!roles) return false;
      for (const r of roles) if (roleGrants(r, permission)) return true;
      return false;
    }
    case 'api_key':
      return (
        principal.operatorId === operatorId &&
        principal.scopes.some((s) => API_KEY_GRANTS[s]?.includes(permission) === true)
      );
  }
}

/** Throws Forbidden unless the principal holds the permission for this operator. */
export function requirePermission(principal: Principal, permission: Permission, operatorId: string): void {
  if (!can(principal, permission, operatorId)) {
    throw new AppError(ErrorCode.Forbidden, 'You do not have access to this');
  }
}

/** Operator ids where the principal holds the permission (for scoping lists across operators). */
export function operatorsWith(principal: Principal, permission: Permission): string[] {
  if (principal.kind === 'api_key') {
    return can(principal, permission, principal.operatorId) ? [principal.operatorId] : [];
  }
  if (principal.kind !== 'staff') return [];
  return [...principal.roles.keys()].filter((op) => can(principal, permission, op));
}

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'staff':
      return { type: 'staff', id: principal.staffId };
    case 'api_key':
      return { type: 'api_key', id: principal.keyId };
    case 'system':
      return { type: 'job', id: principal.name };
  }
}

export function sourceOf(principal: Principal): string | null {
  return principal.kind === 'system' ? null : principal.source;
}

/**
 * An audit entry for something the principal did successfully: the actor and the source are the
 * principal's; `about` says what was touched (object, subject, operator).
 */
export function auditEntryBy(
  principal: Principal,
  action: string,
  about: Pick<AuditEntry, 'objectType' | 'objectId' | 'subjectId' | 'operatorId'>,
): AuditEntry {
  return { actor: actorOf(principal), action, ...about, source: sourceOf(principal), result: 'success' };
}

export function systemPrincipal(name: string): Principal {
  return { kind: 'system', name };
}

/** Installation administrators (and the system itself) manage operators and staff everywhere. */
export function isInstallationAdmin(principal: Principal): boolean {
  return principal.kind === 'system' || (principal.kind === 'staff' && principal.installationAdmin);
}

/** Throws Forbidden unless the principal is an installation administrator or the system. */
export function requireInstallationAdmin(principal: Principal): void {
  if (!isInstallationAdmin(principal)) {
    throw new AppError(ErrorCode.Forbidden, 'Only an installation administrator may do this');
  }
}

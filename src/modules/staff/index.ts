/**
 * Staff: accounts, roles per operator, sign-in, sessions, TOTP, and the HTTP hooks that turn a
 * session cookie into a Principal. Other code imports the module through this file only.
 *
 * @example
 *   import { registerStaffAuth, requireStaff, requireCsrf, principalOf } from '../modules/staff/index.ts';
 */
export * from './access.ts';
export {
  AuthService,
  MFA_STEP_MAX_MS,
  TOUCH_INTERVAL_MS,
  type LoginResult,
  type PasswordCheck,
  type SecondFactorResult,
  type SessionStage,
  type StaffSession,
} from './auth.service.ts';
export { ACCOUNT_RULE, ACCOUNT_WIDE_RULE, IP_RULE, type ThrottleRule } from './login-throttle.ts';
export { DEVICE_COOKIE, deviceCookieOptions } from './login-device.ts';
export { SECOND_FACTOR_RULE } from './second-factor-throttle.ts';
export { MfaService, type MfaStatus, type RecoveryCodesResult } from './mfa.service.ts';
export {
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from './password.ts';
export { StaffKeys } from './staff-keys.ts';
export {
  csrfTokenForForm,
  csrfTokenOf,
  CSRF_FIELD,
  CSRF_HEADER,
  formCsrfToken,
  LOGIN_PATH,
  MFA_ENROL_PATH,
  MFA_STEP_PATH,
  principalOf,
  registerStaffAuth,
  type StaffHooksPorts,
  requireCsrf,
  requireFormCsrf,
  requireStaff,
  requireStage,
  SESSION_COOKIE,
  sessionCookieOptions,
  staffAuth,
} from './staff.hooks.ts';
export {
  CreateStaffSchema,
  DisplayNameSchema,
  InviteStaffSchema,
  type InvitationView,
  type InviteStaffInput,
  EmailSchema,
  LocaleSchema,
  LOCALES,
  RoleGrantSchema,
  RoleSchema,
  StaffDtoSchema,
  type CreateStaffInput,
  type Locale,
  type OperatorStaffMember,
  type RoleGrant,
  type StaffDto,
  type StaffOverview,
} from './staff.schemas.ts';
export { INVITATION_TTL_MS, StaffService } from './staff.service.ts';
export { RECOVERY_CODE_COUNT } from './totp.ts';
export { PURGE_LOGIN_THROTTLE, purgeLoginThrottleJob } from './purge-login-throttle.job.ts';
export { PURGE_SESSIONS, purgeSessionsJob } from './purge-sessions.job.ts';

import type { AuditService } from '../audit/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Ids } from '../../platform/ids.ts';
import { AuthService } from './auth.service.ts';
import { MfaService } from './mfa.service.ts';
import { StaffKeys } from './staff-keys.ts';
import { StaffService } from './staff.service.ts';

/** Builds the module's three services on one shared key cache. */
export function createStaffServices(deps: {
  db: Database;
  clock: Clock;
  ids: Ids;
  config: Config;
  audit: AuditService;
  keyring: KeyringService;
}): { staff: StaffService; staffAuth: AuthService; staffMfa: MfaService } {
  const keys = new StaffKeys(deps.keyring);
  const staffAuth = new AuthService({
    db: deps.db,
    clock: deps.clock,
    config: deps.config,
    audit: deps.audit,
    keys,
  });
  const staffMfa = new MfaService({
    db: deps.db,
    clock: deps.clock,
    audit: deps.audit,
    keys,
    auth: staffAuth,
  });
  const staff = new StaffService({
    db: deps.db,
    clock: deps.clock,
    ids: deps.ids,
    audit: deps.audit,
    auth: staffAuth,
  });
  return { staff, staffAuth, staffMfa };
}

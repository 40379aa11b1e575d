/**
 * Sign-in, sessions and the second factor at sign-in. Sessions live in the database: the cookie
 * carries a random 32-byte token and the table only its SHA-256. A session is fully signed in
 * ("full") only when the password and, if the account has TOTP, a code were given, and when no
 * operator the person works for requires TOTP that the account lacks ("enrol").
 *
 * Idle timeout and absolute lifetime are checked on every request with the injected clock. The
 * last-seen time is written at most once a minute so that reads stay cheap; the idle timeout
 * therefore counts from the last recorded activity, which may be up to a minute earlier than the
 * very last request.
 *
 * @example
 *   const r = await auth.login({ email, password, ip: req.ip, userAgent });
 *   if (r.kind === 'ok') reply.setCookie(SESSION_COOKIE, r.token, sessionCookieOptions(config));
 *   const session = await auth.resolve(req.cookies[SESSION_COOKIE]);
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../platform/clock.ts';
import { DecryptError, open } from '../../platform/crypto/aead.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { randomToken } from '../../platform/ids.ts';
import type { AuditService, Actor } from '../audit/index.ts';
import type { Principal, Role } from './access.ts';
import { knownDevice, withDevice } from './login-device.ts';
import {
  ACCOUNT_RULE,
  ACCOUNT_WIDE_RULE,
  countAttempt,
  IP_RULE,
  lockedSeconds,
  throttleRepository,
  type ThrottleRule,
} from './login-throttle.ts';
import { SECOND_FACTOR_RULE, secondFactorThrottleKey } from './second-factor-throttle.ts';
import { verifyDummy, verifyPassword } from './password.ts';
import { sessionRepository } from './session.repository.ts';
import type { StaffKeys } from './staff-keys.ts';
import { staffRepository, type StaffRow } from './staff.repository.ts';
import type { Locale } from './staff.schemas.ts';
import { checkTotp, looksLikeTotp, recoveryCodeHash } from './totp.ts';

/** full: signed in; mfa: password given, code awaited; enrol: must set up TOTP before anything else. */
export type SessionStage = 'full' | 'mfa' | 'enrol';

export interface StaffSession {
  /** SHA-256 of the cookie's token: the row's key. */
  readonly tokenHash: Buffer;
  readonly staffId: string;
  readonly stage: SessionStage;
  /** The session's CSRF token, for forms (`_csrf`) and the `x-csrf-token` header. */
  readonly csrfToken: string;
  readonly locale: Locale;
  /** The person's own name, for the console's header. */
  readonly displayName: string;
  readonly installationAdmin: boolean;
  readonly mfaEnabled: boolean;
  /** Whether an operator of this person requires TOTP (then it cannot be turned off). */
  readonly mfaRequired: boolean;
  readonly roles: ReadonlyMap<string, ReadonlySet<Role>>;
}

export type LoginResult =
  /** `device`: the device cookie's new value (see login-device.ts). */
  | { kind: 'ok'; token: string; stage: SessionStage; device: string }
  | { kind: 'invalid' }
  | { kind: 'locked'; retryAfterSeconds: number };

export type SecondFactorResult =
  | { kind: 'ok'; token: string; usedRecoveryCode: boolean }
  | { kind: 'invalid' }
  | { kind: 'locked'; retryAfterSeconds: number };

export type PasswordCheck =
  { kind: 'ok' } | { kind: 'invalid' } | { kind: 'locked'; retryAfterSeconds: number };

/** A session waiting for its second factor is given this long to produce it. */
export const MFA_STEP_MAX_MS = 10 * 60_000;
/** last_seen_at is written at most this often. */
export const TOUCH_INTERVAL_MS = 60_000;

const MAX_TOKEN_LENGTH = 128;
const MAX_USER_AGENT = 300;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function totpAad(staffId: string): string {
  return `soglasie/staff/${staffId}/totp`;
}

interface ThrottleKey {
  key: string;
  rule: ThrottleRule;
}

interface Reservation {
  keys: (ThrottleKey & { lockedNow: boolean; lockedUntil: Date | null })[];
}

export class AuthService {
  constructor(
    private readonly deps: {
      db: Database;
      clock: Clock;
      config: Config;
      audit: AuditService;
      keys: StaffKeys;
    },
  ) {}

  private get db(): Database {
    return this.deps.db;
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  /**
   * Checks an e-mail and password and opens a session. The answer for an unknown e-mail, a wrong
   * password and a disabled account is the same, takes as long (a dummy argon2 verify), and is
   * throttled the same way; only the audit log tells them apart, by staff id.
   */
  async login(input: {
    email: string;
    password: string;
    ip: string;
    userAgent?: string;
    /** The browser's device cookie, if any. */
    device?: string | undefined;
  }): Promise<LoginResult> {
    const email = input.email.trim().toLowerCase();
    const staff = email === '' ? undefined : await staffRepository.findByEmail(this.db.pool, email);
    const actor: Actor = { type: 'staff', id: staff?.id ?? null };
    const device = staff ? await knownDevice(this.deps.keys, staff.id, input.device) : undefined;
    const keys = await this.throttleKeys(email, input.ip, device);
    const audit = { actor, action: 'staff.login', staffId: staff?.id ?? null, ip: input.ip };

    const reserved = await this.reserve(keys, audit);
    if (reserved.kind === 'locked') return reserved;

    const passwordOk = staff
      ? await verifyPassword(staff.password_hash, input.password)
      : await verifyDummy(input.password);
    const ok = passwordOk && staff !== undefined && staff.disabled_at === null;

    return this.db.transaction(async (tx) => {
      const now = this.now();
      if (!ok || !staff) {
        await this.deps.audit.record(tx, {
          actor,
          action: 'staff.login',
          objectType: 'staff',
          objectId: staff?.id ?? null,
          source: input.ip,
          // A right password for a disabled account is refused, not failed: worth telling apart.
          result: passwordOk && staff ? 'denied' : 'failure',
        });
        const locked = await this.settleFailure(tx, reserved.reservation, audit, now);
        return locked ?? { kind: 'invalid' as const };
      }
      await this.settleSuccess(tx, reserved.reservation, keys[0]!.key);
      const roles = await staffRepository.rolesOf(tx, staff.id);
      const token = await this.openSession(tx, staff.id, now, input.ip, input.userAgent);
      await this.deps.audit.record(tx, {
        actor,
        action: 'staff.login',
        objectType: 'staff',
        objectId: staff.id,
        source: input.ip,
        result: 'success',
      });
      const stage = stageOf(
        staff.totp_enabled_at !== null,
        false,
        roles.some((r) => r.require_mfa),
      );
      const nextDevice = await withDevice(this.deps.keys, staff.id, input.device);
      return { kind: 'ok' as const, token, stage, device: nextDevice };
    });
  }

  private async openSession(
    tx: Tx,
    staffId: string,
    now: Date,
    ip: string | null,
    userAgent: string | undefined,
  ): Promise<string> {
    const token = randomToken(32);
    await sessionRepository.insert(tx, {
      idHash: hashToken(token),
      staffId,
      at: now,
      expiresAt: new Date(now.getTime() + this.deps.config.sessionMaxHours * 3_600_000),
      csrfSecret: randomToken(32),
      mfaVerifiedAt: null,
      ip,
      userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    });
    return token;
  }

  /**
   * The session of a cookie's token, or undefined when there is none, it has expired (idle or
   * absolute; the row is then deleted), or its staff member is disabled.
   */
  async resolve(token: string | undefined): Promise<StaffSession | undefined> {
    if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
    const idHash = hashToken(token);
    const row = await sessionRepository.findWithStaff(this.db.pool, idHash);
    if (!row) return undefined;
    const now = this.now().getTime();
    const idleEnd = row.last_seen_at.getTime() + this.deps.config.sessionIdleMinutes * 60_000;
    const mfaPending = row.totp_enabled_at !== null && row.mfa_verified_at === null;
    const expired =
      now >= row.expires_at.getTime() ||
      now >= idleEnd ||
      row.disabled_at !== null ||
      (mfaPending && now >= row.created_at.getTime() + MFA_STEP_MAX_MS);
    if (expired) {
      await sessionRepository.delete(this.db.pool, idHash);
      return undefined;
    }
    if (now - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
      await sessionRepository.touch(this.db.pool, idHash, new Date(now));
    }
    const roles = new Map<string, Set<Role>>();
    for (const r of row.roles) {
      let set = roles.get(r.operatorId);
      if (!set) roles.set(r.operatorId, (set = new Set()));
      set.add(r.role);
    }
    const mfaRequired = row.roles.some((r) => r.requireMfa);
    return {
      tokenHash: idHash,
      staffId: row.staff_id,
      stage: stageOf(row.totp_enabled_at !== null, row.mfa_verified_at !== null, mfaRequired),
      csrfToken: row.csrf_secret,
      locale: row.locale,
      displayName: row.display_name,
      installationAdmin: row.is_installation_admin,
      mfaEnabled: row.totp_enabled_at !== null,
      mfaRequired,
      roles,
    };
  }

  /** The principal of a fully signed-in session; undefined for a session still at a step. */
  principalOf(session: StaffSession | undefined, source: string | null): Principal | undefined {
    if (!session || session.stage !== 'full') return undefined;
    return {
      kind: 'staff',
      staffId: session.staffId,
      roles: session.roles,
      installationAdmin: session.installationAdmin,
      source,
    };
  }

  async logout(token: string | undefined, ip: string): Promise<void> {
    if (!token || token.length > MAX_TOKEN_LENGTH) return;
    await this.db.transaction(async (tx) => {
      const staffId = await sessionRepository.delete(tx, hashToken(token));
      if (!staffId) return;
      await this.deps.audit.record(tx, {
        actor: { type: 'staff', id: staffId },
        action: 'staff.logout',
        objectType: 'staff',
        objectId: staffId,
        source: ip,
        result: 'success',
      });
    });
  }

  /**
   * The second step of sign-in: a TOTP code (each time step usable once) or a one-time recovery
   * code. Throttled per address like the password, and per account on a second-factor key that a
   * new password step does not clear (see second-factor-throttle.ts). On success the session's
   * token and CSRF secret are replaced, as its privileges just grew.
   */
  async completeSecondFactor(
    session: StaffSession,
    code: string,
    ip: string,
    /** The browser's device cookie: a browser the account knows skips the address's counters. */
    deviceCookie?: string,
  ): Promise<SecondFactorResult> {
    if (session.stage !== 'mfa') throw new AppError(ErrorCode.Conflict, 'No second step is awaited');
    const staff = await staffRepository.findById(this.db.pool, session.staffId);
    if (!staff?.totp_secret_enc || !staff.totp_enabled_at) return { kind: 'invalid' };
    const actor: Actor = { type: 'staff', id: staff.id };
    const device = await knownDevice(this.deps.keys, staff.id, deviceCookie);
    const keys = [
      { key: await secondFactorThrottleKey(this.deps.keys, staff.id), rule: SECOND_FACTOR_RULE },
      ...(await this.throttleKeys(staff.email_lower, ip, device)).filter((k) => k.rule !== ACCOUNT_RULE),
    ];
    const audit = { actor, action: 'staff.mfa_verify', staffId: staff.id, ip };
    const reserved = await this.reserve(keys, audit);
    if (reserved.kind === 'locked') return reserved;
    const secret = await this.totpSecretOf(staff);

    return this.db.transaction(async (tx) => {
      const now = this.now();
      const usedRecoveryCode = !looksLikeTotp(code);
      let ok: boolean;
      if (usedRecoveryCode) {
        ok =
          code.length <= 64 &&
          (await staffRepository.useRecoveryCode(tx, staff.id, recoveryCodeHash(code), now));
      } else {
        const step = checkTotp(secret, code, now);
        ok = step !== undefined && (await staffRepository.advanceTotpStep(tx, staff.id, step));
      }
      await this.deps.audit.record(tx, {
        actor,
        action: usedRecoveryCode ? 'staff.mfa_verify_recovery_code' : 'staff.mfa_verify',
        objectType: 'staff',
        objectId: staff.id,
        source: ip,
        result: ok ? 'success' : 'failure',
      });
      if (!ok) {
        const locked = await this.settleFailure(tx, reserved.reservation, audit, now);
        return locked ?? { kind: 'invalid' as const };
      }
      await this.settleSuccess(tx, reserved.reservation, keys[0]!.key);
      const token = randomToken(32);
      const rotated = await sessionRepository.markMfaVerified(tx, session.tokenHash, {
        idHash: hashToken(token),
        csrfSecret: randomToken(32),
        at: now,
      });
      if (!rotated) throw new AppError(ErrorCode.Unauthenticated, 'The session has ended; sign in again');
      return { kind: 'ok' as const, token, usedRecoveryCode };
    });
  }

  /**
   * Re-checks a signed-in person's password before a sensitive change (turning TOTP off, new
   * recovery codes, a new password). Throttled per account like a sign-in, but not by the address's
   * counters: the person is signed in, so the browser is known, and someone else's failures behind
   * a shared address must not keep them from changing their own password.
   */
  async checkOwnPassword(
    staffId: string,
    password: string,
    ip: string,
    action: string,
  ): Promise<PasswordCheck> {
    const staff = await staffRepository.findById(this.db.pool, staffId);
    if (!staff) throw new AppError(ErrorCode.Unauthenticated, 'Sign in again');
    const actor: Actor = { type: 'staff', id: staffId };
    const keys: ThrottleKey[] = [
      {
        key: `reauth:${await this.deps.keys.hmac('login-throttle', `staff:${staff.id}`)}`,
        rule: ACCOUNT_RULE,
      },
    ];
    const audit = { actor, action, staffId, ip };
    const reserved = await this.reserve(keys, audit);
    if (reserved.kind === 'locked') return reserved;
    const ok = await verifyPassword(staff.password_hash, password);
    return this.db.transaction(async (tx) => {
      if (ok) {
        await this.settleSuccess(tx, reserved.reservation, keys[0]!.key);
        return { kind: 'ok' as const };
      }
      const now = this.now();
      await this.deps.audit.record(tx, {
        actor,
        action,
        objectType: 'staff',
        objectId: staffId,
        source: ip,
        result: 'failure',
      });
      return (await this.settleFailure(tx, reserved.reservation, audit, now)) ?? { kind: 'invalid' as const };
    });
  }

  /** The raw TOTP secret of an account (pending or enabled). */
  async totpSecretOf(staff: Pick<StaffRow, 'id' | 'totp_secret_enc'>): Promise<Buffer> {
    if (!staff.totp_secret_enc) throw new AppError(ErrorCode.Conflict, 'Two-factor sign-in is not set up');
    try {
      return open(await this.deps.keys.get('staff-secrets'), staff.totp_secret_enc, totpAad(staff.id));
    } catch (e) {
      if (e instanceof DecryptError) {
        // Copied from another account, or the key was lost: never accept codes from it.
        throw new AppError(ErrorCode.Internal, 'The two-factor secret cannot be read');
      }
      throw e;
    }
  }

  /** The key that signs the double-submit CSRF cookie of forms shown before sign-in. */
  formCsrfKey(): Promise<Buffer> {
    return this.deps.keys.get('console-csrf');
  }

  /** Deletes every session of a staff member (password change, disabling). */
  async endAllSessions(tx: Tx, staffId: string): Promise<number> {
    return sessionRepository.deleteAllOf(tx, staffId);
  }

  // --- throttling -------------------------------------------------------------------------------

  /**
   * The counters an attempt meets; the first is the one a success resets. A browser known to the
   * account (its device cookie) meets only its own; others the (account, address) pair, the
   * address and the account as a whole (see login-throttle.ts).
   */
  private async throttleKeys(emailLower: string, ip: string, device?: string): Promise<ThrottleKey[]> {
    const keys = this.deps.keys;
    const hmac = (text: string) => keys.hmac('login-throttle', text);
    if (device !== undefined) {
      return [{ key: `device:${await hmac(`email:${emailLower}\ndevice:${device}`)}`, rule: ACCOUNT_RULE }];
    }
    return [
      { key: `pair:${await hmac(`email:${emailLower}\nip:${ip}`)}`, rule: ACCOUNT_RULE },
      { key: `ip:${await hmac(`ip:${ip}`)}`, rule: IP_RULE },
      { key: `account:${await hmac(`email:${emailLower}`)}`, rule: ACCOUNT_WIDE_RULE },
    ];
  }

  /** Refuses a locked key (audited as denied) or counts the attempt on every key. */
  private async reserve(
    keys: ThrottleKey[],
    audit: { actor: Actor; action: string; staffId: string | null; ip: string },
  ): Promise<{ kind: 'locked'; retryAfterSeconds: number } | { kind: 'reserved'; reservation: Reservation }> {
    return this.db.transaction(async (tx) => {
      const now = this.now();
      // Rows are locked in key order, so two attempts never wait on each other crosswise.
      const ordered = [...keys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const states = [];
      for (const k of ordered) states.push({ k, state: await throttleRepository.lock(tx, k.key, now) });
      const wait = Math.max(0, ...states.map((s) => lockedSeconds(s.state, now)));
      if (wait > 0) {
        await this.deps.audit.record(tx, {
          actor: audit.actor,
          action: audit.action,
          objectType: 'staff',
          objectId: audit.staffId,
          source: audit.ip,
          result: 'denied',
        });
        return { kind: 'locked' as const, retryAfterSeconds: wait };
      }
      const reservation: Reservation = { keys: [] };
      for (const { k, state } of states) {
        const counted = countAttempt(state, now, k.rule);
        await throttleRepository.save(tx, k.key, counted.state);
        reservation.keys.push({ ...k, lockedNow: counted.lockedNow, lockedUntil: counted.state.lockedUntil });
      }
      return { kind: 'reserved' as const, reservation };
    });
  }

  /** A success clears the account's run and gives back its attempt to the address. */
  private async settleSuccess(tx: Tx, reservation: Reservation, accountKey: string): Promise<void> {
    const now = this.now();
    for (const k of reservation.keys) {
      if (k.key === accountKey) {
        await throttleRepository.remove(tx, k.key);
        continue;
      }
      const state = await throttleRepository.lock(tx, k.key, now);
      await throttleRepository.save(tx, k.key, {
        ...state,
        failures: Math.max(0, state.failures - 1),
        lockedUntil: k.lockedNow ? null : state.lockedUntil,
      });
    }
  }

  /** Audits the locks this failure imposed; returns the lock to report, if any. */
  private async settleFailure(
    tx: Tx,
    reservation: Reservation,
    audit: { actor: Actor; staffId: string | null; ip: string },
    now: Date,
  ): Promise<{ kind: 'locked'; retryAfterSeconds: number } | undefined> {
    let wait = 0;
    for (const k of reservation.keys) {
      if (!k.lockedNow || !k.lockedUntil) continue;
      wait = Math.max(
        wait,
        lockedSeconds({ failures: 0, windowStartedAt: now, lockedUntil: k.lockedUntil }, now),
      );
      await this.deps.audit.record(tx, {
        actor: audit.actor,
        action: k.rule === IP_RULE ? 'staff.lockout_address' : 'staff.lockout_account',
        objectType: 'staff',
        objectId: audit.staffId,
        source: audit.ip,
        result: 'success',
      });
    }
    return wait > 0 ? { kind: 'locked', retryAfterSeconds: wait } : undefined;
  }
}

export function stageOf(totpEnabled: boolean, mfaVerified: boolean, mfaRequired: boolean): SessionStage {
  if (totpEnabled) return mfaVerified ? 'full' : 'mfa';
  return mfaRequired ? 'enrol' : 'full';
}

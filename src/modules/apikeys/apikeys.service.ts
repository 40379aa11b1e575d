/**
 * API keys: one per integration of an operator, for `/api/v1`. A key reads
 * `sgl_<prefix>_<secret>`; it is shown once at creation and only its SHA-256 is kept. The prefix
 * finds the row, the hash is compared in constant time. A key acts for its operator only, with the
 * permissions of its scopes: `inquiries:write` creates subjects and inquiries (the intake),
 * `inquiries:read` lists inquiries and reads one decrypted (audited), `inquiries:status` changes
 * their status, `subjects:read` reads a patient's card decrypted (audited). Another operator's ids
 * are NotFound to it; a missing scope is Forbidden. Revoking takes effect at once in this process
 * and within 5 s in others.
 *
 * @example
 *   const { key, id } = await apiKeys.create(principal, operatorId, { name: 'CRM' }); // key shown once
 *   const p = await apiKeys.authenticate(key, '203.0.113.5'); // Principal of kind 'api_key' | undefined
 *   await apiKeys.revoke(principal, id);
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import { parseInput } from '../../platform/validation.ts';
import { TtlCache } from '../../platform/ttl-cache.ts';
import type { AuditService } from '../audit/index.ts';
import { auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import { apiKeysRepository as repo, type ApiKeyRow } from './apikeys.repository.ts';

export const API_KEY_SCOPES = [
  'inquiries:write',
  'inquiries:read',
  'inquiries:status',
  'subjects:read',
] as const;
export const ApiKeyScope = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;
/** The scopes of a key created without any: the intake only. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['inquiries:write'];

export const ApiKeyCreate = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((s) => !/\p{Cc}/u.test(s), 'Недопустимые символы / Control characters are not allowed'),
  scopes: z
    .array(ApiKeyScope)
    .min(1)
    .default(() => [...DEFAULT_API_KEY_SCOPES]),
});
export type ApiKeyCreate = z.input<typeof ApiKeyCreate>;

export interface ApiKeyDto {
  id: string;
  operatorId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const KEY_RE = /^sgl_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeysDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
}

/** How long another process may still accept a key after it was revoked. */
const KEY_TTL_MS = 5000;

export class ApiKeysService {
  // Every API call presents its key: the row is remembered for a few seconds by prefix. A revoke
  // in this process clears it at once.
  private readonly keys: TtlCache<ApiKeyRow | undefined>;

  constructor(private readonly deps: ApiKeysDeps) {
    this.keys = new TtlCache(deps.clock, KEY_TTL_MS);
  }

  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  async create(
    principal: Principal,
    operatorId: string,
    input: ApiKeyCreate,
  ): Promise<{ key: string } & ApiKeyDto> {
    requirePermission(principal, 'operator.manage', operatorId);
    const o = parseInput(ApiKeyCreate, input);
    const { db, ids, clock, audit } = this.deps;
    const prefix = randomBytes(8).toString('hex').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const key = `sgl_${prefix}_${secret}`;
    const row = {
      id: ids.uuid(),
      operator_id: operatorId,
      name: o.name,
      prefix,
      secret_sha256: sha256(key),
      scopes: [...new Set(o.scopes)],
      created_at: clock.now(),
    };
    await db.transaction(async (tx) => {
      await repo.insert(tx, row);
      await audit.record(tx, this.entry(principal, 'api_key.create', row.id, operatorId));
    });
    return { key, ...toDto({ ...row, last_used_at: null, revoked_at: null }) };
  }

  /** Keys of one operator, or of all (the installation only); never the secrets. */
  async list(principal: Principal, operatorId?: string): Promise<ApiKeyDto[]> {
    if (operatorId === undefined) {
      if (principal.kind !== 'system')
        throw new AppError(ErrorCode.Forbidden, 'You do not have access to this');
    } else {
      requirePermission(principal, 'operator.manage', operatorId);
    }
    return (await repo.list(this.deps.db, operatorId)).map(toDto);
  }

  /**
   * Revokes a key at once (idempotent). With `operatorId` (the console's page of one operator) the
   * permission is checked first, and a key of another operator is NotFound, as an unknown one.
   */
  async revoke(principal: Principal, id: string, operatorId?: string): Promise<ApiKeyDto> {
    const notFound = new AppError(ErrorCode.NotFound, 'Ключ не найден / API key not found');
    if (operatorId !== undefined) requirePermission(principal, 'operator.manage', operatorId);
    if (!isUuid(id)) throw notFound;
    const done = this.deps.db.transaction(async (tx) => {
      const row = await repo.findById(tx, id);
      if (!row || (operatorId !== undefined && row.operator_id !== operatorId)) throw notFound;
      requirePermission(principal, 'operator.manage', row.operator_id);
      const at = this.deps.clock.now();
      if (await repo.revoke(tx, id, at)) {
        await this.deps.audit.record(tx, this.entry(principal, 'api_key.revoke', id, row.operator_id));
        row.revoked_at = at;
      }
      return toDto(row);
    });
    return done.finally(() => this.keys.clear());
  }

  /** The principal for a presented key, or undefined for a malformed, unknown or revoked one. */
  async authenticate(key: string, source: string | null): Promise<Principal | undefined> {
    const m = KEY_RE.exec(key);
    if (!m) return undefined;
    const prefix = m[1]!;
    const row = await this.keys.get(prefix, () => repo.findByPrefix(this.deps.db, prefix));
    if (!row || row.revoked_at !== null) return undefined;
    if (!timingSafeEqual(row.secret_sha256, sha256(key))) return undefined;
    const now = this.deps.clock.now();
    // last_used_at is kept to the minute; skip the write while it is fresh.
    if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= 60_000) {
      await repo.touch(this.deps.db, row.id, now);
      row.last_used_at = now;
    }
    return { kind: 'api_key', keyId: row.id, operatorId: row.operator_id, scopes: row.scopes, source };
  }

  private entry(principal: Principal, action: string, keyId: string, operatorId: string) {
    return auditEntryBy(principal, action, {
      objectType: 'api_key',
      objectId: keyId,
      operatorId,
    });
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function toDto(r: ApiKeyRow): ApiKeyDto {
  return {
    id: r.id,
    operatorId: r.operator_id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}

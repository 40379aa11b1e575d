/**
 * Data subjects (patients and visitors) with per-subject encryption. Each subject gets its own data
 * key in the keyring; its name, phone and e-mail are AES-256-GCM ciphertext under that key, bound
 * by associated data `subject:<id>:<field>`; phone and e-mail also get blind indexes for lookup and
 * de-duplication without decryption. The blind indexes live in the keyring next to the data key,
 * not in the data database, so that a destruction removes them too (an old backup of the data
 * must not link a guessed phone to a destroyed patient). Destroying a subject deletes its key and
 * its indexes (crypto-shredding), then its rows. Every method checks the permission for the
 * operator first and runs scoped to it.
 *
 * @example
 *   const { id } = await subjects.findOrCreate(principal, operatorId, { phone: '8 (912) 345-67-89' });
 *   const s = await subjects.read(principal, operatorId, id); // audited as subject.read
 *   await subjects.destroy(principal, operatorId, id, 'consent_withdrawn');
 */
import type { Clock } from '../../platform/clock.ts';
import { openString, sealString } from '../../platform/crypto/aead.ts';
import {
  blindIndex,
  normalizeEmail,
  normalizePhone,
  type NormalizedPhone,
} from '../../platform/crypto/blind-index.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { parseInput } from '../../platform/validation.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditService } from '../audit/index.ts';
import type { KeyringService, SubjectLookups } from '../keyring/index.ts';
import { actorOf, auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import type { SubjectDataRegistry } from './subject-data.registry.ts';
import { subjectsRepository as repo, type SubjectRow } from './subjects.repository.ts';
import {
  DestroyReason,
  SubjectInput,
  type DestroyResult,
  type SubjectDto,
  type SubjectField,
  type SubjectRef,
} from './subjects.schemas.ts';

/** The keyring operations subjects need (a narrow seam, so tests can make one of them fail). */
export type SubjectKeyring = Pick<
  KeyringService,
  | 'createSubjectKey'
  | 'findOrCreateSubjectKey'
  | 'findSubjectIds'
  | 'getDataKey'
  | 'destroyDataKey'
  | 'namedKey'
>;

export interface SubjectsDeps {
  db: Database;
  keyring: SubjectKeyring;
  audit: AuditService;
  /** Every module's rows of a subject: a destruction destroys each part's. */
  registry: SubjectDataRegistry;
  clock: Clock;
  ids: Ids;
  log?: Logger;
}

/** A subject's fields after validation and normalisation, before encryption. */
export interface PreparedSubject {
  name?: string;
  phone?: NormalizedPhone;
  email?: string;
}

export interface BlindIndexes {
  phone: Buffer | null;
  email: Buffer | null;
}

/**
 * A messenger account that identifies a patient who wrote from it (a Telegram or MAX user id, as
 * decimal digits): matched by its own blind index, like a phone, after the phone and the e-mail.
 */
export interface MessengerIdentity {
  field: 'telegram' | 'max';
  id: string;
}

/** What a search by contact is given: a phone in any usual spelling, or an e-mail in any case. */
export type SubjectSearch = { phone: string } | { email: string };

/** The keyring half of a search (SubjectsService.lookup): candidate ids, not yet confirmed or audited. */
export interface SubjectLookup {
  operatorId: string;
  ids: string[];
}

/**
 * What an intake transaction gets back: the subject and its raw data key, so that the inquiry's own
 * personal data (message text) can be encrypted under the same key and destroyed with it.
 */
export interface SubjectHandle extends SubjectRef {
  created: boolean;
  dataKey: Buffer;
}

/** Validates and normalises input; throws AppError(ValidationFailed) with field issues. */
export function prepareSubject(input: SubjectInput): PreparedSubject {
  const s = parseInput(SubjectInput, input);
  return {
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.phone !== undefined ? { phone: normalizePhone(s.phone) } : {}),
    ...(s.email !== undefined ? { email: normalizeEmail(s.email) } : {}),
  };
}

/** The blind indexes of a prepared subject under its operator's blind-index key. */
export function subjectBlindIndexes(bidxKey: Buffer, p: PreparedSubject): BlindIndexes {
  return {
    phone: p.phone ? blindIndex(bidxKey, 'phone', p.phone.e164) : null,
    email: p.email !== undefined ? blindIndex(bidxKey, 'email', p.email) : null,
  };
}

/** The associated data that binds a field's ciphertext to its subject and column. */
export function subjectAad(subjectId: string, field: SubjectField): string {
  return `subject:${subjectId}:${field}`;
}

/** Encrypts each present field under the subject's data key. */
export function encryptSubjectFields(
  dataKey: Buffer,
  subjectId: string,
  p: PreparedSubject,
): Record<`${SubjectField}_enc`, Buffer | null> {
  const enc = (field: SubjectField, v: string | undefined) =>
    v === undefined ? null : sealString(dataKey, v, subjectAad(subjectId, field));
  return {
    name_enc: enc('name', p.name),
    phone_enc: enc('phone', p.phone?.stored),
    email_enc: enc('email', p.email),
  };
}

/** Decrypts a subject row; throws DecryptError if the key is not this subject's. */
export function decryptSubjectRow(dataKey: Buffer, row: SubjectRow): SubjectDto {
  const dec = (field: SubjectField, blob: Buffer | null) =>
    blob === null ? null : openString(dataKey, blob, subjectAad(row.id, field));
  return {
    id: row.id,
    operatorId: row.operator_id,
    name: dec('name', row.name_enc),
    phone: dec('phone', row.phone_enc),
    email: dec('email', row.email_enc),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export class SubjectsService {
  // Blind-index keys per operator. They are never destroyed with a subject and a master-key
  // rotation does not change them, so keeping them in memory is safe; it saves a keyring round
  // trip on every intake and search. Data keys are deliberately NOT cached: a destroyed subject's
  // key must not live on in any instance's memory.
  private readonly bidxKeys = new Map<string, Promise<Buffer>>();

  constructor(private readonly deps: SubjectsDeps) {}

  /** Creates a subject (no de-duplication; intake uses findOrCreate). */
  async create(principal: Principal, operatorId: string, input: SubjectInput): Promise<SubjectRef> {
    requirePermission(principal, 'subject.create', operatorId);
    const p = prepareSubject(input);
    const bidx = subjectBlindIndexes(await this.blindIndexKey(operatorId), p);
    const h = await this.deps.db.scoped([operatorId], (tx) =>
      this.insert(tx, principal, operatorId, p, bidx),
    );
    return ref(h);
  }

  /**
   * Finds the subject by phone, then by e-mail (exact match of the blind index), or creates it.
   * An existing subject is returned unchanged: contact details from an anonymous form are not
   * merged into it, or anyone could attach their e-mail to another person's record.
   */
  async findOrCreate(
    principal: Principal,
    operatorId: string,
    input: SubjectInput,
  ): Promise<{ id: string; created: boolean }> {
    requirePermission(principal, 'subject.create', operatorId);
    const h = await this.deps.db.scoped([operatorId], (tx) =>
      this.findOrCreateInTx(tx, principal, operatorId, input),
    );
    return { id: h.id, created: h.created };
  }

  /**
   * findOrCreate inside the caller's transaction, which must be scoped to `operatorId` (the intake
   * transaction that also writes consents, the inquiry and the outbox). Concurrent intakes of the
   * same phone or e-mail are serialised, so they end up with one subject. A `messenger` identity
   * (a patient writing from Telegram or MAX) is matched and stored as one more blind index.
   */
  async findOrCreateInTx(
    tx: Tx,
    principal: Principal,
    operatorId: string,
    input: SubjectInput,
    messenger?: MessengerIdentity,
  ): Promise<SubjectHandle> {
    requirePermission(principal, 'subject.create', operatorId);
    const p = prepareSubject(input);
    const bidxKey = await this.blindIndexKey(operatorId);
    const bidx: SubjectLookups = {
      ...subjectBlindIndexes(bidxKey, p),
      ...(messenger ? { [messenger.field]: blindIndex(bidxKey, messenger.field, messenger.id) } : {}),
    };
    // The lock is taken in the data transaction but the index is read from the keyring, after it:
    // a concurrent intake of the same phone stores its key and lookups (keyring commit) before its
    // subject row, and holds this lock until its data transaction ends, so once we have the lock
    // both of its writes are visible to us, or it rolled back and left only a keyring orphan.
    await repo.lockBlindIndexes(
      tx,
      operatorId,
      Object.values(bidx).filter((b): b is Buffer => b !== null && b !== undefined),
    );
    // Matches, or when there are none, the new subject's key stored with its lookups (one round
    // trip). Candidate ids whose subject row does not exist are not matches: they are orphans of
    // an intake whose keyring write committed while its data transaction rolled back. findByIds
    // leaves them out, and the row read also applies the operator's scope. Phone matches first.
    const newId = this.deps.ids.uuid();
    const found = await this.deps.keyring.findOrCreateSubjectKey(newId, operatorId, bidx);
    if ('key' in found) return this.store(tx, principal, operatorId, p, newId, found.key);
    const ids = found.candidates;
    const rows = new Map((await repo.findByIds(tx, operatorId, ids, true)).map((r) => [r.id, r] as const));
    for (const id of ids.filter((c) => rows.has(c))) {
      // A subject whose key is gone is being destroyed: it is not a match.
      const dataKey = await this.deps.keyring.getDataKey(id);
      if (!dataKey) continue;
      await this.deps.audit.record(tx, this.entry(principal, 'subject.match', operatorId, id));
      const createdAt = rows.get(id)!.created_at.toISOString();
      return { id, operatorId, createdAt, created: false, dataKey };
    }
    return this.insert(tx, principal, operatorId, p, bidx);
  }

  /** Subjects with this phone (any usual spelling), found by blind index; ids only. Audited. */
  async findByPhone(principal: Principal, operatorId: string, phone: string): Promise<SubjectRef[]> {
    return this.find(principal, operatorId, { phone });
  }

  /** Subjects with this e-mail (case-insensitive), found by blind index; ids only. Audited. */
  async findByEmail(principal: Principal, operatorId: string, email: string): Promise<SubjectRef[]> {
    return this.find(principal, operatorId, { email });
  }

  private async find(principal: Principal, operatorId: string, by: SubjectSearch): Promise<SubjectRef[]> {
    const candidates = await this.lookup(principal, operatorId, by);
    return this.deps.db.scoped([operatorId], (tx) => this.confirmLookup(tx, principal, candidates));
  }

  /**
   * The keyring half of a search by phone or e-mail: the ids its blind index points at, nothing
   * decrypted and nothing yet on record. Forbidden without `subject.search` at the operator;
   * ValidationFailed for a malformed phone or e-mail (the error never repeats it). Pass the result
   * to `confirmLookup` in a transaction scoped to the operator, which finds and audits the
   * subjects; asking the keyring first means no data connection waits on it.
   */
  async lookup(principal: Principal, operatorId: string, by: SubjectSearch): Promise<SubjectLookup> {
    requirePermission(principal, 'subject.search', operatorId);
    const key = await this.blindIndexKey(operatorId);
    const [field, b] =
      'phone' in by
        ? (['phone', blindIndex(key, 'phone', normalizePhone(by.phone).e164)] as const)
        : (['email', blindIndex(key, 'email', normalizeEmail(by.email))] as const);
    // The lookups go with the data key, so a destroyed subject (even one whose data rows are not
    // yet deleted) is not found.
    return { operatorId, ids: await this.deps.keyring.findSubjectIds(operatorId, field, b) };
  }

  /**
   * The data half of a search, in the caller's transaction (scoped to the lookup's operator): the
   * subjects that exist among the lookup's ids (an id without a row is an orphan of a rolled-back
   * intake, not a match), each a `subject.search` audit entry, so each subject's access history
   * shows the search; one entry without a subject when nothing matched, so empty searches are on
   * record too. The entries are written in one round trip.
   */
  async confirmLookup(tx: Tx, principal: Principal, lookup: SubjectLookup): Promise<SubjectRef[]> {
    const { operatorId, ids } = lookup;
    const { audit } = this.deps;
    // One statement: each candidate's entry is staged only if its row is found, the entry without
    // a subject only if none is.
    const params: unknown[] = [operatorId, ids];
    const stage = (subjectId: string | null): string => {
      const a = audit.inline(this.entry(principal, 'subject.search', operatorId, subjectId), params.length);
      params.push(...a.params);
      return a.sql;
    };
    const none = stage(null);
    const each = ids.map((id) => {
      params.push(id);
      const at = `$${params.length}::uuid`;
      return `WHEN ${at} THEN ${stage(id)}`;
    });
    const rows = await repo.findByIdsStaging(tx, none, each, params);
    return rows.map((r) => ({ id: r.id, operatorId, createdAt: r.created_at.toISOString() }));
  }

  /**
   * Decrypts one subject for the principal and records the read. NotFound for an unknown subject,
   * SubjectDestroyed (410) for one that was destroyed (only its id and the destruction record
   * remain, no personal data).
   */
  async read(principal: Principal, operatorId: string, subjectId: string): Promise<SubjectDto> {
    requirePermission(principal, 'subject.read', operatorId);
    if (!isUuid(subjectId)) throw notFound();
    return this.deps.db.scoped([operatorId], async (tx) => {
      const row = await repo.findById(tx, operatorId, subjectId);
      if (!row) {
        if (await repo.findDestruction(tx, operatorId, subjectId)) throw destroyed();
        throw notFound();
      }
      const dataKey = await this.deps.keyring.getDataKey(subjectId);
      // The key goes first when a subject is destroyed; a row without one is mid-destruction.
      if (!dataKey) throw destroyed();
      const dto = decryptSubjectRow(dataKey, row);
      await this.deps.audit.record(tx, this.entry(principal, 'subject.read', operatorId, subjectId));
      return dto;
    });
  }

  /**
   * Destroys a subject: its data key and blind-index lookups (one keyring transaction), then a
   * destruction record, then every module's rows through its part of the subject data registry
   * (the consent part keeps, without personal data, the proof of each consent, linked to the
   * destruction record), the subject's own row last, and an audit entry. Repeating the call after a
   * success or a partial failure is safe.
   *
   * Order across the two databases: the key is deleted first, while the subject's row is locked in
   * the still-open data transaction; the rows go in that transaction after the key is gone. Every
   * failure therefore leaves either everything as it was (the keyring transaction failed: the data
   * transaction rolls back) or ciphertext without a key or index (the data commit failed): never a
   * key or a blind index whose subject is reported destroyed, which would keep every backup of the
   * data readable, or a guessed phone confirmable.
   */
  async destroy(
    principal: Principal,
    operatorId: string,
    subjectId: string,
    reason: DestroyReason,
  ): Promise<DestroyResult> {
    requirePermission(principal, 'subject.destroy', operatorId);
    const why = parseInput(DestroyReason, reason);
    if (!isUuid(subjectId)) throw notFound();
    const { db, keyring, audit, clock, registry } = this.deps;
    const result = await db.scoped([operatorId], async (tx): Promise<DestroyResult> => {
      const row = await repo.lockById(tx, operatorId, subjectId);
      if (!row) {
        const done = await repo.findDestruction(tx, operatorId, subjectId);
        if (!done) throw notFound();
        // Finished before; make sure of the key all the same (it is idempotent).
        await keyring.destroyDataKey(subjectId);
        return { subjectId, destroyedAt: done.destroyed_at.toISOString(), alreadyDestroyed: true };
      }
      await keyring.destroyDataKey(subjectId);
      const at = clock.now();
      const actor = actorOf(principal);
      // The record first: what a part keeps of the subject (the proof of consent) refers to it.
      await repo.insertDestruction(tx, {
        subject_id: subjectId,
        operator_id: operatorId,
        reason: why,
        categories: (['name', 'phone', 'email'] as const).filter((f) => row[`${f}_enc`] !== null),
        actor_type: actor.type,
        actor_id: actor.id,
        destroyed_at: at,
      });
      await registry.destroy({ tx, operatorId, subjectId, at });
      await audit.record(tx, this.entry(principal, 'subject.destroy', operatorId, subjectId));
      return { subjectId, destroyedAt: at.toISOString(), alreadyDestroyed: false };
    });
    this.deps.log?.info({ subjectId, operatorId, reason: why }, 'subject destroyed');
    return result;
  }

  /** The operator's blind-index key (created on first use). */
  private blindIndexKey(operatorId: string): Promise<Buffer> {
    let k = this.bidxKeys.get(operatorId);
    if (!k) {
      k = this.deps.keyring.namedKey(`blind-index:${operatorId}`);
      this.bidxKeys.set(operatorId, k);
      // A failed fetch must not be remembered.
      k.catch(() => this.bidxKeys.delete(operatorId));
    }
    return k;
  }

  private async insert(
    tx: Tx,
    principal: Principal,
    operatorId: string,
    p: PreparedSubject,
    bidx: SubjectLookups,
  ): Promise<SubjectHandle> {
    const { keyring, ids } = this.deps;
    const id = ids.uuid();
    // The key and the blind-index lookups are stored together (one keyring transaction, committed)
    // before any ciphertext under the key exists. If the data transaction then fails, what is left
    // is a key and lookups pointing at a subject that does not exist: lookups treat such an id as
    // no match. The orphan's HMACs stay until something sweeps keys that have no subject (no
    // destruction will ever name them); the reverse order could instead leave a subject that no
    // lookup finds, or, inside the caller's intake transaction, is not possible at all.
    const dataKey = await keyring.createSubjectKey(id, operatorId, bidx);
    return this.store(tx, principal, operatorId, p, id, dataKey);
  }

  /** Writes a new subject's row (and its audit entry) under a key already in the keyring. */
  private async store(
    tx: Tx,
    principal: Principal,
    operatorId: string,
    p: PreparedSubject,
    id: string,
    dataKey: Buffer,
  ): Promise<SubjectHandle> {
    const now = this.deps.clock.now();
    await repo.insert(
      tx,
      {
        id,
        operator_id: operatorId,
        ...encryptSubjectFields(dataKey, id, p),
        created_at: now,
        updated_at: now,
      },
      (offset) => this.deps.audit.inline(this.entry(principal, 'subject.create', operatorId, id), offset),
    );
    return { id, operatorId, createdAt: now.toISOString(), created: true, dataKey };
  }

  private entry(principal: Principal, action: string, operatorId: string, subjectId: string | null) {
    return auditEntryBy(principal, action, {
      objectType: 'subject',
      objectId: subjectId,
      subjectId,
      operatorId,
    });
  }
}

function ref(h: SubjectHandle): SubjectRef {
  return { id: h.id, operatorId: h.operatorId, createdAt: h.createdAt };
}

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Субъект не найден / Subject not found');
}

function destroyed(): AppError {
  return new AppError(
    ErrorCode.SubjectDestroyed,
    'Данные субъекта уничтожены / The subject’s data was destroyed',
  );
}
